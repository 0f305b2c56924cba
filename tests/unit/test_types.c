/* lowmem's collectd types: the table the plugin registers against the
 * lowmem-types.db it ships, and every series of the fixture trees against
 * the two types.db files a central collectd reads (lowmem's and collectd's
 * own, /usr/share/collectd/types.db of collectd-core). */
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
#include "window/types.h"

#define COLLECTD_TYPES_DB "/usr/share/collectd/types.db"

/* A types.db file as collectd reads it: "name ds:TYPE:min:max[, ...]",
 * '#' comments and blank lines skipped. */
struct db_line {
  char name[64];
  char spec[192]; /* the data sources, whitespace after ',' dropped */
  unsigned nr_ds;
};

struct db {
  struct db_line line[512];
  size_t nr;
};

static void db_read(const char *path, struct db *db) {
  FILE *f = fopen(path, "r");
  char buf[512];

  if (f == NULL)
    fail_msg("cannot read %s", path);
  db->nr = 0;
  while (fgets(buf, sizeof(buf), f) != NULL) {
    char *p = buf + strspn(buf, " \t");
    if (*p == '#' || *p == '\n' || *p == '\0')
      continue;
    assert_true(db->nr < sizeof(db->line) / sizeof(db->line[0]));
    struct db_line *l = &db->line[db->nr++];
    size_t n = strcspn(p, " \t");
    assert_true(n < sizeof(l->name));
    memcpy(l->name, p, n);
    l->name[n] = '\0';
    p += n;
    p += strspn(p, " \t");
    size_t o = 0;
    l->nr_ds = 1;
    for (; *p != '\0' && *p != '\n'; p++) {
      if (*p == ' ' || *p == '\t')
        continue;
      if (*p == ',')
        l->nr_ds++;
      assert_true(o + 1 < sizeof(l->spec));
      l->spec[o++] = *p;
    }
    l->spec[o] = '\0';
  }
  fclose(f);
}

static const struct db_line *db_find(const struct db *db, const char *name) {
  for (size_t i = 0; i < db->nr; i++)
    if (strcmp(db->line[i].name, name) == 0)
      return &db->line[i];
  return NULL;
}

/* The table, row by row, is the file, line by line. */
static void test_table_is_the_file(void **state) {
  (void)state;
  static struct db db;
  char line[256];

  db_read(TYPES_DB, &db);
  assert_int_equal(db.nr, lowmem_types_nr);
  for (size_t i = 0; i < lowmem_types_nr; i++) {
    char want[256];
    snprintf(want, sizeof(want), "%s %s", db.line[i].name, db.line[i].spec);
    lowmem_type_line(line, sizeof(line), &lowmem_types[i]);
    assert_string_equal(line, want);
    assert_int_equal(db.line[i].nr_ds, 1);
  }
  /* Thread CPU is a share of one CPU per thread: a class of threads
   * passes 100, and rrdtool stores a value above the maximum as unknown. */
  const struct db_line *t = db_find(&db, "thread_cpu");
  assert_non_null(t);
  assert_string_equal(t->spec, "percent:GAUGE:0:U");
  /* Headroom below zero is what lowmem exists to show. */
  t = db_find(&db, "headroom");
  assert_non_null(t);
  assert_string_equal(t->spec, "bytes:GAUGE:U:U");
  /* Another part dispatches with this literal type name. */
  t = db_find(&db, "zone_occupancy");
  assert_non_null(t);
  assert_string_equal(t->spec, "bytes:GAUGE:0:U");
}

/* lowmem's names stay clear of collectd's, whose types it uses are there. */
static void test_collectd_types(void **state) {
  (void)state;
  static struct db db;
  FILE *f = fopen(COLLECTD_TYPES_DB, "r");

  if (f == NULL)
    skip(); /* collectd-core is not installed */
  fclose(f);
  db_read(COLLECTD_TYPES_DB, &db);
  assert_true(db.nr > 100);
  for (size_t i = 0; i < lowmem_types_nr; i++)
    if (db_find(&db, lowmem_types[i].name) != NULL)
      fail_msg("%s is a type of collectd's own", lowmem_types[i].name);
  for (size_t i = 0; i < lowmem_collectd_types_nr; i++)
    if (db_find(&db, lowmem_collectd_types[i]) == NULL)
      fail_msg("%s is not in %s", lowmem_collectd_types[i], COLLECTD_TYPES_DB);
}

/* Every series of a fixture tree has a type one of the two files defines,
 * with as many data sources as it has values. */
static void check_tree(const char *tree) {
  static struct db ours, theirs;
  char proc[4096];
  struct sampler sampler;
  struct metrics metrics;

  FILE *f = fopen(COLLECTD_TYPES_DB, "r");
  if (f == NULL)
    skip();
  fclose(f);
  db_read(TYPES_DB, &ours);
  db_read(COLLECTD_TYPES_DB, &theirs);
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path(tree));
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = 4096,
  };
  struct metrics_config mc = {
      .slab_top_n = 5, .orders = {0, 1}, .nr_orders = 2, .page_size = 4096};
  assert_int_equal(sampler_init(&sampler, &sc), 0);
  assert_int_equal(metrics_init(&metrics, &mc), 0);
  sampler_read(&sampler, 1.0);
  metrics_add(&metrics, &sampler.sample, &sampler.view, 1.0);
  assert_true(metrics.set.nr > 50);
  for (size_t i = 0; i < metrics.set.nr; i++) {
    const struct series *s = &metrics.set.v[i];
    const struct db_line *l = db_find(&ours, s->type);
    if (l == NULL)
      l = db_find(&theirs, s->type);
    if (l == NULL)
      fail_msg("%s: %s/%s-%s has a type no types.db defines", tree,
               s->plugin_instance, s->type, s->type_instance);
    assert_int_equal(l->nr_ds, s->values == 2 ? 2 : 1);
  }
  sampler_destroy(&sampler);
  metrics_destroy(&metrics);
}

static void test_series_incident(void **state) {
  (void)state;
  check_tree("incident-2.6.39-i686");
}

static void test_series_live(void **state) {
  (void)state;
  check_tree("live-6.18-x86_64");
}

static void test_series_numa(void **state) {
  (void)state;
  check_tree("numa-5.10-x86_64");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_is_the_file),
      cmocka_unit_test(test_collectd_types),
      cmocka_unit_test(test_series_incident),
      cmocka_unit_test(test_series_live),
      cmocka_unit_test(test_series_numa),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
