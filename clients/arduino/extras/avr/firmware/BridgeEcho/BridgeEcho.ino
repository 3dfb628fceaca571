// Proves the emulation path without the library: hello on UART0, then a TCP round trip through
// simrun's bridge to an echo server (more bytes than the 64-byte Serial buffer holds, to show
// the read requests pace them), with marks around it. Built by test/arduino/avr.test.ts.
#include "SerialBridgeClient.h"
#include "sim_hooks.h"

#ifndef ECHO_BYTES
#define ECHO_BYTES 600
#endif

SerialBridgeClient client(Serial);

static char expected(uint16_t i) { return (char)('a' + i % 26); }

void setup() {
  Serial.begin(500000);
  Serial.println(F("hello from the AVR"));
  SIM_MARK(1);
  if (!client.connect("echo.test", 7)) {
    Serial.println(F("connect failed"));
    Serial.flush();
    SIM_EXIT(1);
  }
  for (uint16_t i = 0; i < ECHO_BYTES; i++) client.write((uint8_t)expected(i));
  client.write('\n');
  uint16_t good = 0, bad = 0;
  unsigned long started = millis();
  for (;;) {
    int c = client.read();
    if (c == '\n') break;
    if (c >= 0) {
      if (c == expected(good + bad)) good++; else bad++;
    } else if (millis() - started > 10000) {
      Serial.println(F("echo timed out"));
      break;
    }
  }
  SIM_MARK(2);
  client.stop();
  Serial.print(F("echoed "));
  Serial.print(good);
  Serial.print(F(" bytes, "));
  Serial.print(bad);
  Serial.println(F(" wrong"));
  Serial.print(F("after stop: "));
  Serial.println(client.connected() ? F("connected") : F("closed"));
  Serial.flush();
  SIM_EXIT(0);
}

void loop() {}
