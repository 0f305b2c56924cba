#include "zoneinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../util/array.h"

/* Each field a zone line can set. A field seen twice means two zones ran
 * together (a lost header line): the zone is dropped, not mixed up. */
enum zone_seen {
  SEEN_FREE = 1u << 0,
  SEEN_MIN = 1u << 1,
  SEEN_LOW = 1u << 2,
  SEEN_HIGH = 1u << 3,
  SEEN_SPANNED = 1u << 4,
  SEEN_PRESENT = 1u << 5,
  SEEN_MANAGED = 1u << 6,
  SEEN_NR_FREE_CMA = 1u << 7,
  SEEN_NR_SLAB_RECLAIMABLE = 1u << 8,
  SEEN_NR_SLAB_UNRECLAIMABLE = 1u << 9,
  SEEN_PROTECTION = 1u << 10,
  SEEN_NR_INACTIVE_ANON = 1u << 11,
  SEEN_NR_ACTIVE_ANON = 1u << 12,
  SEEN_NR_INACTIVE_FILE = 1u << 13,
  SEEN_NR_ACTIVE_FILE = 1u << 14,
  SEEN_NR_UNEVICTABLE = 1u << 15,
  SEEN_NR_KERNEL_STACK = 1u << 16,
  SEEN_NR_PAGE_TABLE_PAGES = 1u << 17,
  SEEN_NR_MLOCK = 1u << 18,
  SEEN_NR_BOUNCE = 1u << 19,
  SEEN_NR_ZSPAGES = 1u << 20,
  /* What every kernel since 2.6 prints for each zone. A zone that lacks
   * one (a file cut short) is dropped, not reported with zeros. */
  SEEN_REQUIRED =
      SEEN_FREE | SEEN_MIN | SEEN_LOW | SEEN_HIGH | SEEN_SPANNED | SEEN_PRESENT,
};

/* "key value" lines of a zone, with key lengths. "pages free" and
 * "protection:" have shapes of their own and are read apart. */
struct zone_key {
  const char *name;
  size_t len;
  size_t offset; /* of the uint64_t in struct zone_info */
  unsigned has;  /* enum zone_has bit, 0 for always-printed fields */
  unsigned seen; /* enum zone_seen bit */
};

