#include "stratus_error.h"

#include <string.h>

#include "stratus_pgm.h"

/* One flash string with every name, NUL-separated, in enum order (PROTOCOL §4 codes 1..15). */
static const char protocol_names[] STRATUS_PROGMEM =
    "ok\0bad_request\0bad_signature\0stale_time\0replayed\0pending_approval\0denied\0forbidden\0"
    "too_large\0rate_limited\0not_found\0unavailable\0unauthorized\0conflict\0internal\0quota_exceeded\0";
static const char client_names[] STRATUS_PROGMEM =
    "timeout\0connect_failed\0connection_closed\0bad_answer\0bad_answer_signature\0too_large_answer\0"
    "queue_full\0too_many_subscriptions\0bad_url\0bad_config_file\0http_status\0backoff\0too_long\0"
    "not_ready\0";

#define PROTOCOL_COUNT 16
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

/* The server's codes (1..15) by a 16-bit hash of their names, h = h * 33 ^ byte (flash on AVR):
 * 30 bytes where the names would take 175 in a build that never shows one. parsers_test.c checks
 * that every name maps back to its code. */
static const uint16_t protocol_hashes[PROTOCOL_COUNT - 1] STRATUS_PROGMEM = {
    0x57e9, 0x863c, 0xf025, 0x4a92, 0xf847, 0x0c27, 0x5d3b, 0xf016,
    0x8fa9, 0x6e3c, 0x72e2, 0x057c, 0xd156, 0x1e87, 0x625a};

stratus_error stratus_error_from_name(const char *name, size_t len) {
  uint16_t h = 0;
  uint8_t i;
  while (len-- > 0) h = (uint16_t)(h * 33u ^ (uint8_t)*name++);
  for (i = 0; i < PROTOCOL_COUNT - 1; i++) {
    if (STRATUS_READ_U16(&protocol_hashes[i]) == h) return (stratus_error)(i + 1);
  }
  return STRATUS_E_HTTP_STATUS;
}

/* status - 400 and the code it stands for when the body names none (flash on AVR) */
static const uint8_t by_status[][2] STRATUS_PROGMEM = {
    {0, STRATUS_E_BAD_REQUEST}, {1, STRATUS_E_BAD_SIGNATURE}, {3, STRATUS_E_FORBIDDEN}, {4, STRATUS_E_NOT_FOUND},
    {9, STRATUS_E_CONFLICT},    {13, STRATUS_E_TOO_LARGE},    {29, STRATUS_E_RATE_LIMITED}, {100, STRATUS_E_INTERNAL},
    {103, STRATUS_E_UNAVAILABLE}};

stratus_error stratus_error_from_status(unsigned status) {
  uint8_t i;
  for (i = 0; i < sizeof by_status / sizeof *by_status; i++) {
    if (status - 400u == STRATUS_READ_U8(&by_status[i][0])) return (stratus_error)STRATUS_READ_U8(&by_status[i][1]);
  }
  return STRATUS_E_HTTP_STATUS;
}
