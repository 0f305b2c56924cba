/* The slab caches followed, at any number of caches: synthetic slabinfo
 * of 100 to 50,000 caches, written here with sizes whose ranking the test
 * knows from how it wrote them, not from the code under test. */
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
#include "window/metrics.h"

#define PAGE 4096
#define TOP_N 10

/* Cache i of n holds slabs(i) one-page slabs: a permutation of 1..n (7919
 * is prime and divides none of the sizes used), turned by shift. */
static unsigned slabs_of(unsigned i, unsigned n, unsigned shift) {
  return (unsigned)(((uint64_t)(i + shift) * 7919u) % n) + 1;
}

static char *synthetic_slabinfo(unsigned n, unsigned shift, size_t *len) {
  size_t cap = 128 + (size_t)n * 96;
  char *text = malloc(cap);
  assert_non_null(text);
  *len = (size_t)snprintf(
      text, cap,
      "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize> "
      "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
      "<sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
  for (unsigned i = 0; i < n; i++) {
    unsigned s = slabs_of(i, n, shift);
    *len += (size_t)snprintf(text + *len, cap - *len,
                             "cache%u %u %u 64 64 1 : tunables 0 0 0 : "
                             "slabdata %u %u 0\n",
                             i, s * 64, s * 64, s, s);
  }
  return text;
}

/* Lines of text that are not the two header lines: counted by hand. */
static size_t count_cache_lines(const char *text, size_t len) {
  size_t lines = 0;
  for (size_t i = 0; i < len; i++)
    lines += text[i] == '\n';
  return lines - 2;
}

/* In the top TOP_N of window `shift`: the caches of the largest sizes. */
static bool expected_top(unsigned i, unsigned n, unsigned shift) {
  return slabs_of(i, n, shift) > n - TOP_N;
}

struct scale {
  struct metrics m;
  struct sample sm;
  struct view v;
};

static void scale_init(struct scale *s, char **named, size_t nr_named,
                       unsigned top_n) {
  struct metrics_config mc = {.slab_top_n = top_n,
                              .slab_caches = named,
                              .nr_slab_caches = nr_named,
                              .page_size = PAGE};
  memset(s, 0, sizeof(*s));
  assert_int_equal(metrics_init(&s->m, &mc), 0);
  view_init(&s->v, &(struct view_config){.page_size = PAGE});
}

static void scale_free(struct scale *s) {
  metrics_destroy(&s->m);
  view_destroy(&s->v);
  sample_free(&s->sm);
}

/* One sample: slabinfo of n caches turned by shift (read at this tick
 * when fresh). */
static void scale_sample(struct scale *s, unsigned n, unsigned shift,
                         bool fresh) {
  s->sm.fresh = 0;
  if (fresh) {
    size_t len;
    char *text = synthetic_slabinfo(n, shift, &len);
    assert_int_equal(sampler_parse(&s->sm, SOURCE_SLABINFO, text, len), 0);
    assert_int_equal(s->sm.slabinfo.nr, count_cache_lines(text, len));
    free(text);
    s->sm.fresh = 1u << SOURCE_SLABINFO;
  }
  s->sm.ok |= 1u << SOURCE_SLABINFO;
  view_update(&s->v, &s->sm);
  metrics_add(&s->m, &s->sm, &s->v, 1.0);
}

static size_t count_slab_series(const struct series_set *set, bool chosen) {
  size_t k = 0;
  for (size_t i = 0; i < set->nr; i++)
    if (strcmp(set->v[i].plugin_instance, "slab") == 0 &&
        (!chosen || (strcmp(set->v[i].type, "bytes") == 0 && set->v[i].n > 0 &&
                     set->v[i].chosen)))
      k++;
  return k;
}

static const struct series *slab_bytes(const struct series_set *set,
                                       unsigned i) {
  char name[32];
  snprintf(name, sizeof(name), "cache%u", i);
  int id = series_find(set, "slab", "bytes", name);
  return id >= 0 ? &set->v[id] : NULL;
}

/* Every vmstat counter of a fixture is still dispatched beside tens of
 * thousands of caches: the slab series no longer crowd the set. */
static void check_scale(unsigned n) {
  struct scale s;
  char named0[] = "cache17";
  char *named[] = {named0};
  size_t len;

  scale_init(&s, named, 1, TOP_N);
  char *vm = fixture_read("live-6.18-x86_64", "proc/vmstat", &len);
  assert_int_equal(sampler_parse(&s.sm, SOURCE_VMSTAT, vm, len), 0);
  s.sm.ok = 1u << SOURCE_VMSTAT;
  scale_sample(&s, n, 0, true);
  metrics_choose(&s.m);

  /* The top TOP_N and the named one, each with its size. */
  assert_int_equal(count_slab_series(&s.m.set, true), TOP_N + 1);
  for (unsigned i = 0; i < n; i++) {
    const struct series *b = slab_bytes(&s.m.set, i);
    bool want = expected_top(i, n, 0) || i == 17;
    if (!want) {
      assert_true(b == NULL || b->n == 0 || !b->chosen);
      continue;
    }
    assert_non_null(b);
    assert_true(b->chosen);
    assert_true(b->gauge == (double)slabs_of(i, n, 0) * PAGE);
  }
  /* At most two series per slot, whatever n is. */
  assert_true(count_slab_series(&s.m.set, false) <= 2 * s.m.slabs.limit);
  assert_int_equal(series_refused_count(&s.m.set), 0);
  assert_int_equal(s.m.slabs.missed, 0);

  /* Each counter of the fixture's vmstat that the README's list names
   * (read by sscanf; 6.18 has no per-zone names to sum). */
  static const char *const reported[] = {
      "pgscan",     "pgsteal",      "pgrefill",       "allocstall",
      "compact_",   "oom_kill",     "slabs_scanned",  "kswapd_",
      "pageoutrun", "pginodesteal", "drop_pagecache", "drop_slab",
      "nr_dirtied", "nr_written",   "pgmajfault",     "workingset_refault",
  };
  size_t counters = 0, found = 0;
  char name[128];
  unsigned long long value;
  for (char *line = strtok(vm, "\n"); line; line = strtok(NULL, "\n"))
    for (size_t k = 0; k < sizeof(reported) / sizeof(reported[0]); k++)
      if (sscanf(line, "%127s %llu", name, &value) == 2 &&
          strncmp(name, reported[k], strlen(reported[k])) == 0) {
        counters++;
        int id = series_find(&s.m.set, "", "vmpage_action", name);
        found += id >= 0 && s.m.set.v[id].n > 0;
        break;
      }
  assert_true(counters > 40);
  assert_int_equal(found, counters);
  free(vm);
  scale_free(&s);
}

static void test_scale_100(void **state) {
  (void)state;
  check_scale(100);
}
static void test_scale_1000(void **state) {
  (void)state;
  check_scale(1000);
}
static void test_scale_10000(void **state) {
  (void)state;
  check_scale(10000);
}
static void test_scale_50000(void **state) {
  (void)state;
  check_scale(50000);
}

/* The top changes every window: the pool reuses its slots, the series
 * count stays flat, and each window dispatches that window's top. */
static void test_churn_between_windows(void **state) {
  enum { N = 1000, WINDOWS = 60 };
  struct scale s;
  size_t most = 0;

  (void)state;
  scale_init(&s, NULL, 0, TOP_N);
  for (unsigned w = 0; w < WINDOWS; w++) {
    unsigned shift = w * 37;
    scale_sample(&s, N, shift, true);
    metrics_choose(&s.m);
    assert_int_equal(count_slab_series(&s.m.set, true), TOP_N);
    for (unsigned i = 0; i < N; i++)
      if (expected_top(i, N, shift)) {
        const struct series *b = slab_bytes(&s.m.set, i);
        assert_non_null(b);
        assert_true(b->chosen && b->n > 0);
      }
    size_t nr = count_slab_series(&s.m.set, false);
    most = nr > most ? nr : most;
    metrics_reset(&s.m, w);
  }
  /* Two windows' tops at most, two series each. */
  assert_true(most <= 2 * 2 * TOP_N);
  assert_int_equal(s.m.slabs.missed, 0);
  scale_free(&s);
}

/* A different top at each read of one window: the pool fills to its
 * bound, what found no slot is counted for the log, and the window still
 * dispatches TOP_N caches. */
static void test_churn_within_window(void **state) {
  enum { N = 1000, READS = 10 };
  struct scale s;

  (void)state;
  scale_init(&s, NULL, 0, 2);
  for (unsigned r = 0; r < READS; r++)
    scale_sample(&s, N, r * 101, true);
  metrics_choose(&s.m);
  assert_int_equal(s.m.slabs.nr, s.m.slabs.limit);
  /* 2 new caches a read, 10 reads: 20 asked, limit slots given. */
  assert_int_equal(s.m.slabs.missed, 2 * READS - s.m.slabs.limit);
  assert_int_equal(count_slab_series(&s.m.set, true), 2);
  scale_free(&s);
}

/* slabinfo read less often than the samples: the slots keep being fed
 * from the last reading, so every window has its values. */
static void test_not_fresh_keeps_values(void **state) {
  enum { N = 100 };
  struct scale s;

  (void)state;
  scale_init(&s, NULL, 0, TOP_N);
  scale_sample(&s, N, 0, true);
  metrics_choose(&s.m);
  metrics_reset(&s.m, 0);
  for (int k = 0; k < 3; k++)
    scale_sample(&s, N, 0, false);
  metrics_choose(&s.m);
  assert_int_equal(count_slab_series(&s.m.set, true), TOP_N);
  for (unsigned i = 0; i < N; i++)
    if (expected_top(i, N, 0))
      assert_int_equal(slab_bytes(&s.m.set, i)->n, 3);
  scale_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scale_100),
      cmocka_unit_test(test_scale_1000),
      cmocka_unit_test(test_scale_10000),
      cmocka_unit_test(test_scale_50000),
      cmocka_unit_test(test_churn_between_windows),
      cmocka_unit_test(test_churn_within_window),
      cmocka_unit_test(test_not_fresh_keeps_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
