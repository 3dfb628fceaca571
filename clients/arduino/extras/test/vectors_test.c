/* Every case of spec/vectors.json, reproduced by the C core (the header is generated at test time). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stratus_config.h"
#include "stratus_hex.h"
#include "stratus_http.h"
#include "stratus_sign.h"
#include "stratus_sync.h"
#include "vectors.h"

/* Buffers an 8-bit build sizes down (the AVR tests run this file in simavr, a slice of the vectors
 * at a time): the largest answer as HTTP, and its body. */
#ifndef V_HTTP_BYTES
#define V_HTTP_BYTES 4096
#endif
#ifndef V_BODY_BYTES
#define V_BODY_BYTES 2048
#endif

static void sha_hex(const char *data, size_t len, char out[65]) {
  stratus_sha256 h;
  uint8_t d[32];
  stratus_sha256_init(&h);
  stratus_sha256_update(&h, data, len);
  stratus_sha256_final(&h, d);
  stratus_hex_encode(d, 32, out);
}

static void hmac_hex(const char *key, const char *data, size_t len, char out[65]) {
  stratus_hmac m;
  uint8_t d[32];
  stratus_hmac_init(&m, key, strlen(key));
  stratus_hmac_update(&m, data, len);
  stratus_hmac_final(&m, d);
  stratus_hex_encode(d, 32, out);
}

static void test_hmac_and_etags(void) {
  size_t i;
  char hex[65];
  for (i = 0; i < V_HMACS_N; i++) {
    hmac_hex(V_HMACS[i].key, V_HMACS[i].message, strlen(V_HMACS[i].message), hex);
    CHECK(strcmp(hex, V_HMACS[i].hmac) == 0, "hmac %s", V_HMACS[i].name);
  }
  for (i = 0; i < V_ETAGS_N; i++) {
    sha_hex(V_ETAGS[i].text, V_ETAGS[i].text_len, hex);
    CHECK(strlen(V_ETAGS[i].etag) == 26 && memcmp(V_ETAGS[i].etag + 1, hex, 24) == 0, "etag %lu", (unsigned long)i);
  }
}

static void test_requests(void) {
  size_t i;
  for (i = 0; i < V_REQUESTS_N; i++) {
    const v_request *r = &V_REQUESTS[i];
    stratus_request_head head;
    stratus_sha256 h;
    char hex[65], sig[65];
    sha_hex(r->body, r->body_len, hex);
    CHECK(strcmp(hex, r->body_sha256) == 0, "request %s: body digest", r->name);
    stratus_sha256_init(&h);
    stratus_sha256_update(&h, r->body, r->body_len);
    stratus_sha256_final(&h, head.body_sha256);
    head.method = r->method;
    head.prefix = r->target;
    head.prefix_len = strlen(r->target);
    head.path = NULL;
    head.app = r->app;
    head.device = r->device;
    head.time = (uint32_t)r->time;
    head.nonce = r->nonce;
    stratus_sign_request(V_SECRET, &head, sig);
    CHECK(strcmp(sig, r->signature) == 0, "request %s: signature %s", r->name, sig);
    /* the same target split as a base path and a suffix signs the same */
    if (head.prefix_len > 3) {
      head.prefix_len = 3;
      head.path = r->target + 3;
      stratus_sign_request(V_SECRET, &head, sig);
      CHECK(strcmp(sig, r->signature) == 0, "request %s: split target", r->name);
    }
  }
}

/* The answer as HTTP bytes, fed in pieces of `step` bytes, then the connection's end. */
static stratus_answer read_http(const char *http, size_t len, size_t step, char *body, size_t body_size) {
  stratus_answer a;
  size_t at = 0;
  stratus_answer_init(&a, body, body_size);
  while (at < len && a.state != STRATUS_ANSWER_DONE && a.state != STRATUS_ANSWER_FAILED) {
    size_t n = len - at < step ? len - at : step;
    stratus_answer_feed(&a, (const uint8_t *)http + at, n);
    at += n;
  }
  stratus_answer_end(&a); /* the peer closes */
  return a;
}

