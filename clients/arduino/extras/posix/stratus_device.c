/*
 * stratus-device: a command-line device over the C core, for the end-to-end tests and for trying a
 * server by hand. It prints one line per event:
 *
 *   update <n> ok <http status> | update <n> error <code> <http status>
 *   accepted <id> <seq> | rejected <id> <code>
 *   message <scope> <stream> <seq> <from> <value, escaped>
 *   config <key>=<value, escaped> | config <key> absent
 *   log <level> <code> <detail>
 *
 * Usage: stratus-device --url URL [--app APP] --secret S --device GUID [--get KEY]…
 *   [--id ID] [--ttl S] --publish SCOPE/STREAM=VALUE …   (--id/--ttl apply to the next --publish)
 *   [--subscribe SCOPE/STREAM[:LIMIT][!]]…               (! = reset)
 *   [--updates N] [--pause-ms MS] [--send-now] [--state FILE] [--clock-skew S] [--no-clock]
 *   [--crash-on VALUE] [--timeout-ms MS] [--answer-bytes N] [--config-bytes N] [--queue-bytes N]
 * Without --app the URL's last path segment names the app. Exit 0 when every update succeeded.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stratus_client.h"
#include "stratus_posix.h"

#define MAX_ITEMS 32

typedef struct publish_arg {
  char *scope, *stream, *value;
  const char *id;
  unsigned long ttl;
} publish_arg;

static const char *crash_on;

static void print_escaped(const char *text) {
  for (; *text; text++) {
    if (*text == '\n') fputs("\\n", stdout);
    else if (*text == '\r') fputs("\\r", stdout);
    else if (*text == '\\') fputs("\\\\", stdout);
    else putchar(*text);
  }
}

static void on_message(void *user, const stratus_message *m) {
  (void)user;
  if (crash_on != NULL && strcmp(m->value, crash_on) == 0) {
    printf("crash %s %s %lu\n", m->scope, m->stream, (unsigned long)m->seq);
    fflush(stdout);
    _exit(3); /* the callback never returns: its message must come again */
  }
  printf("message %s %s %lu %s ", m->scope, m->stream, (unsigned long)m->seq, m->from);
  print_escaped(m->value);
  putchar('\n');
}

static void on_published(void *user, const char *id, uint32_t seq, stratus_error code) {
  (void)user;
  if (code == STRATUS_OK) printf("accepted %s %lu\n", id, (unsigned long)seq);
  else printf("rejected %s %s\n", id, stratus_error_name(code));
}

static void on_log(void *user, uint8_t level, stratus_error code, const char *detail) {
  (void)user;
  printf("log %u %s%s%s\n", (unsigned)level, stratus_error_name(code), detail != NULL ? " " : "", detail != NULL ? detail : "");
}

static int usage(const char *why) {
  fprintf(stderr, "stratus-device: %s\n", why);
  return 2;
}

/* "scope/stream": NUL-splits at the first '/' (scopes hold none; streams may). */
static int split_scope(char *text, char **scope, char **stream) {
  char *slash = strchr(text, '/');
  if (slash == NULL) return 0;
  *slash = '\0';
  *scope = text;
  *stream = slash + 1;
  return **stream != '\0';
}

