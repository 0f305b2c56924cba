/* Reporting a source's trouble once, not at every sample.
 *
 * At 10 samples a second a failing file would fill the log; a source's
 * state is reported when it changes: when it starts to fail (or fails
 * differently), when it recovers, and when it starts to have malformed
 * lines. */
#ifndef LOWMEM_COMPLAIN_H
#define LOWMEM_COMPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "sample/sources.h"
#include "sources/procfile.h"
#include "window/series.h"
#include "window/slabtop.h"

struct complaint {
  int err;        /* last error reported; 0: none */
  bool malformed; /* malformed lines were reported */
};

/* Logs when err differs from the last one reported for source src,
 * read through pf, with what to do about it. */
void complain_source(struct complaint *c, const struct procfile *pf,
                     enum source src, int err);

/* Logs when a source that read cleanly starts to have malformed lines. */
void complain_malformed(struct complaint *c, const char *path,
                        unsigned malformed);

/* Says once, at start, why the kernel's release could not be read from
 * <proc_path>/sys/kernel/osrelease (err from osrelease_read) and which
 * watermark check is used instead (check_name). */
void complain_kernel(const char *proc_path, int err, const char *check_name);

/* Logs once that series were refused by the set (set->refused), with the
 * first and the last of them and what to do; said tells whether it was
 * said already. */
void complain_series(bool *said, const struct series_set *set);

/* Logs once that caches entering the slab top found no slot of the pool
 * (window/slabtop.h), with the first and what to do. */
void complain_slab_top(bool *said, const struct slab_top *t);

/* The text of an error of lowmem's sources, thread-safe: collectd's
 * sstrerror for -errno, the kind of file for a procfile_error. */
const char *complain_strerror(int err, char *buf, size_t cap);

#endif
