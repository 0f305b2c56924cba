/* lowmem-bench-threads: what following the writeback and reclaim threads
 * costs per sample, and that the cost does not grow with the number of
 * tasks on the machine.
 *
 * Rows, on the live /proc, first as the machine is, then again in the
 * same run with N extra idle threads alive (5,000 by default, started by
 * this program with small stacks, waiting on a condition variable):
 *
 *   raw stat reads   pread of the stat files lowmem keeps open, no parsing:
 *                    the kernel's own cost, which no reader avoids
 *   per sample       threads_sample() without a discovery: read, parse and
 *                    account every known thread, feed the window
 *   discovery        one discovery through kthreadd's children file (every
 *                    ThreadDiscoveryInterval, 5 s by default)
 *   discovery (walk) the same through a walk of /proc, as on kernels
 *                    without the children file (before 3.5)
 *   full task walk   every /proc/<pid>/task/<tid>/stat opened, read and
 *                    parsed: what a per-sample scan of all tasks costs
 *                    (collectd's processes plugin does about this)
 *
 * Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID, the kernel's
 * work in read included), medians over rounds in which the rows take
 * turns. An alarm bounds the whole run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "sources/taskstat.h"
#include "threads/internal.h"
#include "util/kfile.h"
#include "threads/threads.h"

#define WINDOW_SAMPLES 10 /* a 1 s window at 0.1 s */
#define RUN_TIMEOUT 600   /* seconds: the whole run, threads included */

/* --- options ---------------------------------------------------------------*/

struct options {
  unsigned samples, rounds, threads;
  const char *proc, *sys;
};

static void usage(FILE *f) {
  fprintf(f, "usage: lowmem-bench-threads [-n SAMPLES] [-r ROUNDS] "
             "[-t THREADS] [--proc DIR] [--sys DIR]\n"
             "  -n N  samples per row in each round (default 300)\n"
             "  -r N  rounds (default 15)\n"
             "  -t N  extra idle threads for the second half (default 5000)\n");
}

static int parse_options(int argc, char **argv, struct options *o) {
  static const struct option longopts[] = {
      {"proc", required_argument, NULL, 'p'},
      {"sys", required_argument, NULL, 's'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c;

  *o = (struct options){300, 15, 5000, "/proc", "/sys"};
  while ((c = getopt_long(argc, argv, "n:r:t:h", longopts, NULL)) != -1) {
    bool ok = true;
    switch (c) {
    case 'n':
      ok = bench_parse_count(optarg, 1, 1000000, &o->samples);
      break;
    case 'r':
      ok = bench_parse_count(optarg, 1, 1000, &o->rounds);
      break;
    case 't':
      ok = bench_parse_count(optarg, 0, 100000, &o->threads);
      break;
    case 'p':
      o->proc = optarg;
      break;
    case 's':
      o->sys = optarg;
      break;
    case 'h':
      usage(stdout);
      return 1;
    default:
      ok = false;
    }
    if (!ok) {
      usage(stderr);
      return -1;
    }
  }
  return optind == argc ? 0 : -1;
}

/* --- idle threads ----------------------------------------------------------*/

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static bool idle_release;

static void *idle_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&idle_lock);
  while (!idle_release)
    pthread_cond_wait(&idle_cond, &idle_lock);
  pthread_mutex_unlock(&idle_lock);
  return NULL;
}

/* Starts up to n threads; returns how many started. */
static unsigned idle_start(pthread_t *tids, unsigned n) {
  pthread_attr_t attr;
  unsigned i;

  pthread_attr_init(&attr);
  size_t stack = 64 * 1024;
  if (stack < (size_t)PTHREAD_STACK_MIN)
    stack = (size_t)PTHREAD_STACK_MIN;
  pthread_attr_setstacksize(&attr, stack);
  for (i = 0; i < n; i++)
    if (pthread_create(&tids[i], &attr, idle_thread, NULL) != 0)
      break;
  pthread_attr_destroy(&attr);
  return i;
}

static void idle_stop(pthread_t *tids, unsigned n) {
  pthread_mutex_lock(&idle_lock);
  idle_release = true;
  pthread_cond_broadcast(&idle_cond);
  pthread_mutex_unlock(&idle_lock);
  for (unsigned i = 0; i < n; i++)
    pthread_join(tids[i], NULL);
}

/* --- the rows --------------------------------------------------------------*/

