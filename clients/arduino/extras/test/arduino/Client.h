// The Arduino `Client` interface as the face uses it (the real one derives from Stream/Print).
#ifndef STRATUS_TEST_CLIENT_H
#define STRATUS_TEST_CLIENT_H

#include <stddef.h>
#include <stdint.h>

class Client {
 public:
  virtual ~Client() {}
  virtual int connect(const char *host, uint16_t port) = 0;
  virtual size_t write(const uint8_t *buf, size_t size) = 0;
  virtual int available() = 0;
  virtual int read() = 0; /* a byte, or -1 when none is there */
  virtual int read(uint8_t *buf, size_t size) = 0;
  virtual void stop() = 0;
  virtual uint8_t connected() = 0;
};

#endif
