/* Allocation headroom: the kernel's watermark check, both algorithms, on
 * every fixture tree, worked out by hand from the files.
 *
 * Per zone: free and min from proc/zoneinfo ("pages free", "min"), the
 * reserve from its protection list at the node's Normal index (zones up
 * to Normal) or its own index (above), buddy counts from proc/buddyinfo.
 * No tree has CMA pages (nr_free_cma 0 or not printed). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sample/headroom.h"

struct tree {
  struct zoneinfo zi;
  struct buddyinfo bi;
  struct kernel_version kv;
};

static void tree_load(struct tree *t, const char *name) {
  size_t len;
  char *buf;

  memset(t, 0, sizeof(*t));
  buf = fixture_read(name, "proc/zoneinfo", &len);
  assert_int_equal(zoneinfo_parse(&t->zi, buf, len), 0);
  free(buf);
  buf = fixture_read(name, "proc/buddyinfo", &len);
  assert_int_equal(buddyinfo_parse(&t->bi, buf, len), 0);
  free(buf);
  buf = fixture_read(name, "proc/sys/kernel/osrelease", &len);
  assert_int_equal(osrelease_parse(&t->kv, buf, len), 0);
  free(buf);
}

static void tree_free(struct tree *t) {
  zoneinfo_free(&t->zi);
  buddyinfo_free(&t->bi);
}

/* What a sampler does for one zone: reserve, then the check at min. */
static int64_t zone_headroom(const struct tree *t, enum watermark_check check,
                             unsigned node, const char *name, unsigned order) {
  const struct zone_info *z = zoneinfo_find(&t->zi, node, name);
  const struct buddy_zone *b = buddyinfo_find(&t->bi, node, name);
  uint64_t reserve;

  assert_non_null(z);
  assert_non_null(b);
  assert_int_equal(headroom_reserve(&t->zi, z, &reserve), 0);
  return headroom_pages(check, z->free,
                        (z->has & ZONE_HAS_NR_FREE_CMA) ? z->nr_free_cma : 0,
                        z->min, reserve, b->nr_free, b->nr_orders, order);
}

static uint64_t zone_reserve(const struct tree *t, unsigned node,
                             const char *name) {
  uint64_t reserve = UINT64_MAX;
  assert_int_equal(
      headroom_reserve(&t->zi, zoneinfo_find(&t->zi, node, name), &reserve), 0);
  return reserve;
}

struct want {
  unsigned node;
  const char *name;
  unsigned order;
  int64_t pages;
};

static void check_all(const struct tree *t, enum watermark_check check,
                      const struct want *w, size_t n) {
  for (size_t i = 0; i < n; i++) {
    print_message("node %u %s order %u\n", w[i].node, w[i].name, w[i].order);
    assert_int_equal(zone_headroom(t, check, w[i].node, w[i].name, w[i].order),
                     w[i].pages);
  }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The incident, as the issue states it (lower orders, 2^order - 1).
 * GFP_KERNEL's highest zone is Normal, index 1 on this i686 kernel (DMA 0,
 * Normal 1, HighMem 2, Movable 3), so the reserves are DMA 702, Normal 0,
 * HighMem (own index 2) 0.
 *   Normal o0: 1344 - 0 - (1001 + 0)            = +343
 *   Normal o1: 1343 - 1001 = 342; 1343 - 1310 = 33, 33 - 1001/2 (500) = -467
 *   DMA o0:    727 - (22 + 702)                  = +3
 *   DMA o1:    726 - 724 = 2; 726 - 231 = 495, 495 - 22/2 (11) = 484 -> +2
 *   HighMem o0: 37304 - 128                      = 37176
 *   HighMem o1: 37303 - 128 = 37175; 37303 - 18118 = 19185 - 64 = 19121 */
static void test_incident_lower_orders(void **state) {
  (void)state;
  static const struct want w[] = {
      {0, "Normal", 0, 343}, {0, "Normal", 1, -467},   {0, "DMA", 0, 3},
      {0, "DMA", 1, 2},      {0, "HighMem", 0, 37176}, {0, "HighMem", 1, 19121},
  };
  struct tree t;

  tree_load(&t, "incident-2.6.39-i686");
  assert_int_equal(zone_reserve(&t, 0, "DMA"), 702);
  assert_int_equal(zone_reserve(&t, 0, "Normal"), 0);
  assert_int_equal(zone_reserve(&t, 0, "HighMem"), 0);
  check_all(&t, WATERMARK_CHECK_LOWER_ORDERS, w, N(w));
  tree_free(&t);
}

