/* /proc/buddyinfo: orders from the line, generation, bad input.
 *
 * Expected counts are the fixture's columns; the page totals were checked
 * with
 *   awk '{s=0; for(i=5;i<=NF;i++) s+=$i*2^(i-5); print $2,$4,NF-4,s}' \
 *       proc/buddyinfo
 * (incident: DMA 727, Normal 1346, HighMem 37304 pages, the log's 2908 kB,
 * 5384 kB and 149216 kB). */
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
#include "sources/buddyinfo.h"

struct want_zone {
  unsigned node;
  const char *name;
  uint64_t pages; /* sum of nr_free[o] << o */
  uint64_t nr_free[11];
};

struct want_tree {
  const char *tree;
  size_t nr;
  struct want_zone zones[4];
};

static const struct want_tree trees[] = {
    {"incident-2.6.39-i686",
     3,
     {
         {0, "DMA", 727, {231, 126, 21, 4, 2, 1, 1, 0, 0, 0, 0}},
         {0, "Normal", 1346, {1310, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
         {0, "HighMem", 37304, {18118, 7805, 836, 27, 1, 0, 0, 0, 0, 0, 0}},
     }},
    {"linux-4.4-x86_64",
     3,
     {
         {0, "DMA", 3921, {1, 2, 1, 1, 2, 1, 0, 0, 1, 1, 3}},
         {0, "DMA32", 15255, {2389, 1561, 826, 301, 112, 36, 9, 2, 1, 0, 0}},
         {0, "Normal", 4402, {4382, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
     }},
    /* Only populated zones: node 1 has just Normal. */
    {"numa-5.10-x86_64",
     4,
     {
         {0, "DMA", 3840, {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3}},
         {0,
          "DMA32",
          237839,
          {1503, 1322, 1071, 812, 604, 398, 201, 98, 40, 22, 150}},
         {0,
          "Normal",
          1293155,
          {24511, 18622, 9844, 4103, 1822, 744, 301, 120, 66, 38, 1011}},
         {1, "Normal", 11490, {10870, 300, 5, 0, 0, 0, 0, 0, 0, 0, 0}},
     }},
    {"live-6.18-x86_64",
     3,
     {
         {0, "DMA", 3840, {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3}},
         {0, "DMA32", 772918, {2, 2, 4, 2, 5, 4, 3, 3, 4, 2, 752}},
         {0,
          "Normal",
          325290,
          {734, 762, 530, 370, 196, 78, 40, 18, 57, 36, 268}},
     }},
};

static void test_trees(void **state) {
  (void)state;
  for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
    const struct want_tree *w = &trees[t];
    struct buddyinfo bi = {0};
    size_t len;
    char *buf = fixture_read(w->tree, "proc/buddyinfo", &len);

    assert_int_equal(buddyinfo_parse(&bi, buf, len), 0);
    assert_int_equal(bi.malformed, 0);
    assert_int_equal(bi.nr, w->nr);
    assert_int_equal(bi.generation, 1);
    for (size_t i = 0; i < w->nr; i++) {
      const struct buddy_zone *z = &bi.zones[i];
      uint64_t pages = 0;
      assert_int_equal(z->node, w->zones[i].node);
      assert_string_equal(z->name, w->zones[i].name);
      assert_int_equal(z->nr_orders, 11);
      for (size_t o = 0; o < 11; o++) {
        assert_int_equal(z->nr_free[o], w->zones[i].nr_free[o]);
        pages += z->nr_free[o] << o;
      }
      assert_int_equal(pages, w->zones[i].pages);
    }
    assert_ptr_equal(
        buddyinfo_find(&bi, w->zones[w->nr - 1].node, w->zones[w->nr - 1].name),
        &bi.zones[w->nr - 1]);
    assert_null(buddyinfo_find(&bi, 7, "Normal"));
    buddyinfo_free(&bi);
    free(buf);
  }
}

static void parse_text(struct buddyinfo *bi, const char *text, int ret) {
  size_t len = strlen(text);
  /* An exact-size copy, so ASan sees any read past the end. */
  char *buf = malloc(len ? len : 1);

  assert_non_null(buf);
  memcpy(buf, text, len);
  assert_int_equal(buddyinfo_parse(bi, buf, len), ret);
  free(buf);
}

static void test_generation(void **state) {
  (void)state;
  struct buddyinfo bi = {0};

  parse_text(&bi, "Node 0, zone DMA 1 2 3\nNode 0, zone Normal 4 5 6\n", 0);
  assert_int_equal(bi.generation, 1);
  struct buddy_zone *zones = bi.zones;
  /* New counts, same shape: no bump, no allocation. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9\nNode 0, zone Normal 1 1 1\n", 0);
  assert_int_equal(bi.generation, 1);
  assert_ptr_equal(bi.zones, zones);
  assert_int_equal(bi.zones[0].nr_free[2], 9);
  /* One order more on one zone. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9 1\nNode 0, zone Normal 1 1 1\n", 0);
  assert_int_equal(bi.generation, 2);
  assert_int_equal(bi.zones[0].nr_orders, 4);
  /* Another name. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9 1\nNode 0, zone HighMem 1 1 1\n", 0);
  assert_int_equal(bi.generation, 3);
  /* Another node. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9 1\nNode 1, zone HighMem 1 1 1\n", 0);
  assert_int_equal(bi.generation, 4);
  /* A malformed line in place of the second zone: that zone is gone. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9 1\nNode 1, zone HighMem 1 x\n", 0);
  assert_int_equal(bi.nr, 1);
  assert_int_equal(bi.malformed, 1);
  assert_int_equal(bi.generation, 5);
  /* The same single zone again. */
  parse_text(&bi, "Node 0, zone DMA 7 8 9 1\n", 0);
  assert_int_equal(bi.generation, 5);
  assert_int_equal(bi.malformed, 0);
  /* Nothing readable: no zones. */
  parse_text(&bi, "", -EINVAL);
  assert_int_equal(bi.nr, 0);
  assert_int_equal(bi.generation, 6);
  buddyinfo_free(&bi);
}

static void test_grow(void **state) {
  (void)state;
  struct buddyinfo bi = {0};
  char text[64 * 40];
  size_t n = 0;

  /* 40 zones: the array grows past its first size. */
  for (unsigned i = 0; i < 40; i++)
    n += (size_t)snprintf(text + n, sizeof(text) - n,
                          "Node %u, zone Normal %u 1\n", i, i);
  parse_text(&bi, text, 0);
  assert_int_equal(bi.nr, 40);
  assert_true(bi.cap >= 40);
  assert_int_equal(bi.zones[39].node, 39);
  assert_int_equal(bi.zones[39].nr_free[0], 39);
  buddyinfo_free(&bi);
}

struct want_malformed {
  const char *file;
  size_t nr;
  unsigned malformed;
  const char *names[2];
  size_t nr_orders[2];
};

static const struct want_malformed malformed[] = {
    /* Cut inside Normal's line: the cut line is not read. */
    {"buddyinfo-truncated", 1, 1, {"DMA"}, {11}},
    /* Read: DMA and Normal. Counted: a sentence, "Node x", "8z6", no
     * counts, a 20-character name, counts with no header, a count past
     * 2^64, "-3". The blank line is neither. */
    {"buddyinfo-garbage", 2, 8, {"DMA", "Normal"}, {11, 11}},
    /* 64 orders: read; 65: counted; a single order: read. */
    {"buddyinfo-orders", 2, 1, {"Normal", "Normal"}, {64, 1}},
};

static void test_malformed(void **state) {
  (void)state;
  for (size_t m = 0; m < sizeof(malformed) / sizeof(malformed[0]); m++) {
    const struct want_malformed *w = &malformed[m];
    char rel[128];
    struct buddyinfo bi = {0};
    size_t len;

    snprintf(rel, sizeof(rel), "proc/%s", w->file);
    char *buf = fixture_read("malformed", rel, &len);
    assert_int_equal(buddyinfo_parse(&bi, buf, len), 0);
    assert_int_equal(bi.nr, w->nr);
    assert_int_equal(bi.malformed, w->malformed);
    for (size_t i = 0; i < w->nr; i++) {
      assert_string_equal(bi.zones[i].name, w->names[i]);
      assert_int_equal(bi.zones[i].nr_orders, w->nr_orders[i]);
    }
    buddyinfo_free(&bi);
    free(buf);
  }
}

static void test_edges(void **state) {
  (void)state;
  struct buddyinfo bi = {0};

  /* The kernel ends each line with "%6lu " and '\n'; tabs and a missing
   * trailing blank read the same. */
  parse_text(&bi, "Node 0, zone\tNormal\t5\t6\n", 0);
  assert_int_equal(bi.zones[0].nr_orders, 2);
  assert_int_equal(bi.zones[0].nr_free[1], 6);
  /* A last line without '\n' was cut short: counted, not read. */
  parse_text(&bi, "Node 0, zone DMA 1 2\nNode 0, zone Normal 5 6", 0);
  assert_int_equal(bi.nr, 1);
  assert_int_equal(bi.malformed, 1);
  /* Only blanks after the last '\n' are not a line. */
  parse_text(&bi, "Node 0, zone DMA 1 2\n  ", 0);
  assert_int_equal(bi.malformed, 0);
  /* "zone" glued to the name. */
  parse_text(&bi, "Node 0, zoneNormal 1 2\n", -EINVAL);
  assert_int_equal(bi.malformed, 1);
  buddyinfo_free(&bi);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trees), cmocka_unit_test(test_generation),
      cmocka_unit_test(test_grow),  cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
