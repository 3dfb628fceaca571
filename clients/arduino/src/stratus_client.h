/*
 * The Stratus client core: one signed round trip per update (PROTOCOL §6), config read in place,
 * a bounded publish queue, acknowledged subscriptions. No heap: the sketch (or the C++ face) owns
 * every buffer and passes it in; the core keeps pointers.
 */
#ifndef STRATUS_CLIENT_H
#define STRATUS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stratus_error.h"
#include "stratus_limits.h"
#include "stratus_queue.h"
#include "stratus_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A delivered message; strings are NUL-terminated and valid during the callback only. */
typedef struct stratus_message {
  const char *scope;
  const char *stream;
  const char *from;
  const char *value;
  size_t value_len; /* values never hold NUL (the server refuses it), so strlen(value) == value_len */
  uint32_t seq;
  uint32_t time;
} stratus_message;

typedef void (*stratus_callback)(const char *stream, const char *data);
typedef void (*stratus_handler)(void *user, const stratus_message *message);

/* A subscription slot. The strings are the sketch's (literals): the core keeps the pointers. */
typedef struct stratus_subscription {
  const char *scope;          /* NULL or "PRIVATE": the device's own space */
  const char *stream;         /* NULL: a free slot */
  stratus_callback callback;  /* one of callback / handler */
  stratus_handler handler;
  void *user;
  uint32_t after;             /* highest seq whose callback returned (PROTOCOL §6 `after`) */
  uint16_t limit;             /* 0: the server's default page, start at the head */
  uint8_t flags;              /* internal */
} stratus_subscription;

/* Log levels of stratus.debug (a digit, or error=1 warn=2 info=3 debug=4 trace=5). */
enum { STRATUS_LOG_ERROR = 1, STRATUS_LOG_WARN = 2, STRATUS_LOG_INFO = 3, STRATUS_LOG_DEBUG = 4, STRATUS_LOG_TRACE = 5 };
typedef void (*stratus_log_fn)(void *user, uint8_t level, stratus_error code, const char *detail);
/* Each publish's outcome: accepted with its seq (code STRATUS_OK), or rejected with the code. */
typedef void (*stratus_published_fn)(void *user, const char *id, uint32_t seq, stratus_error code);

struct stratus_record;

typedef struct stratus_get_cache {
  const char *key;
  uint16_t offset; /* of the key's line in the config text */
  uint16_t len;
} stratus_get_cache;

typedef struct stratus_client {
  /* Small, often used fields first: an AVR reaches a field in one instruction only within 63 bytes. */
  uint8_t flags;
  uint8_t failures;
  uint8_t log_level;
  uint8_t subs_max;
  uint16_t last_status;
  stratus_error last_error;
  const stratus_transport *transport;
  const stratus_storage *storage;
  /* Optional parts, set only by the calls that enable them, so that a sketch that never does
   * costs none of their code (the linker drops what no pointer names). */
  void (*save)(struct stratus_client *c);
  bool (*fetch_static)(struct stratus_client *c, void *answer, stratus_error *error);
  stratus_error (*poll)(struct stratus_client *c, void *answer);
  void (*report)(struct stratus_client *c, const struct stratus_record *r);
  void (*handle)(struct stratus_client *c, stratus_subscription *s, const struct stratus_record *r, const char *value,
                 size_t len); /* set by stratus_subscribe_handler */
  const char *url;      /* the server's base URL (http://host[:port][/path]) */
  size_t url_len;
  const char *app;
  const char *secret;
  const char *device;
  char *answer;         /* I/O buffer: a whole answer body */
  size_t answer_size;
  char *config;         /* the config text held (NUL-terminated) */
  size_t config_size;
  size_t config_len;
  stratus_subscription *subs;
  stratus_queue queue;
  uint32_t timeout_ms;
  /* the server's clock: server_time at local millis clock_millis (PROTOCOL §2: offset from X-Stratus-Time) */
  uint32_t server_time;
  uint32_t clock_millis;
  uint32_t boot;        /* boot count (storage) or random: nonces and ids unique across resets */
  uint32_t nonce_count;
  uint32_t id_count;
  uint32_t last_update_ms;
  uint32_t wait_from_ms; /* backoff: no maybeUpdate before wait_from_ms + wait_ms */
  uint32_t wait_ms;
  stratus_log_fn log;
  stratus_published_fn published;
  void *user;
#if STRATUS_GET_CACHE > 0
  stratus_get_cache cache[STRATUS_GET_CACHE];
#endif
  char etag[STRATUS_ETAG_BYTES];
} stratus_client;

