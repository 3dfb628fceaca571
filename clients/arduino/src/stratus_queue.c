#include "stratus_queue.h"

#include <string.h>

/* A record: total length (2 bytes, LE), ttl (4 bytes, LE), then id, scope, stream and value, each NUL-ended. */
#define HEAD 6

stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl) {
  size_t lens[4], total = HEAD, i;
  const char *parts[4];
  uint8_t *p;
  parts[0] = id;
  parts[1] = scope;
  parts[2] = stream;
  parts[3] = value;
  for (i = 0; i < 4; i++) {
    lens[i] = strlen(parts[i]) + 1;
    total += lens[i];
  }
  if (total > 0xFFFF || total > q->size - q->used) return STRATUS_E_QUEUE_FULL;
  p = q->buf + q->used;
  p[0] = (uint8_t)total;
  p[1] = (uint8_t)(total >> 8);
  for (i = 0; i < 4; i++) p[2 + i] = (uint8_t)(ttl >> (8 * i));
  p += HEAD;
  for (i = 0; i < 4; i++) {
    memcpy(p, parts[i], lens[i]);
    p += lens[i];
  }
  q->used += total;
  return STRATUS_OK;
}

/* The NUL-ended string at *at within [.., end), advancing past it; NULL when it is not ended. */
static const char *take(const uint8_t *end, const uint8_t **at) {
  const uint8_t *start = *at;
  const uint8_t *nul = (const uint8_t *)memchr(start, 0, (size_t)(end - start));
  if (nul == NULL) return NULL;
  *at = nul + 1;
  return (const char *)start;
}

int stratus_queue_next(const stratus_queue *q, size_t *pos, stratus_queued *item) {
  const uint8_t *p, *end, *at;
  size_t total;
  if (*pos + HEAD > q->used) return 0;
  p = q->buf + *pos;
  total = (size_t)p[0] | ((size_t)p[1] << 8);
  if (total < HEAD + 4 || total > q->used - *pos) return 0;
  end = p + total;
  item->ttl = (uint32_t)p[2] | ((uint32_t)p[3] << 8) | ((uint32_t)p[4] << 16) | ((uint32_t)p[5] << 24);
  at = p + HEAD;
  if ((item->id = take(end, &at)) == NULL || (item->scope = take(end, &at)) == NULL ||
      (item->stream = take(end, &at)) == NULL || (item->value = take(end, &at)) == NULL || at != end) {
    return 0;
  }
  *pos += total;
  return 1;
}

void stratus_queue_drop(stratus_queue *q, size_t count) {
  size_t pos = 0;
  stratus_queued item;
  while (count > 0 && stratus_queue_next(q, &pos, &item)) count--;
  if (count > 0) pos = q->used; /* a damaged tail goes too */
  memmove(q->buf, q->buf + pos, q->used - pos);
  q->used -= pos;
}

size_t stratus_queue_count(const stratus_queue *q) {
  size_t pos = 0, n = 0;
  stratus_queued item;
  while (stratus_queue_next(q, &pos, &item)) n++;
  return n;
}
