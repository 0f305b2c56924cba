/* meminfo_parse over the fixture trees and broken input.
 *
 * Expected kB values come from the fixture files, listed with
 *   awk '$1 ~ /^(MemTotal|MemFree|...|SwapFree):$/ {print $1, $2}' proc/meminfo
 * (the 18 names of enum meminfo_field); a name awk does not print is
 * absent. The parser reports bytes: kB x 1024. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/meminfo.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ABSENT UINT64_MAX

struct tree_case {
  const char *tree;
  uint64_t kb[MEMINFO_NR]; /* ABSENT: the kernel does not print it */
};

static const struct tree_case trees[] = {
    /* 2.6.39 HighMem: High/Low lines, no MemAvailable (3.14+) */
    {"incident-2.6.39-i686",
     {
         [MEMINFO_MEM_TOTAL] = 2051608,
         [MEMINFO_MEM_FREE] = 157500,
         [MEMINFO_MEM_AVAILABLE] = ABSENT,
         [MEMINFO_HIGH_TOTAL] = 1336932,
         [MEMINFO_HIGH_FREE] = 149216,
         [MEMINFO_LOW_TOTAL] = 714676,
         [MEMINFO_LOW_FREE] = 8284,
         [MEMINFO_SLAB] = 677180,
         [MEMINFO_SRECLAIMABLE] = 665072,
         [MEMINFO_SUNRECLAIM] = 12108,
         [MEMINFO_KERNEL_STACK] = 584,
         [MEMINFO_PAGE_TABLES] = 380,
         [MEMINFO_DIRTY] = 48,
         [MEMINFO_WRITEBACK] = 0,
         [MEMINFO_COMMITTED_AS] = 167320,
         [MEMINFO_COMMIT_LIMIT] = 1550088,
         [MEMINFO_SWAP_TOTAL] = 524284,
         [MEMINFO_SWAP_FREE] = 524144,
         [MEMINFO_BUFFERS] = 3704,
         [MEMINFO_CACHED] = 1188504,
         [MEMINFO_ACTIVE_FILE] = 624636,
         [MEMINFO_INACTIVE_FILE] = 534404,
         [MEMINFO_ANON_PAGES] = 9648,
         [MEMINFO_MAPPED] = 7652,
         [MEMINFO_SHMEM] = 33108,
     }},
    {"linux-4.4-x86_64",
     {
         [MEMINFO_MEM_TOTAL] = 4054276,
         [MEMINFO_MEM_FREE] = 94312,
         [MEMINFO_MEM_AVAILABLE] = 1423096,
         [MEMINFO_HIGH_TOTAL] = ABSENT,
         [MEMINFO_HIGH_FREE] = ABSENT,
         [MEMINFO_LOW_TOTAL] = ABSENT,
         [MEMINFO_LOW_FREE] = ABSENT,
         [MEMINFO_SLAB] = 209472,
         [MEMINFO_SRECLAIMABLE] = 157276,
         [MEMINFO_SUNRECLAIM] = 52196,
         [MEMINFO_KERNEL_STACK] = 9536,
         [MEMINFO_PAGE_TABLES] = 15068,
         [MEMINFO_DIRTY] = 1820,
         [MEMINFO_WRITEBACK] = 0,
         [MEMINFO_COMMITTED_AS] = 3604112,
         [MEMINFO_COMMIT_LIMIT] = 6221438,
         [MEMINFO_SWAP_TOTAL] = 4194300,
         [MEMINFO_SWAP_FREE] = 4194300,
         [MEMINFO_BUFFERS] = 61224,
         [MEMINFO_CACHED] = 1427196,
         [MEMINFO_ACTIVE_FILE] = 736284,
         [MEMINFO_INACTIVE_FILE] = 719324,
         [MEMINFO_ANON_PAGES] = 2018088,
         [MEMINFO_MAPPED] = 48844,
         [MEMINFO_SHMEM] = 32812,
     }},
    {"numa-5.10-x86_64",
     {
         [MEMINFO_MEM_TOTAL] = 32951744,
         [MEMINFO_MEM_FREE] = 6185296,
         [MEMINFO_MEM_AVAILABLE] = 18642212,
         [MEMINFO_HIGH_TOTAL] = ABSENT,
         [MEMINFO_HIGH_FREE] = ABSENT,
         [MEMINFO_LOW_TOTAL] = ABSENT,
         [MEMINFO_LOW_FREE] = ABSENT,
         [MEMINFO_SLAB] = 3207400,
         [MEMINFO_SRECLAIMABLE] = 2806072,
         [MEMINFO_SUNRECLAIM] = 401328,
         [MEMINFO_KERNEL_STACK] = 31036,
         [MEMINFO_PAGE_TABLES] = 68812,
         [MEMINFO_DIRTY] = 43292,
         [MEMINFO_WRITEBACK] = 256,
         [MEMINFO_COMMITTED_AS] = 19220318,
         [MEMINFO_COMMIT_LIMIT] = 24864476,
         [MEMINFO_SWAP_TOTAL] = 8388604,
         [MEMINFO_SWAP_FREE] = 8301108,
         [MEMINFO_BUFFERS] = 310212,
         [MEMINFO_CACHED] = 10316608,
         [MEMINFO_ACTIVE_FILE] = 5700160,
         [MEMINFO_INACTIVE_FILE] = 4757384,
         [MEMINFO_ANON_PAGES] = 12109580,
         [MEMINFO_MAPPED] = 605392,
         [MEMINFO_SHMEM] = 180220,
     }},
    /* no swap: SwapTotal printed as 0, which is present and 0 */
    {"live-6.18-x86_64",
     {
         [MEMINFO_MEM_TOTAL] = 24684096,
         [MEMINFO_MEM_FREE] = 24412388,
         [MEMINFO_MEM_AVAILABLE] = 24385508,
         [MEMINFO_HIGH_TOTAL] = ABSENT,
         [MEMINFO_HIGH_FREE] = ABSENT,
         [MEMINFO_LOW_TOTAL] = ABSENT,
         [MEMINFO_LOW_FREE] = ABSENT,
         [MEMINFO_SLAB] = 80836,
         [MEMINFO_SRECLAIMABLE] = 58984,
         [MEMINFO_SUNRECLAIM] = 21852,
         [MEMINFO_KERNEL_STACK] = 1240,
         [MEMINFO_PAGE_TABLES] = 1408,
         [MEMINFO_DIRTY] = 132,
         [MEMINFO_WRITEBACK] = 0,
         [MEMINFO_COMMITTED_AS] = 46964,
         [MEMINFO_COMMIT_LIMIT] = 12342048,
         [MEMINFO_SWAP_TOTAL] = 0,
         [MEMINFO_SWAP_FREE] = 0,
         [MEMINFO_BUFFERS] = 1048,
         [MEMINFO_CACHED] = 140168,
         [MEMINFO_ACTIVE_FILE] = 46552,
         [MEMINFO_INACTIVE_FILE] = 85768,
         [MEMINFO_ANON_PAGES] = 4672,
         [MEMINFO_MAPPED] = 10500,
         [MEMINFO_SHMEM] = 8788,
     }},
};

