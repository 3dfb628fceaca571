#include "stratus_config.h"

#include <string.h>

#include "stratus_hex.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"

/* The end of the line starting at `from` (the index of its \n, or len). */
static size_t line_end(const char *text, size_t len, size_t from) {
  const char *nl = (const char *)memchr(text + from, '\n', len - from);
  return nl == NULL ? len : (size_t)(nl - text);
}

/* The index of the first ": " in [from, end) after at least one byte, or end. */
static size_t separator(const char *text, size_t from, size_t end) {
  size_t i;
  for (i = from + 1; i + 1 < end; i++) {
    if (text[i] == ':' && text[i + 1] == ' ') return i;
  }
  return end;
}

bool stratus_config_next(const char *text, size_t len, size_t *pos, stratus_entry *entry) {
  while (*pos < len) {
    size_t start = *pos, end = line_end(text, len, start), colon = separator(text, start, end);
    *pos = end < len ? end + 1 : len;
    if (colon < end) {
      entry->key = text + start;
      entry->key_len = colon - start;
      entry->value = text + colon + 2;
      entry->value_len = end - colon - 2;
      return 1;
    }
  }
  return 0;
}

const char *STRATUS_SAVED(stratus_config_find)(const char *text, size_t len, const char *key, size_t *value_len) {
  size_t key_len = strlen(key), i;
  const char *end = text + len, *found = NULL, *line = text;
  if (text == NULL || key_len == 0) return NULL;
  /* a key holding ": " past its first byte names no entry (an entry's key ends at its first ": ") */
  for (i = 1; i + 1 < key_len; i++) {
    if (key[i] == ':' && key[i + 1] == ' ') return NULL;
  }
  while (line < end) {
    const char *eol = (const char *)memchr(line, '\n', (size_t)(end - line));
    if (eol == NULL) eol = end;
    if ((size_t)(eol - line) >= key_len + 2 && memcmp(line, key, key_len) == 0 && line[key_len] == ':' &&
        line[key_len + 1] == ' ') {
      found = line + key_len + 2;
      *value_len = (size_t)(eol - found);
    }
    line = eol + 1;
  }
  return found;
}

/* The byte an escape stands for, or 0 when `c` does not make one (the `\` is then kept). */
static char escaped(char c) { return c == 'n' ? '\n' : c == 'r' ? '\r' : c == '\\' ? '\\' : 0; }

size_t stratus_unescape(const char *in, size_t len, char *out, size_t out_size) {
  size_t i = 0, n = 0;
  if (out_size == 0) return (size_t)-1;
  while (i < len) {
    char c = in[i++];
    if (c == '\\' && i < len && escaped(in[i]) != 0) c = escaped(in[i++]);
    if (n + 1 >= out_size) {
      out[n] = '\0';
      return (size_t)-1;
    }
    out[n++] = c;
  }
  out[n] = '\0';
  return n;
}

size_t stratus_unescape_in_place(char *text, size_t len) {
  size_t i = 0, n = 0;
  while (i < len) {
    char c = text[i++];
    if (c == '\\' && i < len && escaped(text[i]) != 0) c = escaped(text[i++]);
    text[n++] = c;
  }
  return n;
}

bool stratus_add_digit(uint32_t *v, char c) {
  uint8_t d = (uint8_t)(c - '0');
  if (d > 9 || *v > 429496729UL || (*v == 429496729UL && d > 5)) return 0; /* 2^32 - 1 */
  *v = *v * 10 + d;
  return 1;
}

bool STRATUS_SAVED(stratus_parse_u32)(const char *s, size_t len, uint32_t *out) {
  uint32_t v = 0;
  size_t i;
  if (len == 0) return 0;
  for (i = 0; i < len; i++) {
    if (!stratus_add_digit(&v, s[i])) return 0;
  }
  *out = v;
  return 1;
}

bool stratus_parse_long(const char *s, size_t len, long *out) {
  uint32_t magnitude;
  uint8_t negative = 0;
  if (len > 0 && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s++;
    len--;
  }
  if (!stratus_parse_u32(s, len, &magnitude) || magnitude > 0x7FFFFFFFUL + negative) return 0;
  *out = negative && magnitude > 0 ? -(long)(magnitude - 1) - 1 : (long)magnitude; /* -2^31 too, without overflow */
  return 1;
}