/* What 2.6.39 itself computed: "free_pages -= (1 << order) + 1", two pages
 * less. DMA's order-1 check then fails too (724 <= 22 + 702), so neither
 * lowmem zone could serve the fork: the OOM kill follows.
 *   Normal o0: 1344 - 2 - 1001 = 341
 *   Normal o1: 1341 - 1001 = 340; 1341 - 1310 = 31, 31 - 500 = -469
 *   DMA o0: 727 - 2 - 724 = 1;  DMA o1: 724 - 724 = 0 (484 - 2 = 482 after)
 *   HighMem o0: 37302 - 128 = 37174; o1: 37301 - 18118 - 64 = 19119 */
static void test_incident_as_2_6_39(void **state) {
  (void)state;
  static const struct want w[] = {
      {0, "Normal", 0, 341}, {0, "Normal", 1, -469},   {0, "DMA", 0, 1},
      {0, "DMA", 1, 0},      {0, "HighMem", 0, 37174}, {0, "HighMem", 1, 19119},
  };
  struct tree t;

  tree_load(&t, "incident-2.6.39-i686");
  assert_int_equal(watermark_check_for(&t.kv),
                   WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO);
  check_all(&t, watermark_check_for(&t.kv), w, N(w));
  tree_free(&t);
}

/* 4.4: free block. Normal index 2 (DMA 0, DMA32 1, Normal 2, Movable 3);
 * reserves DMA 3943, DMA32 963, Normal 0. Free pages in blocks of order
 * >= 1: DMA 3920, DMA32 12866, Normal 20 (10 x 2); >= 2: Normal 0.
 *   DMA o0:   3921 - (66 + 3943)      = -88
 *   DMA o1:   3920 - 4009             = -89  (blocks 3920)
 *   DMA32 o0: 15255 - (12720 + 963)   = 1572
 *   DMA32 o1: 15254 - 13683           = 1571 (blocks 12866)
 *   Normal o0: 4402 - 4109            = 293
 *   Normal o1: min(4401 - 4109 = 292, blocks 20)   = 20
 *   Normal o2: min(4399 - 4109 = 290, blocks 0)    = 0: refused
 * The lower-orders check would refuse order 1 outright:
 *   4401 - 4382 = 19, 19 - 4109/2 (2054) = -2035. */
static void test_linux_4_4(void **state) {
  (void)state;
  static const struct want w[] = {
      {0, "DMA", 0, -88},    {0, "DMA", 1, -89},    {0, "DMA32", 0, 1572},
      {0, "DMA32", 1, 1571}, {0, "Normal", 0, 293}, {0, "Normal", 1, 20},
      {0, "Normal", 2, 0},
  };
  static const struct want lower[] = {{0, "Normal", 1, -2035}};
  struct tree t;

  tree_load(&t, "linux-4.4-x86_64");
  assert_int_equal(watermark_check_for(&t.kv), WATERMARK_CHECK_FREE_BLOCK);
  assert_int_equal(zone_reserve(&t, 0, "DMA"), 3943);
  assert_int_equal(zone_reserve(&t, 0, "DMA32"), 963);
  check_all(&t, watermark_check_for(&t.kv), w, N(w));
  check_all(&t, WATERMARK_CHECK_LOWER_ORDERS, lower, N(lower));
  tree_free(&t);
}

/* 5.10, two nodes. Node 1 Normal is near its min; its buddy blocks:
 * 10870 x 1, 300 x 2, 5 x 4, so pages in blocks >= 1: 620, >= 2: 20.
 *   node1 Normal o0: 11490 - 11288             = 202
 *   o1: min(11489 - 11288 = 201, 620)          = 201
 *   o2: min(11487 - 11288 = 199, 20)           = 20
 *   o3: min(11483 - 11288 = 195, 0)            = 0
 *   node0 DMA o0: 3840 - (10 + 16039)          = -12209
 *   node0 DMA32 o0: 237839 - (2094 + 13048)    = 222697 */
