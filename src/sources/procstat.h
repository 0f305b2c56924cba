/* /proc/stat: the process counters of its last lines,
 *
 *   processes 179464        forks (and clones) since boot
 *   procs_running 1
 *   procs_blocked 0
 *
 * after the per-CPU times and an "intr" line that can hold thousands of
 * numbers, which are skipped unread. */
#ifndef LOWMEM_PROCSTAT_H
#define LOWMEM_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

enum procstat_field {
  PROCSTAT_PROCESSES,
  PROCSTAT_PROCS_RUNNING,
  PROCSTAT_PROCS_BLOCKED,
  PROCSTAT_NR
};

struct procstat {
  uint64_t value[PROCSTAT_NR];
  uint32_t present; /* bit (1u << field) per line printed */
  unsigned malformed;
};

/* Returns 0, or -EINVAL when no "processes" line was read. */
int procstat_parse(struct procstat *ps, const char *buf, size_t len);

static inline int procstat_has(const struct procstat *ps,
                               enum procstat_field f) {
  return (ps->present >> f) & 1u;
}

#endif
