/*
 * Stratus for Arduino: remote config and store-and-forward messaging, signed both ways
 * (PROTOCOL §2–§3), over any Arduino `Client` (WiFiClient, EthernetClient, GSM clients…).
 *
 *   #include <Stratus.h>
 *   Stratus stratus("http://192.168.1.10:8080/greenhouse", "secret key");
 *   void setup() { Ethernet.begin(mac); stratus.begin(ethernet); stratus.setDevice(mac); }
 *   void loop() {
 *     static int variable = 1;
 *     EVERY_N_SECONDS(stratus.get("refresh interval", 300)) {
 *       variable = stratus.get("variable", variable);
 *       stratus.update();
 *     }
 *   }
 *
 * The buffers are the sketch's: #define any of these before the #include to size them.
 */
#ifndef STRATUS_H
#define STRATUS_H

#include <Arduino.h>
#include <Client.h>

#include "stratus_client.h"

#ifndef STRATUS_ANSWER_BYTES /* one whole answer: config text or a sync answer with its messages (100 B at least: the envelope line, ~90 B, is read through it) */
#if defined(__AVR__)
#define STRATUS_ANSWER_BYTES 256
#else
#define STRATUS_ANSWER_BYTES 1024
#endif
#endif
#ifndef STRATUS_CONFIG_BYTES /* the config text kept between updates */
#if defined(__AVR__)
#define STRATUS_CONFIG_BYTES 128
#else
#define STRATUS_CONFIG_BYTES 512
#endif
#endif
#ifndef STRATUS_QUEUE_BYTES /* publishes waiting for the next update (about 12 bytes + the strings each) */
#if defined(__AVR__)
#define STRATUS_QUEUE_BYTES 64
#else
#define STRATUS_QUEUE_BYTES 512
#endif
#endif
#ifndef STRATUS_STRING_BYTES /* get(key, "fallback") unescapes a value into this many bytes */
#if defined(__AVR__)
#define STRATUS_STRING_BYTES 24
#else
#define STRATUS_STRING_BYTES 128
#endif
#endif
#ifndef STRATUS_SUBSCRIPTIONS
#if defined(__AVR__)
#define STRATUS_SUBSCRIPTIONS 2
#else
#define STRATUS_SUBSCRIPTIONS 8
#endif
#endif

/* stratus.config_url (a signed static config file, PROTOCOL §5) is honoured when this is 1: the
 * default on 32-bit boards. On AVR it is 0 (1.4 KB of flash in the design's sketch); a sketch turns
 * it on with `stratus.useStaticConfig()` in setup(), or for the whole build with
 * -DSTRATUS_STATIC_CONFIG=1. */
#ifndef STRATUS_STATIC_CONFIG
#if defined(__AVR__)
#define STRATUS_STATIC_CONFIG 0
#else
#define STRATUS_STATIC_CONFIG 1
#endif
#endif

/* 1: an update() with nothing to publish or subscribe is a GET /v1/config with If-None-Match (a
 * 304 when unchanged). 0 (the default on AVR, 536 B less in the design's sketch): it is the same
 * sync as always, carrying only the config's ETag (no config in the answer when unchanged).
 * `stratus.useConfigPoll()` turns it on in setup(). */
#ifndef STRATUS_CONFIG_POLL
#if defined(__AVR__)
#define STRATUS_CONFIG_POLL 0
#else
#define STRATUS_CONFIG_POLL 1
#endif
#endif

/* The device's own scope (PROTOCOL §6): only it and admins read or write there. */
static const char *const PRIVATE = 0;

/* A block that runs at most every n seconds (FastLED's, when it is there, does the same). */
class StratusEvery {
 public:
  bool ready(uint32_t ms) {
    uint32_t now = millis();
    if (started_ && (uint32_t)(now - last_) < ms) return false;
    started_ = true;
    last_ = now;
    return true;
  }

 private:
  uint32_t last_ = 0;
  bool started_ = false;
};
#ifndef EVERY_N_SECONDS
#define STRATUS_JOIN2(a, b) a##b
#define STRATUS_JOIN(a, b) STRATUS_JOIN2(a, b)
#define EVERY_N_SECONDS(n)                                         \
  static StratusEvery STRATUS_JOIN(stratus_every_, __LINE__);      \
  if (STRATUS_JOIN(stratus_every_, __LINE__).ready((uint32_t)(n) * 1000UL))
#endif

typedef void (*StratusCallback)(const char *stream, const char *data);

/* Everything but the buffers; compiled once in Stratus.cpp. Use `Stratus`, below. */
class StratusBase {
 public:
  /* Connects through this client (WiFiClient, EthernetClient…); the GUID defaults to the WiFi MAC on ESP boards. */
  void begin(Client &client);
  /* The device's GUID ([A-Za-z0-9_.:-], ≤ 64): text kept by pointer, or a MAC written as 12 hex digits. */
  void setDevice(const char *guid) { client_.device = guid; }
  void setDevice(const uint8_t mac[6]);
  /* Keeps queued publishes and a boot count (unique ids across resets) in EEPROM from `offset`. */
  void useEEPROM(size_t offset = 0, size_t size = 9 + STRATUS_QUEUE_BYTES);
  /* Honours stratus.config_url: the config then comes from a signed static file (on by default but on AVR). */
  void useStaticConfig() { stratus_use_static_config(&client_); }
  /* An update with nothing else to do polls GET /v1/config (304 when unchanged; on by default but on AVR). */
  void useConfigPoll() { stratus_use_config_poll(&client_); }
  /* The longest any one request may take (connect, send, answer), in milliseconds. */
  void setTimeout(uint32_t ms) { client_.timeout_ms = ms; }
  /* Gets log lines at the level of stratus.debug (or warnings by default). */
  void onLog(void (*log)(uint8_t level, const char *code, const char *detail));

