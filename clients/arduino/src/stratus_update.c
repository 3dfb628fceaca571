/* update(): the sync round trip (PROTOCOL §6), the config poll (§5), the static config file, the
 * clock retry on stale_time (§2), backoff with jitter and Retry-After. */
#include <string.h>

#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_internal.h"
#include "stratus_pgm.h"
#include "stratus_sync.h"

/* in RAM: the signer and the head writer take them as they are (15 B of RAM, less flash than copies) */
static const char m_get[] = "GET";
static const char m_post[] = "POST";
static const char p_config[] = "/v1/config";
static const char p_sync[] = "/v1/sync";

bool stratus_server_url(stratus_client *c, stratus_url *out) {
  size_t len;
  const char *moved = stratus_reserved(c, stratus_key_server, &len);
  /* a new address that keeps failing is tried in turn with the one the sketch gave, so that a
   * mistyped stratus.server cannot strand a device that has no one to reset it */
  uint8_t tries = 0;
  if (c->failures >= 3 && (c->failures & 1)) moved = NULL;
  while (moved == NULL || !stratus_url_parse(moved, len, out)) { /* then the URL given */
    if (tries++ > 0 || c->url == NULL) return 0;
    moved = c->url;
    len = c->url_len;
  }
  while (out->path_len > 0 && out->path[out->path_len - 1] == '/') out->path_len--;
  return 1;
}

/* Replaces the config held with text (len bytes), or keeps the old one when it does not fit. */
static stratus_error take_config(stratus_client *c, const char *text, size_t len, const char *etag, size_t etag_len) {
  if (len + 1 > c->config_size) {
    stratus_log(c, STRATUS_LOG_ERROR, STRATUS_E_TOO_LARGE_ANSWER, NULL);
    return STRATUS_E_TOO_LARGE_ANSWER;
  }
  memmove(c->config, text, len);
  c->config[len] = '\0';
  c->config_len = len;
  if (etag_len + 1 <= sizeof c->etag) {
    memcpy(c->etag, etag, etag_len);
    c->etag[etag_len] = '\0';
  } else {
    c->etag[0] = '\0';
  }
  stratus_config_changed(c);
  stratus_log(c, STRATUS_LOG_INFO, STRATUS_OK, c->etag);
  return STRATUS_OK;
}

/* The error an answer that is not 2xx/304 names; Retry-After kept for the backoff. */
static stratus_error answer_error(stratus_client *c, const stratus_answer *a) {
  stratus_error code = stratus_answer_code(a);
  if (a->retry_after_s > 0) {
    c->wait_ms = a->retry_after_s * 1000UL;
    c->wait_from_ms = stratus_millis(c);
  }
  return code;
}

/* Signed GET /v1/config with If-None-Match: 304 costs a few bytes (PROTOCOL §5). Reached only
 * through c->poll, which stratus_use_config_poll sets. */
static STRATUS_NOINLINE stratus_error poll_config(stratus_client *c, void *answer) {
  stratus_answer *a = (stratus_answer *)answer;
  uint8_t digest[STRATUS_SHA256_BYTES];
  char etag[2 + 2 * 12 + 1];
  stratus_error error = stratus_exchange(c, a, m_get, p_config, NULL, 0, STRATUS_REQ_SIGNED | STRATUS_REQ_CONDITIONAL);
  if (error != STRATUS_OK || a->status == 304) return error;
  if (a->status != 200) return answer_error(c, a);
  /* the ETag is the text's (PROTOCOL §5.2): `"` + 24 hex digits of its SHA-256 + `"` (the answer's
   * hash context is free once it is verified) */
  stratus_sha256_init(&a->mac.inner);
  stratus_sha256_update(&a->mac.inner, (const uint8_t *)a->body, a->body_len);
  stratus_sha256_final(&a->mac.inner, digest);
  etag[0] = '"';
  stratus_hex_encode(digest, 12, etag + 1);
  etag[25] = '"';
  return take_config(c, a->body, a->body_len, etag, 26);
}

