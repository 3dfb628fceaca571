/* Request signing (PROTOCOL §2) and answer verification (§3), streamed: no string is built in RAM. */
#ifndef STRATUS_SIGN_H
#define STRATUS_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stratus_sha256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What §2 signs. The target is `prefix` (prefix_len bytes, e.g. a server URL's base path, may be
 * empty) followed by `path` (NUL-terminated, may be NULL): the request-target exactly as sent. */
typedef struct stratus_request_head {
  const char *method;
  const char *prefix;
  size_t prefix_len;
  const char *path;
  const char *app;
  const char *device;
  uint32_t time;
  const char *nonce;
  uint8_t body_sha256[STRATUS_SHA256_BYTES];
} stratus_request_head;

/* The hex signature (64 digits and a NUL). */
void stratus_sign_request(const char *secret, const stratus_request_head *head, char signature[65]);
/* The same, as the 32 bytes of the HMAC. */
void stratus_sign_request_raw(const char *secret, const stratus_request_head *head, uint8_t mac[STRATUS_SHA256_BYTES]);

/* §3: HMAC over the request's nonce, the status, the answer's X-Stratus-Time as sent and the body
 * digest; 1 when it equals `signature` (the decoded header). */
bool stratus_verify_answer(const char *secret, const char *nonce, unsigned status, const char *time_text,
                          const uint8_t body_sha256[STRATUS_SHA256_BYTES],
                          const uint8_t signature[STRATUS_SHA256_BYTES]);

/* The same two with the caller's HMAC context (which they overwrite). The signature may be
 * written over head->body_sha256 (it is read before the HMAC ends). */
void stratus_sign_request_with(stratus_hmac *mac, const char *secret, const stratus_request_head *head,
                               uint8_t digest[STRATUS_SHA256_BYTES]);
/* (the answer's: head->nonce is the request's, head->time the answer's, head->body_sha256 the
 * body's digest, which the HMAC then overwrites; the other fields are not read) */
bool stratus_verify_answer_with(stratus_hmac *mac, const char *secret, stratus_request_head *head, unsigned status,
                                const uint8_t signature[STRATUS_SHA256_BYTES]);

/* Helpers shared with the static file check. */
void stratus_hmac_text(stratus_hmac *mac, const char *text);
void stratus_hmac_hex(stratus_hmac *mac, const uint8_t *bytes, size_t len);
size_t stratus_format_u32(uint32_t value, char out[11]);

#ifdef __cplusplus
}
#endif

#endif
