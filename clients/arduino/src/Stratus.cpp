// The Arduino face: adapts a `Client` and millis() to the C core's transport (the lwmqtt /
// arduino-mqtt split), and offers the design's API. The buffers live in `Stratus` (Stratus.h).
#define STRATUS_BASE_ONLY
#include "Stratus.h"

#include <string.h>

#if defined(__AVR__)
#include <avr/eeprom.h>
#elif defined(ESP32)
#include <EEPROM.h>
#include <WiFi.h>
#elif defined(ESP8266)
#include <EEPROM.h>
#include <ESP8266WiFi.h>
#endif

#include "stratus_hex.h"
#include "stratus_pgm.h"
#include "stratus_sign.h"

namespace {

Client *net(void *ctx) { return static_cast<Client *>(ctx); }

int netConnect(void *ctx, const char *host, size_t, uint16_t port) {
  return net(ctx)->connect(host, port) == 1 ? 0 : -1;  // the core NUL-terminates host
}

int netWrite(void *ctx, const uint8_t *data, size_t len) {
  size_t n = net(ctx)->write(data, len);
  if (n == 0 && !net(ctx)->connected()) return -1;
  return (int)n;
}

int netRead(void *ctx, uint8_t *buf, size_t) {
  int byte = net(ctx)->read();  // a byte at a time (as PubSubClient reads): -1 when none is there yet
  if (byte < 0) return net(ctx)->connected() ? 0 : -1;
  *buf = (uint8_t)byte;
  return 1;
}

void netClose(void *ctx) { net(ctx)->stop(); }

uint32_t boardMillis(void *) { return millis(); }

uint32_t boardEntropy(void *) {
#if defined(ESP32)
  return esp_random();
#elif defined(ESP8266)
  return RANDOM_REG32;
#else
  // No hardware generator: the time to get here and a floating analog pin. A sketch that wants
  // ids unique across resets for sure gives the library storage (useEEPROM), which keeps a boot count.
  // (rotating by whole bytes: register moves on an 8-bit MCU)
#if defined(__AVR__)
  // timer 0's counter (millis' own) in place of micros(): the same timing, none of its code
  uint32_t mix = millis();
  for (uint8_t i = 0; i < 8; i++) mix = (mix << 8 | mix >> 24) ^ (uint32_t)analogRead(A0) ^ TCNT0;
#else
  uint32_t mix = micros();
  for (uint8_t i = 0; i < 8; i++) mix = (mix << 8 | mix >> 24) ^ (uint32_t)analogRead(A0) ^ micros();
#endif
  return mix;
#endif
}

#if defined(__AVR__)
int eepromRead(void *ctx, size_t offset, void *buf, size_t len) {
  eeprom_read_block(buf, (const void *)((size_t)ctx + offset), len);
  return 0;
}
int eepromWrite(void *ctx, size_t offset, const void *buf, size_t len) {
  eeprom_update_block(buf, (void *)((size_t)ctx + offset), len);  // writes only the bytes that change
  return 0;
}
#elif defined(ESP32) || defined(ESP8266)
int eepromRead(void *ctx, size_t offset, void *buf, size_t len) {
  for (size_t i = 0; i < len; i++) static_cast<uint8_t *>(buf)[i] = EEPROM.read((size_t)ctx + offset + i);
  return 0;
}
int eepromWrite(void *ctx, size_t offset, const void *buf, size_t len) {
  for (size_t i = 0; i < len; i++) EEPROM.write((size_t)ctx + offset + i, static_cast<const uint8_t *>(buf)[i]);
  return 0;
}
int eepromCommit(void *) { return EEPROM.commit() ? 0 : -1; }
#endif

void (*userLog)(uint8_t level, const char *code, const char *detail) = 0;
void logBridge(void *, uint8_t level, stratus_error code, const char *detail) {
  if (userLog != 0) userLog(level, stratus_error_name(code), detail);
}

}  // namespace

StratusBase::StratusBase(const char *url, const char *app, const char *secret, char *answer, size_t answer_size,
                         char *config, size_t config_size, uint8_t *queue, size_t queue_size,
                         stratus_subscription *subs, uint8_t subs_max, Client *client)
    : net_(client) {
  stratus_init_core(&client_, app != 0 ? url : 0, app, secret, 0, answer, answer_size, config, config_size, queue,
               queue_size, subs, subs_max);
  if (app == 0) stratus_init_app_url(&client_, url);
  // transport_ is filled whole by begin(), storage_ by useEEPROM(), mac_guid_ by setDevice(mac):
  // none is read before
}