/* stratus.config_url: a signed static file, checked against app and device (PROTOCOL §5.4), fetched
 * whole each time (this reader keeps no header, so no ETag of the static host's) and taken when it
 * differs from the config held. Reached only through c->fetch_static, which
 * stratus_use_static_config sets. */
static STRATUS_NOINLINE stratus_error fetch_static(stratus_client *c, void *answer, const char *url, size_t url_len) {
  stratus_answer *a = (stratus_answer *)answer;
  size_t text_len;
  /* (the answer's status is not read: what is not the signed file, a 404 page included, fails its check) */
  stratus_error error = stratus_exchange(c, a, m_get, NULL, url, url_len, 0);
  if (error != STRATUS_OK) return error;
  error = stratus_static_verify(c->secret, c->app, c->device, a->body, a->body_len, &text_len);
  if (error != STRATUS_OK) {
    stratus_log(c, STRATUS_LOG_ERROR, error, NULL);
    return error;
  }
  if (text_len == c->config_len && memcmp(c->config, a->body, text_len) == 0) return STRATUS_OK;
  return take_config(c, a->body, text_len, "", 0);
}

/* 0 when the config names no stratus.config_url; else 1, and *error says how fetching it went. */
static STRATUS_NOINLINE bool static_config(stratus_client *c, void *answer, stratus_error *error) {
  size_t url_len;
  const char *url = stratus_reserved(c, stratus_key_config_url, &url_len);
  if (url == NULL) return 0;
  *error = fetch_static(c, answer, url, url_len);
  return 1;
}

void stratus_use_static_config(stratus_client *c) { c->fetch_static = static_config; }

void stratus_use_config_poll(stratus_client *c) { c->poll = poll_config; }

/* Ends the span's text with a NUL in the answer (the byte after it is a space or a line end). */
static const char *terminate(stratus_span s) {
  char *at = (char *)s.at;
  at[s.len] = '\0';
  return at;
}

/* Moves the subscription's `after` (PROTOCOL §6) to seq when that is further, or `after` is unknown. */
static void advance(stratus_subscription *s, uint32_t seq) {
  if (!(s->flags & STRATUS_SUB_AFTER) || seq > s->after) {
    s->after = seq;
    s->flags |= STRATUS_SUB_AFTER;
  }
}

/* A message to its subscription's handler (stratus_subscribe_handler sets c->handle to this). */
void stratus_handle_message(stratus_client *c, stratus_subscription *s, const stratus_record *r, const char *value,
                            size_t len) {
  stratus_message m;
  (void)c;
  m.value = value;
  m.value_len = len;
  m.scope = terminate(r->scope);
  m.stream = terminate(r->stream);
  m.from = terminate(r->from);
  m.seq = r->seq;
  m.time = r->time;
  s->handler(s->user, &m);
}

static void deliver(stratus_client *c, stratus_subscription *s, const stratus_record *r) {
  const char *stream = s->stream;
  char *value = (char *)r->text.at;
  size_t len;
  if ((s->flags & STRATUS_SUB_AFTER) && r->seq <= s->after) return;
  len = stratus_unescape_in_place(value, r->text.len);
  value[len] = '\0'; /* the byte after the value is a line end, or the NUL after the body */
  if (s->handler != NULL) {
    if (c->handle != NULL) c->handle(c, s, r, value, len); /* set with the handler (stratus_subscribe_handler) */
  } else if (s->callback != NULL) {
    s->callback(terminate(r->stream), value);
  }
  /* the callback returned: only now is the message acknowledged (PROTOCOL §6 `after`), unless
   * it unsubscribed (the slot then holds another stream, or none) */
  if (s->stream == stream) advance(s, r->seq);
}

static uint8_t level_from(const char *v, size_t len) {
  static const char words[] STRATUS_PROGMEM = "error\0warn\0info\0debug\0trace\0";
  uint8_t level;
  if (len == 1 && v[0] >= '0' && v[0] <= '9') return (uint8_t)(v[0] - '0');
  level = stratus_flash_index(words, v, len, 0);
  return level != 0 ? level : STRATUS_LOG_WARN;
}

