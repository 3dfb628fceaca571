#include "stratus_url.h"

#include <string.h>

#include "stratus_pgm.h"

bool stratus_url_parse(const char *url, size_t len, stratus_url *out) {
  static const char scheme[] STRATUS_PROGMEM = "http";
  const char *p = url + 4, *end = url + len;
  uint16_t port = 80;
  if (len < 7 || !stratus_flash_equals(url, 4, scheme)) return 0;
  if (*p == 's') {
    p++;
    port = 443;
  }
  if (end - p < 3 || p[0] != ':' || p[1] != '/' || p[2] != '/') return 0;
  out->host = p += 3;
  while (p < end && *p != ':' && *p != '/' && *p != '?') p++;
  out->host_len = (size_t)(p - out->host);
  if (out->host_len == 0) return 0;
  if (p < end && *p == ':') {
    port = 0;
    while (++p < end && *p != '/' && *p != '?') {
      uint8_t digit = (uint8_t)(*p - '0');
      if (digit > 9 || port > 6553 || (port == 6553 && digit > 5)) return 0;
      port = (uint16_t)(port * 10 + digit);
    }
    if (port == 0) return 0;
  }
  out->port = port;
  out->authority_len = (size_t)(p - out->host);
  out->path = p;
  out->path_len = (size_t)(end - p);
  if (p == end) {
    out->path = "/";
    out->path_len = 1;
  }
  return 1;
}
