/* /proc/pagetypeinfo: types by name, the block table, the kernel's cut
 * counts, one copy per node, bad input.
 *
 * Expected values are the fixtures' columns. Where the fixtures were
 * written by hand, each order's counts over the types sum to the same
 * tree's buddyinfo, checked here through the buddyinfo parser and with
 *   awk '/type/ {gsub(",",""); for(i=7;i<=NF;i++) s[$2" "$4" "i-7]+=$i}
 *        END {for (k in s) print k, s[k]}' proc/pagetypeinfo
 * against buddyinfo's columns. */
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
#include "sources/pagetypeinfo.h"

static void parse_fixture(const char *tree, struct pagetypeinfo *pt) {
  size_t len;
  char *buf = fixture_read(tree, "proc/pagetypeinfo", &len);
  memset(pt, 0, sizeof(*pt));
  assert_int_equal(pagetypeinfo_parse(pt, buf, len), 0);
  assert_int_equal(pt->malformed, 0);
  free(buf);
}

static uint64_t free_of(const struct pagetypeinfo *pt, unsigned node,
                        const char *zone, enum pagetype_kind kind,
                        unsigned order) {
  const struct pagetype_zone *z = pagetypeinfo_find(pt, node, zone);
  int t = pagetypeinfo_type(pt, kind);
  assert_non_null(z);
  assert_true(t >= 0);
  return z->nr_free[t][order];
}

static uint64_t blocks_of(const struct pagetypeinfo *pt, unsigned node,
                          const char *zone, enum pagetype_kind kind) {
  const struct pagetype_zone *z = pagetypeinfo_find(pt, node, zone);
  int t = pagetypeinfo_type(pt, kind);
  assert_non_null(z);
  assert_true(z->has_blocks);
  assert_true(t >= 0);
  return z->nr_blocks[t];
}

/* 2.6.39: Reserve instead of HighAtomic, Reclaimable before Movable. */
static void test_incident(void **state) {
  struct pagetypeinfo pt;
  (void)state;
  parse_fixture("incident-2.6.39-i686", &pt);
  assert_int_equal(pt.pageblock_order, 9);
  assert_int_equal(pt.pages_per_block, 512);
  assert_int_equal(pt.nr_orders, 11);
  assert_int_equal(pt.nr, 3);
  assert_int_equal(pt.nr_types, 5);
  assert_string_equal(pt.type_name[1], "Reclaimable");
  assert_int_equal(pt.type_kind[3], PAGETYPE_RESERVE);
  assert_int_equal(pagetypeinfo_type(&pt, PAGETYPE_HIGHATOMIC), -1);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_RECLAIMABLE, 0), 890);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_RECLAIMABLE, 1), 12);
  assert_int_equal(free_of(&pt, 0, "DMA", PAGETYPE_RESERVE, 6), 1);
  assert_int_equal(blocks_of(&pt, 0, "Normal", PAGETYPE_RECLAIMABLE), 362);
  assert_int_equal(blocks_of(&pt, 0, "HighMem", PAGETYPE_MOVABLE), 1686);
  pagetypeinfo_free(&pt);
}

/* 4.4's order of types, and the reserve of high-order atomic blocks. */
static void test_highatomic(void **state) {
  struct pagetypeinfo pt;
  (void)state;
  parse_fixture("linux-4.4-highatomic-x86_64", &pt);
  assert_int_equal(pt.nr_types, 6);
  assert_string_equal(pt.type_name[3], "HighAtomic");
  assert_int_equal(pt.type_kind[4], PAGETYPE_CMA);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_HIGHATOMIC, 1), 10);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_MOVABLE, 1), 0);
  assert_int_equal(blocks_of(&pt, 0, "Normal", PAGETYPE_HIGHATOMIC), 1);
  assert_int_equal(blocks_of(&pt, 0, "DMA32", PAGETYPE_MOVABLE), 1960);
  pagetypeinfo_free(&pt);
}

