/* Unit tests of the parsers: short reads, garbage, oversize, and the small helpers. */
#include <string.h>

#include "check.h"
#include "stratus_config.h"
#include "stratus_http.h"
#include "stratus_queue.h"
#include "stratus_sync.h"
#include "stratus_url.h"

static uint8_t feed_all(stratus_answer *a, const char *http, size_t step) {
  size_t len = strlen(http), at = 0;
  while (at < len && a->state != STRATUS_ANSWER_DONE && a->state != STRATUS_ANSWER_FAILED) {
    size_t n = len - at < step ? len - at : step;
    stratus_answer_feed(a, (const uint8_t *)http + at, n);
    at += n;
  }
  return a->state;
}

static void test_http_reader(void) {
  char body[96], small[32];
  stratus_answer a;
  /* the head is not read (the status comes in the envelope): garbage there ends the head at its
   * empty line, or never */
  static const char *garbage[] = {"HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "\r\n\r\n"};
  static const char *endless[] = {"HTTP/1.1 20\r\n", "HTTP/1.1  200 OK\r\n", "no head"};
  static const char *not_enveloped[] = {"", "stratus: 200 1 0\n", "stratus: 200 1 0 zz\n",
                                        "stratus: 200 1 0 0123456789012345678901234567890123456789012345678901234567890123x\n",
                                        "stratus: 2x0 1 0 0123456789012345678901234567890123456789012345678901234567890123\n",
                                        "time: 5\n"};
  size_t i;
  for (i = 0; i < sizeof garbage / sizeof *garbage; i++) {
    stratus_answer_init(&a, body, sizeof body);
    feed_all(&a, garbage[i], 3);
    CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_DONE && !stratus_answer_verified(&a, "s", "n") && a.status == 0,
          "garbage %zu: no envelope, never verified", i);
  }
  for (i = 0; i < sizeof endless / sizeof *endless; i++) {
    stratus_answer_init(&a, body, sizeof body);
    feed_all(&a, endless[i], 3);
    CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_FAILED && a.error == STRATUS_E_CLOSED, "a head without its end %zu fails", i);
  }
  /* oversize: read to its end, flagged, never verified */
  stratus_answer_init(&a, small, sizeof small);
  feed_all(&a, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789", 7);
  CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_DONE, "drained");
  CHECK(a.error == STRATUS_E_TOO_LARGE_ANSWER && a.body_len == 31 && a.dropped, "oversize flagged");
  CHECK(!stratus_answer_verified(&a, "s", "n"), "oversize never verifies");
  /* the head is skipped whatever its lines: a long reason phrase, long and unknown headers */
  stratus_answer_init(&a, small, sizeof small);
  feed_all(&a, "HTTP/1.1 404 Not Found Anywhere On This Server\r\nX-Long: 0123456789012345678901234567890123456789\nETag: \"e\"\r\n\r\nno", 5);
  CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_DONE && a.status == 0 && a.body_len == 2 && strcmp(small, "no") == 0, "long lines skipped");
  /* the body ends with the connection; one cut off in the head fails */
  stratus_answer_init(&a, body, sizeof body);
  feed_all(&a, "HTTP/1.0 200 OK\r\n\r\nabc", 1);
  CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_DONE && a.body_len == 3 && strcmp(body, "abc") == 0, "until close");
  stratus_answer_init(&a, body, sizeof body);
  feed_all(&a, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", 1);
  CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_FAILED && a.error == STRATUS_E_CLOSED, "cut short");
  stratus_answer_init(&a, body, sizeof body);
  feed_all(&a, "HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\n", 1);
  CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_FAILED && a.error == STRATUS_E_CLOSED, "a 304 cut short in its head too");
  CHECK(!stratus_answer_verified(&a, "s", "n"), "a failed answer never verifies");
  /* without a well-formed envelope nothing verifies (its good signatures: vectors_test.c) */
  for (i = 0; i < sizeof not_enveloped / sizeof *not_enveloped; i++) {
    stratus_answer_init(&a, body, sizeof body);
    feed_all(&a, "HTTP/1.1 200 OK\r\n\r\n", 4);
    stratus_answer_feed(&a, (const uint8_t *)not_enveloped[i], strlen(not_enveloped[i]));
    CHECK(stratus_answer_end(&a) == STRATUS_ANSWER_DONE && !stratus_answer_verified(&a, "s", "n"), "not enveloped %zu", i);
  }
}

