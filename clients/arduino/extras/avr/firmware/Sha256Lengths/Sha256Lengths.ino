// SHA-256 of messages whose lengths sit at the padding's edges (0, 55, 56, 63, 64, 65 bytes) and
// span many blocks (1000), fed in 13-byte pieces; bytes i*7+3. Prints "sha256 <length> <hex>" for
// each, which test/arduino/avr.test.ts checks against Node's crypto, and the cycles of the
// 1000-byte one between marks 1 and 2.
#include <stratus_sha256.h>
#include "sim_hooks.h"

static const uint16_t lengths[] = {0, 55, 56, 63, 64, 65, 1000};

static void digestOf(uint16_t length, uint8_t digest[STRATUS_SHA256_BYTES]) {
  stratus_sha256 sha;
  uint8_t piece[13];
  stratus_sha256_init(&sha);
  for (uint16_t at = 0; at < length; at += sizeof piece) {
    uint8_t n = length - at < sizeof piece ? (uint8_t)(length - at) : (uint8_t)sizeof piece;
    for (uint8_t j = 0; j < n; j++) piece[j] = (uint8_t)((at + j) * 7 + 3);
    stratus_sha256_update(&sha, piece, n);
  }
  stratus_sha256_final(&sha, digest);
}

void setup() {
  Serial.begin(500000);
  uint8_t digest[STRATUS_SHA256_BYTES];
  for (uint8_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
    if (lengths[k] == 1000) SIM_MARK(1);
    digestOf(lengths[k], digest);
    if (lengths[k] == 1000) SIM_MARK(2);
    Serial.print(F("sha256 "));
    Serial.print(lengths[k]);
    Serial.print(' ');
    for (uint8_t i = 0; i < sizeof digest; i++) {
      if (digest[i] < 16) Serial.print('0');
      Serial.print(digest[i], HEX);
    }
    Serial.println();
  }
  Serial.flush();
  SIM_EXIT(0);
}

void loop() {}
