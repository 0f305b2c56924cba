/* Discovery: which kernel threads to read each sample.
 *
 * Every kernel thread is a child of kthreadd (pid 2), so on 3.5+ kernels
 * its children file lists them all in one read (~10 us for 60 threads
 * here) without touching the user processes; older kernels have no such
 * file and /proc is walked instead. Either way the stat file of each
 * thread not known yet is read once: the flags (PF_KTHREAD) tell a
 * kernel thread from a user-mode helper (kthreadd's child as well) or a
 * process that only calls itself "kswapd0", the name tells its class. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sources/parse.h"
#include "../sources/taskstat.h"
#include "../util/array.h"
#include "../util/kfile.h"
#include "internal.h"
#include "../util/array.h"
#include "../util/kfile.h"

/* stat of a kernel thread: 52 fields at most, and a name of 63. */
enum { STAT_MAX = 2048 };

void threads_drop(struct threads *t, size_t i) {
  procfile_destroy(&t->kt[i].stat);
  t->kt[i] = t->kt[--t->nr_kt];
  t->dropped++;
}

/* The share of kswapdN or kcompactdN. */
static int node_share(struct threads *t, enum kthread_class class,
                      unsigned node) {
  for (size_t i = 0; i < t->nr_nodes; i++)
    if (t->nodes[i].class == class && t->nodes[i].node == node)
      return t->nodes[i].share;
  if (array_reserve(&t->nodes, &t->cap_nodes, t->nr_nodes + 1,
                   sizeof(*t->nodes)) != 0)
    return -1;
  char ti[32];
  snprintf(ti, sizeof(ti), "%s%u",
           class == KTHREAD_KSWAPD ? "kswapd" : "kcompactd", node);
  int share = threads_share_add(t, ti);
  t->nodes[t->nr_nodes++] = (struct node_share){class, node, share};
  return share;
}

/* Where a new thread's CPU goes. */
static void kthread_place(struct threads *t, struct kthread *kt,
                          const struct kthread_name *kn) {
  int dev = kn->bdi ? threads_device(t, kn->bdi, kn->bdi_len) : -1;

  kt->share = -1;
  kt->last_device = -1;
  switch (kn->class) {
  case KTHREAD_KSWAPD:
  case KTHREAD_KCOMPACTD:
    kt->share = node_share(t, kn->class, kn->node);
    break;
  case KTHREAD_FLUSH:
    kt->share = threads_device_share(t, dev);
    break;
  case KTHREAD_UNBOUND:
    if (t->unbound_share < 0)
      t->unbound_share = threads_share_add(t, "unbound_kworkers");
    if (dev >= 0)
      threads_device_share(t, dev);
    kt->last_device = dev;
    kt->last_running = kn->running;
    break;
  case KTHREAD_OTHER:
    break;
  }
}

static void kthread_add(struct threads *t, const struct taskstat *ts,
                        const struct kthread_name *kn) {
  char rel[64];

  if (t->nr_kt >= THREADS_MAX_THREADS ||
      array_reserve(&t->kt, &t->cap_kt, t->nr_kt + 1, sizeof(*t->kt)) != 0) {
    t->full = true;
    return;
  }
  struct kthread *kt = &t->kt[t->nr_kt];
  memset(kt, 0, sizeof(*kt));
  snprintf(rel, sizeof(rel), "%" PRIu64 "/task/%" PRIu64 "/stat", ts->pid,
           ts->pid);
  if (procfile_init(&kt->stat, t->config.proc_path, rel) != 0) {
    t->full = true;
    return;
  }
  kt->pid = ts->pid;
  kt->starttime = ts->starttime;
  kt->ticks = ts->utime + ts->stime;
  kt->class = kn->class;
  kt->seen = true;
  kthread_place(t, kt, kn);
  t->nr_kt++;
}

static int pid_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static bool was_rejected(const struct threads *t, uint64_t pid) {
  return t->nr_rejected &&
         bsearch(&pid, t->rejected, t->nr_rejected, sizeof(pid), pid_cmp);
}

/* Remembered for the next discovery; if memory is short it is read again
 * then, which costs time, not correctness. */
static void reject(struct threads *t, uint64_t pid) {
  if (array_reserve(&t->rejected_next, &t->cap_rejected_next,
                   t->nr_rejected_next + 1, sizeof(pid)) == 0)
    t->rejected_next[t->nr_rejected_next++] = pid;
}

