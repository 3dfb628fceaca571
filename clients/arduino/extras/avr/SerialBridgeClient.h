/*
 * An Arduino Client over a Serial port, for test firmware running in simrun (simavr): simrun
 * opens the TCP connection and carries the bytes (frames in bridge_protocol.h). It lets the
 * library's ordinary `Client&` path run on an emulated AVR against a real server. Not part of the
 * library: a test fixture, like a shim Client.
 */
#ifndef STRATUS_SERIAL_BRIDGE_CLIENT_H
#define STRATUS_SERIAL_BRIDGE_CLIENT_H

#include <Arduino.h>
#include <Client.h>

#include "bridge_protocol.h"

#ifndef SERIAL_BRIDGE_BUFFER_BYTES
// with the frame header, what one read request may bring; below the 64-byte Serial RX buffer
#define SERIAL_BRIDGE_BUFFER_BYTES 48
#endif
#ifndef SERIAL_BRIDGE_TIMEOUT_MS
#define SERIAL_BRIDGE_TIMEOUT_MS 5000
#endif

class SerialBridgeClient : public Client {
 public:
  explicit SerialBridgeClient(Stream &serial) : serial_(serial) {}

  int connect(IPAddress ip, uint16_t port) override {
    char host[16];
    char *p = host;
    for (uint8_t i = 0; i < 4; i++) {
      if (i) *p++ = '.';
      p = appendNumber(p, ip[i]);
    }
    *p = 0;
    return connect(host, port);
  }

  int connect(const char *host, uint16_t port) override {
    stop();
    char address[80];
    size_t n = strlen(host);
    if (n > sizeof address - 7) return 0;
    memcpy(address, host, n);
    address[n] = ':';
    char *end = appendNumber(address + n + 1, port);
    sendFrame(BRIDGE_CONNECT, (const uint8_t *)address, (uint8_t)(end - address));
    connectResult_ = -1;
    unsigned long started = millis();
    while (connectResult_ < 0 && millis() - started < SERIAL_BRIDGE_TIMEOUT_MS) pump();
    connected_ = connectResult_ == 1;
    ended_ = false;
    return connected_ ? 1 : 0;
  }

  size_t write(uint8_t byte) override { return write(&byte, 1); }

  size_t write(const uint8_t *bytes, size_t size) override {
    if (!connected_ || ended_) return 0;
    size_t left = size;
    while (left > 0) {
      uint8_t n = left > 64 ? 64 : (uint8_t)left;
      sendFrame(BRIDGE_DATA, bytes, n);
      bytes += n;
      left -= n;
    }
    return size;
  }

  int available() override {
    pump();
    return length_;
  }

  int read() override {
    pump();
    if (length_ == 0) return -1;
    length_--;
    return buffer_[head_++];
  }

  int read(uint8_t *bytes, size_t size) override {
    pump();
    if (length_ == 0) return -1;
    size_t n = size < length_ ? size : length_;
    memcpy(bytes, buffer_ + head_, n);
    head_ += n;
    length_ -= n;
    return (int)n;
  }

  int peek() override {
    pump();
    return length_ ? buffer_[head_] : -1;
  }

  void flush() override { serial_.flush(); }

  void stop() override {
    if (connected_) {
      sendFrame(BRIDGE_CLOSE, nullptr, 0);
      // the answer to an open read request is on its way; take it so it is not read as new
      unsigned long started = millis();
      while (requestOpen_ && millis() - started < SERIAL_BRIDGE_TIMEOUT_MS) pump();
    }
    connected_ = false;
    ended_ = false;
    requestOpen_ = false;
    head_ = length_ = 0;
  }

  uint8_t connected() override {
    pump();
    return (connected_ && !ended_) || length_ > 0;
  }

  operator bool() override { return connected_; }

 private:
  static char *appendNumber(char *p, uint16_t v) {
    char digits[6];
    uint8_t n = 0;
    do {
      digits[n++] = (char)('0' + v % 10);
      v /= 10;
    } while (v);
    while (n) *p++ = digits[--n];
    return p;
  }

  void sendFrame(uint8_t type, const uint8_t *payload, uint8_t length) {
    serial_.write((uint8_t)BRIDGE_START);
    serial_.write(type);
    serial_.write(length);
    if (length) serial_.write(payload, length);
  }

  // takes what the runner sent, and asks for more once everything read has been consumed
  void pump() {
    while (serial_.available() > 0) {
      uint8_t c = (uint8_t)serial_.read();
      if (state_ == 0) {
        type_ = c;
        state_ = 1;
      } else if (state_ == 1) {
        frameLength_ = c;
        got_ = 0;
        state_ = 2;
        if (c == 0) frameDone();
      } else {
        got_++;
        if (type_ == BRIDGE_RECEIVED && head_ + length_ < sizeof buffer_) buffer_[head_ + length_++] = c;
        if (type_ == BRIDGE_CONNECTED) connectResult_ = c;
        if (got_ == frameLength_) frameDone();
      }
    }
    if (connected_ && !ended_ && !requestOpen_ && length_ == 0) {
      head_ = 0;
      uint8_t budget = sizeof buffer_ + BRIDGE_HEADER_BYTES;
      sendFrame(BRIDGE_READ, &budget, 1);
      requestOpen_ = true;
    }
  }

  void frameDone() {
    state_ = 0;
    if (type_ == BRIDGE_RECEIVED) requestOpen_ = false;
    if (type_ == BRIDGE_ENDED) {
      requestOpen_ = false;
      ended_ = true;
    }
  }

  Stream &serial_;
  uint8_t buffer_[SERIAL_BRIDGE_BUFFER_BYTES];
  uint8_t head_ = 0, length_ = 0;
  uint8_t state_ = 0, type_ = 0, frameLength_ = 0, got_ = 0;
  int8_t connectResult_ = -1;
  bool connected_ = false, ended_ = false, requestOpen_ = false;
};

#endif
