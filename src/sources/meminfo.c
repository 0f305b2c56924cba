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
    [MEMINFO_CACHED] = "Cached",
    [MEMINFO_BUFFERS] = "Buffers",
    [MEMINFO_ANON_PAGES] = "AnonPages",
    [MEMINFO_SHMEM] = "Shmem",
    [MEMINFO_MAPPED] = "Mapped",
    [MEMINFO_ACTIVE_FILE] = "Active(file)",
    [MEMINFO_INACTIVE_FILE] = "Inactive(file)",
};

/* The same names with their lengths: meminfo has some 50 lines
 * and we want 25 of them. */
struct meminfo_key {
  const char *name;
  enum meminfo_field field;
  size_t len;
};

static const struct meminfo_key meminfo_keys[] = {
    {"Active(file)", MEMINFO_ACTIVE_FILE, sizeof("Active(file)") - 1},
    {"AnonPages", MEMINFO_ANON_PAGES, sizeof("AnonPages") - 1},
    {"Buffers", MEMINFO_BUFFERS, sizeof("Buffers") - 1},
    {"Cached", MEMINFO_CACHED, sizeof("Cached") - 1},
    {"CommitLimit", MEMINFO_COMMIT_LIMIT, sizeof("CommitLimit") - 1},
    {"Committed_AS", MEMINFO_COMMITTED_AS, sizeof("Committed_AS") - 1},
    {"Dirty", MEMINFO_DIRTY, sizeof("Dirty") - 1},
    {"HighFree", MEMINFO_HIGH_FREE, sizeof("HighFree") - 1},
    {"HighTotal", MEMINFO_HIGH_TOTAL, sizeof("HighTotal") - 1},
    {"Inactive(file)", MEMINFO_INACTIVE_FILE, sizeof("Inactive(file)") - 1},
    {"KernelStack", MEMINFO_KERNEL_STACK, sizeof("KernelStack") - 1},
    {"LowFree", MEMINFO_LOW_FREE, sizeof("LowFree") - 1},
    {"LowTotal", MEMINFO_LOW_TOTAL, sizeof("LowTotal") - 1},
    {"MemAvailable", MEMINFO_MEM_AVAILABLE, sizeof("MemAvailable") - 1},
    {"MemFree", MEMINFO_MEM_FREE, sizeof("MemFree") - 1},
    {"Mapped", MEMINFO_MAPPED, sizeof("Mapped") - 1},
    {"MemTotal", MEMINFO_MEM_TOTAL, sizeof("MemTotal") - 1},
    {"PageTables", MEMINFO_PAGE_TABLES, sizeof("PageTables") - 1},
    {"SReclaimable", MEMINFO_SRECLAIMABLE, sizeof("SReclaimable") - 1},
    {"SUnreclaim", MEMINFO_SUNRECLAIM, sizeof("SUnreclaim") - 1},
    {"Shmem", MEMINFO_SHMEM, sizeof("Shmem") - 1},
    {"Slab", MEMINFO_SLAB, sizeof("Slab") - 1},
    {"SwapFree", MEMINFO_SWAP_FREE, sizeof("SwapFree") - 1},
    {"SwapTotal", MEMINFO_SWAP_TOTAL, sizeof("SwapTotal") - 1},
    {"Writeback", MEMINFO_WRITEBACK, sizeof("Writeback") - 1},
};

/* Every field has one key. A key out of order, or spelled unlike
 * meminfo_kernel_name, is caught by test_meminfo, which feeds a line for
 * each kernel name and expects it in its field. */
_Static_assert(ARRAY_SIZE(meminfo_kernel_name) == MEMINFO_NR,
               "meminfo_kernel_name must name every enum meminfo_field");
_Static_assert(ARRAY_SIZE(meminfo_keys) == MEMINFO_NR,
               "meminfo_keys must hold every enum meminfo_field once");
_Static_assert(MEMINFO_NR <= 32, "present is a 32-bit mask");

/* 25 keys: a scan that compares lengths first calls memcmp only on a
 * likely match, where a bsearch calls it at every step. */
static const struct meminfo_key *find_key(const char *s, size_t len) {
  for (size_t i = 0; i < ARRAY_SIZE(meminfo_keys); i++)
    if (meminfo_keys[i].len == len && memcmp(meminfo_keys[i].name, s, len) == 0)
      return &meminfo_keys[i];
  return NULL;
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
      continue; /* not ours: lowmem reads 25 of some 50 lines */
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
