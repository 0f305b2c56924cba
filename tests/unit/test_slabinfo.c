/* slabinfo_parse over the fixture trees, old formats, and broken input.
 *
 * Expected numbers come from the fixture files, read with awk:
 *   caches:      awk 'NR>2' proc/slabinfo | wc -l
 *   held bytes:  awk 'NR>2{p+=$6*$15*4096} END{printf "%.0f", p}' proc/slabinfo
 *                ($6 pagesperslab, $15 num_slabs)
 *   one cache:   grep -n '^dentry ' proc/slabinfo (line n is cache n-3)
 * The 2.x trees' held bytes equal meminfo's Slab x 1024 (same awk on
 * /^Slab:/), which is how those trees were made consistent. */
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
#include "sources/slabinfo.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct slab_cache *find(const struct slabinfo *si,
                                     const char *name) {
  for (size_t i = 0; i < si->nr; i++)
    if (strcmp(si->caches[i].name, name) == 0)
      return &si->caches[i];
  return NULL;
}

static uint64_t total_bytes(const struct slabinfo *si) {
  uint64_t sum = 0;
  for (size_t i = 0; i < si->nr; i++)
    sum += slab_cache_bytes(&si->caches[i], 4096);
  return sum;
}

static int parse_file(struct slabinfo *si, const char *tree, const char *rel) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int ret = slabinfo_parse(si, buf, len);
  free(buf);
  return ret;
}

/* One cache line, as printed. */
struct cache_case {
  size_t index; /* position in file order */
  const char *name;
  uint64_t active_objs, num_objs, objsize, objperslab, pagesperslab;
  uint64_t active_slabs, num_slabs;
};

struct tree_case {
  const char *tree;
  size_t nr;
  uint64_t held_bytes;
  struct cache_case c[3];
};

static const struct tree_case trees[] = {
    {"incident-2.6.39-i686",
     61,
     693432320, /* = Slab 677180 kB of the same tree */
     {
         /* line 36 */
         {33, "dentry", 2898730, 2900000, 128, 32, 1, 90625, 90625},
         /* line 11 */
         {8, "ext3_inode_cache", 440512, 440726, 592, 13, 2, 33902, 33902},
         /* line 3: an empty cache */
         {0, "nfs_direct_cache", 0, 0, 88, 46, 1, 0, 0},
     }},
    {"linux-4.4-x86_64",
     82,
     214499328, /* = Slab 209472 kB */
     {
         /* line 53 */
         {50, "dentry", 445146, 448266, 192, 21, 1, 21346, 21346},
         /* line 23 */
         {20, "ext4_inode_cache", 22482, 22800, 1072, 30, 8, 760, 760},
         /* line 84, the last */
         {81, "kmem_cache", 149, 210, 384, 21, 2, 10, 10},
     }},
    {"numa-5.10-x86_64",
     96,
     3284377600ULL, /* = Slab 3207400 kB */
     {
         /* line 62 */
         {59, "dentry", 7297855, 7387968, 192, 21, 1, 351808, 351808},
         /* line 23 */
         {20, "ext4_inode_cache", 588950, 591360, 1160, 28, 8, 21120, 21120},
         /* line 98, the last */
         {95, "kmem_cache", 131, 432, 448, 36, 4, 12, 12},
     }},
    {"live-6.18-x86_64",
     235,
     76062720,
     {
         /* line 155 */
         {152, "dentry", 42966, 42966, 192, 21, 1, 2046, 2046},
         /* line 3 */
         {0, "btrfs_delayed_node", 0, 0, 312, 13, 1, 0, 0},
         /* line 237 */
         {234, "kmem_cache", 240, 240, 256, 16, 1, 15, 15},
     }},
};

static void check_cache(const struct slabinfo *si, const struct cache_case *e) {
  assert_true(e->index < si->nr);
  const struct slab_cache *c = &si->caches[e->index];
  assert_string_equal(c->name, e->name);
  assert_int_equal(c->active_objs, e->active_objs);
  assert_int_equal(c->num_objs, e->num_objs);
  assert_int_equal(c->objsize, e->objsize);
  assert_int_equal(c->objperslab, e->objperslab);
  assert_int_equal(c->pagesperslab, e->pagesperslab);
  assert_int_equal(c->active_slabs, e->active_slabs);
  assert_int_equal(c->num_slabs, e->num_slabs);
  assert_int_equal(slab_cache_bytes(c, 4096),
                   e->num_slabs * e->pagesperslab * 4096);
}