void StratusBase::setDevice(const uint8_t mac[6]) {
  stratus_hex_encode(mac, 6, mac_guid_);
  client_.device = mac_guid_;
}

// out of line: ready() attaches a client given to the constructor through it too
STRATUS_NOINLINE void StratusBase::begin(Client &client) {
  // the same functions for every object (copied from flash); only the Client differs
  static const stratus_transport arduino STRATUS_PROGMEM = {0, netConnect, netWrite, netRead, netClose, boardMillis, 0,
                                                            boardEntropy};
  net_ = &client;
  STRATUS_MEMCPY_P(&transport_, &arduino, sizeof transport_);
  transport_.ctx = net_;
#if defined(ESP32) || defined(ESP8266)
  if (client_.device == 0) {
    uint8_t mac[6];
    WiFi.macAddress(mac);
    setDevice(mac);
  }
#endif
  stratus_begin_transport(&client_, &transport_);
}

void StratusBase::useEEPROM(size_t offset, size_t size) {
#if defined(__AVR__) || defined(ESP32) || defined(ESP8266)
  storage_.ctx = (void *)offset;
  storage_.size = size;
  storage_.read = eepromRead;
  storage_.write = eepromWrite;
#if defined(ESP32) || defined(ESP8266)
  EEPROM.begin(offset + size);
  storage_.commit = eepromCommit;
#else
  storage_.commit = 0;
#endif
  stratus_use_storage(&client_, &storage_);
#else
  (void)offset;
  (void)size;
#endif
}

void StratusBase::onLog(void (*log)(uint8_t level, const char *code, const char *detail)) {
  userLog = log;
  client_.log = log != 0 ? logBridge : 0;
  if (log != 0) stratus_use_reports(&client_);
}

// A client given to the constructor is attached on first use: a global object is built before
// setup(), when neither the network nor the board's clocks are up.
bool StratusBase::ready() {
  if (client_.transport == 0 && net_ != 0) begin(*net_);
  return client_.transport != 0;
}

bool StratusBase::update() { return ready() && stratus_update(&client_) == STRATUS_OK; }

bool StratusBase::maybeUpdate(uint32_t interval) { return ready() && stratus_maybe_update(&client_, interval) == STRATUS_OK; }

bool StratusBase::publish(const char *stream, const char *data, const char *scope, uint32_t ttl, bool queue) {
  ready();
  return stratus_publish(&client_, scope, stream, data, ttl, 0, !queue) == STRATUS_OK;
}

bool StratusBase::publishNumber(const char *stream, unsigned long magnitude, bool negative, const char *scope,
                                uint32_t ttl, bool queue) {
  char text[12];
  text[0] = '-';
  stratus_format_u32(magnitude, text + 1);  // the core's one number formatter
  return publish(stream, negative ? text : text + 1, scope, ttl, queue);
}

bool StratusBase::publish(const char *stream, double data, const char *scope, uint32_t ttl, bool queue) {
  // three decimals, trailing zeros dropped: enough for sensor readings, no printf needed
  char text[24];
  long whole = (long)data;
  double rest = data - (double)whole;
  if (rest < 0) rest = -rest;
  long thousandths = (long)(rest * 1000.0 + 0.5);
  if (thousandths >= 1000) {
    whole += data < 0 ? -1 : 1;
    thousandths -= 1000;
  }
  size_t n = 0;
  if (data < 0 && whole == 0) text[n++] = '-';
  char digits[12];
  char *p = digits + sizeof digits - 1;
  unsigned long magnitude = whole < 0 ? 0UL - (unsigned long)whole : (unsigned long)whole;
  *p = '\0';
  do {
    *--p = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (whole < 0) *--p = '-';
  while (*p) text[n++] = *p++;
  if (thousandths > 0) {
    text[n++] = '.';
    text[n++] = (char)('0' + thousandths / 100);
    text[n++] = (char)('0' + thousandths / 10 % 10);
    text[n++] = (char)('0' + thousandths % 10);
    while (text[n - 1] == '0') n--;
  }
  text[n] = '\0';
  return publish(stream, text, scope, ttl, queue);
}
