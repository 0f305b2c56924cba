/* lowmem-bench: what lowmem costs per sample, against the kernel's floor.
 *
 * Per source, samples go through procfile_read and the source's parser on
 * the live /proc, and in the same run the same file is read raw: a kept-open
 * descriptor read with pread from offset 0 to EOF into a buffer that fits,
 * which is what procfile does, without parsing. The kernel's cost of printing
 * the file is in both, so the difference is lowmem's own. The total row does
 * the same for a whole tick: sampler_read and metrics_add, with a window
 * closed every 10 samples (one 1 s window at 0.1 s), against the raw read of
 * every file. The naive column reads the same files the common way (fopen,
 * fgets and sscanf per line), as a reference point.
 *
 * The paths alternate in rounds (raw, lowmem, naive, then the reverse) and
 * the medians of the rounds are reported, so a busy neighbour on a shared
 * machine weighs on each alike. Times are the CPU time of this thread
 * (CLOCK_THREAD_CPUTIME_ID, which includes the kernel's work in pread),
 * with wall time beside them. Heap calls of each path are counted once
 * warm (common.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "sample/sampler.h"
#include "window/metrics.h"

#define BUDGET 1.30         /* lowmem / raw, parsing and windowing included */
#define WINDOW_SAMPLES 10   /* samples per dispatch window: 1 s at 0.1 s */
#define NAIVE_LINE_MAX 4096 /* longer lines are read in pieces */

/* --- options ---------------------------------------------------------------*/

struct options {
  unsigned samples; /* per path per round */
  unsigned rounds;
  unsigned warmup; /* samples per path before measuring */
  const char *proc;
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: lowmem-bench [-n SAMPLES] [-r ROUNDS] [-w WARMUP] "
          "[--proc DIR]\n"
          "  -n, --samples N  samples per path in each round (default 300)\n"
          "  -r, --rounds N   rounds, paths alternating (default 30)\n"
          "  -w, --warmup N   samples per path before measuring (default 50)\n"
          "  --proc DIR       the proc tree to read (default /proc)\n");
}

