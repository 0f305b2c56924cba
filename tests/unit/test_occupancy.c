/* A zone's occupancy over fixture trees of four kernel generations: each
 * part against the zone's counters read here with sscanf (not with the
 * parser under test), and the parts adding up to the zone's managed pages
 * (present on 2.6.39, which prints no managed). */
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
#define MAX_ZONES 16

/* A zone as the fixture prints it: its own counters by name, the per-node
 * block under a node's first zone left out. */
struct fixture_zone {
  char name[16];
  unsigned node;
  char key[64][40];
  unsigned long long value[64];
  size_t nr;
};

static size_t read_zones(const char *tree, struct fixture_zone *z) {
  size_t len, n = 0;
  bool node_block = false;
  char *text = fixture_read(tree, "proc/zoneinfo", &len);
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char key[40];
    unsigned long long v;
    unsigned node;
    char name[16];
    if (sscanf(line, "Node %u, zone %15s", &node, name) == 2) {
      assert_true(n < MAX_ZONES);
      memset(&z[n], 0, sizeof(z[n]));
      snprintf(z[n].name, sizeof(z[n].name), "%s", name);
      z[n].node = node;
      n++;
      node_block = false;
    } else if (strstr(line, "per-node stats") != NULL) {
      node_block = true;
    } else if (sscanf(line, " pages free %llu", &v) == 1) {
      node_block = false;
      snprintf(z[n - 1].key[z[n - 1].nr], 40, "free");
      z[n - 1].value[z[n - 1].nr++] = v;
    } else if (!node_block && n > 0 &&
               sscanf(line, " %39s %llu", key, &v) == 2 && z[n - 1].nr < 64) {
      snprintf(z[n - 1].key[z[n - 1].nr], 40, "%s", key);
      z[n - 1].value[z[n - 1].nr++] = v;
    }
  }
  free(text);
  return n;
}

/* The zone's counter named key (or its nr_zone_ twin); false if absent. */
static bool counter(const struct fixture_zone *z, const char *key,
                    unsigned long long *v) {
  char twin[48] = "";
  if (strncmp(key, "nr_", 3) == 0)
    snprintf(twin, sizeof(twin), "nr_zone_%s", key + 3);
  for (size_t i = 0; i < z->nr; i++)
    if (strcmp(z->key[i], key) == 0 || strcmp(z->key[i], twin) == 0) {
      *v = z->value[i];
      return true;
    }
  return false;
}

/* Each part's counter, in pages; kernel_stack apart (its unit). */
static const char *const counter_of[OCC_NR] = {
    [OCC_FREE] = "free",
    [OCC_ACTIVE_ANON] = "nr_active_anon",
    [OCC_INACTIVE_ANON] = "nr_inactive_anon",
    [OCC_ACTIVE_FILE] = "nr_active_file",
    [OCC_INACTIVE_FILE] = "nr_inactive_file",
    [OCC_UNEVICTABLE] = "nr_unevictable",
    [OCC_SLAB_RECLAIMABLE] = "nr_slab_reclaimable",
    [OCC_SLAB_UNRECLAIMABLE] = "nr_slab_unreclaimable",
    [OCC_PAGE_TABLES] = "nr_page_table_pages",
    [OCC_BOUNCE] = "nr_bounce",
    [OCC_ZSPAGES] = "nr_zspages",
};

/* stack: bytes per nr_kernel_stack unit on that kernel (THREAD_SIZE: 8
 * KiB on i686, 16 KiB on x86_64 since 3.15; 0: no per-zone count). */
