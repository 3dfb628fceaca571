/* The publish queue: messages packed in a byte buffer the sketch sizes as the lines a sync sends,
 * oldest first, each kept with its id so a retry after a lost answer (or a reset, with storage) never stores twice (§6). */
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

/* Appends a message as its sync request line (PROTOCOL §6.1); an empty scope means PRIVATE (the
 * server's default), a ttl of 0 the app's default. STRATUS_E_QUEUE_FULL when it does not fit (the
 * queue is unchanged). */
stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl);
/* How many messages the queue holds. */
size_t stratus_queue_count(const stratus_queue *q);
/* The bytes of the whole lines at the start (a tail damaged in storage, without its line end, is
 * not a message). */
size_t stratus_queue_whole(const stratus_queue *q);
/* Drops the first len bytes (len ≤ used): the records that were there when a sync sent the queue,
 * as it stood then (later ones are appended after them). */
void stratus_queue_drop_bytes(stratus_queue *q, size_t len);

#ifdef __cplusplus
}
#endif

#endif