#define ZONE_FIELD(f) offsetof(struct zone_info, f)
/* A counter of the zone: key, field, has and seen bits of one name. */
#define ZONE_COUNTER(key, f, bit)                                              \
  { key, sizeof(key) - 1, ZONE_FIELD(f), ZONE_HAS_##bit, SEEN_##bit }

static const struct zone_key zone_keys[] = {
    {"high", sizeof("high") - 1, ZONE_FIELD(high), 0, SEEN_HIGH},
    {"low", sizeof("low") - 1, ZONE_FIELD(low), 0, SEEN_LOW},
    {"managed", sizeof("managed") - 1, ZONE_FIELD(managed), ZONE_HAS_MANAGED,
     SEEN_MANAGED},
    {"min", sizeof("min") - 1, ZONE_FIELD(min), 0, SEEN_MIN},
    {"nr_free_cma", sizeof("nr_free_cma") - 1, ZONE_FIELD(nr_free_cma),
     ZONE_HAS_NR_FREE_CMA, SEEN_NR_FREE_CMA},
    {"nr_slab_reclaimable", sizeof("nr_slab_reclaimable") - 1,
     ZONE_FIELD(nr_slab_reclaimable), ZONE_HAS_NR_SLAB_RECLAIMABLE,
     SEEN_NR_SLAB_RECLAIMABLE},
    {"nr_slab_unreclaimable", sizeof("nr_slab_unreclaimable") - 1,
     ZONE_FIELD(nr_slab_unreclaimable), ZONE_HAS_NR_SLAB_UNRECLAIMABLE,
     SEEN_NR_SLAB_UNRECLAIMABLE},
    {"present", sizeof("present") - 1, ZONE_FIELD(present), 0, SEEN_PRESENT},
    {"spanned", sizeof("spanned") - 1, ZONE_FIELD(spanned), 0, SEEN_SPANNED},
    /* The zone's occupancy. The LRU lists under their names before 4.8
     * and their nr_zone_ names after (a zone prints one or the other). */
    ZONE_COUNTER("nr_inactive_anon", nr_inactive_anon, NR_INACTIVE_ANON),
    ZONE_COUNTER("nr_zone_inactive_anon", nr_inactive_anon, NR_INACTIVE_ANON),
    ZONE_COUNTER("nr_active_anon", nr_active_anon, NR_ACTIVE_ANON),
    ZONE_COUNTER("nr_zone_active_anon", nr_active_anon, NR_ACTIVE_ANON),
    ZONE_COUNTER("nr_inactive_file", nr_inactive_file, NR_INACTIVE_FILE),
    ZONE_COUNTER("nr_zone_inactive_file", nr_inactive_file, NR_INACTIVE_FILE),
    ZONE_COUNTER("nr_active_file", nr_active_file, NR_ACTIVE_FILE),
    ZONE_COUNTER("nr_zone_active_file", nr_active_file, NR_ACTIVE_FILE),
    ZONE_COUNTER("nr_unevictable", nr_unevictable, NR_UNEVICTABLE),
    ZONE_COUNTER("nr_zone_unevictable", nr_unevictable, NR_UNEVICTABLE),
    ZONE_COUNTER("nr_kernel_stack", nr_kernel_stack, NR_KERNEL_STACK),
    ZONE_COUNTER("nr_page_table_pages", nr_page_table_pages,
                 NR_PAGE_TABLE_PAGES),
    ZONE_COUNTER("nr_mlock", nr_mlock, NR_MLOCK),
    ZONE_COUNTER("nr_bounce", nr_bounce, NR_BOUNCE),
    ZONE_COUNTER("nr_zspages", nr_zspages, NR_ZSPAGES),
};

/* A few dozen keys: a scan that compares lengths first calls memcmp only
 * on a likely match, where a bsearch calls it at every step. */
static const struct zone_key *zone_key_find(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof(zone_keys) / sizeof(zone_keys[0]); i++)
    if (zone_keys[i].len == len && memcmp(zone_keys[i].name, s, len) == 0)
      return &zone_keys[i];
  return NULL;
}

/* The zone being read, kept apart from zi->zones until it is complete so
 * that a dropped zone does not overwrite the previous parse's entry (which
 * the generation check compares against). */
struct zone_reader {
  struct zone_info zone;
  bool active;        /* a header was read; lines belong to zone */
  bool in_node_stats; /* between "per-node stats" and "pages free" */
  bool bad;           /* drop the zone when it ends */
  unsigned seen;
};

struct zoneinfo_state {
  struct zoneinfo *zi;
  struct zone_reader rd;
  size_t old_nr;
  bool changed; /* the (node, name) list differs from the last parse */
  bool orphans; /* lines outside any zone were met (counted once a run) */
  int err;
};

bool zoneinfo_parse_zone_header(const char **p, const char *end, unsigned *node,
                                char name[ZONEINFO_NAME_LEN]) {
  const char *s = *p;
  const char *w;
  size_t len;
  uint64_t n;

  if (!parse_literal(&s, end, "Node") || !parse_u64(&s, end, &n) ||
      n > UINT_MAX || !parse_literal(&s, end, ",") ||
      !parse_literal(&s, end, "zone"))
    return false;
  /* "zone" must stand alone: the name follows after blanks. */
  if (s >= end || (*s != ' ' && *s != '\t'))
    return false;
  if (!parse_word(&s, end, NULL, &w, &len) ||
      !parse_copy(name, ZONEINFO_NAME_LEN, w, len))
    return false;
  *node = (unsigned)n;
  *p = s;
  return true;
}

