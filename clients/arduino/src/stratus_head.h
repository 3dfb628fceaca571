/* A request's fields written from a template in flash: the string to sign (PROTOCOL §2) and the
 * HTTP head carry the same fields in the same order, so one writer serves both. */
#ifndef STRATUS_HEAD_H
#define STRATUS_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "stratus_http.h"
#include "stratus_sign.h"
#include "stratus_url.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the HTTP head adds to the signed fields. */
typedef struct stratus_head_extras {
  stratus_url url;  /* host and port; its path is the head's prefix */
  uint8_t sections; /* bit n: the template's section opened by byte 16 + n is written */
  const char *etag;
  uint32_t number; /* the body's length (a request's head), the status (an answer's string to sign) */
} stratus_head_extras;

/* A template's bytes are written as they are but for these: 16-19 open a section, written when its
 * bit in x->sections is set; 20-30 stand for the fields. x may be NULL when the template names none
 * of its fields or sections. */
#define STRATUS_SECTION_FIRST 16
#define STRATUS_FIELD_FIRST 20
#define STRATUS_F_METHOD "\024"
#define STRATUS_F_PREFIX "\025" /* the target is the prefix, then the path when not NULL */
#define STRATUS_F_PATH "\026"
#define STRATUS_F_HOST "\027" /* host and port as the URL has them */
#define STRATUS_F_APP "\030"
#define STRATUS_F_DEVICE "\031"
#define STRATUS_F_TIME "\032"
#define STRATUS_F_NONCE "\033"
#define STRATUS_F_DIGEST "\034" /* the hex of head->body_sha256: the body's digest, or the signature written over it */
#define STRATUS_F_ETAG "\035"
#define STRATUS_F_NUMBER "\036" /* x->number */
void stratus_out_template(stratus_out *out, const char *flash_template, const stratus_request_head *head,
                          const stratus_head_extras *x);

#ifdef __cplusplus
}
#endif

#endif
