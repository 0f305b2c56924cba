#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "config.h"

#include <errno.h>
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
  c->sampler.check = WATERMARK_CHECK_AUTO;
  c->sampler.orders[0] = 0;
  c->sampler.orders[1] = 1;
  c->sampler.nr_orders = 2;
  long page = sysconf(_SC_PAGESIZE);
  c->sampler.page_size = page > 0 ? (uint64_t)page : 4096;
  c->metrics.slab_top_n = 10;
  return 0;
}

void lowmem_config_free(struct lowmem_config *c) {
  free(c->proc_path);
  for (size_t i = 0; i < c->metrics.nr_slab_caches; i++)
    free(c->metrics.slab_caches[i]);
  free(c->metrics.slab_caches);
  memset(c, 0, sizeof(*c));
}

static bool is_number(const oconfig_value_t *v) {
  return v->type == OCONFIG_TYPE_NUMBER;
}

static int one_string(const oconfig_item_t *ci, char **dst) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
    ERROR_LOG("%s takes one string in quotes, e.g. %s \"%s\".", ci->key,
              ci->key,
              strcasecmp(ci->key, "ProcPath") == 0 ? "/proc" : "dentry");
    return -1;
  }
  char *s = strdup(ci->values[0].value.string);
  if (s == NULL)
    return -1;
  free(*dst);
  *dst = s;
  return 0;
}

static int one_number(const oconfig_item_t *ci, double *out) {
  if (ci->values_num != 1 || !is_number(&ci->values[0])) {
    ERROR_LOG("%s takes one number.", ci->key);
    return -1;
  }
  *out = ci->values[0].value.number;
  return 0;
}

static int parse_sample_interval(struct lowmem_config *c,
                                 const oconfig_item_t *ci) {
  double v;
  if (one_number(ci, &v) != 0)
    return -1;
  if (!(v >= 0.01 && v <= 3600)) {
    ERROR_LOG("SampleInterval %g is out of range: give seconds between 0.01 "
              "and 3600, e.g. SampleInterval 0.1.",
              v);
    return -1;
  }
  c->sample_interval = v;
  return 0;
}

static int parse_slab_top_n(struct lowmem_config *c, const oconfig_item_t *ci) {
  double v;
  if (one_number(ci, &v) != 0)
    return -1;
  if (!(v >= 0 && v <= 1000) || v != (unsigned)v) {
    ERROR_LOG("SlabTopN %g: give a whole number from 0 to 1000.", v);
    return -1;
  }
  c->metrics.slab_top_n = (unsigned)v;
  return 0;
}

static int parse_slab_cache(struct lowmem_config *c, const oconfig_item_t *ci) {
  char *name = NULL;
  if (one_string(ci, &name) != 0)
    return -1;
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
  if (ci->values_num < 1 || ci->values_num > SAMPLER_MAX_ORDERS) {
    ERROR_LOG("Orders takes 1 to %d numbers, e.g. Orders 0 1 3.",
              SAMPLER_MAX_ORDERS);
    return -1;
  }
  for (int i = 0; i < ci->values_num; i++) {
    const oconfig_value_t *v = &ci->values[i];
    if (!is_number(v) || v->value.number < 0 ||
        v->value.number >= BUDDYINFO_MAX_ORDERS ||
        v->value.number != (unsigned)v->value.number) {
      ERROR_LOG("Orders: each order is a whole number from 0 to %d, e.g. "
                "Orders 0 1 3.",
                BUDDYINFO_MAX_ORDERS - 1);
      return -1;
    }
    for (int j = 0; j < i; j++)
      if (c->sampler.orders[j] == (unsigned)v->value.number) {
        ERROR_LOG("Orders: order %u is given twice.", c->sampler.orders[j]);
        return -1;
      }
    c->sampler.orders[i] = (unsigned)v->value.number;
  }
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
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_BOOLEAN) {
    ERROR_LOG("%s takes true or false.", ci->key);
    return -1;
  }
  if (ci->values[0].value.boolean)
    c->sampler.sources |= 1u << source;
  else
    c->sampler.sources &= ~(1u << source);
  return 0;
}

/* 0: the key is the memory sources' and fine; -1: its value is wrong
 * (logged); 1: not one of theirs. */
static int parse_key(struct lowmem_config *c, const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "ProcPath") == 0)
    return one_string(ci, &c->proc_path);
  if (strcasecmp(ci->key, "SampleInterval") == 0)
    return parse_sample_interval(c, ci);
  if (strcasecmp(ci->key, "SlabTopN") == 0)
    return parse_slab_top_n(c, ci);
  if (strcasecmp(ci->key, "SlabCache") == 0)
    return parse_slab_cache(c, ci);
  if (strcasecmp(ci->key, "Orders") == 0)
    return parse_orders(c, ci);
  if (strcasecmp(ci->key, "WatermarkCheck") == 0)
    return parse_watermark_check(c, ci);
  for (int s = 0; s < SOURCE_NR; s++)
    if (strcasecmp(ci->key, source_name[s]) == 0)
      return parse_source_switch(c, ci, s);

  return 1;
}

int lowmem_config_key(struct lowmem_config *c,
                      const struct oconfig_item_s *ci) {
  if (ci->children_num > 0) {
    ERROR_LOG("%s is an option, not a block.", ci->key);
    return -1;
  }
  return parse_key(c, ci);
}
