/* The threads room over two snapshots of a /proc and /sys tree, one
 * second apart: the CPU shares and device states it feeds the window must
 * be the ones worked out by hand from the fixture files.
 *
 * The snapshot is copied into a temporary directory, sampled at t = 0,
 * then the second snapshot is written over it (same files, so the kept
 * descriptors see the new text, as with /proc) and sampled at t = 1 s.
 * CPU: (stime + utime at snap1 - at snap0) / 100 ticks per second, over
 * 1 s, in percent:
 *   awk '{print $2, $14 + $15}' snap0/proc/PID/task/PID/stat snap1/...
 * Device states: awk '$NF == "kB" { print $1, $2 }' .../bdi/DEV/stats,
 * times 1024; the window keeps the largest (writeback, reclaimable) or
 * smallest (dirty threshold) of the two samples. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "threads/internal.h"
#include "threads/threads.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- a temporary copy of a snapshot ----------------------------------------*/

static char tmp_root[256];
static const char *copy_src, *copy_dst;

static void mkdirs(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(buf, 0755);
      *p = '/';
    }
  mkdir(buf, 0755);
}

/* Files are rewritten in place (truncated, not replaced), so a descriptor
 * kept open on one reads the new text. */
static int copy_one(const char *path, const struct stat *st, int type,
                    struct FTW *ftw) {
  (void)st;
  (void)ftw;
  char dst[4096];
  snprintf(dst, sizeof(dst), "%s%s", copy_dst, path + strlen(copy_src));
  if (type == FTW_D) {
    mkdirs(dst);
    return 0;
  }
  if (type != FTW_F)
    return 0;
  FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
  assert_non_null(in);
  assert_non_null(out);
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
    assert_int_equal(fwrite(buf, 1, n, out), n);
  fclose(in);
  fclose(out);
  return 0;
}

/* Removes what the new snapshot no longer has (an exited thread). */
static int prune_one(const char *path, const struct stat *st, int type,
                     struct FTW *ftw) {
  (void)st;
  (void)ftw;
  char src[4096];
  struct stat sb;
  snprintf(src, sizeof(src), "%s%s", copy_src, path + strlen(copy_dst));
  if (strcmp(path, copy_dst) != 0 && lstat(src, &sb) != 0)
    (type == FTW_DP ? rmdir : unlink)(path);
  return 0;
}

static void snapshot(const char *tree, const char *snap) {
  char src[4096];
  snprintf(src, sizeof(src), "%s/%s", fixture_path(tree), snap);
  copy_src = src;
  copy_dst = tmp_root;
  assert_int_equal(nftw(src, copy_one, 16, FTW_PHYS), 0);
  assert_int_equal(nftw(tmp_root, prune_one, 16, FTW_PHYS | FTW_DEPTH), 0);
}

static int rm_one(const char *path, const struct stat *st, int type,
                  struct FTW *ftw) {
  (void)st;
  (void)ftw;
  return (type == FTW_DP ? rmdir : unlink)(path);
}

static int setup(void **state) {
  (void)state;
  snprintf(tmp_root, sizeof(tmp_root), "/tmp/lowmem-test-threads.XXXXXX");
  return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return nftw(tmp_root, rm_one, 16, FTW_PHYS | FTW_DEPTH);
}

/* --- running the room ------------------------------------------------------*/

struct run {
  struct series_set set;
  struct threads t;
};

static void run_start(struct run *r, const char *tree, double interval,
                      const char *sys) {
  char proc[4096], sysp[4096];
  snprintf(proc, sizeof(proc), "%s/proc", tmp_root);
  snprintf(sysp, sizeof(sysp), "%s/%s", tmp_root, sys);
  struct threads_config c = {
      .proc_path = proc,
      .sys_path = sysp,
      .discovery_interval = interval,
      .bdi_stats = true,
      .bdi_interval = 1,
      .clk_tck = 100,
  };
  snapshot(tree, "snap0");
  series_init(&r->set, 1000);
  assert_int_equal(threads_init(&r->t, &c, &r->set), 0);
  threads_sample(&r->t, 100.0, true);
  snapshot(tree, "snap1");
  threads_sample(&r->t, 101.0, false);
}

