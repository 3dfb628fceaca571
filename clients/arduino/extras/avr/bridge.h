/* simrun's side of the UART0 <-> TCP bridge (the frames are described in bridge_protocol.h). */
#ifndef STRATUS_SIMRUN_BRIDGE_H
#define STRATUS_SIMRUN_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include <sim_avr.h>
#include <sim_irq.h>

#define BRIDGE_MAX_ROUTES 8
#define BRIDGE_PENDING_BYTES 65536
#define BRIDGE_OUT_BYTES 4096

typedef struct {
  char from[128]; /* "host:port", or "*" for any address */
  char to[128];   /* "host:port" */
} bridge_route_t;

typedef struct {
  avr_irq_t *uart_in;
  int xoff; /* simavr's UART takes no input now: receiver off, or its FIFO full */

  /* bytes on their way into UART0 */
  uint8_t out[BRIDGE_OUT_BYTES];
  size_t out_len, out_pos;

  /* frames and text coming out of UART0 */
  int state; /* 0 text, 1 type, 2 length, 3 payload */
  uint8_t type, length, got;
  uint8_t payload[256];
  char text[4096];
  size_t text_len;

  /* the TCP connection */
  int fd;
  int peer_closed;
  uint8_t pending[BRIDGE_PENDING_BYTES]; /* received, not yet sent to the firmware */
  size_t pending_start, pending_end;
  int read_budget; /* bytes of the open read request, 0 when none is open */
  double waiting_since;
  unsigned long long bytes_up, bytes_down;

  bridge_route_t routes[BRIDGE_MAX_ROUTES];
  int route_count;
} bridge_t;

void bridge_init(bridge_t *bridge);
/** "FROM=TO": connections the firmware asks for at FROM ("*" = any) go to TO. 0 on success. */
int bridge_add_route(bridge_t *bridge, const char *spec);
/** Hooks the bridge to UART0 of the simulated MCU. */
void bridge_attach(bridge_t *bridge, avr_t *avr);
/** Queues bytes for UART0 as they are, outside the bridge's frames. */
void bridge_feed_raw(bridge_t *bridge, const uint8_t *bytes, size_t length);
/** Between two slices of simulation: moves bytes between the socket and UART0. */
void bridge_service(bridge_t *bridge);
/** At the end: prints the text still buffered, closes the connection. */
void bridge_finish(bridge_t *bridge);

#endif