/* A publish's outcome to the log and the published hook; r NULL: the config changed, and
 * stratus.debug sets the log level. Reached only through c->report (stratus_use_reports). */
static void report(stratus_client *c, const stratus_record *r) {
  static const char no_id[] = {'*', '\0'};
  const char *id;
  stratus_error code = STRATUS_OK;
  if (r == NULL) {
    size_t len;
    const char *debug = stratus_reserved(c, stratus_key_debug, &len);
    c->log_level = debug != NULL ? level_from(debug, len) : STRATUS_LOG_WARN;
    return;
  }
  id = r->id.at != NULL ? terminate(r->id) : no_id;
  if (r->kind == STRATUS_RECORD_REJECTED) {
    code = stratus_error_from_name(r->code.at, r->code.len);
    stratus_log(c, STRATUS_LOG_WARN, code, id);
  }
  if (c->published != NULL) c->published(c->user, id, r->seq, code);
}

void stratus_use_reports(stratus_client *c) {
  c->report = report;
  report(c, NULL);
}

/* Acts on a verified 200 answer, record by record, after checking that every record is well formed. */
static stratus_error apply_sync(stratus_client *c, stratus_answer *a, size_t sent) {
  size_t pos;
  stratus_record r;
  stratus_error result = STRATUS_OK;
  uint8_t acting = 0;
  int got;
  stratus_subscription *s;
  for (;;) { /* the first pass only checks every record: nothing is acted on unless all are well formed */
    pos = 0;
    while ((got = stratus_sync_next(a->body, a->body_len, &pos, &r)) == 1) {
      if (!acting) continue;
      switch (r.kind) {
        case STRATUS_RECORD_ACCEPTED:
        case STRATUS_RECORD_REJECTED:
          if (c->report != NULL) c->report(c, &r);
          break;
        case STRATUS_RECORD_CURSOR:
        case STRATUS_RECORD_MESSAGE:
          s = stratus_find_sub(c, r.scope.at, r.scope.len, r.stream.at, r.stream.len);
          if (s == NULL) break; /* unsubscribed since */
          if (r.kind == STRATUS_RECORD_MESSAGE) {
            deliver(c, s, &r);
          } else { /* the server holds everything up to the cursor as processed */
            s->flags &= (uint8_t)~STRATUS_SUB_RESET;
            advance(s, r.cursor);
          }
          break;
        case STRATUS_RECORD_CONFIG:
          result = take_config(c, r.text.at, r.text.len, r.etag.at, r.etag.len);
          break;
        default:
          break;
      }
    }
    if (got != 0) return STRATUS_E_BAD_ANSWER; /* (the second pass meets the same records) */
    if (acting) break;
    acting = 1;
  }
  if (sent > 0) {
    stratus_queue_drop_bytes(&c->queue, sent);
    stratus_save_queue(c);
  }
  return result;
}

/* One sync; the body carries what c->flags say (subscriptions and config set by stratus_update). */
static stratus_error sync_once(stratus_client *c, stratus_answer *a) {
  stratus_error error;
  /* the queue's bytes as sent, dropped once the answer is applied (callbacks may append more; a
   * damaged tail from storage, where the walk stops, goes with them) */
  size_t sent = c->queue.used;
  c->flags &= (uint8_t)~STRATUS_F_PUBLISH;
  if (sent > 0) c->flags |= STRATUS_F_PUBLISH;
  error = stratus_exchange(c, a, m_post, p_sync, NULL, 0, STRATUS_REQ_SIGNED | STRATUS_REQ_BODY);
  if (error != STRATUS_OK) return error;
  if (a->status != 200) return answer_error(c, a);
  return apply_sync(c, a, sent);
}

