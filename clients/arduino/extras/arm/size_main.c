/*
 * A minimal program that uses the C core the way a sketch does (config get, publish, subscribe,
 * update over a transport), so the linker keeps what a real device pays for. Built by
 * build-size.sh for a Cortex-M0+ and for the host; without STRATUS_SIZE_USE_CORE it is the
 * baseline (same buffers, no core) whose size is subtracted.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef STRATUS_SIZE_USE_CORE
#include "stratus_client.h"
#endif

/* the buffers a sketch sizes, as the AVR defaults of Stratus.h */
#define ANSWER_BYTES 256
#define CONFIG_BYTES 128
#define QUEUE_BYTES 64
#define SUBSCRIPTIONS 2

/* global, so that neither program can drop them: both hold the same buffers */
char answer[ANSWER_BYTES];
char config[CONFIG_BYTES];
uint8_t queue[QUEUE_BYTES];
volatile uint32_t sink;

/* a transport that never connects: the board's network stack is not what is measured */
static int t_connect(void *ctx, const char *host, size_t host_len, uint16_t port) {
  (void)ctx;
  (void)host;
  sink += (uint32_t)host_len + port;
  return -1;
}
static int t_write(void *ctx, const uint8_t *data, size_t len) {
  (void)ctx;
  sink += data[0];
  return (int)len;
}
static int t_read(void *ctx, uint8_t *buf, size_t len) {
  (void)ctx;
  (void)buf;
  (void)len;
  return -1;
}
static void t_close(void *ctx) { (void)ctx; }
static uint32_t t_millis(void *ctx) {
  (void)ctx;
  return sink++;
}
static uint32_t t_entropy(void *ctx) {
  (void)ctx;
  return sink * 2654435761u;
}

#ifdef STRATUS_SIZE_USE_CORE
static stratus_subscription subs[SUBSCRIPTIONS];
static stratus_client client;
static const stratus_transport transport = {NULL, t_connect, t_write, t_read, t_close, t_millis, NULL, t_entropy};

static void on_message(const char *stream, const char *data) { sink += (uint32_t)stream[0] + (uint32_t)data[0]; }

int main(void) {
  stratus_init(&client, "http://192.168.1.10:8080", "greenhouse", "secret key", "a4cf12fe0b11", answer, sizeof answer,
               config, sizeof config, queue, sizeof queue, subs, SUBSCRIPTIONS);
  stratus_begin(&client, &transport, NULL);
  stratus_subscribe(&client, "home", "cmd", on_message, 0, false);
  for (;;) {
    long variable = stratus_get_long(&client, "variable", 1);
    stratus_publish(&client, NULL, "temp", "21.5", 0, NULL, false);
    stratus_maybe_update(&client, (uint32_t)stratus_get_long(&client, "refresh interval", 300));
    sink += (uint32_t)variable;
  }
}
#else
int main(void) {
  const uint8_t byte = 1;
  uint8_t in;
  /* touch the buffers and the transport so the baseline keeps them too */
  for (;;) {
    answer[sink % ANSWER_BYTES] = (char)t_connect(NULL, config, sizeof config, 80);
    config[sink % CONFIG_BYTES] = answer[(sink + 1) % ANSWER_BYTES];
    queue[sink % QUEUE_BYTES] = (uint8_t)(t_write(NULL, &byte, 1) + t_read(NULL, &in, 1));
    t_close(NULL);
    sink += t_millis(NULL) + t_entropy(NULL);
  }
}
#endif
