/* The client state machine against the scripted server: config poll and 304, signatures refused,
 * stale_time retried once, sync publish/subscribe/ack, oversize answers, timeouts, Retry-After,
 * storage across a reset, relocation, the static config file, and the sync body's exact bytes. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fake_server.h"
#include "stratus_client.h"
#include "stratus_internal.h"
#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_sha256.h"
#include "vectors.h"

#define SECRET "test-secret"
static char answer[1024], config[512];
static uint8_t queue[256];
static stratus_subscription subs[4];
static stratus_client c;
static stratus_transport t;
static fake_server s;
static char delivered[1024];
static int tamper;

static void setup(fake_responder respond) {
  fake_init(&s, &t, SECRET, respond);
  s.unix_time = 1800000000UL;
  stratus_init(&c, "http://example.test:8080", "app1", SECRET, "dev-1", answer, sizeof answer, config, sizeof config,
               queue, sizeof queue, subs, 4);
  stratus_begin(&c, &t, NULL);
  delivered[0] = '\0';
  tamper = 0;
}

static void on_message(const char *stream, const char *data) {
  strcat(delivered, stream);
  strcat(delivered, "=");
  strcat(delivered, data);
  strcat(delivered, ";");
}

/* PROTOCOL §5.2: `"` + the first 24 hex digits of the text's SHA-256 + `"`. */
static void config_etag(const char *text, char etag[27]) {
  stratus_sha256 h;
  uint8_t digest[32];
  stratus_sha256_init(&h);
  stratus_sha256_update(&h, text, strlen(text));
  stratus_sha256_final(&h, digest);
  etag[0] = '"';
  stratus_hex_encode(digest, 12, etag + 1);
  strcpy(etag + 25, "\"");
}

static const char *const poll_text = "a: 1\nname: x\\ny\nrefresh interval: 300\nstratus.refresh: 42\n";
static void config_responder(fake_server *srv) {
  char inm[64], etag[27], header[48];
  config_etag(poll_text, etag);
  sprintf(header, "ETag: %s\r\n", etag);
  fake_header(srv, "If-None-Match", inm, sizeof inm);
  if (strcmp(inm, etag) == 0) fake_answer(srv, 304, 1800000001UL, header, "", 0, 1);
  else fake_answer(srv, 200, 1800000001UL, header, poll_text, strlen(poll_text), 1);
  if (tamper) srv->response[srv->response_len - 3] ^= 1;
}

static const char *debug_value;
static void debug_responder(fake_server *srv) {
  char text[64];
  int n = snprintf(text, sizeof text, "stratus.debug: %s\n", debug_value);
  fake_answer(srv, 200, 1800000001UL, NULL, text, (size_t)n, 1);
}

static int logged;
static void count_log(void *user, uint8_t level, stratus_error code, const char *detail) {
  (void)user, (void)level, (void)code, (void)detail;
  logged++;
}

static void test_debug_level(void) {
  static const char *values[] = {"4", "error", "trace", "nonsense"};
  static const uint8_t levels[] = {4, 1, 5, 2};
  size_t i;
  for (i = 0; i < 4; i++) {
    setup(debug_responder);
    debug_value = values[i];
    stratus_update(&c);
    CHECK(c.log_level == levels[i], "stratus.debug %s gives level %u", values[i], (unsigned)c.log_level);
  }
  c.log = count_log;
  logged = 0;
  c.log_level = 3;
  stratus_log(&c, 4, STRATUS_OK, NULL);
  stratus_log(&c, 3, STRATUS_OK, NULL);
  CHECK(logged == 1, "only levels up to stratus.debug are logged");
}

