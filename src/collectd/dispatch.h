/* The window's dispatch, for the glue files that send values of their own
 * with the window's stamp (the web server's ps_count, two values a list,
 * which the one-value series of the window cannot hold). */
#ifndef LOWMEM_DISPATCH_H
#define LOWMEM_DISPATCH_H

#include <stdbool.h>

#include "collectd/core/daemon/plugin.h"

/* During a read: true when the window that closed at this read was
 * dispatched, with the stamp its values got. False when none closed, or
 * when it was dropped (the clock went back: window_grid in grid.h). */
bool lowmem_window_dispatched(cdtime_t *stamp);

/* After the last read (collectd stops, or ran its one read of `collectd
 * -T`): the web server's open window goes out with the stamp of lowmem's
 * last window. Called before lowmem.c waits for its values to be written. */
void apache_glue_last_window(cdtime_t stamp);

#endif
