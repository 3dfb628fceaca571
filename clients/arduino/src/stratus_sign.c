#include "stratus_sign.h"

#include <string.h>

#include "stratus_hex.h"
#include "stratus_pgm.h"

static const char request_algorithm[] STRATUS_PROGMEM = "STRATUS-HMAC-SHA256\n";
static const char answer_algorithm[] STRATUS_PROGMEM = "STRATUS-HMAC-SHA256-RESPONSE\n";
static const char newline = '\n';

size_t stratus_format_u32(uint32_t value, char out[11]) {
  char tmp[10];
  size_t n = 0, i;
  do {
    tmp[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = '\0';
  return n;
}

void stratus_hmac_text(stratus_hmac *mac, const char *text) { stratus_hmac_update(mac, text, strlen(text)); }

void stratus_hmac_hex(stratus_hmac *mac, const uint8_t *bytes, size_t len) {
  char pair[3];
  size_t i;
  for (i = 0; i < len; i++) {
    stratus_hex_encode(bytes + i, 1, pair);
    stratus_hmac_update(mac, pair, 2);
  }
}

/* Feeds a flash string a few bytes at a time. */
static void hmac_flash(stratus_hmac *mac, const char *flash) {
  char chunk[8];
  size_t left = STRATUS_STRLEN_P(flash);
  while (left > 0) {
    size_t n = left < sizeof chunk ? left : sizeof chunk;
    STRATUS_MEMCPY_P(chunk, flash, n);
    stratus_hmac_update(mac, chunk, n);
    flash += n;
    left -= n;
  }
}

static void hmac_line(stratus_hmac *mac, const char *text) {
  stratus_hmac_text(mac, text);
  stratus_hmac_update(mac, &newline, 1);
}

void stratus_sign_request(const char *secret, const stratus_request_head *head, char signature[65]) {
  uint8_t digest[STRATUS_SHA256_BYTES];
  stratus_sign_request_raw(secret, head, digest);
  stratus_hex_encode(digest, sizeof digest, signature);
}

void stratus_sign_request_raw(const char *secret, const stratus_request_head *head, uint8_t digest[STRATUS_SHA256_BYTES]) {
  stratus_hmac mac;
  stratus_sign_request_with(&mac, secret, head, digest);
}

STRATUS_NOINLINE void stratus_sign_request_with(stratus_hmac *m, const char *secret, const stratus_request_head *head,
                               uint8_t digest[STRATUS_SHA256_BYTES]) {
#define mac (*m)
  char number[11];
  stratus_hmac_init(&mac, secret, strlen(secret));
  hmac_flash(&mac, request_algorithm);
  hmac_line(&mac, head->method);
  stratus_hmac_update(&mac, head->prefix, head->prefix_len);
  if (head->path != NULL) stratus_hmac_text(&mac, head->path);
  stratus_hmac_update(&mac, &newline, 1);
  hmac_line(&mac, head->app);
  hmac_line(&mac, head->device);
  stratus_format_u32(head->time, number);
  hmac_line(&mac, number);
  hmac_line(&mac, head->nonce);
  stratus_hmac_hex(&mac, head->body_sha256, STRATUS_SHA256_BYTES);
  stratus_hmac_final(&mac, digest);
#undef mac
}

int stratus_verify_answer(const char *secret, const char *nonce, unsigned status, const char *time_text,
                          const uint8_t body_sha256[STRATUS_SHA256_BYTES],
                          const uint8_t signature[STRATUS_SHA256_BYTES]) {
  stratus_hmac mac;
  uint8_t work[STRATUS_SHA256_BYTES];
  memcpy(work, body_sha256, sizeof work);
  return stratus_verify_answer_with(&mac, secret, nonce, status, time_text, work, signature);
}

STRATUS_NOINLINE int stratus_verify_answer_with(stratus_hmac *m, const char *secret, const char *nonce, unsigned status,
                               const char *time_text, uint8_t work[STRATUS_SHA256_BYTES],
                               const uint8_t signature[STRATUS_SHA256_BYTES]) {
#define mac (*m)
  char number[11];
  stratus_hmac_init(&mac, secret, strlen(secret));
  hmac_flash(&mac, answer_algorithm);
  hmac_line(&mac, nonce);
  stratus_format_u32(status, number);
  hmac_line(&mac, number);
  hmac_line(&mac, time_text);
  stratus_hmac_hex(&mac, work, STRATUS_SHA256_BYTES);
  stratus_hmac_final(&mac, work);
  return stratus_bytes_equal(work, signature, STRATUS_SHA256_BYTES);
#undef mac
}
