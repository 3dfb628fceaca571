/* A tiny assertion layer for the host tests: counts checks, prints failures, never aborts. */
#ifndef STRATUS_CHECK_H
#define STRATUS_CHECK_H

#include <stdio.h>
#include <string.h>

extern unsigned checks_run, checks_failed;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    checks_run++;                                                     \
    if (!(cond)) {                                                    \
      checks_failed++;                                                \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fputc('\n', stderr);                                            \
    }                                                                 \
  } while (0)

/* Equal bytes: a (alen) against the NUL-terminated b. */
#define CHECK_SPAN(a, alen, b, ...) CHECK((alen) == strlen(b) && memcmp((a), (b), (alen)) == 0, __VA_ARGS__)

#endif