static void test_responses(void) {
  size_t i, step;
  for (i = 0; i < V_RESPONSES_N; i++) {
    const v_response *r = &V_RESPONSES[i];
    uint8_t digest[32], sig[32];
    char time_text[11], http[V_HTTP_BYTES], body[V_BODY_BYTES];
    size_t n;
    stratus_sha256 h;
    stratus_format_u32((uint32_t)r->time, time_text);
    stratus_sha256_init(&h);
    stratus_sha256_update(&h, r->body, r->body_len);
    stratus_sha256_final(&h, digest);
    CHECK(stratus_hex_decode(r->signature, sig, 32), "response %s: hex", r->name);
    CHECK(stratus_verify_answer(V_SECRET, r->nonce, r->status, time_text, digest, sig), "response %s: verifies", r->name);
    CHECK(!stratus_verify_answer(V_SECRET, "other-nonce", r->status, time_text, digest, sig), "response %s: nonce bound", r->name);
    CHECK(!stratus_verify_answer(V_SECRET, r->nonce, r->status + 1, time_text, digest, sig), "response %s: status bound", r->name);
    /* as the client reads it: any head, then the enveloped body until the connection closes (§3.1) */
    n = (size_t)snprintf(http, sizeof http, "HTTP/1.1 %u Whatever\r\nx-stratus-time: %s\r\nContent-Length: %lu\r\n\r\n",
                         r->status == 304 ? 200 : r->status, time_text, (unsigned long)r->enveloped_len);
    memcpy(http + n, r->enveloped, r->enveloped_len);
    n += r->enveloped_len;
    for (step = 1; step <= n; step = step < 8 ? step + 1 : step * 3) {
      stratus_answer a = read_http(http, n, step, body, sizeof body);
      CHECK(a.state == STRATUS_ANSWER_DONE && a.error == STRATUS_OK, "response %s step %lu: read", r->name, (unsigned long)step);
      CHECK(stratus_answer_verified(&a, V_SECRET, r->nonce), "response %s step %lu: verified", r->name, (unsigned long)step);
      CHECK(a.status == r->status && a.time == r->time && a.retry_after_s == r->retry_after && a.body_len == r->body_len &&
                memcmp(a.body, r->body, r->body_len) == 0 && a.body[a.body_len] == '\0',
            "response %s step %lu: status, time, Retry-After and body from the envelope", r->name, (unsigned long)step);
    }
    { /* one byte flipped in transit: in the body, or in the envelope's status */
      stratus_answer a;
      http[n - 1] ^= 1;
      a = read_http(http, n, n, body, sizeof body);
      CHECK(!stratus_answer_verified(&a, V_SECRET, r->nonce), "response %s: a flipped last byte is refused", r->name);
      http[n - 1] ^= 1;
      http[n - r->enveloped_len + 9] ^= 1;
      a = read_http(http, n, n, body, sizeof body);
      CHECK(!stratus_answer_verified(&a, V_SECRET, r->nonce), "response %s: a flipped status is refused", r->name);
    }
  }
}

static void check_values(const char *name, const char *text, size_t len, const v_pair *values, size_t n) {
  size_t pos = 0, entries = 0, i;
  stratus_entry e;
  char out[256];
  /* distinct keys the parser sees */
  while (stratus_config_next(text, len, &pos, &e)) {
    size_t vlen;
    char key[160];
    memcpy(key, e.key, e.key_len);
    key[e.key_len] = '\0';
    if (stratus_config_find(text, len, key, &vlen) == e.value) entries++;
  }
  CHECK(entries == n, "%s: %lu entries, expected %lu", name, (unsigned long)entries, (unsigned long)n);
  for (i = 0; i < n; i++) {
    size_t vlen;
    const char *v = stratus_config_find(text, len, values[i].key, &vlen);
    CHECK(v != NULL, "%s: key %s found", name, values[i].key);
    if (v == NULL) continue;
    CHECK(stratus_unescape(v, vlen, out, sizeof out) == strlen(values[i].value) && strcmp(out, values[i].value) == 0,
          "%s: %s = [%s]", name, values[i].key, out);
  }
}

