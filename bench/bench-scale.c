/* lowmem-bench-scale: what a sample costs, in CPU and memory, as the
 * machine grows: slabinfo of 100 to 50,000 caches (kernels that keep a
 * cache per memory cgroup list tens of thousands), zoneinfo of 2 to 256
 * CPUs on 1 to 8 nodes (it prints each zone's per-CPU lists).
 *
 *   lowmem-bench-scale TEMPLATE-PROC-DIR [-n SAMPLES]
 *
 * Synthetic trees are written under a temporary directory from a real
 * capture (TEMPLATE-PROC-DIR, e.g. tests/fixtures/live-6.18-x86_64/proc):
 * its zoneinfo with the "cpu:" block of each zone repeated per CPU and
 * each node's zones repeated per node, buddyinfo likewise, and a slabinfo
 * of N caches of distinct sizes. Each tree is sampled in a child process
 * of its own, as lowmem samples in collectd (sampler_read, metrics_add,
 * a window of 10 samples chosen and reset), slabinfo read at every
 * sample: per-sample CPU time (median of the samples, thread CPU clock);
 * then again with slabinfo every 5 s (SlabinfoInterval's default: the
 * mean per sample over 500 samples or more); and the child's peak RSS
 * (VmHWM). The machine is shared: each row is
 * also given as a ratio to the first row of its table, measured in the
 * same run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "sample/sampler.h"
#include "window/metrics.h"

#define PAGE 4096

#define PATH_CAP 4096

/* dir/name into path; false when it does not fit. */
static bool join(char path[PATH_CAP], const char *dir, const char *name) {
  int n = snprintf(path, PATH_CAP, "%s/%s", dir, name);
  return n > 0 && n < PATH_CAP;
}

static char *read_all(const char *dir, const char *name, size_t *len) {
  char path[PATH_CAP];
  if (!join(path, dir, name))
    return NULL;
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap)
      break;
    char *grown = realloc(buf, cap * 2);
    if (grown == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = grown;
    cap *= 2;
  }
  fclose(f);
  *len = n;
  return buf;
}

static int write_file(const char *dir, const char *name, const char *buf,
                      size_t len) {
  char path[PATH_CAP];
  if (!join(path, dir, name))
    return -ENAMETOOLONG;
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -errno;
  size_t w = fwrite(buf, 1, len, f);
  return fclose(f) == 0 && w == len ? 0 : -EIO;
}

static int copy_file(const char *from, const char *to, const char *name) {
  size_t len;
  char *buf = read_all(from, name, &len);
  if (buf == NULL)
    return -ENOENT;
  int err = write_file(to, name, buf, len);
  free(buf);
  return err;
}

/* The node-0 text of the template with "Node 0," made "Node k,", and in
 * zoneinfo each "    cpu: 0" block (to the "vm stats threshold" line)
 * written for cpus CPUs; other "cpu:" blocks are dropped. */
static void write_node(FILE *f, const char *tmpl, size_t len, unsigned node,
                       unsigned cpus) {
  const char *p = tmpl, *end = tmpl + len;
  const char *block = NULL;
  bool in_cpu = false;

  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    size_t n = eol ? (size_t)(eol - p) + 1 : (size_t)(end - p);
    if (strncmp(p, "Node 0,", 7) == 0) {
      fprintf(f, "Node %u,", node);
      fwrite(p + 7, 1, n - 7, f);
    } else if (strncmp(p, "    cpu: ", 9) == 0) {
      in_cpu = true;
      if (strncmp(p, "    cpu: 0\n", 11) == 0)
        block = p + n;
    } else if (in_cpu && strncmp(p, "  vm stats threshold", 20) == 0) {
      in_cpu = false;
      if (block != NULL) {
        for (unsigned c = 0; c < cpus; c++) {
          fprintf(f, "    cpu: %u\n", c);
          fwrite(block, 1, (size_t)(p - block), f);
          fwrite(p, 1, n, f);
        }
        block = NULL;
      }
    } else if (!in_cpu) {
      fwrite(p, 1, n, f);
    }
    p += n;
  }
}

static int write_nodes(const char *tmpl_dir, const char *dir, const char *name,
                       unsigned nodes, unsigned cpus) {
  size_t len;
  char *tmpl = read_all(tmpl_dir, name, &len);
  char path[PATH_CAP];
  if (tmpl == NULL || !join(path, dir, name)) {
    free(tmpl);
    return -ENOENT;
  }
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    free(tmpl);
    return -errno;
  }
  for (unsigned k = 0; k < nodes; k++)
    write_node(f, tmpl, len, k, cpus);
  free(tmpl);
  return fclose(f) == 0 ? 0 : -EIO;
}

