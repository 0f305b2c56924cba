/* The types hook (hooks.h): lowmem's own collectd types (window/types.h)
 * are registered at start, so that a collectd running lowmem needs no
 * TypesDB line. A TypesDB file may name them already (lowmem-types.db on a
 * host that also receives values): its definition stands, and one that
 * differs from lowmem's is said, since values outside its bounds are lost. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "hooks.h"
#include "window/types.h"

#include <math.h>
#include <string.h>

static bool same_bound(double a, double b) {
  return (isnan(a) && isnan(b)) || a == b;
}

static int ds_type_of(const struct lowmem_type *t) {
  return t->ds == SERIES_DERIVE ? DS_TYPE_DERIVE : DS_TYPE_GAUGE;
}

static bool same_type(const data_set_t *known, const struct lowmem_type *t) {
  return known->ds_num == 1 && known->ds[0].type == ds_type_of(t) &&
         strcmp(known->ds[0].name, t->ds_name) == 0 &&
         same_bound(known->ds[0].min, t->min) &&
         same_bound(known->ds[0].max, t->max);
}

static int types_init(const struct lowmem_context *ctx) {
  (void)ctx;
  for (size_t i = 0; i < lowmem_types_nr; i++) {
    const struct lowmem_type *t = &lowmem_types[i];
    const data_set_t *known = plugin_get_ds(t->name);
    char line[128];

    lowmem_type_line(line, sizeof(line), t);
    if (known != NULL) {
      if (!same_type(known, t))
        plugin_log(LOG_WARNING,
                   "lowmem plugin: a TypesDB file defines the type \"%s\" "
                   "otherwise than lowmem (\"%s\"): values it does not "
                   "hold are lost. Name the lowmem-types.db installed with "
                   "this lowmem in TypesDB, or none (lowmem registers its "
                   "types itself).",
                   t->name, line);
      continue;
    }
    data_source_t src = {.type = ds_type_of(t), .min = t->min, .max = t->max};
    data_set_t set = {.ds_num = 1, .ds = &src};
    sstrncpy(src.name, t->ds_name, sizeof(src.name));
    sstrncpy(set.type, t->name, sizeof(set.type));
    if (plugin_register_data_set(&set) != 0) {
      plugin_log(LOG_ERR, "lowmem plugin: could not register the type %s.",
                 line);
      return -1;
    }
  }
  return 0;
}

const struct lowmem_hook types_hook = {.init = types_init};
