/* The keys of the memory sources (config.c, over option.c): each wrong
 * value is refused with one "lowmem plugin: " line saying what was
 * expected, and each right one is taken. Items are built by hand as
 * collectd's parser builds them; collectd itself is the stub. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "collectd/config.h"
#include "collectd_stub.h"

/* One item and its values, as collectd's liboconfig gives them. */
struct item {
  oconfig_item_t ci;
  oconfig_value_t v[SAMPLER_MAX_ORDERS + 2];
};

static oconfig_item_t *item_string(struct item *it, const char *key,
                                   const char *s) {
  memset(it, 0, sizeof(*it));
  it->ci.key = (char *)key;
  it->v[0].type = OCONFIG_TYPE_STRING;
  it->v[0].value.string = (char *)s;
  it->ci.values = it->v;
  it->ci.values_num = 1;
  return &it->ci;
}

static oconfig_item_t *item_numbers(struct item *it, const char *key,
                                    const double *n, int nr) {
  memset(it, 0, sizeof(*it));
  it->ci.key = (char *)key;
  for (int i = 0; i < nr; i++) {
    it->v[i].type = OCONFIG_TYPE_NUMBER;
    it->v[i].value.number = n[i];
  }
  it->ci.values = it->v;
  it->ci.values_num = nr;
  return &it->ci;
}

static oconfig_item_t *item_number(struct item *it, const char *key, double n) {
  return item_numbers(it, key, &n, 1);
}

static oconfig_item_t *item_boolean(struct item *it, const char *key, int b) {
  memset(it, 0, sizeof(*it));
  it->ci.key = (char *)key;
  it->v[0].type = OCONFIG_TYPE_BOOLEAN;
  it->v[0].value.boolean = b;
  it->ci.values = it->v;
  it->ci.values_num = 1;
  return &it->ci;
}

static int setup(void **state) {
  struct lowmem_config *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  assert_int_equal(lowmem_config_defaults(c), 0);
  stub_log_clear();
  *state = c;
  return 0;
}

static int teardown(void **state) {
  lowmem_config_free(*state);
  free(*state);
  return 0;
}

/* A refused value: -1, and exactly one line, lowmem's, naming the key and
 * the given words; collectd's own helpers said nothing. */
static void refused(struct lowmem_config *c, const oconfig_item_t *ci,
                    const char *words) {
  stub_log_clear();
  assert_int_equal(lowmem_config_key(c, ci), -1);
  assert_int_equal(stub_log_count(), 1);
  const char *line = stub_log_line(0);
  assert_int_equal(stub_log_level(0), LOG_ERR);
  assert_true(strncmp(line, "lowmem plugin: ", 15) == 0);
  assert_non_null(strstr(line, ci->key));
  if (strstr(line, words) == NULL)
    fail_msg("\"%s\" not in: %s", words, line);
  /* Short enough to read, whatever the value's length. */
  assert_true(strlen(line) < 400);
}

static void taken(struct lowmem_config *c, const oconfig_item_t *ci) {
  stub_log_clear();
  assert_int_equal(lowmem_config_key(c, ci), 0);
  assert_int_equal(stub_log_count(), 0);
}

static void test_proc_path(void **state) {
  struct lowmem_config *c = *state;
  struct item it;

  refused(c, item_string(&it, "ProcPath", ""), "e.g. ProcPath \"/proc\"");
  assert_string_equal(c->proc_path, "/proc");
  refused(c, item_number(&it, "ProcPath", 1), "e.g. ProcPath \"/proc\"");
  char *long_path = malloc(PATH_MAX + 1);
  assert_non_null(long_path);
  memset(long_path, 'p', PATH_MAX);
  long_path[PATH_MAX] = '\0';
  refused(c, item_string(&it, "ProcPath", long_path), "characters long");
  free(long_path);
  taken(c, item_string(&it, "ProcPath", "/host/proc"));
  assert_string_equal(c->proc_path, "/host/proc");
}

static void test_slab_cache(void **state) {
  struct lowmem_config *c = *state;
  struct item it;
  char name[10001];

  refused(c, item_string(&it, "SlabCache", ""), "e.g. SlabCache \"dentry\"");
  memset(name, 'x', sizeof(name) - 1);
  name[sizeof(name) - 1] = '\0';
  refused(c, item_string(&it, "SlabCache", name), "at most 127");
  name[128] = '\0';
  refused(c, item_string(&it, "SlabCache", name), "at most 127");
  refused(c, item_string(&it, "SlabCache", "dentry cache"), "no blanks");
  refused(c, item_number(&it, "SlabCache", 3), "one string in quotes");
  assert_int_equal(c->metrics.nr_slab_caches, 0);

  name[127] = '\0';
  taken(c, item_string(&it, "SlabCache", name));
  taken(c, item_string(&it, "SlabCache", "kmalloc-rcl-8k"));
  assert_int_equal(c->metrics.nr_slab_caches, 2);
  assert_string_equal(c->metrics.slab_caches[1], "kmalloc-rcl-8k");
}

/* Orders are bound by the largest order a kernel has, one constant of
 * config.c: found here by asking, so that it can change there alone. It
 * is at least the 10 of x86 and below the 64 orders buddyinfo holds. */
