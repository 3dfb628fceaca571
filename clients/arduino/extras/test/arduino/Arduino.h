// Just enough of the Arduino core to build the C++ face on the host (face_test.cpp).
#ifndef STRATUS_TEST_ARDUINO_H
#define STRATUS_TEST_ARDUINO_H

#include <stddef.h>
#include <stdint.h>

extern uint32_t fake_millis_now;
inline uint32_t millis() { return fake_millis_now; }
inline uint32_t micros() { return fake_millis_now * 1000u; }
inline int analogRead(uint8_t) { return 512; }
#define A0 14

#endif
