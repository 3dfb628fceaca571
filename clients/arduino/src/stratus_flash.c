#include "stratus_pgm.h"

bool stratus_flash_equals(const char *ram, size_t len, const char *flash) {
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

uint8_t stratus_flash_index(const char *list, const char *text, size_t len, int fold) {
  uint8_t index = 1;
  while (STRATUS_READ_U8(list) != 0) {
    size_t i;
    char w;
    for (i = 0;; i++) {
      char t;
      w = (char)STRATUS_READ_U8(list + i);
      if (i == len || w == '\0') break;
      t = text[i];
      if (fold && t >= 'A' && t <= 'Z') t = (char)(t + ('a' - 'A'));
      if (t != w) break;
    }
    if (i == len && w == '\0') return index;
    while (STRATUS_READ_U8(list + i) != 0) i++;
    list += i + 1;
    index++;
  }
  return 0;
}
