/* procstat: the process counters of /proc/stat.
 *
 * apache-6.18-x86_64/proc/stat is this machine's /proc/stat, copied;
 *   grep -E '^(processes|procs_)' proc/stat
 * gives processes 289069, procs_running 2, procs_blocked 0. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/procstat.h"

static int parse(const char *tree, const char *rel, struct procstat *ps) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int err = procstat_parse(ps, buf, len);
  free(buf);
  return err;
}

static void test_capture(void **state) {
  (void)state;
  struct procstat ps;
  assert_int_equal(parse("apache-6.18-x86_64", "proc/stat", &ps), 0);
  assert_int_equal(ps.malformed, 0);
  assert_true(procstat_has(&ps, PROCSTAT_PROCESSES));
  assert_int_equal(ps.value[PROCSTAT_PROCESSES], 289069);
  assert_int_equal(ps.value[PROCSTAT_PROCS_RUNNING], 2);
  assert_true(procstat_has(&ps, PROCSTAT_PROCS_BLOCKED));
  assert_int_equal(ps.value[PROCSTAT_PROCS_BLOCKED], 0);
}

/* Lines in any order, an intr line of thousands of numbers, and names
 * that only start like ours. */
static void test_order_and_long_lines(void **state) {
  (void)state;
  static char text[200000];
  size_t n = 0;
  n += (size_t)snprintf(text + n, sizeof(text) - n, "procs_blocked 4\nintr 1");
  for (int i = 0; i < 20000; i++)
    n += (size_t)snprintf(text + n, sizeof(text) - n, " %d", i);
  n += (size_t)snprintf(text + n, sizeof(text) - n,
                        "\nprocesses 17\npage 5 6\nprocessesX 3\n");
  struct procstat ps;
  assert_int_equal(procstat_parse(&ps, text, n), 0);
  assert_int_equal(ps.value[PROCSTAT_PROCESSES], 17);
  assert_int_equal(ps.value[PROCSTAT_PROCS_BLOCKED], 4);
  assert_false(procstat_has(&ps, PROCSTAT_PROCS_RUNNING));
  assert_int_equal(ps.malformed, 0);
}

static void test_broken(void **state) {
  (void)state;
  struct procstat ps;
  assert_int_equal(parse("malformed", "proc/stat-no-processes", &ps), -EINVAL);
  assert_int_equal(ps.value[PROCSTAT_PROCS_RUNNING], 2);
  assert_int_equal(parse("malformed", "proc/stat-bad-processes", &ps), -EINVAL);
  assert_int_equal(ps.malformed, 1);
  assert_int_equal(procstat_parse(&ps, "", 0), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_capture),
      cmocka_unit_test(test_order_and_long_lines),
      cmocka_unit_test(test_broken),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