static void run_stop(struct run *r) {
  threads_destroy(&r->t);
  series_free(&r->set);
}

struct expect {
  const char *type, *type_instance;
  double value; /* NAN: the series must not exist */
};

static void check(const struct run *r, const struct expect *e, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int id = series_find(&r->set, THREADS_PLUGIN_INSTANCE, e[i].type,
                         e[i].type_instance);
    if (isnan(e[i].value)) {
      if (id >= 0)
        fail_msg("%s-%s exists", e[i].type, e[i].type_instance);
      continue;
    }
    if (id < 0)
      fail_msg("%s-%s does not exist", e[i].type, e[i].type_instance);
    const struct series *s = &r->set.v[id];
    if (s->n == 0 || fabs(s->gauge - e[i].value) > 1e-6)
      fail_msg("%s-%s = %f (%u samples), want %f", e[i].type,
               e[i].type_instance, s->gauge, s->n, e[i].value);
  }
}

/* The incident: flush-0:17 +100 ticks in 1 s. */
static void test_2_6_39(void **state) {
  (void)state;
  struct run r;
  run_start(&r, "threads-2.6.39", 5, "sys");
  const struct expect e[] = {
      {"thread_cpu", "flush-0:17", 100},       /* 418311 - 418211 */
      {"thread_cpu", "flush-xvda", 0},         /* 202:0, DEVNAME=xvda: 5521 */
      {"thread_cpu", "kswapd0", 37},           /* 95348 - 95311 */
      {"thread_cpu", "unbound_kworkers", 2},   /* kworker/u:0: 1813 - 1811 */
      {"thread_cpu", "flush-8:0", NAN},        /* a user process */
      {"thread_cpu", "kcompactd0", NAN},       /* none before 4.6 */
      {"bdi", "writeback-0:17", 512 * 1024.0}, /* max(356, 512) */
      {"bdi", "reclaimable-0:17", 1208 * 1024.0},     /* max(1208, 1040) */
      {"bdi", "dirty_threshold-0:17", 2400 * 1024.0}, /* min(2412, 2400) */
      {"bdi", "writeback-xvda", 8 * 1024.0},
      {"bdi", "reclaimable-xvda", 24 * 1024.0},
      {"bdi", "dirty_threshold-xvda", 270 * 1024.0},
      {"bdi", "writeback-default", NAN}, /* never dirty */
  };
  check(&r, e, ARRAY_SIZE(e));
  /* kworker/u:0, kswapd0, flush-0:17, flush-202:0; /proc was walked. */
  assert_int_equal(r.t.nr_kt, 4);
  assert_true(r.t.no_children);
  assert_int_equal(r.t.dropped, 0);
  assert_int_equal(r.t.discoveries, 1);
  assert_int_equal(r.t.discovery_err, 0);
  assert_int_equal(r.t.bdi_err, 0);
  assert_int_equal(r.t.malformed, 0);
  run_stop(&r);
}

/* 6.x shares, the same whether a discovery runs at t = 1 or not. */
static const struct expect shares_6[] = {
    /* u8:1 +45 (12040 -> 12085), u8:3 +6 (6100 -> 6106: it was running
     * the flush at snap0) */
    {"thread_cpu", "flush-vda", 51},
    /* u8:0 +20 (881 -> 901), flushing 259:0 only at snap1 */
    {"thread_cpu", "flush-nvme0n1", 20},
    /* 20 + 45 + 6 + u8:2's 4 (idle after a flush at snap0: no device);
     * not the bound kworker/0:1 (+7) nor the helper (+50) */
    {"thread_cpu", "unbound_kworkers", 75},
    {"thread_cpu", "kswapd0", 10}, /* 2000 -> 2010 */
    {"thread_cpu", "kswapd1", 0},
    {"thread_cpu", "kcompactd0", 1}, /* 310 -> 311 */
    {"thread_cpu", "kcompactd1", 0},
    {"thread_cpu", "flush-8:0", NAN},
    /* vda: writeback max(81920, 122880), reclaimable max(409600, 368640),
     * threshold min(4800000, 4790000) */
    {"bdi", "writeback-vda", 122880 * 1024.0},
    {"bdi", "reclaimable-vda", 409600 * 1024.0},
    {"bdi", "dirty_threshold-vda", 4790000 * 1024.0},
    {"bdi", "writeback-loop0", NAN}, /* 7:0 never dirty */
};

