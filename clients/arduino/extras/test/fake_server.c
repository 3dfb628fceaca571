#include "fake_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stratus_hex.h"
#include "stratus_sign.h"

static int f_connect(void *ctx, const char *host, size_t host_len, uint16_t port) {
  fake_server *s = (fake_server *)ctx;
  if (host_len >= sizeof s->host) host_len = sizeof s->host - 1;
  memcpy(s->host, host, host_len);
  s->host[host_len] = '\0';
  s->port = port;
  if (s->fail_connect) return -1;
  s->connected = 1;
  s->responded = 0;
  s->request_len = 0;
  s->response_len = s->response_at = 0;
  s->requests++;
  return 0;
}

static int f_write(void *ctx, const uint8_t *data, size_t len) {
  fake_server *s = (fake_server *)ctx;
  if (s->request_len + len >= sizeof s->request) return -1;
  memcpy(s->request + s->request_len, data, len);
  s->request_len += len;
  s->request[s->request_len] = '\0';
  return (int)len;
}

static int f_read(void *ctx, uint8_t *buf, size_t len) {
  fake_server *s = (fake_server *)ctx;
  size_t n;
  s->now_ms += s->tick_ms;
  if (s->stall) return 0;
  if (!s->responded) {
    s->responded = 1;
    s->respond(s);
  }
  if (s->response_at >= s->response_len) return -1;
  n = s->response_len - s->response_at;
  if (n > len) n = len;
  if (s->max_read > 0 && n > s->max_read) n = s->max_read;
  memcpy(buf, s->response + s->response_at, n);
  s->response_at += n;
  return (int)n;
}

static void f_close(void *ctx) { ((fake_server *)ctx)->connected = 0; }
static uint32_t f_millis(void *ctx) { return ((fake_server *)ctx)->now_ms; }
static uint32_t f_unix(void *ctx) { return ((fake_server *)ctx)->unix_time; }
static uint32_t f_entropy(void *ctx) { return ((fake_server *)ctx)->now_ms * 2654435761u; }

void fake_init(fake_server *s, stratus_transport *t, const char *secret, fake_responder respond) {
  memset(s, 0, sizeof *s);
  memset(t, 0, sizeof *t);
  s->secret = secret;
  s->respond = respond;
  s->tick_ms = 1;
  t->ctx = s;
  t->connect = f_connect;
  t->write = f_write;
  t->read = f_read;
  t->close = f_close;
  t->millis = f_millis;
  t->unix_time = f_unix;
  t->entropy = f_entropy;
}

const char *fake_header(const fake_server *s, const char *name, char *out, size_t out_size) {
  char pattern[64];
  const char *at, *end;
  size_t n;
  snprintf(pattern, sizeof pattern, "\r\n%s: ", name);
  out[0] = '\0';
  at = strstr(s->request, pattern);
  if (at == NULL) return out;
  at += strlen(pattern);
  end = strstr(at, "\r\n");
  n = end == NULL ? 0 : (size_t)(end - at);
  if (n >= out_size) n = out_size - 1;
  memcpy(out, at, n);
  out[n] = '\0';
  return out;
}

const char *fake_body(const fake_server *s) {
  const char *at = strstr(s->request, "\r\n\r\n");
  return at == NULL ? "" : at + 4;
}

void fake_answer(fake_server *s, unsigned status, uint32_t time, const char *extra_headers, const char *body, size_t body_len,
                 int sign) {
  char nonce[80], time_text[11], sig[65], envelope[128];
  const char *retry;
  uint8_t digest[32], mac[32];
  stratus_sha256 h;
  stratus_hmac m;
  int n;
  fake_header(s, "X-Stratus-Nonce", nonce, sizeof nonce);
  stratus_format_u32(time, time_text);
  stratus_sha256_init(&h);
  stratus_sha256_update(&h, body, body_len);
  stratus_sha256_final(&h, digest);
  stratus_hmac_init(&m, s->secret, strlen(s->secret));
  stratus_hmac_text(&m, "STRATUS-HMAC-SHA256-RESPONSE\n");
  stratus_hmac_text(&m, nonce);
  stratus_hmac_text(&m, "\n");
  n = snprintf(sig, sizeof sig, "%u\n", status);
  stratus_hmac_update(&m, sig, (size_t)n);
  stratus_hmac_text(&m, time_text);
  stratus_hmac_text(&m, "\n");
  stratus_hmac_hex(&m, digest, 32);
  stratus_hmac_final(&m, mac);
  stratus_hex_encode(mac, 32, sig);
  /* a signed answer in its envelope (PROTOCOL §3.1), as the client asks: a 304 goes out as 200, and
   * Retry-After (from extra_headers) rides in the envelope too */
  retry = extra_headers != NULL ? strstr(extra_headers, "Retry-After: ") : NULL;
  envelope[0] = '\0';
  if (sign) {
    snprintf(envelope, sizeof envelope, "stratus: %u %s %lu %s\n", status, time_text,
             retry != NULL ? strtoul(retry + 13, NULL, 10) : 0UL, sig);
  }
  n = snprintf(s->response, sizeof s->response, "HTTP/1.1 %u X\r\nX-Stratus-Time: %s\r\n%sContent-Length: %zu\r\n\r\n%s",
               sign && status == 304 ? 200 : status, time_text, extra_headers != NULL ? extra_headers : "",
               strlen(envelope) + (status == 304 ? 0 : body_len), envelope);
  memcpy(s->response + n, body, body_len);
  s->response_len = (size_t)n + body_len;
  s->response_at = 0;
}
