#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "config.h"
#include "option.h"
#include "sources/order.h"

#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <unistd.h>

#define ERROR_LOG(...) plugin_log(LOG_ERR, "lowmem plugin: " __VA_ARGS__)

int lowmem_config_defaults(struct lowmem_config *c) {
  memset(c, 0, sizeof(*c));
  c->proc_path = strdup("/proc");
  if (c->proc_path == NULL)
    return -ENOMEM;
  c->sample_interval = 0.1;
  c->sampler.sources = (1u << SOURCE_NR) - 1;
  for (int i = 0; i < SOURCE_NR; i++)
    c->sampler.interval[i] = source_info[i].interval;
  c->sampler.check = WATERMARK_CHECK_AUTO;
  c->sampler.orders[0] = 0;
  c->sampler.orders[1] = 1;
  c->sampler.nr_orders = 2;
  long page = sysconf(_SC_PAGESIZE);
  c->sampler.page_size = page > 0 ? (uint64_t)page : 4096;
  c->metrics.slab_top_n = 10;
  c->sampler.slab_change = 1;
  c->metrics.occupancy = true;
  return 0;
}

void lowmem_config_free(struct lowmem_config *c) {
  free(c->proc_path);
  for (size_t i = 0; i < c->metrics.nr_slab_caches; i++)
    free(c->metrics.slab_caches[i]);
  free(c->metrics.slab_caches);
  memset(c, 0, sizeof(*c));
}

/* Orders: 0 to PAGE_ORDER_MAX (sources/order.h says why). Change it
 * there: the check, its message and the tests follow. */
#define ORDER_LARGEST PAGE_ORDER_MAX

/* A ProcPath leaves room for the longest name lowmem opens under it
 * ("<pid>/task/<tid>/stat") within PATH_MAX. */
#define PROC_PATH_MAX (PATH_MAX - 64)

/* The kernel puts no bound on a slab cache's name, but lowmem dispatches
 * it as a type instance, which holds 127 characters in collectd
 * (DATA_MAX_NAME_LEN): a longer name could never be reported. */
#define SLAB_CACHE_NAME_MAX (SERIES_NAME_LEN - 1)

static int parse_proc_path(struct lowmem_config *c, const oconfig_item_t *ci) {
  return option_string(ci, PROC_PATH_MAX, "/proc", &c->proc_path);
}

static int parse_sample_interval(struct lowmem_config *c,
                                 const oconfig_item_t *ci) {
  return option_number(ci, 0.01, 3600, "seconds", "0.1", &c->sample_interval);
}

static int parse_slab_top_n(struct lowmem_config *c, const oconfig_item_t *ci) {
  return option_whole(ci, 0, 1000, "10", &c->metrics.slab_top_n);
}

/* The kernel warns about a blank in a cache's name ("it confuses
 * parsers": slabinfo is split on blanks), so a name with one names no
 * cache. */
static bool has_blank(const char *s) { return strpbrk(s, " \t\n") != NULL; }

static int parse_slab_cache(struct lowmem_config *c, const oconfig_item_t *ci) {
  char *name = NULL;
  if (option_string(ci, SLAB_CACHE_NAME_MAX, "dentry", &name) != 0)
    return -1;
  if (has_blank(name)) {
    ERROR_LOG("SlabCache \"%s\": slab cache names have no blanks; give a "
              "name as the first column of /proc/slabinfo shows it, e.g. "
              "SlabCache \"dentry\".",
              name);
    free(name);
    return -1;
  }
  char **v = realloc(c->metrics.slab_caches,
                     (c->metrics.nr_slab_caches + 1) * sizeof(*v));
  if (v == NULL) {
    free(name);
    return -1;
  }
  v[c->metrics.nr_slab_caches++] = name;
  c->metrics.slab_caches = v;
  return 0;
}