  int get(const char *key, int fallback) { return (int)stratus_get_long(&client_, key, fallback); }
  long get(const char *key, long fallback) { return stratus_get_long(&client_, key, fallback); }
  unsigned get(const char *key, unsigned fallback) { return (unsigned)stratus_get_long(&client_, key, (long)fallback); }
  unsigned long get(const char *key, unsigned long fallback) {
    return (unsigned long)stratus_get_long(&client_, key, (long)fallback);
  }
  float get(const char *key, float fallback) { return stratus_get_float(&client_, key, fallback); }
  double get(const char *key, double fallback) { return stratus_get_float(&client_, key, (float)fallback); }
  bool get(const char *key, bool fallback) { return stratus_get_bool(&client_, key, fallback); }

  /* queue = false: one sync now; true: sent by the next update(). ttl 0: the app's default. */
  bool publish(const char *stream, const char *data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false);
  bool publish(const char *stream, long data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false) {
    return publishNumber(stream, data < 0 ? 0UL - (unsigned long)data : (unsigned long)data, data < 0, scope, ttl, queue);
  }
  bool publish(const char *stream, int data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false) {
    return publish(stream, (long)data, scope, ttl, queue);
  }
  bool publish(const char *stream, unsigned long data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false) {
    return publishNumber(stream, data, false, scope, ttl, queue);
  }
  bool publish(const char *stream, unsigned data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false) {
    return publishNumber(stream, data, false, scope, ttl, queue);
  }
  bool publish(const char *stream, double data, const char *scope = PRIVATE, uint32_t ttl = 0, bool queue = false);

  /* callback(stream, data) runs inside update(); the message is acknowledged once it returned. */
  bool subscribe(const char *stream, StratusCallback callback, const char *scope = PRIVATE, uint16_t limit = 0,
                 bool reset = false) {
    return stratus_subscribe(&client_, scope, stream, callback, limit, reset) == STRATUS_OK;
  }
  void unsubscribe(const char *stream, const char *scope = PRIVATE) { stratus_unsubscribe(&client_, scope, stream); }

  /* One signed round trip: publishes, subscriptions, config. */
  bool update();
  /* update() once `interval` seconds passed (0: stratus.refresh, else 300), backoff and Retry-After permitting. */
  bool maybeUpdate(uint32_t interval = 0);

  /* Why the last update failed ("timeout", "bad_answer_signature"…), "ok" when it did not. */
  const char *lastError() { return stratus_error_name(client_.last_error); }
  /* The server's unix time once an answer came (0 before). */
  uint32_t now() { return stratus_now(&client_); }
  /* The C core, for what the face does not cover. */
  stratus_client *core() { return &client_; }

 protected:
  StratusBase(const char *url, const char *app, const char *secret, char *answer, size_t answer_size, char *config,
              size_t config_size, uint8_t *queue, size_t queue_size, stratus_subscription *subs, uint8_t subs_max,
              Client *client);

 private:
  bool ready();
  bool publishNumber(const char *stream, unsigned long magnitude, bool negative, const char *scope, uint32_t ttl, bool queue);
  stratus_client client_;
  stratus_transport transport_;
  stratus_storage storage_;
  Client *net_;
  char mac_guid_[13];
};

#ifndef STRATUS_BASE_ONLY
/* The client with its buffers, sized by the sketch's #defines above. */
class Stratus : public StratusBase {
 public:
  /* The app is the URL's last path segment: "http://host:8080/greenhouse". */
  Stratus(const char *url, const char *secret)
      : StratusBase(url, 0, secret, answer_, sizeof answer_, config_, sizeof config_, queue_, sizeof queue_, subs_,
                    STRATUS_SUBSCRIPTIONS, 0) { defaults(); }
  Stratus(const char *url, const char *secret, Client &client)
      : StratusBase(url, 0, secret, answer_, sizeof answer_, config_, sizeof config_, queue_, sizeof queue_, subs_,
                    STRATUS_SUBSCRIPTIONS, &client) { defaults(); }
  /* The server's base URL and the app apart. */
  Stratus(const char *url, const char *app, const char *secret)
      : StratusBase(url, app, secret, answer_, sizeof answer_, config_, sizeof config_, queue_, sizeof queue_, subs_,
                    STRATUS_SUBSCRIPTIONS, 0) { defaults(); }

  using StratusBase::get;
  /* The value unescaped into a buffer of the object's (valid until the next get of a string or update). */
  const char *get(const char *key, const char *fallback) {
    return stratus_get_string(core(), key, fallback, text_, sizeof text_);
  }

 private:
  /* compiled with the sketch, so its #defines choose */
  void defaults() {
#if STRATUS_STATIC_CONFIG
    useStaticConfig();
#endif
#if STRATUS_CONFIG_POLL
    useConfigPoll();
#endif
  }
  char answer_[STRATUS_ANSWER_BYTES];
  char config_[STRATUS_CONFIG_BYTES];
  uint8_t queue_[STRATUS_QUEUE_BYTES];
  stratus_subscription subs_[STRATUS_SUBSCRIPTIONS];
  char text_[STRATUS_STRING_BYTES];
};
#endif

#endif