static void test_configs(void) {
  size_t i;
  for (i = 0; i < V_CONFIGS_N; i++) {
    const v_config *k = &V_CONFIGS[i];
    CHECK(stratus_config_valid(k->text, k->text_len), "config %s valid", k->name);
    check_values(k->name, k->text, k->text_len, k->values, k->n);
  }
}

static void test_statics(void) {
  size_t i;
  for (i = 0; i < V_STATICS_N; i++) {
    const v_static *k = &V_STATICS[i];
    char *file = malloc(k->file_len + 1);
    size_t text_len = 0;
    stratus_error e;
    memcpy(file, k->file, k->file_len + 1);
    e = stratus_static_verify(V_SECRET, k->app, k->device, file, k->file_len, &text_len);
    CHECK((e == STRATUS_OK) == (k->valid != 0), "static %s: %s", k->name, stratus_error_name(e));
    if (e == STRATUS_OK) check_values(k->name, file, text_len, k->values, k->n);
    free(file);
  }
}

static void test_sync_texts(void) {
  size_t i;
  for (i = 0; i < V_SYNC_TEXTS_N; i++) {
    const v_sync_text *k = &V_SYNC_TEXTS[i];
    char *body = malloc(k->body_len + 1);
    size_t pos = 0, na = 0, nr = 0, nc = 0, nm = 0, nconf = 0;
    stratus_record r;
    int got;
    memcpy(body, k->body, k->body_len + 1);
    CHECK(stratus_sync_valid(body, k->body_len), "sync %s valid", k->name);
    while ((got = stratus_sync_next(body, k->body_len, &pos, &r)) == 1) {
      switch (r.kind) {
        case STRATUS_RECORD_TIME:
          CHECK(r.time == k->time, "sync %s: time", k->name);
          break;
        case STRATUS_RECORD_ACCEPTED: {
          const v_accepted *x = &k->accepted[na++];
          CHECK(na <= k->n_accepted, "sync %s: accepted count", k->name);
          if (na > k->n_accepted) break;
          CHECK(x->id == NULL ? r.id.at == NULL : (r.id.at != NULL && r.id.len == strlen(x->id) && memcmp(r.id.at, x->id, r.id.len) == 0), "sync %s: accepted id", k->name);
          CHECK(r.seq == x->seq, "sync %s: accepted seq", k->name);
          break;
        }
        case STRATUS_RECORD_REJECTED: {
          const v_rejected *x = &k->rejected[nr++];
          char msg[256];
          CHECK(nr <= k->n_rejected, "sync %s: rejected count", k->name);
          if (nr > k->n_rejected) break;
          CHECK(r.index == x->index, "sync %s: index", k->name);
          CHECK(x->id == NULL ? r.id.at == NULL : (r.id.at != NULL && r.id.len == strlen(x->id) && memcmp(r.id.at, x->id, r.id.len) == 0), "sync %s: rejected id", k->name);
          CHECK_SPAN(r.code.at, r.code.len, x->code, "sync %s: code", k->name);
          CHECK(stratus_unescape(r.text.at, r.text.len, msg, sizeof msg) != (size_t)-1 && strcmp(msg, x->message) == 0, "sync %s: message [%s]", k->name, msg);
          break;
        }
        case STRATUS_RECORD_CURSOR: {
          const v_cursor *x = &k->cursors[nc++];
          CHECK(nc <= k->n_cursors, "sync %s: cursor count", k->name);
          if (nc > k->n_cursors) break;
          CHECK_SPAN(r.scope.at, r.scope.len, x->scope, "sync %s: cursor scope", k->name);
          CHECK_SPAN(r.stream.at, r.stream.len, x->stream, "sync %s: cursor stream", k->name);
          CHECK(r.cursor == x->cursor && r.head == x->head, "sync %s: cursor numbers", k->name);
          break;
        }
        case STRATUS_RECORD_MESSAGE: {
          const v_message *x = &k->messages[nm++];
          size_t vlen;
          CHECK(nm <= k->n_messages, "sync %s: message count", k->name);
          if (nm > k->n_messages) break;
          CHECK_SPAN(r.scope.at, r.scope.len, x->scope, "sync %s: message scope", k->name);
          CHECK_SPAN(r.stream.at, r.stream.len, x->stream, "sync %s: message stream", k->name);
          CHECK_SPAN(r.from.at, r.from.len, x->from, "sync %s: from", k->name);
          CHECK(r.seq == x->seq && r.time == x->time, "sync %s: message numbers", k->name);
          vlen = stratus_unescape_in_place((char *)r.text.at, r.text.len); /* in place, as the client does */
          CHECK(vlen == x->value_len && memcmp(r.text.at, x->value, vlen) == 0, "sync %s: value", k->name);
          break;
        }
        case STRATUS_RECORD_CONFIG:
          nconf++;
          CHECK(k->etag != NULL, "sync %s: config expected", k->name);
          if (k->etag == NULL) break;
          CHECK_SPAN(r.etag.at, r.etag.len, k->etag, "sync %s: etag", k->name);
          CHECK(r.text.len == k->config_len && memcmp(r.text.at, k->config_text, r.text.len) == 0, "sync %s: config text", k->name);
          break;
        default:
          CHECK(0, "sync %s: kind %u", k->name, r.kind);
      }
    }
    CHECK(got == 0, "sync %s: parsed to the end", k->name);
    CHECK(na == k->n_accepted && nr == k->n_rejected && nc == k->n_cursors && nm == k->n_messages, "sync %s: counts", k->name);
    CHECK(nconf == (k->etag != NULL ? 1u : 0u), "sync %s: config count", k->name);
    free(body);
  }
}

