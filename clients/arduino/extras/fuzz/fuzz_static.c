/* libFuzzer: static config file verification (signature, header, lines), then lookups in what passed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stratus_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *file = (char *)malloc(size ? size : 1);
  size_t text_len = 0, len;
  memcpy(file, data, size);
  if (stratus_static_verify("s3cret-app-key", "greenhouse", "a4cf12fe0b11", file, size, &text_len) == STRATUS_OK) {
    if (text_len > size) __builtin_trap();
    (void)stratus_config_find(file, text_len, "variable", &len);
  }
  free(file);
  return 0;
}