static void test_trees(void **state) {
  (void)state;
  for (size_t t = 0; t < ARRAY_SIZE(trees); t++) {
    struct slabinfo si = {0};
    assert_int_equal(parse_file(&si, trees[t].tree, "proc/slabinfo"), 0);
    assert_int_equal(si.version_major, 2);
    assert_int_equal(si.version_minor, 1);
    assert_int_equal(si.nr, trees[t].nr);
    assert_int_equal(si.malformed, 0);
    assert_int_equal(total_bytes(&si), trees[t].held_bytes);
    for (size_t i = 0; i < ARRAY_SIZE(trees[t].c); i++)
      check_cache(&si, &trees[t].c[i]);
    slabinfo_free(&si);
  }
}

/* The incident: dentry alone held 90625 pages (354 MiB) of a Normal zone of
 * 179830 pages (719320 kB present). */
static void test_incident_dentry_bytes(void **state) {
  (void)state;
  struct slabinfo si = {0};
  assert_int_equal(parse_file(&si, "incident-2.6.39-i686", "proc/slabinfo"), 0);
  const struct slab_cache *d = find(&si, "dentry");
  assert_non_null(d);
  /* 90625 slabs x 1 page x 4096 */
  assert_int_equal(slab_cache_bytes(d, 4096), 371200000);
  /* in use: 2898730 x 128 */
  assert_int_equal(d->active_objs * d->objsize, 371037440);
  slabinfo_free(&si);
}

/* Same names in the same order: values move, generation stays, storage is
 * not reallocated. */
static void test_generation(void **state) {
  (void)state;
  struct slabinfo si = {0};
  size_t len;
  char *buf = fixture_read("incident-2.6.39-i686", "proc/slabinfo", &len);

  assert_int_equal(slabinfo_parse(&si, buf, len), 0);
  unsigned gen = si.generation;
  struct slab_cache *caches = si.caches;
  assert_int_equal(slabinfo_parse(&si, buf, len), 0);
  assert_int_equal(si.generation, gen);
  assert_ptr_equal(si.caches, caches);

  /* dentry's active_objs 2898730 -> 2898731: a value, not a name. */
  char *d = strstr(buf, "dentry            2898730");
  assert_non_null(d);
  d[strlen("dentry            289873")] = '1';
  assert_int_equal(slabinfo_parse(&si, buf, len), 0);
  assert_int_equal(si.generation, gen);
  assert_int_equal(find(&si, "dentry")->active_objs, 2898731);

  /* A renamed cache, same length: the list changed. */
  d[0] = 'D';
  assert_int_equal(slabinfo_parse(&si, buf, len), 0);
  assert_int_equal(si.generation, gen + 1);
  assert_non_null(find(&si, "Dentry"));
  assert_null(find(&si, "dentry"));

  /* Another tree, another list. */
  gen = si.generation;
  free(buf);
  buf = fixture_read("linux-4.4-x86_64", "proc/slabinfo", &len);
  assert_int_equal(slabinfo_parse(&si, buf, len), 0);
  assert_int_equal(si.generation, gen + 1);
  assert_int_equal(si.nr, 82);

  /* The two header lines and the first cache only: a shorter list. */
  gen = si.generation;
  const char *third = strchr(strchr(buf, '\n') + 1, '\n') + 1;
  const char *fourth = strchr(third, '\n') + 1;
  assert_int_equal(slabinfo_parse(&si, buf, (size_t)(fourth - buf)), 0);
  assert_int_equal(si.nr, 1);
  assert_int_equal(si.generation, gen + 1);
  free(buf);
  slabinfo_free(&si);
}

/* A name one character longer than the previous one at the same index
 * must not compare equal on its prefix. */
static void test_generation_prefix_name(void **state) {
  (void)state;
  static const char a[] = "slabinfo - version: 2.1\n"
                          "kmalloc-8 1 2 8 512 1 : tunables 0 0 0 : "
                          "slabdata 1 1 0\n";
  static const char b[] = "slabinfo - version: 2.1\n"
                          "kmalloc-81 1 2 8 512 1 : tunables 0 0 0 : "
                          "slabdata 1 1 0\n";
  struct slabinfo si = {0};
  assert_int_equal(slabinfo_parse(&si, a, sizeof(a) - 1), 0);
  unsigned gen = si.generation;
  assert_int_equal(slabinfo_parse(&si, b, sizeof(b) - 1), 0);
  assert_int_equal(si.generation, gen + 1);
  assert_string_equal(si.caches[0].name, "kmalloc-81");
  assert_int_equal(slabinfo_parse(&si, a, sizeof(a) - 1), 0);
  assert_int_equal(si.generation, gen + 2);
  assert_string_equal(si.caches[0].name, "kmalloc-8");
  slabinfo_free(&si);
}