static void test_config_poll(void) {
  char out[16], etag[27], header[64];
  setup(config_responder);
  CHECK(stratus_get_long(&c, "a", 7) == 7, "fallback before any config");
  CHECK(stratus_update(&c) == STRATUS_OK, "first poll: %s", stratus_error_name(c.last_error));
  CHECK(strstr(s.request, "GET /v1/config HTTP/1.0\r\nHost: example.test:8080\r\n") == s.request, "GET /v1/config, Host with the port");
  CHECK(stratus_get_long(&c, "a", 7) == 1, "a = 1");
  CHECK(strcmp(stratus_get_string(&c, "name", "?", out, sizeof out), "x\ny") == 0, "unescaped");
  CHECK(stratus_refresh_s(&c) == 42, "stratus.refresh");
  CHECK(stratus_get_long(&c, "a", 7) == 1 && c.cache[0].key != NULL, "cached get");
  CHECK(stratus_update(&c) == STRATUS_OK, "second poll");
  config_etag(poll_text, etag);
  sprintf(header, "\r\nIf-None-Match: %s\r\n", etag);
  CHECK(strstr(s.request, header) != NULL, "If-None-Match with the text's ETag (the client computes it)");
  CHECK(memcmp(s.response, "HTTP/1.1 200 ", 13) == 0 && c.last_status == 304, "a 304 in its envelope: %u", (unsigned)c.last_status);
  CHECK(stratus_get_long(&c, "a", 7) == 1, "config kept on 304");
  CHECK(stratus_now(&c) == 1800000001UL, "clock from X-Stratus-Time");
  /* an answer altered in transit: refused, nothing applied */
  c.etag[0] = '\0';
  tamper = 1;
  CHECK(stratus_update(&c) == STRATUS_E_BAD_ANSWER_SIGNATURE, "tampered: %s", stratus_error_name(c.last_error));
  CHECK(stratus_get_long(&c, "a", 7) == 1, "old config kept");
}

static int stale_calls;
static void stale_responder(fake_server *srv) {
  char time_text[16];
  fake_header(srv, "X-Stratus-Time", time_text, sizeof time_text);
  if (strcmp(time_text, "1900000000") != 0) {
    const char *e = "error: stale_time the request time is off\n";
    fake_answer(srv, 401, 1900000000UL, NULL, e, strlen(e), 1);
  } else {
    fake_answer(srv, 200, 1900000000UL, "ETag: \"e2\"\r\n", "v: 2\n", 5, 1);
  }
  stale_calls++;
}

static void test_stale_time(void) {
  setup(stale_responder);
  stale_calls = 0;
  CHECK(stratus_update(&c) == STRATUS_OK, "recovers: %s", stratus_error_name(c.last_error));
  CHECK(stale_calls == 2, "retried once (%d)", stale_calls);
  CHECK(stratus_get_long(&c, "v", 0) == 2, "config after the retry");
}

static uint32_t head_seq;
static void sync_responder(fake_server *srv) {
  char body[2048];
  const char *req = fake_body(srv);
  int n = 0;
  n += sprintf(body + n, "time: 1800000005\n");
  if (strstr(req, "publish: ") != NULL) n += sprintf(body + n, "accepted: %s 5\n", strstr(req, "publish: q1 ") ? "q1" : "*");
  if (strstr(req, "subscribe: home cmd 11 ") != NULL) {
    n += sprintf(body + n, "cursor: home cmd 11 11\n");
  } else {
    n += sprintf(body + n, "cursor: home cmd 9 11\nmessage: home cmd 10 1800000000 other on\\nnow\nmessage: home cmd 11 1800000001 other off\n");
  }
  n += sprintf(body + n, "cursor: PRIVATE notes 0 0\nconfig: \"c1\"\nk: v\n");
  fake_answer(srv, 200, 1800000005UL, NULL, body, (size_t)n, 1);
  head_seq = 11;
}

