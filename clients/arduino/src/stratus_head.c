#include "stratus_head.h"

#include "stratus_pgm.h"

/* What a field is, and where: in the head or in its extras (flash on AVR). */
enum { TEXT, BYTES, NUMBER, DIGEST, IN_EXTRAS = 4 };
#define IN_HEAD(kind, field) {kind, offsetof(stratus_request_head, field)}
#define IN_MORE(kind, field) {kind | IN_EXTRAS, offsetof(stratus_head_extras, field)}
static const uint8_t fields[][2] STRATUS_PROGMEM = {
    IN_HEAD(TEXT, method), IN_HEAD(BYTES, prefix), IN_HEAD(TEXT, path),     IN_MORE(BYTES, url.host),
    IN_HEAD(TEXT, app),    IN_HEAD(TEXT, device),  IN_HEAD(NUMBER, time),   IN_HEAD(TEXT, nonce),
    IN_HEAD(DIGEST, body_sha256), IN_MORE(TEXT, etag), IN_MORE(NUMBER, number)};
/* a BYTES field's length follows its pointer */
typedef char stratus_head_byte_fields[offsetof(stratus_request_head, prefix_len) ==
                                                  offsetof(stratus_request_head, prefix) + sizeof(const char *) &&
                                              offsetof(stratus_url, authority_len) ==
                                                  offsetof(stratus_url, host) + sizeof(const char *)
                                          ? 1
                                          : -1];

static void write_field(stratus_out *out, const stratus_request_head *head, const stratus_head_extras *x, uint8_t code) {
  const uint8_t *field = fields[code - STRATUS_FIELD_FIRST];
  uint8_t how = STRATUS_READ_U8(field);
  const uint8_t *at = (how & IN_EXTRAS ? (const uint8_t *)x : (const uint8_t *)head) + STRATUS_READ_U8(field + 1);
  switch (how & 3) {
    case TEXT: /* NULL: none (a target without a path) */
      if (*(const char *const *)at != NULL) stratus_out_text(out, *(const char *const *)at);
      break;
    case BYTES: /* a pointer and its length after it */
      stratus_out_bytes(out, *(const char *const *)at, *(const size_t *)(at + sizeof(const char *)));
      break;
    case NUMBER:
      stratus_out_u32(out, *(const uint32_t *)at);
      break;
    default:
      stratus_out_hex(out, at, STRATUS_SHA256_BYTES);
      break;
  }
}

void STRATUS_SAVED(stratus_out_template)(stratus_out *out, const char *flash_template, const stratus_request_head *head,
                          const stratus_head_extras *x) {
  const char *p = flash_template;
  uint8_t writing = 1;
  uint8_t ch;
  while ((ch = STRATUS_READ_U8(p++)) != '\0') {
    if (ch >= STRATUS_SECTION_FIRST && ch < STRATUS_FIELD_FIRST) {
      writing = (uint8_t)((x->sections >> (ch - STRATUS_SECTION_FIRST)) & 1);
    } else if (!writing) {
      continue;
    } else if (ch >= STRATUS_FIELD_FIRST && ch < STRATUS_FIELD_FIRST + sizeof fields / sizeof *fields) {
      write_field(out, head, x, ch);
    } else {
      stratus_out_char(out, (char)ch);
    }
  }
}
