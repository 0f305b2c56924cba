#include "pagetypeinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../util/array.h"
#include "parse.h"

enum section { SECTION_NONE, SECTION_FREE, SECTION_BLOCKS, SECTION_SKIP };

struct state {
  struct pagetypeinfo *pt;
  enum section section;
  size_t old_nr;
  bool changed;
  /* The block table's columns: type index of each. */
  int block_type[PAGETYPEINFO_MAX_TYPES];
  size_t nr_block_columns;
};

static const struct {
  const char *name;
  enum pagetype_kind kind;
} kind_names[] = {
    {"Unmovable", PAGETYPE_UNMOVABLE},   {"Movable", PAGETYPE_MOVABLE},
    {"Reclaimable", PAGETYPE_RECLAIMABLE}, {"HighAtomic", PAGETYPE_HIGHATOMIC},
    {"Reserve", PAGETYPE_RESERVE},       {"CMA", PAGETYPE_CMA},
    {"Isolate", PAGETYPE_ISOLATE},
};

static enum pagetype_kind kind_of(const char *name) {
  for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
    if (strcmp(name, kind_names[i].name) == 0)
      return kind_names[i].kind;
  return PAGETYPE_OTHER;
}

/* The index of the type named word, added when new; -1 when full. */
static int type_index(struct pagetypeinfo *pt, const char *word, size_t len) {
  char name[PAGETYPEINFO_TYPE_LEN] = {0}; /* whole: names are compared so */

  if (!parse_copy(name, sizeof(name), word, len))
    return -1;
  for (size_t t = 0; t < pt->nr_types; t++)
    if (strcmp(pt->type_name[t], name) == 0)
      return (int)t;
  if (pt->nr_types == PAGETYPEINFO_MAX_TYPES)
    return -1;
  memcpy(pt->type_name[pt->nr_types], name, sizeof(name));
  pt->type_kind[pt->nr_types] = kind_of(name);
  return (int)pt->nr_types++;
}

/* "Page block order: 9" / "Pages per block:  512" */
static bool parse_pageblock(struct pagetypeinfo *pt, const char *p,
                            const char *eol) {
  uint64_t v;

  if (parse_literal(&p, eol, "Page block order:")) {
    if (!parse_u64(&p, eol, &v) || v >= 64)
      return false;
    pt->pageblock_order = (unsigned)v;
  } else if (parse_literal(&p, eol, "Pages per block:")) {
    if (!parse_u64(&p, eol, &v) || v == 0)
      return false;
    pt->pages_per_block = v;
    pt->has_pageblock = true;
  } else {
    return false;
  }
  parse_skip_blanks(&p, eol);
  return p == eol;
}

/* "Free pages count per migrate type at order 0 1 ... N": the orders,
 * which must count up from 0. */
static bool parse_free_header(struct pagetypeinfo *pt, const char *p,
                              const char *eol) {
  size_t n = 0;
  uint64_t order;

  while (parse_u64(&p, eol, &order)) {
    if (order != n || n == BUDDYINFO_MAX_ORDERS)
      return false;
    n++;
  }
  parse_skip_blanks(&p, eol);
  if (p != eol || n == 0)
    return false;
  pt->nr_orders = n;
  return true;
}

/* The zone named (node, name), added at the end when new this parse. */
static struct pagetype_zone *zone_slot(struct state *st, unsigned node,
                                       const char *name) {
  struct pagetypeinfo *pt = st->pt;

  for (size_t i = 0; i < pt->nr; i++)
    if (pt->zones[i].node == node && strcmp(pt->zones[i].name, name) == 0)
      return &pt->zones[i];
  if (array_reserve(&pt->zones, &pt->cap, pt->nr + 1, sizeof(*pt->zones)) != 0)
    return NULL;
  struct pagetype_zone *z = &pt->zones[pt->nr];
  if (pt->nr >= st->old_nr || z->node != node || strcmp(z->name, name) != 0)
    st->changed = true;
  memset(z, 0, sizeof(*z));
  z->node = node;
  memcpy(z->name, name, ZONEINFO_NAME_LEN);
  pt->nr++;
  return z;
}

/* One count of the free table: "123" or, cut by the kernel, ">100000". */
static bool parse_count(const char **p, const char *eol, uint64_t *v,
                        bool *capped) {
  parse_skip_blanks(p, eol);
  *capped = *p < eol && **p == '>';
  if (*capped)
    (*p)++;
  return parse_u64(p, eol, v);
}

/* "Node    0, zone   Normal, type    Unmovable   2512   1404 ..." */
static int parse_free_line(struct state *st, const char *p, const char *eol) {
  struct pagetypeinfo *pt = st->pt;
  char name[ZONEINFO_NAME_LEN];
  const char *w;
  size_t len;
  uint64_t node, counts[BUDDYINFO_MAX_ORDERS], capped = 0;

  if (pt->nr_orders == 0 || !parse_literal(&p, eol, "Node") ||
      !parse_u64(&p, eol, &node) || node > UINT_MAX ||
      !parse_literal(&p, eol, ",") || !parse_literal(&p, eol, "zone") ||
      !parse_word(&p, eol, ",", &w, &len) ||
      !parse_copy(name, sizeof(name), w, len) ||
      !parse_literal(&p, eol, ",") || !parse_literal(&p, eol, "type") ||
      !parse_word(&p, eol, NULL, &w, &len))
    return 0;
  const char *type = w;
  size_t type_len = len;
  for (size_t o = 0; o < pt->nr_orders; o++) {
    bool cut;
    if (!parse_count(&p, eol, &counts[o], &cut))
      return 0;
    if (cut)
      capped |= (uint64_t)1 << o;
  }
  parse_skip_blanks(&p, eol);
  if (p != eol)
    return 0;
  int t = type_index(pt, type, type_len);
  if (t < 0)
    return 0;
  struct pagetype_zone *z = zone_slot(st, (unsigned)node, name);
  if (z == NULL)
    return -ENOMEM;
  if (z->has_type & (1u << t))
    return 0; /* the same zone and type twice */
  memcpy(z->nr_free[t], counts, pt->nr_orders * sizeof(counts[0]));
  z->capped[t] = capped;
  z->has_type |= 1u << t;
  return 1;
}

