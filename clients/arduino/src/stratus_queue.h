/* The publish queue: messages packed in a byte buffer the sketch sizes, oldest first, each kept
 * with its id so a retry after a lost answer (or a reset, with storage) never stores twice (§6). */
#ifndef STRATUS_QUEUE_H
#define STRATUS_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "stratus_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stratus_queue {
  uint8_t *buf;
  size_t size;
  size_t used;
} stratus_queue;

/* One queued message, pointing into the queue. An empty scope means PRIVATE (the server's default). */
typedef struct stratus_queued {
  const char *id;
  const char *scope;
  const char *stream;
  const char *value;
  uint32_t ttl; /* 0: the app's default */
} stratus_queued;

/* Appends a message; STRATUS_E_QUEUE_FULL when it does not fit (the queue is unchanged). */
stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl);
/* Walks from *pos (start at 0); 0 at the end (or at a damaged record, from storage). */
int stratus_queue_next(const stratus_queue *q, size_t *pos, stratus_queued *item);
/* Drops the `count` oldest messages. */
void stratus_queue_drop(stratus_queue *q, size_t count);
size_t stratus_queue_count(const stratus_queue *q);
/* Drops the first len bytes (len ≤ used): the records that were there when a sync sent the queue,
 * as it stood then (later ones are appended after them). */
void stratus_queue_drop_bytes(stratus_queue *q, size_t len);

#ifdef __cplusplus
}
#endif

#endif