static int parse_file(struct meminfo *mi, const char *tree, const char *rel) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int ret = meminfo_parse(mi, buf, len);
  free(buf);
  return ret;
}

static void check_fields(const struct meminfo *mi, const uint64_t *kb) {
  for (int f = 0; f < MEMINFO_NR; f++) {
    if (kb[f] == ABSENT) {
      assert_false(meminfo_has(mi, f));
      assert_int_equal(mi->value[f], 0);
    } else {
      assert_true(meminfo_has(mi, f));
      assert_int_equal(mi->value[f], kb[f] * 1024);
    }
  }
}

static void test_trees(void **state) {
  (void)state;
  for (size_t t = 0; t < ARRAY_SIZE(trees); t++) {
    struct meminfo mi;
    print_message("%s\n", trees[t].tree);
    assert_int_equal(parse_file(&mi, trees[t].tree, "proc/meminfo"), 0);
    assert_int_equal(mi.malformed, 0);
    check_fields(&mi, trees[t].kb);
  }
}

/* The incident's lowmem: LowFree = DMA free 2908 + Normal free 5376 kB
 * (INCIDENT.md), the HighMem zone held the rest of MemFree. */
static void test_incident_lowmem(void **state) {
  (void)state;
  struct meminfo mi;
  assert_int_equal(parse_file(&mi, "incident-2.6.39-i686", "proc/meminfo"), 0);
  assert_int_equal(mi.value[MEMINFO_LOW_FREE], (2908 + 5376) * 1024);
  assert_int_equal(mi.value[MEMINFO_MEM_FREE],
                   mi.value[MEMINFO_LOW_FREE] + mi.value[MEMINFO_HIGH_FREE]);
  assert_int_equal(mi.value[MEMINFO_SLAB], mi.value[MEMINFO_SRECLAIMABLE] +
                                               mi.value[MEMINFO_SUNRECLAIM]);
}

/* One line per kernel name, each with its own value: a key missing from
 * the parser's sorted table, out of order for bsearch, or spelled unlike
 * meminfo_kernel_name lands nowhere and fails here. */
static void test_every_name(void **state) {
  (void)state;
  char buf[4096];
  size_t len = 0;

  /* reverse order, so the file's order is not the table's */
  for (int f = MEMINFO_NR - 1; f >= 0; f--)
    len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s: %d kB\n",
                            meminfo_kernel_name[f], 1000 + f);
  assert_true(len < sizeof(buf));

  struct meminfo mi;
  assert_int_equal(meminfo_parse(&mi, buf, len), 0);
  assert_int_equal(mi.malformed, 0);
  for (int f = 0; f < MEMINFO_NR; f++) {
    assert_true(meminfo_has(&mi, f));
    assert_int_equal(mi.value[f], (uint64_t)(1000 + f) * 1024);
  }
}