/* Reads one unsigned value that must end the line. */
static bool parse_line_value(const char *p, const char *eol, uint64_t *v) {
  if (!parse_u64(&p, eol, v))
    return false;
  parse_skip_blanks(&p, eol);
  return p == eol;
}

enum protection_result { PROTECTION_OK, PROTECTION_BAD, PROTECTION_LONG };

/* "protection: (a, b, c)" after the key: lowmem_reserve[], one per zone
 * type. More entries than ZONEINFO_MAX_ZONE_TYPES make the zone malformed;
 * any other fault leaves the list unset. */
static enum protection_result parse_protection(const char *p, const char *eol,
                                               struct zone_info *z) {
  size_t n = 0;

  if (!parse_literal(&p, eol, "("))
    return PROTECTION_BAD;
  for (;;) {
    uint64_t v;
    if (!parse_u64(&p, eol, &v))
      return PROTECTION_BAD;
    if (n == ZONEINFO_MAX_ZONE_TYPES)
      return PROTECTION_LONG;
    z->protection[n++] = v;
    if (parse_literal(&p, eol, ")"))
      break;
    if (!parse_literal(&p, eol, ","))
      return PROTECTION_BAD;
  }
  parse_skip_blanks(&p, eol);
  if (p != eol)
    return PROTECTION_BAD;
  z->nr_protection = n;
  z->has |= ZONE_HAS_PROTECTION;
  return PROTECTION_OK;
}

/* Ends the zone being read: stores it, or drops and counts it. */
static void zone_end(struct zoneinfo_state *st) {
  struct zone_reader *rd = &st->rd;
  struct zoneinfo *zi = st->zi;

  if (!rd->active)
    return;
  rd->active = false;
  if (rd->bad || (rd->seen & SEEN_REQUIRED) != SEEN_REQUIRED) {
    zi->malformed++;
    return;
  }
  if (st->err)
    return;
  if (zi->nr == zi->cap && (st->err = array_reserve(&zi->zones, &zi->cap, zi->nr + 1,
                                   sizeof(*zi->zones))) != 0)
    return;

  struct zone_info *slot = &zi->zones[zi->nr];
  if (zi->nr >= st->old_nr || slot->node != rd->zone.node ||
      strcmp(slot->name, rd->zone.name) != 0)
    st->changed = true;
  *slot = rd->zone;
  zi->nr++;
}

static void zone_begin(struct zoneinfo_state *st, unsigned node,
                       const char *name) {
  struct zone_reader *rd = &st->rd;

  memset(rd, 0, sizeof(*rd));
  rd->active = true;
  rd->zone.node = node;
  memcpy(rd->zone.name, name, ZONEINFO_NAME_LEN);
  rd->zone.zone_idx = -1;
}

/* Marks a field read; false when it was already read in this zone. */
static bool zone_see(struct zoneinfo_state *st, unsigned bit) {
  struct zone_reader *rd = &st->rd;

  if (rd->seen & bit) {
    if (!rd->bad)
      st->zi->malformed++; /* once: the zone is dropped anyway */
    rd->bad = true;
    return false;
  }
  rd->seen |= bit;
  return true;
}

