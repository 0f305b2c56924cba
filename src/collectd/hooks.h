/* Capabilities that plug into the read loop beside the memory sources:
 * writeback threads, the web server, events, the incident record and
 * collectd's own OOM score. Each has a glue file of its own (glue_<name>.c)
 * that defines its hook: config (per key of <Plugin lowmem>), init, read
 * (every SampleInterval, after the memory sources were sampled and the
 * view derived), shutdown. lowmem.c calls them in the order of its table,
 * for every key, at start, at every sample and at the end. */
#ifndef LOWMEM_HOOKS_H
#define LOWMEM_HOOKS_H

#include "collectd/core/daemon/plugin.h"

#include "events/event.h"
#include "sample/sampler.h"
#include "window/series.h"

/* What lowmem knows at start, for every hook. */
struct lowmem_context {
  const char *proc_path;
  double sample_interval;     /* seconds */
  cdtime_t dispatch_interval; /* collectd's Interval for lowmem */
  uint64_t page_size;
  struct series_set *set; /* the window: add series, feed samples */
  enum watermark_check check; /* the sampler's, resolved */
  const unsigned *orders;     /* the headroom orders of the view */
  size_t nr_orders;
  struct kernel_version kernel;
  bool kernel_known;
  const char *release; /* the kernel's release as printed, "" unknown */
};

/* One sample, as every hook sees it. */
struct tick {
  double mono;       /* CLOCK_MONOTONIC seconds (the kernel log's clock) */
  double real;       /* seconds since the epoch */
  bool window_start; /* the first sample of a dispatch window */
  const struct sample *sample;
  const struct view *view;
  /* This sample's events: set by the events hook, read by the hooks after
   * it (the record). */
  const struct event_list *events;
};

struct lowmem_hook {
  /* 0 the key is the hook's and fine, -1 wrong value (logged), 1 not the
   * hook's key. */
  int (*config)(const oconfig_item_t *ci);
  /* 0, or -1 to fail lowmem's start (logged). */
  int (*init)(const struct lowmem_context *ctx);
  void (*read)(const struct lowmem_context *ctx, struct tick *t);
  void (*shutdown)(void);
};

extern const struct lowmem_hook types_hook, threads_hook, apache_hook,
    events_hook, record_hook, oom_score_hook;

#endif
