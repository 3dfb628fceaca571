/* SHA-256's block function for AVR, written for size (FIPS 180-4 §6.2.2); other targets build the
 * C one in stratus_sha256.c, which also checks the context layout this relies on.
 *
 *   void stratus_sha256_compress(stratus_sha256 *ctx);
 *
 * How the rounds are organised:
 * - Y points at ctx->state, which holds the working variables v[0..7] during the rounds; the
 *   block's 16 words follow at Y+32. The state as it was on entry is pushed on the stack (32 B) and
 *   added back at the end.
 * - Each round first moves v[0..6] up one word and h from v[7] to v[0], so that v = h a b c d e f g
 *   (a memmove of 28 B: small code, ~200 cycles). T1 is summed into v[0]: + W[i] + K[i] + Σ1(e)
 *   + Ch(e,f,g); then e = d + T1 is v[4] += v[0]; then v[0] += Σ0(a) + Maj(a,b,c) is the new a.
 * - The message schedule is a rolling window of 16 words in the block: round i reads and updates
 *   W[i mod 16]. Rounds 0-15 turn their word from big-endian into the AVR's order in place; later
 *   rounds add σ0(W[i+1]) + W[i+9] + σ1(W[i+14]) (mod 16) to it. The block is consumed.
 * - All additions go through one routine, [X] += R (R = r22..r25, X kept). Σ0, Σ1, σ0, σ1 are one
 *   routine driven by 5 bytes in flash: three rotation amounts (each relative to the previous one,
 *   so that one register is rotated on) and a mask on the first rotation's top two bytes, which
 *   turns ROTR into SHR for σ. A rotation right by n is (n / 8 + 1) byte moves then 8 - n mod 8
 *   single-bit rotations left; the amounts are ordered to keep those few.
 * - Ch and Maj are one byte loop: Ch(x,y,z) = z ^ (x & (y ^ z)), and Maj(x,y,z) = Ch(x ^ z, y, z).
 * - K and the σ parameters stay in flash (lpm), in .progmem so that they are in the lower 64 KB.
 *
 * Registers: r16 = 4 i (i = round, 0..63: it wraps to 0 after the last), r17 counts and takes
 * immediates, S = r18..r21 accumulates a σ, R = r22..r25, X the addition's target, Z walks, r1 = 0.
 * The avr-gcc ABI: r16, r17, r28, r29 are saved; r1 is never changed. */

#if defined(__AVR__) && defined(__AVR_HAVE_MOVW__) && defined(__AVR_HAVE_LPMX__)

#define STATE 3 /* offsetof(stratus_sha256, state); the block follows it */

  .section .text.stratus_sha256_compress,"ax",@progbits
  .global stratus_sha256_compress
  .type stratus_sha256_compress, @function
stratus_sha256_compress:
  push r16
  push r17
  push r28
  push r29
  movw r28, r24
  adiw r28, STATE
  movw r30, r28
  adiw r30, 32
  ldi r17, 32
1:ld r0, -Z                     /* a copy of the state on the stack, in the same order */
  push r0
  dec r17
  brne 1b
  clr r16

.Lround:
  ldi r17, 28                   /* h a b c d e f g */
  rcall .Lldv                   /* R = h; r17 = 28 still */
  sbiw r30, 4
2:ld r0, -Z
  std Z+4, r0
  dec r17
  brne 2b
  st Z+, r22
  st Z+, r23
  st Z+, r24
  st Z, r25

  clr r17
  rcall .Lwload
  movw r26, r30
  sbiw r26, 4                   /* X = &W[i mod 16] */
  cpi r16, 64
  brsh 3f
  st -Z, r22                    /* rounds 0-15: the word was big-endian */
  st -Z, r23
  st -Z, r24
  st -Z, r25
  rjmp 4f
3:ldi r17, 4                    /* W[i] += σ0(W[i+1]) + W[i+9] + σ1(W[i+14]) */
  rcall .Lwload
  ldi r30, lo8(.Lsigma0)
  ldi r31, hi8(.Lsigma0)
  rcall .Lsigma
  rcall .Ladd
  ldi r17, 36
  rcall .Lwload
  rcall .Ladd
  ldi r17, 56
  rcall .Lwload
  ldi r30, lo8(.Lsigma1)
  ldi r31, hi8(.Lsigma1)
  rcall .Lsigma
  rcall .Ladd
