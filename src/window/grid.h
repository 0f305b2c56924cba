/* The dispatch grid: which window a sample belongs to, when a window
 * closes, and the time its values are stamped with.
 *
 * Window w covers [w, w+1) dispatch intervals of the wall clock (collectd
 * stamps values with it, and RRD files keep one update per step of it).
 * It closes at the first sample of a later window, and its values are
 * stamped at its end, (w+1) x interval: on the grid, so that two windows
 * never share an RRD step.
 *
 * The wall clock can be stepped. Forward, windows are skipped (a gap).
 * Back, the open window closes at once with its own stamp, and a new one
 * opens at the new time; but collectd's cache and RRD files take no value
 * older than the last one they have, so the windows of the new time are
 * dropped, not dispatched, until their stamps pass the last one
 * dispatched. Stamps are never given twice and never go back.
 *
 * Times are collectd's cdtime_t (2^-30 s), but nothing here knows
 * collectd: the clock is the caller's, so tests can step it. */
#ifndef LOWMEM_GRID_H
#define LOWMEM_GRID_H

#include <stdbool.h>
#include <stdint.h>

struct window_grid {
  uint64_t interval;   /* dispatch interval, > 0 */
  bool open;           /* a window holds samples */
  uint64_t window;     /* index of the open window */
  uint64_t last_stamp; /* of the last window dispatched; 0: none yet */
  uint64_t last_now;   /* time of the last sample */
  bool behind;         /* the clock went back: windows are being dropped */
  uint64_t back_by;    /* how far it went back, at the last step back */
};

enum grid_action {
  GRID_KEEP,     /* the sample goes to the open window */
  GRID_DISPATCH, /* the open window closed: dispatch it at *stamp */
  GRID_DROP,     /* the open window closed but its stamp is not after the
                    last one dispatched: discard it */
};

void window_grid_init(struct window_grid *g, uint64_t interval);

/* A sample is taken at wall-clock time now. Says what to do with the open
 * window before the sample is added to the window that is open after the
 * call. */
enum grid_action window_grid_sample(struct window_grid *g, uint64_t now,
                                    uint64_t *stamp);

/* The last sample was taken: closes the open window, which has not
 * ended. DISPATCH with its stamp, its end on the grid as for every window
 * (any earlier point of the grid is the previous window's stamp, and RRD
 * takes one update per step); DROP when it must not be dispatched; KEEP
 * when no window is open. */
enum grid_action window_grid_close(struct window_grid *g, uint64_t *stamp);

#endif