/* One round trip, retried once when the server says our clock is off: its answer set the clock. */
static stratus_error round_trip(stratus_client *c, stratus_answer *a, uint8_t use_sync) {
  uint8_t attempt;
  stratus_error error = STRATUS_OK;
  for (attempt = 0; attempt < 2; attempt++) {
    error = use_sync ? sync_once(c, a) : c->poll(c, a);
    if (error != STRATUS_E_STALE_TIME) break;
    stratus_log(c, STRATUS_LOG_WARN, error, NULL); /* the clock is now the server's: once more */
  }
  return error;
}

static void schedule_backoff(stratus_client *c, stratus_error error) {
  uint32_t wait = STRATUS_BACKOFF_BASE_MS;
  uint8_t i;
  if (error == STRATUS_OK) {
    c->failures = 0;
    c->wait_ms = 0;
    return;
  }
  if (c->failures < 16) c->failures++;
  if (c->wait_ms > 0) return; /* an answer's Retry-After set it (429, 503) */
  for (i = c->failures; --i > 0 && wait < STRATUS_BACKOFF_MAX_MS;) wait <<= 1;
  if (wait > STRATUS_BACKOFF_MAX_MS) wait = STRATUS_BACKOFF_MAX_MS;
  /* up to 50 % jitter so a fleet that lost its server does not come back in step */
  c->wait_ms = wait + (stratus_random(c) & (wait >> 1));
  c->wait_from_ms = stratus_millis(c);
}

stratus_error stratus_update(stratus_client *c) {
  stratus_error error = STRATUS_OK;
  /* the small local first: an AVR reaches a local in one instruction only near the frame's start */
  struct {
    stratus_error static_error;
    stratus_answer a;
  } x;
  uint8_t i, has_static = 0, use_sync;
  if (c->transport == NULL || c->app == NULL || c->secret == NULL || c->device == NULL || (c->flags & STRATUS_F_IN_UPDATE)) {
    return STRATUS_E_NOT_READY;
  }
  x.static_error = STRATUS_OK;
  c->wait_ms = 0; /* a Retry-After of this update's answers sets it again (schedule_backoff) */
  c->flags = (uint8_t)((c->flags | STRATUS_F_IN_UPDATE | STRATUS_F_UPDATED) & ~(STRATUS_F_SUBSCRIBE | STRATUS_F_CONFIG));
  c->last_update_ms = stratus_millis(c);
  if (c->fetch_static != NULL) has_static = (uint8_t)c->fetch_static(c, &x.a, &x.static_error);
  for (i = 0; i < c->subs_max; i++) {
    if (c->subs[i].stream != NULL) c->flags |= STRATUS_F_SUBSCRIBE;
  }
  if (!has_static) c->flags |= STRATUS_F_CONFIG; /* the config comes with the sync (or the poll) */
  /* a sync when there is something to send, else (config only) the cheap 304 poll when enabled */
  use_sync = (c->flags & STRATUS_F_SUBSCRIBE) || c->queue.used > 0 || (!has_static && c->poll == NULL);
  if (use_sync || !has_static) error = round_trip(c, &x.a, use_sync);
  if (error == STRATUS_OK) error = x.static_error;
  if (error != STRATUS_OK) stratus_log(c, STRATUS_LOG_ERROR, error, NULL);
  schedule_backoff(c, error);
  c->flags &= (uint8_t)~STRATUS_F_IN_UPDATE;
  c->last_error = error;
  return error;
}

stratus_error stratus_maybe_update(stratus_client *c, uint32_t interval_s) {
  uint32_t now;
  if (c->transport == NULL) return STRATUS_E_NOT_READY;
  now = stratus_millis(c);
  if (c->wait_ms > 0 && (uint32_t)(now - c->wait_from_ms) < c->wait_ms) return STRATUS_E_BACKOFF;
  if (interval_s == 0) interval_s = stratus_refresh_s(c);
  if (c->wait_ms == 0 && (c->flags & STRATUS_F_UPDATED) && (uint32_t)(now - c->last_update_ms) < interval_s * 1000UL) {
    return STRATUS_E_BACKOFF;
  }
  return stratus_update(c);
}