static void test_numa_5_10(void **state) {
  (void)state;
  static const struct want w[] = {
      {1, "Normal", 0, 202}, {1, "Normal", 1, 201}, {1, "Normal", 2, 20},
      {1, "Normal", 3, 0},   {0, "DMA", 0, -12209}, {0, "DMA32", 0, 222697},
  };
  struct tree t;

  tree_load(&t, "numa-5.10-x86_64");
  assert_int_equal(watermark_check_for(&t.kv), WATERMARK_CHECK_FREE_BLOCK);
  assert_int_equal(zone_reserve(&t, 0, "DMA"), 16039);
  assert_int_equal(zone_reserve(&t, 0, "DMA32"), 13048);
  assert_int_equal(zone_reserve(&t, 1, "Normal"), 0);
  /* Above Normal: its own index (3), whose entry is 0. */
  assert_int_equal(zone_reserve(&t, 0, "Movable"), 0);
  check_all(&t, watermark_check_for(&t.kv), w, N(w));
  tree_free(&t);
}

/* The captured 6.18 machine. Reserves DMA 4555, DMA32 1536, Normal 0.
 * Normal's buddy pages total 325290 (per-cpu drift: free says 325302);
 * in blocks >= 1: 325290 - 734 = 324556; >= 10: 268 x 1024 = 274432.
 *   DMA o0: 3840 - (55 + 4555) = -770;   o1: -771
 *   DMA32 o0: 772918 - (11161 + 1536) = 760221;   o1: 760220
 *   Normal o0: 325302 - 5678 = 319624;   o1: min(319623, 324556) = 319623
 *   Normal o10: min(325302 - 1023 - 5678 = 318601, 274432) = 274432 */
static void test_live_6_18(void **state) {
  (void)state;
  static const struct want w[] = {
      {0, "DMA", 0, -770},       {0, "DMA", 1, -771},
      {0, "DMA32", 0, 760221},   {0, "DMA32", 1, 760220},
      {0, "Normal", 0, 319624},  {0, "Normal", 1, 319623},
      {0, "Normal", 10, 274432},
  };
  struct tree t;

  tree_load(&t, "live-6.18-x86_64");
  assert_int_equal(watermark_check_for(&t.kv), WATERMARK_CHECK_FREE_BLOCK);
  check_all(&t, watermark_check_for(&t.kv), w, N(w));
  tree_free(&t);
}

static void test_check_for(void **state) {
  (void)state;
  static const struct {
    struct kernel_version kv;
    enum watermark_check check;
  } cases[] = {
      {{2, 6, 32}, WATERMARK_CHECK_LOWER_ORDERS},
      {{2, 6, 37}, WATERMARK_CHECK_LOWER_ORDERS},
      {{2, 6, 38}, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO},
      {{2, 6, 39}, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO},
      {{3, 0, 0}, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO},
      {{3, 2, 41}, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO},
      {{3, 3, 0}, WATERMARK_CHECK_LOWER_ORDERS},
      {{3, 10, 0}, WATERMARK_CHECK_LOWER_ORDERS},
      {{4, 3, 5}, WATERMARK_CHECK_LOWER_ORDERS},
      {{4, 4, 0}, WATERMARK_CHECK_FREE_BLOCK},
      {{5, 10, 0}, WATERMARK_CHECK_FREE_BLOCK},
      {{6, 18, 44}, WATERMARK_CHECK_FREE_BLOCK},
  };
  for (size_t i = 0; i < N(cases); i++)
    assert_int_equal(watermark_check_for(&cases[i].kv), cases[i].check);
}

/* CMA pages are not free to a GFP_KERNEL request. Before 4.4 the kernel
 * deducts them in the first check only; the loop runs on free without
 * them. free 1000 (300 CMA), mark 500, no reserve, 600 x 1 + 200 x 2:
 *   o0: 1000 - 300 - 500 = 200
 *   lower o1: 999 - 300 - 500 = 199; 999 - 600 = 399, 399 - 250 = 149
 *   off by two o1: 997 - 800 = 197; 997 - 600 = 397, 397 - 250 = 147
 *   free block o1: min(199, 400) = 199 */
