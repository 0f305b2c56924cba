/* The view: zones with their labels and headroom for three requests, and
 * the system-wide counters, derived once per sample.
 *
 * Expected values are worked out by hand from the fixtures (zoneinfo's
 * free, min, low and protection; buddyinfo's and pagetypeinfo's columns;
 * vmstat's counters), with the kernel's arithmetic written out at each. */
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
#include "sample/sampler.h"

#define PAGE 4096

static void read_tree(struct sampler *s, const char *tree) {
  static char proc[4096];
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path(tree));
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = PAGE,
  };
  assert_int_equal(sampler_init(s, &sc), 0);
  sampler_read(s, 1.0);
}

static const struct zone_view *zone(const struct view *v, const char *label) {
  for (size_t i = 0; i < v->nr; i++)
    if (strcmp(v->zones[i].label, label) == 0)
      return &v->zones[i];
  fail_msg("no zone %s in the view", label);
  return NULL;
}

static uint64_t counter(const struct view *v, const char *name) {
  int i = view_counter(v, name);
  assert_true(i >= 0);
  return v->vm[i].value;
}

/* 2.6.39 (2^k + 1 deducted, lower orders subtracted, mark halved): the
 * incident's zones. */
static void test_incident(void **state) {
  struct sampler s;

  (void)state;
  read_tree(&s, "incident-2.6.39-i686");
  const struct view *v = &s.view;
  assert_int_equal(v->nr, 3);
  const struct zone_view *normal = zone(v, "node0-Normal");
  assert_true(normal->populated && normal->has_headroom);
  assert_true(normal->kernel_zone);
  assert_int_equal(normal->reserve, 0);
  /* GFP_KERNEL at min (1001): order 0 1344 - 2 - 1001 = 341; order 1
   * 1344 - 3 = 1341, less the 1310 free single pages = 31, against
   * 1001 >> 1 = 500: -469. */
  assert_int_equal(normal->headroom_min[0], 341);
  assert_int_equal(normal->headroom_min[1], -469);
  /* At low (1251): 1342 - 1251 = 91; 31 - 625 = -594. */
  assert_int_equal(normal->headroom_low[0], 91);
  assert_int_equal(normal->headroom_low[1], -594);
  /* GFP_ATOMIC: 1001 - 500 = 501, less 501 / 4 = 125: 376. Order 0
   * 1342 - 376 = 966; order 1: 31 - (376 >> 1) = -157: refused too. */
  assert_int_equal(normal->headroom_atomic[0], 966);
  assert_int_equal(normal->headroom_atomic[1], -157);
  /* The migrate types (pagetypeinfo) do not matter before 4.4. */
  assert_int_equal(normal->highatomic, 0);
  /* DMA keeps 702 pages for requests that can use nothing else: 727 - 2 -
   * (22 + 702) = 1; order 1: 724 - 724 = 0 ... its own check: min(0,
   * 724 - 231 - 11) = 0. Atomic: 22 - 11 = 11, less 2: 9: 727 - 2 - 711
   * = 14; order 1: 724 - 711 = 13, then 493 - 4. */
  const struct zone_view *dma = zone(v, "node0-DMA");
  assert_int_equal(dma->reserve, 702);
  assert_int_equal(dma->headroom_min[0], 1);
  assert_int_equal(dma->headroom_min[1], 0);
  assert_int_equal(dma->headroom_atomic[0], 14);
  assert_int_equal(dma->headroom_atomic[1], 13);
  /* Slab per zone on kernels before 4.8: 166021 + 2994 pages. */
  assert_true(normal->has_slab);
  assert_int_equal(normal->slab, 169015);
  /* The counters: 2.6.39 counts reclaim per zone; the view sums them
   * under the plain name, and keeps the kernel's own allocstall. */
  assert_int_equal(counter(v, "pgscan_kswapd"), 77301 + 7110292 + 4132096);
  assert_int_equal(counter(v, "pgscan_direct"), 3020 + 415288 + 16032);
  assert_int_equal(counter(v, "pgscan_kswapd_normal"), 7110292);
  assert_int_equal(counter(v, "allocstall"), 3110);
  assert_int_equal(view_counter(v, "oom_kill"), -1); /* 4.13+ */
  assert_true(v->vm[view_counter(v, "pgscan_direct")].summed);
  /* The zone the incident's fork failed in. */
  int64_t h;
  const struct zone_view *tight = view_tightest(v, 1, &h);
  assert_non_null(tight);
  assert_string_equal(tight->label, "node0-Normal");
  assert_int_equal(h, -469);
  assert_true(view_near_wall(v));
  sampler_destroy(&s);
}

/* 4.4: a free block of the order is enough; no high-order atomic reserve
 * here. Normal: 4402 free, min 4109, low 5136, reserve 0; order-1 blocks:
 * 4 unmovable, 6 movable (pagetypeinfo), 10 in buddyinfo. */