/* Sets up a client. `url` is the API base (http://host:port, or with a base path). Buffers:
 * `answer` holds one whole answer body (the largest config or sync answer to accept), `config` the
 * config text kept between updates, `queue` the publishes waiting, `subs` the subscription slots. */
void stratus_init(stratus_client *c, const char *url, const char *app, const char *secret, const char *device,
                  char *answer, size_t answer_size, char *config, size_t config_size, uint8_t *queue, size_t queue_size,
                  stratus_subscription *subs, uint8_t subs_max);
/* The same without the optional parts (the Arduino face: a sketch enables them by calling
 * stratus_use_static_config / stratus_use_storage, and pays for them only then). */
void stratus_init_core(stratus_client *c, const char *url, const char *app, const char *secret, const char *device,
                       char *answer, size_t answer_size, char *config, size_t config_size, uint8_t *queue,
                       size_t queue_size, stratus_subscription *subs, uint8_t subs_max);
/* Honour stratus.config_url (a signed static config file, PROTOCOL §5); stratus_init does it. */
void stratus_use_static_config(stratus_client *c);
/* An update with nothing to publish or subscribe polls GET /v1/config with If-None-Match (304 when
 * unchanged, PROTOCOL §5); without this it is a sync carrying only "config": <etag> (no config
 * record when unchanged). stratus_init does it. */
void stratus_use_config_poll(stratus_client *c);
/* Reports each publish's outcome (the published hook; a rejection logged as a warning) and sets
 * the log level from stratus.debug; without it neither happens (nothing listens). stratus_init does
 * it, and the Arduino face's onLog(). */
void stratus_use_reports(stratus_client *c);
/* Splits "http://host:port/app" into base URL and app (the URL's last path segment). */
stratus_error stratus_init_app_url(stratus_client *c, const char *url_with_app);
/* Attaches the transport (required) and restores state from storage (optional, may be NULL). */
void stratus_begin(stratus_client *c, const stratus_transport *transport, const stratus_storage *storage);
/* The two halves of stratus_begin: the transport, and the storage (queue and boot count kept
 * across resets; either order). */
void stratus_begin_transport(stratus_client *c, const stratus_transport *transport);
void stratus_use_storage(stratus_client *c, const stratus_storage *storage);

/* One sync: the queued publishes, every subscription (callbacks run here, in order), the config
 * when it changed. STRATUS_OK when the exchange completed (publishes may still be rejected one by
 * one: see the published hook). */
stratus_error stratus_update(stratus_client *c);
/* update() when `interval_s` (0: stratus.refresh, else 300) passed since the last one and no backoff
 * or Retry-After holds; STRATUS_E_BACKOFF when it did nothing. */
stratus_error stratus_maybe_update(stratus_client *c, uint32_t interval_s);

/* Queues a message (scope NULL or "PRIVATE": the device's own space; ttl 0: the app's default;
 * id NULL: a fresh one, unique across resets). With send_now, a sync sends the queue at once. */
stratus_error stratus_publish(stratus_client *c, const char *scope, const char *stream, const char *value,
                              uint32_t ttl, const char *id, bool send_now);

stratus_error stratus_subscribe(stratus_client *c, const char *scope, const char *stream, stratus_callback callback,
                                uint16_t limit, bool reset);
stratus_error stratus_subscribe_handler(stratus_client *c, const char *scope, const char *stream,
                                        stratus_handler handler, void *user, uint16_t limit, bool reset);
void stratus_unsubscribe(stratus_client *c, const char *scope, const char *stream);

/* The escaped value of key in the config held (cached: a repeated get() with the same key pointer
 * costs a pointer compare and a memcmp); NULL when absent. */
const char *stratus_get_raw(stratus_client *c, const char *key, size_t *len);
long stratus_get_long(stratus_client *c, const char *key, long fallback);
float stratus_get_float(stratus_client *c, const char *key, float fallback);
bool stratus_get_bool(stratus_client *c, const char *key, bool fallback);
/* Unescapes the value into out; returns out, or fallback when absent or too long for out. */
const char *stratus_get_string(stratus_client *c, const char *key, const char *fallback, char *out, size_t out_size);

/* The server's unix time as the client knows it (0 before the first answer without a board clock). */
uint32_t stratus_now(stratus_client *c);
/* Seconds between updates: stratus.refresh, else STRATUS_DEFAULT_REFRESH_S. */
uint32_t stratus_refresh_s(stratus_client *c);

#ifdef __cplusplus
}
#endif

#endif
