#include "stratus_head.h"

#include "stratus_pgm.h"

static void write_field(stratus_out *out, const stratus_request_head *head, const stratus_head_extras *x, char field) {
  switch (field) {
    case 1:
      stratus_out_text(out, head->method);
      break;
    case 2: /* the target exactly as sent (PROTOCOL §2) */
      if (head->prefix_len == 0 && head->path == NULL) stratus_out_char(out, '/');
      stratus_out_bytes(out, head->prefix, head->prefix_len);
      if (head->path != NULL) stratus_out_text(out, head->path);
      break;
    case 3:
      stratus_out_bytes(out, x->url.host, x->url.host_len);
      if (x->url.port != 80 && x->url.port != 443) {
        stratus_out_char(out, ':');
        stratus_out_u32(out, x->url.port);
      }
      break;
    case 4:
      stratus_out_text(out, head->app);
      break;
    case 5:
      stratus_out_text(out, head->device);
      break;
    case 6:
      stratus_out_u32(out, head->time);
      break;
    case 7:
      stratus_out_text(out, head->nonce);
      break;
    case 8:
      stratus_out_hex(out, head->body_sha256, STRATUS_SHA256_BYTES);
      break;
    case 14:
      stratus_out_text(out, x->etag);
      break;
    default:
      stratus_out_u32(out, x->number);
      break;
  }
}

void STRATUS_SAVED(stratus_out_template)(stratus_out *out, const char *flash_template, const stratus_request_head *head,
                          const stratus_head_extras *x) {
  const char *p = flash_template;
  uint8_t writing = 1;
  char ch;
  while ((ch = (char)STRATUS_READ_U8(p++)) != '\0') {
    if (ch >= 16 && ch <= 19) {
      writing = (uint8_t)((x->sections >> (ch - 16)) & 1);
    } else if (!writing) {
      continue;
    } else if (ch <= 8 || ch == 14 || ch == 15) {
      write_field(out, head, x, ch);
    } else {
      stratus_out_char(out, ch);
    }
  }
}
