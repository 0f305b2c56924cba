/* /proc/zoneinfo: both shapes, zone_idx, presence bits, generation, bad
 * input.
 *
 * Expected values are read off the fixture files; the free/min/protection
 * columns were checked with
 *   awk '/^Node/{z=$2$4} /pages free/{f=$3} /^ +min /{m=$2}
 *        /protection/{print z, f, m, $0}' proc/zoneinfo
 * and the rest by reading the zone's lines. */
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
#include "sources/zoneinfo.h"

#define NOT_PRINTED UINT64_MAX

struct want_zone {
  unsigned node;
  const char *name;
  uint64_t free, min, low, high, spanned, present;
  uint64_t managed;     /* NOT_PRINTED: ZONE_HAS_MANAGED clear */
  uint64_t nr_free_cma; /* likewise */
  uint64_t slab_r, slab_u;
  size_t nr_protection;
  uint64_t protection[ZONEINFO_MAX_ZONE_TYPES];
  int zone_idx;
};

struct want_tree {
  const char *tree;
  size_t nr;
  struct want_zone zones[12];
};

#define NP NOT_PRINTED

static const struct want_tree trees[] = {
    /* Old shape: populated zones only, counters per zone, no managed
     * (3.8+) and no nr_free_cma (3.7+). Four protection entries (DMA,
     * Normal, HighMem, Movable) for three zones: zone_idx from DMA's
     * increases 702 (j=1) and 2008 (j=2). */
    {"incident-2.6.39-i686",
     3,
     {
         {0,
          "DMA",
          727,
          22,
          27,
          33,
          4080,
          3952,
          NP,
          NP,
          247,
          33,
          4,
          {0, 702, 2008, 2008},
          0},
         {0,
          "Normal",
          1344,
          1001,
          1251,
          1501,
          225280,
          179830,
          NP,
          NP,
          166021,
          2994,
          4,
          {0, 0, 10444, 10444},
          1},
         {0,
          "HighMem",
          37304,
          128,
          593,
          1059,
          865282,
          334233,
          NP,
          NP,
          0,
          0,
          4,
          {0, 0, 0, 0},
          2},
     }},
    /* Populated zones only (Movable skipped), managed and nr_free_cma
     * printed, slab per zone. DMA (0, 2980, 3943, 3943): increases at 1
     * and 2 for the two zones above. */
    {"linux-4.4-x86_64",
     3,
     {
         {0,
          "DMA",
          3921,
          66,
          82,
          99,
          4095,
          3998,
          3977,
          0,
          0,
          16,
          4,
          {0, 2980, 3943, 3943},
          0},
         {0,
          "DMA32",
          15255,
          12720,
          15900,
          19080,
          1044480,
          782288,
          763064,
          0,
          29518,
          6911,
          4,
          {0, 0, 963, 963},
          1},
         {0,
          "Normal",
          4402,
          4109,
          5136,
          6163,
          262144,
          262144,
          246528,
          0,
          9801,
          6122,
          4,
          {0, 0, 0, 0},
          2},
     }},
    /* Every zone printed, five protection entries: zone_idx = position.
     * The per-node stats blocks (under node 0 DMA and node 1 Normal) hold
     * nr_slab_reclaimable 181077 and 520441: node counters, not stored.
     * Empty zones stop after protection: no nr_free_cma. */
    {"numa-5.10-x86_64",
     10,
     {
         {0,
          "DMA",
          3840,
          10,
          13,
          16,
          4095,
          3998,
          3976,
          0,
          NP,
          NP,
          5,
          {0, 2991, 16039, 16039, 16039},
          0},
         {0,
          "DMA32",
          237839,
          2094,
          2859,
          3624,
          1044480,
          782288,
          765728,
          0,
          NP,
          NP,
          5,
          {0, 0, 13048, 13048, 13048},
          1},
         {0,
          "Normal",
          1293155,
          9134,
          12474,
          15814,
          3407872,
          3407872,
          3340432,
          0,
          NP,
          NP,
          5,
          {0},
          2},
         {0, "Movable", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 3},
         {0, "Device", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 4},
         {1, "DMA", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 0},
         {1, "DMA32", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 1},
         {1,
          "Normal",
          11490,
          11288,
          15415,
          19542,
          4194304,
          4194304,
          4127800,
          0,
          NP,
          NP,
          5,
          {0},
          2},
         {1, "Movable", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 3},
         {1, "Device", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 4},
     }},
    /* Captured: boost, promo and cma lines (ignored), "min" includes the
     * boost (0 here). Movable's min 32 is printed although it is empty. */
    {"live-6.18-x86_64",
     5,
     {
         {0,
          "DMA",
          3840,
          55,
          68,
          81,
          4095,
          3998,
          3840,
          0,
          NP,
          NP,
          5,
          {0, 3019, 4555, 4555, 4555},
          0},
         {0,
          "DMA32",
          772918,
          11161,
          13951,
          16741,
          1044480,
          782336,
          772918,
          0,
          NP,
          NP,
          5,
          {0, 0, 1536, 1536, 1536},
          1},
         {0,
          "Normal",
          325302,
          5678,
          7097,
          8516,
          5505024,
          5505024,
          393216,
          0,
          NP,
          NP,
          5,
          {0},
          2},
         {0, "Movable", 0, 32, 32, 32, 0, 0, 0, NP, NP, NP, 5, {0}, 3},
         {0, "Device", 0, 0, 0, 0, 0, 0, 0, NP, NP, NP, 5, {0}, 4},
     }},
};

