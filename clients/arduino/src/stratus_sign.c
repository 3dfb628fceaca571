#include "stratus_sign.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_head.h"
#include "stratus_hex.h"
#include "stratus_http.h"
#include "stratus_pgm.h"

static const char request_algorithm[] STRATUS_PROGMEM = "STRATUS-HMAC-SHA256\n";
static const char answer_algorithm[] STRATUS_PROGMEM = "STRATUS-HMAC-SHA256-RESPONSE\n";

size_t STRATUS_SAVED(stratus_format_u32)(uint32_t value, char out[11]) {
  uint8_t n = 0, i;
  do { /* the digits last first, then turned round */
    out[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  out[n] = '\0';
  for (i = 0; i < n / 2; i++) {
    char digit = out[i];
    out[i] = out[n - 1 - i];
    out[n - 1 - i] = digit;
  }
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

/* The algorithm line, keyed with the secret: both strings to sign start so. The string to sign is
 * written through the buffered writer into the HMAC (count and hash only: no buffer). */
void stratus_sign_start(stratus_out *out, stratus_hmac *mac, const char *secret, const char *algorithm);
void STRATUS_SAVED(stratus_sign_start)(stratus_out *out, stratus_hmac *mac, const char *secret, const char *algorithm) {
  stratus_hmac_init(mac, secret, strlen(secret));
  stratus_out_init(out, &mac->inner);
  stratus_out_flash(out, algorithm);
}

/* The body digest in hex ends both; the HMAC replaces the digest. */
static STRATUS_NOINLINE void sign_finish(stratus_out *out, stratus_hmac *mac, uint8_t digest[STRATUS_SHA256_BYTES]) {
  stratus_out_hex(out, digest, STRATUS_SHA256_BYTES);
  stratus_hmac_final(mac, digest);
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

/* The string to sign after its first line (PROTOCOL §2): the fields as the HTTP head writes them. */
static const char request_lines[] STRATUS_PROGMEM = STRATUS_F_METHOD "\n" STRATUS_F_PREFIX STRATUS_F_PATH "\n" STRATUS_F_APP
    "\n" STRATUS_F_DEVICE "\n" STRATUS_F_TIME "\n" STRATUS_F_NONCE "\n";

void stratus_sign_request_with(stratus_hmac *mac, const char *secret, const stratus_request_head *head,
                                                uint8_t digest[STRATUS_SHA256_BYTES]) {
  stratus_out out;
  stratus_sign_start(&out, mac, secret, request_algorithm);
  stratus_out_template(&out, request_lines, head, NULL);
  if (digest != head->body_sha256) memcpy(digest, head->body_sha256, STRATUS_SHA256_BYTES);
  sign_finish(&out, mac, digest);
}

bool stratus_verify_answer(const char *secret, const char *nonce, unsigned status, const char *time_text,
                          const uint8_t body_sha256[STRATUS_SHA256_BYTES],
                          const uint8_t signature[STRATUS_SHA256_BYTES]) {
  stratus_hmac mac;
  stratus_request_head head;
  /* the time as the server writes it, decimal without a leading zero, is the text of its value */
  if (!stratus_parse_u32(time_text, strlen(time_text), &head.time)) return false;
  head.nonce = nonce;
  memcpy(head.body_sha256, body_sha256, STRATUS_SHA256_BYTES);
  return stratus_verify_answer_with(&mac, secret, &head, status, signature);
}

/* The answer's string to sign after its first line (PROTOCOL §3): nonce, status, time. */
static const char answer_lines[] STRATUS_PROGMEM = STRATUS_F_NONCE "\n" STRATUS_F_NUMBER "\n" STRATUS_F_TIME "\n";

bool stratus_verify_answer_with(stratus_hmac *mac, const char *secret, stratus_request_head *head, unsigned status,
                                const uint8_t signature[STRATUS_SHA256_BYTES]) {
  stratus_out out;
  stratus_head_extras more;
  more.number = status;
  stratus_sign_start(&out, mac, secret, answer_algorithm);
  stratus_out_template(&out, answer_lines, head, &more);
  sign_finish(&out, mac, head->body_sha256);
  return stratus_bytes_equal(head->body_sha256, signature, STRATUS_SHA256_BYTES);
}