static int parse_orders(struct lowmem_config *c, const oconfig_item_t *ci) {
  unsigned orders[SAMPLER_MAX_ORDERS];

  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num < 1 || ci->values_num > SAMPLER_MAX_ORDERS) {
    ERROR_LOG("Orders takes 1 to %d numbers, e.g. Orders 0 1 3.",
              SAMPLER_MAX_ORDERS);
    return -1;
  }
  for (int i = 0; i < ci->values_num; i++) {
    if (!option_value_whole(ci, i, 0, ORDER_LARGEST, &orders[i])) {
      ERROR_LOG("Orders: each order is a whole number from 0 to %d (the "
                "kernel has none larger), e.g. Orders 0 1 3.",
                ORDER_LARGEST);
      return -1;
    }
    for (int j = 0; j < i; j++)
      if (orders[j] == orders[i]) {
        ERROR_LOG("Orders: order %u is given twice.", orders[i]);
        return -1;
      }
  }
  memcpy(c->sampler.orders, orders, (size_t)ci->values_num * sizeof(*orders));
  c->sampler.nr_orders = (size_t)ci->values_num;
  return 0;
}

static int parse_watermark_check(struct lowmem_config *c,
                                 const oconfig_item_t *ci) {
  static const struct {
    const char *name;
    enum watermark_check check;
  } names[] = {
      {"auto", WATERMARK_CHECK_AUTO},
      {"lower-orders", WATERMARK_CHECK_LOWER_ORDERS},
      {"lower-orders-2.6.38", WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO},
      {"free-block", WATERMARK_CHECK_FREE_BLOCK},
  };
  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING)
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      if (strcasecmp(ci->values[0].value.string, names[i].name) == 0) {
        c->sampler.check = names[i].check;
        return 0;
      }
  ERROR_LOG("WatermarkCheck takes \"auto\" (from the kernel version), "
            "\"lower-orders\" (kernels before 2.6.38 and 3.3 to 4.3), "
            "\"lower-orders-2.6.38\" (2.6.38 to 3.2) or \"free-block\" "
            "(4.4 and later).");
  return -1;
}

static int parse_source_switch(struct lowmem_config *c,
                               const oconfig_item_t *ci, int source) {
  bool on;
  if (option_boolean(ci, &on) != 0)
    return -1;
  if (on)
    c->sampler.sources |= 1u << source;
  else
    c->sampler.sources &= ~(1u << source);
  return 0;
}

/* 0: the key is the memory sources' and fine; -1: its value is wrong
 * (logged); 1: not one of theirs. */
static int parse_key(struct lowmem_config *c, const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "ProcPath") == 0)
    return parse_proc_path(c, ci);
  if (strcasecmp(ci->key, "SampleInterval") == 0)
    return parse_sample_interval(c, ci);
  if (strcasecmp(ci->key, "SlabTopN") == 0)
    return parse_slab_top_n(c, ci);
  if (strcasecmp(ci->key, "SlabCache") == 0)
    return parse_slab_cache(c, ci);
  /* "SlabinfoChange 1": percent of meminfo's slab that brings a read of
   * slabinfo forward. */
  if (strcasecmp(ci->key, "SlabinfoChange") == 0)
    return option_number(ci, 0, 100, "percent (0: only at SlabinfoInterval)",
                         "1", &c->sampler.slab_change);
  if (strcasecmp(ci->key, "Orders") == 0)
    return parse_orders(c, ci);
  if (strcasecmp(ci->key, "WatermarkCheck") == 0)
    return parse_watermark_check(c, ci);
  for (int s = 0; s < SOURCE_NR; s++) {
    const char *key = source_info[s].key;
    size_t n = strlen(key);
    if (strcasecmp(ci->key, key) == 0)
      return parse_source_switch(c, ci, s);
    /* "PagetypeinfoInterval 10": how often the source is read. */
    if (strncasecmp(ci->key, key, n) == 0 &&
        strcasecmp(ci->key + n, "Interval") == 0)
      return option_number(ci, 0, 3600, "seconds (0: at every sample)", "10",
                           &c->sampler.interval[s]);
  }

  return 1;
}

int lowmem_config_key(struct lowmem_config *c,
                      const struct oconfig_item_s *ci) {
  /* Every key of <Plugin lowmem> is an option, the hooks' too. */
  if (option_not_block(ci) != 0)
    return -1;
  return parse_key(c, ci);
}
