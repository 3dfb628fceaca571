/* POSIX sockets behind stratus_transport, and a file behind stratus_storage (Linux gateways, tests). */
#ifndef STRATUS_POSIX_H
#define STRATUS_POSIX_H

#include <stdint.h>

#include "stratus_transport.h"

typedef struct stratus_posix {
  int fd;
  long clock_skew_s;   /* added to the wall clock: a board whose clock is wrong */
  int no_clock;        /* no wall clock at all (unix_time NULL) */
  uint32_t poll_ms;    /* how long one read waits for bytes before answering 0 */
} stratus_posix;

/* Fills a transport whose context is p. */
void stratus_posix_transport(stratus_posix *p, stratus_transport *t);

typedef struct stratus_posix_file {
  const char *path;
} stratus_posix_file;

/* Fills a storage hook of `size` bytes kept in a file (created on the first write). */
void stratus_posix_storage(stratus_posix_file *f, stratus_storage *s, size_t size);

#endif