static void test_6_x(void **state) {
  (void)state;
  struct run r;
  run_start(&r, "threads-6.x", 5, "sys");
  check(&r, shares_6, ARRAY_SIZE(shares_6));
  /* 259:0 had nothing dirty at the only discovery: not read. */
  const struct expect e[] = {{"bdi", "writeback-nvme0n1", NAN}};
  check(&r, e, ARRAY_SIZE(e));
  /* Six unbound workers, the rescuer, two kswapd, two kcompactd; pid 17
   * was reused by a shell (another start time) and dropped at t = 1. */
  assert_int_equal(r.t.discoveries, 1);
  assert_false(r.t.no_children);
  assert_int_equal(r.t.nr_kt, 10);
  assert_int_equal(r.t.dropped, 1);
  assert_int_equal(r.t.malformed, 0);
  run_stop(&r);
}

static void test_6_x_rediscovered(void **state) {
  (void)state;
  struct run r;
  run_start(&r, "threads-6.x", 0.5, "sys");
  check(&r, shares_6, ARRAY_SIZE(shares_6));
  /* The second discovery finds 259:0 dirty: read from then on. */
  const struct expect e[] = {
      {"bdi", "writeback-nvme0n1", 4096 * 1024.0},
      {"bdi", "reclaimable-nvme0n1", 8192 * 1024.0},
      {"bdi", "dirty_threshold-nvme0n1", 2390000 * 1024.0},
  };
  check(&r, e, ARRAY_SIZE(e));
  /* kthreadd's children no longer list 16 (exited) and 17 (reused). */
  assert_int_equal(r.t.discoveries, 2);
  assert_int_equal(r.t.nr_kt, 9);
  assert_int_equal(r.t.dropped, 2);
  run_stop(&r);
}

/* A device first seen flushing in the middle of a window counts from the
 * window's start, as the others do: samples at t = 0 and 1 of snap0 (no
 * CPU moves), t = 2 of snap1; 259:0 shows only at t = 2, its 20 ticks
 * are over the window's 2 s, as are everyone's. */
static void test_6_x_mid_window(void **state) {
  (void)state;
  struct run r;
  char proc[4096], sysp[4096];
  snprintf(proc, sizeof(proc), "%s/proc", tmp_root);
  snprintf(sysp, sizeof(sysp), "%s/sys", tmp_root);
  struct threads_config c = {.proc_path = proc,
                             .sys_path = sysp,
                             .discovery_interval = 5,
                             .bdi_stats = true,
                             .bdi_interval = 1,
                             .clk_tck = 100};
  snapshot("threads-6.x", "snap0");
  series_init(&r.set, 1000);
  assert_int_equal(threads_init(&r.t, &c, &r.set), 0);
  threads_sample(&r.t, 100.0, true);
  threads_sample(&r.t, 101.0, false);
  snapshot("threads-6.x", "snap1");
  threads_sample(&r.t, 102.0, false);
  const struct expect e[] = {
      {"thread_cpu", "flush-nvme0n1", 20 / 2.0},
      {"thread_cpu", "flush-vda", 51 / 2.0},
      {"thread_cpu", "unbound_kworkers", 75 / 2.0},
      {"thread_cpu", "kswapd0", 10 / 2.0},
  };
  check(&r, e, ARRAY_SIZE(e));
  int id = series_find(&r.set, THREADS_PLUGIN_INSTANCE, "thread_cpu",
                       "flush-nvme0n1");
  assert_true(fabs(r.set.v[id].whole - 2.0) < 1e-9);
  run_stop(&r);
}

/* Debugfs stats every BdiStatsInterval (5 s here), and once in each
 * window whatever the interval: t = 0 reads snap0; t = 1 is not due and
 * the window has a value (snap0's stays); a new window begins, and t = 2
 * reads snap1 although not due. */
