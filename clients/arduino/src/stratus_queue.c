#include "stratus_queue.h"

#include <string.h>

/* A record: ttl (4 bytes, the machine's byte order: the queue never leaves it), then id, scope, stream and value, each NUL-ended: the NULs are
 * the only framing (a record damaged in storage ends the walk). */
#define HEAD 4

stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl) {
  const char *parts[4];
  size_t total = HEAD, i;
  uint8_t *p = q->buf + q->used;
  parts[0] = id;
  parts[1] = scope;
  parts[2] = stream;
  parts[3] = value;
  for (i = 0; i < 4; i++) total += strlen(parts[i]) + 1;
  if (total > q->size - q->used) return STRATUS_E_QUEUE_FULL;
  memcpy(p, &ttl, HEAD);
  p += HEAD;
  for (i = 0; i < 4; i++) {
    size_t n = strlen(parts[i]) + 1;
    memcpy(p, parts[i], n);
    p += n;
  }
  q->used += total;
  return STRATUS_OK;
}

int stratus_queue_next(const stratus_queue *q, size_t *pos, stratus_queued *item) {
  const uint8_t *p = q->buf + *pos, *end = q->buf + q->used;
  const char *parts[4];
  uint8_t i;
  if (*pos + HEAD >= q->used) return 0;
  memcpy(&item->ttl, p, HEAD);
  p += HEAD;
  for (i = 0; i < 4; i++) {
    const uint8_t *nul = (const uint8_t *)memchr(p, 0, (size_t)(end - p));
    if (nul == NULL) return 0;
    parts[i] = (const char *)p;
    p = nul + 1;
  }
  item->id = parts[0];
  item->scope = parts[1];
  item->stream = parts[2];
  item->value = parts[3];
  *pos = (size_t)(p - q->buf);
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
