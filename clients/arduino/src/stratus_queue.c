#include "stratus_queue.h"

#include <string.h>

/* A record: ttl (4 bytes, the machine's byte order: the queue never leaves it), then id, scope, stream and value, each NUL-ended: the NULs are
 * the only framing (a record damaged in storage ends the walk). */
#define HEAD 4

stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl) {
  const char *parts[4];
  size_t at = q->used + HEAD;
  uint8_t i;
  parts[0] = id;
  parts[1] = scope;
  parts[2] = stream;
  parts[3] = value;
  for (i = 0; i < 4; i++) { /* copied as it fits; q->used moves only once the whole record did */
    const char *p = parts[i];
    do {
      if (at >= q->size) return STRATUS_E_QUEUE_FULL;
      q->buf[at++] = (uint8_t)*p;
    } while (*p++ != '\0');
  }
  memcpy(q->buf + q->used, &ttl, HEAD);
  q->used = at;
  return STRATUS_OK;
}

int stratus_queue_next(const stratus_queue *q, size_t *pos, stratus_queued *item) {
  const char *parts[4];
  size_t at = *pos + HEAD;
  uint8_t i;
  if (at >= q->used) return 0;
  memcpy(&item->ttl, q->buf + *pos, HEAD);
  for (i = 0; i < 4; i++) {
    parts[i] = (const char *)q->buf + at;
    while (at < q->used && q->buf[at] != 0) at++;
    if (at++ >= q->used) return 0;
  }
  item->id = parts[0];
  item->scope = parts[1];
  item->stream = parts[2];
  item->value = parts[3];
  *pos = at;
  return 1;
}

/* Drops the `count` oldest records (all of them when count is more: a damaged tail goes too);
 * returns how many records were walked. */
static size_t walk_drop(stratus_queue *q, size_t count) {
  size_t pos = 0, n = 0;
  stratus_queued item;
  while (n < count && stratus_queue_next(q, &pos, &item)) n++;
  if (count != (size_t)-1) {
    if (n < count) pos = q->used;
    memmove(q->buf, q->buf + pos, q->used - pos);
    q->used -= pos;
  }
  return n;
}

void stratus_queue_drop(stratus_queue *q, size_t count) { walk_drop(q, count); }

size_t stratus_queue_count(const stratus_queue *q) { return walk_drop((stratus_queue *)q, (size_t)-1); }

void stratus_queue_drop_bytes(stratus_queue *q, size_t len) {
  memmove(q->buf, q->buf + len, q->used - len);
  q->used -= len;
}