/* 5.10 prints the whole file once per node with memory. */
static void test_two_nodes(void **state) {
  struct pagetypeinfo pt;
  (void)state;
  parse_fixture("numa-5.10-x86_64", &pt);
  assert_int_equal(pt.nr, 4);
  assert_int_equal(pt.zones[3].node, 1);
  assert_string_equal(pt.zones[3].name, "Normal");
  assert_int_equal(free_of(&pt, 1, "Normal", PAGETYPE_MOVABLE, 1), 300);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_MOVABLE, 10), 1011);
  assert_int_equal(blocks_of(&pt, 1, "Normal", PAGETYPE_MOVABLE), 7404);
  assert_int_equal(blocks_of(&pt, 0, "Normal", PAGETYPE_RECLAIMABLE), 256);
  pagetypeinfo_free(&pt);
}

/* This machine's file (6.18): read as it came. */
static void test_live(void **state) {
  struct pagetypeinfo pt;
  (void)state;
  parse_fixture("live-6.18-x86_64", &pt);
  assert_int_equal(pt.nr, 3);
  assert_int_equal(pt.nr_types, 5);
  assert_int_equal(free_of(&pt, 0, "Normal", PAGETYPE_UNMOVABLE, 0), 172);
  assert_int_equal(free_of(&pt, 0, "DMA32", PAGETYPE_MOVABLE, 10), 752);
  assert_int_equal(blocks_of(&pt, 0, "Normal", PAGETYPE_MOVABLE), 2139);
  pagetypeinfo_free(&pt);
}

/* The hand-written trees agree with their buddyinfo, order by order. */
static void test_sums_match_buddyinfo(void **state) {
  static const char *const trees[] = {
      "incident-2.6.39-i686", "linux-4.4-x86_64",
      "linux-4.4-highatomic-x86_64", "numa-5.10-x86_64"};
  (void)state;
  for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
    struct pagetypeinfo pt;
    struct buddyinfo bi = {0};
    size_t len;
    char *buf = fixture_read(trees[i], "proc/buddyinfo", &len);
    assert_int_equal(buddyinfo_parse(&bi, buf, len), 0);
    free(buf);
    parse_fixture(trees[i], &pt);
    assert_int_equal(pt.nr, bi.nr);
    for (size_t z = 0; z < bi.nr; z++) {
      const struct pagetype_zone *pz =
          pagetypeinfo_find(&pt, bi.zones[z].node, bi.zones[z].name);
      assert_non_null(pz);
      assert_int_equal(pt.nr_orders, bi.zones[z].nr_orders);
      for (size_t o = 0; o < pt.nr_orders; o++) {
        uint64_t sum = 0;
        for (size_t t = 0; t < pt.nr_types; t++)
          sum += pz->nr_free[t][o];
        assert_int_equal(sum, bi.zones[z].nr_free[o]);
      }
    }
    pagetypeinfo_free(&pt);
    buddyinfo_free(&bi);
  }
}

static const char CUT[] =
    "Page block order: 9\n"
    "Pages per block:  512\n"
    "\n"
    "Free pages count per migrate type at order       0      1      2 \n"
    "Node    0, zone   Normal, type    Unmovable >100000  99307      0 \n"
    "Node    0, zone   Normal, type      Movable     25 >100000  75061 \n"
    "\n"
    "Number of blocks type     Unmovable      Movable \n"
    "Node 0, zone   Normal          900         6000 \n"
    "\n"
    "Number of mixed blocks    Unmovable      Movable \n"
    "Node 0, zone   Normal            3            1 \n";

/* 5.4+: a list longer than 100000 blocks is printed ">100000". The
 * CONFIG_PAGE_OWNER table after the blocks is skipped. */
static void test_cut_counts(void **state) {
  struct pagetypeinfo pt = {0};
  (void)state;
  assert_int_equal(pagetypeinfo_parse(&pt, CUT, strlen(CUT)), 0);
  assert_int_equal(pt.malformed, 0);
  assert_int_equal(pt.nr_orders, 3);
  assert_int_equal(pt.zones[0].nr_free[0][0], 100000);
  assert_int_equal(pt.zones[0].capped[0], 1u << 0);
  assert_int_equal(pt.zones[0].capped[1], 1u << 1);
  assert_int_equal(pt.zones[0].nr_free[1][2], 75061);
  assert_int_equal(pt.zones[0].nr_blocks[1], 6000);
  pagetypeinfo_free(&pt);
}