static void test_sync_reader(void) {
  static const char *bad[] = {"time: x\n", "time: 1 2\n", "accepted: id\n", "cursor: a b 1\n", "message: a b 1 2\n",
                              "nonsense\n", ": x\n", "time:1\n", "config: \n", "accepted: id 99999999999\n", "\n"};
  size_t i, pos = 0;
  stratus_record r;
  char ok[] = "future: a b c\ntime: 5\nmessage: s t 1 2 f \nmessage: s t 3 4 f a b  c\n";
  for (i = 0; i < sizeof bad / sizeof *bad; i++) CHECK(!stratus_sync_valid(bad[i], strlen(bad[i])), "bad sync %zu", i);
  CHECK(stratus_sync_valid(ok, strlen(ok)), "unknown kinds skipped");
  CHECK(stratus_sync_next(ok, strlen(ok), &pos, &r) == 1 && r.kind == STRATUS_RECORD_TIME && r.time == 5, "time");
  CHECK(stratus_sync_next(ok, strlen(ok), &pos, &r) == 1 && r.text.len == 0, "empty value");
  CHECK(stratus_sync_next(ok, strlen(ok), &pos, &r) == 1 && r.text.len == 6 && memcmp(r.text.at, "a b  c", 6) == 0, "value with spaces");
  CHECK(stratus_sync_next(ok, strlen(ok), &pos, &r) == 0, "end");
}

static void test_config_helpers(void) {
  long l;
  float f;
  bool b;
  uint32_t u;
  char out[8], inplace[] = "a\\\\b\\nc\\x\\";
  size_t len;
  const char *text = "a: 1\nb: 2\na: 3\nk:v\n#c: 4\n";
  CHECK(stratus_config_find(text, strlen(text), "a", &len) != NULL && len == 1 && stratus_config_find(text, strlen(text), "a", &len)[0] == '3', "last wins");
  CHECK(stratus_config_find(text, strlen(text), "k", &len) == NULL, "k:v is no entry");
  CHECK(stratus_config_find(text, strlen(text), "#c", &len) != NULL, "#c: 4 is an entry");
  CHECK(!stratus_config_valid(text, strlen(text)), "k:v is not valid");
  CHECK(stratus_parse_long("-2147483648", 11, &l) && l == (-2147483647L - 1), "long min");
  CHECK(stratus_parse_long("-0", 2, &l) && l == 0 && stratus_parse_long("+5", 2, &l) && l == 5, "signs");
  CHECK(!stratus_parse_long("-2147483649", 11, &l) && !stratus_parse_long("-", 1, &l), "past long min refused");
  CHECK(!stratus_parse_long("2147483648", 10, &l) && !stratus_parse_long("", 0, &l) && !stratus_parse_long("1x", 2, &l), "long refused");
  CHECK(stratus_parse_u32("4294967295", 10, &u) && u == 4294967295UL && !stratus_parse_u32("4294967296", 10, &u), "u32");
  CHECK(stratus_parse_float("-2.5e2", 6, &f) && f == -250.0f && stratus_parse_float("21.5", 4, &f) && f == 21.5f, "float");
  CHECK(!stratus_parse_float(".", 1, &f) && !stratus_parse_float("1e", 2, &f) && !stratus_parse_float("1.2.3", 5, &f), "float refused");
  CHECK(stratus_parse_bool("On", 2, &b) && b && stratus_parse_bool("false", 5, &b) && !b && !stratus_parse_bool("2", 1, &b), "bool");
  CHECK(stratus_unescape("abcdefgh", 8, out, sizeof out) == (size_t)-1 && strcmp(out, "abcdefg") == 0, "unescape truncates safely");
  len = stratus_unescape_in_place(inplace, strlen(inplace));
  CHECK(len == 8 && memcmp(inplace, "a\\b\nc\\x\\", 8) == 0, "in place");
}