static void check_optional(const struct zone_info *z, unsigned bit,
                           uint64_t got, uint64_t want) {
  if (want == NOT_PRINTED) {
    assert_false(z->has & bit);
  } else {
    assert_true(z->has & bit);
    assert_int_equal(got, want);
  }
}

static void check_zone(const struct zone_info *z, const struct want_zone *w) {
  assert_int_equal(z->node, w->node);
  assert_string_equal(z->name, w->name);
  assert_int_equal(z->free, w->free);
  assert_int_equal(z->min, w->min);
  assert_int_equal(z->low, w->low);
  assert_int_equal(z->high, w->high);
  assert_int_equal(z->spanned, w->spanned);
  assert_int_equal(z->present, w->present);
  check_optional(z, ZONE_HAS_MANAGED, z->managed, w->managed);
  check_optional(z, ZONE_HAS_NR_FREE_CMA, z->nr_free_cma, w->nr_free_cma);
  check_optional(z, ZONE_HAS_NR_SLAB_RECLAIMABLE, z->nr_slab_reclaimable,
                 w->slab_r);
  check_optional(z, ZONE_HAS_NR_SLAB_UNRECLAIMABLE, z->nr_slab_unreclaimable,
                 w->slab_u);
  assert_true(z->has & ZONE_HAS_PROTECTION);
  assert_int_equal(z->nr_protection, w->nr_protection);
  for (size_t i = 0; i < w->nr_protection; i++)
    assert_int_equal(z->protection[i], w->protection[i]);
  assert_int_equal(z->zone_idx, w->zone_idx);
}

static void test_trees(void **state) {
  (void)state;
  for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
    const struct want_tree *w = &trees[t];
    struct zoneinfo zi = {0};
    size_t len;
    char *buf = fixture_read(w->tree, "proc/zoneinfo", &len);

    assert_int_equal(zoneinfo_parse(&zi, buf, len), 0);
    assert_int_equal(zi.malformed, 0);
    assert_int_equal(zi.nr, w->nr);
    assert_int_equal(zi.generation, 1);
    for (size_t i = 0; i < w->nr; i++)
      check_zone(&zi.zones[i], &w->zones[i]);
    zoneinfo_free(&zi);
    free(buf);
  }
}

static void test_find(void **state) {
  (void)state;
  struct zoneinfo zi = {0};
  size_t len;
  char *buf = fixture_read("numa-5.10-x86_64", "proc/zoneinfo", &len);

  assert_int_equal(zoneinfo_parse(&zi, buf, len), 0);
  const struct zone_info *z = zoneinfo_find(&zi, 1, "Normal");
  assert_non_null(z);
  assert_int_equal(z->free, 11490);
  assert_ptr_equal(zoneinfo_find(&zi, 0, "Normal"), &zi.zones[2]);
  assert_null(zoneinfo_find(&zi, 2, "Normal"));
  assert_null(zoneinfo_find(&zi, 0, "HighMem"));
  zoneinfo_free(&zi);
  free(buf);
}

