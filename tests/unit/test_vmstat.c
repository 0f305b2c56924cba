/* vmstat_parse and vmstat_find over the fixture trees and broken input.
 *
 * Expected numbers come from the fixture files:
 *   counters:  wc -l < proc/vmstat
 *   a counter: awk '$1 == "NAME" {print $2, NR-1}' proc/vmstat
 *              (value, and index in file order) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/vmstat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct counter_case {
  const char *name;
  long index; /* -1: this kernel does not print it */
  uint64_t value;
};

struct tree_case {
  const char *tree;
  size_t nr;
  struct counter_case c[8];
};

static const struct tree_case trees[] = {
    /* 2.6.39: per-zone pgscan/pgsteal with _high, one allocstall, no
     * oom_kill (4.13) */
    {"incident-2.6.39-i686",
     83,
     {
         {"nr_free_pages", 0, 39375},
         {"nr_slab_reclaimable", 12, 166268},
         {"nr_dirty_threshold", 26, 672},
         {"pgscan_kswapd_normal", 50, 7110292},
         {"allocstall", 65, 3110},
         {"compact_stall", 70, 2243},
         {"oom_kill", -1, 0},
         {"pgscan_kswapd", -1, 0},
     }},
    /* 4.4: pgsteal_kswapd_<zone>, one allocstall, no oom_kill */
    {"linux-4.4-x86_64",
     118,
     {
         {"nr_free_pages", 0, 23578},
         {"nr_slab_reclaimable", 13, 39319},
         {"nr_dirty_threshold", 39, 66817},
         {"pgsteal_kswapd_dma32", 59, 9410337},
         {"pgscan_kswapd_normal", 68, 4693318},
         {"allocstall", 82, 163},
         {"compact_stall", 96, 412},
         {"oom_kill", -1, 0},
     }},
    /* 5.10: node-wide pgscan/pgsteal, allocstall per zone, oom_kill, and
     * the deprecated "nr_unstable 0" printed last */
    {"numa-5.10-x86_64",
     154,
     {
         {"nr_free_pages", 0, 1546324},
         {"nr_slab_reclaimable", 23, 701518},
         {"allocstall_normal", 67, 2215},
         {"allocstall_movable", 68, 4102},
         {"pgscan_kswapd", 84, 544885801},
         {"pgscan_direct", 85, 1875059},
         {"oom_kill", 101, 3},
         {"nr_unstable", 153, 0},
     }},
    {"live-6.18-x86_64",
     192,
     {
         {"nr_free_pages", 0, 1102060},
         {"nr_slab_reclaimable", 22, 14746},
         {"nr_dirty_threshold", 68, 1220810},
         {"allocstall_normal", 83, 0},
         {"pgscan_kswapd", 104, 0},
         {"oom_kill", 124, 0},
         {"compact_stall", 138, 0},
         {"allocstall", -1, 0},
     }},
};

static int parse_file(struct vmstat *vs, const char *tree, const char *rel) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int ret = vmstat_parse(vs, buf, len);
  free(buf);
  return ret;
}

static void test_trees(void **state) {
  (void)state;
  for (size_t t = 0; t < ARRAY_SIZE(trees); t++) {
    struct vmstat vs = {0};
    print_message("%s\n", trees[t].tree);
    assert_int_equal(parse_file(&vs, trees[t].tree, "proc/vmstat"), 0);
    assert_int_equal(vs.nr, trees[t].nr);
    assert_int_equal(vs.malformed, 0);
    for (size_t i = 0; i < ARRAY_SIZE(trees[t].c); i++) {
      const struct counter_case *c = &trees[t].c[i];
      long at = vmstat_find(&vs, c->name);
      assert_int_equal(at, c->index);
      if (at >= 0)
        assert_int_equal(vs.items[at].value, c->value);
    }
    vmstat_free(&vs);
  }
}

/* The same names again: values move, generation and storage stay. A
 * different kernel's names: generation moves. */
static void test_generation(void **state) {
  (void)state;
  struct vmstat vs = {0};
  size_t len;
  char *buf = fixture_read("numa-5.10-x86_64", "proc/vmstat", &len);

  assert_int_equal(vmstat_parse(&vs, buf, len), 0);
  unsigned gen = vs.generation;
  struct vmstat_item *items = vs.items;

  /* oom_kill 3 -> 4 */
  char *o = strstr(buf, "\noom_kill 3\n");
  assert_non_null(o);
  o[strlen("\noom_kill ")] = '4';
  assert_int_equal(vmstat_parse(&vs, buf, len), 0);
  assert_int_equal(vs.generation, gen);
  assert_ptr_equal(vs.items, items);
  assert_int_equal(vs.items[vmstat_find(&vs, "oom_kill")].value, 4);

  /* oom_kill -> oom_kilL: same length, another name */
  o[strlen("\noom_kil")] = 'L';
  assert_int_equal(vmstat_parse(&vs, buf, len), 0);
  assert_int_equal(vs.generation, gen + 1);
  assert_int_equal(vmstat_find(&vs, "oom_kill"), -1);
  free(buf);

  gen = vs.generation;
  assert_int_equal(parse_file(&vs, "incident-2.6.39-i686", "proc/vmstat"), 0);
  assert_int_equal(vs.generation, gen + 1);
  assert_int_equal(vs.nr, 83);
  assert_int_equal(parse_file(&vs, "incident-2.6.39-i686", "proc/vmstat"), 0);
  assert_int_equal(vs.generation, gen + 1);
  vmstat_free(&vs);
}

