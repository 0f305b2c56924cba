#include "watermark.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../window/types.h"

bool wm_track_feed(struct wm_track *t, size_t window, enum wm_level level) {
  if (t->filled == window)
    t->count[t->hist[t->pos]]--;
  else
    t->filled++;
  t->hist[t->pos] = (uint8_t)level;
  t->count[level]++;
  t->pos = (t->pos + 1) % window;

  /* at_or_worse[l]: samples of the window at level l or worse. */
  unsigned at_or_worse[WM_NR];
  unsigned sum = 0;
  for (int l = WM_NR - 1; l >= 0; l--) {
    sum += t->count[l];
    at_or_worse[l] = sum;
  }
  /* A tenth of the window: a zone that refuses allocations off and on
   * (blocks formed by reclaim and taken at once) is at the level in few
   * samples, yet in trouble; one or two stray samples are not. */
  size_t rise = (window + 9) / 10;
  enum wm_level next = t->state;
  for (int l = WM_NR - 1; l > (int)t->state; l--)
    if (at_or_worse[l] >= rise) {
      next = (enum wm_level)l;
      break;
    }
  if (next == t->state && t->state > WM_OKAY && at_or_worse[t->state] == 0) {
    next = WM_OKAY;
    for (int l = (int)t->state - 1; l > WM_OKAY; l--)
      if (t->count[l] > 0) {
        next = (enum wm_level)l;
        break;
      }
  }
  if (next == t->state)
    return false;
  t->state = next;
  return true;
}

static int copy_zones(struct watermark *w, const struct watermark_config *c) {
  if (c->nr_zones == 0)
    return 0;
  w->config.zones = calloc(c->nr_zones, sizeof(char *));
  w->unmatched = calloc(c->nr_zones, sizeof(*w->unmatched));
  if (w->config.zones == NULL || w->unmatched == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < c->nr_zones; i++) {
    w->config.zones[i] = strdup(c->zones[i]);
    if (w->config.zones[i] == NULL)
      return -ENOMEM;
    w->config.nr_zones++;
  }
  return 0;
}

int watermark_init(struct watermark *w, const struct watermark_config *c) {
  memset(w, 0, sizeof(*w));
  w->config = *c;
  w->config.zones = NULL;
  w->config.nr_zones = 0;
  if (w->config.nr_orders > SAMPLER_MAX_ORDERS)
    w->config.nr_orders = SAMPLER_MAX_ORDERS;
  if (copy_zones(w, c) != 0) {
    watermark_destroy(w);
    return -ENOMEM;
  }
  double n = c->sample_interval > 0 ? c->persistence / c->sample_interval : 1;
  /* !(n >= 1) holds for NaN too. */
  w->window = !(n >= 1)                  ? 1
              : n > WATERMARK_WINDOW_MAX ? WATERMARK_WINDOW_MAX
                                         : (size_t)lround(n);
  return 0;
}

void watermark_destroy(struct watermark *w) {
  for (size_t i = 0; i < w->config.nr_zones; i++)
    free(w->config.zones[i]);
  free(w->config.zones);
  free(w->unmatched);
  free(w->zone_names);
  free(w->tracks);
  free(w->hist);
  free(w->watched);
  memset(w, 0, sizeof(*w));
}

/* NotifyZone "node0-Normal" names that zone, "Normal" the Normal zone of
 * every node; case does not matter ("node0-normal"), as a zone's name is
 * the kernel's spelling, not one a user is expected to know by heart. */
static bool zone_matches(const char *name, const struct zone_view *z) {
  return strcasecmp(name, z->label) == 0 ||
         strcasecmp(name, z->info->name) == 0;
}

static bool zone_named(const struct watermark *w, const struct zone_view *z) {
  for (size_t i = 0; i < w->config.nr_zones; i++)
    if (zone_matches(w->config.zones[i], z))
      return true;
  return false;
}

