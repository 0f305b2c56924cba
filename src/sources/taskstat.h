/* /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: one line of a task's
 * state, proc(5):
 *   "812 (flush-0:17) R 2 0 0 0 -1 10485824 0 0 0 0 0 4211 ..."
 * The command name is in parentheses and may itself hold blanks and ')'
 * (a kworker's name carries its latest work, "kworker/u8:2+flush-254:0",
 * up to 63 characters since 4.18), so it ends at the LAST ')' of the
 * line; the fields after it are blank-separated. Some of them are signed
 * (tpgid is -1 for kernel threads, priority and nice may be negative):
 * only the unsigned ones below are read, the others skipped as words. */
#ifndef LOWMEM_TASKSTAT_H
#define LOWMEM_TASKSTAT_H

#include <stddef.h>
#include <stdint.h>

/* Longer names are cut: they are only matched by their start. */
#define TASKSTAT_COMM_LEN 72

/* Task flags (field 9) that tell a kernel thread; part of the ABI since
 * systemd and others rely on it (include/linux/sched.h). */
#define TASKSTAT_PF_KTHREAD 0x00200000u

struct taskstat {
  uint64_t pid;                 /* (1) */
  char comm[TASKSTAT_COMM_LEN]; /* (2), without the parentheses */
  char state;                   /* (3) R, S, D, I, Z ... */
  uint64_t ppid;                /* (4) */
  uint64_t flags;               /* (9) PF_* */
  uint64_t utime;               /* (14) user time, clock ticks */
  uint64_t stime;               /* (15) system time, clock ticks */
  uint64_t num_threads;         /* (20) */
  uint64_t starttime;           /* (22) start after boot, clock ticks */
};

/* Returns 0, or -EINVAL when the line has no "(comm)" or ends before
 * field 22 or holds a non-number where one is read. */
int taskstat_parse(struct taskstat *ts, const char *buf, size_t len);

#endif