static int write_slabinfo(const char *dir, unsigned caches) {
  char path[PATH_CAP];
  if (!join(path, dir, "slabinfo"))
    return -ENAMETOOLONG;
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -errno;
  fprintf(f, "slabinfo - version: 2.1\n# name <active_objs> <num_objs> "
             "<objsize> <objperslab> <pagesperslab> : tunables <limit> "
             "<batchcount> <sharedfactor> : slabdata <active_slabs> "
             "<num_slabs> <sharedavail>\n");
  for (unsigned i = 0; i < caches; i++) {
    unsigned s = (unsigned)(((unsigned long long)i * 7919u) % caches) + 1;
    fprintf(f,
            "cache%-12u %8u %8u    192   21    1 : tunables    0    0    0 "
            ": slabdata %6u %6u      0\n",
            i, s * 21, s * 21, s, s);
  }
  return fclose(f) == 0 ? 0 : -EIO;
}

/* A tree of `nodes` x `cpus`, with `caches` slab caches (0: the
 * template's slabinfo). */
static int make_tree(const char *tmpl, const char *dir, unsigned nodes,
                     unsigned cpus, unsigned caches) {
  static const char *const same[] = {"meminfo", "vmstat", "pagetypeinfo",
                                     "sys/kernel/osrelease", "pressure/memory"};
  static const char *const dirs[] = {"", "sys", "sys/kernel", "pressure"};
  char sub[PATH_CAP];
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
    if (!join(sub, dir, dirs[i]) || mkdir(sub, 0700) != 0)
      return -errno;
  for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
    (void)copy_file(tmpl, dir, same[i]); /* what is missing is missing */
  int err = write_nodes(tmpl, dir, "zoneinfo", nodes, cpus);
  if (err == 0)
    err = write_nodes(tmpl, dir, "buddyinfo", nodes, cpus);
  if (err == 0)
    err =
        caches ? write_slabinfo(dir, caches) : copy_file(tmpl, dir, "slabinfo");
  return err;
}

struct result {
  double us;     /* median CPU per sample */
  double mean5;  /* mean CPU per sample, slabinfo every 5 s */
  long hwm_kib;  /* peak RSS */
  size_t series; /* series lowmem holds */
  size_t zones, caches;
};

static long vm_hwm_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f != NULL && fgets(line, sizeof(line), f) != NULL)
    if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
      break;
  if (f != NULL)
    fclose(f);
  return kib;
}

/* In the child: sample the tree n times (slabinfo_interval: seconds
 * between its reads, 0: every sample); per-sample CPU in us[]. */
static int sample_tree(const char *proc, unsigned n, double slabinfo_interval,
                       double *us, struct result *r) {
  struct sampler s;
  struct metrics m;
  struct sampler_config sc = {.proc_path = proc,
                              .sources = (1u << SOURCE_NR) - 1,
                              .orders = {0, 1},
                              .nr_orders = 2,
                              .page_size = PAGE};
  struct metrics_config mc = {.slab_top_n = 10,
                              .orders = {0, 1},
                              .nr_orders = 2,
                              .page_size = PAGE,
                              .occupancy = true};
  sc.interval[SOURCE_PAGETYPEINFO] = 60;
  sc.interval[SOURCE_SLABINFO] = slabinfo_interval;
  if (sampler_init(&s, &sc) != 0 || metrics_init(&m, &mc) != 0)
    return -1;
  double t = 1.0;
  for (unsigned i = 0; i < n + 10; i++, t += 0.1) {
    double c0 = bench_cpu_us();
    sampler_read(&s, t);
    metrics_add(&m, &s.sample, &s.view, t);
    if (i % 10 == 9) {
      metrics_choose(&m);
      metrics_reset(&m, i / 10);
    }
    if (i >= 10) /* the first window warms the caches and the layout */
      us[i - 10] = bench_cpu_us() - c0;
  }
  r->series = m.set.nr;
  r->zones = s.view.nr;
  r->caches = s.sample.slabinfo.nr;
  int rc = s.sample.ok & (1u << SOURCE_ZONEINFO) ? 0 : -1;
  metrics_destroy(&m);
  sampler_destroy(&s);
  return rc;
}

