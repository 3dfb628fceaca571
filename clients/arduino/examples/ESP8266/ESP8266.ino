// ESP8266 over WiFi: the PRIVATE scope as the device's own key/value store.
#include <ESP8266WiFi.h>
#include <Stratus.h>

WiFiClient wifi;
Stratus stratus("http://192.168.1.10:8080", "greenhouse", "secret key");  // URL and app apart

void onSetting(const char *stream, const char *data) {
  Serial.print("setting ");
  Serial.println(data);
}

void setup() {
  Serial.begin(115200);
  WiFi.begin("your-ssid", "your-password");
  while (WiFi.status() != WL_CONNECTED) delay(200);
  stratus.begin(wifi);                               // GUID from the WiFi MAC
  stratus.subscribe("setting", onSetting, PRIVATE);  // only this device reads and writes it
}

void loop() {
  EVERY_N_SECONDS(stratus.get("stratus.refresh", 300)) {
    stratus.publish("uptime", (long)(millis() / 1000), PRIVATE, 86400, true);  // queued
    if (!stratus.update()) Serial.println(stratus.lastError());                 // sent here
  }
}