static void test_sync(void) {
  setup(sync_responder);
  CHECK(stratus_subscribe(&c, "home", "cmd", on_message, 0, false) == STRATUS_OK, "subscribe");
  CHECK(stratus_subscribe(&c, NULL, "notes", on_message, 5, true) == STRATUS_OK, "subscribe PRIVATE");
  CHECK(stratus_publish(&c, "home", "temp", "21.5 \"C\"", 60, "q1", false) == STRATUS_OK, "queued");
  CHECK(stratus_update(&c) == STRATUS_OK, "sync: %s", stratus_error_name(c.last_error));
  CHECK(strstr(s.request, "POST /v1/sync HTTP/1.0\r\n") == s.request, "POST /v1/sync");
  CHECK(strcmp(fake_body(&s), "publish: q1 home temp 60 21.5 \"C\"\nsubscribe: home cmd * *\nsubscribe: * notes reset 5\nconfig: *\n") == 0,
        "the text body (PROTOCOL 6.1): %s", fake_body(&s));
  CHECK(strstr(s.request, "\r\nContent-Type: text/plain\r\n") != NULL, "sent as text");
  CHECK(strcmp(delivered, "cmd=on\nnow;cmd=off;") == 0, "delivered in order: %s", delivered);
  CHECK(c.queue.used == 0, "queue emptied");
  CHECK(stratus_get_raw(&c, "k", &(size_t){0}) != NULL, "config from the sync answer");
  delivered[0] = '\0';
  CHECK(stratus_update(&c) == STRATUS_OK, "second sync");
  CHECK(strcmp(fake_body(&s), "subscribe: home cmd 11 *\nsubscribe: * notes 0 5\nconfig: \"c1\"\n") == 0,
        "acknowledged, reset sent once, the etag sent, nothing to publish: %s", fake_body(&s));
  CHECK(delivered[0] == '\0', "nothing again: %s", delivered);
  stratus_unsubscribe(&c, "home", "cmd");
  CHECK(stratus_update(&c) == STRATUS_OK && strstr(fake_body(&s), "cmd") == NULL, "unsubscribed");
}

/* A callback that queues a publish inside update(): the sync drops only what it sent. */
static void publish_back(const char *stream, const char *data) {
  (void)stream;
  stratus_publish(&c, "home", "echo", data, 0, "e1", false);
}

static void test_publish_inside_callback(void) {
  static const char kept[] = "e1 home echo * on\\nnow\ne1 home echo * off\n";
  setup(sync_responder);
  stratus_subscribe(&c, "home", "cmd", publish_back, 0, false);
  stratus_publish(&c, "home", "temp", "20", 0, "q1", false);
  CHECK(stratus_update(&c) == STRATUS_OK, "sync with a publish in a callback");
  /* the two messages each queued one: both kept, in order; q1 (sent) dropped */
  CHECK(c.queue.used == sizeof kept - 1 && memcmp(c.queue.buf, kept, sizeof kept - 1) == 0,
        "the callbacks' publishes are kept in order, the sent one dropped: %.*s", (int)c.queue.used, (const char *)c.queue.buf);
}

static void config_sync_responder(fake_server *srv) {
  const char *b = strstr(fake_body(srv), "config: \"c1\"\n") != NULL ? "time: 1800000005\n"
                                                                            : "time: 1800000005\nconfig: \"c1\"\nk: 5\n";
  fake_answer(srv, 200, 1800000005UL, NULL, b, strlen(b), 1);
}

/* Without the GET /v1/config poll (the AVR default), a config-only update is a sync with the ETag. */
static void test_sync_without_poll(void) {
  setup(config_sync_responder);
  c.poll = NULL;
  CHECK(stratus_update(&c) == STRATUS_OK, "config sync: %s", stratus_error_name(c.last_error));
  CHECK(strstr(s.request, "POST /v1/sync HTTP/1.0\r\n") == s.request, "a sync, not a poll");
  CHECK(strcmp(fake_body(&s), "config: *\n") == 0, "only the config asked for: %s", fake_body(&s));
  CHECK(stratus_get_long(&c, "k", 0) == 5, "config from the sync");
  CHECK(stratus_update(&c) == STRATUS_OK, "second config sync");
  CHECK(strcmp(fake_body(&s), "config: \"c1\"\n") == 0, "the ETag sent back: %s", fake_body(&s));
  CHECK(stratus_get_long(&c, "k", 0) == 5, "config kept when unchanged");
}