/* "allocstall" after "allocstall_dma" at the same index: a prefix of the
 * old name is not the old name, and the other way round. */
static void test_generation_prefix_name(void **state) {
  (void)state;
  static const char a[] = "allocstall_dma 1\n";
  static const char b[] = "allocstall 1\n";
  struct vmstat vs = {0};
  assert_int_equal(vmstat_parse(&vs, a, sizeof(a) - 1), 0);
  unsigned gen = vs.generation;
  assert_int_equal(vmstat_parse(&vs, b, sizeof(b) - 1), 0);
  assert_int_equal(vs.generation, gen + 1);
  assert_string_equal(vs.items[0].name, "allocstall");
  assert_int_equal(vmstat_parse(&vs, a, sizeof(a) - 1), 0);
  assert_int_equal(vs.generation, gen + 2);
  assert_string_equal(vs.items[0].name, "allocstall_dma");
  vmstat_free(&vs);
}

/* Broken inputs: tests/fixtures/malformed/proc/vmstat-*. */
static void test_truncated(void **state) {
  (void)state;
  struct vmstat vs = {0};
  /* numa-5.10's first 40 lines (through "nr_writeback 64"), then
   * "nr_writeb" without value or newline */
  assert_int_equal(parse_file(&vs, "malformed", "proc/vmstat-truncated"), 0);
  assert_int_equal(vs.nr, 40);
  assert_int_equal(vs.malformed, 1);
  assert_string_equal(vs.items[39].name, "nr_writeback");
  assert_int_equal(vs.items[39].value, 64);
  vmstat_free(&vs);
}

static void test_garbage(void **state) {
  (void)state;
  struct vmstat vs = {0};
  assert_int_equal(parse_file(&vs, "malformed", "proc/vmstat-garbage"), 0);
  /* bad: nr_dirty (no value), nr_writeback x, a trailing number, a value
   * over 64 bits, "-1", names of 64 and 300 characters, allocstall -3;
   * the blank line is skipped */
  assert_int_equal(vs.malformed, 8);
  assert_int_equal(vs.nr, 5);
  static const struct {
    const char *name;
    uint64_t value;
  } good[] = {
      {"nr_free_pages", 39375},
      {"pgscan_direct_normal", UINT64_MAX},
      {NULL, 7}, /* 63 x 'n': the longest name that fits */
      {"allocstall", 3110},
      {"compact_stall", 2243}, /* blanks around both words */
  };
  for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
    if (good[i].name)
      assert_string_equal(vs.items[i].name, good[i].name);
    else
      assert_int_equal(strlen(vs.items[i].name), VMSTAT_NAME_LEN - 1);
    assert_int_equal(vs.items[i].value, good[i].value);
  }
  vmstat_free(&vs);
}

static void test_nothing(void **state) {
  (void)state;
  struct vmstat vs = {0};
  assert_int_equal(parse_file(&vs, "malformed", "proc/vmstat-empty"), -EINVAL);
  assert_int_equal(vs.nr, 0);
  assert_int_equal(parse_file(&vs, "malformed", "proc/vmstat-only-garbage"),
                   -EINVAL);
  assert_int_equal(vs.nr, 0);
  assert_int_equal(vs.malformed, 2);
  vmstat_free(&vs);
}

/* Every prefix, copied to a buffer of exactly that size so ASan sees any
 * read past len: whole lines are kept, a cut one is counted. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("incident-2.6.39-i686", "proc/vmstat", &len);
  struct vmstat vs = {0};

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
      lines += copy[i] == '\n';
    bool cut = n > 0 && copy[n - 1] != '\n';

    int ret = vmstat_parse(&vs, copy, n);
    assert_int_equal(ret, lines ? 0 : -EINVAL);
    assert_int_equal(vs.nr, lines);
    assert_int_equal(vs.malformed, cut ? 1 : 0);
    free(copy);
  }
  free(buf);
  vmstat_free(&vs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trees),
      cmocka_unit_test(test_generation),
      cmocka_unit_test(test_generation_prefix_name),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_garbage),
      cmocka_unit_test(test_nothing),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
