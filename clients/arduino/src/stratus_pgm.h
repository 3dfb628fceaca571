/* Constant tables and strings in flash on AVR (PROGMEM); a no-op layer elsewhere. */
#ifndef STRATUS_PGM_H
#define STRATUS_PGM_H

#include <stdint.h>
#include <string.h>

#if defined(__AVR__)
#include <avr/pgmspace.h>
#define STRATUS_PROGMEM PROGMEM
#define STRATUS_READ_U8(p) pgm_read_byte(p)
#define STRATUS_READ_U16(p) pgm_read_word(p)
#define STRATUS_READ_U32(p) pgm_read_dword(p)
#define STRATUS_MEMCPY_P(dst, src, n) memcpy_P((dst), (src), (n))
#define STRATUS_STRLEN_P(s) strlen_P(s)
#else
#define STRATUS_PROGMEM
#define STRATUS_READ_U8(p) (*(const uint8_t *)(p))
#define STRATUS_READ_U16(p) (*(const uint16_t *)(p))
#define STRATUS_READ_U32(p) (*(const uint32_t *)(p))
#define STRATUS_MEMCPY_P(dst, src, n) memcpy((dst), (src), (n))
#define STRATUS_STRLEN_P(s) strlen(s)
#endif

/* A string literal kept in flash: `static const char name[] STRATUS_PROGMEM = "…";`. */

/* Out of line on purpose: on an 8-bit MCU the frames of inlined helpers pile up in their caller's
 * (link-time optimisation inlines single-use functions), and update() must fit an Uno's stack. */
#if defined(__GNUC__)
#define STRATUS_NOINLINE __attribute__((noinline))
#else
#define STRATUS_NOINLINE
#endif

/* `T STRATUS_SAVED(f)(args) {…}` defines f. On AVR the call-saved registers are then pushed and
 * popped around f by one routine shared by all such functions (stratus_saves_avr.S, which lists them),
 * not by f's own prologue and epilogue: what -mcall-prologues does for a whole build, which a
 * library cannot ask of the Arduino IDE. f's body is compiled as f_body; it must take its arguments
 * in registers (18 bytes at most), and be one that every build calling update() links: a body is
 * linked even when nothing calls it. */
#if defined(__AVR__) && !defined(__AVR_TINY__)
#define STRATUS_SAVED(name) __attribute__((OS_task, noinline, noclone, used)) name##_body
#else
#define STRATUS_SAVED(name) name
#endif

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when ram[0..len) equals the whole NUL-terminated flash string. */
bool stratus_flash_equals(const char *ram, size_t len, const char *flash);
/* Which word of a flash list ("one\0two\0", ended by an empty word) text[0..len) is: 1 for the
 * first, 0 for none. fold: compare A-Z as a-z (the list is lower case). */
uint8_t stratus_flash_index(const char *list, const char *text, size_t len, int fold);
/* Copies a flash string with its NUL into out (out_size bytes at least strlen + 1). */
char *stratus_flash_copy(char *out, const char *flash);

#ifdef __cplusplus
}
#endif

#endif
