/* libFuzzer: the text sync answer, checked then walked and unescaped in place as the client does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stratus_config.h"
#include "stratus_sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *body = (char *)malloc(size + 1);
  size_t pos = 0;
  stratus_record r;
  int valid;
  memcpy(body, data, size);
  body[size] = '\0';
  valid = stratus_sync_valid(body, size);
  while (stratus_sync_next(body, size, &pos, &r) == 1) {
    if (r.kind == STRATUS_RECORD_MESSAGE || r.kind == STRATUS_RECORD_REJECTED) {
      size_t n = stratus_unescape_in_place((char *)r.text.at, r.text.len);
      if (n > r.text.len) __builtin_trap();
      ((char *)r.text.at)[n] = '\0';
    }
    if (r.kind == STRATUS_RECORD_CONFIG && (r.text.at + r.text.len != body + size)) __builtin_trap();
  }
  (void)valid;
  free(body);
  return 0;
}