/* Returns 0, 1 after --help, or -1 on a bad option. */
static int parse_options(int argc, char **argv, struct options *o) {
  static const struct option longopts[] = {
      {"samples", required_argument, NULL, 'n'},
      {"rounds", required_argument, NULL, 'r'},
      {"warmup", required_argument, NULL, 'w'},
      {"proc", required_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int c;

  *o = (struct options){
      .samples = 300, .rounds = 30, .warmup = 50, .proc = "/proc"};
  while ((c = getopt_long(argc, argv, "n:r:w:h", longopts, NULL)) != -1) {
    bool ok = true;
    switch (c) {
    case 'n':
      ok = bench_parse_count(optarg, 1, 1000000, &o->samples);
      break;
    case 'r':
      ok = bench_parse_count(optarg, 1, 1000000, &o->rounds);
      break;
    case 'w':
      ok = bench_parse_count(optarg, 0, 1000000, &o->warmup);
      break;
    case 'p':
      o->proc = optarg;
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
  if (optind != argc) {
    usage(stderr);
    return -1;
  }
  return 0;
}

/* --- the raw read: the kernel's floor --------------------------------------*/

/* What procfile_read does, less the parsing: a kept descriptor, preads
 * from offset 0 on until EOF (a seq_file hands out about a page per read:
 * slabinfo takes several), the buffer doubled from 4096 while a read
 * fills it. */
struct raw_file {
  int fd;
  char *buf;
  size_t cap, len;
};

/* Bytes read up to EOF, cap when the buffer filled first, or -errno. */
static ssize_t raw_fill(struct raw_file *rf) {
  size_t got = 0;

  while (got < rf->cap) {
    ssize_t n = pread(rf->fd, rf->buf + got, rf->cap - got, (off_t)got);
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

static int raw_read(struct raw_file *rf) {
  for (;;) {
    ssize_t n = raw_fill(rf);
    if (n < 0)
      return (int)n;
    if ((size_t)n < rf->cap) {
      rf->len = (size_t)n;
      return 0;
    }
    char *bigger = realloc(rf->buf, rf->cap * 2);
    if (bigger == NULL)
      return -ENOMEM;
    rf->buf = bigger;
    rf->cap *= 2;
  }
}

static int raw_open(struct raw_file *rf, const char *path) {
  rf->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (rf->fd < 0)
    return -errno;
  rf->cap = 4096;
  rf->buf = malloc(rf->cap);
  if (rf->buf == NULL)
    return -ENOMEM;
  return raw_read(rf);
}

static void raw_close(struct raw_file *rf) {
  if (rf->fd >= 0)
    close(rf->fd);
  free(rf->buf);
  rf->fd = -1;
  rf->buf = NULL;
}

/* --- the naive read: fopen, fgets, sscanf ----------------------------------*/

/* What the values come to, so the work cannot be left out. */
struct naive_sink {
  uint64_t sum;
  unsigned records;
};

static void naive_zoneinfo(const char *line, struct naive_sink *s) {
  static const char *const wanted[] = {
      "min", "low", "high", "spanned", "present", "managed", "nr_free_cma"};
  unsigned long long v, r[ZONEINFO_MAX_ZONE_TYPES] = {0};
  unsigned node;
  char zone[ZONEINFO_NAME_LEN], key[64];

  if (sscanf(line, "Node %u, zone %15s", &node, zone) == 2) {
    s->records++;
  } else if (sscanf(line, " pages free %llu", &v) == 1) {
    s->sum += v;
  } else if (sscanf(line, " protection: (%llu, %llu, %llu, %llu, %llu, %llu",
                    &r[0], &r[1], &r[2], &r[3], &r[4], &r[5]) >= 1) {
    s->sum += r[0] + r[1] + r[2] + r[3] + r[4] + r[5];
  } else if (sscanf(line, " %63s %llu", key, &v) == 2) {
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
      if (strcmp(key, wanted[i]) == 0)
        s->sum += v;
  }
}

static void naive_buddyinfo(const char *line, struct naive_sink *s) {
  unsigned node;
  char zone[ZONEINFO_NAME_LEN];
  unsigned long long v;
  int used;

  if (sscanf(line, "Node %u, zone %15s%n", &node, zone, &used) != 2)
    return;
  s->records++;
  for (line += used; sscanf(line, "%llu%n", &v, &used) == 1; line += used)
    s->sum += v;
}

static void naive_slabinfo(const char *line, struct naive_sink *s) {
  char name[SLABINFO_NAME_LEN];
  unsigned long long active, num, size, per_slab, pages, limit, batch, shared,
      active_slabs, num_slabs, avail;

  if (sscanf(line,
             "%127s %llu %llu %llu %llu %llu : tunables %llu %llu %llu : "
             "slabdata %llu %llu %llu",
             name, &active, &num, &size, &per_slab, &pages, &limit, &batch,
             &shared, &active_slabs, &num_slabs, &avail) == 12) {
    s->records++;
    s->sum += num_slabs * pages + active * size;
  }
}

static void naive_meminfo(const char *line, struct naive_sink *s) {
  char key[64];
  unsigned long long v;

  if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
    return;
  for (int f = 0; f < MEMINFO_NR; f++)
    if (strcmp(key, meminfo_kernel_name[f]) == 0) {
      s->sum += v * 1024;
      s->records++;
    }
}

static void naive_vmstat(const char *line, struct naive_sink *s) {
  char key[VMSTAT_NAME_LEN];
  unsigned long long v;

  if (sscanf(line, "%63s %llu", key, &v) == 2 && view_counter_wanted(key)) {
    s->sum += v;
    s->records++;
  }
}

static void naive_pressure(const char *line, struct naive_sink *s) {
  char kind[8];
  double avg10, avg60, avg300;
  unsigned long long total;

  if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind,
             &avg10, &avg60, &avg300, &total) == 5) {
    s->sum += total + (uint64_t)(avg10 + avg60 + avg300);
    s->records++;
  }
}

static void naive_pagetypeinfo(const char *line, struct naive_sink *s) {
  unsigned node;
  char zone[ZONEINFO_NAME_LEN], type[PAGETYPEINFO_TYPE_LEN];
  unsigned long long v;
  int used;

  if (sscanf(line, "Node %u, zone %15[^,], type %15s%n", &node, zone, type,
             &used) != 3)
    return;
  s->records++;
  for (line += used; sscanf(line, " >%llu%n", &v, &used) == 1 ||
                     sscanf(line, "%llu%n", &v, &used) == 1;
       line += used)
    s->sum += v;
}

typedef void naive_line_fn(const char *line, struct naive_sink *s);

/* Every source's naive reader (the registry, sample/sources.h, names the
 * sources): a row each. */
static naive_line_fn *const naive_line[SOURCE_NR] = {
    [SOURCE_ZONEINFO] = naive_zoneinfo,
    [SOURCE_BUDDYINFO] = naive_buddyinfo,
    [SOURCE_SLABINFO] = naive_slabinfo,
    [SOURCE_MEMINFO] = naive_meminfo,
    [SOURCE_VMSTAT] = naive_vmstat,
    [SOURCE_PRESSURE] = naive_pressure,
    [SOURCE_PAGETYPEINFO] = naive_pagetypeinfo,
};

static int naive_read(const char *path, enum source src, struct naive_sink *s) {
  char line[NAIVE_LINE_MAX];
  FILE *f = fopen(path, "r");

  if (f == NULL)
    return -errno;
  while (naive_line[src] != NULL && fgets(line, sizeof(line), f) != NULL)
    naive_line[src](line, s);
  fclose(f);
  return 0;
}

/* --- one source alone ------------------------------------------------------*/

struct source_bench {
  enum source src;
  char path[PATH_MAX];
  struct raw_file raw;
  struct procfile pf;
  struct sample parsed; /* only the member of src is used */
  struct naive_sink naive;
};

static int source_raw(void *ctx) {
  struct source_bench *b = ctx;
  return raw_read(&b->raw);
}

static int source_lowmem(void *ctx) {
  struct source_bench *b = ctx;
  int err = procfile_read(&b->pf);
  return err ? err : sampler_parse(&b->parsed, b->src, b->pf.buf, b->pf.len);
}

static int source_naive(void *ctx) {
  struct source_bench *b = ctx;
  return naive_read(b->path, b->src, &b->naive);
}

static int source_bench_init(struct source_bench *b, const char *proc,
                             enum source src) {
  memset(b, 0, sizeof(*b));
  b->src = src;
  b->raw.fd = -1;
  b->pf.fd = -1;
  snprintf(b->path, sizeof(b->path), "%s/%s", proc, source_info[src].file);
  int err = raw_open(&b->raw, b->path);
  if (err)
    return err;
  return procfile_init(&b->pf, proc, source_info[src].file);
}

static void source_bench_destroy(struct source_bench *b) {
  raw_close(&b->raw);
  procfile_destroy(&b->pf);
  sample_free(&b->parsed);
}

/* --- a whole tick ----------------------------------------------------------*/

struct tick_bench {
  unsigned sources; /* bit per source read */
  char path[SOURCE_NR][PATH_MAX];
  struct raw_file raw[SOURCE_NR];
  struct sampler sampler;
  struct metrics metrics;
  unsigned long ticks, raw_ticks;
  unsigned long short_ticks; /* a source failed in sampler_read */
  unsigned long every[SOURCE_NR]; /* ticks between reads, as lowmem's */
  struct naive_sink naive;
};

/* Each source read as often as lowmem reads it (sample/sources.h), so that
 * both paths do the kernel's work alike. */
static int tick_raw(void *ctx) {
  struct tick_bench *b = ctx;
  unsigned long tick = b->raw_ticks++;
  for (int i = 0; i < SOURCE_NR; i++)
    if ((b->sources & (1u << i)) && tick % b->every[i] == 0) {
      int err = raw_read(&b->raw[i]);
      if (err)
        return err;
    }
  return 0;
}

/* What the plugin's read callback does each SampleInterval, and once per
 * window what its dispatch does, less plugin_dispatch_values. */
static int tick_lowmem(void *ctx) {
  struct tick_bench *b = ctx;

  double now = bench_wall_seconds();
  sampler_read(&b->sampler, now);
  if (b->sampler.sample.ok != b->sources)
    b->short_ticks++;
  metrics_add(&b->metrics, &b->sampler.sample, &b->sampler.view, now);
  if (++b->ticks % WINDOW_SAMPLES == 0) {
    metrics_choose(&b->metrics);
    metrics_reset(&b->metrics, b->ticks / WINDOW_SAMPLES - 1);
  }
  return 0;
}

static int tick_naive(void *ctx) {
  struct tick_bench *b = ctx;
  for (int i = 0; i < SOURCE_NR; i++)
    if (b->sources & (1u << i)) {
      int err = naive_read(b->path[i], (enum source)i, &b->naive);
      if (err)
        return err;
    }
  return 0;
}

/* The plugin's defaults: orders 0 and 1, the top 10 slab caches. */
static int tick_bench_init(struct tick_bench *b, const char *proc,
                           unsigned sources) {
  long page = sysconf(_SC_PAGESIZE);
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = sources,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = page > 0 ? (uint64_t)page : 4096,
  };
  struct metrics_config mc = {
      .slab_top_n = 10,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = sc.page_size,
  };

  memset(b, 0, sizeof(*b));
  /* Each source at its own interval, as the plugin reads them (samples
   * come every WINDOW_SAMPLES-th of a second here). */
  for (int i = 0; i < SOURCE_NR; i++) {
    sc.interval[i] = source_info[i].interval;
    double every = source_info[i].interval * WINDOW_SAMPLES;
    b->every[i] = every > 1 ? (unsigned long)(every + 0.5) : 1;
  }
  b->sources = sources;
  for (int i = 0; i < SOURCE_NR; i++) {
    b->raw[i].fd = -1;
    snprintf(b->path[i], sizeof(b->path[i]), "%s/%s", proc, source_info[i].file);
    if (sources & (1u << i)) {
      int err = raw_open(&b->raw[i], b->path[i]);
      if (err)
        return err;
    }
  }
  if (sampler_init(&b->sampler, &sc) != 0 || metrics_init(&b->metrics, &mc))
    return -ENOMEM;
  return 0;
}

static void tick_bench_destroy(struct tick_bench *b) {
  for (int i = 0; i < SOURCE_NR; i++)
    raw_close(&b->raw[i]);
  sampler_destroy(&b->sampler);
  metrics_destroy(&b->metrics);
}

/* Layout generations of the sample: a change means names were looked up
 * (and series maybe added) again, which may allocate. */
static unsigned long tick_generations(const struct tick_bench *b) {
  const struct sample *sm = &b->sampler.sample;
  return (unsigned long)sm->zoneinfo.generation + sm->buddyinfo.generation +
         sm->slabinfo.generation + sm->vmstat.generation;
}

/* --- measuring -------------------------------------------------------------*/

enum path { PATH_RAW, PATH_LOWMEM, PATH_NAIVE, PATH_NR };

typedef int sample_fn(void *ctx);

struct row {
  char label[48];
  int err;                          /* the path failed: not measured */
  double *cpu_us[PATH_NR];          /* per round: CPU time per sample */
  double *wall_us[PATH_NR];         /* per round: wall time per sample */
  unsigned long long heap[PATH_NR]; /* heap calls over measured samples */
  unsigned long long samples;       /* measured samples per path */
  bool layout_changed;       /* names were looked up again while measured */
  unsigned long short_ticks; /* samples where a source failed */
};

static int row_init(struct row *r, const char *label, unsigned rounds) {
  memset(r, 0, sizeof(*r));
  snprintf(r->label, sizeof(r->label), "%s", label);
  for (int p = 0; p < PATH_NR; p++) {
    r->cpu_us[p] = calloc(rounds, sizeof(double));
    r->wall_us[p] = calloc(rounds, sizeof(double));
    if (r->cpu_us[p] == NULL || r->wall_us[p] == NULL)
      return -ENOMEM;
  }
  return 0;
}

static void row_free(struct row *r) {
  for (int p = 0; p < PATH_NR; p++) {
    free(r->cpu_us[p]);
    free(r->wall_us[p]);
  }
}

/* n samples of one path: the time per sample, and the heap calls made. */
static int measure(sample_fn *fn, void *ctx, unsigned n, double *cpu_us,
                   double *wall_us, unsigned long long *heap) {
  struct bench_span span;

  bench_span_begin(&span);
  for (unsigned i = 0; i < n; i++) {
    int err = fn(ctx);
    if (err)
      return err;
  }
  bench_span_end(&span, n);
  *cpu_us = span.cpu_us;
  *wall_us = span.wall_us;
  *heap += span.heap;
  return 0;
}

static int warm_up(struct row *r, sample_fn *const fn[PATH_NR], void *ctx,
                   unsigned n) {
  for (int p = 0; p < PATH_NR; p++)
    for (unsigned i = 0; i < n; i++)
      if ((r->err = fn[p](ctx)) != 0)
        return r->err;
  return 0;
}

/* The paths in order in even rounds and in reverse in odd ones. */
static int run_rounds(struct row *r, sample_fn *const fn[PATH_NR], void *ctx,
                      const struct options *o) {
  for (unsigned round = 0; round < o->rounds; round++)
    for (int k = 0; k < PATH_NR; k++) {
      int p = round % 2 ? PATH_NR - 1 - k : k;
      r->err = measure(fn[p], ctx, o->samples, &r->cpu_us[p][round],
                       &r->wall_us[p][round], &r->heap[p]);
      if (r->err)
        return r->err;
    }
  r->samples = (unsigned long long)o->samples * o->rounds;
  return 0;
}

/* --- reporting -------------------------------------------------------------*/

struct report {
  unsigned rounds;
  double *scratch; /* rounds values */
  double *ratios;  /* rounds values */
};

#define LABEL_WIDTH 16
#define TABLE_WIDTH (LABEL_WIDTH + 9 * 3 + 6 + 13 + 6 + 9 * 2 + 8)

static void print_header(void) {
  printf("%-*s %9s %9s %9s %6s %13s %6s %9s %9s\n", LABEL_WIDTH, "source",
         "raw us", "lowmem us", "overhead", "ratio", "ratio q1-q3", "budget",
         "naive us", "naive/raw");
}

static void print_rule(void) {
  for (int i = 0; i < TABLE_WIDTH; i++)
    putchar('-');
  putchar('\n');
}

static void print_row(const struct row *r, bool cpu, struct report *rep) {
  double *const *t = cpu ? r->cpu_us : r->wall_us;
  size_t n = rep->rounds;

  if (r->err) {
    printf("%-*s not measured: %s\n", LABEL_WIDTH, r->label, strerror(-r->err));
    return;
  }
  double raw = bench_quantile(t[PATH_RAW], n, 0.5, rep->scratch);
  double low = bench_quantile(t[PATH_LOWMEM], n, 0.5, rep->scratch);
  double naive = bench_quantile(t[PATH_NAIVE], n, 0.5, rep->scratch);
  /* The spread of the paired per-round ratios says how noisy the run was. */
  for (size_t i = 0; i < n; i++)
    rep->ratios[i] = t[PATH_LOWMEM][i] / t[PATH_RAW][i];
  double q1 = bench_quantile(rep->ratios, n, 0.25, rep->scratch);
  double q3 = bench_quantile(rep->ratios, n, 0.75, rep->scratch);
  double ratio = low / raw;
  char spread[32];

  snprintf(spread, sizeof(spread), "%.2f-%.2f", q1, q3);
  printf("%-*s %9.2f %9.2f %9.2f %6.2f %13s %6s %9.2f %9.2f\n", LABEL_WIDTH,
         r->label, raw, low, low - raw, ratio, spread,
         ratio <= BUDGET ? "PASS" : "OVER", naive, naive / raw);
}

static void print_table(const struct row *rows, size_t nr, bool cpu,
                        struct report *rep) {
  print_header();
  for (size_t i = 0; i < nr; i++) {
    if (i == nr - 1)
      print_rule();
    print_row(&rows[i], cpu, rep);
  }
}

static double per_sample(unsigned long long calls, unsigned long long n) {
  return n ? (double)calls / (double)n : 0;
}

static void print_heap(const struct row *rows, size_t nr) {
  const struct row *total = &rows[nr - 1];

  if (!BENCH_COUNTS_HEAP) {
    printf("allocations per sample: not counted (sanitizer build: the "
           "sanitizer owns malloc)\n");
    return;
  }
  printf("heap calls (malloc+calloc+realloc) per sample once warm, lowmem "
         "path:");
  for (size_t i = 0; i + 1 < nr; i++)
    if (!rows[i].err)
      printf(" %s %g", rows[i].label,
             per_sample(rows[i].heap[PATH_LOWMEM], rows[i].samples));
  printf("\n");
  if (total->err)
    return;
  printf("allocations per sample: %g (total path: sampler_read + "
         "metrics_add + window; %llu calls in %llu samples)\n",
         per_sample(total->heap[PATH_LOWMEM], total->samples),
         total->heap[PATH_LOWMEM], total->samples);
  printf("  raw path: %g per sample; naive path: %g per sample\n",
         per_sample(total->heap[PATH_RAW], total->samples),
         per_sample(total->heap[PATH_NAIVE], total->samples));
}

static void print_notes(const struct row *total) {
  if (total->layout_changed)
    printf("note: a source's list of names changed while measuring: metrics "
           "looked names up again, which may allocate\n");
  if (total->short_ticks)
    printf("note: in %lu samples a source failed in sampler_read (see "
           "sample.err)\n",
           total->short_ticks);
}

static void print_legend(const struct options *o, unsigned sources) {
  printf("raw:    kept-open fd, pread from offset 0 until EOF, no parsing "
         "(the kernel's floor)\n"
         "lowmem: procfile_read + the source's parser; total: sampler_read + "
         "metrics_add, metrics_choose + metrics_reset every %d samples\n"
         "naive:  fopen + fgets + sscanf per line + fclose, for reference\n"
         "budget: lowmem/raw <= %.2f (informational)\n",
         WINDOW_SAMPLES, BUDGET);
  printf("%u rounds x %u samples per path (after %u warm-up samples), "
         "medians of the rounds; tree %s\n",
         o->rounds, o->samples, o->warmup, o->proc);
  printf("total reads:");
  for (int i = 0; i < SOURCE_NR; i++)
    if (sources & (1u << i))
      printf(" %s", source_info[i].file);
  printf("\n");
}

/* --- main ------------------------------------------------------------------*/

static sample_fn *const source_fns[PATH_NR] = {source_raw, source_lowmem,
                                               source_naive};
static sample_fn *const tick_fns[PATH_NR] = {tick_raw, tick_lowmem, tick_naive};

/* One row per source; returns the sources that could be read. */
static unsigned bench_sources(struct row *rows, const struct options *o) {
  unsigned readable = 0;

  for (int i = 0; i < SOURCE_NR; i++) {
    struct source_bench *b = malloc(sizeof(*b));
    if (b == NULL) {
      rows[i].err = -ENOMEM;
      continue;
    }
    rows[i].err = source_bench_init(b, o->proc, (enum source)i);
    if (rows[i].err == 0 && warm_up(&rows[i], source_fns, b, o->warmup) == 0 &&
        run_rounds(&rows[i], source_fns, b, o) == 0)
      readable |= 1u << i;
    source_bench_destroy(b);
    free(b);
  }
  return readable;
}

static void bench_tick(struct row *r, unsigned sources,
                       const struct options *o) {
  struct tick_bench *b = malloc(sizeof(*b));

  if (b == NULL || sources == 0) {
    r->err = b == NULL ? -ENOMEM : -ENOENT;
    free(b);
    return;
  }
  r->err = tick_bench_init(b, o->proc, sources);
  if (r->err == 0 && warm_up(r, tick_fns, b, o->warmup) == 0) {
    unsigned long gen = tick_generations(b);
    b->short_ticks = 0;
    run_rounds(r, tick_fns, b, o);
    r->layout_changed = tick_generations(b) != gen;
    r->short_ticks = b->short_ticks;
  }
  tick_bench_destroy(b);
  free(b);
}

int main(int argc, char **argv) {
  struct options o;
  struct row rows[SOURCE_NR + 1];
  int rc = parse_options(argc, argv, &o);

  if (rc)
    return rc > 0 ? 0 : 2;
  for (int i = 0; i <= SOURCE_NR; i++)
    if (row_init(&rows[i], i < SOURCE_NR ? source_info[i].file : "total",
                 o.rounds) != 0) {
      fprintf(stderr, "lowmem-bench: out of memory\n");
      return 1;
    }
  struct report rep = {.rounds = o.rounds,
                       .scratch = calloc(o.rounds, sizeof(double)),
                       .ratios = calloc(o.rounds, sizeof(double))};
  if (rep.scratch == NULL || rep.ratios == NULL) {
    fprintf(stderr, "lowmem-bench: out of memory\n");
    return 1;
  }

  unsigned readable = bench_sources(rows, &o);
  bench_tick(&rows[SOURCE_NR], readable, &o);

  print_legend(&o, readable);
  printf("\nCPU time of the thread per sample (us)\n");
  print_table(rows, SOURCE_NR + 1, true, &rep);
  printf("\nwall time per sample (us)\n");
  print_table(rows, SOURCE_NR + 1, false, &rep);
  printf("\n");
  print_heap(rows, SOURCE_NR + 1);
  print_notes(&rows[SOURCE_NR]);

  /* A budget over is a result; a run that read nothing is a failure. */
  rc = rows[SOURCE_NR].err ? 1 : 0;
  for (int i = 0; i <= SOURCE_NR; i++)
    row_free(&rows[i]);
  free(rep.scratch);
  free(rep.ratios);
  return rc;
}
