/* The client's state: setup, storage, clock, ids, the queue, subscriptions and config reads. */
#include "stratus_client.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_internal.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"

static const char private_scope[] STRATUS_PROGMEM = "PRIVATE";
const char stratus_key_refresh[] STRATUS_PROGMEM = "stratus.refresh";
const char stratus_key_server[] STRATUS_PROGMEM = "stratus.server";
const char stratus_key_config_url[] STRATUS_PROGMEM = "stratus.config_url";
const char stratus_key_debug[] STRATUS_PROGMEM = "stratus.debug";

/* NULL and "PRIVATE" both name the device's own scope (PROTOCOL §6). */
static bool is_private(const char *scope, size_t len) { return scope == NULL || stratus_flash_equals(scope, len, private_scope); }

/* storage layout: magic ("ST3": the queue's format, its sync request lines), boot count (4 B LE),
 * queue length (2 B LE), queue bytes */
static const char storage_magic[3] = {'S', 'T', '3'};
#define STORAGE_HEAD 9

void stratus_init(stratus_client *c, const char *url, const char *app, const char *secret, const char *device,
                  char *answer, size_t answer_size, char *config, size_t config_size, uint8_t *queue, size_t queue_size,
                  stratus_subscription *subs, uint8_t subs_max) {
  stratus_init_core(c, url, app, secret, device, answer, answer_size, config, config_size, queue, queue_size, subs,
                    subs_max);
  stratus_use_static_config(c);
  stratus_use_config_poll(c);
  stratus_use_reports(c);
}

void stratus_init_core(stratus_client *c, const char *url, const char *app, const char *secret,
                                        const char *device, char *answer, size_t answer_size, char *config,
                                        size_t config_size, uint8_t *queue, size_t queue_size,
                                        stratus_subscription *subs, uint8_t subs_max) {
  size_t url_len = url != NULL ? strlen(url) : 0;
  while (url_len > 0 && url[url_len - 1] == '/') url_len--;
  memset(c, 0, sizeof *c);
  c->url = url;
  c->url_len = url_len;
  c->app = app;
  c->secret = secret;
  c->device = device;
  c->answer = answer;
  c->answer_size = answer_size;
  c->config = config;
  c->config_size = config_size;
  if (config_size > 0) config[0] = '\0';
  c->queue.buf = queue;
  c->queue.size = queue_size;
  c->subs = subs;
  c->subs_max = subs_max;
  memset(subs, 0, sizeof *subs * subs_max);
  c->timeout_ms = STRATUS_DEFAULT_TIMEOUT_MS;
  c->log_level = STRATUS_LOG_WARN;
  c->last_error = STRATUS_E_NOT_READY;
}

stratus_error stratus_init_app_url(stratus_client *c, const char *url_with_app) {
  const char *slash = url_with_app != NULL ? strrchr(url_with_app, '/') : NULL;
  /* the app is the last path segment, after "http://h/" at least and not empty; the base URL
   * itself is checked where it is used (stratus_url_parse) */
  if (slash == NULL || slash - url_with_app < 8 || slash[1] == '\0' || slash[-1] == '/') return STRATUS_E_BAD_URL;
  c->url = url_with_app;
  c->url_len = (size_t)(slash - url_with_app);
  c->app = slash + 1;
  return STRATUS_OK;
}

static bool storage_read(const stratus_storage *s, size_t at, void *buf, size_t len) {
  return at + len <= s->size && s->read(s->ctx, at, buf, len) == 0;
}

static void storage_write(const stratus_storage *s, size_t at, const void *buf, size_t len) {
  if (at + len <= s->size) s->write(s->ctx, at, buf, len);
}

