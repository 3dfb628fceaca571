/* SHA-256 and HMAC-SHA256, streaming, in about 110 bytes of state (FIPS 180-4, RFC 2104). */
#ifndef STRATUS_SHA256_H
#define STRATUS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATUS_SHA256_BYTES 32
#define STRATUS_SHA256_BLOCK 64

typedef struct stratus_sha256 {
  /* the counters first: an AVR reaches a field in one instruction only within 63 bytes */
  uint8_t used;  /* bytes in block */
  size_t length; /* message bytes so far (all an 8-bit MCU hashes is in its RAM: far below 64 KB) */
  uint32_t state[8];
  /* the block being filled; compress() turns it into the message schedule's 16 words in place */
  union {
    uint8_t bytes[STRATUS_SHA256_BLOCK];
    uint32_t words[STRATUS_SHA256_BLOCK / 4];
  } block;
} stratus_sha256;

void stratus_sha256_init(stratus_sha256 *ctx);
void stratus_sha256_update(stratus_sha256 *ctx, const void *data, size_t len);
void stratus_sha256_final(stratus_sha256 *ctx, uint8_t digest[STRATUS_SHA256_BYTES]);

/* HMAC keeps a pointer to the key (the app secret lives as long as the client). */
typedef struct stratus_hmac {
  stratus_sha256 inner;
  const uint8_t *key;
  size_t key_len;
} stratus_hmac;

void stratus_hmac_init(stratus_hmac *ctx, const void *key, size_t key_len);
void stratus_hmac_update(stratus_hmac *ctx, const void *data, size_t len);
void stratus_hmac_final(stratus_hmac *ctx, uint8_t mac[STRATUS_SHA256_BYTES]);

#ifdef __cplusplus
}
#endif

#endif
