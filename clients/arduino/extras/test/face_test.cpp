// The Arduino face on the host, over a `Client` that hands the bytes to the scripted server:
// the URL forms, get() overloads, publish() overloads and their number formatting, subscribe
// callbacks, EVERY_N_SECONDS, and the client attached on first use.
#include <stdio.h>
#include <string.h>

#include "Stratus.h"

extern "C" {
#include "fake_server.h"
}

uint32_t fake_millis_now = 1000;
static unsigned checks = 0, failed = 0;
#define EXPECT(cond, what)                                     \
  do {                                                         \
    checks++;                                                  \
    if (!(cond)) {                                             \
      failed++;                                                \
      fprintf(stderr, "FAIL face_test %d: %s\n", __LINE__, what); \
    }                                                          \
  } while (0)

/* A Client over the scripted server's transport functions. */
class ScriptedClient : public Client {
 public:
  explicit ScriptedClient(stratus_transport *t) : t_(t) {}
  int connect(const char *host, uint16_t port) override { return t_->connect(t_->ctx, host, strlen(host), port) == 0 ? 1 : 0; }
  size_t write(const uint8_t *buf, size_t size) override {
    int n = t_->write(t_->ctx, buf, size);
    return n < 0 ? 0 : (size_t)n;
  }
  int available() override {
    if (pending_ == 0) {
      int n = t_->read(t_->ctx, buf_, sizeof buf_);
      if (n < 0) {
        open_ = false;
        return 0;
      }
      pending_ = (size_t)n;
      at_ = 0;
    }
    return (int)pending_;
  }
  int read() override {
    uint8_t byte;
    return available() > 0 && read(&byte, 1) == 1 ? byte : -1;
  }
  int read(uint8_t *buf, size_t size) override {
    if (size > pending_) size = pending_;
    memcpy(buf, buf_ + at_, size);
    at_ += size;
    pending_ -= size;
    return (int)size;
  }
  void stop() override { open_ = true; }
  uint8_t connected() override { return open_ ? 1 : 0; }

 private:
  stratus_transport *t_;
  uint8_t buf_[16];
  size_t pending_ = 0, at_ = 0;
  bool open_ = true;
};

static char last_delivery[64];
static void onCommand(const char *stream, const char *data) { snprintf(last_delivery, sizeof last_delivery, "%s=%s", stream, data); }

static void answer(fake_server *s) {
  const char *body;
  if (strstr(s->request, "POST /v1/sync ") == s->request) {
    body = "time: 1800000000\naccepted: * 1\ncursor: home cmd 0 1\nmessage: home cmd 1 1800000000 x on\n"
           "config: \"f\"\nvariable: 9\nratio: 0.5\nflag: yes\nname: a\\nb\n";
  } else {
    body = "variable: 7\nratio: 2.5\nflag: off\nname: plain\n";
  }
  fake_answer(s, 200, 1800000000UL, "ETag: \"f\"\r\n", body, strlen(body), 1);
}

int main() {
  static fake_server server;
  static stratus_transport transport;
  fake_init(&server, &transport, "face-secret", answer);
  ScriptedClient client(&transport);

  // the app named as the URL's last path segment; the client attached on first use
  Stratus stratus("http://face.test:8080/greenhouse", "face-secret", client);
  stratus.setDevice((const uint8_t *)"\xde\xad\xbe\xef\x00\x01");
  EXPECT(stratus.get("variable", 1) == 1, "fallback before any update");
  EXPECT(stratus.update(), "update");
  EXPECT(strstr(server.request, "X-Stratus-App: greenhouse\r\n") != NULL, "app from the URL");
  EXPECT(strstr(server.request, "X-Stratus-Device: deadbeef0001\r\n") != NULL, "GUID from a MAC");
  EXPECT(strcmp(server.host, "face.test") == 0 && server.port == 8080, "host and port");
  EXPECT(stratus.get("variable", 1) == 7 && stratus.get("variable", 1L) == 7L, "int and long");
  EXPECT(stratus.get("ratio", 0.0f) == 2.5f && stratus.get("ratio", 0.0) == 2.5, "float and double");
  EXPECT(stratus.get("flag", true) == false, "bool");
  EXPECT(strcmp(stratus.get("name", "?"), "plain") == 0 && strcmp(stratus.get("none", "?"), "?") == 0, "string");

  // publish overloads: sent now (one sync) unless queued
  EXPECT(stratus.publish("temp", 21.5, "home"), "publish double");
  EXPECT(strstr(fake_body(&server), " home temp * 21.5\n") != NULL, "21.5");
  EXPECT(strcmp(last_delivery, "") == 0, "no callback without a subscription");
  EXPECT(stratus.get("variable", 1) == 9, "the sync brought config");
  EXPECT(strcmp(stratus.get("name", "?"), "a\nb") == 0, "unescaped string");
  stratus.publish("t", -0.25, "home", 0, true);
  stratus.publish("t", (long)-42, "home", 0, true);
  stratus.publish("t", 7, PRIVATE, 60, true);
  stratus.publish("t", 3.9996, "home", 0, true);
  stratus.publish("t", "text", "home", 0, true);
  stratus.publish("u", 4000000000UL, "home", 0, true);
  stratus.publish("u", 5u, "home", 0, true);
  stratus.subscribe("cmd", onCommand, "home");
  EXPECT(stratus.update(), "update with the queue");
  const char *body = fake_body(&server);
  EXPECT(strstr(body, " home t * -0.25\n") != NULL, "-0.25");
  EXPECT(strstr(body, " home t * -42\n") != NULL, "-42");
  EXPECT(strstr(body, " * t 60 7\n") != NULL, "PRIVATE, ttl");
  EXPECT(strstr(body, " home t * 4\n") != NULL, "3.9996 rounds to 4");
  EXPECT(strstr(body, " home t * text\n") != NULL, "text");
  EXPECT(strstr(body, " home u * 4000000000\n") != NULL && strstr(body, " home u * 5\n") != NULL, "unsigned");
  EXPECT(stratus.get("variable", 1u) == 9u && stratus.get("variable", 1UL) == 9UL, "unsigned get");
  EXPECT(strcmp(last_delivery, "cmd=on") == 0, "callback(stream, data)");
  EXPECT(strcmp(stratus.lastError(), "ok") == 0, "lastError");

  // EVERY_N_SECONDS: at once, then every n seconds
  int runs = 0;
  for (int i = 0; i < 25; i++) {
    fake_millis_now += 1000;
    EVERY_N_SECONDS(10) { runs++; }
  }
  EXPECT(runs == 3, "EVERY_N_SECONDS ran at 0, 10 and 20 s");

  // the explicit (url, app, secret) form
  Stratus other("http://face.test:8080", "orchard", "face-secret");
  other.begin(client);
  other.setDevice("d-2");
  EXPECT(other.update() && strstr(server.request, "X-Stratus-App: orchard\r\n") != NULL, "explicit app");

  printf("%u checks, %u failed\n", checks, failed);
  return failed == 0 ? 0 : 1;
}
