/* Typed error codes: PROTOCOL §4's stable codes, then the client's own. Values are stable too. */
#ifndef STRATUS_ERROR_H
#define STRATUS_ERROR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum stratus_error_code {
  STRATUS_OK = 0,
  /* PROTOCOL §4, as the server names them (docs/errors.md) */
  STRATUS_E_BAD_REQUEST = 1,
  STRATUS_E_BAD_SIGNATURE = 2,
  STRATUS_E_STALE_TIME = 3,
  STRATUS_E_REPLAYED = 4,
  STRATUS_E_PENDING_APPROVAL = 5,
  STRATUS_E_DENIED = 6,
  STRATUS_E_FORBIDDEN = 7,
  STRATUS_E_TOO_LARGE = 8,
  STRATUS_E_RATE_LIMITED = 9,
  STRATUS_E_NOT_FOUND = 10,
  STRATUS_E_UNAVAILABLE = 11,
  STRATUS_E_UNAUTHORIZED = 12,
  STRATUS_E_CONFLICT = 13,
  STRATUS_E_INTERNAL = 14,
  STRATUS_E_QUOTA_EXCEEDED = 15,      /* contract 1.1: a quota of the app or device is reached */
  /* the client's own */
  STRATUS_E_TIMEOUT = 32,             /* a wait passed the configured timeout */
  STRATUS_E_CONNECT = 33,             /* the transport could not connect */
  STRATUS_E_CLOSED = 34,              /* the connection ended before the answer did */
  STRATUS_E_BAD_ANSWER = 35,          /* the answer is not HTTP/1.x or not the expected form */
  STRATUS_E_BAD_ANSWER_SIGNATURE = 36,/* X-Stratus-Signature missing or wrong (PROTOCOL §3) */
  STRATUS_E_TOO_LARGE_ANSWER = 37,    /* the body did not fit the answer buffer: drained, not applied */
  STRATUS_E_QUEUE_FULL = 38,          /* the publish queue has no room for the message */
  STRATUS_E_TOO_MANY_SUBSCRIPTIONS = 39,
  STRATUS_E_BAD_URL = 40,
  STRATUS_E_BAD_CONFIG_FILE = 41,     /* a static config file failed its signature or header check */
  STRATUS_E_HTTP_STATUS = 42,         /* a status the client has no meaning for, without a known code */
  STRATUS_E_BACKOFF = 43,             /* maybeUpdate: waiting out a backoff or Retry-After */
  STRATUS_E_TOO_LONG = 44,            /* a name or value passed to the library is over its limit */
  STRATUS_E_NOT_READY = 45            /* no transport / not begun */
};
/* One of the codes above, held in a byte (an 8-bit MCU moves and compares it in one register). */
typedef uint8_t stratus_error;

/* The code's wire name ("stale_time", "bad_answer_signature"…), in RAM on every target. */
const char *stratus_error_name(stratus_error code);

/* The code named by `name` (length `len`), STRATUS_E_HTTP_STATUS when it is unknown. */
stratus_error stratus_error_from_name(const char *name, size_t len);

/* The error a status implies when the body names no known code. */
stratus_error stratus_error_from_status(unsigned status);

#ifdef __cplusplus
}
#endif

#endif