4:clr r17
  rcall .Lwload
  rcall .Ladd_v0                /* T1 = h + W[i] */
  mov r30, r16
  ldi r31, 0
  subi r30, lo8(-(.LK))
  sbci r31, hi8(-(.LK))
  lpm r22, Z+
  lpm r23, Z+
  lpm r24, Z+
  lpm r25, Z+
  rcall .Ladd_v0                /* + K[i] */
  ldi r17, 20
  rcall .Lldv
  ldi r30, lo8(.LSigma1)
  ldi r31, hi8(.LSigma1)
  rcall .Lsigma
  rcall .Ladd_v0                /* + Σ1(e) */
  ldi r17, 20
  clt
  rcall .Lchmaj                 /* + Ch(e, f, g) */
  clr r17
  rcall .Lldv
  adiw r26, 12                  /* X = v[1] after .Lchmaj: v[4] */
  rcall .Ladd                   /* e = d + T1 */
  ldi r17, 4
  rcall .Lldv
  ldi r30, lo8(.LSigma0)
  ldi r31, hi8(.LSigma0)
  rcall .Lsigma
  rcall .Ladd_v0                /* a = T1 + Σ0(a) */
  ldi r17, 4
  set
  rcall .Lchmaj                 /*   + Maj(a, b, c) */
  subi r16, -4
  breq 5f
  rjmp .Lround

5:movw r26, r28                 /* state += the copy on the stack */
  ldi r16, 8
6:pop r22
  pop r23
  pop r24
  pop r25
  rcall .Ladd
  adiw r26, 4
  dec r16
  brne 6b
  pop r29
  pop r28
  pop r17
  pop r16
  ret

/* R = W[(i + r17 / 4) mod 16], or v[r17 / 4]; Z past it */
.Lwload:
  add r17, r16
  andi r17, 60
  subi r17, -32
.Lldv:
  movw r30, r28
  add r30, r17
  adc r31, r1
  ld r22, Z+
  ld r23, Z+
  ld r24, Z+
  ld r25, Z+
  ret

/* v[0] += R, or [X] += R; X is kept */
.Ladd_v0:
  movw r26, r28
.Ladd:
  ld r0, X
  add r0, r22
  st X+, r0
  ld r0, X
  adc r0, r23
  st X+, r0
  ld r0, X
  adc r0, r24
  st X+, r0
  ld r0, X
  adc r0, r25
  st X, r0
  sbiw r26, 3
  ret

/* R = Σ or σ of R, as the 5 bytes at Z (flash) say; S and Z clobbered */
.Lsigma:
  lpm r17, Z+
  rcall .Lrotr
  movw r18, r22
  movw r20, r24
  lpm r0, Z+
  and r21, r0
  lpm r0, Z+
  and r20, r0
  rcall 7f
  rcall 7f
  movw r22, r18
  movw r24, r20
  ret
7:lpm r17, Z+
  rcall .Lrotr
  eor r18, r22
  eor r19, r23
  eor r20, r24
  eor r21, r25
  ret

/* R = R rotated right by r17 (0..31): whole bytes right, one byte more, then bits back left */
.Lrotr:
  subi r17, 8
  mov r0, r22
  mov r22, r23
  mov r23, r24
  mov r24, r25
  mov r25, r0
  brcc .Lrotr
8:lsl r22
  rol r23
  rol r24
  rol r25
  adc r22, r1
  inc r17
  brne 8b
  ret

/* v[0] += Ch(x, y, z) bytewise, x y z the words v[r17 / 4 ...]; Maj(x, y, z) when T is set */
.Lchmaj:
  movw r30, r28
  add r30, r17
  adc r31, r1                   /* no carry out of a RAM address: C is clear */
  movw r26, r28
  ldi r17, 4
9:ld r18, Z+
  ldd r19, Z+3
  ldd r20, Z+7
  brtc 10f
  eor r18, r20
10:eor r19, r20
  and r19, r18
  eor r19, r20
  ld r0, X
  adc r0, r19
  st X+, r0
  dec r17
  brne 9b
  ret
  .size stratus_sha256_compress, . - stratus_sha256_compress

  .section .progmem.data.stratus_sha256_k,"a",@progbits
/* FIPS 180-4 §4.2.2 */
.LK:
  .long 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
  .long 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
  .long 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
  .long 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
  .long 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
  .long 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
  .long 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
  .long 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
/* first rotation, mask of its bytes 3 and 2, second and third rotations relative to the one before:
 * Σ0 = ROTR 22 ^ 13 ^ 2, Σ1 = ROTR 6 ^ 11 ^ 25, σ0 = SHR 3 ^ ROTR 18 ^ 7, σ1 = SHR 10 ^ ROTR 17 ^ 19 */
.LSigma0:
  .byte 22, 0xff, 0xff, 23, 21
.LSigma1:
  .byte 6, 0xff, 0xff, 5, 14
.Lsigma0:
  .byte 3, 0x1f, 0xff, 15, 21
.Lsigma1:
  .byte 10, 0x00, 0x3f, 7, 2

#endif
