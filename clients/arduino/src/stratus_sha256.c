#include "stratus_sha256.h"

#include <string.h>

#include "stratus_pgm.h"

#if defined(__AVR__) && defined(__AVR_HAVE_MOVW__) && defined(__AVR_HAVE_LPMX__)
/* The block function in AVR assembly (stratus_sha256_avr.S, the same condition), which finds the
 * state at byte 3 of the context and the block right after it. */
void stratus_sha256_compress(stratus_sha256 *ctx);
#define compress stratus_sha256_compress
typedef char stratus_sha256_avr_layout[offsetof(stratus_sha256, state) == 3 &&
                                               offsetof(stratus_sha256, block) == 3 + 32
                                           ? 1
                                           : -1];
#else
/* FIPS 180-4 §4.2.2, in flash on AVR. */
static const uint32_t K[64] STRATUS_PROGMEM = {
    0x428a2f98UL, 0x71374491UL, 0xb5c0fbcfUL, 0xe9b5dba5UL, 0x3956c25bUL, 0x59f111f1UL, 0x923f82a4UL, 0xab1c5ed5UL,
    0xd807aa98UL, 0x12835b01UL, 0x243185beUL, 0x550c7dc3UL, 0x72be5d74UL, 0x80deb1feUL, 0x9bdc06a7UL, 0xc19bf174UL,
    0xe49b69c1UL, 0xefbe4786UL, 0x0fc19dc6UL, 0x240ca1ccUL, 0x2de92c6fUL, 0x4a7484aaUL, 0x5cb0a9dcUL, 0x76f988daUL,
    0x983e5152UL, 0xa831c66dUL, 0xb00327c8UL, 0xbf597fc7UL, 0xc6e00bf3UL, 0xd5a79147UL, 0x06ca6351UL, 0x14292967UL,
    0x27b70a85UL, 0x2e1b2138UL, 0x4d2c6dfcUL, 0x53380d13UL, 0x650a7354UL, 0x766a0abbUL, 0x81c2c92eUL, 0x92722c85UL,
    0xa2bfe8a1UL, 0xa81a664bUL, 0xc24b8b70UL, 0xc76c51a3UL, 0xd192e819UL, 0xd6990624UL, 0xf40e3585UL, 0x106aa070UL,
    0x19a4c116UL, 0x1e376c08UL, 0x2748774cUL, 0x34b0bcb5UL, 0x391c0cb3UL, 0x4ed8aa4aUL, 0x5b9cca4fUL, 0x682e6ff3UL,
    0x748f82eeUL, 0x78a5636fUL, 0x84c87814UL, 0x8cc70208UL, 0x90befffaUL, 0xa4506cebUL, 0xbef9a3f7UL, 0xc67178f2UL};

/* Kept out of line on purpose: on an 8-bit MCU every inlined 32-bit rotate costs dozens of
 * instructions, and the round calls them ten times. */

/* An 8-bit MCU shifts one bit an instruction: rotate by 16 and 8 first (register moves), then by
 * at most 4 single bits, either way. */
static STRATUS_NOINLINE uint32_t ror(uint32_t x, uint8_t n) {
  if (n & 16) x = (x >> 16) | (x << 16);
  if (n & 8) x = (x >> 8) | (x << 24);
  n &= 7;
  if (n > 4) { /* one byte further right, then back left by 8 - n bits */
    x = (x >> 8) | (x << 24);
    for (n = (uint8_t)(8 - n); n; n--) x = (x << 1) | (x >> 31);
  } else {
    for (; n; n--) x = (x >> 1) | (x << 31);
  }
  return x;
}

/* Σ and σ of FIPS 180-4 §4.1.2: three rotations (or two and a shift) XORed. */
static STRATUS_NOINLINE uint32_t sigma(uint32_t x, uint8_t a, uint8_t b, uint8_t c, uint8_t shift) {
  return ror(x, a) ^ ror(x, b) ^ (shift ? x >> c : ror(x, c));
}

/* One block. The message schedule is a 16-word rolling window kept in the block itself (no 64
 * bytes of stack); the working variables a..h are s[0..7], shifted down a place a round by a
 * memmove (small code). The block is consumed: callers refill it. */
static STRATUS_NOINLINE void compress(stratus_sha256 *ctx) {
  uint32_t *w = ctx->block.words;
  uint32_t s[8];
  uint8_t i;
  for (i = 0; i < 16; i++) {
    const uint8_t *b = ctx->block.bytes + 4 * i;
    w[i] = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
  }
  memcpy(s, ctx->state, sizeof s);
  for (i = 0; i < 64; i++) {
    uint32_t *wi = &w[i & 15], t1, t2;
    if (i >= 16) *wi += sigma(w[(i - 15) & 15], 7, 18, 3, 1) + w[(i - 7) & 15] + sigma(w[(i - 2) & 15], 17, 19, 10, 1);
    t1 = s[7] + sigma(s[4], 6, 11, 25, 0) + ((s[4] & s[5]) ^ (~s[4] & s[6])) + STRATUS_READ_U32(&K[i]) + *wi;
    t2 = sigma(s[0], 2, 13, 22, 0) + ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
    memmove(s + 1, s, 7 * sizeof *s);
    s[4] += t1; /* d + t1 */
    s[0] = t1 + t2;
  }
  for (i = 0; i < 8; i++) ctx->state[i] += s[i];
}
#endif