/* Formats the fixture trees do not have, written from the kernels' print
 * statements (mm/slab.c s_show of 2.4 and 2.6, SLAB with STATS). */
struct format_case {
  const char *what;
  const char *text;
  unsigned major, minor;
  struct cache_case c;
};

static const struct format_case formats[] = {
    /* 2.4, SMP: "%-17s %6lu %6lu %6u %4lu %4lu %4u" then " : %4u %4u"
     * (limit batchcount). No column header line. */
    {"1.1 SMP",
     "slabinfo - version: 1.1 (SMP)\n"
     "kmem_cache            80     80    244    5    5    1 :  252  126\n"
     "dentry_cache      281790 282300    128 9410 9410    1 :  252  126\n"
     "size-4096             23     23   4096   23   23    1 :   60   30\n",
     1,
     1,
     /* objperslab = num_objs / num_slabs = 282300 / 9410 */
     {1, "dentry_cache", 281790, 282300, 128, 30, 1, 9410, 9410}},
    /* 2.4, STATS and SMP: " : high allocs grown reaped errors" before the
     * SMP pair, " : allochit allocmiss freehit freemiss" after. */
    {"1.1 statistics SMP",
     "slabinfo - version: 1.1 (statistics) (SMP)\n"
     "inode_cache         4128   4130    480  516  517    1 :   4130  "
     "  9023   517    0    0 :  124   62 :   8810    517   4712    210\n",
     1,
     1,
     /* 4130 / 517 = 7 (integer) */
     {0, "inode_cache", 4128, 4130, 480, 7, 1, 516, 517}},
    /* 2.6.0-2.6.10: same columns as 2.1 */
    {"2.0 SLAB",
     "slabinfo - version: 2.0\n"
     "# name            <active_objs> <num_objs> <objsize> <objperslab> "
     "<pagesperslab> : tunables <batchcount> <limit> <sharedfactor> : "
     "slabdata <active_slabs> <num_slabs> <sharedavail>\n"
     "dentry_cache       11460  11460    140   28    1 : tunables  120   60"
     "    8 : slabdata    409    409      0\n",
     2,
     0,
     {0, "dentry_cache", 11460, 11460, 140, 28, 1, 409, 409}},
    /* SLAB with STATS: globalstat and cpustat sections follow slabdata. */
    {"2.1 SLAB statistics",
     "slabinfo - version: 2.1 (statistics)\n"
     "# name            <active_objs> <num_objs> <objsize> <objperslab> "
     "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
     "slabdata <active_slabs> <num_slabs> <sharedavail> : globalstat "
     "<listallocs> <maxobjs> <grown> <reaped> <error> <maxfreeable> "
     "<nodeallocs> <remotefrees> <alienoverflow> : cpustat <allochit> "
     "<allocmiss> <freehit> <freemiss>\n"
     "ext3_inode_cache   20160  20163    600    6    1 : tunables   54   27"
     "    8 : slabdata   3359   3361      0 : globalstat   41932  20163  3361"
     "    0    0    0    0    0    0 : cpustat  21722   3383   5011     12\n",
     2,
     1,
     {0, "ext3_inode_cache", 20160, 20163, 600, 6, 1, 3359, 3361}},
};

static void test_formats(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
    const struct format_case *f = &formats[i];
    struct slabinfo si = {0};
    print_message("%s\n", f->what);
    assert_int_equal(slabinfo_parse(&si, f->text, strlen(f->text)), 0);
    assert_int_equal(si.version_major, f->major);
    assert_int_equal(si.version_minor, f->minor);
    assert_int_equal(si.malformed, 0);
    check_cache(&si, &f->c);
    slabinfo_free(&si);
  }
}

/* Broken inputs: tests/fixtures/malformed/proc/slabinfo-*. */
struct broken_case {
  const char *file;
  int ret;
  size_t nr;
  unsigned malformed;
};

