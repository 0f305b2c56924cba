/* lowmem-bench-daemon: the helpers of bench/daemon.sh, which runs the real
 * collectd with lowmem and with the stock plugins and compares their CPU.
 *
 *   lowmem-bench-daemon cpu PID
 *       One line: CLOCK_MONOTONIC (ns), CLOCK_REALTIME (s), the process CPU
 *       clock of PID (ns), the sum of /proc/PID/task/<tid>/schedstat's first
 *       field (ns) and the number of threads. The process clock is the
 *       measure: the kernel keeps in it the time of threads that have
 *       exited, which a sum over the live threads loses, and it counts in
 *       ns where /proc/PID/stat's utime + stime count in clock ticks (10 ms:
 *       5% of what a 1% daemon uses in 20 s). The schedstat sum is read at
 *       the same moment as a check: while no thread exits the two agree.
 *
 *   lowmem-bench-daemon paced [-s SECONDS] [-w WARMUP] [--hz HZ] [--proc DIR]
 *       The kernel's floor when paced: reads the six files lowmem reads
 *       (zoneinfo, buddyinfo, slabinfo, meminfo, vmstat, pressure/memory),
 *       each through a kept descriptor with pread from offset 0 to EOF into
 *       a buffer that fits, HZ times a second with real pauses in between
 *       (clock_nanosleep to absolute deadlines), as collectd calls lowmem.
 *       Read back to back the files cost less (caches stay warm): the hot
 *       loop of lowmem-bench understates what a sample costs at 10 Hz.
 *       The six files alternate, 1 s at a time, with the five without
 *       slabinfo, so both sets see the same neighbours. Per set it prints
 *       the CPU time of the reads per sample (thread CPU clock around
 *       them, the kernel's work in pread included) and of the whole
 *       process per sample (the wake-ups and the sleeps included), as
 *       "paced SET SAMPLES READS_US TOTAL_US HEAP_CALLS". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* --- cpu PID ---------------------------------------------------------------*/

static int64_t ns_of(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Sum of the first field of every thread's schedstat (ns on CPU). */
static int schedstat_sum(pid_t pid, unsigned long long *sum,
                         unsigned *threads) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  if (d == NULL)
    return -errno;
  struct dirent *e;
  *sum = 0;
  *threads = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    char file[320];
    snprintf(file, sizeof(file), "/proc/%d/task/%s/schedstat", (int)pid,
             e->d_name);
    FILE *f = fopen(file, "re");
    if (f == NULL)
      continue; /* the thread has just exited */
    unsigned long long ns;
    if (fscanf(f, "%llu", &ns) == 1) {
      *sum += ns;
      (*threads)++;
    }
    fclose(f);
  }
  closedir(d);
  return 0;
}

static int cmd_cpu(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: lowmem-bench-daemon cpu PID\n");
    return 2;
  }
  char *end;
  long pid = strtol(argv[1], &end, 10);
  if (*end != '\0' || pid <= 0) {
    fprintf(stderr, "lowmem-bench-daemon: bad pid %s\n", argv[1]);
    return 2;
  }
  clockid_t clock;
  int err = clock_getcpuclockid((pid_t)pid, &clock);
  if (err != 0) {
    fprintf(stderr, "lowmem-bench-daemon: process %ld: %s\n", pid,
            strerror(err));
    return 1;
  }
  /* Both readings of the process together, between the two wall clocks. */
  struct timespec mono, real, cpu;
  unsigned long long sched = 0;
  unsigned threads = 0;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  if (clock_gettime(clock, &cpu) != 0)
    err = errno;
  else
    err = -schedstat_sum((pid_t)pid, &sched, &threads);
  if (err != 0) {
    fprintf(stderr, "lowmem-bench-daemon: process %ld: %s\n", pid,
            strerror(err));
    return 1;
  }
  printf("%lld %lld.%09ld %lld %llu %u\n", (long long)ns_of(&mono),
         (long long)real.tv_sec, real.tv_nsec, (long long)ns_of(&cpu), sched,
         threads);
  return 0;
}

/* --- paced -----------------------------------------------------------------*/

/* The reading of bench.c (and of lowmem's procfile): a kept descriptor,
 * preads from offset 0 on until EOF (a seq_file hands out about a page per
 * read, slabinfo takes several), the buffer doubled while a read fills
 * it. */
struct paced_file {
  const char *name;
  bool slab; /* left out of the set without slabinfo */
  int fd;
  char *buf;
  size_t cap;
};

