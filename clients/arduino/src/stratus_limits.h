/*
 * Sizes fixed at compile time. The buffers a sketch sizes (answer, config cache, publish queue,
 * subscriptions) are passed to the core by pointer, so a sketch sets them with a #define before
 * including Stratus.h. The values below are internal limits; override them with a compiler flag
 * (-DSTRATUS_…) for the whole build.
 */
#ifndef STRATUS_LIMITS_H
#define STRATUS_LIMITS_H

/* Longest ETag kept (quoted, as served: the server's is 26 bytes); a longer one is not kept. */
#ifndef STRATUS_ETAG_BYTES
#define STRATUS_ETAG_BYTES 32
#endif

/* Entries of the get() cache (key pointer → value offset in the config text). 0 on AVR: there the
 * config text held is short (STRATUS_CONFIG_BYTES), a lookup scans it in microseconds, and the
 * cache's code and RAM cost more than it saves. */
#ifndef STRATUS_GET_CACHE
#if defined(__AVR__)
#define STRATUS_GET_CACHE 0
#else
#define STRATUS_GET_CACHE 4
#endif
#endif

/* Bytes written to the transport in one call (a stack buffer while a request is written; the
 * answer is then read through the same buffer). */
#ifndef STRATUS_WRITE_CHUNK
#if defined(__AVR__)
#define STRATUS_WRITE_CHUNK 32
#else
#define STRATUS_WRITE_CHUNK 64
#endif
#endif


#if STRATUS_WRITE_CHUNK < 16 || STRATUS_WRITE_CHUNK > 255
#error "STRATUS_WRITE_CHUNK is 16 to 255 bytes"
#endif

/* Default bound on any one request (connect, write, answer), in milliseconds. */
#ifndef STRATUS_DEFAULT_TIMEOUT_MS
#define STRATUS_DEFAULT_TIMEOUT_MS 10000UL
#endif

/* Backoff after a failed update: base doubling up to the cap, plus up to 50 % jitter. */
#ifndef STRATUS_BACKOFF_BASE_MS
#define STRATUS_BACKOFF_BASE_MS 2000UL
#endif
#ifndef STRATUS_BACKOFF_MAX_MS
#define STRATUS_BACKOFF_MAX_MS 300000UL
#endif

/* Seconds between updates when the config has no stratus.refresh. */
#ifndef STRATUS_DEFAULT_REFRESH_S
#define STRATUS_DEFAULT_REFRESH_S 300UL
#endif

#endif
