/*
 * A stand-in for the Arduino Ethernet library, which Debian's arduino-core-avr does not ship, so
 * that sketches written for an Uno/Mega with an Ethernet shield build here (build-sketch.sh
 * --lib extras/avr/stubs/Ethernet). Same names, no W5x00 driver: nothing is sent anywhere. Sizes
 * built with it leave the Ethernet library's own flash and RAM out.
 */
#ifndef STRATUS_STUB_ETHERNET_H
#define STRATUS_STUB_ETHERNET_H

#include <Arduino.h>
#include <Client.h>
#include <IPAddress.h>

class EthernetClass {
 public:
  int begin(uint8_t *mac, unsigned long timeout = 60000, unsigned long responseTimeout = 4000);
  void begin(uint8_t *mac, IPAddress ip);
  int maintain();
  IPAddress localIP();
};
extern EthernetClass Ethernet;

class EthernetClient : public Client {
 public:
  int connect(IPAddress ip, uint16_t port) override;
  int connect(const char *host, uint16_t port) override;
  size_t write(uint8_t byte) override;
  size_t write(const uint8_t *bytes, size_t size) override;
  int available() override;
  int read() override;
  int read(uint8_t *bytes, size_t size) override;
  int peek() override;
  void flush() override;
  void stop() override;
  uint8_t connected() override;
  operator bool() override;
};

#endif
