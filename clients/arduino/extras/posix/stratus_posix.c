#define _POSIX_C_SOURCE 200809L
#include "stratus_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000

static uint32_t p_millis(void *ctx) {
  struct timespec ts;
  (void)ctx;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static uint32_t p_unix_time(void *ctx) {
  stratus_posix *p = (stratus_posix *)ctx;
  return (uint32_t)((long)time(NULL) + p->clock_skew_s);
}

static uint32_t p_entropy(void *ctx) {
  uint32_t v = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  (void)ctx;
  if (f != NULL) {
    if (fread(&v, sizeof v, 1, f) != 1) v = 0;
    fclose(f);
  }
  return v ^ p_millis(NULL) ^ (uint32_t)getpid();
}

/* Non-blocking connect, bounded by CONNECT_TIMEOUT_MS. */
static int connect_one(const struct addrinfo *ai) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), err = 0;
  socklen_t len = sizeof err;
  struct pollfd pfd;
  if (fd < 0) return -1;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  pfd.fd = fd;
  pfd.events = POLLOUT;
  if (poll(&pfd, 1, CONNECT_TIMEOUT_MS) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int p_connect(void *ctx, const char *host, size_t host_len, uint16_t port) {
  stratus_posix *p = (stratus_posix *)ctx;
  char name[256], service[8];
  struct addrinfo hints, *found = NULL, *ai;
  if (host_len >= sizeof name) return -1;
  memcpy(name, host, host_len);
  name[host_len] = '\0';
  snprintf(service, sizeof service, "%u", (unsigned)port);
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(name, service, &hints, &found) != 0) return -1;
  p->fd = -1;
  for (ai = found; ai != NULL && p->fd < 0; ai = ai->ai_next) p->fd = connect_one(ai);
  freeaddrinfo(found);
  return p->fd >= 0 ? 0 : -1;
}

static int p_write(void *ctx, const uint8_t *data, size_t len) {
  stratus_posix *p = (stratus_posix *)ctx;
  ssize_t n = send(p->fd, data, len, MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  return (int)n;
}

static int p_read(void *ctx, uint8_t *buf, size_t len) {
  stratus_posix *p = (stratus_posix *)ctx;
  struct pollfd pfd;
  ssize_t n;
  pfd.fd = p->fd;
  pfd.events = POLLIN;
  if (poll(&pfd, 1, (int)p->poll_ms) == 0) return 0;
  n = recv(p->fd, buf, len, 0);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
  return n == 0 ? -1 : (int)n;
}

static void p_close(void *ctx) {
  stratus_posix *p = (stratus_posix *)ctx;
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
}

void stratus_posix_transport(stratus_posix *p, stratus_transport *t) {
  p->fd = -1;
  if (p->poll_ms == 0) p->poll_ms = 50;
  memset(t, 0, sizeof *t);
  t->ctx = p;
  t->connect = p_connect;
  t->write = p_write;
  t->read = p_read;
  t->close = p_close;
  t->millis = p_millis;
  t->unix_time = p->no_clock ? NULL : p_unix_time;
  t->entropy = p_entropy;
}

static int f_read(void *ctx, size_t offset, void *buf, size_t len) {
  stratus_posix_file *f = (stratus_posix_file *)ctx;
  int fd = open(f->path, O_RDONLY);
  ssize_t n;
  if (fd < 0) return -1;
  n = pread(fd, buf, len, (off_t)offset);
  close(fd);
  return n == (ssize_t)len ? 0 : -1;
}

static int f_write(void *ctx, size_t offset, const void *buf, size_t len) {
  stratus_posix_file *f = (stratus_posix_file *)ctx;
  int fd = open(f->path, O_WRONLY | O_CREAT, 0644);
  ssize_t n;
  if (fd < 0) return -1;
  n = pwrite(fd, buf, len, (off_t)offset);
  fsync(fd);
  close(fd);
  return n == (ssize_t)len ? 0 : -1;
}

void stratus_posix_storage(stratus_posix_file *f, stratus_storage *s, size_t size) {
  memset(s, 0, sizeof *s);
  s->ctx = f;
  s->size = size;
  s->read = f_read;
  s->write = f_write;
}
