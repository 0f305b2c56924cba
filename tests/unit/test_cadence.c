/* slabinfo on a cadence of its own: read every SlabinfoInterval, and
 * sooner when meminfo's slab totals move by more than SlabinfoChange
 * percent (and 1 MiB). A tree written here, in a temporary directory, with
 * meminfo values the test sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "sample/sampler.h"

struct tree {
  char dir[64];
  struct sampler s;
};

static void write_text(const struct tree *t, const char *name,
                       const char *text) {
  char path[128];
  snprintf(path, sizeof(path), "%s/%s", t->dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

/* meminfo with these slab figures, in kB as the kernel prints them. */
static void write_meminfo(const struct tree *t, unsigned long reclaimable_kb,
                          unsigned long unreclaimable_kb) {
  char text[256];
  snprintf(text, sizeof(text),
           "MemTotal:        4000000 kB\nMemFree:         1000000 kB\n"
           "Slab:            %lu kB\nSReclaimable:    %lu kB\n"
           "SUnreclaim:      %lu kB\n",
           reclaimable_kb + unreclaimable_kb, reclaimable_kb, unreclaimable_kb);
  write_text(t, "meminfo", text);
}

static void tree_init(struct tree *t, double interval, double change,
                      unsigned long reclaimable_kb,
                      unsigned long unreclaimable_kb) {
  size_t len;
  snprintf(t->dir, sizeof(t->dir), "/tmp/lowmem-test-cadence.XXXXXX");
  assert_non_null(mkdtemp(t->dir));
  char *slab = fixture_read("live-6.18-x86_64", "proc/slabinfo", &len);
  write_text(t, "slabinfo", slab);
  free(slab);
  write_meminfo(t, reclaimable_kb, unreclaimable_kb);
  struct sampler_config sc = {
      .proc_path = t->dir,
      .sources = (1u << SOURCE_SLABINFO) | (1u << SOURCE_MEMINFO),
      .page_size = 4096,
      .slab_change = change,
  };
  sc.interval[SOURCE_SLABINFO] = interval;
  assert_int_equal(sampler_init(&t->s, &sc), 0);
}

static void tree_free(struct tree *t) {
  char path[128];
  sampler_destroy(&t->s);
  snprintf(path, sizeof(path), "%s/slabinfo", t->dir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/meminfo", t->dir);
  unlink(path);
  rmdir(t->dir);
}

/* One sample at time now: was slabinfo read? */
static bool slab_read_at(struct tree *t, double now) {
  sampler_read(&t->s, now);
  assert_true(t->s.sample.ok & (1u << SOURCE_MEMINFO));
  return (t->s.sample.fresh & (1u << SOURCE_SLABINFO)) != 0;
}

/* Ticks of 0.1 s from `from` (tick numbers): slabinfo read at none. */
static void none_until(struct tree *t, int from, int to) {
  for (int k = from; k < to; k++)
    if (slab_read_at(t, k * 0.1))
      fail_msg("slabinfo read at tick %d", k);
}

static void test_interval(void **state) {
  struct tree t;
  (void)state;
  tree_init(&t, 5, 0, 500000, 50000);
  assert_true(slab_read_at(&t, 0));
  none_until(&t, 1, 50);
  assert_true(slab_read_at(&t, 5.0));
  /* Between reads the last table stays, and stays valid. */
  assert_true(slab_read_at(&t, 10.0));
  assert_true(t.s.sample.ok & (1u << SOURCE_SLABINFO));
  assert_true(t.s.sample.slabinfo.nr > 100);
  tree_free(&t);
}

/* A growth of 2% (11,000 kB of 550,000) brings the read forward: meminfo
 * is read after slabinfo, so the tick after the one that saw it. */
static void test_growth_brings_read_forward(void **state) {
  struct tree t;
  (void)state;
  tree_init(&t, 5, 1, 500000, 50000);
  assert_true(slab_read_at(&t, 0));
  none_until(&t, 1, 10);
  write_meminfo(&t, 511000, 50000);
  assert_false(slab_read_at(&t, 1.0)); /* meminfo sees it here */
  assert_true(slab_read_at(&t, 1.1));
  /* The totals read with it are the new reference: no read after. */
  none_until(&t, 12, 50);
  /* A shrink counts as much: 3% down. */
  write_meminfo(&t, 494500, 50000);
  assert_false(slab_read_at(&t, 5.0));
  assert_true(slab_read_at(&t, 5.1));
  tree_free(&t);
}

/* Under the share (0.5%: 2,750 kB of 550,000), no read before the
 * interval; the unreclaimable part counts too (a 2% move of it alone). */
static void test_small_moves_wait(void **state) {
  struct tree t;
  (void)state;
  tree_init(&t, 5, 1, 500000, 50000);
  assert_true(slab_read_at(&t, 0));
  write_meminfo(&t, 502750, 50000);
  none_until(&t, 1, 50);
  assert_true(slab_read_at(&t, 5.0));
  write_meminfo(&t, 502750, 61000);
  assert_false(slab_read_at(&t, 5.1));
  assert_true(slab_read_at(&t, 5.2));
  tree_free(&t);
}

/* A small slab: 50% of 1,000 kB is under the 1 MiB floor: noise, no read;
 * SlabinfoChange 0: only the interval. */
static void test_floor_and_off(void **state) {
  struct tree t;
  (void)state;
  tree_init(&t, 5, 1, 800, 200);
  assert_true(slab_read_at(&t, 0));
  write_meminfo(&t, 1300, 200);
  none_until(&t, 1, 50);
  tree_free(&t);

  tree_init(&t, 5, 0, 500000, 50000);
  assert_true(slab_read_at(&t, 0));
  write_meminfo(&t, 900000, 50000);
  none_until(&t, 1, 50);
  assert_true(slab_read_at(&t, 5.0));
  tree_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_interval),
      cmocka_unit_test(test_growth_brings_read_forward),
      cmocka_unit_test(test_small_moves_wait),
      cmocka_unit_test(test_floor_and_off),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
