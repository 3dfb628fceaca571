#include "stratus_http.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"

/* ---- writer ---- */

STRATUS_NOINLINE void stratus_out_init(stratus_out *out, stratus_sha256 *hash) {
  memset(out, 0, sizeof *out);
  out->hash = hash;
}

stratus_error stratus_out_flush(stratus_out *out) {
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

void stratus_out_char(stratus_out *out, char c) { stratus_out_bytes(out, &c, 1); }

void stratus_out_flash(stratus_out *out, const char *flash_text) {
  char c;
  while ((c = (char)STRATUS_READ_U8(flash_text++)) != '\0') stratus_out_char(out, c);
}

void stratus_out_u32(stratus_out *out, uint32_t value) {
  char number[11];
  stratus_out_bytes(out, number, stratus_format_u32(value, number));
}

void stratus_out_hex(stratus_out *out, const uint8_t *bytes, size_t len) {
  char pair[3];
  while (len-- > 0) {
    stratus_hex_encode(bytes++, 1, pair);
    stratus_out_bytes(out, pair, 2);
  }
}

/* ---- answer reader ---- */

/* The headers kept, lower case, NUL-separated (flash on AVR), in the order of these values. */
enum { H_OTHER, H_CONTENT_LENGTH, H_TIME, H_SIGNATURE, H_ETAG, H_RETRY_AFTER, H_TRANSFER_ENCODING };
static const char header_names[] STRATUS_PROGMEM =
    "content-length\0x-stratus-time\0x-stratus-signature\0etag\0retry-after\0transfer-encoding\0";
static const char http_prefix[] STRATUS_PROGMEM = "HTTP/1.";
#define MAX_HEAD_BYTES 4096

void stratus_answer_init(stratus_answer *a, char *body, size_t body_size) {
  memset(a, 0, sizeof *a);
  a->body = body;
  a->body_size = body_size;
  if (body_size > 0) body[0] = '\0';
  a->content_length = (size_t)-1; /* until a Content-Length says otherwise: read until close */
  stratus_sha256_init(&a->mac.inner);
  a->state = STRATUS_ANSWER_STATUS;
  if (body_size == 0) { /* not even room for a head line */
    a->state = STRATUS_ANSWER_FAILED;
    a->error = STRATUS_E_TOO_LARGE_ANSWER;
  }
}

static STRATUS_NOINLINE void fail(stratus_answer *a, stratus_error error) {
  a->state = STRATUS_ANSWER_FAILED;
  a->error = error;
  if (a->body_len == 0 && a->body_size > 0) a->body[0] = '\0'; /* no head line left behind as a body */
}

/* "HTTP/1.x NNN[ reason]" (NUL-terminated) */
static void status_line(stratus_answer *a, const char *line, size_t n) {
  uint32_t status;
  if (n < 12 || !stratus_flash_equals(line, 7, http_prefix) || line[7] < '0' || line[7] > '9' || line[8] != ' ' ||
      (n > 12 && line[12] != ' ') || !stratus_parse_u32(line + 9, 3, &status)) {
    fail(a, STRATUS_E_BAD_ANSWER);
    return;
  }
  a->status = (uint16_t)status;
  a->state = STRATUS_ANSWER_HEADERS;
}

static void head_ended(stratus_answer *a) {
  a->body[0] = '\0';
  if (a->status < 200 || a->status == 204 || a->status == 304) {
    a->state = STRATUS_ANSWER_DONE;
  } else { /* a body of Content-Length bytes, or read until close */
    a->state = a->content_length == 0 ? STRATUS_ANSWER_DONE : STRATUS_ANSWER_BODY;
  }
}

/* One header line (without its line end, NUL-terminated): keeps what the known ones say. */
static void header_line(stratus_answer *a, char *line, size_t n) {
  char *value = (char *)memchr(line, ':', n);
  size_t len;
  uint8_t h;
  uint32_t number = 0;
  if (value == NULL) return;
  h = stratus_flash_index(header_names, line, (size_t)(value - line), 1); /* names are case-insensitive */
  if (h == H_OTHER) return;
  while (*++value == ' ' || *value == '\t') {
  }
  len = strlen(value);
  while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t')) len--;
  value[len] = '\0';
  if (!stratus_parse_u32(value, len, &number)) {
    if (h <= H_TIME) { /* numbers, both */
      fail(a, STRATUS_E_BAD_ANSWER);
      return;
    }
    number = 0; /* Retry-After as an HTTP-date: not used */
  }
  switch (h) {
    case H_CONTENT_LENGTH:
      a->has_length = 1;
      a->content_length = (size_t)number;
      if (a->content_length != number || a->content_length == (size_t)-1) fail(a, STRATUS_E_TOO_LARGE_ANSWER); /* past what size_t counts */
      break;
    case H_TIME: /* kept as text too: the time as signed (PROTOCOL §3) */
      a->time = number;
      a->has_time = 1;
      if (len >= sizeof a->time_text) fail(a, STRATUS_E_BAD_ANSWER);
      else memcpy(a->time_text, value, len + 1);
      break;
    case H_SIGNATURE:
      a->has_signature = len == 2 * STRATUS_SHA256_BYTES && stratus_hex_decode(value, a->signature, STRATUS_SHA256_BYTES);
      break;
    case H_ETAG: /* the ETag to send back; one too long to keep: none */
      if (len >= sizeof a->etag) len = 0, value[0] = '\0';
      memcpy(a->etag, value, len + 1);
      break;
    case H_RETRY_AFTER:
      a->retry_after_s = number;
      break;
    default: /* Transfer-Encoding, any coding: this reader knows none (PROTOCOL answers carry Content-Length) */
      fail(a, STRATUS_E_BAD_ANSWER);
  }
}

/* A line of the head ended. It was gathered in the body buffer, which the body has not reached yet;
 * a line longer than the buffer is skipped (the answer buffer holds any line this reader needs). */
static void line_ended(stratus_answer *a) {
  size_t n = a->line_len;
  a->line_len = 0;
  a->body[n] = '\0';
  if (a->state == STRATUS_ANSWER_STATUS) status_line(a, a->body, n); /* a long reason phrase may be cut */
  else if (a->overlong) a->overlong = 0; /* skipped: an unknown header, or a known one no sane server sends that long */
  else if (n == 0) head_ended(a);
  else header_line(a, a->body, n);
}

/* Without a Content-Length, content_length is SIZE_MAX: the body then ends with the connection, and
 * a longer one than size_t counts fails below. */
static void body_bytes(stratus_answer *a, const uint8_t *data, size_t len) {
  size_t keep = a->body_size - 1 - a->body_len; /* the room left (the buffer keeps a byte for the NUL) */
  if (len > a->content_length - a->body_seen) len = a->content_length - a->body_seen;
  if (keep > len) keep = len;
  memcpy(a->body + a->body_len, data, keep);
  stratus_sha256_update(&a->mac.inner, data, keep);
  a->body_len += keep;
  a->body[a->body_len] = '\0';
  a->body_seen += len;
  if (a->body_seen == a->content_length) {
    if (a->has_length) a->state = STRATUS_ANSWER_DONE;
    else fail(a, STRATUS_E_TOO_LARGE_ANSWER); /* past what size_t counts */
  }
  if (a->state == STRATUS_ANSWER_DONE && a->body_seen > a->body_len) a->error = STRATUS_E_TOO_LARGE_ANSWER;
}

uint8_t stratus_answer_feed(stratus_answer *a, const uint8_t *data, size_t len) {
  while (len > 0 && a->state < STRATUS_ANSWER_BODY) { /* status line and headers */
    char c = (char)*data++;
    len--;
    if (++a->header_bytes > MAX_HEAD_BYTES) fail(a, STRATUS_E_BAD_ANSWER);
    else if (c == '\n') line_ended(a);
    else if (c == '\r') continue;
    else if (a->line_len + 1 < a->body_size) a->body[a->line_len++] = c;
    else a->overlong = 1;
  }
  if (len > 0 && a->state == STRATUS_ANSWER_BODY) body_bytes(a, data, len);
  return a->state;
}

uint8_t stratus_answer_end(stratus_answer *a) {
  if (a->state == STRATUS_ANSWER_BODY && !a->has_length) {
    a->state = STRATUS_ANSWER_DONE;
    if (a->body_seen > a->body_len) a->error = STRATUS_E_TOO_LARGE_ANSWER;
  } else if (a->state != STRATUS_ANSWER_DONE && a->state != STRATUS_ANSWER_FAILED) {
    fail(a, STRATUS_E_CLOSED);
  }
  return a->state;
}

STRATUS_NOINLINE int stratus_answer_verified(stratus_answer *a, const char *secret, const char *nonce) {
  uint8_t digest[STRATUS_SHA256_BYTES];
  if (a->state != STRATUS_ANSWER_DONE || !a->has_signature || !a->has_time || a->body_seen != a->body_len) return 0;
  stratus_sha256_final(&a->mac.inner, digest);
  return stratus_verify_answer_with(&a->mac, secret, nonce, a->status, a->time_text, digest, a->signature);
}

/* What an error answer's body starts with before its code (PROTOCOL §4): the text line asked for,
 * or the JSON form, NUL-separated (flash on AVR). */
static const char code_prefixes[] STRATUS_PROGMEM = "error: \0{\"error\":{\"code\":\"\0";

stratus_error stratus_answer_code(const stratus_answer *a) {
  const char *prefix = code_prefixes, *body = a->body;
  size_t plen, i;
  if ((a->status >= 200 && a->status < 300) || a->status == 304) return STRATUS_OK;
  do {
    plen = STRATUS_STRLEN_P(prefix);
    if (plen <= a->body_len && stratus_flash_equals(body, plen, prefix)) {
      for (i = plen; i < a->body_len && body[i] != ' ' && body[i] != '"' && body[i] != '\n'; i++) {
      }
      i = stratus_error_from_name(body + plen, i - plen);
      if (i != STRATUS_E_HTTP_STATUS) return (stratus_error)i;
      break; /* a code this client does not know: by status */
    }
    prefix += plen + 1;
  } while (STRATUS_READ_U8(prefix) != 0);
  return stratus_error_from_status(a->status);
}