/* Storage is kept between parses; generation moves only with the names. */
static void test_reuse_and_generation(void **state) {
  (void)state;
  struct zoneinfo zi = {0};
  size_t live_len, inc_len;
  char *live = fixture_read("live-6.18-x86_64", "proc/zoneinfo", &live_len);
  char *inc = fixture_read("incident-2.6.39-i686", "proc/zoneinfo", &inc_len);

  assert_int_equal(zoneinfo_parse(&zi, live, live_len), 0);
  assert_int_equal(zi.generation, 1);
  struct zone_info *zones = zi.zones;
  size_t cap = zi.cap;
  assert_int_equal(zoneinfo_parse(&zi, live, live_len), 0);
  assert_int_equal(zi.generation, 1);
  assert_ptr_equal(zi.zones, zones);
  assert_int_equal(zi.cap, cap);

  /* Values change, names do not. */
  char *p = strstr(live, "pages free     325302");
  assert_non_null(p);
  memcpy(p, "pages free     100000", 21);
  assert_int_equal(zoneinfo_parse(&zi, live, live_len), 0);
  assert_int_equal(zi.generation, 1);
  assert_int_equal(zi.zones[2].free, 100000);

  /* Other zones: bumped, and back again: bumped. */
  assert_int_equal(zoneinfo_parse(&zi, inc, inc_len), 0);
  assert_int_equal(zi.generation, 2);
  assert_int_equal(zoneinfo_parse(&zi, live, live_len), 0);
  assert_int_equal(zi.generation, 3);

  /* One zone fewer (the file ends before Device): bumped. */
  p = strstr(live, "Node 0, zone   Device");
  assert_non_null(p);
  assert_int_equal(zoneinfo_parse(&zi, live, (size_t)(p - live)), 0);
  assert_int_equal(zi.nr, 4);
  assert_int_equal(zi.generation, 4);
  zoneinfo_free(&zi);
  free(live);
  free(inc);
}

struct want_malformed {
  const char *file;
  size_t nr;
  unsigned malformed;
  const char *names[4]; /* node 0 unless "1:" */
  int zone_idx[4];
};

static const struct want_malformed malformed[] = {
    /* Cut in Normal's "min 1001" line: the cut line, and Normal without
     * its watermarks, dropped. */
    {"zoneinfo-truncated-midline", 1, 2, {"DMA"}, {0}},
    /* Cut in Normal's pagesets: Normal has all it needs; HighMem lost.
     * Two zones for four protection entries and DMA shows two increases:
     * no inference; DMA is 0 by name, Normal falls back to position 1. */
    {"zoneinfo-truncated-pagesets", 2, 1, {"DMA", "Normal"}, {0, 1}},
    /* Garbage at the top and the bottom (column 0), "managed -5", an
     * unparsable protection list (that zone keeps its other fields);
     * unknown keys with junk values are ignored, not counted. */
    {"zoneinfo-garbage", 3, 4, {"DMA", "DMA32", "Normal"}, {0, 1, 2}},
    /* The Normal header lost: DMA meets a second "pages free" (counted
     * once) and is dropped (counted). HighMem, alone, with (0, 0, 0, 0):
     * no increase to read, so its printed position 0 (the documented
     * fallback; the kernel's index is 2). */
    {"zoneinfo-missing-header", 1, 2, {"HighMem"}, {0}},
    /* DMA's header lost: its lines belong to no zone (counted once).
     * Normal (0, 0, 10444, 10444) gives HighMem 2; Normal itself falls
     * back to position 0. */
    {"zoneinfo-no-first-header", 2, 1, {"Normal", "HighMem"}, {0, 2}},
    /* Nine protection entries: the line and the zone. */
    {"zoneinfo-protection-long", 2, 2, {"Normal", "HighMem"}, {0, 2}},
    /* "pages free 13a4" (Normal) and an empty "min" (HighMem): two lines,
     * two zones dropped. */
    {"zoneinfo-nonnumeric", 1, 4, {"DMA"}, {0}},
    /* "pages free" past 2^64: the line and DMA. */
    {"zoneinfo-overflow", 2, 2, {"Normal", "HighMem"}, {0, 2}},
    /* Ends inside node 1's per-node stats: node 1 Normal has read only
     * node counters, none of its own, and is dropped. Node 1 DMA32 takes
     * index 1 from node 0. */
    {"zoneinfo-node-stats-truncated",
     7,
     1,
     {"DMA", "DMA32", "Normal", "Movable"},
     {0, 1, 2, 3}},
};

