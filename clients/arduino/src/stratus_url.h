/* http(s)://host[:port][/path] split in place (the text is the sketch's or the config's). */
#ifndef STRATUS_URL_H
#define STRATUS_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stratus_url {
  const char *host;
  size_t authority_len; /* the host and its `:port` as written: the Host header (right after host:
                         * the head's template writes the pair) */
  size_t host_len;
  const char *path;     /* path and query; "/" when the URL has none */
  size_t path_len;
  uint16_t port;
} stratus_url;

/* 1 when url (len bytes) is http:// or https:// with a host (port 80 / 443 unless given). */
bool stratus_url_parse(const char *url, size_t len, stratus_url *out);

#ifdef __cplusplus
}
#endif

#endif
