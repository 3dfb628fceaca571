/*
 * Config text (PROTOCOL §5, docs/protocol.md): `key: value\n` lines read in place from the cached
 * text, values unescaped (`\\`, `\n`, `\r`) only into the caller's buffer. Also the static export:
 * a header line naming app and device, the text, and a `signature:` line over every byte before it.
 */
#ifndef STRATUS_CONFIG_H
#define STRATUS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stratus_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One entry as found in the text: pointers into it, the value still escaped. */
typedef struct stratus_entry {
  const char *key;
  size_t key_len;
  const char *value;
  size_t value_len;
} stratus_entry;

/* Walks the entries from *pos (start at 0): a line is an entry when it holds ": " after at least
 * one byte; other lines (comments, the static header, empty) are skipped. 0 at the end. */
bool stratus_config_next(const char *text, size_t len, size_t *pos, stratus_entry *entry);

/* The value of `key` (the last line naming it, as a parser filling a map would); NULL if absent. */
const char *stratus_config_find(const char *text, size_t len, const char *key, size_t *value_len);

/* Unescapes into out (out_size bytes with the NUL); returns the unescaped length, or
 * (size_t)-1 when it does not fit (out then holds a NUL-terminated prefix). */
size_t stratus_unescape(const char *in, size_t len, char *out, size_t out_size);

/* Unescapes in place (it only shrinks); returns the new length. */
size_t stratus_unescape_in_place(char *text, size_t len);

/* Whole-text numbers and booleans, without libc: 0 when the text is not one. */
bool stratus_parse_long(const char *s, size_t len, long *out);
bool stratus_parse_u32(const char *s, size_t len, uint32_t *out);
/* *v = *v * 10 + the digit c; 0 when c is no digit or the result passes 2^32 - 1. */
bool stratus_add_digit(uint32_t *v, char c);
bool stratus_parse_float(const char *s, size_t len, float *out);
bool stratus_parse_bool(const char *s, size_t len, bool *out); /* true/false, 1/0, yes/no, on/off */

/* Is every line an entry, a `#` comment or empty (what the project's parser accepts)? */
bool stratus_config_valid(const char *text, size_t len);

/* Verifies a static config file in `file` (len bytes) for this app and device (the header may also
 * name device `*`); *text_len is then the length of the text before the signature line (header
 * included: readers skip it as a comment).
 * STRATUS_E_BAD_CONFIG_FILE when the signature, the header or a line is wrong (file unchanged then). */
stratus_error stratus_static_verify(const char *secret, const char *app, const char *device, char *file, size_t len,
                                    size_t *text_len);

#ifdef __cplusplus
}
#endif

#endif