static void test_malformed(void **state) {
  (void)state;
  for (size_t m = 0; m < sizeof(malformed) / sizeof(malformed[0]); m++) {
    const struct want_malformed *w = &malformed[m];
    char rel[128];
    struct zoneinfo zi = {0};
    size_t len;

    snprintf(rel, sizeof(rel), "proc/%s", w->file);
    char *buf = fixture_read("malformed", rel, &len);
    assert_int_equal(zoneinfo_parse(&zi, buf, len), 0);
    assert_int_equal(zi.nr, w->nr);
    assert_int_equal(zi.malformed, w->malformed);
    for (size_t i = 0; i < 4 && w->names[i]; i++) {
      assert_string_equal(zi.zones[i].name, w->names[i]);
      assert_int_equal(zi.zones[i].zone_idx, w->zone_idx[i]);
    }
    zoneinfo_free(&zi);
    free(buf);
  }
}

static void test_malformed_details(void **state) {
  (void)state;
  struct zoneinfo zi = {0};
  size_t len;
  char *buf;

  /* zoneinfo-garbage: DMA's "managed -5" leaves managed unset; Normal's
   * "(0, 0, x, 0)" leaves protection unset. */
  buf = fixture_read("malformed", "proc/zoneinfo-garbage", &len);
  assert_int_equal(zoneinfo_parse(&zi, buf, len), 0);
  assert_false(zi.zones[0].has & ZONE_HAS_MANAGED);
  assert_int_equal(zi.zones[0].free, 3921);
  assert_true(zi.zones[1].has & ZONE_HAS_MANAGED);
  assert_int_equal(zi.zones[1].present, 782288);
  assert_false(zi.zones[2].has & ZONE_HAS_PROTECTION);
  assert_int_equal(zi.zones[2].free, 4402);
  free(buf);

  /* The node-stats cut: node 1's zones are its empty DMA and DMA32. */
  buf = fixture_read("malformed", "proc/zoneinfo-node-stats-truncated", &len);
  assert_int_equal(zoneinfo_parse(&zi, buf, len), 0);
  assert_null(zoneinfo_find(&zi, 1, "Normal"));
  assert_int_equal(zoneinfo_find(&zi, 1, "DMA")->zone_idx, 0);
  assert_int_equal(zoneinfo_find(&zi, 1, "DMA32")->zone_idx, 1);
  free(buf);
  zoneinfo_free(&zi);
}

/* Inline files for the edges. Each ends in '\n' unless said. */
struct inline_case {
  const char *what;
  const char *text;
  int ret;
  size_t nr;
  unsigned malformed;
  int zone_idx[4];
};

#define ZONE(name, prot)                                                       \
  "Node 0, zone " name "\n  pages free     10\n        min      1\n"           \
  "        low      2\n        high     3\n        spanned  100\n"             \
  "        present  90\n        protection: " prot "\n"

static const struct inline_case inline_cases[] = {
    {"empty", "", -EINVAL, 0, 0, {0}},
    {"only garbage", "hello\nworld\n", -EINVAL, 0, 2, {0}},
    {"headerless lines", "  pages free 5\n        min 1\n", -EINVAL, 0, 1, {0}},
    {"eight protection entries",
     ZONE("DMA", "(0, 1, 2, 3, 4, 5, 6, 7)"),
     0,
     1,
     0,
     {0}},
    {"nine protection entries",
     ZONE("DMA", "(0, 1, 2, 3, 4, 5, 6, 7, 8)"),
     -EINVAL,
     0,
     2,
     {0}},
    {"empty protection", ZONE("DMA", "()"), 0, 1, 1, {0}},
    {"negative protection", ZONE("DMA", "(0, -1)"), 0, 1, 1, {0}},
    {"unclosed protection", ZONE("DMA", "(0, 1"), 0, 1, 1, {0}},
    /* A bad header counts once; its zone's lines are not counted again. */
    {"zone name too long",
     ZONE("ABCDEFGHIJKLMNOPQ", "(0)"),
     -EINVAL,
     0,
     1,
     {0}},
    {"header with junk after it",
     "Node 0, zone DMA extra\n  pages free 1\n",
     -EINVAL,
     0,
     1,
     {0}},
    {"node past UINT_MAX", "Node 4294967296, zone DMA\n", -EINVAL, 0, 1, {0}},
    {"value with junk",
     ZONE("DMA", "(0)") "        managed  12abc\n",
     0,
     1,
     1,
     {0}},
    /* Last line without '\n': counted and not read, even when whole. */
    {"no final newline",
     ZONE("DMA", "(0)") "        managed  12",
     0,
     1,
     1,
     {0}},
    /* Lowest zone not DMA: its own index unknown, the zones above it come
     * from the increases (2, 3); Normal falls back to position 0. */
    {"increases above a non-DMA lowest",
     ZONE("Normal", "(0, 0, 5, 9, 9)") ZONE("HighMem", "(0, 0, 0, 4, 4)")
         ZONE("Movable", "(0, 0, 0, 0, 0)"),
     0,
     3,
     0,
     {0, 2, 3}},
    /* A tiny zone hid its increase: one increase for two zones above,
     * nothing inferred: positions. */
    {"hidden increase",
     ZONE("DMA", "(0, 0, 7, 7)") ZONE("DMA32", "(0, 0, 7, 7)")
         ZONE("Normal", "(0, 0, 0, 0)"),
     0,
     3,
     0,
     {0, 1, 2}},
    /* A reserve that shrinks is no cumulative sum: positions. */
    {"decreasing protection",
     ZONE("DMA", "(0, 9, 4, 4)") ZONE("Normal", "(0, 0, 0, 0)"),
     0,
     2,
     0,
     {0, 1}},
    /* Two-entry list for three zones: the third position is past the
     * list's end. */
    {"position past the list",
     ZONE("Normal", "(0, 0)") ZONE("HighMem", "(0, 0)")
         ZONE("Movable", "(0, 0)"),
     0,
     3,
     0,
     {0, 1, -1}},
};