static void test_orders(void **state) {
  struct lowmem_config *c = *state;
  struct item it;
  unsigned largest = 0;
  char words[64];

  while (largest < 64 &&
         lowmem_config_key(c, item_number(&it, "Orders", largest + 1)) == 0)
    largest++;
  assert_true(largest >= 10 && largest < 63);
  snprintf(words, sizeof(words), "from 0 to %u", largest);
  refused(c, item_number(&it, "Orders", largest + 1), words);
  refused(c, item_number(&it, "Orders", 63), words);
  refused(c, item_number(&it, "Orders", 1.5), "whole number");
  refused(c, item_number(&it, "Orders", -1), "whole number");
  refused(c, item_numbers(&it, "Orders", (const double[]){1, 1}, 2), "twice");
  refused(c, item_string(&it, "Orders", "1"), "whole number");
  assert_int_equal(c->sampler.nr_orders, 1); /* the last taken, untouched */
  taken(c, item_numbers(&it, "Orders", (const double[]){0, 1, largest}, 3));
  assert_int_equal(c->sampler.nr_orders, 3);
  assert_int_equal(c->sampler.orders[2], largest);
}

static void test_numbers(void **state) {
  struct lowmem_config *c = *state;
  struct item it;

  refused(c, item_number(&it, "SampleInterval", 0.001),
          "e.g. SampleInterval 0.1");
  refused(c, item_number(&it, "SampleInterval", 3601), "0.01 to 3600");
  refused(c, item_string(&it, "SampleInterval", "0.1"), "one number");
  taken(c, item_number(&it, "SampleInterval", 0.25));
  assert_true(c->sample_interval == 0.25);

  refused(c, item_number(&it, "SlabTopN", 1001), "from 0 to 1000");
  refused(c, item_number(&it, "SlabTopN", 2.5), "whole number");
  taken(c, item_number(&it, "SlabTopN", 0));
  assert_int_equal(c->metrics.slab_top_n, 0);

  /* slabinfo's cadence: every 5 s, sooner on a 1% move of the slab. */
  assert_true(c->sampler.interval[SOURCE_SLABINFO] == 5);
  assert_true(c->sampler.slab_change == 1);
  refused(c, item_number(&it, "SlabinfoChange", 101), "0 to 100");
  refused(c, item_number(&it, "SlabinfoChange", -1), "e.g. SlabinfoChange 1");
  taken(c, item_number(&it, "SlabinfoChange", 0));
  assert_true(c->sampler.slab_change == 0);
  taken(c, item_number(&it, "SlabinfoInterval", 0));
  assert_true(c->sampler.interval[SOURCE_SLABINFO] == 0);
}

static void test_switches(void **state) {
  struct lowmem_config *c = *state;
  struct item it;

  refused(c, item_string(&it, "Zoneinfo", "yes"), "true or false");
  refused(c, item_number(&it, "Pressure", 0), "true or false");
  taken(c, item_boolean(&it, "Pressure", 0));
  assert_false(c->sampler.sources & (1u << SOURCE_PRESSURE));
  taken(c, item_boolean(&it, "Pressure", 1));
  assert_true(c->sampler.sources & (1u << SOURCE_PRESSURE));

  refused(c, item_string(&it, "WatermarkCheck", "sometimes"), "\"auto\"");
  taken(c, item_string(&it, "WatermarkCheck", "Free-Block"));
  assert_int_equal(c->sampler.check, WATERMARK_CHECK_FREE_BLOCK);
}

/* A block with options inside is refused whatever its key. An empty block
 * with a value cannot be told from the option (option.h): collectd's
 * parser gives both the same item, the last one here. */
static void test_blocks(void **state) {
  struct lowmem_config *c = *state;
  struct item it, child;

  oconfig_item_t *ci = item_number(&it, "SampleInterval", 1);
  ci->children = item_number(&child, "SampleInterval", 2);
  ci->children_num = 1;
  refused(c, ci, "is an option, not a block");
  ci = item_string(&it, "SlabCache", "dentry");
  ci->children = item_number(&child, "Orders", 2);
  ci->children_num = 1;
  refused(c, ci, "is an option, not a block");
  /* Not one of the memory sources' keys, but a block all the same. */
  ci = item_boolean(&it, "Threads", 1);
  ci->children = item_number(&child, "Orders", 2);
  ci->children_num = 1;
  refused(c, ci, "is an option, not a block");

  taken(c, item_number(&it, "SampleInterval", 1));
}

/* A key of the hooks, or none: 1, and nothing said (lowmem.c says it). */
static void test_not_ours(void **state) {
  struct lowmem_config *c = *state;
  struct item it;

  stub_log_clear();
  assert_int_equal(lowmem_config_key(c, item_boolean(&it, "Threads", 1)), 1);
  assert_int_equal(lowmem_config_key(c, item_number(&it, "Bogus", 1)), 1);
  assert_int_equal(stub_log_count(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_proc_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_slab_cache, setup, teardown),
      cmocka_unit_test_setup_teardown(test_orders, setup, teardown),
      cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_switches, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
