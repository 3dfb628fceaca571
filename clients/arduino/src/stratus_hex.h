/* Lower-case hex (PROTOCOL §2: signatures and body digests are lower-case hex). */
#ifndef STRATUS_HEX_H
#define STRATUS_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes 2*len hex digits and a NUL to out. */
void stratus_hex_encode(const uint8_t *bytes, size_t len, char *out);

/* Decodes exactly 2*len lower-case hex digits; 0 when one is not (signatures are lower case, §2). */
bool stratus_hex_decode(const char *hex, uint8_t *bytes, size_t len);

/* Compares without an early exit, so the time taken says nothing about where they differ. */
bool stratus_bytes_equal(const uint8_t *a, const uint8_t *b, size_t len);

#ifdef __cplusplus
}
#endif

#endif
