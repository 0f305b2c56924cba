#include "types.h"

#include <math.h>
#include <stdio.h>

/* Each row is a line of lowmem-types.db (test_types compares them). */
const struct lowmem_type lowmem_types[] = {
    {TYPE_ZONE, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_ZONE_SIZE, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_ZONE_SLAB, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_ZONE_SHARE, "percent", SERIES_GAUGE, 0, 100.1},
    {TYPE_HEADROOM, "bytes", SERIES_GAUGE, NAN, NAN},
    {TYPE_SYSTEM, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_SYSTEM_SHARE, "percent", SERIES_GAUGE, 0, 100.1},
    /* A class of threads busy on two CPUs is at 200. */
    {TYPE_THREAD_CPU, "percent", SERIES_GAUGE, 0, NAN},
    {TYPE_BDI, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_PROCESS_RSS, "bytes", SERIES_GAUGE, 0, NAN},
    {TYPE_ZONE_OCCUPANCY, "bytes", SERIES_GAUGE, 0, NAN},
};
const size_t lowmem_types_nr = sizeof(lowmem_types) / sizeof(lowmem_types[0]);

const char *const lowmem_collectd_types[] = {
    TYPE_FREEPAGES, TYPE_BYTES,    TYPE_OBJECTS,          TYPE_VMPAGE_ACTION,
    TYPE_PRESSURE,  TYPE_PERCENT,  TYPE_TOTAL_TIME_IN_MS, TYPE_TCP_CONNECTIONS,
    TYPE_GAUGE,     TYPE_PS_COUNT, TYPE_PS_RSS,           TYPE_FORK_RATE,
};
const size_t lowmem_collectd_types_nr =
    sizeof(lowmem_collectd_types) / sizeof(lowmem_collectd_types[0]);

static void bound(char *buf, size_t cap, double v) {
  if (isnan(v))
    snprintf(buf, cap, "U");
  else
    snprintf(buf, cap, "%g", v);
}

int lowmem_type_line(char *buf, size_t cap, const struct lowmem_type *t) {
  char min[32], max[32];

  bound(min, sizeof(min), t->min);
  bound(max, sizeof(max), t->max);
  return snprintf(buf, cap, "%s %s:%s:%s:%s", t->name, t->ds_name,
                  t->ds == SERIES_DERIVE ? "DERIVE" : "GAUGE", min, max);
}
