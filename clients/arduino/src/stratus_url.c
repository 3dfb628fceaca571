#include "stratus_url.h"

#include <string.h>

#include "stratus_config.h"
#include "stratus_pgm.h"

int stratus_url_parse(const char *url, size_t len, stratus_url *out) {
  size_t i, start;
  uint32_t port = 80;
  static const char scheme[] STRATUS_PROGMEM = "http";
  static const char slashes[] STRATUS_PROGMEM = "://";
  if (len < 7 || !stratus_flash_equals(url, 4, scheme)) return 0;
  start = 4;
  if (url[start] == 's') {
    start++;
    port = 443;
  }
  if (len < start + 3 || !stratus_flash_equals(url + start, 3, slashes)) return 0;
  start += 3;
  for (i = start; i < len && url[i] != ':' && url[i] != '/' && url[i] != '?'; i++) {
  }
  if (i == start) return 0;
  out->host = url + start;
  out->host_len = i - start;
  if (i < len && url[i] == ':') {
    size_t digits = ++i;
    while (i < len && url[i] >= '0' && url[i] <= '9') i++;
    if (!stratus_parse_u32(url + digits, i - digits, &port) || port == 0 || port > 65535) return 0;
  }
  if (i < len && url[i] != '/' && url[i] != '?') return 0;
  out->port = (uint16_t)port;
  out->path = url + i;
  out->path_len = len - i;
  return 1;
}
