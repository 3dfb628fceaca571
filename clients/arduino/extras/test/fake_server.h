/* A scripted server behind a stratus_transport: records each request, answers with bytes the test
 * builds (signed for the request's nonce), in reads as short as the test asks. */
#ifndef FAKE_SERVER_H
#define FAKE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "stratus_transport.h"

typedef struct fake_server fake_server;
/* Builds the answer to the request just written (s->request) into s->response. */
typedef void (*fake_responder)(fake_server *s);

struct fake_server {
  char request[8192];
  size_t request_len;
  char response[8192];
  size_t response_len, response_at;
  fake_responder respond;
  int responded, connected, fail_connect, stall;
  size_t max_read;
  uint32_t now_ms, tick_ms, unix_time;
  unsigned requests;
  char host[64];
  uint16_t port;
  const char *secret;
  void *user;
};

void fake_init(fake_server *s, stratus_transport *t, const char *secret, fake_responder respond);
/* The value of a request header (first occurrence), copied to out; "" when absent. */
const char *fake_header(const fake_server *s, const char *name, char *out, size_t out_size);
/* The request's body (after the blank line). */
const char *fake_body(const fake_server *s);
/* Sets the response: status, extra header lines ("Name: v\r\n"…), body, signed for the request's
 * nonce with s->secret at unix time `time` (sign = 0: no signature header). */
void fake_answer(fake_server *s, unsigned status, uint32_t time, const char *extra_headers, const char *body, size_t body_len,
                 int sign);

#endif