/* A thread of the listing: known, known not to be ours, or read once and
 * kept if it is ours. */
static void visit(struct threads *t, uint64_t pid) {
  char path[4096], buf[STAT_MAX];
  struct taskstat ts;
  struct kthread_name kn;

  for (size_t i = 0; i < t->nr_kt; i++)
    if (t->kt[i].pid == pid) {
      t->kt[i].seen = true;
      return;
    }
  if (was_rejected(t, pid)) {
    reject(t, pid);
    return;
  }
  snprintf(path, sizeof(path), "%s/%" PRIu64 "/task/%" PRIu64 "/stat",
           t->config.proc_path, pid, pid);
  /* Gone since the listing, or not readable: nothing to keep. */
  long n = kfile_read_small(AT_FDCWD, path, buf, sizeof(buf));
  if (n <= 0)
    return;
  if (taskstat_parse(&ts, buf, (size_t)n) != 0) {
    t->malformed++;
    return;
  }
  kthread_name_parse(ts.comm, &kn);
  /* A new kernel thread may not have its name yet (kthreadd's for a
   * moment): only named ones are remembered as not ours. */
  if (!(ts.flags & TASKSTAT_PF_KTHREAD) ||
      (kn.class == KTHREAD_OTHER && strcmp(ts.comm, "kthreadd") != 0))
    reject(t, pid);
  else if (kn.class != KTHREAD_OTHER)
    kthread_add(t, &ts, &kn);
}

/* kthreadd's children: "3 4 5 ... " on one line. */
static void visit_children(struct threads *t, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  uint64_t pid;

  for (;;) {
    while (p < end && (*p == ' ' || *p == '\n'))
      p++;
    if (p >= end)
      break;
    if (!parse_u64(&p, end, &pid)) {
      t->malformed++;
      return;
    }
    visit(t, pid);
  }
}

/* Kernels before 3.5 (and those without CONFIG_PROC_CHILDREN): every
 * process of /proc; kernel threads are processes of one thread each. */
static int walk_proc(struct threads *t) {
  DIR *dir = opendir(t->config.proc_path);
  struct dirent *e;

  if (dir == NULL)
    return -errno;
  while ((e = readdir(dir)) != NULL) {
    const char *p = e->d_name, *end = p + strlen(p);
    uint64_t pid;
    if (isdigit((unsigned char)*p) && parse_u64(&p, end, &pid) && p == end)
      visit(t, pid);
  }
  closedir(dir);
  return 0;
}

static int list_kthreads(struct threads *t) {
  if (!t->no_children) {
    int err = procfile_read(&t->children);
    if (err == 0) {
      visit_children(t, t->children.buf, t->children.len);
      return 0;
    }
    if (err != -ENOENT)
      return err;
    t->no_children = true;
    procfile_close(&t->children);
  }
  return walk_proc(t);
}

/* The tasks rejected by this discovery become the ones to skip next. */
static void rejected_swap(struct threads *t, bool listed) {
  if (!listed) {
    t->nr_rejected_next = 0;
    return;
  }
  qsort(t->rejected_next, t->nr_rejected_next, sizeof(uint64_t), pid_cmp);
  uint64_t *v = t->rejected;
  size_t cap = t->cap_rejected;
  t->rejected = t->rejected_next;
  t->cap_rejected = t->cap_rejected_next;
  t->nr_rejected = t->nr_rejected_next;
  t->rejected_next = v;
  t->cap_rejected_next = cap;
  t->nr_rejected_next = 0;
}

void threads_discover(struct threads *t) {
  for (size_t i = 0; i < t->nr_kt; i++)
    t->kt[i].seen = false;
  if (t->discoveries % THREADS_REJECT_REFRESH == 0)
    t->nr_rejected = 0;
  t->nr_rejected_next = 0;
  t->discovery_err = list_kthreads(t);
  rejected_swap(t, t->discovery_err == 0);
  /* Threads the listing no longer shows have exited (their stat reads
   * would fail anyway); keep everything when the listing failed. */
  if (t->discovery_err == 0)
    for (size_t i = t->nr_kt; i-- > 0;)
      if (!t->kt[i].seen)
        threads_drop(t, i);
  if (t->config.bdi_stats)
    threads_bdi_discover(t);
  t->discoveries++;
}
