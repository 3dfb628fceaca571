// Arduino Uno + Ethernet shield, sized for 2 KB of RAM: small buffers, EEPROM for the queue.
#define STRATUS_ANSWER_BYTES 200   // the largest answer accepted (config text or sync answer)
#define STRATUS_CONFIG_BYTES 96    // the config text kept
#define STRATUS_QUEUE_BYTES 48     // queued publishes
#define STRATUS_SUBSCRIPTIONS 1
#include <SPI.h>
#include <Ethernet.h>
#include <Stratus.h>

byte mac[] = {0xDE, 0xAD, 0xBE, 0xEF, 0xFE, 0x02};
EthernetClient ethernet;
Stratus stratus("http://192.168.1.10:8080/greenhouse", "secret key");

void onRelay(const char *stream, const char *data) {
  (void)stream;
  digitalWrite(7, data[0] == '1' ? HIGH : LOW);
}

void setup() {
  pinMode(7, OUTPUT);
  Ethernet.begin(mac);
  stratus.begin(ethernet);
  stratus.setDevice(mac);
  stratus.setTimeout(5000);  // no call blocks longer
  stratus.useEEPROM(0);      // 9 + STRATUS_QUEUE_BYTES bytes from address 0
  stratus.subscribe("relay", onRelay, "yard");
}

void loop() {
  EVERY_N_SECONDS(30) {
    stratus.publish("moisture", analogRead(A1), "yard", 0, true);
  }
  stratus.maybeUpdate();
  Ethernet.maintain();
}
