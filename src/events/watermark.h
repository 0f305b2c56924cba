/* Headroom against the watermarks, as a state per zone and order:
 *
 *   OKAY     the request passes the check at the low watermark;
 *   WARNING  it fails at low (the allocator wakes kswapd and goes on at
 *            min): headroom at the low mark at or below zero;
 *   FAILURE  it fails at min too: the kernel refuses it in this zone
 *            (then tries the next zone, reclaims, compacts, or kills).
 *
 * A state change is notified once it persists. Over the last N samples
 * (N = NotifyPersistence / SampleInterval): the state rises to the worst
 * level seen in at least a tenth of them, and falls only when none of them
 * is at the current level any more, to the worst level still seen. A
 * value flapping at every sample rises once and stays until it has been
 * quiet for the whole window: one notification, then one OKAY. */
#ifndef LOWMEM_WATERMARK_H
#define LOWMEM_WATERMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample/sampler.h"
#include "event.h"

enum wm_level { WM_OKAY, WM_WARNING, WM_FAILURE, WM_NR };

/* Samples in a window at most: 600 s (NotifyPersistence's top) at 1 kHz. */
#define WATERMARK_WINDOW_MAX 600000

struct watermark_config {
  double persistence;     /* seconds a change must hold */
  double sample_interval; /* seconds */
  enum watermark_check check;
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  /* NotifyZone: the zones notified, "node0-Normal" (that zone) or
   * "Normal" (that zone of every node), in any case; none: automatic. */
  char **zones;
  size_t nr_zones;
  uint64_t page_size;
};

struct wm_track {
  enum wm_level state;
  unsigned count[WM_NR]; /* samples at each level in the window */
  size_t pos, filled;
  uint8_t *hist; /* window entries, a ring */
};

struct watermark {
  struct watermark_config config; /* zones copied */
  size_t window;                  /* samples */
  struct wm_track *tracks;        /* nr_orders per zone of the sample */
  uint8_t *hist;
  size_t nr_zones;
  bool *watched; /* per zone */
  unsigned zone_gen;
  bool built;

  /* NotifyZone names that match no zone, for the caller to tell once.
   * Filled at the first sample with zones (zones_checked set then, and
   * never again): unmatched[] points into config.zones; zone_names lists
   * the zones that sample had ("node0-DMA, node0-DMA32, node0-Normal"),
   * set when a name is unmatched (NULL if out of memory). */
  bool zones_checked;
  const char **unmatched;
  size_t nr_unmatched;
  char *zone_names;
};

/* Returns 0 or -ENOMEM. */
int watermark_init(struct watermark *w, const struct watermark_config *c);

/* One sample; adds an event to out for each state that changed. now is
 * the sample's time, seconds since the epoch. */
void watermark_step(struct watermark *w, const struct view *v, double now,
                    struct event_list *out);

void watermark_destroy(struct watermark *w);

/* The window arithmetic alone, for one track: feeds a level, returns true
 * when the state changed (t->state is the new one). */
bool wm_track_feed(struct wm_track *t, size_t window, enum wm_level level);

#endif