static int measure(const char *proc, unsigned n, struct result *r) {
  unsigned n5 = n < 500 ? 500 : n; /* ten reads of slabinfo at least */
  double *us = calloc(n5, sizeof(*us));
  if (us == NULL || sample_tree(proc, n, 0, us, r) != 0) {
    free(us);
    return -1;
  }
  r->us = bench_median(us, n);
  if (sample_tree(proc, n5, 5, us, r) != 0) {
    free(us);
    return -1;
  }
  double sum = 0;
  for (unsigned i = 0; i < n5; i++)
    sum += us[i];
  r->mean5 = sum / n5;
  r->hwm_kib = vm_hwm_kib();
  free(us);
  return 0;
}

static int run_child(const char *proc, unsigned n, struct result *r) {
  int fd[2];
  if (pipe(fd) != 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    close(fd[0]);
    struct result res = {0};
    int rc = measure(proc, n, &res);
    ssize_t w = write(fd[1], &res, sizeof(res));
    _exit(rc == 0 && w == (ssize_t)sizeof(res) ? 0 : 1);
  }
  close(fd[1]);
  ssize_t got = read(fd[0], r, sizeof(*r));
  close(fd[0]);
  int status;
  waitpid(pid, &status, 0);
  return got == (ssize_t)sizeof(*r) && WIFEXITED(status) &&
                 WEXITSTATUS(status) == 0
             ? 0
             : -1;
}

static int remove_tree(const char *dir) {
  char cmd[4200];
  /* dir is ours, made by mkdtemp: no quoting beyond it is needed. */
  snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
  return system(cmd);
}

struct point {
  unsigned nodes, cpus, caches;
};

static void print_row(const struct point *p, const struct result *r,
                      const struct result *base) {
  printf("%5u x %-4u %6zu %7zu %7zu %12.1f %6.2fx %10.1f %6.2fx %12ld %6.2fx\n",
         p->nodes, p->cpus, r->zones, r->caches, r->series, r->us,
         r->us / base->us, r->mean5, r->mean5 / base->mean5, r->hwm_kib,
         (double)r->hwm_kib / base->hwm_kib);
}

static int run_table(const char *title, const char *tmpl, const char *root,
                     const struct point *pts, size_t nr, unsigned n) {
  struct result base = {0};
  printf("\n%s\n%-12s %6s %7s %7s %12s %7s %10s %7s %12s %7s\n", title,
         "nodes x cpus", "zones", "caches", "series", "us/sample", "ratio",
         "mean, 5 s", "ratio", "peak RSS KiB", "ratio");
  for (size_t i = 0; i < nr; i++) {
    char dir[PATH_CAP], name[64];
    struct result r;
    snprintf(name, sizeof(name), "t%zu", i);
    if (!join(dir, root, name) ||
        make_tree(tmpl, dir, pts[i].nodes, pts[i].cpus, pts[i].caches) != 0 ||
        run_child(dir, n, &r) != 0) {
      fprintf(stderr, "lowmem-bench-scale: the tree %s could not be sampled\n",
              dir);
      return -1;
    }
    if (i == 0)
      base = r;
    print_row(&pts[i], &r, &base);
    remove_tree(dir);
  }
  return 0;
}

int main(int argc, char **argv) {
  unsigned n = 200;
  if (argc < 2 ||
      (argc == 4 && strcmp(argv[2], "-n") == 0 &&
       !bench_parse_count(argv[3], 10, 100000, &n)) ||
      (argc != 2 && argc != 4)) {
    fprintf(stderr, "usage: %s TEMPLATE-PROC-DIR [-n SAMPLES]\n", argv[0]);
    return 2;
  }
  char root[] = "/tmp/lowmem-bench-scale.XXXXXX";
  if (mkdtemp(root) == NULL) {
    perror("lowmem-bench-scale: mkdtemp");
    return 1;
  }
  static const struct point slabs[] = {
      {1, 2, 100}, {1, 2, 1000}, {1, 2, 10000}, {1, 2, 50000}};
  static const struct point zones[] = {{1, 2, 0},   {1, 16, 0}, {1, 64, 0},
                                       {1, 256, 0}, {2, 2, 0},  {2, 64, 0},
                                       {8, 2, 0},   {8, 64, 0}, {8, 256, 0}};
  printf("lowmem-bench-scale: %u samples a tree (median), slabinfo read at "
         "every sample, template %s\n",
         n, argv[1]);
  int rc = run_table("slabinfo: caches (zoneinfo of 1 node x 2 CPUs)", argv[1],
                     root, slabs, sizeof(slabs) / sizeof(slabs[0]), n);
  if (rc == 0)
    rc = run_table("zoneinfo: nodes x CPUs (the template's slabinfo)", argv[1],
                   root, zones, sizeof(zones) / sizeof(zones[0]), n);
  remove_tree(root);
  return rc == 0 ? 0 : 1;
}
