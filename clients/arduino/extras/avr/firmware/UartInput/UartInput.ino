// simrun's raw input (-i TEXT): reads one line from UART0 and prints it back, so the test sees
// bytes reach the firmware through simavr's UART. Built by test/arduino/avr.test.ts.
#include "sim_hooks.h"

void setup() {
  Serial.begin(500000);
  char line[48];
  uint8_t n = 0;
  for (;;) {
    int c = Serial.read();
    if (c < 0) continue;
    if (c == '\n' || n == sizeof line - 1) break;
    line[n++] = (char)c;
  }
  line[n] = 0;
  Serial.print(F("got: "));
  Serial.println(line);
  Serial.flush();
  SIM_EXIT(0);
}

void loop() {}