static void test_free_block(void **state) {
  struct sampler s;

  (void)state;
  read_tree(&s, "linux-4.4-x86_64");
  const struct view *v = &s.view;
  assert_true(v->types_known);
  const struct zone_view *normal = zone(v, "node0-Normal");
  assert_non_null(normal->types);
  assert_int_equal(normal->highatomic, 0);
  assert_int_equal(normal->headroom_min[0], 4402 - 4109);
  /* 4401 - 4109 = 292, but the margin is the 20 pages in blocks of
   * order 1 or more. */
  assert_int_equal(normal->headroom_min[1], 20);
  assert_int_equal(normal->kernel.nr_free[1], 10);
  /* Atomic: 4109 - 2054 = 2055, less 513: 1542. */
  assert_int_equal(normal->headroom_atomic[0], 4402 - 1542);
  assert_int_equal(normal->headroom_atomic[1], 20);
  /* DMA on 64-bit: its reserve for Normal requests (3943) exceeds it. */
  assert_false(zone(v, "node0-DMA")->kernel_zone);
  /* Per-zone reclaim counters summed; allocstall is the kernel's. */
  assert_int_equal(counter(v, "pgscan_kswapd"), 9877251 + 4693318);
  assert_int_equal(counter(v, "pgscan_direct"), 35861 + 18777);
  assert_int_equal(counter(v, "allocstall"), 163);
  sampler_destroy(&s);
}

/* The same machine with one pageblock (512 pages) of the high-order
 * atomic reserve, holding every free block of 8 kB or more of Normal:
 * ordinary requests deduct the reserve and may not take those blocks
 * (4.4+, before 6.12 the whole reserve); atomic requests may. */
static void test_highatomic(void **state) {
  struct sampler s;

  (void)state;
  read_tree(&s, "linux-4.4-highatomic-x86_64");
  const struct zone_view *normal = zone(&s.view, "node0-Normal");
  assert_int_equal(normal->highatomic, 512);
  assert_int_equal(normal->kernel.unusable, 512);
  /* 4402 - 512 - 4109 = -219: even order 0 is refused. */
  assert_int_equal(normal->headroom_min[0], -219);
  /* 4401 - 512 - 4109 = -220, and no block an ordinary request may
   * take (0). */
  assert_int_equal(normal->kernel.nr_free[1], 0);
  assert_int_equal(normal->headroom_min[1], -220);
  assert_int_equal(normal->headroom_low[0], 4402 - 512 - 5136);
  /* Atomic requests keep the reserve and its 10 blocks of 8 kB. */
  assert_int_equal(normal->atomic.unusable, 0);
  assert_int_equal(normal->atomic.nr_free[1], 10);
  assert_int_equal(normal->headroom_atomic[0], 4402 - 1542);
  assert_int_equal(normal->headroom_atomic[1], 20);
  assert_true(view_near_wall(&s.view));
  sampler_destroy(&s);
}

/* Without pagetypeinfo (not readable, or not read yet), buddyinfo alone:
 * the headroom of today's model. */
static void test_without_types(void **state) {
  struct sampler s;
  static char proc[4096];

  (void)state;
  snprintf(proc, sizeof(proc), "%s/proc",
           fixture_path("linux-4.4-highatomic-x86_64"));
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = ((1u << SOURCE_NR) - 1) & ~(1u << SOURCE_PAGETYPEINFO),
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = PAGE,
  };
  assert_int_equal(sampler_init(&s, &sc), 0);
  sampler_read(&s, 1.0);
  const struct zone_view *normal = zone(&s.view, "node0-Normal");
  assert_false(s.view.types_known);
  assert_null(normal->types);
  assert_int_equal(normal->headroom_min[0], 4402 - 4109);
  assert_int_equal(normal->headroom_min[1], 20);
  sampler_destroy(&s);
}

/* A source read at an interval of its own is read once, then kept (ok,
 * not fresh) until its interval has passed. */
static void test_intervals(void **state) {
  struct sampler s;
  static char proc[4096];

  (void)state;
  /* This machine: far from its watermarks. */
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path("live-6.18-x86_64"));
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = PAGE,
  };
  sc.interval[SOURCE_PAGETYPEINFO] = 60;
  assert_int_equal(sampler_init(&s, &sc), 0);
  const unsigned types = 1u << SOURCE_PAGETYPEINFO;
  sampler_read(&s, 100.0);
  assert_true(s.sample.fresh & types);
  assert_false(view_near_wall(&s.view));
  sampler_read(&s, 100.1);
  assert_false(s.sample.fresh & types);
  assert_true(s.sample.ok & types);
  assert_true(s.sample.fresh & (1u << SOURCE_ZONEINFO));
  sampler_read(&s, 159.9);
  assert_false(s.sample.fresh & types);
  sampler_read(&s, 160.0);
  assert_true(s.sample.fresh & types);
  sampler_destroy(&s);

  /* Near the wall (a zone at its low watermark) it is read every second. */
  snprintf(proc, sizeof(proc), "%s/proc",
           fixture_path("linux-4.4-highatomic-x86_64"));
  assert_int_equal(sampler_init(&s, &sc), 0);
  sampler_read(&s, 100.0);
  assert_true(view_near_wall(&s.view));
  sampler_read(&s, 100.5);
  assert_false(s.sample.fresh & types);
  sampler_read(&s, 101.0);
  assert_true(s.sample.fresh & types);
  sampler_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_incident),      cmocka_unit_test(test_free_block),
      cmocka_unit_test(test_highatomic),    cmocka_unit_test(test_without_types),
      cmocka_unit_test(test_intervals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
