/* OOM kills and allocation failures, assembled from kernel log records and
 * checked against the kernel's own count (vmstat oom_kill, 4.13+).
 *
 * An OOM report is many records. It starts with "<comm> invoked
 * oom-killer" (who asked, for what order and gfp), goes on with the
 * asking task's stack ("CPU: .. PID: .. Comm: .."), a cgroup's usage and
 * limit, the memory and task dumps, on 4.19+ the one-line summary
 * "oom-kill:constraint=...", before 5.x "Out of memory: Kill process ...
 * or sacrifice child" (the choice), and ends with "Killed process ..."
 * (the victim, who may be a child of the choice). A kill is complete when
 * that last line is read; a report that stops earlier (no victim, lost
 * records) is closed OOM_ASSEMBLY_SECONDS after it started, with what is
 * known. A log that starts in the middle of a report (the incident's
 * excerpt does) gives kills without their asking task.
 *
 * The counter: each kill adds one to oom_kill before its line is printed.
 * Kills counted but not seen in the log within OOM_COUNTER_GRACE (records
 * overwritten, no log to read, a log that lost lines) become kills of
 * their own, with the count and nothing else. */
#ifndef LOWMEM_OOM_H
#define LOWMEM_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sources/kmsg.h"

#define OOM_ASSEMBLY_SECONDS 2.0
#define OOM_COUNTER_GRACE 2.0
#define OOM_QUEUE 16 /* kills or failures waiting to be told, per kind */

struct oom_kill {
  double seen;           /* monotonic seconds: its first record, or count */
  bool has_kernel_time;  /* kernel_usec is the first record's timestamp */
  uint64_t kernel_usec;  /* microseconds since boot */
  unsigned counted_only; /* > 0: kills the counter showed, the log did not */
  bool closed_early;     /* no victim line before the report was closed */
  bool counted;          /* closed early, but the counter saw a kill */

  /* Who asked. */
  bool has_invoker;
  char invoker[KMSG_COMM_LEN];
  bool has_invoker_pid;
  uint64_t invoker_pid;
  unsigned invoker_has; /* KMSG_HAS_GFP, _GFP_FLAGS, _ORDER, _OOM_SCORE_ADJ */
  uint64_t gfp_mask;
  char gfp_flags[KMSG_GFP_LEN];
  int order;
  int64_t invoker_oom_score_adj;

  /* Whose memory ran out. */
  enum kmsg_scope scope;
  char constraint[KMSG_WORD_LEN];
  char memcg[KMSG_PATH_LEN];
  bool has_memcg_usage;
  uint64_t memcg_usage_kb, memcg_limit_kb;

  /* Who was killed. */
  bool has_victim;
  char victim[KMSG_COMM_LEN];
  unsigned victim_has; /* kmsg_has bits of the fields below */
  uint64_t victim_pid, uid, score;
  uint64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb;
  int64_t victim_oom_score_adj;
};

struct alloc_failure {
  double seen;
  bool has_kernel_time;
  uint64_t kernel_usec;
  char comm[KMSG_COMM_LEN];
  bool has_pid;
  uint64_t pid;
  unsigned order;
  uint64_t gfp_mask;
  bool has_gfp_flags;
  char gfp_flags[KMSG_GFP_LEN];
};

struct oom_tracker {
  bool pending;
  struct oom_kill cur;
  bool want_invoker_pid; /* the next task line may be the asking task's */
  bool want_failure_pid; /* ... or that of the last allocation failure */

  bool counter_known;
  uint64_t counter_last;
  unsigned counter_pending; /* counted, not yet seen in the log */
  double counter_since;
  unsigned log_spare; /* seen in the log, not yet counted */

  struct oom_kill kills[OOM_QUEUE];
  size_t nr_kills;
  struct alloc_failure failures[OOM_QUEUE];
  size_t nr_failures;
  unsigned dropped;   /* kills or failures past OOM_QUEUE */
  unsigned malformed; /* records that looked like ours, unreadable */
};

void oom_init(struct oom_tracker *t);

/* One kernel log record read at now (monotonic seconds). */
void oom_feed(struct oom_tracker *t, const struct kmsg_record *r, double now);

/* The oom_kill counter of this sample (has: the kernel prints it). */
void oom_counter(struct oom_tracker *t, bool has, uint64_t value, double now);

/* Closes a report that waited long enough, and turns kills counted but
 * not logged into kills of their own. */
void oom_tick(struct oom_tracker *t, double now);

/* The caller has told kills[] and failures[]: empty them. */
void oom_clear(struct oom_tracker *t);

#endif
