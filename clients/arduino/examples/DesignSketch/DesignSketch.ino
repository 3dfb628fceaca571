// The sketch Stratus was designed around, made complete: config read every refresh interval, a
// reading published, a command stream subscribed. It runs on any board with an Arduino `Client`;
// here an Uno with an Ethernet shield (W5100/W5500).
//
// Server side:  stratus app create greenhouse          (prints the secret)
//               stratus config set greenhouse variable 7
//               stratus pub greenhouse home/cmd on     (a command for the sketch)
#include <SPI.h>
#include <Ethernet.h>
#include <Stratus.h>

byte mac[] = {0xDE, 0xAD, 0xBE, 0xEF, 0xFE, 0x01};  // also the device's GUID: deadbeeffe01
EthernetClient ethernet;
Stratus stratus("http://192.168.1.10:8080/greenhouse", "secret key");

void onCommand(const char *stream, const char *data) {
  // runs inside update(); the message is acknowledged once this returns
  (void)stream;
  digitalWrite(LED_BUILTIN, strcmp(data, "on") == 0 ? HIGH : LOW);
}

void setup() {
  pinMode(LED_BUILTIN, OUTPUT);
  Ethernet.begin(mac);
  stratus.begin(ethernet);
  stratus.setDevice(mac);
  stratus.subscribe("cmd", onCommand, "home");
}

void loop() {
  static int variable = 1;
  EVERY_N_SECONDS(stratus.get("refresh interval", 300)) {
    variable = stratus.get("variable", variable);
    stratus.publish("temp", analogRead(A0), "home", 0, true);  // queued: sent by the update below
    stratus.update();                                         // one signed round trip
  }
}