static ssize_t paced_fill(struct paced_file *f) {
  size_t got = 0;
  while (got < f->cap) {
    ssize_t n = pread(f->fd, f->buf + got, f->cap - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

static int paced_read(struct paced_file *f) {
  for (;;) {
    ssize_t n = paced_fill(f);
    if (n < 0)
      return (int)n;
    if ((size_t)n < f->cap)
      return 0;
    char *bigger = realloc(f->buf, f->cap * 2);
    if (bigger == NULL)
      return -ENOMEM;
    f->buf = bigger;
    f->cap *= 2;
  }
}

enum { SET_ALL, SET_NOSLAB, SETS };
static const char *const set_name[SETS] = {"all", "noslab"};

struct paced_totals {
  unsigned samples;
  double reads_us;      /* thread CPU around the reads */
  double total_us;      /* process CPU over whole blocks */
  unsigned long long heap;
};

static double process_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ns_of(&ts) / 1e3;
}

static void deadline_add(struct timespec *t, long ns) {
  t->tv_nsec += ns;
  while (t->tv_nsec >= 1000000000) {
    t->tv_nsec -= 1000000000;
    t->tv_sec++;
  }
}

/* Sleeps to the next deadline. A deadline missed by more than a period
 * (the machine was busy) starts the pace again from now, rather than
 * reading back to back to catch up. */
static void pace(struct timespec *next, long period_ns) {
  struct timespec now;
  deadline_add(next, period_ns);
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (ns_of(&now) - ns_of(next) > period_ns) {
    *next = now;
    deadline_add(next, period_ns);
  }
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
    ;
}

/* One sample of a set; returns the thread CPU time of its reads, in us. */
static double paced_sample(struct paced_file *files, size_t n, int set) {
  double t0 = bench_cpu_us();
  for (size_t i = 0; i < n; i++) {
    if (files[i].fd < 0 || (set == SET_NOSLAB && files[i].slab))
      continue;
    int err = paced_read(&files[i]);
    if (err < 0) {
      fprintf(stderr, "lowmem-bench-daemon: %s: %s\n", files[i].name,
              strerror(-err));
      exit(1);
    }
  }
  return bench_cpu_us() - t0;
}

static void paced_usage(FILE *f) {
  fprintf(f, "usage: lowmem-bench-daemon paced [-s SECONDS] [-w WARMUP] "
             "[--hz HZ] [--proc DIR]\n"
             "  -s, --seconds N  measured time (default 20, 2 at least)\n"
             "  -w, --warmup N   unmeasured seconds first (default 1)\n"
             "  --hz N           samples a second (default 10)\n"
             "  --proc DIR       the proc tree to read (default /proc)\n");
}

static int cmd_paced(int argc, char **argv) {
  static const struct option longopts[] = {
      {"seconds", required_argument, NULL, 's'},
      {"warmup", required_argument, NULL, 'w'},
      {"hz", required_argument, NULL, 'z'},
      {"proc", required_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  unsigned seconds = 20, warmup = 1, hz = 10;
  const char *proc = "/proc";
  int c;

  while ((c = getopt_long(argc, argv, "s:w:h", longopts, NULL)) != -1) {
    bool ok = true;
    switch (c) {
    case 's':
      ok = bench_parse_count(optarg, 1, 3600, &seconds);
      break;
    case 'w':
      ok = bench_parse_count(optarg, 0, 600, &warmup);
      break;
    case 'z':
      ok = bench_parse_count(optarg, 1, 1000, &hz);
      break;
    case 'p':
      proc = optarg;
      break;
    case 'h':
      paced_usage(stdout);
      return 0;
    default:
      ok = false;
    }
    if (!ok) {
      paced_usage(stderr);
      return 2;
    }
  }
  if (optind != argc) {
    paced_usage(stderr);
    return 2;
  }

  struct paced_file files[] = {
      {"zoneinfo", false, -1, NULL, 0},  {"buddyinfo", false, -1, NULL, 0},
      {"slabinfo", true, -1, NULL, 0},   {"meminfo", false, -1, NULL, 0},
      {"vmstat", false, -1, NULL, 0},    {"pressure/memory", false, -1, NULL, 0},
  };
  size_t nfiles = sizeof(files) / sizeof(files[0]);
  for (size_t i = 0; i < nfiles; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", proc, files[i].name);
    files[i].fd = open(path, O_RDONLY | O_CLOEXEC);
    /* As lowmem does, a file that cannot be read (PSI off, slabinfo
     * without root) is left out, and said once. */
    if (files[i].fd < 0) {
      fprintf(stderr, "lowmem-bench-daemon: %s: %s (left out)\n", path,
              strerror(errno));
      continue;
    }
    files[i].cap = 4096;
    files[i].buf = malloc(files[i].cap);
    if (files[i].buf == NULL || paced_read(&files[i]) < 0) {
      fprintf(stderr, "lowmem-bench-daemon: %s: cannot read (left out)\n",
              path);
      close(files[i].fd);
      files[i].fd = -1;
    }
  }

  long period = 1000000000L / (long)hz;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (unsigned i = 0; i < warmup * hz; i++) {
    paced_sample(files, nfiles, (int)(i / hz) % SETS);
    pace(&next, period);
  }

  /* Blocks of one second, the sets alternating (two at least, one of
   * each); a block's process CPU runs from its first wake-up to the next
   * block's first. */
  struct paced_totals tot[SETS] = {{0}};
  unsigned blocks = seconds < SETS ? SETS : seconds;
  for (unsigned b = 0; b < blocks; b++) {
    int set = (int)(b % SETS);
    unsigned long long heap0 = bench_heap_calls();
    double p0 = process_cpu_us();
    for (unsigned i = 0; i < hz; i++) {
      tot[set].reads_us += paced_sample(files, nfiles, set);
      tot[set].samples++;
      pace(&next, period);
    }
    tot[set].total_us += process_cpu_us() - p0;
    tot[set].heap += bench_heap_calls() - heap0;
  }

  for (int s = 0; s < SETS; s++)
    if (tot[s].samples > 0)
      printf("paced %s %u %.2f %.2f %llu\n", set_name[s], tot[s].samples,
             tot[s].reads_us / tot[s].samples,
             tot[s].total_us / tot[s].samples, tot[s].heap);
  for (size_t i = 0; i < nfiles; i++) {
    if (files[i].fd >= 0)
      close(files[i].fd);
    free(files[i].buf);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "cpu") == 0)
    return cmd_cpu(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "paced") == 0)
    return cmd_paced(argc - 1, argv + 1);
  fprintf(stderr, "usage: lowmem-bench-daemon cpu PID\n"
                  "       lowmem-bench-daemon paced [options] (--help)\n");
  return 2;
}
