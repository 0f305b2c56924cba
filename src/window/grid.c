#include "grid.h"

#include <string.h>

void window_grid_init(struct window_grid *g, uint64_t interval) {
  memset(g, 0, sizeof(*g));
  g->interval = interval > 0 ? interval : 1;
}

/* The open window ends at (window + 1) x interval. A stamp that is not
 * after the last one dispatched would be refused downstream (collectd's
 * cache: "value too old"; RRD: "minimum one second step"): drop it. */
static enum grid_action grid_close_open(struct window_grid *g,
                                        uint64_t *stamp) {
  uint64_t end = (g->window + 1) * g->interval;

  g->open = false;
  if (end <= g->last_stamp)
    return GRID_DROP;
  g->last_stamp = end;
  *stamp = end;
  return GRID_DISPATCH;
}

enum grid_action window_grid_sample(struct window_grid *g, uint64_t now,
                                    uint64_t *stamp) {
  uint64_t w = now / g->interval;
  enum grid_action action = GRID_KEEP;

  if (g->open && now < g->last_now)
    g->back_by = g->last_now - now;
  /* A window closes when the clock names another one, later or (stepped
   * back) earlier; back within the same window changes nothing. */
  if (g->open && w != g->window)
    action = grid_close_open(g, stamp);
  if (!g->open) {
    g->open = true;
    g->window = w;
  }
  g->last_now = now;
  g->behind = (g->window + 1) * g->interval <= g->last_stamp;
  return action;
}

enum grid_action window_grid_close(struct window_grid *g, uint64_t *stamp) {
  if (!g->open)
    return GRID_KEEP;
  return grid_close_open(g, stamp);
}
