#include "stratus_error.h"

#include <string.h>

#include "stratus_pgm.h"

/* One flash string with every name, NUL-separated, in enum order (PROTOCOL §4 codes 1..14). */
static const char protocol_names[] STRATUS_PROGMEM =
    "ok\0bad_request\0bad_signature\0stale_time\0replayed\0pending_approval\0denied\0forbidden\0"
    "too_large\0rate_limited\0not_found\0unavailable\0unauthorized\0conflict\0internal\0";
static const char client_names[] STRATUS_PROGMEM =
    "timeout\0connect_failed\0connection_closed\0bad_answer\0bad_answer_signature\0too_large_answer\0"
    "queue_full\0too_many_subscriptions\0bad_url\0bad_config_file\0http_status\0backoff\0too_long\0"
    "not_ready\0";

#define PROTOCOL_COUNT 15
#define CLIENT_FIRST 32
#define CLIENT_COUNT 14

/* The index-th NUL-separated entry of a flash list, copied to a static buffer. */
static const char *nth_name(const char *list, unsigned index) {
  static char name[24];
  const char *p = list;
  while (index > 0) {
    while (STRATUS_READ_U8(p) != 0) p++;
    p++;
    index--;
  }
  size_t n = 0;
  while (n + 1 < sizeof name && STRATUS_READ_U8(p + n) != 0) {
    name[n] = (char)STRATUS_READ_U8(p + n);
    n++;
  }
  name[n] = '\0';
  return name;
}

const char *stratus_error_name(stratus_error code) {
  unsigned c = (unsigned)code;
  if (c < PROTOCOL_COUNT) return nth_name(protocol_names, c);
  if (c >= CLIENT_FIRST && c < CLIENT_FIRST + CLIENT_COUNT) return nth_name(client_names, c - CLIENT_FIRST);
  return nth_name(client_names, STRATUS_E_HTTP_STATUS - CLIENT_FIRST);
}

/* Does the flash entry at p equal name[0..len)? */
static int entry_equals(const char *p, const char *name, size_t len) {
  size_t i = 0;
  for (; i < len; i++) {
    if ((char)STRATUS_READ_U8(p + i) != name[i]) return 0;
  }
  return STRATUS_READ_U8(p + len) == 0;
}

stratus_error stratus_error_from_name(const char *name, size_t len) {
  const char *p = protocol_names;
  unsigned i;
  for (i = 0; i < PROTOCOL_COUNT; i++) {
    if (i > 0 && entry_equals(p, name, len)) return (stratus_error)i;
    while (STRATUS_READ_U8(p) != 0) p++;
    p++;
  }
  return STRATUS_E_HTTP_STATUS;
}

stratus_error stratus_error_from_status(unsigned status) {
  switch (status) {
    case 400: return STRATUS_E_BAD_REQUEST;
    case 401: return STRATUS_E_BAD_SIGNATURE;
    case 403: return STRATUS_E_FORBIDDEN;
    case 404: return STRATUS_E_NOT_FOUND;
    case 409: return STRATUS_E_CONFLICT;
    case 413: return STRATUS_E_TOO_LARGE;
    case 429: return STRATUS_E_RATE_LIMITED;
    case 500: return STRATUS_E_INTERNAL;
    case 503: return STRATUS_E_UNAVAILABLE;
    default: return STRATUS_E_HTTP_STATUS;
  }
}
