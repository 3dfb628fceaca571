/*
 * A Stratus that does nothing: the same names as the library's Stratus.h, none of its code. A
 * sketch built against it (build-sketch.sh --no-lib --lib extras/avr/stubs/StratusNull) keeps its
 * own code and loses the library's, so the difference between the two builds is the library's
 * share of flash and RAM. Every result comes from a volatile and every callback stays reachable,
 * so the compiler cannot fold the sketch's own code away and make the library look dearer.
 */
#ifndef STRATUS_H
#define STRATUS_H

#include <Arduino.h>
#include <Client.h>

static const char *const PRIVATE = 0;

typedef void (*StratusCallback)(const char *stream, const char *data);

class StratusEvery { /* the library's EVERY_N_SECONDS state: the sketch's cost, so kept alike */
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
#define EVERY_N_SECONDS(n)                                    \
  static StratusEvery STRATUS_JOIN(stratus_every_, __LINE__); \
  if (STRATUS_JOIN(stratus_every_, __LINE__).ready((uint32_t)(n) * 1000UL))
#endif

class Stratus {
 public:
  template <typename... Any>
  Stratus(Any &&...) {}
  void begin(Client &client) { keep(&client); }
  template <typename... Any>
  void setDevice(Any &&...) {}
  template <typename... Any>
  void useEEPROM(Any &&...) {}
  template <typename... Any>
  void setTimeout(Any &&...) {}
  template <typename... Any>
  void onLog(Any &&...) {}

  template <typename T>
  T get(const char *key, T fallback) {
    keep(key);
    return sink() ? fallback : T();
  }
  const char *get(const char *key, const char *fallback) {
    keep(key);
    return sink() ? fallback : key;
  }
  template <typename... Any>
  bool publish(const char *stream, Any &&...) {
    keep(stream);
    return sink();
  }
  template <typename... Any>
  bool subscribe(const char *stream, StratusCallback callback, Any &&...) {
    keep(stream);
    slot() = callback;
    return sink();
  }
  template <typename... Any>
  void unsubscribe(Any &&...) {}
  bool update() {
    StratusCallback callback = slot();
    if (callback && sink()) callback("", "");
    return sink();
  }
  bool maybeUpdate(uint32_t interval = 0) { return interval == sink() && update(); }
  const char *lastError() { return sink() ? "ok" : "timeout"; }
  uint32_t now() { return sink(); }

 private:
  static volatile uint8_t &sink() {
    static volatile uint8_t value;
    return value;
  }
  static StratusCallback volatile &slot() {
    static StratusCallback volatile callback;
    return callback;
  }
  static void keep(const void *p) { sink() = (uint8_t)(uintptr_t)p; }
};

#endif
