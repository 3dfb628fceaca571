/* One HTTP exchange: sign (PROTOCOL §2), send, read the whole answer into the fixed buffer, and
 * verify it (§3) before the caller may act on a byte of it. Every wait is bounded by timeout_ms. */
#include <string.h>

#include "stratus_internal.h"
#include "stratus_head.h"
#include "stratus_hex.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"

/* The request head (flash on AVR), its fields and sections as stratus_out_template reads them:
 * the sections are written when the request is signed, has a body, is conditional (and an ETag is
 * held), and always: the STRATUS_REQ_ bits, and one more. */
static const char head_template[] STRATUS_PROGMEM =
    STRATUS_F_METHOD " " STRATUS_F_PREFIX STRATUS_F_PATH " HTTP/1.0\r\nHost: " STRATUS_F_HOST
    "\r\nAccept: text/plain; envelope=1\r\n"
    "\020X-Stratus-App: " STRATUS_F_APP "\r\nX-Stratus-Device: " STRATUS_F_DEVICE "\r\nX-Stratus-Time: " STRATUS_F_TIME
    "\r\nX-Stratus-Nonce: " STRATUS_F_NONCE "\r\nX-Stratus-Signature: " STRATUS_F_DIGEST "\r\n"
    "\021Content-Type: text/plain\r\nContent-Length: " STRATUS_F_NUMBER "\r\n"
    "\022If-None-Match: " STRATUS_F_ETAG "\r\n"
    "\023\r\n";
#define SECTION_ALWAYS 8

/* Reads until the answer is complete, the peer closes, or the time is up. */
static stratus_error read_answer(stratus_client *c, stratus_answer *a, uint32_t started, uint8_t *chunk,
                                 size_t chunk_size) {
  const stratus_transport *t = c->transport;
  while (a->state != STRATUS_ANSWER_DONE && a->state != STRATUS_ANSWER_FAILED) {
    int n = t->read(t->ctx, chunk, chunk_size);
    if (n < 0) {
      stratus_answer_end(a);
    } else if (n > 0) {
      stratus_answer_feed(a, chunk, (size_t)n);
    } else if ((uint32_t)(stratus_millis(c) - started) > c->timeout_ms) {
      return STRATUS_E_TIMEOUT;
    }
  }
  return a->state == STRATUS_ANSWER_FAILED ? a->error : STRATUS_OK;
}

/* The transport connects to the host NUL-terminated, in the answer buffer (free until the answer
 * comes). */
static stratus_error connect_to(stratus_client *c, const stratus_url *url) {
  const stratus_transport *t = c->transport;
  if (url->host_len >= c->answer_size) return STRATUS_E_BAD_URL;
  memcpy(c->answer, url->host, url->host_len);
  c->answer[url->host_len] = '\0';
  return t->connect(t->ctx, c->answer, url->host_len, url->port) == 0 ? STRATUS_OK : STRATUS_E_CONNECT;
}

