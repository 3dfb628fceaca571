#include "stratus_http.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"
#include "stratus_sync.h"

/* ---- writer ---- */

void stratus_out_init(stratus_out *out, stratus_sha256 *hash) {
  memset(out, 0, sizeof *out);
  out->hash = hash;
}

stratus_error STRATUS_SAVED(stratus_out_flush)(stratus_out *out) {
  const stratus_transport *t = out->transport;
  size_t sent = 0;
  if (t == NULL || out->error != STRATUS_OK) {
    out->used = 0;
    return out->error;
  }
  while (sent < out->used) {
    int n = t->write(t->ctx, out->buf + sent, out->used - sent);
    if (n < 0) {
      out->error = STRATUS_E_CLOSED;
      break;
    }
    sent += (size_t)n;
    if (n == 0 && (uint32_t)(t->millis(t->ctx) - out->deadline_start) > out->timeout_ms) {
      out->error = STRATUS_E_TIMEOUT;
      break;
    }
  }
  out->used = 0;
  return out->error;
}

void stratus_out_bytes(stratus_out *out, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  if (out->hash != NULL) stratus_sha256_update(out->hash, p, len);
  out->count += len;
  if (out->transport == NULL) return;
  while (len-- > 0) {
    out->buf[out->used++] = *p++;
    if (out->used == STRATUS_WRITE_CHUNK) stratus_out_flush(out);
  }
}

void stratus_out_text(stratus_out *out, const char *text) { stratus_out_bytes(out, text, strlen(text)); }

STRATUS_NOINLINE void stratus_out_char(stratus_out *out, char c) { stratus_out_bytes(out, &c, 1); }

void stratus_out_flash(stratus_out *out, const char *flash_text) {
  char c;
  while ((c = (char)STRATUS_READ_U8(flash_text++)) != '\0') stratus_out_char(out, c);
}

void stratus_out_u32(stratus_out *out, uint32_t value) {
  char number[11];
  stratus_out_bytes(out, number, stratus_format_u32(value, number));
}

void STRATUS_SAVED(stratus_out_hex)(stratus_out *out, const uint8_t *bytes, size_t len) {
  char pair[3];
  while (len-- > 0) {
    stratus_hex_encode(bytes++, 1, pair);
    stratus_out_bytes(out, pair, 2);
  }
}

/* ---- answer reader ---- */

void stratus_answer_init(stratus_answer *a, char *body, size_t body_size) {
  memset(a, 0, sizeof *a);
  a->body = body;
  a->body_size = body_size;
  if (body_size < 16) { /* not even room for an error's code */
    a->state = STRATUS_ANSWER_FAILED;
    a->error = STRATUS_E_TOO_LARGE_ANSWER;
  }
}

static void fail(stratus_answer *a, stratus_error error) {
  a->state = STRATUS_ANSWER_FAILED;
  a->error = error;
}

/* The body's first line ended: when it is the envelope (PROTOCOL §3.1), its fields are kept and
 * it leaves the buffer to the body. */
static void first_line(stratus_answer *a) {
  stratus_record r;
  size_t pos = 0;
  a->line_len = 1;
  if (a->dropped || stratus_sync_next(a->body, a->body_len, &pos, &r) != 1 || r.kind != STRATUS_RECORD_ENVELOPE ||
      r.code.len != 2 * STRATUS_SHA256_BYTES || !stratus_hex_decode(r.code.at, a->signature, STRATUS_SHA256_BYTES)) {
    return;
  }
  a->enveloped = 1;
  a->status = (uint16_t)r.index;
  a->time = r.time;
  a->retry_after_s = r.cursor;
  a->body_len = 0;
}

uint8_t stratus_answer_feed(stratus_answer *a, const uint8_t *data, size_t len) {
  for (; len > 0 && a->state < STRATUS_ANSWER_DONE; data++, len--) {
    char c = (char)*data;
    if (a->state == STRATUS_ANSWER_BODY) {
      if (a->body_len + 1 < a->body_size) a->body[a->body_len++] = c;
      else a->dropped = 1;
      if (c == '\n' && a->line_len == 0) first_line(a);
    } else if (c == '\n') { /* the head's lines matter not: the envelope carries what is signed */
      if (a->line_len == 0) a->state = STRATUS_ANSWER_BODY;
      a->line_len = 0;
    } else if (c != '\r') {
      a->line_len = 1;
    }
  }
  return a->state;
}

uint8_t stratus_answer_end(stratus_answer *a) {
  if (a->state == STRATUS_ANSWER_BODY) {
    a->state = STRATUS_ANSWER_DONE;
    if (a->dropped) a->error = STRATUS_E_TOO_LARGE_ANSWER;
  } else if (a->state != STRATUS_ANSWER_FAILED) {
    fail(a, STRATUS_E_CLOSED);
  }
  a->body[a->body_len] = '\0';
  return a->state;
}

bool stratus_answer_verified(stratus_answer *a, const char *secret, const char *nonce) {
  stratus_request_head head; /* what an answer's string to sign has of it: nonce, time, digest */
  if (a->state != STRATUS_ANSWER_DONE || a->dropped || !a->enveloped) return 0;
  stratus_sha256_init(&a->mac.inner);
  stratus_sha256_update(&a->mac.inner, (const uint8_t *)a->body, a->body_len);
  stratus_sha256_final(&a->mac.inner, head.body_sha256);
  head.nonce = nonce;
  head.time = a->time;
  return stratus_verify_answer_with(&a->mac, secret, &head, a->status, a->signature);
}

/* The code an error answer's body names (PROTOCOL §4): after `error: ` in the text form, which the
 * envelope's `Accept: text/plain` asks for, or after `{"error":{"code":"` in the JSON form. The
 * body is the server's (its signature checked), so the prefix is told by its first byte only. */
stratus_error stratus_answer_code(const stratus_answer *a) {
  const char *body = a->body;
  size_t at = body[0] == '{' ? 18 : 7, i;
  for (i = at; i < a->body_len && body[i] != ' ' && body[i] != '"' && body[i] != '\n'; i++) {
  }
  i = i > at ? stratus_error_from_name(body + at, i - at) : STRATUS_E_HTTP_STATUS;
  if (i != STRATUS_E_HTTP_STATUS) return (stratus_error)i;
  return stratus_error_from_status(a->status); /* no code, or one this client does not know */
}