/* "node0-DMA, node0-DMA32, node0-Normal", or NULL. */
static char *zone_names(const struct view *v) {
  size_t cap = v->nr * (ZONE_LABEL_LEN + 2) + 1, n = 0;
  char *names = malloc(cap);

  if (names == NULL)
    return NULL;
  names[0] = '\0';
  for (size_t z = 0; z < v->nr; z++) {
    int k = snprintf(names + n, cap - n, "%s%s", z ? ", " : "",
                     v->zones[z].label);
    if (k > 0 && (size_t)k < cap - n)
      n += (size_t)k;
  }
  return names;
}

/* Once, at the first sample with zones: the NotifyZone names no zone
 * answers to, which would otherwise silence that zone's notifications
 * without a word. */
static void check_zone_names(struct watermark *w, const struct view *v) {
  if (w->zones_checked)
    return;
  w->zones_checked = true;
  for (size_t i = 0; i < w->config.nr_zones; i++) {
    bool found = false;
    for (size_t z = 0; z < v->nr && !found; z++)
      found = zone_matches(w->config.zones[i], &v->zones[z]);
    if (!found)
      w->unmatched[w->nr_unmatched++] = w->config.zones[i];
  }
  if (w->nr_unmatched > 0)
    w->zone_names = zone_names(v);
}

/* New zones: every track starts OKAY with an empty window. */
static int build(struct watermark *w, const struct view *v) {
  size_t nr = v->nr * w->config.nr_orders;
  struct wm_track *tracks = calloc(nr ? nr : 1, sizeof(*tracks));
  uint8_t *hist = calloc(nr ? nr * w->window : 1, 1);
  bool *watched = calloc(v->nr ? v->nr : 1, sizeof(bool));

  if (tracks == NULL || hist == NULL || watched == NULL) {
    free(tracks);
    free(hist);
    free(watched);
    return -ENOMEM;
  }
  for (size_t t = 0; t < nr; t++)
    tracks[t].hist = hist + t * w->window;
  for (size_t z = 0; z < v->nr; z++)
    watched[z] = w->config.nr_zones ? zone_named(w, &v->zones[z]) : true;
  check_zone_names(w, v);
  free(w->tracks);
  free(w->hist);
  free(w->watched);
  w->tracks = tracks;
  w->hist = hist;
  w->watched = watched;
  w->nr_zones = v->nr;
  w->zone_gen = v->zone_generation;
  w->built = true;
  return 0;
}

static enum event_severity severity_of(enum wm_level level) {
  return level == WM_FAILURE   ? EVENT_FAILURE
         : level == WM_WARNING ? EVENT_WARNING
                               : EVENT_OKAY;
}

/* The message: which zone, which order, where it stands and why it
 * matters, with the numbers a reader checks first. */
static void describe(struct event *e, const struct watermark *w,
                     const struct zone_info *z, const char *label,
                     unsigned order, enum wm_level level, int64_t h_min,
                     int64_t h_low) {
  const uint64_t page = w->config.page_size;
  char free_s[24], min_s[24], low_s[24], hmin_s[24], hlow_s[24], size_s[24];
  char slab_s[48] = "";

  /* The figures of the meta data (add_event), saturated alike. */
  event_format_bytes(free_s, sizeof(free_s),
                     (double)event_upages_bytes(z->free, page));
  event_format_bytes(min_s, sizeof(min_s),
                     (double)event_upages_bytes(z->min, page));
  event_format_bytes(low_s, sizeof(low_s),
                     (double)event_upages_bytes(z->low, page));
  event_format_bytes(hmin_s, sizeof(hmin_s),
                     (double)event_pages_bytes(h_min, page));
  event_format_bytes(hlow_s, sizeof(hlow_s),
                     (double)event_pages_bytes(h_low, page));
  event_format_bytes(size_s, sizeof(size_s),
                     (double)event_order_bytes(order, page));
  if ((z->has & ZONE_HAS_NR_SLAB_RECLAIMABLE) &&
      (z->has & ZONE_HAS_NR_SLAB_UNRECLAIMABLE)) {
    char b[24];
    event_format_bytes(
        b, sizeof(b),
        (double)event_upages_bytes(
            event_add_sat(z->nr_slab_reclaimable, z->nr_slab_unreclaimable),
            page));
    snprintf(slab_s, sizeof(slab_s), ", slab %s", b);
  }
  switch (level) {
  case WM_FAILURE:
    event_message(
        e,
        "%s order-%u headroom %s at the min watermark: the kernel "
        "refuses %s kernel allocations in this zone (free %s, min %s, "
        "low %s%s)",
        label, order, hmin_s, size_s, free_s, min_s, low_s, slab_s);
    break;
  case WM_WARNING:
    event_message(
        e,
        "%s order-%u headroom %s at the low watermark: %s allocations "
        "wake kswapd, %s left above min (free %s, min %s, low %s%s)",
        label, order, hlow_s, size_s, hmin_s, free_s, min_s, low_s, slab_s);
    break;
  case WM_OKAY:
  case WM_NR:
    event_message(e,
                  "%s order-%u headroom %s above the low watermark again (free "
                  "%s, min %s, low %s%s)",
                  label, order, hlow_s, free_s, min_s, low_s, slab_s);
    break;
  }
}