static void big_responder(fake_server *srv) {
  static char big[2000];
  memset(big, 'x', sizeof big);
  memcpy(big, "time: 1\nconfig: \"z\"\n", 20);
  fake_answer(srv, 200, 1800000000UL, NULL, big, sizeof big, 1);
}

static void test_too_large(void) {
  setup(big_responder);
  stratus_subscribe(&c, "home", "cmd", on_message, 0, false);
  CHECK(stratus_update(&c) == STRATUS_E_TOO_LARGE_ANSWER, "too large: %s", stratus_error_name(c.last_error));
  CHECK(c.config_len == 0, "not applied");
}

static void never(fake_server *srv) { (void)srv; }

static void test_timeout_and_backoff(void) {
  setup(never);
  s.stall = 1;
  s.tick_ms = 100;
  c.timeout_ms = 3000;
  CHECK(stratus_update(&c) == STRATUS_E_TIMEOUT, "timeout: %s", stratus_error_name(c.last_error));
  CHECK(s.now_ms <= 3200, "bounded: %u ms", (unsigned)s.now_ms);
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_BACKOFF, "backing off");
  s.fail_connect = 1;
  s.now_ms += 400000;
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_CONNECT, "connect fails");
  CHECK(c.wait_ms >= 4000 && c.wait_ms <= 6000, "doubled with jitter: %u", (unsigned)c.wait_ms);
}

static void limited(fake_server *srv) {
  const char *e = "error: rate_limited slow down\n";
  fake_answer(srv, 429, 1800000000UL, "Retry-After: 30\r\n", e, strlen(e), 1);
}

static void test_retry_after(void) {
  setup(limited);
  CHECK(stratus_update(&c) == STRATUS_E_RATE_LIMITED, "429: %s", stratus_error_name(c.last_error));
  CHECK(c.wait_ms == 30000, "Retry-After honoured: %u", (unsigned)c.wait_ms);
  s.now_ms += 29000;
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_BACKOFF, "still waiting");
  s.now_ms += 2000;
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_RATE_LIMITED, "tries again after");
}

static void limited_plainly(fake_server *srv) {
  const char *e = "error: rate_limited slow down\n";
  fake_answer(srv, 429, 1800000000UL, NULL, e, strlen(e), 1);
}

/* A 429 without Retry-After after an earlier failure's backoff ran out: a backoff of its own from now. */
static void test_rate_limited_after_backoff(void) {
  setup(limited_plainly);
  s.fail_connect = 1;
  CHECK(stratus_update(&c) == STRATUS_E_CONNECT, "connect fails: %s", stratus_error_name(c.last_error));
  s.fail_connect = 0;
  s.now_ms += 400000;
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_RATE_LIMITED, "429: %s", stratus_error_name(c.last_error));
  CHECK(c.wait_from_ms == s.now_ms && c.wait_ms >= 4000, "a new backoff from now: %u ms", (unsigned)c.wait_ms);
  CHECK(stratus_maybe_update(&c, 1) == STRATUS_E_BACKOFF, "waits before trying again");
}

static uint8_t eeprom[512];
static int ee_read(void *ctx, size_t at, void *buf, size_t len) {
  (void)ctx;
  memcpy(buf, eeprom + at, len);
  return 0;
}
static int ee_write(void *ctx, size_t at, const void *buf, size_t len) {
  (void)ctx;
  memcpy(eeprom + at, buf, len);
  return 0;
}

static void accept_all(fake_server *srv) {
  const char *b = "time: 1800000000\naccepted: * 1\n";
  fake_answer(srv, 200, 1800000000UL, NULL, b, strlen(b), 1);
}

