/* A process's files: /proc/<pid>/stat (taskstat), statm and children.
 *
 * The apache2 processes of apache-6.18-x86_64 were copied from this
 * machine's /proc with ps.txt (ps -C apache2 -o pid=,ppid=,nlwp=,rss=)
 * beside them; the expected fields come from
 *   awk '{print $1, $2, $4, $20, $22}' proc/<pid>/stat
 *   awk '{print $2}' proc/<pid>/statm
 * and agree with ps: resident pages x 4 = ps's RSS in kB (967 x 4 = 3868,
 * 1292 x 4 = 5168, 1290 x 4 = 5160), num_threads = ps's nlwp. Process 4242
 * (cron) was written by hand. */
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
#include "sources/pidstat.h"
#include "sources/taskstat.h"

#define TREE "apache-6.18-x86_64"

static int parse_stat(const char *tree, const char *rel, struct taskstat *ps) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int err = taskstat_parse(ps, buf, len);
  free(buf);
  return err;
}

static int parse_statm(const char *tree, const char *rel, uint64_t *res) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  int err = pidstat_parse_statm(res, buf, len);
  free(buf);
  return err;
}

static void test_processes(void **state) {
  (void)state;
  static const struct {
    const char *dir, *comm;
    uint64_t ppid, threads, start, resident;
  } cases[] = {
      {"proc/1339", "apache2", 1, 1, 281212, 967},
      {"proc/1341", "apache2", 1339, 27, 281212, 1292},
      {"proc/1342", "apache2", 1339, 27, 281212, 1290},
      {"proc/4242", "cron", 1, 1, 1500, 640},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char rel[64];
    struct taskstat ps;
    uint64_t resident;

    snprintf(rel, sizeof(rel), "%s/stat", cases[i].dir);
    assert_int_equal(parse_stat(TREE, rel, &ps), 0);
    assert_string_equal(ps.comm, cases[i].comm);
    assert_int_equal(ps.state, 'S');
    assert_int_equal(ps.ppid, cases[i].ppid);
    assert_int_equal(ps.num_threads, cases[i].threads);
    assert_int_equal(ps.starttime, cases[i].start);
    snprintf(rel, sizeof(rel), "%s/statm", cases[i].dir);
    assert_int_equal(parse_statm(TREE, rel, &resident), 0);
    assert_int_equal(resident, cases[i].resident);
  }
}

/* The comm ends at the last ')'; the fields after it are read. */
static void test_comm_parens(void **state) {
  (void)state;
  struct taskstat ps;
  assert_int_equal(parse_stat("malformed", "proc/pidstat-comm-parens", &ps), 0);
  assert_string_equal(ps.comm, "a) (b) c)");
  assert_int_equal(ps.ppid, 4299);
  assert_int_equal(ps.num_threads, 3);
  assert_int_equal(ps.starttime, 9000);
}

static void test_broken(void **state) {
  (void)state;
  static const char *const stat_cases[] = {
      "proc/pidstat-truncated",     /* ends before field 22 */
      "proc/pidstat-no-parens",     /* no "(comm)" */
      "proc/pidstat-negative-ppid", /* ppid is no unsigned number */
      "proc/meminfo-empty",
  };
  static const char *const statm_cases[] = {
      "proc/statm-garbage", "proc/statm-truncated", "proc/meminfo-empty"};
  for (size_t i = 0; i < sizeof(stat_cases) / sizeof(stat_cases[0]); i++) {
    struct taskstat ps;
    print_message("%s\n", stat_cases[i]);
    assert_int_equal(parse_stat("malformed", stat_cases[i], &ps), -EINVAL);
  }
  for (size_t i = 0; i < sizeof(statm_cases) / sizeof(statm_cases[0]); i++) {
    uint64_t resident;
    print_message("%s\n", statm_cases[i]);
    assert_int_equal(parse_statm("malformed", statm_cases[i], &resident),
                     -EINVAL);
  }
}

/* A comm longer than the struct holds is cut, not refused. */
static void test_long_comm(void **state) {
  (void)state;
  char line[512];
  struct taskstat ps;
  int n = snprintf(line, sizeof(line),
                   "9 (kworker/u8:2+flush-254:0-%070d) I 2 0 0 0 -1 69238880 "
                   "0 0 0 0 0 0 0 0 20 0 1 0 33 0 0",
                   7);
  assert_int_equal(taskstat_parse(&ps, line, (size_t)n), 0);
  assert_int_equal(strlen(ps.comm), TASKSTAT_COMM_LEN - 1);
  assert_int_equal(ps.ppid, 2);
  assert_int_equal(ps.starttime, 33);
}

struct pids {
  uint64_t v[8];
  size_t n;
};

static void add_pid(void *arg, uint64_t pid) {
  struct pids *p = arg;
  if (p->n < 8)
    p->v[p->n++] = pid;
}

static void test_children(void **state) {
  (void)state;
  size_t len;
  struct pids p = {{0}, 0};
  char *buf = fixture_read(TREE, "proc/1339/task/1339/children", &len);
  assert_int_equal(pidstat_parse_children(buf, len, add_pid, &p), 2);
  assert_int_equal(p.n, 2);
  assert_int_equal(p.v[0], 1341);
  assert_int_equal(p.v[1], 1342);
  free(buf);

  memset(&p, 0, sizeof(p));
  assert_int_equal(pidstat_parse_children("", 0, add_pid, &p), 0);
  buf = fixture_read("malformed", "proc/children-garbage", &len);
  assert_int_equal(pidstat_parse_children(buf, len, add_pid, &p), -EINVAL);
  assert_int_equal(p.n, 1); /* 1341, before "13x2" */
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_processes), cmocka_unit_test(test_comm_parens),
      cmocka_unit_test(test_broken),    cmocka_unit_test(test_long_comm),
      cmocka_unit_test(test_children),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