bool stratus_parse_float(const char *s, size_t len, float *out) {
  size_t i = 0;
  int negative = 0, digits = 0, exp_sign = 1;
  long exponent = 0;
  float v = 0.0f, scale = 1.0f;
  if (i < len && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) v = v * 10.0f + (float)(s[i] - '0');
  if (i < len && s[i] == '.') {
    for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
      scale /= 10.0f;
      v += scale * (float)(s[i] - '0');
    }
  }
  if (digits == 0) return 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    int exp_digits = 0;
    i++;
    if (i < len && (s[i] == '-' || s[i] == '+')) exp_sign = s[i++] == '-' ? -1 : 1;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, exp_digits++) {
      if (exponent < 100) exponent = exponent * 10 + (s[i] - '0');
    }
    if (exp_digits == 0) return 0;
  }
  if (i != len) return 0;
  while (exponent-- > 0) v = exp_sign > 0 ? v * 10.0f : v / 10.0f;
  *out = negative ? -v : v;
  return 1;
}

/* The words, true ones first, each NUL-ended (flash on AVR). */
static const char bool_words[] STRATUS_PROGMEM = "true\0" "1\0" "yes\0" "on\0" "false\0" "0\0" "no\0" "off\0";

bool stratus_parse_bool(const char *s, size_t len, bool *out) {
  uint8_t index = stratus_flash_index(bool_words, s, len, 1);
  if (index == 0) return 0;
  *out = index <= 4;
  return 1;
}

bool stratus_config_valid(const char *text, size_t len) {
  size_t pos = 0;
  while (pos < len) {
    size_t end = line_end(text, len, pos);
    if (end > pos && text[pos] != '#' && separator(text, pos, end) == end) return 0;
    pos = end + 1;
  }
  return 1;
}

static const char header_start[] STRATUS_PROGMEM = "# stratus config v1 app=";
static const char signature_line[] STRATUS_PROGMEM = "\nsignature: ";
static const char header_device[] STRATUS_PROGMEM = " device=";
#define HEADER_START_LEN 24
#define SIGNATURE_LINE_LEN 12

static bool flash_equals(const char *text, const char *flash, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (text[i] != (char)STRATUS_READ_U8(flash + i)) return 0;
  }
  return 1;
}

/* Does the header line name this app, and this device or `*`? (docs/protocol.md, static export) */
static bool header_names(const char *text, size_t len, const char *app, const char *device) {
  size_t app_len = strlen(app), at = HEADER_START_LEN + app_len, end;
  if (len < at + 8 || !flash_equals(text, header_start, HEADER_START_LEN)) return 0;
  if (memcmp(text + HEADER_START_LEN, app, app_len) != 0 || !flash_equals(text + at, header_device, 8)) return 0;
  at += 8;
  end = line_end(text, len, at);
  if (end == len) return 0;
  if (end - at == 1 && text[at] == '*') return 1;
  return end - at == strlen(device) && memcmp(text + at, device, end - at) == 0;
}

STRATUS_NOINLINE stratus_error stratus_static_verify(const char *secret, const char *app, const char *device, char *file, size_t len,
                                    size_t *text_len) {
  size_t at, body_len;
  uint8_t want[STRATUS_SHA256_BYTES], got[STRATUS_SHA256_BYTES];
  stratus_hmac mac;
  if (len > 0 && file[len - 1] == '\n') len--;
  /* the last "\nsignature: " line; its value is the rest, exactly 64 lower-case hex digits */
  if (len < SIGNATURE_LINE_LEN + 64) return STRATUS_E_BAD_CONFIG_FILE;
  at = len - 64 - SIGNATURE_LINE_LEN;
  if (!flash_equals(file + at, signature_line, SIGNATURE_LINE_LEN)) return STRATUS_E_BAD_CONFIG_FILE;
  if (!stratus_hex_decode(file + at + SIGNATURE_LINE_LEN, got, sizeof got)) return STRATUS_E_BAD_CONFIG_FILE;
  body_len = at + 1;
  stratus_hmac_init(&mac, secret, strlen(secret));
  stratus_hmac_update(&mac, file, body_len);
  stratus_hmac_final(&mac, want);
  if (!stratus_bytes_equal(want, got, sizeof want)) return STRATUS_E_BAD_CONFIG_FILE;
  if (!header_names(file, body_len, app, device) || !stratus_config_valid(file, body_len)) {
    return STRATUS_E_BAD_CONFIG_FILE;
  }
  *text_len = body_len;
  return STRATUS_OK;
}
