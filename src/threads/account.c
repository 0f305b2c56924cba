/* Each sample: read the stat file of every known thread, give its CPU
 * time since the last sample to its class, and feed each class's share of
 * the elapsed time to the window. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sources/taskstat.h"
#include "internal.h"

int threads_init(struct threads *t, const struct threads_config *config,
                 struct series_set *set) {
  static const char bdi_dir[] = "/kernel/debug/bdi";

  memset(t, 0, sizeof(*t));
  t->set = set;
  t->config = *config;
  t->unbound_share = -1;
  t->children.fd = -1;
  t->config.proc_path = strdup(config->proc_path);
  t->config.sys_path = strdup(config->sys_path);
  if (t->config.proc_path == NULL || t->config.sys_path == NULL)
    return -ENOMEM;
  size_t n = strlen(config->sys_path) + sizeof(bdi_dir);
  t->bdi_root = malloc(n);
  if (t->bdi_root == NULL)
    return -ENOMEM;
  memcpy(t->bdi_root, config->sys_path, n - sizeof(bdi_dir));
  memcpy(t->bdi_root + n - sizeof(bdi_dir), bdi_dir, sizeof(bdi_dir));
  if (t->config.clk_tck <= 0)
    t->config.clk_tck = 100;
  return procfile_init(&t->children, t->config.proc_path, "2/task/2/children");
}

void threads_destroy(struct threads *t) {
  for (size_t i = 0; i < t->nr_kt; i++)
    procfile_destroy(&t->kt[i].stat);
  for (size_t i = 0; i < t->nr_dev; i++)
    if (t->dev[i].bdi_tracked)
      procfile_destroy(&t->dev[i].stats);
  procfile_destroy(&t->children);
  free(t->kt);
  free(t->dev);
  free(t->shares);
  free(t->nodes);
  free(t->rejected);
  free(t->rejected_next);
  free(t->bdi_root);
  free((char *)t->config.proc_path);
  free((char *)t->config.sys_path);
  memset(t, 0, sizeof(*t));
}

static void share_part(struct threads *t, int share, double seconds) {
  if (share >= 0)
    t->shares[share].part += seconds;
}

/* A worker's CPU since the last sample goes to the device its name shows
 * now (running or last run); when it shows none, to the device it was
 * running a flush for at the last sample: the interval began with that
 * flush. Every worker's CPU also goes to the unbound total. */
static void account_worker(struct threads *t, struct kthread *kt,
                           const char *comm, double seconds) {
  struct kthread_name kn;

  kthread_name_parse(comm, &kn);
  int dev = kn.bdi ? threads_device(t, kn.bdi, kn.bdi_len) : -1;
  int to = dev >= 0 ? dev : (kt->last_running ? kt->last_device : -1);

  share_part(t, t->unbound_share, seconds);
  if (dev >= 0)
    threads_device_share(t, dev);
  if (to >= 0 && seconds > 0)
    share_part(t, threads_device_share(t, to), seconds);
  kt->last_device = dev;
  kt->last_running = kn.running;
}

/* Reads thread i: false when it went away and was dropped. */
static bool account_thread(struct threads *t, size_t i) {
  struct kthread *kt = &t->kt[i];
  struct taskstat ts;

  /* ENOENT or ESRCH: the thread exited (kworkers come and go), and a
   * reused pid would show a different start time. Dropped quietly. */
  if (procfile_read(&kt->stat) != 0) {
    threads_drop(t, i);
    return false;
  }
  if (taskstat_parse(&ts, kt->stat.buf, kt->stat.len) != 0) {
    t->malformed++;
    return true;
  }
  if (ts.starttime != kt->starttime) {
    threads_drop(t, i);
    return false;
  }
  uint64_t ticks = ts.utime + ts.stime;
  double seconds = ticks > kt->ticks ? (double)(ticks - kt->ticks) /
                                           (double)t->config.clk_tck
                                     : 0;
  kt->ticks = ticks;
  if (kt->class == KTHREAD_UNBOUND)
    account_worker(t, kt, ts.comm, seconds);
  else
    share_part(t, kt->share, seconds);
  return true;
}

/* A share added in the middle of a window (a device first seen flushing)
 * is given the window's earlier time with no CPU, so that its percent is
 * of the same whole as the others': flush-<device> never exceeds
 * unbound_kworkers in the same window. */
static void feed_shares(struct threads *t, double elapsed) {
  double before = t->window_elapsed;

  for (size_t s = 0; s < t->nr_shares; s++) {
    struct thread_share *sh = &t->shares[s];
    if (sh->fresh && before > 0)
      series_share(t->set, sh->id, 0, before);
    sh->fresh = false;
    series_share(t->set, sh->id, sh->part, elapsed);
  }
  t->window_elapsed += elapsed;
}

void threads_sample(struct threads *t, double now, bool window_start) {
  if (window_start)
    t->window_elapsed = 0;
  if (!t->started || now >= t->next_discovery) {
    threads_discover(t);
    t->next_discovery = now + t->config.discovery_interval;
  }
  for (size_t s = 0; s < t->nr_shares; s++)
    t->shares[s].part = 0;
  for (size_t i = 0; i < t->nr_kt;)
    if (account_thread(t, i))
      i++;

  /* The first sample only sets the baselines. */
  double elapsed = now - t->last_now;
  if (t->started && elapsed > 0)
    feed_shares(t, elapsed);
  if (t->config.bdi_stats) {
    bool due = !t->started || now >= t->next_bdi;
    threads_bdi_sample(t, due, window_start);
    if (due)
      t->next_bdi = now + t->config.bdi_interval;
  }
  t->last_now = now;
  t->started = true;
}
