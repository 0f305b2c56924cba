/* Capabilities that plug into the read loop beside the memory sources:
 * writeback threads, the web server, events and the incident record. Each
 * has a glue file of its own (glue_<name>.c) with four hooks, called by
 * lowmem.c in this order: config (per key of <Plugin lowmem>), init, read
 * (every SampleInterval, after the memory sources were sampled), shutdown. */
#ifndef LOWMEM_HOOKS_H
#define LOWMEM_HOOKS_H

#include "collectd/core/daemon/plugin.h"

#include "sample/sampler.h"
#include "window/series.h"

struct lowmem_context {
  const char *proc_path;
  double sample_interval;     /* seconds */
  cdtime_t dispatch_interval; /* collectd's Interval for lowmem */
  uint64_t page_size;
  struct series_set *set; /* the window: add series, feed samples */
  /* The headroom the sample holds: the sampler's resolved watermark check
   * and the orders of sample.headroom[z].pages[], in that order. */
  enum watermark_check check;
  const unsigned *orders;
  size_t nr_orders;
};

/* config: 0 the key is the hook's and fine, -1 wrong value (logged), 1 not
 * the hook's key. init: 0, or -1 to fail lowmem's start (logged). */
#define LOWMEM_HOOK(name)                                                      \
  int name##_glue_config(const oconfig_item_t *ci);                            \
  int name##_glue_init(const struct lowmem_context *ctx);                      \
  void name##_glue_read(const struct lowmem_context *ctx,                      \
                        const struct sample *sample, double now);              \
  void name##_glue_shutdown(void)

LOWMEM_HOOK(threads);
LOWMEM_HOOK(apache);
LOWMEM_HOOK(events);

#endif
