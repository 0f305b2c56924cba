#include "oom.h"

#include <string.h>

/* More log kills than counted ones can only pile up when the counter
 * stops being read; past this they are forgotten. */
#define LOG_SPARE_MAX 1000

void oom_init(struct oom_tracker *t) { memset(t, 0, sizeof(*t)); }

void oom_clear(struct oom_tracker *t) {
  t->nr_kills = 0;
  t->nr_failures = 0;
}

static void push_kill(struct oom_tracker *t, const struct oom_kill *k) {
  if (t->nr_kills >= OOM_QUEUE) {
    t->dropped++;
    return;
  }
  t->kills[t->nr_kills++] = *k;
}

static void start(struct oom_tracker *t, const struct kmsg_record *r,
                  double now) {
  memset(&t->cur, 0, sizeof(t->cur));
  t->cur.seen = now;
  if (r->has & KMSG_HAS_TIME) {
    t->cur.has_kernel_time = true;
    t->cur.kernel_usec = r->ts_usec;
  }
  t->pending = true;
}

/* A report that ends without its victim line. */
static void close_early(struct oom_tracker *t) {
  if (!t->pending)
    return;
  t->cur.closed_early = true;
  /* Its victim line may be what was lost: a kill the counter saw stands
   * for it, rather than being told again on its own. */
  if (t->counter_pending > 0) {
    t->counter_pending--;
    t->cur.counted = true;
  }
  push_kill(t, &t->cur);
  t->pending = false;
  t->want_invoker_pid = false;
}

static void counted_by_log(struct oom_tracker *t) {
  if (t->counter_pending > 0)
    t->counter_pending--;
  else if (t->counter_known && t->log_spare < LOG_SPARE_MAX)
    t->log_spare++;
}

static void on_invoked(struct oom_tracker *t, const struct kmsg_record *r,
                       double now) {
  close_early(t);
  start(t, r, now);
  struct oom_kill *k = &t->cur;
  k->has_invoker = true;
  memcpy(k->invoker, r->comm, sizeof(k->invoker));
  k->invoker_has = r->has & (KMSG_HAS_GFP | KMSG_HAS_GFP_FLAGS |
                             KMSG_HAS_ORDER | KMSG_HAS_OOM_SCORE_ADJ);
  k->gfp_mask = r->gfp_mask;
  memcpy(k->gfp_flags, r->gfp_flags, sizeof(k->gfp_flags));
  k->order = r->order;
  k->invoker_oom_score_adj = r->oom_score_adj;
  t->want_invoker_pid = true;
}

static void on_task(struct oom_tracker *t, const struct kmsg_record *r) {
  if (t->want_invoker_pid && t->pending &&
      strcmp(t->cur.invoker, r->comm) == 0) {
    t->cur.has_invoker_pid = true;
    t->cur.invoker_pid = r->pid;
    t->want_invoker_pid = false;
  }
  if (t->want_failure_pid && t->nr_failures > 0) {
    struct alloc_failure *f = &t->failures[t->nr_failures - 1];
    if (strcmp(f->comm, r->comm) == 0) {
      f->has_pid = true;
      f->pid = r->pid;
    }
    t->want_failure_pid = false;
  }
}

static void set_scope(struct oom_kill *k, enum kmsg_scope scope) {
  if (scope != KMSG_SCOPE_UNKNOWN && k->scope == KMSG_SCOPE_UNKNOWN)
    k->scope = scope;
}

static void on_constraint(struct oom_tracker *t, const struct kmsg_record *r,
                          double now) {
  if (!t->pending)
    start(t, r, now);
  struct oom_kill *k = &t->cur;
  /* The summary line is the kernel's own word on the scope. */
  k->scope = r->scope;
  memcpy(k->constraint, r->constraint, sizeof(k->constraint));
  if (r->has & KMSG_HAS_MEMCG)
    memcpy(k->memcg, r->memcg, sizeof(k->memcg));
  k->has_victim = true;
  memcpy(k->victim, r->comm, sizeof(k->victim));
  k->victim_pid = r->pid;
  k->uid = r->uid;
  k->victim_has = r->has & (KMSG_HAS_PID | KMSG_HAS_UID);
}

static void on_select(struct oom_tracker *t, const struct kmsg_record *r,
                      double now) {
  if (!t->pending)
    start(t, r, now);
  struct oom_kill *k = &t->cur;
  set_scope(k, r->scope);
  k->has_victim = true;
  memcpy(k->victim, r->comm, sizeof(k->victim));
  k->victim_pid = r->pid;
  k->score = r->score;
  k->victim_has = r->has & (KMSG_HAS_PID | KMSG_HAS_SCORE);
}

