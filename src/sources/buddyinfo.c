#include "buddyinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "parse.h"

/* "Node N, zone NAME c0 c1 ... cK": as many counts as the line has, at
 * least one, at most BUDDYINFO_MAX_ORDERS, and nothing else after them. */
static bool parse_buddy_line(const char *p, const char *eol,
                             struct buddy_zone *z) {
  if (!zoneinfo_parse_zone_header(&p, eol, &z->node, z->name))
    return false;
  z->nr_orders = 0;
  for (;;) {
    parse_skip_blanks(&p, eol);
    if (p == eol)
      break;
    if (z->nr_orders == BUDDYINFO_MAX_ORDERS ||
        !parse_u64(&p, eol, &z->nr_free[z->nr_orders]))
      return false;
    z->nr_orders++;
  }
  return z->nr_orders > 0;
}

static bool same_shape(const struct buddy_zone *a, const struct buddy_zone *b) {
  return a->node == b->node && a->nr_orders == b->nr_orders &&
         strcmp(a->name, b->name) == 0;
}

int buddyinfo_parse(struct buddyinfo *bi, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  size_t old_nr = bi->nr;
  bool changed = false;
  /* A line is read here first so that a malformed one never overwrites
   * the previous parse's entry, which the generation check compares. */
  struct buddy_zone z;

  bi->nr = 0;
  bi->malformed = 0;
  const char *line, *eol;
  while (parse_text_line(&p, end, &line, &eol, &bi->malformed)) {
    if (!parse_buddy_line(line, eol, &z)) {
      bi->malformed++;
      continue;
    }
    if (array_reserve(&bi->zones, &bi->cap, bi->nr + 1, sizeof(*bi->zones)) !=
        0)
      return -ENOMEM;
    if (bi->nr >= old_nr || !same_shape(&bi->zones[bi->nr], &z))
      changed = true;
    bi->zones[bi->nr++] = z;
  }
  if (changed || bi->nr != old_nr)
    bi->generation++;
  return bi->nr ? 0 : -EINVAL;
}

void buddyinfo_free(struct buddyinfo *bi) {
  free(bi->zones);
  memset(bi, 0, sizeof(*bi));
}

const struct buddy_zone *buddyinfo_find(const struct buddyinfo *bi,
                                        unsigned node, const char *name) {
  for (size_t i = 0; i < bi->nr; i++)
    if (bi->zones[i].node == node && strcmp(bi->zones[i].name, name) == 0)
      return &bi->zones[i];
  return NULL;
}
