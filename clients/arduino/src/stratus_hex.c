#include "stratus_hex.h"

static char digit(uint8_t v) { return (char)(v < 10 ? '0' + v : 'a' + v - 10); }

void stratus_hex_encode(const uint8_t *bytes, size_t len, char *out) {
  size_t i;
  for (i = 0; i < len; i++) {
    out[2 * i] = digit((uint8_t)(bytes[i] >> 4));
    out[2 * i + 1] = digit((uint8_t)(bytes[i] & 15));
  }
  out[2 * len] = '\0';
}

static int value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int stratus_hex_decode(const char *hex, uint8_t *bytes, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    int hi = value(hex[2 * i]), lo;
    if (hi < 0) return 0;
    lo = value(hex[2 * i + 1]);
    if (lo < 0) return 0;
    bytes[i] = (uint8_t)((hi << 4) | lo);
  }
  return 1;
}

int stratus_bytes_equal(const uint8_t *a, const uint8_t *b, size_t len) {
  uint8_t diff = 0;
  size_t i;
  for (i = 0; i < len; i++) diff |= (uint8_t)(a[i] ^ b[i]);
  return diff == 0;
}