static void test_generation(void **state) {
  struct pagetypeinfo pt = {0};
  (void)state;
  assert_int_equal(pagetypeinfo_parse(&pt, CUT, strlen(CUT)), 0);
  unsigned g = pt.generation;
  assert_int_equal(pagetypeinfo_parse(&pt, CUT, strlen(CUT)), 0);
  assert_int_equal(pt.generation, g);
  /* One type fewer: a new shape. */
  const char *less = "Free pages count per migrate type at order 0 1 2\n"
                     "Node 0, zone Normal, type Unmovable 1 2 3\n";
  assert_int_equal(pagetypeinfo_parse(&pt, less, strlen(less)), 0);
  assert_int_not_equal(pt.generation, g);
  pagetypeinfo_free(&pt);
}

static const char *const BAD[] = {
    /* a count missing, one too many, not a number */
    "Free pages count per migrate type at order 0 1\n"
    "Node 0, zone Normal, type Unmovable 1\n",
    "Free pages count per migrate type at order 0 1\n"
    "Node 0, zone Normal, type Unmovable 1 2 3\n",
    "Free pages count per migrate type at order 0 1\n"
    "Node 0, zone Normal, type Unmovable 1 x\n",
    /* orders that do not count up from 0 */
    "Free pages count per migrate type at order 0 2\n"
    "Node 0, zone Normal, type Unmovable 1 2\n",
    /* a free line before any header */
    "Node 0, zone Normal, type Unmovable 1 2\n",
    /* a zone name longer than the kernel's */
    "Free pages count per migrate type at order 0\n"
    "Node 0, zone NormalNormalNormalNormal, type Unmovable 1\n",
    /* a count past 64 bits */
    "Free pages count per migrate type at order 0\n"
    "Node 0, zone Normal, type Unmovable 99999999999999999999999\n",
};

static void test_malformed(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
    struct pagetypeinfo pt = {0};
    int rc = pagetypeinfo_parse(&pt, BAD[i], strlen(BAD[i]));
    assert_int_equal(rc, -EINVAL);
    assert_true(pt.malformed >= 1);
    pagetypeinfo_free(&pt);
  }
}

/* A bad line is skipped and counted; the rest is read. */
static void test_one_bad_line(void **state) {
  const char *text = "Free pages count per migrate type at order 0 1\n"
                     "Node 0, zone Normal, type Unmovable 1 2\n"
                     "Node 0, zone Normal, type Movable 1\n"
                     "Node 0, zone Normal, type Unmovable 5 5\n"
                     "\n"
                     "Number of blocks type Unmovable Movable\n"
                     "Node 0, zone Normal 7\n"
                     "Node 0, zone DMA 1 2\n";
  struct pagetypeinfo pt = {0};
  (void)state;
  assert_int_equal(pagetypeinfo_parse(&pt, text, strlen(text)), 0);
  /* Movable short, Unmovable twice, a short block line, a zone without
   * free lines. */
  assert_int_equal(pt.malformed, 4);
  assert_int_equal(pt.nr, 1);
  assert_int_equal(pt.zones[0].nr_free[0][1], 2);
  assert_false(pt.zones[0].has_blocks);
  pagetypeinfo_free(&pt);
}

/* Every prefix of every fixture: no read past the end, a defined result. */
static void test_prefixes(void **state) {
  static const char *const trees[] = {"incident-2.6.39-i686",
                                      "numa-5.10-x86_64", "live-6.18-x86_64"};
  (void)state;
  for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
    size_t len;
    char *buf = fixture_read(trees[i], "proc/pagetypeinfo", &len);
    struct pagetypeinfo pt = {0};
    for (size_t n = 0; n <= len; n++) {
      char *copy = malloc(n ? n : 1);
      memcpy(copy, buf, n);
      int rc = pagetypeinfo_parse(&pt, copy, n);
      assert_true(rc == 0 || rc == -EINVAL);
      /* Cut inside a line: that line is counted as malformed. */
      if (n > 0 && n < len && buf[n - 1] != '\n' && rc == 0)
        assert_true(pt.malformed >= 1);
      free(copy);
    }
    pagetypeinfo_free(&pt);
    free(buf);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_incident),
      cmocka_unit_test(test_highatomic),
      cmocka_unit_test(test_two_nodes),
      cmocka_unit_test(test_live),
      cmocka_unit_test(test_sums_match_buddyinfo),
      cmocka_unit_test(test_cut_counts),
      cmocka_unit_test(test_generation),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_one_bad_line),
      cmocka_unit_test(test_prefixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
