/* simrun's side of the UART0 <-> TCP bridge: frames in bridge_protocol.h. */
#define _POSIX_C_SOURCE 200809L
#include "bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <avr_uart.h>
#include <sim_io.h>

#include "bridge_protocol.h"

/* while the firmware waits for data the simulation may stand still this long (wall seconds), so
 * the server's think time costs no simulated time; past it, the firmware's own timeouts run */
#define FREEZE_SECONDS 3.0
#define CONNECT_TIMEOUT_MS 3000

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bridge_init(bridge_t *b) {
  memset(b, 0, sizeof *b);
  b->fd = -1;
  /* simavr drops input while the receiver is off; it signals XON when the firmware turns it on */
  b->xoff = 1;
}

int bridge_add_route(bridge_t *b, const char *spec) {
  const char *eq = strchr(spec, '=');
  if (!eq || b->route_count == BRIDGE_MAX_ROUTES) return -1;
  size_t from_len = (size_t)(eq - spec);
  bridge_route_t *r = &b->routes[b->route_count];
  if (from_len == 0 || from_len >= sizeof r->from || strlen(eq + 1) >= sizeof r->to || !strchr(eq + 1, ':')) return -1;
  memcpy(r->from, spec, from_len);
  r->from[from_len] = 0;
  strcpy(r->to, eq + 1);
  b->route_count++;
  return 0;
}

static void flush_text(bridge_t *b) {
  size_t done = 0;
  while (done < b->text_len) {
    ssize_t n = write(1, b->text + done, b->text_len - done);
    if (n <= 0) break;
    done += (size_t)n;
  }
  b->text_len = 0;
}

static void pump(bridge_t *b) {
  while (!b->xoff && b->out_pos < b->out_len) avr_raise_irq(b->uart_in, b->out[b->out_pos++]);
  if (b->out_pos == b->out_len) b->out_pos = b->out_len = 0;
}

static void queue(bridge_t *b, const uint8_t *bytes, size_t length) {
  if (b->out_pos > 0 && b->out_len + length > sizeof b->out) {
    memmove(b->out, b->out + b->out_pos, b->out_len - b->out_pos);
    b->out_len -= b->out_pos;
    b->out_pos = 0;
  }
  if (b->out_len + length > sizeof b->out) {
    fprintf(stderr, "simrun: bridge: input queue full, %zu bytes dropped\n", length);
    return;
  }
  memcpy(b->out + b->out_len, bytes, length);
  b->out_len += length;
  pump(b);
}

static void send_frame(bridge_t *b, uint8_t type, const uint8_t *payload, uint8_t length) {
  uint8_t header[BRIDGE_HEADER_BYTES] = {type, length};
  queue(b, header, sizeof header);
  if (length) queue(b, payload, length);
}

void bridge_feed_raw(bridge_t *b, const uint8_t *bytes, size_t length) {
  queue(b, bytes, length);
}

/* answers the open read request when there is something to answer with */
static void answer_read(bridge_t *b) {
  if (b->read_budget <= 0) return;
  size_t pending = b->pending_end - b->pending_start;
  if (pending > 0) {
    size_t n = (size_t)b->read_budget - BRIDGE_HEADER_BYTES;
    if (n > pending) n = pending;
    if (n > BRIDGE_MAX_PAYLOAD) n = BRIDGE_MAX_PAYLOAD;
    send_frame(b, BRIDGE_RECEIVED, b->pending + b->pending_start, (uint8_t)n);
    b->pending_start += n;
    b->bytes_down += n;
    if (b->pending_start == b->pending_end) b->pending_start = b->pending_end = 0;
    b->read_budget = 0;
  } else if (b->fd < 0 || b->peer_closed) {
    send_frame(b, BRIDGE_ENDED, NULL, 0);
    b->read_budget = 0;
  }
}

static void close_connection(bridge_t *b) {
  if (b->fd >= 0) close(b->fd);
  b->fd = -1;
  b->peer_closed = 0;
  b->pending_start = b->pending_end = 0;
}

static const char *route(bridge_t *b, const char *address) {
  for (int i = 0; i < b->route_count; i++)
    if (strcmp(b->routes[i].from, "*") == 0 || strcmp(b->routes[i].from, address) == 0) return b->routes[i].to;
  return address;
}

