/* The host test program: vectors, parsers, client. Exit status 1 when any check failed. */
#include <stdio.h>

#include "check.h"

unsigned checks_run, checks_failed;
void vectors_tests(void);
void parser_tests(void);
void client_tests(void);

int main(void) {
  vectors_tests();
  parser_tests();
  client_tests();
  printf("%u checks, %u failed\n", checks_run, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