static void on_killed(struct oom_tracker *t, const struct kmsg_record *r,
                      double now) {
  if (!t->pending)
    start(t, r, now);
  struct oom_kill *k = &t->cur;
  set_scope(k, r->scope);
  /* The chosen task's fields stay only if it is the one killed (not a
   * child sacrificed for it). */
  unsigned keep = k->has_victim && k->victim_pid == r->pid
                      ? k->victim_has & (KMSG_HAS_UID | KMSG_HAS_SCORE)
                      : 0;
  if (!(keep & KMSG_HAS_SCORE))
    k->score = 0;
  if (!(keep & KMSG_HAS_UID))
    k->uid = 0;
  k->has_victim = true;
  memcpy(k->victim, r->comm, sizeof(k->victim));
  k->victim_pid = r->pid;
  k->victim_has =
      keep |
      (r->has & (KMSG_HAS_PID | KMSG_HAS_UID | KMSG_HAS_TOTAL_VM |
                 KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS | KMSG_HAS_SHMEM_RSS |
                 KMSG_HAS_PGTABLES | KMSG_HAS_OOM_SCORE_ADJ));
  if (r->has & KMSG_HAS_UID)
    k->uid = r->uid;
  k->total_vm_kb = r->total_vm_kb;
  k->anon_rss_kb = r->anon_rss_kb;
  k->file_rss_kb = r->file_rss_kb;
  k->shmem_rss_kb = r->shmem_rss_kb;
  k->pgtables_kb = r->pgtables_kb;
  k->victim_oom_score_adj = r->oom_score_adj;
  push_kill(t, k);
  t->pending = false;
  t->want_invoker_pid = false;
  counted_by_log(t);
}

static void on_alloc_failure(struct oom_tracker *t, const struct kmsg_record *r,
                             double now) {
  if (t->nr_failures >= OOM_QUEUE) {
    t->dropped++;
    return;
  }
  struct alloc_failure *f = &t->failures[t->nr_failures++];
  memset(f, 0, sizeof(*f));
  f->seen = now;
  f->has_kernel_time = r->has & KMSG_HAS_TIME;
  f->kernel_usec = r->ts_usec;
  memcpy(f->comm, r->comm, sizeof(f->comm));
  f->order = (unsigned)r->order;
  f->gfp_mask = r->gfp_mask;
  f->has_gfp_flags = r->has & KMSG_HAS_GFP_FLAGS;
  memcpy(f->gfp_flags, r->gfp_flags, sizeof(f->gfp_flags));
  t->want_failure_pid = true;
}

void oom_feed(struct oom_tracker *t, const struct kmsg_record *r, double now) {
  if (r->malformed)
    t->malformed++;
  switch (r->kind) {
  case KMSG_OOM_INVOKED:
    on_invoked(t, r, now);
    break;
  case KMSG_TASK:
    on_task(t, r);
    break;
  case KMSG_OOM_CONSTRAINT:
    on_constraint(t, r, now);
    break;
  case KMSG_OOM_SELECT:
    on_select(t, r, now);
    break;
  case KMSG_OOM_KILLED:
    on_killed(t, r, now);
    break;
  case KMSG_MEMCG_USAGE:
    if (t->pending) {
      t->cur.has_memcg_usage = true;
      t->cur.memcg_usage_kb = r->memcg_usage_kb;
      t->cur.memcg_limit_kb = r->memcg_limit_kb;
      set_scope(&t->cur, KMSG_SCOPE_MEMCG);
    }
    break;
  case KMSG_MEMCG_TASK_IN:
    if (t->pending) {
      if (t->cur.memcg[0] == '\0')
        memcpy(t->cur.memcg, r->memcg, sizeof(t->cur.memcg));
      set_scope(&t->cur, KMSG_SCOPE_MEMCG);
    }
    break;
  case KMSG_ALLOC_FAILURE:
    on_alloc_failure(t, r, now);
    break;
  case KMSG_OTHER:
    break;
  }
}

void oom_counter(struct oom_tracker *t, bool has, uint64_t value, double now) {
  if (!has) {
    t->counter_known = false;
    t->counter_pending = 0;
    t->log_spare = 0;
    return;
  }
  if (!t->counter_known || value < t->counter_last) {
    t->counter_known = true;
    t->counter_last = value;
    t->log_spare = 0;
    return;
  }
  uint64_t delta = value - t->counter_last;
  t->counter_last = value;
  uint64_t matched = delta < t->log_spare ? delta : t->log_spare;
  t->log_spare -= (unsigned)matched;
  delta -= matched;
  if (delta == 0)
    return;
  if (t->counter_pending == 0)
    t->counter_since = now;
  t->counter_pending += delta > 1000000 ? 1000000 : (unsigned)delta;
}

void oom_tick(struct oom_tracker *t, double now) {
  if (t->pending && now - t->cur.seen >= OOM_ASSEMBLY_SECONDS)
    close_early(t);
  if (t->counter_pending > 0 && now - t->counter_since >= OOM_COUNTER_GRACE) {
    struct oom_kill k;
    memset(&k, 0, sizeof(k));
    k.seen = t->counter_since;
    k.counted_only = t->counter_pending;
    push_kill(t, &k);
    t->counter_pending = 0;
  }
}