/* Names that sort next to ours, or contain one, are not ours. */
static void test_near_names(void **state) {
  (void)state;
  static const char text[] = "WritebackTmp:          7 kB\n"
                             "SwapCached:            7 kB\n"
                             "Slab_:                 7 kB\n"
                             "Mem:                   7 kB\n"
                             "MemTotalX:             7 kB\n"
                             "memtotal:              7 kB\n"
                             "Committed:             7 kB\n"
                             "Dirty:                 9 kB\n";
  struct meminfo mi;
  assert_int_equal(meminfo_parse(&mi, text, sizeof(text) - 1), 0);
  assert_int_equal(mi.present, 1u << MEMINFO_DIRTY);
  assert_int_equal(mi.value[MEMINFO_DIRTY], 9 * 1024);
  assert_int_equal(mi.malformed, 0);
}

/* Broken inputs: tests/fixtures/malformed/proc/meminfo-*. */
static void test_truncated(void **state) {
  (void)state;
  struct meminfo mi;
  /* the incident's meminfo, 25 whole lines (through "Slab:"), then
   * "SReclaimable:     6650" without its unit or newline */
  assert_int_equal(parse_file(&mi, "malformed", "proc/meminfo-truncated"), 0);
  assert_int_equal(mi.malformed, 1);
  assert_int_equal(mi.value[MEMINFO_SLAB], 677180ULL * 1024);
  assert_false(meminfo_has(&mi, MEMINFO_SRECLAIMABLE));
  assert_false(meminfo_has(&mi, MEMINFO_SUNRECLAIM));
  assert_false(meminfo_has(&mi, MEMINFO_COMMIT_LIMIT));
  assert_true(meminfo_has(&mi, MEMINFO_LOW_FREE));
  /* 11 of the first fields, and Buffers, Cached, Active(file),
   * Inactive(file), AnonPages, Mapped, Shmem. */
  assert_true(meminfo_has(&mi, MEMINFO_INACTIVE_FILE));
  assert_int_equal(__builtin_popcount(mi.present), 18);
}

static void test_garbage(void **state) {
  (void)state;
  struct meminfo mi;
  assert_int_equal(parse_file(&mi, "malformed", "proc/meminfo-garbage"), 0);
  /* bad: MemFree "lots", MemAvailable empty, "Buffers" without colon, the
   * line without colon, Dirty in MB, Writeback with a trailing word,
   * SwapTotal over 64 bits, SwapFree 2^54 kB (2^64 bytes), the lone ":",
   * SReclaimable negative. Unknown_Line and HugePages_Total are not ours. */
  assert_int_equal(mi.malformed, 10);
  assert_int_equal(mi.present, (1u << MEMINFO_MEM_TOTAL) |
                                   (1u << MEMINFO_COMMIT_LIMIT) |
                                   (1u << MEMINFO_SLAB));
  assert_int_equal(mi.value[MEMINFO_MEM_TOTAL], 2051608ULL * 1024);
  /* 18014398509481983 kB = 2^54 - 1: the largest that fits in bytes */
  assert_int_equal(mi.value[MEMINFO_COMMIT_LIMIT], UINT64_MAX - 1023);
  assert_int_equal(mi.value[MEMINFO_SLAB], 677180ULL * 1024);
  assert_int_equal(mi.value[MEMINFO_SWAP_FREE], 0);
}

static void test_nothing_ours(void **state) {
  (void)state;
  struct meminfo mi;
  assert_int_equal(parse_file(&mi, "malformed", "proc/meminfo-none-ours"),
                   -EINVAL);
  assert_int_equal(mi.present, 0);
  assert_int_equal(mi.malformed, 0);
  assert_int_equal(parse_file(&mi, "malformed", "proc/meminfo-empty"), -EINVAL);
  assert_int_equal(mi.present, 0);
}

/* A field the last file printed and this one does not is absent now. */
static void test_presence_resets(void **state) {
  (void)state;
  struct meminfo mi;
  assert_int_equal(parse_file(&mi, "incident-2.6.39-i686", "proc/meminfo"), 0);
  assert_true(meminfo_has(&mi, MEMINFO_LOW_FREE));
  assert_int_equal(parse_file(&mi, "linux-4.4-x86_64", "proc/meminfo"), 0);
  assert_false(meminfo_has(&mi, MEMINFO_LOW_FREE));
  assert_int_equal(mi.value[MEMINFO_LOW_FREE], 0);
}

/* Every prefix of a file, copied to a buffer of exactly that size so ASan
 * sees any read past len: whole lines are read, a cut line of ours is
 * counted. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("incident-2.6.39-i686", "proc/meminfo", &len);
  struct meminfo mi;

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    int ret = meminfo_parse(&mi, copy, n);
    /* "MemTotal:        2051608 kB\n" is the first line */
    assert_int_equal(ret, n >= 28 ? 0 : -EINVAL);
    assert_true(mi.malformed <= 1);
    free(copy);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trees),
      cmocka_unit_test(test_incident_lowmem),
      cmocka_unit_test(test_every_name),
      cmocka_unit_test(test_near_names),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_garbage),
      cmocka_unit_test(test_nothing_ours),
      cmocka_unit_test(test_presence_resets),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