static void test_errors(void) {
  size_t i;
  for (i = 0; i < V_ERRORS_N; i++) {
    const v_error *k = &V_ERRORS[i];
    stratus_answer a;
    char body[512];
    memset(&a, 0, sizeof a);
    memcpy(body, k->body, k->body_len + 1);
    a.body = body;
    a.body_len = k->body_len;
    a.status = (uint16_t)k->status;
    CHECK(strcmp(stratus_error_name(stratus_answer_code(&a)), k->code) == 0, "error %s: %s", k->name,
          stratus_error_name(stratus_answer_code(&a)));
  }
}

static void test_live_events(void) {
  size_t i;
  for (i = 0; i < V_LIVES_N; i++) {
    const v_live *k = &V_LIVES[i];
    char digest[65], id[11], sig[65];
    stratus_hmac m;
    uint8_t d[32];
    sha_hex(k->json, k->json_len, digest);
    stratus_format_u32((uint32_t)k->id, id);
    stratus_hmac_init(&m, V_SECRET, strlen(V_SECRET));
    stratus_hmac_text(&m, "STRATUS-HMAC-SHA256-EVENT\n");
    stratus_hmac_text(&m, k->nonce);
    stratus_hmac_text(&m, "\n");
    stratus_hmac_text(&m, id);
    stratus_hmac_text(&m, "\n");
    stratus_hmac_text(&m, digest);
    stratus_hmac_final(&m, d);
    stratus_hex_encode(d, 32, sig);
    CHECK(strcmp(sig, k->signature) == 0, "live %s", k->name);
  }
}

void vectors_tests(void);
void vectors_tests(void) {
  CHECK(strcmp(V_CONTRACT, "1.2") == 0, "contract %s", V_CONTRACT);
  test_hmac_and_etags();
  test_requests();
  test_responses();
  test_configs();
  test_statics();
  test_sync_texts();
  test_errors();
  test_live_events();
}
