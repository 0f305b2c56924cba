/* One tick: read each enabled kernel source that is due (sources.h), parse
 * it into the sample, and derive from it the view every reader uses
 * (view.h): zones with their labels and headroom, system-wide counters,
 * the kernel. Knows nothing of collectd. */
#ifndef LOWMEM_SAMPLER_H
#define LOWMEM_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include "../sources/osrelease.h"
#include "../sources/procfile.h"
#include "headroom.h"
#include "sample.h"
#include "sources.h"
#include "view.h"

/* The kernel's release as printed, at most __NEW_UTS_LEN (64). */
#define SAMPLER_RELEASE_LEN 65

struct sampler_config {
  const char *proc_path;          /* "/proc", or a fixture or host tree */
  unsigned sources;               /* bit (1u << enum source) per source wanted */
  double interval[SOURCE_NR];     /* seconds between reads; 0: every sample */
  enum watermark_check check;     /* AUTO: from sys/kernel/osrelease */
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  uint64_t page_size; /* bytes */
  /* slabinfo is read sooner than its interval when meminfo's slab
   * (SReclaimable and SUnreclaim) has moved by more than this share of
   * it, in percent, since slabinfo was last read; 0: never sooner. */
  double slab_change;
};

struct sampler {
  struct sampler_config config;
  enum watermark_check check; /* resolved: never AUTO */
  struct kernel_version kernel;
  bool kernel_known;
  int kernel_err; /* 0, or why sys/kernel/osrelease could not be used */
  char release[SAMPLER_RELEASE_LEN]; /* as printed, "" when unreadable */
  struct procfile files[SOURCE_NR];
  double last_read[SOURCE_NR]; /* monotonic seconds; -1: never */
  /* meminfo's SReclaimable and SUnreclaim when slabinfo was last read. */
  uint64_t slab_seen[2];
  bool slab_seen_ok;
  struct sample sample;
  struct view view;
};

/* Copies config (proc_path too), reads the kernel's release once and
 * resolves the watermark check. Returns 0 or -ENOMEM. No source is opened
 * until the first sampler_read. */
int sampler_init(struct sampler *s, const struct sampler_config *config);

/* Reads and parses every enabled source that is due at monotonic time now
 * (seconds), then updates the view. A source that fails keeps its err and
 * its bit clear in ok; the others go on. */
void sampler_read(struct sampler *s, double now);

void sampler_destroy(struct sampler *s);

/* Parses len bytes of source src into its member of sm: what
 * sampler_read does with each file it read. Returns 0 or -errno. */
int sampler_parse(struct sample *sm, enum source src, const char *buf,
                  size_t len);

/* Frees what the parsers of sm hold. */
void sample_free(struct sample *sm);

/* The malformed lines of the source's last parse. */
unsigned sample_malformed(const struct sample *sm, enum source src);

#endif
