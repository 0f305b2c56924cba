#include "slabinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "../util/array.h"

/* The numbers of one cache line, read before anything is stored, so a line
 * that turns out malformed leaves the previous parse's entry untouched. */
struct slab_line {
  const char *name;
  size_t name_len;
  uint64_t active_objs, num_objs, objsize, objperslab, pagesperslab;
  uint64_t active_slabs, num_slabs;
};

static bool read_u64s(const char **p, const char *end, uint64_t *out[],
                      size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!parse_u64(p, end, out[i]))
      return false;
  return true;
}

/* After the columns we use: the end of the line, or more " : section"s
 * (SLAB's globalstat and cpustat, 2.4's SMP limit and batchcount). */
static bool at_line_tail(const char *p, const char *eol) {
  parse_skip_blanks(&p, eol);
  return p == eol || *p == ':';
}

/* 2.0 and 2.1:
 *   name active_objs num_objs objsize objperslab pagesperslab
 *     : tunables limit batchcount sharedfactor
 *     : slabdata active_slabs num_slabs sharedavail */
static bool read_line_v2(const char *p, const char *eol, struct slab_line *c) {
  uint64_t tunables[3] = {0}, sharedavail = 0;
  uint64_t *head[] = {&c->active_objs, &c->num_objs, &c->objsize,
                      &c->objperslab, &c->pagesperslab};
  uint64_t *tun[] = {&tunables[0], &tunables[1], &tunables[2]};
  uint64_t *data[] = {&c->active_slabs, &c->num_slabs, &sharedavail};

  return read_u64s(&p, eol, head, 5) && parse_literal(&p, eol, ":") &&
         parse_literal(&p, eol, "tunables") && read_u64s(&p, eol, tun, 3) &&
         parse_literal(&p, eol, ":") && parse_literal(&p, eol, "slabdata") &&
         read_u64s(&p, eol, data, 3) && at_line_tail(p, eol);
}

/* 1.1 (2.4 kernels):
 *   name active_objs num_objs objsize active_slabs num_slabs pagesperslab
 * objperslab is not printed; every slab of a cache holds the same number,
 * so it is num_objs / num_slabs. */
static bool read_line_v1(const char *p, const char *eol, struct slab_line *c) {
  uint64_t *cols[] = {&c->active_objs,  &c->num_objs,  &c->objsize,
                      &c->active_slabs, &c->num_slabs, &c->pagesperslab};

  if (!read_u64s(&p, eol, cols, 6) || !at_line_tail(p, eol))
    return false;
  c->objperslab = c->num_slabs ? c->num_objs / c->num_slabs : 0;
  return true;
}

static bool read_line(const struct slabinfo *si, const char *p, const char *eol,
                      struct slab_line *l) {
  if (!parse_word(&p, eol, NULL, &l->name, &l->name_len) ||
      l->name_len >= SLABINFO_NAME_LEN)
    return false;
  if (si->version_major == 1)
    return read_line_v1(p, eol, l);
  return read_line_v2(p, eol, l);
}

/* "slabinfo - version: 2.1", possibly followed by " (statistics)" or
 * " (SMP)". */
static int read_header(struct slabinfo *si, const char **p, const char *end) {
  const char *s = *p;
  const char *eol = parse_line_end(s, end);
  uint64_t major, minor;

  if (!parse_literal(&s, eol, "slabinfo - version:") ||
      !parse_u64(&s, eol, &major) || !parse_literal(&s, eol, ".") ||
      !parse_u64(&s, eol, &minor))
    return -EINVAL;
  if (!((major == 2 && minor <= 1) || (major == 1 && minor == 1)))
    return -EINVAL;
  si->version_major = (unsigned)major;
  si->version_minor = (unsigned)minor;
  parse_next_line(p, end);
  return 0;
}

static int reserve(struct slabinfo *si, size_t n) {
  return array_reserve(&si->caches, &si->cap, n, sizeof(*si->caches));
}

/* Store line l as cache i. The common case, same cache in the same place as
 * last time, costs one memcmp; anything else is a change of the list. A
 * stored name holds no NUL, so a name equal to it needs no check. Returns
 * -1 for a name with a NUL in it (not stored), 1 for the same name, 0 for a
 * new one. */
static int store(struct slabinfo *si, size_t i, size_t old_nr,
                 const struct slab_line *l) {
  struct slab_cache *c = &si->caches[i];
  /* Names are stored zero-filled, so c->name[name_len] is defined; the
   * stored name is name_len long when its last byte is not NUL. */
  bool same = i < old_nr && c->name[l->name_len] == '\0' &&
              c->name[l->name_len - 1] != '\0' &&
              memcmp(c->name, l->name, l->name_len) == 0;

  if (!same) {
    if (memchr(l->name, '\0', l->name_len) != NULL)
      return -1;
    memset(c->name, 0, sizeof(c->name));
    memcpy(c->name, l->name, l->name_len);
  }
  c->active_objs = l->active_objs;
  c->num_objs = l->num_objs;
  c->objsize = l->objsize;
  c->objperslab = l->objperslab;
  c->pagesperslab = l->pagesperslab;
  c->active_slabs = l->active_slabs;
  c->num_slabs = l->num_slabs;
  return same;
}

int slabinfo_parse(struct slabinfo *si, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  size_t old_nr = si->nr, n = 0;
  bool changed = false;
  int err;

  si->malformed = 0;
  err = read_header(si, &p, end);
  while (err == 0 && p < end) {
    const char *eol = parse_line_end(p, end);
    struct slab_line l;

    if (p == eol || *p == '#') {
      /* blank, or the "# name <active_objs> ..." column header */
    } else if (eol == end || !read_line(si, p, eol, &l)) {
      /* A line without its newline was cut short by the reader. */
      si->malformed++;
    } else if ((err = reserve(si, n + 1)) == 0) {
      int same = store(si, n, old_nr, &l);
      if (same < 0) {
        si->malformed++;
      } else {
        changed |= !same;
        n++;
      }
    }
    p = eol < end ? eol + 1 : end;
  }
  if (err == -EINVAL)
    n = 0;
  si->nr = n;
  if (changed || n != old_nr)
    si->generation++;
  return err;
}

void slabinfo_free(struct slabinfo *si) {
  free(si->caches);
  memset(si, 0, sizeof(*si));
}

uint64_t slab_cache_bytes(const struct slab_cache *c, uint64_t page_size) {
  uint64_t pages, bytes;

  /* Numbers come from a text file: saturate rather than wrap. */
  if (__builtin_mul_overflow(c->num_slabs, c->pagesperslab, &pages) ||
      __builtin_mul_overflow(pages, page_size, &bytes))
    return UINT64_MAX;
  return bytes;
}