static void test_bdi_interval(void **state) {
  (void)state;
  struct run r;
  char proc[4096], sysp[4096];
  snprintf(proc, sizeof(proc), "%s/proc", tmp_root);
  snprintf(sysp, sizeof(sysp), "%s/sys", tmp_root);
  struct threads_config c = {.proc_path = proc,
                             .sys_path = sysp,
                             .discovery_interval = 5,
                             .bdi_stats = true,
                             .bdi_interval = 5,
                             .clk_tck = 100};
  const struct expect snap0[] = {{"bdi", "writeback-vda", 81920 * 1024.0}};
  const struct expect snap1[] = {{"bdi", "writeback-vda", 122880 * 1024.0}};

  snapshot("threads-6.x", "snap0");
  series_init(&r.set, 1000);
  assert_int_equal(threads_init(&r.t, &c, &r.set), 0);
  threads_sample(&r.t, 100.0, true);
  snapshot("threads-6.x", "snap1");
  threads_sample(&r.t, 101.0, false);
  check(&r, snap0, 1);
  int id = series_find(&r.set, THREADS_PLUGIN_INSTANCE, "bdi", "writeback-vda");
  assert_int_equal(r.set.v[id].n, 1);
  series_reset(&r.set);
  threads_sample(&r.t, 102.0, true);
  check(&r, snap1, 1);
  run_stop(&r);
}

/* No debugfs under SysPath: said in bdi_err, the threads still counted. */
static void test_no_debugfs(void **state) {
  (void)state;
  struct run r;
  run_start(&r, "threads-6.x", 5, "proc/sys"); /* a dir without kernel/debug */
  assert_int_equal(r.t.bdi_err, -ENOENT);
  const struct expect e[] = {
      {"thread_cpu", "kswapd0", 10},
      {"thread_cpu", "flush-254:0", 51}, /* no dev/block either: MAJ:MIN */
      {"bdi", "writeback-vda", NAN},
  };
  check(&r, e, ARRAY_SIZE(e));
  run_stop(&r);
}

/* A ProcPath that does not exist: said in discovery_err, nothing added. */
static void test_no_proc(void **state) {
  (void)state;
  struct series_set set;
  struct threads t;
  struct threads_config c = {.proc_path = "/nonexistent/proc",
                             .sys_path = "/nonexistent/sys",
                             .discovery_interval = 5,
                             .bdi_stats = true,
                             .bdi_interval = 1,
                             .clk_tck = 100};
  series_init(&set, 100);
  assert_int_equal(threads_init(&t, &c, &set), 0);
  threads_sample(&t, 1.0, true);
  threads_sample(&t, 2.0, false);
  assert_int_equal(t.discovery_err, -ENOENT);
  assert_int_equal(t.bdi_err, -ENOENT);
  assert_int_equal(t.nr_kt, 0);
  assert_int_equal(set.nr, 0);
  threads_destroy(&t);
  series_free(&set);
}

/* --- names -----------------------------------------------------------------*/

struct name_case {
  const char *comm;
  enum kthread_class class;
  unsigned node;
  const char *bdi; /* NULL: none */
  bool running;
};

