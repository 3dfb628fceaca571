#include "stratus_hex.h"

void stratus_hex_encode(const uint8_t *bytes, size_t len, char *out) {
  size_t i;
  for (i = 0; i < 2 * len; i++) {
    uint8_t v = (uint8_t)(i & 1 ? bytes[i / 2] & 15 : bytes[i / 2] >> 4);
    out[i] = (char)(v < 10 ? '0' + v : 'a' - 10 + v);
  }
  out[2 * len] = '\0';
}

/* The value of a lower-case hex digit; more than 15 for any other byte. */
static uint8_t value(char c) {
  uint8_t d = (uint8_t)(c - '0');
  return d <= 9 ? d : (uint8_t)((uint8_t)(c - 'a') <= 5 ? c - 'a' + 10 : 16);
}

bool stratus_hex_decode(const char *hex, uint8_t *bytes, size_t len) {
  size_t i;
  for (i = 0; i < 2 * len; i++) {
    uint8_t v = value(hex[i]);
    if (v > 15) return 0;
    bytes[i / 2] = (uint8_t)(i & 1 ? bytes[i / 2] | v : v << 4);
  }
  return 1;
}

bool stratus_bytes_equal(const uint8_t *a, const uint8_t *b, size_t len) {
  uint8_t diff = 0;
  size_t i;
  for (i = 0; i < len; i++) diff |= (uint8_t)(a[i] ^ b[i]);
  return diff == 0;
}
