/*
 * The Ethernet library's names over simrun's UART bridge, so a sketch written for an Uno with an
 * Ethernet shield runs unchanged in simavr against a real server (build-sketch.sh --lib
 * extras/avr/stubs/EthernetOverBridge): `Ethernet.begin()` opens UART0 for the bridge and every
 * `EthernetClient` is a SerialBridgeClient. UART0 is the bridge's, so the sketch's own Serial
 * prints would go to simrun's stdout between the frames. A test fixture, like the bridge client.
 */
#ifndef STRATUS_STUB_ETHERNET_OVER_BRIDGE_H
#define STRATUS_STUB_ETHERNET_OVER_BRIDGE_H

#include <Arduino.h>
#include <IPAddress.h>

#include "../../../SerialBridgeClient.h"

#ifndef BRIDGE_BAUD
#define BRIDGE_BAUD 500000
#endif

class EthernetClass {
 public:
  int begin(uint8_t *mac, unsigned long timeout = 60000, unsigned long responseTimeout = 4000) {
    (void)mac;
    (void)timeout;
    (void)responseTimeout;
    Serial.begin(BRIDGE_BAUD);
    return 1;
  }
  void begin(uint8_t *mac, IPAddress ip) {
    (void)ip;
    begin(mac);
  }
  int maintain() { return 0; }
  IPAddress localIP() { return IPAddress(10, 0, 2, 15); }
};
extern EthernetClass Ethernet;

class EthernetClient : public SerialBridgeClient {
 public:
  EthernetClient() : SerialBridgeClient(Serial) {}
};

#endif
