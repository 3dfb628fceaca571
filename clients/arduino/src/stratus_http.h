/* HTTP/1.1 as far as Stratus needs it: a buffered writer (to the transport, or only counted and
 * hashed, so a body's digest and length are known before it is sent without holding it in RAM), and
 * a push reader for the answer: the head skipped whatever it holds (the status line too), the body
 * kept until the peer closes. What the head says comes in the answer's envelope (PROTOCOL §3.1),
 * signed. */
#ifndef STRATUS_HTTP_H
#define STRATUS_HTTP_H

#include <stdbool.h>
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

enum { STRATUS_ANSWER_HEAD, STRATUS_ANSWER_BODY, STRATUS_ANSWER_DONE, STRATUS_ANSWER_FAILED };

typedef struct stratus_answer {
  /* Small fields first: an AVR reaches a struct field in one instruction only within 63 bytes. */
  uint8_t state;
  uint8_t line_len;     /* 1 once the head line being read holds a byte; in the body, 1 once its first line ended */
  uint8_t dropped;      /* more came than the buffer holds: too large, read to its end and dropped */
  uint8_t enveloped;    /* the body's first line was the envelope (PROTOCOL §3.1), read and taken out */
  uint16_t status;      /* the envelope's (0 without one: the status line is not read) */
  stratus_error error;  /* why the state is FAILED, or TOO_LARGE_ANSWER once DONE */
  char *body;           /* the caller's buffer: the body after the envelope, NUL-terminated */
  size_t body_size;     /* the buffer's size (it holds body_size - 1 bytes of body) */
  size_t body_len;      /* bytes kept */
  uint32_t time;        /* the envelope's */
  uint32_t retry_after_s;
  uint8_t signature[STRATUS_SHA256_BYTES]; /* the envelope's */
  /* hashes and signs the request on its way out, then verifies its answer (one context on an
   * 8-bit stack, not three) */
  stratus_hmac mac;
} stratus_answer;

/* body_size ≥ 16, else the answer fails as too large (the envelope line, ~90 B, is read into it
 * before the body takes its place: a signed answer needs 100 B at least). */
void stratus_answer_init(stratus_answer *a, char *body, size_t body_size);
/* Feeds bytes as they come; returns the state. The body ends when the connection does. */
uint8_t stratus_answer_feed(stratus_answer *a, const uint8_t *data, size_t len);
/* The connection ended: completes the body (TOO_LARGE_ANSWER when some was dropped), else fails
 * with STRATUS_E_CLOSED. */
uint8_t stratus_answer_end(stratus_answer *a);
/* The envelope's signature (PROTOCOL §3.1, §3) checked against this request's nonce: 0 when the
 * answer had no well-formed envelope or the signature is wrong. */
bool stratus_answer_verified(stratus_answer *a, const char *secret, const char *nonce);
/* The stable code an error answer (neither 2xx nor 304: the caller tells) names (`error: code …`
 * or JSON `"code":"…"`), else the one its status implies. */
stratus_error stratus_answer_code(const stratus_answer *a);

#ifdef __cplusplus
}
#endif

#endif
