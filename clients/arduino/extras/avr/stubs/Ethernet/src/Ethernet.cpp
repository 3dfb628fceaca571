// The stand-in's bodies (see Ethernet.h). Every answer comes from a volatile, so that link-time
// optimisation cannot prove a connect always fails and drop the code of whoever calls it: the
// sizes must be those of a sketch that really talks.
#include "Ethernet.h"

EthernetClass Ethernet;
static volatile int16_t wire;

int EthernetClass::begin(uint8_t *mac, unsigned long timeout, unsigned long responseTimeout) {
  (void)mac;
  (void)timeout;
  (void)responseTimeout;
  return wire;
}
void EthernetClass::begin(uint8_t *mac, IPAddress ip) {
  (void)mac;
  (void)ip;
}
int EthernetClass::maintain() { return wire; }
IPAddress EthernetClass::localIP() { return IPAddress((uint32_t)wire); }

int EthernetClient::connect(IPAddress ip, uint16_t port) {
  (void)ip;
  (void)port;
  return wire;
}
int EthernetClient::connect(const char *host, uint16_t port) {
  (void)host;
  (void)port;
  return wire;
}
size_t EthernetClient::write(uint8_t byte) {
  wire = byte;
  return (size_t)wire;
}
size_t EthernetClient::write(const uint8_t *bytes, size_t size) {
  for (size_t i = 0; i < size; i++) wire = bytes[i];
  return (size_t)wire;
}
int EthernetClient::available() { return wire; }
int EthernetClient::read() { return wire; }
int EthernetClient::read(uint8_t *bytes, size_t size) {
  for (size_t i = 0; i < size; i++) bytes[i] = (uint8_t)wire;
  return wire;
}
int EthernetClient::peek() { return wire; }
void EthernetClient::flush() { wire = 0; }
void EthernetClient::stop() { wire = 0; }
uint8_t EthernetClient::connected() { return (uint8_t)wire; }
EthernetClient::operator bool() { return wire != 0; }