static void check_tree(const char *tree, uint64_t stack) {
  static struct fixture_zone fz[MAX_ZONES];
  size_t nz = read_zones(tree, fz);
  char proc[4096];
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path(tree));
  struct sampler s;
  struct sampler_config sc = {.proc_path = proc,
                              .sources = (1u << SOURCE_NR) - 1,
                              .orders = {0, 1},
                              .nr_orders = 2,
                              .page_size = PAGE};
  assert_int_equal(sampler_init(&s, &sc), 0);
  sampler_read(&s, 1.0);
  assert_int_equal(s.view.nr, nz);

  for (size_t i = 0; i < nz; i++) {
    const struct occupancy *o = &s.view.zones[i].occupancy;
    unsigned long long v, base, sum = 0;
    if (!counter(&fz[i], "managed", &base))
      assert_true(counter(&fz[i], "present", &base));
    assert_true(o->base == base * PAGE);
    for (int p = 0; p < OCC_NR; p++) {
      if (p == OCC_OTHER)
        continue;
      bool has = p == OCC_KERNEL_STACK
                     ? stack > 0 && counter(&fz[i], "nr_kernel_stack", &v)
                     : counter(&fz[i], counter_of[p], &v);
      if (!has) {
        assert_false(o->has & (1u << p));
        continue;
      }
      uint64_t want = p == OCC_KERNEL_STACK ? v * stack : v * PAGE;
      if (o->bytes[p] != want)
        fail_msg("%s node%u %s %s: %llu, want %llu", tree, fz[i].node,
                 fz[i].name, occupancy_name[p], (unsigned long long)o->bytes[p],
                 (unsigned long long)want);
      assert_true(o->has & (1u << p));
      sum += want;
    }
    assert_true(o->has & (1u << OCC_OTHER));
    uint64_t other = base * PAGE > sum ? base * PAGE - sum : 0;
    assert_true(o->bytes[OCC_OTHER] == other);
    /* The parts add up to the base, where they do not pass it. */
    if (other > 0) {
      uint64_t total = 0;
      for (int p = 0; p < OCC_NR; p++)
        total += o->bytes[p];
      assert_true(total == base * PAGE);
    }
  }
  sampler_destroy(&s);
}

/* 2.6.39: no managed, slab and stacks (counted, 8 KiB each) per zone. */
static void test_incident(void **state) {
  (void)state;
  check_tree("incident-2.6.39-i686", 8192);
}

/* 4.4: managed; LRU, slab, stacks (16 KiB each) per zone. */
static void test_linux_4_4(void **state) {
  (void)state;
  check_tree("linux-4.4-x86_64", 16384);
}

/* 5.10: LRU as nr_zone_*, page tables and bounce per zone; slab and
 * stacks per node only (in other). */
static void test_numa_5_10(void **state) {
  (void)state;
  check_tree("numa-5.10-x86_64", 0);
}

/* 6.18: LRU, mlock and zspages per zone; the rest per node. */
static void test_live_6_18(void **state) {
  (void)state;
  check_tree("live-6.18-x86_64", 0);
}

/* The incident's Normal zone: 92% slab, as the report said, and little
 * left for other. */
static void test_incident_normal(void **state) {
  char proc[4096];
  struct sampler s;
  (void)state;
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path("incident-2.6.39-i686"));
  struct sampler_config sc = {.proc_path = proc,
                              .sources = (1u << SOURCE_NR) - 1,
                              .orders = {0, 1},
                              .nr_orders = 2,
                              .page_size = PAGE};
  assert_int_equal(sampler_init(&s, &sc), 0);
  sampler_read(&s, 1.0);
  const struct occupancy *o = NULL;
  for (size_t i = 0; i < s.view.nr; i++)
    if (strcmp(s.view.zones[i].info->name, "Normal") == 0)
      o = &s.view.zones[i].occupancy;
  assert_non_null(o);
  double slab = (double)(o->bytes[OCC_SLAB_RECLAIMABLE] +
                         o->bytes[OCC_SLAB_UNRECLAIMABLE]);
  assert_true(slab / (double)o->base > 0.90);
  sampler_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_incident),        cmocka_unit_test(test_linux_4_4),
      cmocka_unit_test(test_numa_5_10),       cmocka_unit_test(test_live_6_18),
      cmocka_unit_test(test_incident_normal),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
