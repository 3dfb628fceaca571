#include "stratus_sync.h"

#include <stddef.h>
#include <string.h>

#include "stratus_config.h"
#include "stratus_pgm.h"

/* The fields, by their index in `offsets` plus one: the numbers first, then the words (an id may
 * be `*`), then the rest of the line. */
#define F_TIME "\001"
#define F_SEQ "\002"
#define F_INDEX "\003"
#define F_CURSOR "\004"
#define F_HEAD "\005"
#define F_ID "\006"
#define F_CODE "\007"
#define F_SCOPE "\010"
#define F_STREAM "\011"
#define F_FROM "\012"
#define F_REST "\013"
#define NUMBER_FIELDS 5
#define ID_FIELD 6
#define REST_FIELD 11
static const uint8_t offsets[] STRATUS_PROGMEM = {
    offsetof(stratus_record, time),  offsetof(stratus_record, seq),    offsetof(stratus_record, index),
    offsetof(stratus_record, cursor), offsetof(stratus_record, head),  offsetof(stratus_record, id),
    offsetof(stratus_record, code),  offsetof(stratus_record, scope),  offsetof(stratus_record, stream),
    offsetof(stratus_record, from),  offsetof(stratus_record, text)};
/* Each kind's fields in order (flash on AVR). */
static const char formats[][7] STRATUS_PROGMEM = {
    F_TIME,                                          /* time */
    F_ID F_SEQ,                                      /* accepted */
    F_INDEX F_ID F_CODE F_REST,                      /* rejected */
    F_SCOPE F_STREAM F_CURSOR F_HEAD,                /* cursor */
    F_SCOPE F_STREAM F_SEQ F_TIME F_FROM F_REST,     /* message */
    F_INDEX F_TIME F_CURSOR F_CODE};                 /* stratus (the envelope) */

/* The record kinds, in the order of the STRATUS_RECORD_ values (flash on AVR). */
static const char kinds[] STRATUS_PROGMEM = "time\0accepted\0rejected\0cursor\0message\0stratus\0config\0";

/* Reads the fields of line[at, end) into r as the kind's format says; 0 when they do not fit it. */
static bool read_fields(const char *line, size_t at, size_t end, stratus_record *r) {
  const char *format = formats[r->kind - STRATUS_RECORD_TIME];
  uint8_t which;
  while ((which = STRATUS_READ_U8(format++)) != 0) {
    void *field = (char *)r + STRATUS_READ_U8(offsets + which - 1);
    size_t start = at;
    if (which == REST_FIELD) {
      at = end;
    } else {
      while (at < end && line[at] != ' ') at++;
      if (at == start) return 0;
    }
    if (which <= NUMBER_FIELDS) {
      if (!stratus_parse_u32(line + start, at - start, (uint32_t *)field)) return 0;
    } else {
      stratus_span *span = (stratus_span *)field;
      span->at = line + start;
      span->len = at - start;
      if (which == ID_FIELD && span->len == 1 && line[start] == '*') span->at = NULL, span->len = 0;
    }
    if (at < end) at++; /* the space after a field */
  }
  return at == end;
}

int8_t STRATUS_SAVED(stratus_sync_next)(const char *body, size_t len, size_t *pos, stratus_record *r) {
  while (*pos < len) {
    const char *line = body + *pos, *nl, *colon;
    size_t line_len, kind_len;
    nl = (const char *)memchr(line, '\n', len - *pos);
    line_len = nl == NULL ? len - *pos : (size_t)(nl - line);
    colon = (const char *)memchr(line, ':', line_len);
    if (colon == NULL || colon == line || (size_t)(colon - line) + 1 >= line_len || colon[1] != ' ') return -1;
    kind_len = (size_t)(colon - line);
    memset(r, 0, sizeof *r);
    r->kind = stratus_flash_index(kinds, line, kind_len, 0); /* 0: a kind this client does not know */
    *pos = nl == NULL ? len : *pos + line_len + 1;
    if (r->kind == STRATUS_RECORD_CONFIG) {
      /* the etag, then every byte after its line is the config text */
      r->etag.at = colon + 2;
      r->etag.len = line_len - kind_len - 2;
      r->text.at = body + *pos;
      r->text.len = len - *pos;
      *pos = len;
      return r->etag.len > 0 ? 1 : -1;
    }
    if (r->kind == 0) continue; /* a kind this client does not know: the form may grow */
    return read_fields(line, kind_len + 2, line_len, r) ? 1 : -1;
  }
  return 0;
}
bool stratus_sync_valid(const char *body, size_t len) {
  size_t pos = 0;
  stratus_record r;
  int got;
  while ((got = stratus_sync_next(body, len, &pos, &r)) == 1) {
  }
  return got == 0;
}
