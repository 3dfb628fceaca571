/* What the core needs from the platform: a byte stream to a host, a millisecond clock, and
 * some entropy, and optionally the wall clock. The Arduino face adapts a `Client`; extras/posix has
 * sockets. Every call must return promptly: the core bounds waits itself with millis(). */
#ifndef STRATUS_TRANSPORT_H
#define STRATUS_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stratus_transport {
  void *ctx;
  /* 0 when connected to host (host_len bytes, with a NUL after them) at port; -1 otherwise. */
  int (*connect)(void *ctx, const char *host, size_t host_len, uint16_t port);
  /* Bytes written (0 when none could be written yet), -1 on a broken connection. */
  int (*write)(void *ctx, const uint8_t *data, size_t len);
  /* Bytes read (0 when none are ready yet), -1 once the peer closed and nothing is left. */
  int (*read)(void *ctx, uint8_t *buf, size_t len);
  void (*close)(void *ctx);
  uint32_t (*millis)(void *ctx);
  /* Optional (NULL): unix seconds from a clock of the board's own; the server's clock is used once known. */
  uint32_t (*unix_time)(void *ctx);
  /* 32 random bits: the boot id of nonces and publish ids when no storage keeps a boot count, and
   * the backoff's jitter. A board without a generator mixes what varies (timer counts, a floating
   * analog pin), as the Arduino face does. */
  uint32_t (*entropy)(void *ctx);
} stratus_transport;

/* Optional storage hook (EEPROM, a flash file…): a byte region the core reads and writes so that
 * queued publishes and a boot count (unique nonces and ids) survive a reset. */
typedef struct stratus_storage {
  void *ctx;
  size_t size;
  /* 0 on success, -1 otherwise. */
  int (*read)(void *ctx, size_t offset, void *buf, size_t len);
  int (*write)(void *ctx, size_t offset, const void *buf, size_t len);
  /* Optional (NULL): called after a group of writes (ESP EEPROM.commit()). */
  int (*commit)(void *ctx);
} stratus_storage;

#ifdef __cplusplus
}
#endif

#endif
