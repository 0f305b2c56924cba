/* Writeback and reclaim threads: who is flushing, for which device, at
 * what CPU cost; and each device's writeback state from debugfs.
 *
 * Walking every task of /proc each sample is what makes collectd's
 * processes plugin cost several percent of a core at 10 Hz. Here the
 * kernel threads are listed only every discovery interval (kthreadd's
 * children file, or a walk of /proc where the kernel has none), and the
 * stat files of the few that matter are kept open and read each sample:
 * kswapdN, kcompactdN, the flush-MAJ:MIN threads of 2.6.32 to 3.9, and
 * every worker of the unbound workqueues, where writeback runs since
 * 3.10. Keeping all unbound workers, not only those seen flushing, is
 * what lets a worker that starts flushing between two discoveries be
 * accounted: its name changes to "+flush-MAJ:MIN" while it works (4.18+).
 *
 * CPU is utime + stime (clock ticks) between two samples, fed to the
 * window as a share of the elapsed time (SERIES_SHARE): percent of one
 * CPU, so two CPUs busy with one class show 200.
 *
 * The kernel makes a device's debugfs stats by walking its lists of dirty
 * inodes under the writeback list lock (30 us for 4,857 dirty inodes
 * here), so they are read every bdi_interval, not every sample.
 *
 * Knows nothing of collectd: reads files under ProcPath and SysPath and
 * feeds series of lowmem's window; the glue reports the status fields. */
#ifndef LOWMEM_THREADS_H
#define LOWMEM_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sources/procfile.h"
#include "../window/series.h"
#include "classify.h"

/* Plugin instance of every series of this room ("lowmem-writeback/..."). */
#define THREADS_PLUGIN_INSTANCE "writeback"

/* Past these, threads and devices are not added (and `full` is set): a
 * kept descriptor each, and collectd's process has a limited number. */
#define THREADS_MAX_THREADS 512
#define THREADS_MAX_DEVICES 256

/* Discoveries between two complete re-reads of every task listed. */
#define THREADS_REJECT_REFRESH 12

#define THREADS_BDI_LEN 64   /* the kernel's name of a device: "254:0" */
#define THREADS_NAME_LEN 64  /* as dispatched: "vda", "0:17" */

struct threads_config {
  const char *proc_path;     /* "/proc" */
  const char *sys_path;      /* "/sys": dev/block/, kernel/debug/bdi/ */
  double discovery_interval; /* seconds between two discoveries */
  bool bdi_stats;            /* read <sys>/kernel/debug/bdi/<dev>/stats */
  double bdi_interval;       /* seconds between two reads of them */
  long clk_tck;              /* sysconf(_SC_CLK_TCK) */
};

/* The CPU share of one class in the window: a series and this sample's
 * CPU seconds. */
struct thread_share {
  int id; /* series, -1 when it could not be added */
  double part;
  bool fresh; /* added since the last sample was fed */
};

/* A device named by a flush thread, a worker or debugfs. */
struct wb_device {
  char bdi[THREADS_BDI_LEN];   /* the kernel's name: "254:0", "btrfs-1" */
  char name[THREADS_NAME_LEN]; /* DEVNAME from sysfs ("vda"), else bdi */
  int share;                   /* thread_cpu-flush-<name>, -1 until needed */
  bool bdi_tracked;            /* its debugfs stats are read each sample */
  bool bdi_in_window;          /* ... and were read in the open window */
  struct procfile stats;       /* <bdi root>/<bdi>/stats, when tracked */
  int bdi_ids[3];              /* writeback, reclaimable, dirty_threshold */
};

/* A kernel thread whose stat file is read each sample. */
struct kthread {
  uint64_t pid;       /* = tid: kernel threads are single-threaded */
  uint64_t starttime; /* (22): tells a reused pid */
  uint64_t ticks;     /* utime + stime at the last read */
  enum kthread_class class;
  int share;       /* KSWAPD, KCOMPACTD, FLUSH: its class's share */
  int last_device; /* device its name showed at the last read, -1 */
  bool last_running; /* ... while running the flush ("+flush-") */
  bool seen;         /* found by the discovery under way */
  struct procfile stat;
};

struct node_share {
  enum kthread_class class;
  unsigned node;
  int share;
};

struct threads {
  struct threads_config config; /* paths owned */
  struct series_set *set;
  char *bdi_root; /* <sys>/kernel/debug/bdi */

  struct kthread *kt;
  size_t nr_kt, cap_kt;
  struct wb_device *dev;
  size_t nr_dev, cap_dev;
  struct thread_share *shares;
  size_t nr_shares, cap_shares;
  struct node_share *nodes;
  size_t nr_nodes, cap_nodes;
  int unbound_share; /* thread_cpu-unbound_kworkers, -1 until seen */

  /* Tasks the last discovery read and found not to be ours, sorted: not
   * read again while the listing shows them (forgotten when it does not,
   * and all of them every THREADS_REJECT_REFRESH discoveries, in case a
   * pid was reused between two discoveries). */
  uint64_t *rejected, *rejected_next;
  size_t nr_rejected, cap_rejected, nr_rejected_next, cap_rejected_next;

  struct procfile children; /* <proc>/2/task/2/children (3.5+) */
  bool no_children;         /* the kernel has none: walk <proc> instead */
  bool started;
  double last_now, next_discovery, next_bdi;
  double window_elapsed; /* seconds of the open window fed so far */

  /* Status, for the glue to report on change. */
  int discovery_err; /* 0, or -errno of the last discovery's listing */
  int bdi_err;       /* 0, or -errno of listing the bdi root (BdiStats) */
  unsigned malformed; /* stat or bdi lines that could not be parsed */
  bool full;          /* a thread or device was left out: limits */
  /* Counts, for tests and the benchmark. */
  unsigned long discoveries;
  unsigned long dropped; /* tracked threads that went away */
};

/* Copies config (paths duplicated) and uses set for its series. Opens
 * nothing yet. Returns 0 or -ENOMEM. */
int threads_init(struct threads *t, const struct threads_config *config,
                 struct series_set *set);

/* One sample at monotonic time now (seconds), window_start when it is the
 * first of a window: a discovery when one is due (and at the first call),
 * then the stat file of every known thread and the debugfs stats of the
 * tracked devices, fed to the window. */
void threads_sample(struct threads *t, double now, bool window_start);

void threads_destroy(struct threads *t);

#endif