static void test_storage(void) {
  stratus_storage st = {NULL, sizeof eeprom, ee_read, ee_write, NULL};
  char nonce1[32], nonce2[32];
  memset(eeprom, 0xFF, sizeof eeprom);
  setup(accept_all);
  stratus_begin(&c, &t, &st);
  CHECK(stratus_publish(&c, NULL, "kv", "one", 0, NULL, false) == STRATUS_OK, "queued with storage");
  /* reset: a new client over the same storage */
  setup(accept_all);
  stratus_begin(&c, &t, &st);
  CHECK(stratus_queue_count(&c.queue) == 1, "queue survived the reset");
  CHECK(c.boot == 2, "boot count %u", (unsigned)c.boot);
  CHECK(stratus_update(&c) == STRATUS_OK, "sent");
  fake_header(&s, "X-Stratus-Nonce", nonce1, sizeof nonce1);
  CHECK(strstr(fake_body(&s), "publish: 1-1 * kv * one\n") != NULL, "id from the first boot, PRIVATE left to the server's default: %s", fake_body(&s));
  CHECK(strncmp(nonce1, "2-", 2) == 0, "nonce from this boot: %s", nonce1);
  setup(accept_all);
  stratus_begin(&c, &t, &st);
  CHECK(c.queue.used == 0, "queue empty after the reset");
  stratus_update(&c);
  fake_header(&s, "X-Stratus-Nonce", nonce2, sizeof nonce2);
  CHECK(strcmp(nonce1, nonce2) != 0, "nonces differ across resets");
  /* storage written by an earlier queue format ("ST2"): its boot count goes on, its queue is dropped */
  eeprom[2] = '2';
  eeprom[7] = 5; /* a queue length that must not be read */
  setup(accept_all);
  stratus_begin(&c, &t, &st);
  CHECK(c.boot == 4 && c.queue.used == 0, "ST2: boot %u, queue %u", (unsigned)c.boot, (unsigned)c.queue.used);
  CHECK(eeprom[2] == '3', "rewritten as ST3");
  /* a queue whose last line lost its end in storage: the whole lines are kept, the tail is not sent */
  CHECK(stratus_publish(&c, NULL, "kv", "two", 0, "w", false) == STRATUS_OK, "queued");
  CHECK(stratus_publish(&c, NULL, "kv", "three", 0, "x", false) == STRATUS_OK, "queued");
  eeprom[7] = (uint8_t)(c.queue.used - 1);
  setup(accept_all);
  stratus_begin(&c, &t, &st);
  CHECK(stratus_queue_count(&c.queue) == 1 && c.queue.used == strlen("w * kv * two\n"), "damaged tail dropped: %u", (unsigned)c.queue.used);
  CHECK(stratus_update(&c) == STRATUS_OK && strcmp(fake_body(&s), "publish: w * kv * two\nconfig: *\n") == 0, "whole line sent: %s", fake_body(&s));
}

static void moved_responder(fake_server *srv) {
  const char *text = "stratus.server: http://moved.test:9090/base\n";
  fake_answer(srv, 200, 1800000000UL, "ETag: \"m\"\r\n", text, strlen(text), 1);
}

static void test_relocation(void) {
  setup(moved_responder);
  CHECK(stratus_update(&c) == STRATUS_OK && strcmp(s.host, "example.test") == 0 && s.port == 8080, "first server");
  CHECK(stratus_update(&c) == STRATUS_OK, "relocated: %s", stratus_error_name(c.last_error));
  CHECK(strcmp(s.host, "moved.test") == 0 && s.port == 9090, "moved to %s:%u", s.host, s.port);
  CHECK(strstr(s.request, "GET /base/v1/config HTTP/1.0\r\nHost: moved.test:9090\r\n") == s.request, "base path kept: %.60s", s.request);
  /* the new address keeps failing: every other attempt goes back to the URL given */
  s.fail_connect = 1;
  stratus_update(&c);
  stratus_update(&c);
  stratus_update(&c);
  CHECK(strcmp(s.host, "moved.test") == 0, "third failure still on the new address");
  s.fail_connect = 0;
  CHECK(stratus_update(&c) == STRATUS_OK && strcmp(s.host, "example.test") == 0, "then the old one: %s", s.host);
}

