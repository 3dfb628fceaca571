// The cost of signing one request on an 8-bit AVR, counted by simavr (deterministic): SHA-256 of a
// 200-byte body, then the HMAC-SHA256 of the string to sign (PROTOCOL §2), between cycle marks.
// Prints the body digest and the signature so the test checks them against Node's crypto.
// Built by test/arduino/avr.test.ts for the Uno and the Mega.
#include <stratus_sign.h>
#include "sim_hooks.h"

static const char secret[] = "s3cret-app-key";
static char body[201];
static char signature[65];

static void printHex(const uint8_t *bytes, uint8_t n) {
  for (uint8_t i = 0; i < n; i++) {
    if (bytes[i] < 16) Serial.print('0');
    Serial.print(bytes[i], HEX);
  }
  Serial.println();
}

void setup() {
  Serial.begin(500000);
  for (uint8_t i = 0; i < 200; i++) body[i] = (char)('a' + i % 26);
  stratus_request_head head = {"POST", "", 0, "/v1/sync", "greenhouse", "a4cf12fe0b11", 1732300000UL, "n-000001", {0}};
  stratus_sha256 sha;

  SIM_MARK(1);
  stratus_sha256_init(&sha);
  stratus_sha256_update(&sha, body, 200);
  stratus_sha256_final(&sha, head.body_sha256);
  SIM_MARK(2);
  stratus_sign_request(secret, &head, signature);
  SIM_MARK(3);

  Serial.print(F("body sha256 "));
  printHex(head.body_sha256, 32);
  Serial.print(F("signature "));
  Serial.println(signature);
  Serial.flush();
  SIM_EXIT(0);
}

void loop() {}
