/* Series and windows: worst value per window, lookup by name, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "window/series.h"

static void test_min_max_last(void **state) {
  struct series_set set;
  series_init(&set, 100);
  int lo = series_add(&set, "node0-Normal", "memory", "free", SERIES_MIN,
                      SERIES_GAUGE);
  int hi =
      series_add(&set, "slab", "bytes", "dentry", SERIES_MAX, SERIES_GAUGE);
  int last = series_add(&set, "", "memory", "total", SERIES_LAST, SERIES_GAUGE);
  int ctr = series_add(&set, "", "vmpage_action", "allocstall", SERIES_LAST,
                       SERIES_DERIVE);
  assert_true(lo >= 0 && hi >= 0 && last >= 0 && ctr >= 0);

  /* A 300 ms dip inside a 1 s window: the window keeps it. */
  const double free_mb[] = {900, 880, 120, 130, 140, 870, 890, 900, 910, 905};
  for (int i = 0; i < 10; i++) {
    series_gauge(&set, lo, free_mb[i]);
    series_gauge(&set, hi, free_mb[i]);
    series_gauge(&set, last, free_mb[i]);
    series_derive(&set, ctr, 1000 + i);
  }
  assert_int_equal(set.v[lo].n, 10);
  assert_true(set.v[lo].gauge == 120);
  assert_true(set.v[hi].gauge == 910);
  assert_true(set.v[last].gauge == 905);
  assert_int_equal(set.v[ctr].derive, 1009);

  /* A new window starts empty, and its first sample sets the value even
   * when it is worse-looking than nothing. */
  series_reset(&set);
  assert_int_equal(set.v[lo].n, 0);
  series_gauge(&set, lo, 5000);
  assert_true(set.v[lo].gauge == 5000);
  series_gauge(&set, hi, -3);
  assert_true(set.v[hi].gauge == -3);
  series_free(&set);
}

/* CPU share: 3 ticks of 10 ms in 0.1 s samples over one second is 3%,
 * whatever the spread; a longer sample weighs more. */
static void test_share(void **state) {
  struct series_set set;
  series_init(&set, 10);
  int id = series_add(&set, "writeback", "percent", "kswapd0", SERIES_SHARE,
                      SERIES_GAUGE);
  for (int i = 0; i < 10; i++)
    series_share(&set, id, i < 3 ? 0.01 : 0, 0.1);
  assert_int_equal(set.v[id].n, 10);
  assert_true(set.v[id].gauge > 2.999 && set.v[id].gauge < 3.001);
  series_reset(&set);
  series_share(&set, id, 0.05, 0.1);
  series_share(&set, id, 0, 0.9);
  assert_true(set.v[id].gauge > 4.999 && set.v[id].gauge < 5.001);
  series_free(&set);
}

static void test_find_after_growth(void **state) {
  struct series_set set;
  char name[32];
  series_init(&set, 5000);
  for (int i = 0; i < 3000; i++) {
    snprintf(name, sizeof(name), "cache%d", i);
    assert_int_equal(
        series_add(&set, "slab", "bytes", name, SERIES_MAX, SERIES_GAUGE), i);
  }
  for (int i = 0; i < 3000; i += 7) {
    snprintf(name, sizeof(name), "cache%d", i);
    assert_int_equal(series_find(&set, "slab", "bytes", name), i);
    /* Adding again finds the same series. */
    assert_int_equal(
        series_add(&set, "slab", "bytes", name, SERIES_MIN, SERIES_GAUGE), i);
  }
  assert_int_equal(series_find(&set, "slab", "objects", "cache1"), -1);
  /* The parts of an identifier do not run into each other. */
  assert_int_equal(series_find(&set, "slabb", "ytes", "cache1"), -1);
  assert_int_equal(set.nr, 3000);
  series_free(&set);
}

static void test_limit_and_long_names(void **state) {
  struct series_set set;
  char longname[200];
  series_init(&set, 2);
  assert_int_equal(
      series_add(&set, "a", "gauge", "x", SERIES_MIN, SERIES_GAUGE), 0);
  assert_int_equal(
      series_add(&set, "a", "gauge", "y", SERIES_MIN, SERIES_GAUGE), 1);
  assert_true(series_add(&set, "a", "gauge", "z", SERIES_MIN, SERIES_GAUGE) <
              0);
  series_free(&set);

  series_init(&set, 10);
  memset(longname, 'n', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  assert_true(series_add(&set, "slab", "bytes", longname, SERIES_MAX,
                         SERIES_GAUGE) < 0);
  assert_int_equal(set.nr, 0);
  /* An id that could not be had is ignored by the updates. */
  series_gauge(&set, -1, 1);
  series_derive(&set, -12, 1);
  series_free(&set);
}

/* What was refused is kept for the log: how many, why, the first and
 * the last, named as collectd writes them. */
static void test_refused(void **state) {
  struct series_set set;
  char longname[200];

  (void)state;
  series_init(&set, 2);
  assert_int_equal(series_refused_count(&set), 0);
  series_add(&set, "", "memory", "free", SERIES_MIN, SERIES_GAUGE);
  series_add(&set, "slab", "bytes", "dentry", SERIES_MAX, SERIES_GAUGE);
  assert_int_equal(series_refused_count(&set), 0);
  assert_true(series_add(&set, "slab", "bytes", "inode_cache", SERIES_MAX,
                         SERIES_GAUGE) == -ENOSPC);
  assert_true(series_add(&set, "", "vmpage_action", "oom_kill", SERIES_LAST,
                         SERIES_DERIVE) == -ENOSPC);
  /* One already there is found, not refused. */
  assert_int_equal(
      series_add(&set, "slab", "bytes", "dentry", SERIES_MAX, SERIES_GAUGE), 1);
  assert_int_equal(series_refused_count(&set), 2);
  assert_int_equal(set.refused.limit, 2);
  assert_string_equal(set.refused.first, "lowmem-slab/bytes-inode_cache");
  assert_string_equal(set.refused.last, "lowmem/vmpage_action-oom_kill");
  series_free(&set);

  series_init(&set, 10);
  memset(longname, 'n', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  assert_true(series_add(&set, "slab", "bytes", longname, SERIES_MAX,
                         SERIES_GAUGE) == -ENAMETOOLONG);
  assert_int_equal(set.refused.name, 1);
  assert_int_equal(set.refused.limit, 0);
  assert_true(strncmp(set.refused.first, "lowmem-slab/bytes-nnn", 21) == 0);
  series_free(&set);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_min_max_last),
      cmocka_unit_test(test_share),
      cmocka_unit_test(test_find_after_growth),
      cmocka_unit_test(test_limit_and_long_names),
      cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
