#include "vmstat.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../util/array.h"

static int reserve(struct vmstat *vs, size_t n) {
  return array_reserve(&vs->items, &vs->cap, n, sizeof(*vs->items));
}

/* "name value" and nothing else. */
static bool read_line(const char *p, const char *eol, const char **name,
                      size_t *name_len, uint64_t *value) {
  if (!parse_word(&p, eol, NULL, name, name_len) ||
      *name_len >= VMSTAT_NAME_LEN || !parse_u64(&p, eol, value))
    return false;
  parse_skip_blanks(&p, eol);
  return p == eol;
}

/* Store counter i. The common case, same name in the same place as last
 * time, costs one memcmp; anything else is a change of the list. A stored
 * name holds no NUL, so a name equal to it needs no check. Returns -1 for
 * a name with a NUL in it (not stored), 1 for the same name, 0 for a new. */
static int store(struct vmstat *vs, size_t i, size_t old_nr, const char *name,
                 size_t name_len, uint64_t value) {
  struct vmstat_item *it = &vs->items[i];
  /* Names are stored zero-filled, so it->name[name_len] is defined; the
   * stored name is name_len long when its last byte is not NUL. */
  bool same = i < old_nr && it->name[name_len] == '\0' &&
              it->name[name_len - 1] != '\0' &&
              memcmp(it->name, name, name_len) == 0;

  if (!same) {
    if (memchr(name, '\0', name_len) != NULL)
      return -1;
    memset(it->name, 0, sizeof(it->name));
    memcpy(it->name, name, name_len);
  }
  it->value = value;
  return same;
}

int vmstat_parse(struct vmstat *vs, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  size_t old_nr = vs->nr, n = 0;
  bool changed = false;
  int err = 0;

  vs->malformed = 0;
  while (err == 0 && p < end) {
    const char *eol = parse_line_end(p, end);
    const char *name;
    size_t name_len;
    uint64_t value;

    if (p == eol) {
      /* blank */
    } else if (eol == end || !read_line(p, eol, &name, &name_len, &value)) {
      /* A line without its newline was cut short by the reader. */
      vs->malformed++;
    } else if ((err = reserve(vs, n + 1)) == 0) {
      int same = store(vs, n, old_nr, name, name_len, value);
      if (same < 0) {
        vs->malformed++;
      } else {
        changed |= !same;
        n++;
      }
    }
    p = eol < end ? eol + 1 : end;
  }
  vs->nr = n;
  if (changed || n != old_nr)
    vs->generation++;
  if (err == 0 && n == 0)
    err = -EINVAL;
  return err;
}

void vmstat_free(struct vmstat *vs) {
  free(vs->items);
  memset(vs, 0, sizeof(*vs));
}

long vmstat_find(const struct vmstat *vs, const char *name) {
  for (size_t i = 0; i < vs->nr; i++)
    if (strcmp(vs->items[i].name, name) == 0)
      return (long)i;
  return -1;
}
