/* libFuzzer: the HTTP answer reader and its envelope (PROTOCOL §3.1), fed in pieces whose size the
 * first byte picks. */
#include <stdint.h>
#include <string.h>

#include "stratus_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char body[64];
  stratus_answer a;
  size_t step, at = 1;
  if (size == 0) return 0;
  step = (size_t)(data[0] % 17) + 1;
  stratus_answer_init(&a, body, sizeof body);
  while (at < size && a.state != STRATUS_ANSWER_DONE && a.state != STRATUS_ANSWER_FAILED) {
    size_t n = size - at < step ? size - at : step;
    stratus_answer_feed(&a, data + at, n);
    at += n;
  }
  stratus_answer_end(&a);
  if (a.body_len >= sizeof body || body[a.body_len] != '\0') __builtin_trap();
  (void)stratus_answer_verified(&a, "secret", "nonce");
  /* the envelope read or not, the body stays inside the buffer and NUL-terminated */
  if (a.body < body || a.body + a.body_len >= body + sizeof body || a.body[a.body_len] != '\0') __builtin_trap();
  (void)stratus_answer_code(&a);
  return 0;
}
