#include "stratus_pgm.h"

int stratus_flash_equals(const char *ram, size_t len, const char *flash) {
  size_t i;
  for (i = 0; i < len; i++) {
    if ((char)STRATUS_READ_U8(flash + i) != ram[i] || ram[i] == '\0') return 0;
  }
  return STRATUS_READ_U8(flash + len) == 0;
}

char *stratus_flash_copy(char *out, const char *flash) {
  STRATUS_MEMCPY_P(out, flash, STRATUS_STRLEN_P(flash) + 1);
  return out;
}
