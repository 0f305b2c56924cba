#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *arr, size_t *cap, size_t need, size_t size) {
  void **p = arr;
  size_t want = *cap > 0 ? *cap : 4;

  if (need <= *cap)
    return 0;
  while (want < need) {
    if (want > SIZE_MAX / 2)
      return -ENOMEM;
    want *= 2;
  }
  if (size != 0 && want > SIZE_MAX / size)
    return -ENOMEM;
  void *bigger = realloc(*p, want * size);
  if (bigger == NULL)
    return -ENOMEM;
  *p = bigger;
  *cap = want;
  return 0;
}
