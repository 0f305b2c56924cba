/* One tick: read each enabled kernel source and parse it into a sample,
 * then work out each zone's headroom. Knows nothing of collectd. */
#ifndef LOWMEM_SAMPLER_H
#define LOWMEM_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sources/buddyinfo.h"
#include "../sources/meminfo.h"
#include "../sources/osrelease.h"
#include "../sources/pressure.h"
#include "../sources/procfile.h"
#include "../sources/slabinfo.h"
#include "../sources/vmstat.h"
#include "../sources/zoneinfo.h"
#include "headroom.h"

enum source {
  SOURCE_ZONEINFO,
  SOURCE_BUDDYINFO,
  SOURCE_SLABINFO,
  SOURCE_MEMINFO,
  SOURCE_VMSTAT,
  SOURCE_PRESSURE,
  SOURCE_NR
};

/* File of each source under ProcPath ("zoneinfo", "pressure/memory"). */
extern const char *const source_file[SOURCE_NR];
/* Name of each source in the configuration and in messages. */
extern const char *const source_name[SOURCE_NR];

/* Most bytes each source's file may hold (procfile_limit); a longer file
 * is refused with -EFBIG. Each is well above what the largest machines
 * print (sampler.c says why) and bounds what a file that grows without
 * end can make lowmem allocate. */
extern const size_t source_max_bytes[SOURCE_NR];

/* Orders for which headroom is worked out ("Orders 0 1" by default). */
#define SAMPLER_MAX_ORDERS 16

struct sampler_config {
  const char *proc_path;      /* "/proc", or a fixture or host tree */
  unsigned sources;           /* bit (1u << enum source) per source wanted */
  enum watermark_check check; /* AUTO: from sys/kernel/osrelease */
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  uint64_t page_size; /* bytes */
};

/* Per zone of sample.zoneinfo, same index. */
struct zone_headroom {
  bool valid;       /* zoneinfo and buddyinfo both had the zone */
  uint64_t reserve; /* lowmem_reserve used, pages */
  int64_t pages[SAMPLER_MAX_ORDERS]; /* per configured order */
};

struct sample {
  unsigned ok;        /* bit per source read and parsed this tick */
  int err[SOURCE_NR]; /* 0, or -errno of this tick's read or parse */
  struct zoneinfo zoneinfo;
  struct buddyinfo buddyinfo;
  struct slabinfo slabinfo;
  struct meminfo meminfo;
  struct vmstat vmstat;
  struct pressure pressure;
  struct zone_headroom *headroom; /* zoneinfo.nr entries */
  size_t headroom_cap;
};

struct sampler {
  struct sampler_config config;
  enum watermark_check check; /* resolved: never AUTO */
  struct kernel_version kernel;
  bool kernel_known;
  int kernel_err; /* 0, or why sys/kernel/osrelease could not be used */
  struct procfile files[SOURCE_NR];
  struct sample sample;
};

/* Copies config (proc_path too); resolves the watermark check. Returns 0
 * or -ENOMEM. Nothing is opened until the first sampler_read. */
int sampler_init(struct sampler *s, const struct sampler_config *config);

/* Reads and parses every enabled source into s->sample. A source that
 * fails keeps its err and its bit clear in ok; the others go on. */
void sampler_read(struct sampler *s);

void sampler_destroy(struct sampler *s);

/* Parses len bytes of source src into its member of sm: what
 * sampler_read does with each file it read. Returns 0 or -errno. */
int sampler_parse(struct sample *sm, enum source src, const char *buf,
                  size_t len);

#endif
