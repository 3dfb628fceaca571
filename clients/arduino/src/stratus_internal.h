/* Shared between the client's files; not part of the API. */
#ifndef STRATUS_INTERNAL_H
#define STRATUS_INTERNAL_H

#include "stratus_client.h"
#include "stratus_http.h"
#include "stratus_url.h"

/* client flags */
#define STRATUS_F_CLOCK 0x01     /* server_time/clock_millis are set */
#define STRATUS_F_UPDATED 0x02   /* an update ran since begin */
#define STRATUS_F_IN_UPDATE 0x04 /* inside update (callbacks): no nested exchange */
#define STRATUS_F_SUBSCRIBE 0x08 /* this sync body carries the subscriptions */
#define STRATUS_F_CONFIG 0x10    /* this sync body carries "config" */
#define STRATUS_F_PUBLISH 0x20   /* this sync body carries the queue */

/* subscription flags */
#define STRATUS_SUB_AFTER 0x01 /* `after` is known */
#define STRATUS_SUB_RESET 0x02 /* send reset:true once */

/* request bits (how); the head template's sections (stratus_exchange.c) follow them */
#define STRATUS_REQ_SIGNED 1      /* signed, its answer verified */
#define STRATUS_REQ_BODY 2        /* the sync body of stratus_write_sync_body */
#define STRATUS_REQ_CONDITIONAL 4 /* If-None-Match with the ETag held */

/* One request and its whole answer into `a`; a signed one's answer is verified (and the clock set
 * from it). method "GET" or "POST"; the target is the URL's path, then `path` (NULL: none); url
 * NULL: the API base (stratus.server or the URL given). Every kind of request goes through here,
 * so that one answer (the largest local of the library) is on the stack at a time. */
stratus_error stratus_exchange(stratus_client *c, stratus_answer *a, const char *method, const char *path,
                               const char *url, size_t url_len, uint8_t how);
void stratus_write_sync_body(stratus_client *c, stratus_out *out);
/* The API base: stratus.server from the config when set (PROTOCOL §5 migration), else the URL given. */
bool stratus_server_url(stratus_client *c, stratus_url *out);
void stratus_log(stratus_client *c, uint8_t level, stratus_error code, const char *detail);
void stratus_config_changed(stratus_client *c);
/* A reserved key's value (the key in flash); NULL when absent. */
const char *stratus_reserved(stratus_client *c, const char *flash_key, size_t *len);
extern const char stratus_key_refresh[], stratus_key_server[], stratus_key_config_url[], stratus_key_debug[];
void stratus_save_queue(stratus_client *c);
void stratus_set_clock(stratus_client *c, uint32_t server_time);
/* 32 random bits: the transport's entropy. */
uint32_t stratus_random(stratus_client *c);
/* The transport's millisecond clock. */
uint32_t stratus_millis(const stratus_client *c);
/* "<boot>-<++*counter>" (a nonce or a publish id), NUL-terminated. */
#define STRATUS_ID_BYTES 22
void stratus_make_id(stratus_client *c, uint32_t *counter, char out[STRATUS_ID_BYTES]);
struct stratus_record;
void stratus_handle_message(stratus_client *c, stratus_subscription *s, const struct stratus_record *r,
                            const char *value, size_t len);
stratus_subscription *stratus_find_sub(stratus_client *c, const char *scope, size_t scope_len, const char *stream,
                                       size_t stream_len);

#endif
