/* libFuzzer: the client past the signature check. The fuzz input is the body of a correctly signed
 * sync answer (the scripted server signs whatever it is given), so apply, delivery (unescaping and
 * NUL-terminating in place), acknowledgement and config replacement all see arbitrary bytes. */
#include <stdint.h>
#include <string.h>

#include "fake_server.h"
#include "stratus_client.h"

static const uint8_t *input;
static size_t input_len;

static void respond(fake_server *s) { fake_answer(s, 200, 1800000000UL, "ETag: \"f\"\r\n", (const char *)input, input_len, 1); }

static void on_message(void *user, const stratus_message *m) {
  (void)user;
  if (strlen(m->value) != m->value_len && memchr(m->value, 0, m->value_len) == NULL) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char answer[1024], config[256];
  static uint8_t queue[128];
  static stratus_subscription subs[3];
  static fake_server server;
  static stratus_transport transport;
  stratus_client c;
  if (size > 4000) return 0;
  input = data;
  input_len = size;
  fake_init(&server, &transport, "fuzz-secret", respond);
  server.max_read = 7;
  stratus_init(&c, "http://fuzz.test:1", "app", "fuzz-secret", "dev", answer, sizeof answer, config, sizeof config,
               queue, sizeof queue, subs, 3);
  stratus_begin(&c, &transport, NULL);
  stratus_subscribe_handler(&c, "home", "cmd", on_message, NULL, 0, false);
  stratus_subscribe_handler(&c, NULL, "kv", on_message, NULL, 5, true);
  stratus_publish(&c, "home", "temp", "21.5", 0, "id-1", false);
  (void)stratus_update(&c);
  (void)stratus_update(&c); /* with whatever the first answer left: cursors, config, etag */
  {
    size_t len;
    char out[16];
    (void)stratus_get_raw(&c, "stratus.server", &len);
    (void)stratus_get_string(&c, "a", "", out, sizeof out);
  }
  return 0;
}