/* FIPS 180-4 §5.3.3 */
static const uint32_t initial[8] STRATUS_PROGMEM = {0x6a09e667UL, 0xbb67ae85UL, 0x3c6ef372UL, 0xa54ff53aUL,
                                                    0x510e527fUL, 0x9b05688cUL, 0x1f83d9abUL, 0x5be0cd19UL};

void stratus_sha256_init(stratus_sha256 *ctx) {
  STRATUS_MEMCPY_P(ctx->state, initial, sizeof ctx->state);
  ctx->length = 0;
  ctx->used = 0;
}

void stratus_sha256_update(stratus_sha256 *ctx, const void *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  ctx->length += len;
  while (len-- > 0) {
    ctx->block.bytes[ctx->used++] = *p++;
    if (ctx->used == STRATUS_SHA256_BLOCK) {
      compress(ctx);
      ctx->used = 0;
    }
  }
}

static void put_be32(uint8_t *out, uint32_t v) {
  out[0] = (uint8_t)(v >> 24);
  out[1] = (uint8_t)(v >> 16);
  out[2] = (uint8_t)(v >> 8);
  out[3] = (uint8_t)v;
}

void stratus_sha256_final(stratus_sha256 *ctx, uint8_t digest[STRATUS_SHA256_BYTES]) {
  uint8_t i = ctx->used;
  /* 0x80, zeros up to 56 bytes in the block, then the length in bits as 64 bits (FIPS 180-4 §5.1.1),
   * all written into the block itself: digest may be the block (key_pad's is) */
  ctx->block.bytes[i++] = 0x80;
  for (;;) {
    if (i == STRATUS_SHA256_BLOCK) {
      compress(ctx);
      i = 0;
    }
    if (i == 56) break;
    ctx->block.bytes[i++] = 0;
  }
  put_be32(ctx->block.bytes + 56, (uint32_t)ctx->length >> 29);
  put_be32(ctx->block.bytes + 60, (uint32_t)ctx->length << 3);
  compress(ctx);
  for (i = 0; i < 8; i++) put_be32(digest + 4 * i, ctx->state[i]);
}

/* Starts ctx with the block key XOR pad, written straight into its own block buffer (no second
 * 64-byte buffer on the stack of an 8-bit MCU). */
void stratus_key_pad(stratus_sha256 *ctx, const uint8_t *key, size_t key_len, uint8_t pad);
void STRATUS_SAVED(stratus_key_pad)(stratus_sha256 *ctx, const uint8_t *key, size_t key_len, uint8_t pad) {
  uint8_t i;
  if (key_len > STRATUS_SHA256_BLOCK) {
    /* a key longer than a block is replaced by its digest (RFC 2104 §2), hashed by ctx itself into
     * its own block (no second context on the stack) and XORed in place below */
    stratus_sha256_init(ctx);
    stratus_sha256_update(ctx, key, key_len);
    stratus_sha256_final(ctx, ctx->block.bytes);
    key = ctx->block.bytes;
    key_len = STRATUS_SHA256_BYTES;
  }
  stratus_sha256_init(ctx);
  for (i = 0; i < STRATUS_SHA256_BLOCK; i++) ctx->block.bytes[i] = (uint8_t)((i < key_len ? key[i] : 0) ^ pad);
  ctx->length = STRATUS_SHA256_BLOCK;
  compress(ctx);
}

void stratus_hmac_init(stratus_hmac *ctx, const void *key, size_t key_len) {
  ctx->key = (const uint8_t *)key;
  ctx->key_len = key_len;
  stratus_key_pad(&ctx->inner, ctx->key, key_len, 0x36);
}

void stratus_hmac_update(stratus_hmac *ctx, const void *data, size_t len) {
  stratus_sha256_update(&ctx->inner, data, len);
}

void stratus_hmac_final(stratus_hmac *ctx, uint8_t mac[STRATUS_SHA256_BYTES]) {
  /* the inner digest waits in `mac` (no buffer of its own on the stack) */
  stratus_sha256_final(&ctx->inner, mac);
  stratus_key_pad(&ctx->inner, ctx->key, ctx->key_len, 0x5c);
  stratus_sha256_update(&ctx->inner, mac, STRATUS_SHA256_BYTES);
  stratus_sha256_final(&ctx->inner, mac);
}
