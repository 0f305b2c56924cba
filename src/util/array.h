/* Growable arrays: one way to make room, checked for overflow.
 *
 *   struct zone_info *zones; size_t cap;
 *   if (array_reserve(&zones, &cap, nr + 1, sizeof(*zones)) != 0) ...
 *
 * Capacity at least doubles, so n appends cost O(n); contents are kept;
 * on failure the array is left as it was. */
#ifndef LOWMEM_UTIL_ARRAY_H
#define LOWMEM_UTIL_ARRAY_H

#include <stddef.h>

/* Makes *arr (a pointer to the array's pointer, of any element type) hold
 * at least need elements of size bytes. Returns 0, or -ENOMEM (also when
 * need * size does not fit a size_t). */
int array_reserve(void *arr, size_t *cap, size_t need, size_t size);

#endif