static void test_cma(void **state) {
  (void)state;
  static const uint64_t nr_free[] = {600, 200};

  assert_int_equal(headroom_pages(WATERMARK_CHECK_LOWER_ORDERS, 1000, 300, 500,
                                  0, nr_free, 2, 0),
                   200);
  assert_int_equal(headroom_pages(WATERMARK_CHECK_LOWER_ORDERS, 1000, 300, 500,
                                  0, nr_free, 2, 1),
                   149);
  assert_int_equal(headroom_pages(WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO, 1000,
                                  300, 500, 0, nr_free, 2, 1),
                   147);
  assert_int_equal(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, 1000, 300, 500, 0,
                                  nr_free, 2, 1),
                   199);
  /* AUTO left unresolved is taken as the current kernels' check. */
  assert_int_equal(
      headroom_pages(WATERMARK_CHECK_AUTO, 1000, 300, 500, 0, nr_free, 2, 1),
      199);
}

/* Lower orders at order 2, incident Normal: 1344 - 3 = 1341;
 * first check 1341 - 1001 = 340; less 1310 x 1: 31 - 500 = -469; less
 * 18 x 2: -5 - 250 = -255. The worst step: -469. */
static void test_lower_orders_order2(void **state) {
  (void)state;
  static const uint64_t nr_free[] = {1310, 18, 0, 0};

  assert_int_equal(headroom_pages(WATERMARK_CHECK_LOWER_ORDERS, 1344, 0, 1001,
                                  0, nr_free, 4, 2),
                   -469);
}

/* Orders past the buddy list, no list at all, and numbers no machine has:
 * no overflow (UBSan traps), answers clamped to 2^52 pages. */
static void test_extremes(void **state) {
  (void)state;
  uint64_t big[BUDDYINFO_MAX_ORDERS];
  const int64_t pages_max = (int64_t)1 << 52;

  for (size_t i = 0; i < BUDDYINFO_MAX_ORDERS; i++)
    big[i] = UINT64_MAX;

  /* No block of order 11 when the list stops at 10. */
  static const uint64_t eleven[11] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
  assert_int_equal(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, 100000, 0, 10, 0,
                                  eleven, 11, 11),
                   0);
  assert_int_equal(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, 100000, 0, 10, 0,
                                  eleven, 11, 10),
                   5120);
  assert_int_equal(
      headroom_pages(WATERMARK_CHECK_FREE_BLOCK, 100, 0, 10, 0, NULL, 0, 1), 0);
  /* Lower orders, no list: 99 - 10 = 89; 99 - 5 = 94. */
  assert_int_equal(
      headroom_pages(WATERMARK_CHECK_LOWER_ORDERS, 100, 0, 10, 0, NULL, 0, 1),
      89);

  assert_int_equal(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, UINT64_MAX, 0, 0,
                                  0, NULL, 0, 0),
                   pages_max);
  assert_int_equal(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, UINT64_MAX, 0, 0,
                                  0, big, BUDDYINFO_MAX_ORDERS, 1),
                   pages_max - 1);
  assert_true(headroom_pages(WATERMARK_CHECK_LOWER_ORDERS, 0, UINT64_MAX,
                             UINT64_MAX, UINT64_MAX, big, BUDDYINFO_MAX_ORDERS,
                             63) < 0);
  /* More orders than any kernel has: taken as BUDDYINFO_MAX_ORDERS. */
  for (unsigned order = 50; order < 70; order++) {
    (void)headroom_pages(WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO, UINT64_MAX,
                         UINT64_MAX, UINT64_MAX, UINT64_MAX, big, 1000, order);
    (void)headroom_pages(WATERMARK_CHECK_FREE_BLOCK, UINT64_MAX, 0, 0, 0, big,
                         1000, order);
  }
  assert_true(headroom_pages(WATERMARK_CHECK_FREE_BLOCK, UINT64_MAX, 0, 0, 0,
                             big, BUDDYINFO_MAX_ORDERS, 4000) <= 0);
}

static void parse_zones(struct zoneinfo *zi, const char *text) {
  assert_int_equal(zoneinfo_parse(zi, text, strlen(text)), 0);
}

#define ZONE(node, name, prot)                                                 \
  "Node " node ", zone " name "\n  pages free 10\n min 1\n low 2\n high 3\n"   \
  " spanned 100\n present 90\n protection: " prot "\n"