static void test_queue_and_url(void) {
  uint8_t buf[40];
  stratus_queue q = {buf, sizeof buf, 0};
  stratus_url u;
  CHECK(stratus_queue_push(&q, "1", "", "s", "v\\\r\n", 5) == STRATUS_OK, "push");
  CHECK(q.used == 16 && memcmp(buf, "1 * s 5 v\\\\\\r\\n\n", 16) == 0, "a sync request line, escaped: %.*s", (int)q.used, (const char *)buf);
  CHECK(stratus_queue_push(&q, "2", "sc", "st", "", 0) == STRATUS_OK, "push 2");
  CHECK(stratus_queue_push(&q, "3", "sc", "st", "too long for the rest", 0) == STRATUS_E_QUEUE_FULL && q.used == 27, "full, unchanged");
  CHECK(stratus_queue_count(&q) == 2 && stratus_queue_whole(&q) == 27, "two");
  stratus_queue_drop_bytes(&q, 16);
  CHECK(q.used == 11 && memcmp(buf, "2 sc st * \n", 11) == 0, "oldest dropped");
  q.used--; /* a line damaged in storage (its end lost) is no message */
  CHECK(stratus_queue_whole(&q) == 0 && stratus_queue_count(&q) == 0, "damaged");
  CHECK(stratus_url_parse("https://h.example/x?y", 21, &u) && u.port == 443 && u.host_len == 9 &&
            u.authority_len == 9 && u.path_len == 4, "https");
  CHECK(stratus_url_parse("http://h:81", 11, &u) && u.port == 81 && u.host_len == 1 && u.authority_len == 4 &&
            u.path_len == 1 && u.path[0] == '/', "port, and the path / when there is none");
  CHECK(stratus_url_parse("http://h:65535/", 15, &u) && u.port == 65535 && u.path_len == 1, "the highest port");
  CHECK(!stratus_url_parse("http://h:65536", 14, &u) && !stratus_url_parse("http://h:65540", 14, &u) &&
            !stratus_url_parse("http://h:0", 10, &u) && !stratus_url_parse("http://h:/", 10, &u),
        "ports out of range");
  CHECK(!stratus_url_parse("http://:81", 10, &u) && !stratus_url_parse("ftp://h", 7, &u) && !stratus_url_parse("http://h:99999", 14, &u) && !stratus_url_parse("http://h:8x", 11, &u), "bad urls");
}

/* Every code the server names (PROTOCOL §4) maps back from its name, which stratus_error_from_name
 * knows only by a hash; a name it does not know is none of them. */
static void test_error_names(void) {
  unsigned code;
  for (code = STRATUS_E_BAD_REQUEST; code <= STRATUS_E_QUOTA_EXCEEDED; code++) {
    const char *name = stratus_error_name((stratus_error)code);
    CHECK(stratus_error_from_name(name, strlen(name)) == code, "%s from its name", name);
  }
  CHECK(stratus_error_from_name("ok", 2) == STRATUS_E_HTTP_STATUS && stratus_error_from_name("", 0) == STRATUS_E_HTTP_STATUS &&
            stratus_error_from_name("stale_times", 11) == STRATUS_E_HTTP_STATUS &&
            stratus_error_from_name("timeout", 7) == STRATUS_E_HTTP_STATUS,
        "unknown names");
}

void parser_tests(void);
void parser_tests(void) {
  test_http_reader();
  test_sync_reader();
  test_config_helpers();
  test_queue_and_url();
  test_error_names();
}
