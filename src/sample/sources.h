/* The kernel sources lowmem samples, one row each: everything lowmem knows
 * about a source apart from its parser and its series.
 *
 *   X(ID, name, Key, file, max, interval, denied, missing)
 *
 * ID        SOURCE_<ID>, the source's bit in a sample's `ok` and `fresh`
 * name      its parser: struct name, name_parse(), name_free(), a
 *           `malformed` count; the sample's member of that name
 * Key       the configuration key that turns it off ("Slabinfo false"),
 *           Key"Interval" how often it is read, and its name in messages
 * file      its file under ProcPath
 * max       the most bytes the file may hold: longer is refused (-EFBIG).
 *           Well above what the largest machines print:
 *           - zoneinfo: about 2 KB per zone and 180 bytes per online CPU
 *             per populated zone (its per-CPU page lists): 5 KB on a
 *             2-CPU machine, 10 MB with 1,792 CPUs on 32 nodes, 47 MB with
 *             4,096 CPUs on 64 nodes: the file that grows with the machine;
 *           - buddyinfo: about 120 bytes per zone: 1,024 nodes of 6 zones
 *             are 740 KB; pagetypeinfo 9 lines of ~90 bytes per zone;
 *           - slabinfo: about 200 bytes per cache: 80,000 caches in 16 MiB;
 *           - meminfo (50 lines), vmstat (200), pressure (2): a few KB.
 * interval  seconds between two reads by default; 0: every sample.
 *           slabinfo: 5, and sooner when meminfo's slab totals move
 *           (SlabinfoChange): the per-cache sizes move over seconds, a
 *           read of it costs most of a sample (it walks every cache's
 *           partial slabs), and meminfo's totals follow a fast swing at
 *           every sample (doc/costs.md has the measurements)
 * denied    advice when the file cannot be opened for lack of rights
 * missing   advice when the file does not exist (NULL: the general one)
 *
 * A source is added with its parser and its test, a row here, its series
 * (window/metrics.c) and its documentation. */
#ifndef LOWMEM_SOURCES_H
#define LOWMEM_SOURCES_H

#include "../sources/buddyinfo.h"
#include "../sources/meminfo.h"
#include "../sources/pagetypeinfo.h"
#include "../sources/pressure.h"
#include "../sources/slabinfo.h"
#include "../sources/vmstat.h"
#include "../sources/zoneinfo.h"

#define LOWMEM_SOURCES(X)                                                      \
  X(ZONEINFO, zoneinfo, "Zoneinfo", "zoneinfo", (size_t)64 << 20, 0, NULL,     \
    NULL)                                                                      \
  X(BUDDYINFO, buddyinfo, "Buddyinfo", "buddyinfo", (size_t)1 << 20, 0, NULL,  \
    NULL)                                                                      \
  X(SLABINFO, slabinfo, "Slabinfo", "slabinfo", (size_t)16 << 20, 5,           \
    "it is readable by root only: run collectd as root, or set \"Slabinfo "    \
    "false\" (the slab totals from meminfo are still reported)",               \
    NULL)                                                                      \
  X(MEMINFO, meminfo, "Meminfo", "meminfo", (size_t)64 << 10, 0, NULL, NULL)   \
  X(VMSTAT, vmstat, "Vmstat", "vmstat", (size_t)256 << 10, 0, NULL, NULL)      \
  X(PRESSURE, pressure, "Pressure", "pressure/memory", (size_t)4 << 10, 0,     \
    NULL,                                                                      \
    "this kernel has no pressure stall information (it needs 4.20+ with "      \
    "CONFIG_PSI, and psi=1 on the command line where it is off by "            \
    "default); set \"Pressure false\" to stop asking")                         \
  X(PAGETYPEINFO, pagetypeinfo, "Pagetypeinfo", "pagetypeinfo",                \
    (size_t)4 << 20, 60,                                                       \
    "it is readable by root only since 5.4: run collectd as root, or set "     \
    "\"Pagetypeinfo false\"; the headroom is then worked out from buddyinfo "  \
    "alone, without the migrate types and the high-order atomic reserve",      \
    "this kernel has no /proc/pagetypeinfo (it came with 2.6.24); the "        \
    "headroom is worked out from buddyinfo alone; set \"Pagetypeinfo "         \
    "false\" to stop asking")

enum source {
#define SOURCE_ENUM(ID, name, key, file, max, interval, denied, missing)      \
  SOURCE_##ID,
  LOWMEM_SOURCES(SOURCE_ENUM)
#undef SOURCE_ENUM
      SOURCE_NR
};

struct source_info {
  const char *key;  /* "Slabinfo" */
  const char *file; /* "slabinfo", "pressure/memory" */
  size_t max_bytes;
  double interval; /* seconds; 0: every sample */
  const char *denied, *missing;
};

extern const struct source_info source_info[SOURCE_NR];

/* The source whose key is key (case-insensitive), or -1. */
int source_by_key(const char *key);

#endif
