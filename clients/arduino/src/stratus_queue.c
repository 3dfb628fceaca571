#include "stratus_queue.h"

#include <string.h>

#include "stratus_sign.h"

/* A message is kept as its line of the sync request's text form (PROTOCOL §6.1) less the kind:
 * `<id> <scope> <stream> <ttl> <value>\n`, `*` for an empty scope or a ttl of 0, the value escaped
 * like a config value. A sync sends the lines as they are; the line ends are the only framing. */

/* Appends len bytes when they fit; once one piece did not, *at stays past the end. */
static void put(stratus_queue *q, size_t *at, const char *text, size_t len) {
  if (*at + len > q->size) {
    *at = q->size + 1;
    return;
  }
  memcpy(q->buf + *at, text, len);
  *at += len;
}

/* A word field, `*` when empty, and the space after it. */
static void word(stratus_queue *q, size_t *at, const char *text) {
  size_t len = strlen(text);
  put(q, at, len != 0 ? text : "*", len != 0 ? len : 1);
  put(q, at, " ", 1);
}

stratus_error stratus_queue_push(stratus_queue *q, const char *id, const char *scope, const char *stream,
                                 const char *value, uint32_t ttl) {
  size_t at = q->used;
  char number[11];
  number[ttl != 0 ? stratus_format_u32(ttl, number) : 0] = '\0';
  word(q, &at, id);
  word(q, &at, scope);
  word(q, &at, stream);
  word(q, &at, number);
  for (; *value != '\0'; value++) {
    char c = *value, escape = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\\' ? '\\' : 0;
    if (escape != 0) {
      put(q, &at, "\\", 1);
      c = escape;
    }
    put(q, &at, &c, 1);
  }
  put(q, &at, "\n", 1);
  if (at > q->size) return STRATUS_E_QUEUE_FULL; /* the queue is as it was: used moves only now */
  q->used = at;
  return STRATUS_OK;
}

size_t stratus_queue_count(const stratus_queue *q) {
  size_t n = 0, i;
  for (i = 0; i < q->used; i++) n += q->buf[i] == '\n';
  return n;
}

size_t stratus_queue_whole(const stratus_queue *q) {
  size_t len = q->used;
  while (len > 0 && q->buf[len - 1] != '\n') len--;
  return len;
}

void stratus_queue_drop_bytes(stratus_queue *q, size_t len) {
  memmove(q->buf, q->buf + len, q->used - len);
  q->used -= len;
}