/* An indented line of the zone being read. */
static void zone_line(struct zoneinfo_state *st, const char *p,
                      const char *eol) {
  struct zone_reader *rd = &st->rd;
  struct {
    const char *s;
    size_t len;
  } key;
  uint64_t v;

  if (!parse_word(&p, eol, NULL, &key.s, &key.len))
    return; /* blank line */

  if (key.len == 8 && memcmp(key.s, "per-node", 8) == 0) {
    rd->in_node_stats = true;
    return;
  }
  if (key.len == 5 && memcmp(key.s, "pages", 5) == 0) {
    /* "pages free" ends the per-node block that newer kernels print
     * under the first zone of a node. */
    if (!parse_literal(&p, eol, "free"))
      return;
    rd->in_node_stats = false;
    if (!parse_line_value(p, eol, &v)) {
      st->zi->malformed++;
      return;
    }
    if (zone_see(st, SEEN_FREE))
      rd->zone.free = v;
    return;
  }
  if (rd->in_node_stats)
    return; /* node counters, not this zone's */

  if (key.len == 11 && memcmp(key.s, "protection:", 11) == 0) {
    if (!zone_see(st, SEEN_PROTECTION))
      return;
    switch (parse_protection(p, eol, &rd->zone)) {
    case PROTECTION_OK:
      break;
    case PROTECTION_LONG:
      rd->bad = true;
      /* fall through */
    case PROTECTION_BAD:
      st->zi->malformed++;
      break;
    }
    return;
  }

  const struct zone_key *k = zone_key_find(key.s, key.len);
  if (k == NULL)
    return; /* counters and pagesets lowmem does not use */
  if (!parse_line_value(p, eol, &v)) {
    st->zi->malformed++;
    return;
  }
  if (!zone_see(st, k->seen))
    return;
  memcpy((char *)&rd->zone + k->offset, &v, sizeof(v));
  rd->zone.has |= k->has;
}

static void zoneinfo_line(struct zoneinfo_state *st, const char *p,
                          const char *eol) {
  const char *s = p;

  parse_skip_blanks(&s, eol);
  if (s == eol)
    return;
  if (s != p) {
    if (st->rd.active) {
      zone_line(st, s, eol);
    } else if (!st->orphans) {
      /* Zone lines with no header above them (or after a broken
       * one): skipped, counted once for the run. */
      st->orphans = true;
      st->zi->malformed++;
    }
    return;
  }

  /* Only zone headers start at column 0. Anything else there ends the
   * zone being read: what follows cannot be told to belong to it. */
  unsigned node;
  char name[ZONEINFO_NAME_LEN];
  bool ok = zoneinfo_parse_zone_header(&s, eol, &node, name);

  if (ok) {
    parse_skip_blanks(&s, eol);
    ok = s == eol;
  }
  zone_end(st);
  if (ok) {
    zone_begin(st, node, name);
    st->orphans = false;
  } else {
    /* The header's zone lines that follow are the orphans it counts. */
    st->orphans = true;
    st->zi->malformed++;
  }
}

/* zone_idx.
 *
 * The protection list has one entry per zone type the kernel was built
 * with, populated or not. Kernels from about 4.12 print every zone type,
 * so a node that prints as many zones as its list has entries gives each
 * zone its printed position.
 *
 * Older kernels skip zones with no pages. Then the lowest printed zone's
 * list tells the rest: lowmem_reserve[j] of zone i is 0 for j <= i and
 * grows at each populated zone j above i (by its pages / ratio), staying
 * flat across unpopulated ones. When the number of increases equals the
 * number of zones printed above the lowest, the increases are their
 * indices; the lowest zone itself is known only when it is DMA, which is
 * index 0 wherever it exists (e.g. the incident's DMA (0, 702, 2008, 2008):
 * Normal is 1, HighMem 2). A tiny zone can add less than one page to the
 * reserve and hide its increase; the count then disagrees and nothing is
 * inferred.
 *
 * A zone type has the same index on every node, so a zone left unknown on
 * one node takes the index found for its name on another. What is still
 * unknown falls back to its printed position (right whenever the skipped
 * zones are above the printed ones, the common case of an empty Movable),
 * and to -1 when the node printed no protection list or the position is
 * past its end. */

enum { ZONE_IDX_PENDING = -2 };

static size_t node_run_end(const struct zoneinfo *zi, size_t first) {
  size_t last = first;

  while (last < zi->nr && zi->zones[last].node == zi->zones[first].node)
    last++;
  return last;
}

/* The protection length of the node's zones, or 0 when none printed one. */
static size_t node_nr_protection(const struct zone_info *z, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (z[i].has & ZONE_HAS_PROTECTION)
      return z[i].nr_protection;
  return 0;
}