static void test_inline(void **state) {
  (void)state;
  for (size_t c = 0; c < sizeof(inline_cases) / sizeof(inline_cases[0]); c++) {
    const struct inline_case *w = &inline_cases[c];
    struct zoneinfo zi = {0};
    size_t len = strlen(w->text);
    /* An exact-size copy, so ASan sees any read past the end. */
    char *buf = malloc(len ? len : 1);

    assert_non_null(buf);
    memcpy(buf, w->text, len);
    print_message("case: %s\n", w->what);
    assert_int_equal(zoneinfo_parse(&zi, buf, len), w->ret);
    assert_int_equal(zi.nr, w->nr);
    assert_int_equal(zi.malformed, w->malformed);
    for (size_t i = 0; i < w->nr && i < 4; i++)
      assert_int_equal(zi.zones[i].zone_idx, w->zone_idx[i]);
    zoneinfo_free(&zi);
    free(buf);
  }
}

/* Old-shape NUMA: node 1 prints only Normal with (0, 0, 0, 0), which says
 * nothing of its index; node 0's DMA list gave Normal 2, and a zone type
 * has one index on every node. No protection at all: -1. */
static void test_idx_across_nodes(void **state) {
  (void)state;
  static const char text[] =
      "Node 0, zone DMA\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n protection: (0, 2980, 3943, 3943)\n"
      "Node 0, zone DMA32\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n protection: (0, 0, 963, 963)\n"
      "Node 0, zone Normal\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n protection: (0, 0, 0, 0)\n"
      "Node 1, zone Normal\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n protection: (0, 0, 0, 0)\n"
      "Node 2, zone Normal\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n"
      "Node 2, zone Weird\n  pages free 1\n min 1\n low 1\n high 1\n"
      " spanned 1\n present 1\n";
  struct zoneinfo zi = {0};

  assert_int_equal(zoneinfo_parse(&zi, text, sizeof(text) - 1), 0);
  assert_int_equal(zi.nr, 6);
  assert_int_equal(zi.malformed, 0);
  assert_int_equal(zoneinfo_find(&zi, 0, "DMA32")->zone_idx, 1);
  assert_int_equal(zoneinfo_find(&zi, 0, "Normal")->zone_idx, 2);
  assert_int_equal(zoneinfo_find(&zi, 1, "Normal")->zone_idx, 2);
  /* Node 2 printed no protection: Normal borrows, Weird cannot. */
  assert_int_equal(zoneinfo_find(&zi, 2, "Normal")->zone_idx, 2);
  assert_false(zoneinfo_find(&zi, 2, "Normal")->has & ZONE_HAS_PROTECTION);
  assert_int_equal(zoneinfo_find(&zi, 2, "Weird")->zone_idx, -1);
  zoneinfo_free(&zi);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trees),
      cmocka_unit_test(test_find),
      cmocka_unit_test(test_reuse_and_generation),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_malformed_details),
      cmocka_unit_test(test_inline),
      cmocka_unit_test(test_idx_across_nodes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
