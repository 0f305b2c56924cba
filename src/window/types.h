/* Types: the collectd types lowmem's series are dispatched as.
 *
 * Every type string a series is added with is named here, so that the
 * interface (collectd-lowmem(5), TYPES and METRICS) is read in one place.
 * collectd's own types where one fits; lowmem's own where none does, defined in
 * lowmem-types.db (installed for a central collectd's TypesDB line) and
 * registered by the plugin itself, so that a sender needs no TypesDB line.
 *
 * Why types of its own: front-ends group by type. collection3 stacks every
 * "memory" value of a plugin instance (free over min over present ...) and
 * write_prometheus makes one family per type: a type must hold one unit
 * and one label shape. A data source named after its unit makes the
 * Prometheus family end in it (collectd_lowmem_headroom_bytes). */
#ifndef LOWMEM_TYPES_H
#define LOWMEM_TYPES_H

#include <stddef.h>

#include "series.h"

/* lowmem's own types (lowmem-types.db), with their type instances. */
/* free, min, low, high, reserve, highatomic */
#define TYPE_ZONE "zone"
/* present, managed */
#define TYPE_ZONE_SIZE "zone_size"
/* reclaimable, unreclaimable (kernels before 4.8) */
#define TYPE_ZONE_SLAB "zone_slab"
/* slab, percent of the zone */
#define TYPE_ZONE_SHARE "zone_share"
/* order<k>, atomic_order<k>: bytes, below 0 when the kernel refuses */
#define TYPE_HEADROOM "headroom"
/* /proc/meminfo's values and the dirty limits, bytes */
#define TYPE_SYSTEM "system"
/* slab, slab_unreclaimable: percent of the memory slab can live in */
#define TYPE_SYSTEM_SHARE "system_share"
/* percent of one CPU: a class of threads passes 100 */
#define TYPE_THREAD_CPU "thread_cpu"
/* writeback-<dev>, reclaimable-<dev>, dirty_threshold-<dev>, bytes */
#define TYPE_BDI "bdi"
/* average, max of the web server's processes, bytes */
#define TYPE_PROCESS_RSS "process_rss"
/* what holds a zone, bytes */
#define TYPE_ZONE_OCCUPANCY "zone_occupancy"

/* collectd's own (types.db). */
#define TYPE_FREEPAGES "freepages"
#define TYPE_BYTES "bytes"
#define TYPE_OBJECTS "objects"
#define TYPE_VMPAGE_ACTION "vmpage_action"
#define TYPE_PRESSURE "pressure"
#define TYPE_PERCENT "percent"
#define TYPE_TOTAL_TIME_IN_MS "total_time_in_ms"
#define TYPE_TCP_CONNECTIONS "tcp_connections"
#define TYPE_GAUGE "gauge"
#define TYPE_PS_COUNT "ps_count"
#define TYPE_PS_RSS "ps_rss"
#define TYPE_FORK_RATE "fork_rate"

/* A type of lowmem's own: one data source, as a types.db line says it
 * ("headroom bytes:GAUGE:U:U"). Bounds are rrdtool's: a value outside
 * them is stored as unknown. */
struct lowmem_type {
  const char *name;
  const char *ds_name;
  enum series_ds ds;
  double min, max; /* NAN: unbounded ("U") */
};

extern const struct lowmem_type lowmem_types[];
extern const size_t lowmem_types_nr;

/* collectd's own types (its types.db) that lowmem dispatches. */
extern const char *const lowmem_collectd_types[];
extern const size_t lowmem_collectd_types_nr;

/* The types.db line of t ("zone bytes:GAUGE:0:U"), as lowmem-types.db
 * holds it. Returns what snprintf returns. */
int lowmem_type_line(char *buf, size_t cap, const struct lowmem_type *t);

#endif