static void test_reserve(void **state) {
  (void)state;
  struct zoneinfo zi = {0};
  uint64_t reserve = 0;

  /* A 2 GiB x86_64 box on an old kernel: DMA and DMA32, no Normal. DMA
   * (0, 1900, 1900, 1900) has one increase (DMA32 at 1). GFP_KERNEL's
   * index is one above DMA32: 2; the reserve is flat past DMA32, as no
   * populated zone adds to it. */
  parse_zones(&zi, ZONE("0", "DMA", "(0, 1900, 1900, 1900)")
                       ZONE("0", "DMA32", "(0, 0, 0, 0)"));
  assert_int_equal(zi.zones[1].zone_idx, 1);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[0], &reserve), 0);
  assert_int_equal(reserve, 1900);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[1], &reserve), 0);
  assert_int_equal(reserve, 0);

  /* HighMem and Movable take their own entry. */
  parse_zones(&zi, ZONE("0", "DMA", "(0, 5, 9, 11)")
                       ZONE("0", "Normal", "(0, 0, 4, 6)")
                           ZONE("0", "HighMem", "(0, 0, 0, 2)")
                               ZONE("0", "Movable", "(0, 0, 0, 0)"));
  assert_int_equal(headroom_reserve(&zi, &zi.zones[0], &reserve), 0);
  assert_int_equal(reserve, 5);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[1], &reserve), 0);
  assert_int_equal(reserve, 0);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[2], &reserve), 0);
  assert_int_equal(reserve, 0);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[3], &reserve), 0);
  assert_int_equal(reserve, 0);

  /* A name lowmem does not know, and a zone with no protection list. */
  parse_zones(
      &zi,
      ZONE("0", "Weird",
           "(0, 0)") "Node 0, zone Normal\n  pages free 1\n min 1\n low 1\n"
                     " high 1\n spanned 1\n present 1\n");
  reserve = 77;
  assert_int_equal(headroom_reserve(&zi, &zi.zones[0], &reserve), -1);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[1], &reserve), -1);
  assert_int_equal(reserve, 77);

  /* Index unknown (-1): the third zone is past a two-entry list. */
  parse_zones(&zi, ZONE("0", "Normal", "(0, 0)") ZONE("0", "HighMem", "(0, 0)")
                       ZONE("0", "Movable", "(0, 0)"));
  assert_int_equal(zi.zones[2].zone_idx, -1);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[2], &reserve), -1);

  /* Normal printed but its index unknown: the zones below cannot know
   * theirs either. DMA (0, 3) shows one increase for two zones above;
   * Normal's position 2 is past that two-entry list. */
  parse_zones(&zi, ZONE("0", "DMA", "(0, 3)") ZONE("0", "DMA32", "(0, 0, 5)")
                       ZONE("0", "Normal", "(0, 0, 0)"));
  assert_int_equal(zi.zones[2].zone_idx, -1);
  assert_int_equal(headroom_reserve(&zi, &zi.zones[0], &reserve), -1);
  zoneinfo_free(&zi);

  /* Normal's index past a lower zone's own list. */
  struct zone_info zones[2] = {
      {.node = 0,
       .name = "DMA",
       .has = ZONE_HAS_PROTECTION,
       .protection = {0, 3},
       .nr_protection = 2,
       .zone_idx = 0},
      {.node = 0,
       .name = "Normal",
       .has = ZONE_HAS_PROTECTION,
       .nr_protection = 4,
       .zone_idx = 3},
  };
  struct zoneinfo manual = {.zones = zones, .nr = 2, .cap = 2};
  assert_int_equal(headroom_reserve(&manual, &zones[0], &reserve), -1);
  assert_int_equal(headroom_reserve(&manual, &zones[1], &reserve), 0);
  assert_int_equal(reserve, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_incident_lower_orders),
      cmocka_unit_test(test_incident_as_2_6_39),
      cmocka_unit_test(test_linux_4_4),
      cmocka_unit_test(test_numa_5_10),
      cmocka_unit_test(test_live_6_18),
      cmocka_unit_test(test_check_for),
      cmocka_unit_test(test_cma),
      cmocka_unit_test(test_lower_orders_order2),
      cmocka_unit_test(test_extremes),
      cmocka_unit_test(test_reserve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