static const char *static_file;
static void static_responder(fake_server *srv) {
  if (strstr(srv->request, "GET /v1/config ") == srv->request) {
    const char *text = "stratus.config_url: http://files.test/app1/dev-1.txt\n";
    fake_answer(srv, 200, 1800000000UL, "ETag: \"s\"\r\n", text, strlen(text), 1);
  } else {
    fake_answer(srv, 200, 0, NULL, static_file, strlen(static_file), 0);
  }
}

static void test_static_file(void) {
  char file[512];
  stratus_hmac m;
  uint8_t mac[32];
  char hex[65];
  const char *body = "# stratus config v1 app=app1 device=*\nstratus.config_url: http://files.test/app1/dev-1.txt\nlevel: 9\n";
  stratus_hmac_init(&m, SECRET, strlen(SECRET));
  stratus_hmac_update(&m, body, strlen(body));
  stratus_hmac_final(&m, mac);
  stratus_hex_encode(mac, 32, hex);
  snprintf(file, sizeof file, "%ssignature: %s\n", body, hex);
  static_file = file;
  setup(static_responder);
  CHECK(stratus_update(&c) == STRATUS_OK, "server config");
  CHECK(stratus_update(&c) == STRATUS_OK, "static file: %s", stratus_error_name(c.last_error));
  CHECK(strcmp(s.host, "files.test") == 0 && strstr(s.request, "GET /app1/dev-1.txt HTTP/1.0\r\nHost: files.test\r\n") == s.request,
        "fetched from the URL: %.60s", s.request);
  CHECK(strstr(s.request, "X-Stratus") == NULL, "a static host gets no device headers");
  CHECK(stratus_get_long(&c, "level", 0) == 9, "static value applied");
  file[strlen(body) - 2] = '8'; /* level: 8, signature unchanged */
  c.etag[0] = '\0';
  CHECK(stratus_update(&c) == STRATUS_E_BAD_CONFIG_FILE, "tampered file refused: %s", stratus_error_name(c.last_error));
  CHECK(stratus_get_long(&c, "level", 0) == 9, "old config kept");
}

static void capture(fake_server *srv) { accept_all(srv); }

static void test_sync_body_vector(void) {
  size_t i;
  setup(capture);
  for (i = 0; i < V_SYNC_PUBLISH_N; i++) {
    const v_publish *p = &V_SYNC_PUBLISH[i];
    stratus_publish(&c, p->scope, p->stream, p->value, (uint32_t)p->ttl, p->id, false);
  }
  for (i = 0; i < V_SYNC_SUBSCRIBE_N; i++) {
    const v_subscribe *sub = &V_SYNC_SUBSCRIBE[i];
    stratus_subscribe(&c, sub->scope, sub->stream, on_message, (uint16_t)sub->limit, sub->reset != 0);
    if (sub->after >= 0) {
      subs[i].after = (uint32_t)sub->after;
      subs[i].flags |= 1; /* after known */
    }
  }
  if (V_SYNC_CONFIG != NULL) strcpy(c.etag, V_SYNC_CONFIG);
  stratus_update(&c);
  CHECK(strcmp(fake_body(&s), V_SYNC_BODY) == 0, "sync request body byte for byte:\n got %s\nwant %s", fake_body(&s), V_SYNC_BODY);
}

void client_tests(void);
void client_tests(void) {
  test_config_poll();
  test_debug_level();
  test_stale_time();
  test_sync();
  test_publish_inside_callback();
  test_sync_without_poll();
  test_too_large();
  test_timeout_and_backoff();
  test_retry_after();
  test_rate_limited_after_backoff();
  test_storage();
  test_relocation();
  test_static_file();
  test_sync_body_vector();
}