static const struct name_case names[] = {
    {"kswapd0", KTHREAD_KSWAPD, 0, NULL, false},
    {"kswapd12", KTHREAD_KSWAPD, 12, NULL, false},
    {"kswapd1:2", KTHREAD_KSWAPD, 1, NULL, false},
    {"kswapd", KTHREAD_OTHER, 0, NULL, false},
    {"kswapd0x", KTHREAD_OTHER, 0, NULL, false},
    {"kcompactd3", KTHREAD_KCOMPACTD, 3, NULL, false},
    {"kcompactd0:1", KTHREAD_OTHER, 0, NULL, false},
    {"flush-0:17", KTHREAD_FLUSH, 0, "0:17", true},
    {"flush-btrfs-1", KTHREAD_FLUSH, 0, "btrfs-1", true},
    {"flush-", KTHREAD_OTHER, 0, NULL, false},
    {"kworker/u8:2+flush-254:0", KTHREAD_UNBOUND, 0, "254:0", true},
    {"kworker/u8:2-flush-254:0", KTHREAD_UNBOUND, 0, "254:0", false},
    {"kworker/u8:0-events_unbound", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/u8:2+", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/u8:2+flush-", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/u:0", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/u17:3", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/u8", KTHREAD_OTHER, 0, NULL, false},
    {"kworker/0:1-events", KTHREAD_OTHER, 0, NULL, false},
    {"kworker/0:1H-kblockd", KTHREAD_OTHER, 0, NULL, false},
    {"kworker/R-writeback", KTHREAD_UNBOUND, 0, NULL, false},
    {"kworker/R-writeback+flush-8:0", KTHREAD_UNBOUND, 0, "8:0", true},
    {"kworker/R-kblockd", KTHREAD_OTHER, 0, NULL, false},
    {"writeback", KTHREAD_UNBOUND, 0, NULL, false},
    {"writeback-flush-8:16", KTHREAD_UNBOUND, 0, "8:16", false},
    {"writebackd", KTHREAD_OTHER, 0, NULL, false},
    {"bdi-default", KTHREAD_OTHER, 0, NULL, false},
    {"", KTHREAD_OTHER, 0, NULL, false},
};

static void test_names(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
    const struct name_case *c = &names[i];
    struct kthread_name kn;
    kthread_name_parse(c->comm, &kn);
    if (kn.class != c->class || kn.node != c->node ||
        kn.running != c->running || (kn.bdi == NULL) != (c->bdi == NULL) ||
        (c->bdi && (kn.bdi_len != strlen(c->bdi) ||
                    strncmp(kn.bdi, c->bdi, kn.bdi_len) != 0)))
      fail_msg("\"%s\": class %d node %u bdi %.*s running %d", c->comm,
               kn.class, kn.node, kn.bdi ? (int)kn.bdi_len : 4,
               kn.bdi ? kn.bdi : "none", kn.running);
  }
}

static void test_devt(void **state) {
  (void)state;
  unsigned major = 0, minor = 0;
  assert_true(bdi_name_devt("254:0", 5, &major, &minor));
  assert_int_equal(major, 254);
  assert_int_equal(minor, 0);
  assert_true(bdi_name_devt("0:17", 4, &major, &minor));
  assert_int_equal(major, 0);
  assert_int_equal(minor, 17);
  assert_false(bdi_name_devt("btrfs-1", 7, &major, &minor));
  assert_false(bdi_name_devt("8:", 2, &major, &minor));
  assert_false(bdi_name_devt(":1", 2, &major, &minor));
  assert_false(bdi_name_devt("8:1x", 4, &major, &minor));
  assert_false(bdi_name_devt("", 0, &major, &minor));
}

static void test_uevent(void **state) {
  (void)state;
  char name[THREADS_NAME_LEN];
  const char cciss[] = "MAJOR=104\nMINOR=0\nDEVNAME=cciss/c0d0\nDEVTYPE=disk";
  assert_true(threads_uevent_devname(cciss, strlen(cciss), name, sizeof(name)));
  assert_string_equal(name, "cciss_c0d0");
  const char none[] = "MAJOR=0\nMINOR=17\n";
  assert_false(threads_uevent_devname(none, strlen(none), name, sizeof(name)));
  const char empty[] = "DEVNAME=\n";
  assert_false(threads_uevent_devname(empty, strlen(empty), name, sizeof(name)));
  size_t len;
  char *buf = fixture_read("threads-6.x", "snap0/sys/dev/block/259:0/uevent",
                           &len);
  assert_true(threads_uevent_devname(buf, len, name, sizeof(name)));
  assert_string_equal(name, "nvme0n1");
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_2_6_39, setup, teardown),
      cmocka_unit_test_setup_teardown(test_6_x, setup, teardown),
      cmocka_unit_test_setup_teardown(test_6_x_rediscovered, setup, teardown),
      cmocka_unit_test_setup_teardown(test_6_x_mid_window, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bdi_interval, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_debugfs, setup, teardown),
      cmocka_unit_test(test_no_proc),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_devt),
      cmocka_unit_test(test_uevent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
