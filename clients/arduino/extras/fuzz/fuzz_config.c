/* libFuzzer: config text lookups, unescaping and the number readers over arbitrary text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stratus_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* an exact-size copy, so that any read past the text is caught */
  char *text = (char *)malloc(size + 1), out[32], key[40];
  size_t pos = 0, len;
  stratus_entry e;
  memcpy(text, data, size);
  (void)stratus_config_valid(text, size);
  while (stratus_config_next(text, size, &pos, &e)) {
    long l;
    float f;
    bool b;
    size_t k = e.key_len < sizeof key - 1 ? e.key_len : sizeof key - 1;
    memcpy(key, e.key, k);
    key[k] = '\0';
    (void)stratus_config_find(text, size, key, &len);
    (void)stratus_unescape(e.value, e.value_len, out, sizeof out);
    (void)stratus_parse_long(e.value, e.value_len, &l);
    (void)stratus_parse_float(e.value, e.value_len, &f);
    (void)stratus_parse_bool(e.value, e.value_len, &b);
  }
  len = stratus_unescape_in_place(text, size);
  if (len > size) __builtin_trap();
  free(text);
  return 0;
}
