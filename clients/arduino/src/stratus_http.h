/* HTTP/1.1 as far as Stratus needs it: a buffered writer (to the transport, or only counted and
 * hashed, so a body's digest and length are known before it is sent without holding it in RAM), and
 * a push parser for the answer that keeps only what PROTOCOL §3 and the client need. */
#ifndef STRATUS_HTTP_H
#define STRATUS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "stratus_error.h"
#include "stratus_limits.h"
#include "stratus_sha256.h"

#include "stratus_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writer ---- */

typedef struct stratus_out {
  const stratus_transport *transport; /* NULL: count and hash only */
  stratus_sha256 *hash;               /* NULL: no digest */
  size_t count; /* bytes written (a body on an 8-bit MCU stays far below 64 KB) */
  uint32_t deadline_start; /* transport millis: writes fail once timeout_ms passed since */
  uint32_t timeout_ms;
  stratus_error error;
  uint8_t used;
  uint8_t *buf;       /* STRATUS_WRITE_CHUNK bytes, the caller's; only with a transport */
} stratus_out;

/* A writer that counts and hashes (hash NULL: no digest); the caller then sets transport, buf,
 * deadline_start and timeout_ms to send. */
void stratus_out_init(stratus_out *out, stratus_sha256 *hash);
void stratus_out_bytes(stratus_out *out, const void *data, size_t len);
void stratus_out_text(stratus_out *out, const char *text);
void stratus_out_char(stratus_out *out, char c);
void stratus_out_flash(stratus_out *out, const char *flash_text);
void stratus_out_u32(stratus_out *out, uint32_t value);
/* Lower-case hex, two digits a byte. */
void stratus_out_hex(stratus_out *out, const uint8_t *bytes, size_t len);
/* Sends what is buffered; returns out->error. */
stratus_error stratus_out_flush(stratus_out *out);

/* ---- answer reader ---- */

enum { STRATUS_ANSWER_STATUS, STRATUS_ANSWER_HEADERS, STRATUS_ANSWER_BODY, STRATUS_ANSWER_DONE, STRATUS_ANSWER_FAILED };

typedef struct stratus_answer {
  /* Small fields first: an AVR reaches a struct field in one instruction only within 63 bytes. */
  uint8_t state;
  uint8_t overlong;     /* the head line being read did not fit the body buffer: skipped */
  uint8_t has_length;   /* a Content-Length came: the body is that long, else it is read until close */
  uint8_t has_time, has_signature;
  uint16_t header_bytes;
  uint16_t status;
  size_t line_len;      /* the head line gathered so far, in the body buffer */
  stratus_error error;  /* why the state is FAILED, or TOO_LARGE_ANSWER once DONE */
  char *body;           /* the caller's buffer; the body is NUL-terminated there */
  size_t body_size;     /* its size (the body may hold body_size - 1 bytes) */
  size_t body_len;      /* bytes kept */
  size_t body_seen;     /* bytes received (more than kept: too large, drained) */
  size_t content_length; /* (an 8-bit MCU refuses one past 64 KB as too large, without draining it) */
  uint32_t time;
  uint32_t retry_after_s;
  char time_text[11];
  uint8_t signature[STRATUS_SHA256_BYTES];
  char etag[STRATUS_ETAG_BYTES];
  /* mac.inner hashes the body; once the body is whole, the same bytes serve as the HMAC context
   * that signs the next request or verifies this answer (one context on an 8-bit stack, not three) */
  stratus_hmac mac;
} stratus_answer;

void stratus_answer_init(stratus_answer *a, char *body, size_t body_size);
/* Feeds bytes as they come; returns the state. Bytes after the answer are ignored. */
uint8_t stratus_answer_feed(stratus_answer *a, const uint8_t *data, size_t len);
/* The connection ended: completes a body read until close, else fails with STRATUS_E_CLOSED. */
uint8_t stratus_answer_end(stratus_answer *a);
/* PROTOCOL §3 against this request's nonce: 0 when the signature is missing or wrong. */
int stratus_answer_verified(stratus_answer *a, const char *secret, const char *nonce);
/* The stable code an error answer names (`error: code …` or JSON `"code":"…"`), else by status. */
stratus_error stratus_answer_code(const stratus_answer *a);

#ifdef __cplusplus
}
#endif

#endif
