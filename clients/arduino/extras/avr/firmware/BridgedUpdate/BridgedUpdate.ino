// The library's ordinary Client& path on an emulated ATmega2560, against a real `stratus serve`:
// UART0 carries the TCP connection through simrun (SerialBridgeClient), so one update() really
// round-trips: the config read, one queued publish stored, one subscription delivered (the
// callback prints it). The board has no clock: the first answer (stale_time) sets it.
// Built by test/arduino/avr.test.ts with the app's secret: -DTEST_SECRET='"…"'.
#include <Stratus.h>

#include "SerialBridgeClient.h"
#include "sim_hooks.h"

#ifndef TEST_SECRET
#error build with -DTEST_SECRET='"the app secret"'
#endif

SerialBridgeClient net(Serial);
// simrun routes every connection to the test's server, whatever the URL's host and port
Stratus stratus("http://stratus.test:8080/greenhouse", TEST_SECRET);

static void onCommand(const char *stream, const char *data) {
  Serial.print(F("message "));
  Serial.print(stream);
  Serial.print(' ');
  Serial.println(data);
}

static void onLog(uint8_t level, const char *code, const char *detail) {
  Serial.print(F("log "));
  Serial.print(level);
  Serial.print(' ');
  Serial.print(code);
  Serial.print(' ');
  Serial.println(detail ? detail : "");
}

void setup() {
  Serial.begin(500000);
  stratus.begin(net);
  stratus.setDevice("avr-mega-1");
  stratus.onLog(onLog);
  stratus.subscribe("cmd", onCommand, "home", 5);
  stratus.publish("temp", "21.5", "home", 0, true);
  SIM_MARK(1);
  bool ok = stratus.update();
  SIM_MARK(2);
  Serial.print(F("update "));
  Serial.println(ok ? F("ok") : F("failed"));
  Serial.print(F("last error "));
  Serial.println(stratus.lastError());
  Serial.print(F("variable "));
  Serial.println(stratus.get("variable", 1));
  Serial.print(F("server time "));
  Serial.println(stratus.now());
  Serial.flush();
  SIM_EXIT(ok ? 0 : 1);
}

void loop() {}