struct ctx {
  const struct options *o;
  struct series_set set, walk_set;
  struct threads t;    /* children file */
  struct threads walk; /* /proc walk */
  double now;
  unsigned long ticks;
  unsigned long tasks; /* seen by the last full task walk */
  uint64_t sink;
};

typedef void row_fn(struct ctx *c);

static void row_raw(struct ctx *c) {
  char buf[4096];
  for (size_t i = 0; i < c->t.nr_kt; i++) {
    ssize_t n = pread(c->t.kt[i].stat.fd, buf, sizeof(buf), 0);
    c->sink += (uint64_t)n;
  }
}

static void row_sample(struct ctx *c) {
  c->now += 0.1;
  threads_sample(&c->t, c->now, c->ticks % WINDOW_SAMPLES == 0);
  if (++c->ticks % WINDOW_SAMPLES == 0)
    series_reset(&c->set);
}

static void row_discovery(struct ctx *c) { threads_discover(&c->t); }

static void row_walk(struct ctx *c) { threads_discover(&c->walk); }

static void row_full_walk(struct ctx *c) {
  char path[PATH_MAX], buf[4096];
  DIR *proc = opendir(c->o->proc);
  struct dirent *p, *t;
  unsigned long tasks = 0;

  if (proc == NULL)
    return;
  while ((p = readdir(proc)) != NULL) {
    if (p->d_name[0] < '0' || p->d_name[0] > '9')
      continue;
    snprintf(path, sizeof(path), "%s/%s/task", c->o->proc, p->d_name);
    DIR *task = opendir(path);
    if (task == NULL)
      continue;
    while ((t = readdir(task)) != NULL) {
      if (t->d_name[0] < '0' || t->d_name[0] > '9')
        continue;
      snprintf(path, sizeof(path), "%s/%s/task/%s/stat", c->o->proc, p->d_name,
               t->d_name);
      long n = kfile_read_small(AT_FDCWD, path, buf, sizeof(buf));
      struct taskstat ts;
      if (n > 0 && taskstat_parse(&ts, buf, (size_t)n) == 0) {
        c->sink += ts.utime + ts.stime;
        tasks++;
      }
    }
    closedir(task);
  }
  closedir(proc);
  c->tasks = tasks;
}

enum { ROW_RAW, ROW_SAMPLE, ROW_DISCOVERY, ROW_WALK, ROW_FULL, ROW_NR };

static const struct {
  const char *label;
  row_fn *fn;
  unsigned divisor; /* fewer passes of the slow rows */
} rows[ROW_NR] = {
    [ROW_RAW] = {"raw stat reads", row_raw, 1},
    [ROW_SAMPLE] = {"per sample", row_sample, 1},
    [ROW_DISCOVERY] = {"discovery", row_discovery, 10},
    [ROW_WALK] = {"discovery (walk)", row_walk, 30},
    [ROW_FULL] = {"full task walk", row_full_walk, 100},
};

struct result {
  double us[ROW_NR];
  double heap_per_sample; /* per-sample row, once warm */
  size_t tracked;
  unsigned long tasks;
};

/* Rounds in which the rows take turns (reversed every other round). */
static int measure(struct ctx *c, struct result *res) {
  const struct options *o = c->o;
  double *per[ROW_NR];
  unsigned long long heap = 0, heap_samples = 0;

  for (int r = 0; r < ROW_NR; r++) {
    per[r] = calloc(o->rounds, sizeof(double));
    if (per[r] == NULL)
      return -ENOMEM;
  }
  for (int r = 0; r < ROW_NR; r++) /* warm up */
    for (unsigned i = 0; i < 5; i++)
      rows[r].fn(c);
  for (unsigned round = 0; round < o->rounds; round++)
    for (int k = 0; k < ROW_NR; k++) {
      int r = round % 2 ? ROW_NR - 1 - k : k;
      unsigned n = o->samples / rows[r].divisor;
      if (n == 0)
        n = 1;
      struct bench_span span;
      bench_span_begin(&span);
      for (unsigned i = 0; i < n; i++)
        rows[r].fn(c);
      bench_span_end(&span, n);
      per[r][round] = span.cpu_us;
      if (r == ROW_SAMPLE) {
        heap += span.heap;
        heap_samples += n;
      }
    }
  for (int r = 0; r < ROW_NR; r++) {
    res->us[r] = bench_median(per[r], o->rounds);
    free(per[r]);
  }
  res->heap_per_sample = heap_samples ? (double)heap / heap_samples : 0;
  res->tracked = c->t.nr_kt;
  res->tasks = c->tasks;
  return 0;
}

