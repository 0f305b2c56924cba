/* The events of each sample: headroom crossing the watermarks, OOM kills
 * and page allocation failures, as events ready to be told (see event.h).
 * Collectd-free: the glue turns them into notifications, the recorder into
 * incident files. */
#ifndef LOWMEM_EVENTS_H
#define LOWMEM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"
#include "event.h"
#include "kernlog.h"
#include "oom.h"
#include "watermark.h"

/* Kernel log records read per sample at most; more wait for the next. */
#define EVENTS_RECORDS_PER_SAMPLE 512
/* A kernel log that could not be opened is tried again this often. */
#define EVENTS_LOG_RETRY_SECONDS 10.0

struct events_config {
  bool headroom;      /* NotifyHeadroom */
  double persistence; /* NotifyPersistence, seconds */
  char **zones;       /* NotifyZone */
  size_t nr_zones;
  const char *kernel_log; /* KernelLog; NULL: none */
  /* From the sampler. */
  enum watermark_check check;
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  double sample_interval;
  uint64_t page_size;
};

struct events {
  struct events_config config;
  struct watermark wm;
  struct kernlog log;
  int log_err;         /* 0, or -errno of the kernel log's last trouble */
  double log_next_try; /* monotonic seconds */
  struct oom_tracker oom;
  struct event_list out; /* this sample's events */
  int oom_kill_counter;  /* index of oom_kill in the view, -1: none */
  unsigned vm_gen;
  bool vm_built;
  unsigned long kills, failures; /* told so far */
};

/* Returns 0 or -ENOMEM. The kernel log's trouble is not fatal: it is in
 * log_err, and the log is tried again. */
int events_init(struct events *ev, const struct events_config *c);

/* One sample: ev->out holds its events afterwards. mono: CLOCK_MONOTONIC
 * seconds (the kernel log's clock), real: seconds since the epoch. */
void events_step(struct events *ev, const struct sample *s,
                 const struct view *v, double mono, double real);

/* Kernel log records, for a caller that reads them itself (tests); mono
 * as in events_step. */
void events_feed(struct events *ev, const struct kmsg_record *r, double mono);

void events_destroy(struct events *ev);

#endif
