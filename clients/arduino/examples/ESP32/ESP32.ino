// ESP32 over WiFi: the GUID is the WiFi MAC, queued readings survive a reset in EEPROM (flash).
#include <WiFi.h>
#include <Stratus.h>

const char *ssid = "your-ssid";
const char *password = "your-password";
WiFiClient wifi;
Stratus stratus("http://192.168.1.10:8080/greenhouse", "secret key", wifi);

void onCommand(const char *stream, const char *data) {
  Serial.printf("%s: %s\n", stream, data);
}

void onLog(uint8_t level, const char *code, const char *detail) {
  Serial.printf("stratus %u %s %s\n", level, code, detail ? detail : "");
}

void setup() {
  Serial.begin(115200);
  WiFi.begin(ssid, password);
  while (WiFi.status() != WL_CONNECTED) delay(200);
  stratus.useEEPROM();  // queued publishes and a boot count, kept across resets
  stratus.onLog(onLog); // verbosity follows stratus.debug
  stratus.subscribe("cmd", onCommand, "home", 10);  // replay up to 10 on the first start
}

void loop() {
  if (WiFi.status() != WL_CONNECTED) return;
  EVERY_N_SECONDS(60) {
    stratus.publish("temp", temperatureRead(), "home", 3600, true);
  }
  stratus.maybeUpdate();  // every stratus.refresh seconds (300 by default), with backoff on failure
  float threshold = stratus.get("threshold", 25.0f);
  digitalWrite(2, temperatureRead() > threshold ? HIGH : LOW);
}