static const struct broken_case broken[] = {
    /* 10 whole cache lines, then "journal_handle  8  170  24" cut short */
    {"slabinfo-truncated", 0, 10, 1},
    /* good: nfs_inode_cache, dentry, max_count, kmalloc-64; bad: the 8
     * lines bad_number .. "%%%..." and the lone ":"; the blank line is
     * skipped */
    {"slabinfo-garbage", 0, 4, 9},
    /* names of 127 (fits), 128 and 200 characters, then kmalloc-8 */
    {"slabinfo-long-name", 0, 2, 2},
    {"slabinfo-version-3.0", -EINVAL, 0, 0},
    {"slabinfo-no-header", -EINVAL, 0, 0},
    {"slabinfo-empty", -EINVAL, 0, 0},
};

static void test_broken(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
    const struct broken_case *b = &broken[i];
    char rel[128];
    struct slabinfo si = {0};
    print_message("%s\n", b->file);
    snprintf(rel, sizeof(rel), "proc/%s", b->file);
    assert_int_equal(parse_file(&si, "malformed", rel), b->ret);
    assert_int_equal(si.nr, b->nr);
    assert_int_equal(si.malformed, b->malformed);
    slabinfo_free(&si);
  }
}

static void test_garbage_values(void **state) {
  (void)state;
  struct slabinfo si = {0};
  assert_int_equal(parse_file(&si, "malformed", "proc/slabinfo-garbage"), 0);
  assert_string_equal(si.caches[0].name, "nfs_inode_cache");
  assert_string_equal(si.caches[1].name, "dentry");
  assert_int_equal(si.caches[1].num_slabs, 90625);
  /* max_count: 18446744073709551615 slabs of 1 page cannot be counted in
   * bytes; saturate rather than wrap. */
  assert_string_equal(si.caches[2].name, "max_count");
  assert_int_equal(si.caches[2].num_slabs, UINT64_MAX);
  assert_int_equal(slab_cache_bytes(&si.caches[2], 4096), UINT64_MAX);
  assert_string_equal(si.caches[3].name, "kmalloc-64");
  slabinfo_free(&si);

  assert_int_equal(parse_file(&si, "malformed", "proc/slabinfo-long-name"), 0);
  assert_int_equal(strlen(si.caches[0].name), 127);
  assert_string_equal(si.caches[1].name, "kmalloc-8");
  slabinfo_free(&si);
}

/* An unreadable header after a good parse empties the list, so a caller
 * that ignores the error still sees no stale caches. */
static void test_bad_header_after_good(void **state) {
  (void)state;
  struct slabinfo si = {0};
  assert_int_equal(parse_file(&si, "linux-4.4-x86_64", "proc/slabinfo"), 0);
  unsigned gen = si.generation;
  assert_int_equal(parse_file(&si, "malformed", "proc/slabinfo-version-3.0"),
                   -EINVAL);
  assert_int_equal(si.nr, 0);
  assert_int_equal(si.generation, gen + 1);
  slabinfo_free(&si);
}

/* Every prefix of a file, as a reader cut short would hand it over: a cut
 * header is refused, a cut cache line is counted, whole lines are kept, and
 * nothing is read past len (each prefix is copied to a buffer of exactly
 * that size, so ASan sees an overrun). */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("incident-2.6.39-i686", "proc/slabinfo", &len);
  size_t header = (size_t)(strchr(buf, '\n') - buf);
  struct slabinfo si = {0};

  for (size_t n = 0; n <= 2000 && n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
      lines += copy[i] == '\n';
    bool cut = n > 0 && copy[n - 1] != '\n';

    int ret = slabinfo_parse(&si, copy, n);
    /* "slabinfo - version: 2." and shorter are not a header */
    assert_int_equal(ret, n < header ? -EINVAL : 0);
    /* line 2 is the "# name ..." column header, skipped even when cut */
    assert_int_equal(si.nr, lines > 2 ? lines - 2 : 0);
    assert_int_equal(si.malformed, cut && lines >= 2 ? 1 : 0);
    free(copy);
  }
  free(buf);
  slabinfo_free(&si);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trees),
      cmocka_unit_test(test_incident_dentry_bytes),
      cmocka_unit_test(test_generation),
      cmocka_unit_test(test_generation_prefix_name),
      cmocka_unit_test(test_formats),
      cmocka_unit_test(test_broken),
      cmocka_unit_test(test_garbage_values),
      cmocka_unit_test(test_bad_header_after_good),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