static int ctx_init(struct ctx *c, const struct options *o) {
  long tck = sysconf(_SC_CLK_TCK);
  struct threads_config tc = {
      .proc_path = o->proc,
      .sys_path = o->sys,
      .discovery_interval = 1e9, /* the per-sample row never discovers */
      .bdi_stats = true,
      .bdi_interval = 1, /* every 10th sample */
      .clk_tck = tck > 0 ? tck : 100,
  };

  memset(c, 0, sizeof(*c));
  c->o = o;
  series_init(&c->set, 10000);
  series_init(&c->walk_set, 10000);
  if (threads_init(&c->t, &tc, &c->set) != 0 ||
      threads_init(&c->walk, &tc, &c->walk_set) != 0)
    return -ENOMEM;
  c->walk.no_children = true;
  c->now = 1000;
  threads_sample(&c->t, c->now, true);
  threads_sample(&c->walk, c->now, true);
  return 0;
}

static void ctx_destroy(struct ctx *c) {
  threads_destroy(&c->t);
  threads_destroy(&c->walk);
  series_free(&c->set);
  series_free(&c->walk_set);
}

static void print_results(const struct result res[2], unsigned extra,
                          const struct ctx *c) {
  printf("%-18s %14s %18s %7s\n", "row", "none, us", "+threads, us", "ratio");
  for (int r = 0; r < ROW_NR; r++) {
    char label[48];
    snprintf(label, sizeof(label), "%s", rows[r].label);
    printf("%-18s %14.2f %18.2f %7.2f\n", label, res[0].us[r], res[1].us[r],
           res[1].us[r] / res[0].us[r]);
  }
  printf("\nthreads followed: %zu, then %zu (%s); tasks on the machine: %lu, "
         "then %lu (+%u idle threads)\n",
         res[0].tracked, res[1].tracked,
         c->t.no_children ? "found by walking /proc"
                          : "found through kthreadd's children",
         res[0].tasks, res[1].tasks, extra);
  size_t bdi = 0;
  for (size_t i = 0; i < c->t.nr_dev; i++)
    bdi += c->t.dev[i].bdi_tracked;
  if (c->t.bdi_err == 0)
    printf("devices whose debugfs writeback state is read (every %g s, in "
           "the per-sample row): %zu\n",
           c->t.config.bdi_interval, bdi);
  else
    printf("debugfs bdi stats: not read (%s: %s)\n", c->t.bdi_root,
           strerror(-c->t.bdi_err));
  if (BENCH_COUNTS_HEAP)
    printf("heap calls per sample once warm: %g, then %g\n",
           res[0].heap_per_sample, res[1].heap_per_sample);
  printf("per sample at 10 Hz: %.1f us/s (%.4f%% of a core), discovery "
         "every 5 s: %.1f us/s\n",
         res[1].us[ROW_SAMPLE] * 10, res[1].us[ROW_SAMPLE] * 10 / 1e4,
         res[1].us[ROW_DISCOVERY] / 5);
  printf("a full task walk at 10 Hz instead: %.0f us/s (%.2f%% of a core)\n",
         res[1].us[ROW_FULL] * 10, res[1].us[ROW_FULL] * 10 / 1e4);
}

int main(int argc, char **argv) {
  struct options o;
  struct ctx c;
  struct result res[2];
  int rc = parse_options(argc, argv, &o);

  if (rc != 0)
    return rc > 0 ? 0 : 2;
  alarm(RUN_TIMEOUT); /* whatever happens, the run ends */
  if (ctx_init(&c, &o) != 0) {
    fprintf(stderr, "lowmem-bench-threads: out of memory\n");
    return 1;
  }
  printf("\nwriteback and reclaim threads: CPU us per pass, medians of %u "
         "rounds\n",
         o.rounds);
  if (measure(&c, &res[0]) != 0)
    return 1;

  pthread_t *tids = calloc(o.threads ? o.threads : 1, sizeof(*tids));
  if (tids == NULL)
    return 1;
  unsigned started = idle_start(tids, o.threads);
  if (started < o.threads)
    printf("note: only %u of %u threads could be started\n", started,
           o.threads);
  /* The new tasks exist now: a discovery sees them (and ignores them). */
  threads_discover(&c.t);
  threads_discover(&c.walk);
  rc = measure(&c, &res[1]);
  idle_stop(tids, started);
  free(tids);
  if (rc == 0)
    print_results(res, started, &c);
  ctx_destroy(&c);
  return rc == 0 ? 0 : 1;
}
