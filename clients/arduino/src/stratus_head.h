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

/* Template bytes 1-8 stand for the method, the target, the host (with its port unless 80 or 443),
 * app, device, time, nonce and the hex of head->body_sha256 (the body digest, or the signature
 * once it was written over it); 14 the ETag, 15 x->number (9, 10 and 13 are TAB, LF and CR,
 * written as they are). 16-19 open a section, written when its bit in x->sections is set. x may
 * be NULL when the template names none of its fields or sections. */
void stratus_out_template(stratus_out *out, const char *flash_template, const stratus_request_head *head,
                          const stratus_head_extras *x);

#ifdef __cplusplus
}
#endif

#endif