static void infer_from_increases(struct zone_info *z, size_t n) {
  const struct zone_info *lowest = &z[0];
  int idx[ZONEINFO_MAX_ZONE_TYPES];
  size_t found = 0;

  if (!(lowest->has & ZONE_HAS_PROTECTION) || lowest->protection[0] != 0)
    return;
  for (size_t j = 1; j < lowest->nr_protection; j++) {
    if (lowest->protection[j] < lowest->protection[j - 1])
      return; /* a cumulative sum never decreases */
    if (lowest->protection[j] > lowest->protection[j - 1])
      idx[found++] = (int)j;
  }
  if (found != n - 1)
    return;
  for (size_t i = 1; i < n; i++)
    z[i].zone_idx = idx[i - 1];
}

static void infer_node(struct zone_info *z, size_t n) {
  size_t nr_prot = node_nr_protection(z, n);

  /* ZONE_DMA, where configured, is the first zone type. */
  for (size_t i = 0; i < n; i++)
    z[i].zone_idx = strcmp(z[i].name, "DMA") == 0 ? 0 : ZONE_IDX_PENDING;
  if (nr_prot == 0)
    return;
  if (n == nr_prot) {
    for (size_t i = 0; i < n; i++)
      z[i].zone_idx = (int)i;
    return;
  }
  infer_from_increases(z, n);
}

static int idx_of_name(const struct zoneinfo *zi, const char *name) {
  for (size_t i = 0; i < zi->nr; i++)
    if (zi->zones[i].zone_idx >= 0 && strcmp(zi->zones[i].name, name) == 0)
      return zi->zones[i].zone_idx;
  return ZONE_IDX_PENDING;
}

static void zoneinfo_infer_idx(struct zoneinfo *zi) {
  for (size_t first = 0; first < zi->nr;) {
    size_t last = node_run_end(zi, first);
    infer_node(zi->zones + first, last - first);
    first = last;
  }
  for (size_t i = 0; i < zi->nr; i++)
    if (zi->zones[i].zone_idx == ZONE_IDX_PENDING)
      zi->zones[i].zone_idx = idx_of_name(zi, zi->zones[i].name);
  for (size_t first = 0; first < zi->nr;) {
    size_t last = node_run_end(zi, first);
    size_t nr_prot = node_nr_protection(zi->zones + first, last - first);
    for (size_t i = first; i < last; i++) {
      struct zone_info *z = &zi->zones[i];
      if (z->zone_idx == ZONE_IDX_PENDING)
        z->zone_idx = i - first < nr_prot ? (int)(i - first) : -1;
    }
    first = last;
  }
}

int zoneinfo_parse(struct zoneinfo *zi, const char *buf, size_t len) {
  struct zoneinfo_state st = {.zi = zi, .old_nr = zi->nr};
  const char *p = buf, *end = buf + len;

  zi->nr = 0;
  zi->malformed = 0;
  while (p < end && !st.err) {
    const char *eol = parse_line_end(p, end);
    if (eol == end) {
      /* The kernel ends every line: a last line without '\n' was cut
       * short, and a number in it may be too. */
      const char *s = p;
      parse_skip_blanks(&s, end);
      if (s != end)
        zi->malformed++;
      break;
    }
    zoneinfo_line(&st, p, eol);
    p = eol + 1;
  }
  zone_end(&st);
  if (st.err)
    return st.err;

  if (st.changed || zi->nr != st.old_nr)
    zi->generation++;
  zoneinfo_infer_idx(zi);
  return zi->nr ? 0 : -EINVAL;
}

void zoneinfo_free(struct zoneinfo *zi) {
  free(zi->zones);
  memset(zi, 0, sizeof(*zi));
}

const struct zone_info *zoneinfo_find(const struct zoneinfo *zi, unsigned node,
                                      const char *name) {
  for (size_t i = 0; i < zi->nr; i++)
    if (zi->zones[i].node == node && strcmp(zi->zones[i].name, name) == 0)
      return &zi->zones[i];
  return NULL;
}