static void storage_commit(const stratus_storage *s) {
  if (s->commit != NULL) s->commit(s->ctx);
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void save_queue(stratus_client *c) {
  const stratus_storage *s = c->storage;
  uint8_t len[2];
  if (s->size < STORAGE_HEAD + c->queue.used) return;
  len[0] = (uint8_t)c->queue.used;
  len[1] = (uint8_t)(c->queue.used >> 8);
  storage_write(s, STORAGE_HEAD, c->queue.buf, c->queue.used);
  storage_write(s, 7, len, 2);
  storage_commit(s);
}

/* The boot count makes nonces and publish ids unique across resets; without storage, 32 random bits. */
STRATUS_NOINLINE void stratus_save_queue(stratus_client *c) {
  if (c->save != NULL) c->save(c);
}

void stratus_use_storage(stratus_client *c, const stratus_storage *s) {
  uint8_t head[STORAGE_HEAD];
  c->storage = s;
  c->save = save_queue;
  if (s->size >= STORAGE_HEAD) {
    size_t used = 0;
    if (storage_read(s, 0, head, sizeof head) && memcmp(head, storage_magic, 2) == 0 && head[2] >= '1' &&
        head[2] <= storage_magic[2]) {
      /* "ST1", "ST2" (the queue's earlier formats): the boot count goes on, so that ids stay
       * unique, but the queue is not read */
      c->boot = le32(head + 3) + 1;
      used = head[2] != storage_magic[2] ? 0 : (size_t)head[7] | ((size_t)head[8] << 8);
      if (used > c->queue.size || !storage_read(s, STORAGE_HEAD, c->queue.buf, used)) used = 0;
    } else {
      c->boot = 1;
    }
    c->queue.used = used;
    used = c->queue.used = stratus_queue_whole(&c->queue); /* a damaged tail is no message */
    memcpy(head, storage_magic, 3);
    head[3] = (uint8_t)c->boot;
    head[4] = (uint8_t)(c->boot >> 8);
    head[5] = (uint8_t)(c->boot >> 16);
    head[6] = (uint8_t)(c->boot >> 24);
    head[7] = (uint8_t)used;
    head[8] = (uint8_t)(used >> 8);
    storage_write(s, 0, head, sizeof head);
    storage_commit(s);
  }
}

uint32_t stratus_random(stratus_client *c) { return c->transport->entropy(c->transport->ctx); }

void stratus_begin_transport(stratus_client *c, const stratus_transport *t) {
  c->transport = t;
  if (c->storage == NULL || c->storage->size < STORAGE_HEAD) c->boot = stratus_random(c);
  c->last_error = STRATUS_OK;
}

void stratus_begin(stratus_client *c, const stratus_transport *transport, const stratus_storage *storage) {
  c->storage = NULL;
  c->save = NULL;
  if (storage != NULL) stratus_use_storage(c, storage);
  stratus_begin_transport(c, transport);
}

STRATUS_NOINLINE uint32_t stratus_millis(const stratus_client *c) { return c->transport->millis(c->transport->ctx); }

void stratus_set_clock(stratus_client *c, uint32_t server_time) {
  c->server_time = server_time;
  c->clock_millis = stratus_millis(c);
  c->flags |= STRATUS_F_CLOCK;
}

uint32_t stratus_now(stratus_client *c) {
  const stratus_transport *t = c->transport;
  if (t == NULL) return 0;
  /* every verified answer sets the base again: millis() wraps only after 49 days without one, and
   * a clock gone wrong so comes back through stale_time */
  if (c->flags & STRATUS_F_CLOCK) return c->server_time + (uint32_t)(stratus_millis(c) - c->clock_millis) / 1000;
  return t->unix_time != NULL ? t->unix_time(t->ctx) : 0;
}

/* "<boot>-<count>", both in decimal: nonce and id alphabets both allow it (PROTOCOL §1). */
void STRATUS_SAVED(stratus_make_id)(stratus_client *c, uint32_t *counter, char out[STRATUS_ID_BYTES]) {
  size_t n = stratus_format_u32(c->boot, out);
  out[n] = '-';
  stratus_format_u32(++*counter, out + n + 1);
}

void stratus_log(stratus_client *c, uint8_t level, stratus_error code, const char *detail) {
  if (c->log != NULL && level <= c->log_level) c->log(c->user, level, code, detail);
}

stratus_error stratus_publish(stratus_client *c, const char *scope, const char *stream, const char *value,
                              uint32_t ttl, const char *id, bool send_now) {
  char fresh[STRATUS_ID_BYTES];
  stratus_error error;
  static const char empty = '\0';
  if (scope == NULL || is_private(scope, strlen(scope))) scope = &empty; /* the server's default scope */
  if (id == NULL) {
    stratus_make_id(c, &c->id_count, fresh);
    id = fresh;
  }
  error = stratus_queue_push(&c->queue, id, scope, stream, value, ttl);
  if (error != STRATUS_OK) {
    stratus_log(c, STRATUS_LOG_WARN, error, stream);
    return error;
  }
  stratus_save_queue(c);
  if (!send_now || (c->flags & STRATUS_F_IN_UPDATE)) return STRATUS_OK;
  return stratus_update(c);
}

/* Is the NUL-terminated text the len bytes at span? */
static STRATUS_NOINLINE bool same(const char *text, const char *span, size_t len) {
  return strlen(text) == len && memcmp(text, span, len) == 0;
}

stratus_subscription *STRATUS_SAVED(stratus_find_sub)(stratus_client *c, const char *scope, size_t scope_len, const char *stream,
                                       size_t stream_len) {
  uint8_t i;
  for (i = 0; i < c->subs_max; i++) {
    stratus_subscription *s = &c->subs[i];
    if (s->stream == NULL || !same(s->stream, stream, stream_len)) continue;
    if (s->scope == NULL ? is_private(scope, scope_len) : (scope != NULL && same(s->scope, scope, scope_len))) return s;
  }
  return NULL;
}

/* The slot for scope/stream (the one it had, else a free one), cleared and filled; NULL when full. */
static stratus_subscription *subscription(stratus_client *c, const char *scope, const char *stream,
                                                           uint16_t limit, bool reset) {
  size_t scope_len = scope != NULL ? strlen(scope) : 0;
  stratus_subscription *s = stratus_find_sub(c, scope, scope_len, stream, strlen(stream));
  uint8_t i;
  for (i = 0; s == NULL && i < c->subs_max; i++) {
    if (c->subs[i].stream == NULL) s = &c->subs[i];
  }
  if (s == NULL) return NULL;
  memset(s, 0, sizeof *s);
  s->scope = is_private(scope, scope_len) ? NULL : scope;
  s->stream = stream;
  s->limit = limit;
  s->flags = reset ? STRATUS_SUB_RESET : 0;
  return s;
}

stratus_error stratus_subscribe_handler(stratus_client *c, const char *scope, const char *stream,
                                        stratus_handler handler, void *user, uint16_t limit, bool reset) {
  stratus_subscription *s = subscription(c, scope, stream, limit, reset);
  if (s == NULL) return STRATUS_E_TOO_MANY_SUBSCRIPTIONS;
  c->handle = stratus_handle_message;
  s->handler = handler;
  s->user = user;
  return STRATUS_OK;
}

stratus_error stratus_subscribe(stratus_client *c, const char *scope, const char *stream, stratus_callback callback,
                                uint16_t limit, bool reset) {
  stratus_subscription *s = subscription(c, scope, stream, limit, reset);
  if (s == NULL) return STRATUS_E_TOO_MANY_SUBSCRIPTIONS;
  s->callback = callback;
  return STRATUS_OK;
}

void stratus_unsubscribe(stratus_client *c, const char *scope, const char *stream) {
  stratus_subscription *s = stratus_find_sub(c, scope, scope != NULL ? strlen(scope) : 0, stream, strlen(stream));
  if (s != NULL) memset(s, 0, sizeof *s);
}

/* ---- config reads ---- */

const char *stratus_reserved(stratus_client *c, const char *flash_key, size_t *len) {
  char key[20];
  return stratus_config_find(c->config, c->config_len, stratus_flash_copy(key, flash_key), len);
}

void stratus_config_changed(stratus_client *c) {
#if STRATUS_GET_CACHE > 0
  memset(c->cache, 0, sizeof c->cache);
#endif
  if (c->report != NULL) c->report(c, NULL); /* stratus.debug */
}

#if STRATUS_GET_CACHE > 0
const char *stratus_get_raw(stratus_client *c, const char *key, size_t *len) {
  size_t key_len = strlen(key);
  stratus_get_cache *e = c->cache, *slot = NULL;
  const char *value;
  uint8_t i;
  for (i = 0; i < STRATUS_GET_CACHE; i++, e++) {
    if (e->key == key) {
      /* the same pointer: the text must still name this key there (the key's bytes may change) */
      const char *line = c->config + e->offset;
      if (strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
        *len = e->len;
        return line + key_len + 2;
      }
      slot = e;
      break;
    }
    if (e->key == NULL && slot == NULL) slot = e;
  }
  value = stratus_config_find(c->config, c->config_len, key, len);
  if (value == NULL) return NULL;
  if (slot == NULL) slot = &c->cache[(uint8_t)c->nonce_count % STRATUS_GET_CACHE];
  slot->key = key;
  slot->offset = (uint16_t)(value - key_len - 2 - c->config); /* the line's start */
  slot->len = (uint16_t)*len;
  return value;
}
#else
const char *stratus_get_raw(stratus_client *c, const char *key, size_t *len) {
  return stratus_config_find(c->config, c->config_len, key, len);
}
#endif

STRATUS_NOINLINE long stratus_get_long(stratus_client *c, const char *key, long fallback) {
  size_t len;
  long v;
  const char *raw = stratus_get_raw(c, key, &len);
  return raw != NULL && stratus_parse_long(raw, len, &v) ? v : fallback;
}

float stratus_get_float(stratus_client *c, const char *key, float fallback) {
  size_t len;
  float v;
  const char *raw = stratus_get_raw(c, key, &len);
  return raw != NULL && stratus_parse_float(raw, len, &v) ? v : fallback;
}

bool stratus_get_bool(stratus_client *c, const char *key, bool fallback) {
  size_t len;
  bool v;
  const char *raw = stratus_get_raw(c, key, &len);
  return raw != NULL && stratus_parse_bool(raw, len, &v) ? v : fallback;
}

const char *stratus_get_string(stratus_client *c, const char *key, const char *fallback, char *out, size_t out_size) {
  size_t len;
  const char *raw = stratus_get_raw(c, key, &len);
  if (raw == NULL || stratus_unescape(raw, len, out, out_size) == (size_t)-1) return fallback;
  return out;
}

uint32_t stratus_refresh_s(stratus_client *c) {
  size_t len;
  uint32_t v;
  const char *raw = stratus_reserved(c, stratus_key_refresh, &len);
  return raw != NULL && stratus_parse_u32(raw, len, &v) && v > 0 ? v : STRATUS_DEFAULT_REFRESH_S;
}
