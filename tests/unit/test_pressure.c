/* pressure_parse over the fixture trees and broken input.
 *
 * Expected numbers are the fixture files' own text (each is two lines:
 * cat proc/pressure/memory). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/pressure.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct psi_case {
  bool present;
  double avg10, avg60, avg300;
  uint64_t total;
};

struct file_case {
  const char *tree, *rel;
  int ret;
  unsigned malformed;
  struct psi_case some, full;
};

static const struct file_case files[] = {
    {"numa-5.10-x86_64",
     "proc/pressure/memory",
     0,
     0,
     {true, 1.32, 0.87, 0.25, 41857312},
     {true, 0.56, 0.38, 0.11, 18342997}},
    {"live-6.18-x86_64",
     "proc/pressure/memory",
     0,
     0,
     {true, 0, 0, 0, 0},
     {true, 0, 0, 0, 0}},
    /* the cpu file of kernels before 5.13 has no "full" line: fine */
    {"malformed",
     "proc/pressure-no-full",
     0,
     0,
     {true, 0.12, 0.05, 0.01, 120337},
     {false, 0, 0, 0, 0}},
    /* "full avg10=0.56 avg60=0.38 avg3" without newline */
    {"malformed",
     "proc/pressure-truncated",
     0,
     1,
     {true, 1.32, 0.87, 0.25, 41857312},
     {false, 0, 0, 0, 0}},
    /* some: total over 64 bits; full: total = UINT64_MAX, which fits */
    {"malformed",
     "proc/pressure-overflow",
     0,
     1,
     {false, 0, 0, 0, 0},
     {true, 0.56, 0.38, 0.11, UINT64_MAX}},
    /* bad: avg10=abc, fields out of order, a trailing word, "nonsense";
     * "partial ..." is a well-formed kind we do not know: ignored; the
     * last line is the only good one */
    {"malformed",
     "proc/pressure-garbage",
     0,
     4,
     {false, 0, 0, 0, 0},
     {true, 99.99, 50.5, 100.0, 7}},
    {"malformed",
     "proc/pressure-empty",
     -EINVAL,
     0,
     {false, 0, 0, 0, 0},
     {false, 0, 0, 0, 0}},
};

static void check_line(const struct psi_line *l, const struct psi_case *e) {
  assert_int_equal(l->present, e->present);
  if (!e->present)
    return;
  assert_true(fabs(l->avg10 - e->avg10) < 1e-9);
  assert_true(fabs(l->avg60 - e->avg60) < 1e-9);
  assert_true(fabs(l->avg300 - e->avg300) < 1e-9);
  assert_int_equal(l->total, e->total);
}

static void test_files(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
    const struct file_case *f = &files[i];
    struct pressure ps;
    size_t len;
    print_message("%s/%s\n", f->tree, f->rel);
    char *buf = fixture_read(f->tree, f->rel, &len);
    assert_int_equal(pressure_parse(&ps, buf, len), f->ret);
    free(buf);
    assert_int_equal(ps.malformed, f->malformed);
    check_line(&ps.some, &f->some);
    check_line(&ps.full, &f->full);
  }
}

/* A line read last time and missing now is absent, not stale. */
static void test_presence_resets(void **state) {
  (void)state;
  static const char both[] = "some avg10=1.00 avg60=1.00 avg300=1.00 total=5\n"
                             "full avg10=2.00 avg60=2.00 avg300=2.00 total=6\n";
  static const char some[] = "some avg10=1.00 avg60=1.00 avg300=1.00 total=8\n";
  struct pressure ps;
  assert_int_equal(pressure_parse(&ps, both, sizeof(both) - 1), 0);
  assert_true(ps.full.present);
  assert_int_equal(pressure_parse(&ps, some, sizeof(some) - 1), 0);
  assert_false(ps.full.present);
  assert_int_equal(ps.full.total, 0);
  assert_int_equal(ps.some.total, 8);
}

/* Every prefix, copied to a buffer of exactly that size so ASan sees any
 * read past len. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("numa-5.10-x86_64", "proc/pressure/memory", &len);
  size_t first = (size_t)(strchr(buf, '\n') - buf) + 1;

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    struct pressure ps;
    int ret = pressure_parse(&ps, copy, n);
    bool cut = n > 0 && copy[n - 1] != '\n';
    assert_int_equal(ret, n >= first ? 0 : -EINVAL);
    assert_int_equal(ps.some.present, n >= first);
    assert_int_equal(ps.full.present, n == len);
    assert_int_equal(ps.malformed, cut ? 1 : 0);
    free(copy);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_files),
      cmocka_unit_test(test_presence_resets),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