static void add_event(struct watermark *w, const struct zone_view *zv,
                      size_t oi, enum wm_level level, int64_t h_min,
                      int64_t h_low, double now, struct event_list *out) {
  const struct zone_info *z = zv->info;
  const uint64_t page = w->config.page_size;
  unsigned order = w->config.orders[oi];
  const char *label = zv->label;
  char ti[32];

  snprintf(ti, sizeof(ti), "order%u", order);
  struct event *e = event_list_add(out, EVENT_HEADROOM, severity_of(level), now,
                                   label, TYPE_HEADROOM, ti);
  if (e == NULL)
    return;
  describe(e, w, z, label, order, level, h_min, h_low);
  event_meta_string(e, "zone", z->name);
  event_meta_uint(e, "node", z->node);
  event_meta_uint(e, "order", order);
  event_meta_int(e, "headroom_min_bytes", event_pages_bytes(h_min, page));
  event_meta_int(e, "headroom_low_bytes", event_pages_bytes(h_low, page));
  event_meta_uint(e, "free_bytes", event_upages_bytes(z->free, page));
  event_meta_uint(e, "min_bytes", event_upages_bytes(z->min, page));
  event_meta_uint(e, "low_bytes", event_upages_bytes(z->low, page));
  event_meta_uint(e, "high_bytes", event_upages_bytes(z->high, page));
  event_meta_uint(e, "reserve_bytes", event_upages_bytes(zv->reserve, page));
  if (z->has & ZONE_HAS_NR_SLAB_RECLAIMABLE)
    event_meta_uint(e, "slab_reclaimable_bytes",
                    event_upages_bytes(z->nr_slab_reclaimable, page));
  if (z->has & ZONE_HAS_NR_SLAB_UNRECLAIMABLE)
    event_meta_uint(e, "slab_unreclaimable_bytes",
                    event_upages_bytes(z->nr_slab_unreclaimable, page));
  event_meta_double(e, "persistence_seconds", w->config.persistence);
}

void watermark_step(struct watermark *w, const struct view *v, double now,
                    struct event_list *out) {
  if (v->nr == 0 || w->config.nr_orders == 0)
    return;
  if ((!w->built || w->zone_gen != v->zone_generation ||
       w->nr_zones != v->nr) &&
      build(w, v) != 0) {
    w->built = false;
    return;
  }
  for (size_t z = 0; z < v->nr; z++) {
    const struct zone_view *zone = &v->zones[z];
    if (!w->watched[z] || !zone->populated || !zone->has_headroom)
      continue;
    if (w->config.nr_zones == 0 && !zone->kernel_zone)
      continue;
    for (size_t o = 0; o < w->config.nr_orders; o++) {
      int64_t h_min = zone->headroom_min[o], h_low = zone->headroom_low[o];
      enum wm_level level = h_min <= 0   ? WM_FAILURE
                            : h_low <= 0 ? WM_WARNING
                                         : WM_OKAY;
      struct wm_track *t = &w->tracks[z * w->config.nr_orders + o];
      if (wm_track_feed(t, w->window, level))
        add_event(w, zone, o, t->state, h_min, h_low, now, out);
    }
  }
}
