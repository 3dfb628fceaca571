/* The text form of the sync answer (PROTOCOL §6.3): `<kind>: <fields>` records, one a line. The
 * request's text form (§6.1) is written by stratus_write_sync_body, from the queue's lines. */
#ifndef STRATUS_SYNC_H
#define STRATUS_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stratus_http.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  STRATUS_RECORD_TIME = 1,
  STRATUS_RECORD_ACCEPTED,
  STRATUS_RECORD_REJECTED,
  STRATUS_RECORD_CURSOR,
  STRATUS_RECORD_MESSAGE,
  STRATUS_RECORD_ENVELOPE, /* an answer's envelope: status in index, retry-after in cursor, signature in code */
  STRATUS_RECORD_CONFIG
};

typedef struct stratus_span {
  const char *at; /* NULL for `*` (no id) */
  size_t len;
} stratus_span;

/* One record; the fields its kind has are set, pointing into the answer. */
typedef struct stratus_record {
  uint8_t kind;
  uint32_t time;   /* time; message: its time */
  uint32_t seq;    /* accepted, message */
  uint32_t index;  /* rejected */
  uint32_t cursor; /* cursor */
  uint32_t head;   /* cursor */
  stratus_span id;     /* accepted, rejected */
  stratus_span code;   /* rejected */
  stratus_span scope;  /* cursor, message */
  stratus_span stream; /* cursor, message */
  stratus_span from;   /* message */
  stratus_span text;   /* rejected: message; message: value; config: the config text (all escaped but config) */
  stratus_span etag;   /* config */
} stratus_record;

/* Reads the record at *pos: 1 and the record, 0 at the end, -1 when the line is malformed.
 * Records of unknown kinds are skipped. `config:` takes the rest of the answer. */
int8_t stratus_sync_next(const char *body, size_t len, size_t *pos, stratus_record *record);

/* Checks every record of an answer without changing it: 1 when it is well formed. */
bool stratus_sync_valid(const char *body, size_t len);

#ifdef __cplusplus
}
#endif

#endif
