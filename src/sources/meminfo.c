#include "meminfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *const meminfo_kernel_name[MEMINFO_NR] = {
    [MEMINFO_MEM_TOTAL] = "MemTotal",
    [MEMINFO_MEM_FREE] = "MemFree",
    [MEMINFO_MEM_AVAILABLE] = "MemAvailable",
    [MEMINFO_HIGH_TOTAL] = "HighTotal",
    [MEMINFO_HIGH_FREE] = "HighFree",
    [MEMINFO_LOW_TOTAL] = "LowTotal",
    [MEMINFO_LOW_FREE] = "LowFree",
    [MEMINFO_SLAB] = "Slab",
    [MEMINFO_SRECLAIMABLE] = "SReclaimable",
    [MEMINFO_SUNRECLAIM] = "SUnreclaim",
    [MEMINFO_KERNEL_STACK] = "KernelStack",
    [MEMINFO_PAGE_TABLES] = "PageTables",
    [MEMINFO_DIRTY] = "Dirty",
    [MEMINFO_WRITEBACK] = "Writeback",
    [MEMINFO_COMMITTED_AS] = "Committed_AS",
    [MEMINFO_COMMIT_LIMIT] = "CommitLimit",
    [MEMINFO_SWAP_TOTAL] = "SwapTotal",
    [MEMINFO_SWAP_FREE] = "SwapFree",
};

/* The same names in strcmp order, for bsearch: meminfo has some 50 lines
 * and we want 18 of them. */
struct meminfo_key {
  const char *name;
  enum meminfo_field field;
};

static const struct meminfo_key meminfo_keys[] = {
    {"CommitLimit", MEMINFO_COMMIT_LIMIT},
    {"Committed_AS", MEMINFO_COMMITTED_AS},
    {"Dirty", MEMINFO_DIRTY},
    {"HighFree", MEMINFO_HIGH_FREE},
    {"HighTotal", MEMINFO_HIGH_TOTAL},
    {"KernelStack", MEMINFO_KERNEL_STACK},
    {"LowFree", MEMINFO_LOW_FREE},
    {"LowTotal", MEMINFO_LOW_TOTAL},
    {"MemAvailable", MEMINFO_MEM_AVAILABLE},
    {"MemFree", MEMINFO_MEM_FREE},
    {"MemTotal", MEMINFO_MEM_TOTAL},
    {"PageTables", MEMINFO_PAGE_TABLES},
    {"SReclaimable", MEMINFO_SRECLAIMABLE},
    {"SUnreclaim", MEMINFO_SUNRECLAIM},
    {"Slab", MEMINFO_SLAB},
    {"SwapFree", MEMINFO_SWAP_FREE},
    {"SwapTotal", MEMINFO_SWAP_TOTAL},
    {"Writeback", MEMINFO_WRITEBACK},
};

/* Every field has one key. A key out of order, or spelled unlike
 * meminfo_kernel_name, is caught by test_meminfo, which feeds a line for
 * each kernel name and expects it in its field. */
_Static_assert(ARRAY_SIZE(meminfo_kernel_name) == MEMINFO_NR,
               "meminfo_kernel_name must name every enum meminfo_field");
_Static_assert(ARRAY_SIZE(meminfo_keys) == MEMINFO_NR,
               "meminfo_keys must hold every enum meminfo_field once");
_Static_assert(MEMINFO_NR <= 32, "present is a 32-bit mask");

/* A name from the buffer: not NUL-terminated. */
struct word {
  const char *s;
  size_t len;
};

static int key_cmp(const void *k, const void *e) {
  const struct word *w = k;
  const char *name = ((const struct meminfo_key *)e)->name;
  size_t n = strlen(name);
  int c = memcmp(w->s, name, w->len < n ? w->len : n);

  if (c != 0)
    return c;
  return (w->len > n) - (w->len < n);
}

static const struct meminfo_key *find_key(const char *s, size_t len) {
  struct word w = {s, len};
  return bsearch(&w, meminfo_keys, ARRAY_SIZE(meminfo_keys),
                 sizeof(meminfo_keys[0]), key_cmp);
}

/* "    123456 kB" -> bytes. Our fields are all in kB. */
static bool read_kb(const char *p, const char *eol, uint64_t *bytes) {
  uint64_t kb;

  if (!parse_u64(&p, eol, &kb) || !parse_literal(&p, eol, "kB"))
    return false;
  parse_skip_blanks(&p, eol);
  return p == eol && !__builtin_mul_overflow(kb, 1024, bytes);
}

int meminfo_parse(struct meminfo *mi, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;

  memset(mi->value, 0, sizeof(mi->value));
  mi->present = 0;
  mi->malformed = 0;
  while (p < end) {
    const char *eol = parse_line_end(p, end);
    const char *s = p, *name;
    size_t name_len;
    const struct meminfo_key *k;
    uint64_t bytes;

    parse_next_line(&p, end);
    if (s == eol)
      continue;
    if (!parse_word(&s, eol, ":", &name, &name_len) ||
        !parse_literal(&s, eol, ":")) {
      mi->malformed++; /* not a "Name: value" line */
      continue;
    }
    if ((k = find_key(name, name_len)) == NULL)
      continue; /* not ours: lowmem reads 18 of some 50 lines */
    /* A line without its newline was cut short by the reader. */
    if (eol == end || !read_kb(s, eol, &bytes)) {
      mi->malformed++;
      continue;
    }
    mi->value[k->field] = bytes;
    mi->present |= 1u << k->field;
  }
  return mi->present ? 0 : -EINVAL;
}
