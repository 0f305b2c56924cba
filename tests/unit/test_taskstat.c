/* taskstat_parse over the threads fixture trees, this process's own stat
 * file, and broken lines.
 *
 * Expected numbers come from the fixture files:
 *   awk '{print $1, $2, $3, $4, $9, $14, $15, $22}' FILE
 *   (pid, comm, state, ppid, flags, utime, stime, starttime) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/taskstat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct stat_case {
  const char *tree, *file;
  int err;
  uint64_t pid;
  const char *comm;
  char state;
  uint64_t ppid, flags, utime, stime, starttime;
};

static const struct stat_case cases[] = {
    /* 6.x: a worker's name carries "+flush-MAJ:MIN" (up to 63 chars) */
    {"threads-6.x", "snap0/proc/13/task/13/stat", 0, 13,
     "kworker/u8:1+flush-254:0", 'R', 2, 69238880, 0, 12040, 3},
    {"threads-6.x", "snap0/proc/45/task/45/stat", 0, 45, "kswapd0", 'R', 2,
     2230336, 0, 2000, 2},
    {"threads-6.x", "snap0/proc/1/task/1/stat", 0, 1, "systemd", 'S', 0,
     4194560, 311, 1460, 1},
    /* 2.6.39: 44 fields; the incident's flush thread */
    {"threads-2.6.39", "snap0/proc/812/task/812/stat", 0, 812, "flush-0:17",
     'R', 2, 10485824, 0, 418211, 1207},
    {"threads-2.6.39", "snap0/proc/3005/task/3005/stat", 0, 3005, "rm", 'D',
     2997, 4194304, 310, 51000, 8641210},
    /* The name ends at the LAST ')' of the line. */
    {"malformed", "proc/taskstat-comm-parens", 0, 13, "a) b (c)) d", 'R', 2,
     69238880, 0, 12040, 3},
    /* Broken: every one refused, none crashes. */
    {"malformed", "proc/taskstat-truncated", -EINVAL, 0, NULL, 0, 0, 0, 0, 0,
     0},
    {"malformed", "proc/taskstat-empty", -EINVAL, 0, NULL, 0, 0, 0, 0, 0, 0},
    {"malformed", "proc/taskstat-no-parens", -EINVAL, 0, NULL, 0, 0, 0, 0, 0,
     0},
    {"malformed", "proc/taskstat-flags-hex", -EINVAL, 0, NULL, 0, 0, 0, 0, 0,
     0},
    {"malformed", "proc/taskstat-overflow", -EINVAL, 0, NULL, 0, 0, 0, 0, 0,
     0},
};

static void test_fixtures(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    const struct stat_case *c = &cases[i];
    size_t len;
    char *buf = fixture_read(c->tree, c->file, &len);
    struct taskstat ts;

    /* Parsed without its NUL, as pread hands it over. */
    int err = taskstat_parse(&ts, buf, len);
    if (err != c->err)
      fail_msg("%s/%s: got %d, want %d", c->tree, c->file, err, c->err);
    if (c->err == 0) {
      assert_int_equal(ts.pid, c->pid);
      assert_string_equal(ts.comm, c->comm);
      assert_int_equal(ts.state, c->state);
      assert_int_equal(ts.ppid, c->ppid);
      assert_int_equal(ts.flags, c->flags);
      assert_int_equal(ts.utime, c->utime);
      assert_int_equal(ts.stime, c->stime);
      assert_int_equal(ts.starttime, c->starttime);
    }
    free(buf);
  }
}

/* Every prefix of a good line shorter than field 22 is refused; none is
 * read past its end (ASan checks, on a copy of exactly that size). */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("threads-6.x", "snap0/proc/13/task/13/stat", &len);
  /* The 22nd field, starttime, ends before " 0 0 18446744073709551615". */
  const char *after = strstr(buf, ") R ");
  assert_non_null(after);

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    struct taskstat ts;
    memcpy(copy, buf, n);
    int err = taskstat_parse(&ts, copy, n);
    /* Complete once "... 20 0 1 0 3" is there: the 3 is field 22. */
    size_t complete = (size_t)(strstr(after, " 1 0 3 ") - buf) + 6;
    if (n < complete)
      assert_int_equal(err, -EINVAL);
    else
      assert_int_equal(err, 0);
    free(copy);
  }
  free(buf);
}

/* This very thread, on the running kernel: the format is the real one. */
static void test_live_self(void **state) {
  (void)state;
  char path[64], buf[4096];
  pid_t tid = (pid_t)syscall(SYS_gettid);
  snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);

  /* The name, as the kernel gives it in another file (under valgrind it
   * is not the program's). */
  char comm[64] = "";
  snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
  f = fopen(path, "r");
  assert_non_null(f);
  assert_non_null(fgets(comm, sizeof(comm), f));
  fclose(f);
  comm[strcspn(comm, "\n")] = '\0';

  struct taskstat ts;
  assert_int_equal(taskstat_parse(&ts, buf, n), 0);
  assert_int_equal(ts.pid, (uint64_t)tid);
  assert_int_equal(ts.ppid, (uint64_t)getppid());
  assert_string_equal(ts.comm, comm);
  assert_int_equal(ts.state, 'R');
  assert_false(ts.flags & TASKSTAT_PF_KTHREAD);
}

/* kthreadd (pid 2) is a kernel thread on every kernel lowmem knows. */
static void test_live_kthreadd(void **state) {
  (void)state;
  char buf[4096];
  FILE *f = fopen("/proc/2/task/2/stat", "r");
  if (f == NULL)
    skip(); /* a PID namespace without the host's kernel threads */
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);

  struct taskstat ts;
  assert_int_equal(taskstat_parse(&ts, buf, n), 0);
  assert_int_equal(ts.pid, 2);
  assert_string_equal(ts.comm, "kthreadd");
  assert_true(ts.flags & TASKSTAT_PF_KTHREAD);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_live_self),
      cmocka_unit_test(test_live_kthreadd),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
