/* One process, from the files of /proc/<pid> besides stat (taskstat.h):
 *
 *   statm      "2531 1203 850 88 0 310 0": size, resident, shared, text,
 *              lib, data, dt in pages
 *   task/<tid>/children
 *              "4243 4244 ": the children of that thread (3.5+ with
 *              CONFIG_PROC_CHILDREN)
 *
 * The RSS comes from statm: it is the sum of the kernel's per-CPU counters,
 * as status's VmRSS and ps(1) print it, while stat's rss field (24) is the
 * cheaper, approximate read of the same counters and lags by up to a few
 * pages per CPU. */
#ifndef LOWMEM_PIDSTAT_H
#define LOWMEM_PIDSTAT_H

#include <stddef.h>
#include <stdint.h>

/* Resident pages from statm. Returns 0 or -EINVAL. */
int pidstat_parse_statm(uint64_t *resident, const char *buf, size_t len);

typedef void pid_fn(void *arg, uint64_t pid);

/* Calls fn for each pid of a children file. Returns the number of pids, or
 * -EINVAL at the first word that is not one (fn was called for those
 * before it). */
int pidstat_parse_children(const char *buf, size_t len, pid_fn *fn, void *arg);

#endif