static void pause_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  const char *url = NULL, *app = NULL, *secret = NULL, *device = NULL, *state = NULL, *next_id = NULL;
  const char *gets[MAX_ITEMS];
  publish_arg pubs[MAX_ITEMS];
  char *subs_arg[MAX_ITEMS];
  size_t ngets = 0, npubs = 0, nsubs = 0, answer_bytes = 4096, config_bytes = 2048, queue_bytes = 2048, i;
  unsigned long updates = 1, next_ttl = 0, timeout_ms = 5000;
  long pause = 0;
  int send_now = 0, failed = 0, a;
  stratus_posix posix;
  stratus_posix_file file;
  stratus_transport transport;
  stratus_storage storage;
  static stratus_subscription subs[MAX_ITEMS];
  static stratus_client c;
  char *answer, *config, value[4096];
  uint8_t *queue;

  memset(&posix, 0, sizeof posix);
  for (a = 1; a < argc; a++) {
    const char *opt = argv[a];
    char *arg = a + 1 < argc ? argv[a + 1] : NULL;
    if (strcmp(opt, "--send-now") == 0) { send_now = 1; continue; }
    if (strcmp(opt, "--no-clock") == 0) { posix.no_clock = 1; continue; }
    if (arg == NULL) return usage("an option lacks its value");
    a++;
    if (strcmp(opt, "--url") == 0) url = arg;
    else if (strcmp(opt, "--app") == 0) app = arg;
    else if (strcmp(opt, "--secret") == 0) secret = arg;
    else if (strcmp(opt, "--device") == 0) device = arg;
    else if (strcmp(opt, "--get") == 0 && ngets < MAX_ITEMS) gets[ngets++] = arg;
    else if (strcmp(opt, "--id") == 0) next_id = arg;
    else if (strcmp(opt, "--ttl") == 0) next_ttl = strtoul(arg, NULL, 10);
    else if (strcmp(opt, "--publish") == 0 && npubs < MAX_ITEMS) {
      publish_arg *p = &pubs[npubs++];
      char *eq = strchr(arg, '=');
      if (eq == NULL) return usage("--publish SCOPE/STREAM=VALUE");
      *eq = '\0';
      p->value = eq + 1;
      if (!split_scope(arg, &p->scope, &p->stream)) return usage("--publish SCOPE/STREAM=VALUE");
      p->id = next_id;
      p->ttl = next_ttl;
      next_id = NULL;
    } else if (strcmp(opt, "--subscribe") == 0 && nsubs < MAX_ITEMS) subs_arg[nsubs++] = arg;
    else if (strcmp(opt, "--updates") == 0) updates = strtoul(arg, NULL, 10);
    else if (strcmp(opt, "--pause-ms") == 0) pause = strtol(arg, NULL, 10);
    else if (strcmp(opt, "--state") == 0) state = arg;
    else if (strcmp(opt, "--clock-skew") == 0) posix.clock_skew_s = strtol(arg, NULL, 10);
    else if (strcmp(opt, "--crash-on") == 0) crash_on = arg;
    else if (strcmp(opt, "--timeout-ms") == 0) timeout_ms = strtoul(arg, NULL, 10);
    else if (strcmp(opt, "--answer-bytes") == 0) answer_bytes = strtoul(arg, NULL, 10);
    else if (strcmp(opt, "--config-bytes") == 0) config_bytes = strtoul(arg, NULL, 10);
    else if (strcmp(opt, "--queue-bytes") == 0) queue_bytes = strtoul(arg, NULL, 10);
    else return usage(opt);
  }
  if (url == NULL || secret == NULL || device == NULL) return usage("--url, --secret and --device are required");
  setvbuf(stdout, NULL, _IOLBF, 0);
  answer = malloc(answer_bytes);
  config = malloc(config_bytes);
  queue = malloc(queue_bytes);
  stratus_init(&c, app != NULL ? url : NULL, app, secret, device, answer, answer_bytes, config, config_bytes, queue,
               queue_bytes, subs, MAX_ITEMS);
  if (app == NULL && stratus_init_app_url(&c, url) != STRATUS_OK) return usage("the URL names no app");
  c.timeout_ms = timeout_ms;
  c.log = on_log;
  c.published = on_published;
  stratus_posix_transport(&posix, &transport);
  if (state != NULL) {
    file.path = state;
    stratus_posix_storage(&file, &storage, 9 + queue_bytes);
  }
  stratus_begin(&c, &transport, state != NULL ? &storage : NULL);

  for (i = 0; i < nsubs; i++) {
    char *scope, *stream, *colon, *bang;
    unsigned long limit = 0;
    int reset = 0;
    bang = strchr(subs_arg[i], '!');
    if (bang != NULL) {
      *bang = '\0';
      reset = 1;
    }
    colon = strrchr(subs_arg[i], ':');
    if (colon != NULL && colon[1] >= '0' && colon[1] <= '9') {
      *colon = '\0';
      limit = strtoul(colon + 1, NULL, 10);
    }
    if (!split_scope(subs_arg[i], &scope, &stream)) return usage("--subscribe SCOPE/STREAM[:LIMIT]");
    if (stratus_subscribe_handler(&c, scope, stream, on_message, NULL, (uint16_t)limit, reset != 0) != STRATUS_OK) {
      return usage("too many subscriptions");
    }
  }
  for (i = 0; i < npubs; i++) {
    stratus_error e = stratus_publish(&c, pubs[i].scope, pubs[i].stream, pubs[i].value, (uint32_t)pubs[i].ttl, pubs[i].id,
                                      send_now != 0);
    if (e != STRATUS_OK) {
      printf("publish %s/%s error %s\n", pubs[i].scope, pubs[i].stream, stratus_error_name(e));
      failed = 1;
    }
  }

  for (i = 1; i <= updates; i++) {
    stratus_error e = stratus_update(&c);
    size_t g;
    if (e == STRATUS_OK) printf("update %zu ok %u\n", i, (unsigned)c.last_status);
    else {
      printf("update %zu error %s %u\n", i, stratus_error_name(e), (unsigned)c.last_status);
      failed = 1;
    }
    for (g = 0; g < ngets; g++) {
      const char *v = stratus_get_string(&c, gets[g], NULL, value, sizeof value);
      if (v == NULL) {
        printf("config %s absent\n", gets[g]);
        continue;
      }
      printf("config %s=", gets[g]);
      print_escaped(v);
      putchar('\n');
    }
    if (pause > 0 && i < updates) pause_ms(pause);
  }
  printf("queued %zu\n", stratus_queue_count(&c.queue));
  free(answer);
  free(config);
  free(queue);
  return failed ? 1 : 0;
}