static int open_connection(const char *address) {
  char host[256];
  const char *colon = strrchr(address, ':');
  if (!colon || (size_t)(colon - address) >= sizeof host) return -1;
  memcpy(host, address, (size_t)(colon - address));
  host[colon - address] = 0;
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, colon + 1, &hints, &found) != 0) return -1;
  int fd = -1;
  for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!ok && errno == EINPROGRESS) {
      struct pollfd p = {fd, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof error;
      ok = poll(&p, 1, CONNECT_TIMEOUT_MS) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
    if (!ok) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

static void send_all(bridge_t *b, const uint8_t *bytes, size_t length) {
  while (length > 0 && b->fd >= 0) {
    ssize_t n = send(b->fd, bytes, length, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd p = {b->fd, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) {
      b->peer_closed = 1;
      return;
    }
    bytes += n;
    length -= (size_t)n;
    b->bytes_up += (size_t)n;
  }
}

static void frame_received(bridge_t *b) {
  switch (b->type) {
    case BRIDGE_CONNECT: {
      char asked[256];
      memcpy(asked, b->payload, b->length);
      asked[b->length] = 0;
      close_connection(b);
      const char *target = route(b, asked);
      b->fd = open_connection(target);
      fprintf(stderr, "simrun: bridge connect %s -> %s: %s\n", asked, target, b->fd >= 0 ? "ok" : "failed");
      uint8_t ok = b->fd >= 0;
      send_frame(b, BRIDGE_CONNECTED, &ok, 1);
      break;
    }
    case BRIDGE_DATA:
      send_all(b, b->payload, b->length);
      break;
    case BRIDGE_CLOSE:
      close_connection(b);
      answer_read(b);
      break;
    case BRIDGE_READ:
      b->read_budget = b->length >= 1 ? b->payload[0] : 0;
      if (b->read_budget <= BRIDGE_HEADER_BYTES) b->read_budget = 0;
      answer_read(b);
      break;
    default:
      fprintf(stderr, "simrun: bridge: unknown frame type 0x%02x\n", b->type);
  }
}

static void uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  bridge_t *b = param;
  uint8_t byte = (uint8_t)value;
  switch (b->state) {
    case 0:
      if (byte == BRIDGE_START) {
        b->state = 1;
        return;
      }
      b->text[b->text_len++] = (char)byte;
      if (byte == '\n' || b->text_len == sizeof b->text) flush_text(b);
      return;
    case 1:
      b->type = byte;
      b->state = 2;
      return;
    case 2:
      b->length = byte;
      b->got = 0;
      b->state = byte ? 3 : 0;
      if (!byte) frame_received(b);
      return;
    default:
      b->payload[b->got++] = byte;
      if (b->got == b->length) {
        b->state = 0;
        frame_received(b);
      }
  }
}

static void uart_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)value;
  ((bridge_t *)param)->xoff = 0;
}

static void uart_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)value;
  ((bridge_t *)param)->xoff = 1;
}

void bridge_attach(bridge_t *b, avr_t *avr) {
  b->uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_output, b);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon, b);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff, b);
}

void bridge_service(bridge_t *b) {
  if (b->fd >= 0 && !b->peer_closed && b->pending_end < sizeof b->pending) {
    int timeout = 0;
    if (b->read_budget > 0 && b->pending_end == b->pending_start) {
      double now = now_seconds();
      if (b->waiting_since == 0) b->waiting_since = now;
      if (now - b->waiting_since < FREEZE_SECONDS) timeout = 5;
    } else {
      b->waiting_since = 0;
    }
    struct pollfd p = {b->fd, POLLIN, 0};
    if (poll(&p, 1, timeout) == 1) {
      ssize_t n = recv(b->fd, b->pending + b->pending_end, sizeof b->pending - b->pending_end, 0);
      if (n > 0) {
        b->pending_end += (size_t)n;
        b->waiting_since = 0;
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        b->peer_closed = 1;
      }
    }
  }
  answer_read(b);
  pump(b);
  flush_text(b);
}

void bridge_finish(bridge_t *b) {
  flush_text(b);
  if (b->bytes_up || b->bytes_down)
    fprintf(stderr, "simrun: bridge sent %llu bytes, received %llu bytes\n", b->bytes_up, b->bytes_down);
  close_connection(b);
}
