#include "stratus_url.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_pgm.h"

int stratus_url_parse(const char *url, size_t len, stratus_url *out) {
  static const char scheme[] STRATUS_PROGMEM = "http";
  const char *p = url + 4, *end = url + len, *host;
  uint32_t port = 80;
  if (len < 7 || !stratus_flash_equals(url, 4, scheme)) return 0;
  if (*p == 's') {
    p++;
    port = 443;
  }
  if (end - p < 3 || p[0] != ':' || p[1] != '/' || p[2] != '/') return 0;
  host = p += 3;
  while (p < end && *p != ':' && *p != '/' && *p != '?') p++;
  if (p == host) return 0;
  out->host = host;
  out->host_len = (size_t)(p - host);
  if (p < end && *p == ':') {
    const char *digits = ++p;
    while (p < end && *p >= '0' && *p <= '9') p++;
    if (!stratus_parse_u32(digits, (size_t)(p - digits), &port) || port == 0 || port > 65535) return 0;
  }
  if (p < end && *p != '/' && *p != '?') return 0;
  out->port = (uint16_t)port;
  out->path = p;
  out->path_len = (size_t)(end - p);
  return 1;
}