/* "Number of blocks type     Unmovable      Movable ..." */
static bool parse_blocks_header(struct state *st, const char *p,
                                const char *eol) {
  const char *w;
  size_t len;

  st->nr_block_columns = 0;
  while (parse_word(&p, eol, NULL, &w, &len)) {
    int t = type_index(st->pt, w, len);
    if (t < 0 || st->nr_block_columns == PAGETYPEINFO_MAX_TYPES)
      return false;
    st->block_type[st->nr_block_columns++] = t;
  }
  return st->nr_block_columns > 0;
}

/* "Node 0, zone   Normal          102         1879 ..." */
static bool parse_blocks_line(struct state *st, const char *p,
                              const char *eol) {
  char name[ZONEINFO_NAME_LEN];
  unsigned node;
  uint64_t v[PAGETYPEINFO_MAX_TYPES];

  if (st->nr_block_columns == 0 ||
      !zoneinfo_parse_zone_header(&p, eol, &node, name))
    return false;
  for (size_t c = 0; c < st->nr_block_columns; c++)
    if (!parse_u64(&p, eol, &v[c]))
      return false;
  parse_skip_blanks(&p, eol);
  if (p != eol)
    return false;
  /* Only zones of the free table: a zone with no free lines is not one
   * the model can use. */
  for (size_t i = 0; i < st->pt->nr; i++) {
    struct pagetype_zone *z = &st->pt->zones[i];
    if (z->node != node || strcmp(z->name, name) != 0)
      continue;
    for (size_t c = 0; c < st->nr_block_columns; c++)
      z->nr_blocks[st->block_type[c]] = v[c];
    z->has_blocks = true;
    return true;
  }
  return false;
}

/* One line, by the section it is in. 1 read, 0 malformed, -ENOMEM. */
static int parse_line(struct state *st, const char *p, const char *eol) {
  struct pagetypeinfo *pt = st->pt;
  const char *s = p;

  if (parse_literal(&s, eol, "Free pages count per migrate type at order")) {
    st->section = SECTION_FREE;
    return parse_free_header(pt, s, eol) ? 1 : 0;
  }
  s = p;
  if (parse_literal(&s, eol, "Number of blocks type")) {
    st->section = SECTION_BLOCKS;
    return parse_blocks_header(st, s, eol) ? 1 : 0;
  }
  s = p;
  if (parse_literal(&s, eol, "Number of mixed blocks")) {
    st->section = SECTION_SKIP;
    return 1;
  }
  /* The kernel prints the whole file once per node with memory, each
   * copy starting with the page block size. */
  s = p;
  if (parse_literal(&s, eol, "Page")) {
    st->section = SECTION_NONE;
    return parse_pageblock(pt, p, eol) ? 1 : 0;
  }
  switch (st->section) {
  case SECTION_NONE:
    return 0;
  case SECTION_FREE:
    return parse_free_line(st, p, eol);
  case SECTION_BLOCKS:
    return parse_blocks_line(st, p, eol) ? 1 : 0;
  case SECTION_SKIP:
    break;
  }
  return 1;
}

int pagetypeinfo_parse(struct pagetypeinfo *pt, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  char old_types[PAGETYPEINFO_MAX_TYPES][PAGETYPEINFO_TYPE_LEN];
  size_t old_nr_types = pt->nr_types, old_orders = pt->nr_orders;
  struct state st = {.pt = pt, .old_nr = pt->nr};

  memcpy(old_types, pt->type_name, sizeof(old_types));
  pt->nr = 0;
  pt->nr_types = 0;
  pt->nr_orders = 0;
  pt->has_pageblock = false;
  pt->malformed = 0;
  const char *line, *eol;
  while (parse_text_line(&p, end, &line, &eol, &pt->malformed)) {
    int rc = parse_line(&st, line, eol);
    if (rc < 0)
      return rc;
    if (rc == 0)
      pt->malformed++;
  }
  if (st.changed || pt->nr != st.old_nr || pt->nr_types != old_nr_types ||
      pt->nr_orders != old_orders ||
      memcmp(old_types, pt->type_name, sizeof(old_types)) != 0)
    pt->generation++;
  return pt->nr ? 0 : -EINVAL;
}

void pagetypeinfo_free(struct pagetypeinfo *pt) {
  free(pt->zones);
  memset(pt, 0, sizeof(*pt));
}

const struct pagetype_zone *pagetypeinfo_find(const struct pagetypeinfo *pt,
                                              unsigned node, const char *name) {
  for (size_t i = 0; i < pt->nr; i++)
    if (pt->zones[i].node == node && strcmp(pt->zones[i].name, name) == 0)
      return &pt->zones[i];
  return NULL;
}

int pagetypeinfo_type(const struct pagetypeinfo *pt, enum pagetype_kind kind) {
  for (size_t t = 0; t < pt->nr_types; t++)
    if (pt->type_kind[t] == kind)
      return (int)t;
  return -1;
}