STRATUS_NOINLINE stratus_error stratus_exchange(stratus_client *c, stratus_answer *a, const char *method, const char *path,
                                                const char *url, size_t url_len, uint8_t how) {
  const stratus_transport *t = c->transport;
  /* one frame in this order: an AVR reaches a local in one instruction only within 63 bytes of the
   * frame's start, so the fields come first and the arrays (used by address only) last */
  struct {
    stratus_out out;
    stratus_head_extras more;
    stratus_request_head head;
    char nonce[STRATUS_ID_BYTES];
    uint8_t chunk[STRATUS_WRITE_CHUNK]; /* the request's bytes, then the answer's */
  } x;
  uint32_t started;
  stratus_error error;

  if (url != NULL ? !stratus_url_parse(url, url_len, &x.more.url) : !stratus_server_url(c, &x.more.url)) {
    return STRATUS_E_BAD_URL;
  }
  /* first pass: the body's digest and length, without holding it (the answer's hash context is
   * free until the answer comes: one context less on the stack) */
  stratus_sha256_init(&a->mac.inner);
  stratus_out_init(&x.out, &a->mac.inner);
  if (how & STRATUS_REQ_BODY) stratus_write_sync_body(c, &x.out);
  stratus_sha256_final(&a->mac.inner, x.head.body_sha256);
  x.more.sections = (uint8_t)(how | SECTION_ALWAYS);
  if (c->etag[0] == '\0') x.more.sections &= (uint8_t)~STRATUS_REQ_CONDITIONAL;
  x.more.etag = c->etag;
  x.more.number = x.out.count;
  x.head.method = method;
  x.head.prefix = x.more.url.path;
  x.head.prefix_len = x.more.url.path_len;
  x.head.path = path;
  x.head.app = c->app;
  x.head.device = c->device;
  x.head.time = stratus_now(c);
  stratus_make_id(c, &c->nonce_count, x.nonce);
  x.head.nonce = x.nonce;
  /* the signature takes the place of the body digest it covers (32 bytes less on the stack) */
  if (how & STRATUS_REQ_SIGNED) stratus_sign_request_with(&a->mac, c->secret, &x.head, x.head.body_sha256);

  started = stratus_millis(c);
  error = connect_to(c, &x.more.url);
  if (error != STRATUS_OK) return error;
  stratus_out_init(&x.out, NULL);
  x.out.transport = t;
  x.out.buf = x.chunk;
  x.out.deadline_start = started;
  x.out.timeout_ms = c->timeout_ms;
  stratus_out_template(&x.out, head_template, &x.head, &x.more);
  if (how & STRATUS_REQ_BODY) stratus_write_sync_body(c, &x.out);
  error = stratus_out_flush(&x.out);
  stratus_answer_init(a, c->answer, c->answer_size);
  /* the request is out: its write buffer takes the bytes read */
  if (error == STRATUS_OK) error = read_answer(c, a, started, x.chunk, sizeof x.chunk);
  t->close(t->ctx);
  if (error != STRATUS_OK) return error;
  c->last_status = a->status; /* the envelope's, not yet verified (what a log may show); 0 for a static file */
  /* a static file: its own signature is checked, its status not read; an answer too large for the
   * buffer (the only error a complete one has) was drained: it cannot be verified, nor applied */
  if (!(how & STRATUS_REQ_SIGNED) || a->error != STRATUS_OK) return a->error;
  if (!stratus_answer_verified(a, c->secret, x.nonce)) return STRATUS_E_BAD_ANSWER_SIGNATURE;
  stratus_set_clock(c, a->time);
  return STRATUS_OK;
}

/* The sync request's text form (PROTOCOL §6.1): the kinds with their punctuation, in flash on AVR. */
static const char t_publish[] STRATUS_PROGMEM = "publish: ";
static const char t_subscribe[] STRATUS_PROGMEM = "subscribe: ";
static const char t_config[] STRATUS_PROGMEM = "config: ";
static const char t_reset[] STRATUS_PROGMEM = "reset";

/* A field and what follows it: the text, or `*` (left out) when NULL. */
static STRATUS_NOINLINE void field(stratus_out *out, const char *text, char after) {
  stratus_out_text(out, text != NULL ? text : "*");
  stratus_out_char(out, after);
}

/* A number field, `*` when the flag says it is left out. */
static void number(stratus_out *out, uint32_t value, uint8_t present, char after) {
  if (present) stratus_out_u32(out, value);
  else stratus_out_char(out, '*');
  stratus_out_char(out, after);
}

STRATUS_NOINLINE void STRATUS_SAVED(stratus_write_sync_body)(stratus_client *c, stratus_out *out) {
  uint8_t i;
  size_t at = 0;
  if (c->flags & STRATUS_F_PUBLISH) {
    while (at < c->queue.used) { /* the queue holds whole lines less their kind (stratus_queue.c) */
      const uint8_t *line = c->queue.buf + at;
      size_t len = (size_t)((const uint8_t *)memchr(line, '\n', c->queue.used - at) - line) + 1;
      stratus_out_flash(out, t_publish);
      stratus_out_bytes(out, line, len);
      at += len;
    }
  }
  if (c->flags & STRATUS_F_SUBSCRIBE) {
    for (i = 0; i < c->subs_max; i++) {
      const stratus_subscription *s = &c->subs[i];
      if (s->stream == NULL) continue;
      stratus_out_flash(out, t_subscribe);
      field(out, s->scope, ' ');
      field(out, s->stream, ' ');
      if (s->flags & STRATUS_SUB_RESET) {
        stratus_out_flash(out, t_reset);
        stratus_out_char(out, ' ');
      } else {
        number(out, s->after, s->flags & STRATUS_SUB_AFTER, ' ');
      }
      number(out, s->limit, s->limit != 0, '\n');
    }
  }
  if (c->flags & STRATUS_F_CONFIG) {
    stratus_out_flash(out, t_config);
    field(out, c->etag[0] != '\0' ? c->etag : NULL, '\n');
  }
}
