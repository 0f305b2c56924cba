/* What lowmem says about its sources (complain.c): a path that names no
 * kernel file is said once, with what to do; refused series are said once,
 * with which. collectd is the stub, which keeps the lines. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "collectd/complain.h"
#include "collectd_stub.h"

static void expect_line(const char *needle) {
  if (stub_log_matching(needle) != 1) {
    for (size_t i = 0; i < stub_log_count(); i++)
      print_message("log: %s\n", stub_log_line(i));
    fail_msg("not one line with \"%s\"", needle);
  }
}

/* A FIFO zoneinfo, read at every sample: said once, in words. */
static void test_fifo_said_once(void **state) {
  char dir[] = "/tmp/lowmem-complain-XXXXXX";
  char path[64];
  struct procfile pf;
  struct complaint c = {0};

  (void)state;
  alarm(10);
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/zoneinfo", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_int_equal(procfile_init(&pf, dir, "zoneinfo"), 0);
  stub_log_clear();
  for (int i = 0; i < 30; i++)
    complain_source(&c, &pf, SOURCE_ZONEINFO, procfile_read(&pf));
  assert_int_equal(stub_log_count(), 1);
  expect_line("is a FIFO, not a kernel file: check ProcPath");
  assert_int_equal(stub_log_level(0), LOG_WARNING);

  /* It becomes a file: said so, once. */
  unlink(path);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("Node 0, zone DMA\n", f);
  fclose(f);
  for (int i = 0; i < 3; i++)
    complain_source(&c, &pf, SOURCE_ZONEINFO, procfile_read(&pf));
  assert_int_equal(stub_log_count(), 2);
  expect_line("can be read again");
  procfile_destroy(&pf);
  unlink(path);
  rmdir(dir);
  alarm(0);
}

static void test_too_big_said_once(void **state) {
  char dir[] = "/tmp/lowmem-complain-XXXXXX";
  char path[64];
  struct procfile pf;
  struct complaint c = {0};

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/meminfo", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(truncate(path, 1 << 20), 0);
  assert_int_equal(procfile_init(&pf, dir, "meminfo"), 0);
  procfile_limit(&pf, 64 << 10);
  stub_log_clear();
  for (int i = 0; i < 5; i++)
    complain_source(&c, &pf, SOURCE_MEMINFO, procfile_read(&pf));
  assert_int_equal(stub_log_count(), 1);
  expect_line("holds 65536 bytes or more");
  procfile_destroy(&pf);
  unlink(path);
  rmdir(dir);
}

static void test_kernel(void **state) {
  (void)state;
  stub_log_clear();
  complain_kernel("/x", PROCFILE_EFIFO, "free-block (4.4 and later)");
  expect_line("/x/sys/kernel/osrelease (it is a FIFO, not a kernel file)");
  expect_line("the watermark check is free-block");
  assert_int_equal(stub_log_level(0), LOG_WARNING);
  complain_kernel("/x", -ENOENT, "free-block (4.4 and later)");
  assert_int_equal(stub_log_level(1), LOG_NOTICE);
}

/* Past the limit, the set refuses series: said once, with the first and
 * the last refused and what to do. */
static void test_series_said_once(void **state) {
  struct series_set set;
  bool said = false;

  (void)state;
  series_init(&set, 3);
  stub_log_clear();
  complain_series(&said, &set);
  assert_int_equal(stub_log_count(), 0);
  /* One read asks for five series; lowmem.c complains after each read. */
  for (int i = 0; i < 5; i++) {
    char ti[16];
    snprintf(ti, sizeof(ti), "cache%d", i);
    series_add(&set, "slab", "bytes", ti, SERIES_MAX, SERIES_GAUGE);
  }
  for (int read = 0; read < 3; read++) {
    series_add(&set, "slab", "bytes", "cache9", SERIES_MAX, SERIES_GAUGE);
    complain_series(&said, &set);
  }
  assert_int_equal(stub_log_count(), 1);
  expect_line("too many series");
  expect_line("the first lowmem-slab/bytes-cache3, the last "
              "lowmem-slab/bytes-cache9");
  expect_line("Set a smaller SlabTopN");
  series_free(&set);
}

/* Caches that found no slot of the slab pool: said once, with the first
 * and what to do. */
static void test_slab_top_said_once(void **state) {
  struct slab_top t = {.top_n = 2, .limit = 12};
  bool said = false;

  (void)state;
  stub_log_clear();
  complain_slab_top(&said, &t);
  assert_int_equal(stub_log_count(), 0);
  for (int read = 0; read < 3; read++) {
    if (t.missed++ == 0)
      snprintf(t.first_missed, sizeof(t.first_missed), "dentry");
    complain_slab_top(&said, &t);
  }
  assert_int_equal(stub_log_count(), 1);
  expect_line("the 12 slots lowmem keeps for SlabTopN 2");
  expect_line("1 caches that entered the top were not dispatched (the first "
              "dentry");
  expect_line("Raise SlabTopN");
}

static void test_strerror(void **state) {
  char buf[256];

  (void)state;
  assert_string_equal(complain_strerror(PROCFILE_ECHARDEV, buf, sizeof(buf)),
                      "a character device, not a kernel file");
  assert_string_equal(complain_strerror(-ENOENT, buf, sizeof(buf)),
                      strerror(ENOENT));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fifo_said_once),
      cmocka_unit_test(test_too_big_said_once),
      cmocka_unit_test(test_kernel),
      cmocka_unit_test(test_series_said_once),
      cmocka_unit_test(test_slab_top_said_once),
      cmocka_unit_test(test_strerror),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
