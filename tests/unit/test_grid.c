/* The dispatch grid with a clock the test moves: windows close on the
 * grid, the last one is stamped at its end, and a clock stepped back never
 * makes a stamp repeat or go back. Times in milliseconds, interval 1 s
 * unless said. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "window/grid.h"

/* What a run of samples dispatched: the stamps, and the drops. */
struct run {
  struct window_grid g;
  uint64_t stamps[4096];
  size_t nr;
  unsigned drops;
};

static void run_init(struct run *r, uint64_t interval) {
  memset(r, 0, sizeof(*r));
  window_grid_init(&r->g, interval);
}

static void record(struct run *r, enum grid_action a, uint64_t stamp) {
  if (a == GRID_DISPATCH) {
    assert_true(r->nr < sizeof(r->stamps) / sizeof(r->stamps[0]));
    r->stamps[r->nr++] = stamp;
  } else if (a == GRID_DROP) {
    r->drops++;
  }
}

static void sample(struct run *r, uint64_t now) {
  uint64_t stamp = 0;
  enum grid_action a = window_grid_sample(&r->g, now, &stamp);
  record(r, a, stamp);
}

static void close_run(struct run *r) {
  uint64_t stamp = 0;
  enum grid_action a = window_grid_close(&r->g, &stamp);
  record(r, a, stamp);
}

/* Samples every step ms from start, to before end. */
static void samples(struct run *r, uint64_t start, uint64_t end,
                    uint64_t step) {
  for (uint64_t t = start; t < end; t += step)
    sample(r, t);
}

/* Every stamp on the grid, each after the one before. */
static void check_stamps(const struct run *r) {
  for (size_t i = 0; i < r->nr; i++) {
    assert_int_equal(r->stamps[i] % r->g.interval, 0);
    if (i > 0 && r->stamps[i] <= r->stamps[i - 1])
      fail_msg("stamp %zu (%llu) is not after %llu", i,
               (unsigned long long)r->stamps[i],
               (unsigned long long)r->stamps[i - 1]);
  }
}

/* 10 Hz from 100.05 s to 103.45 s: windows 100, 101, 102 close when the
 * next one starts, stamped at their ends; the open window 103 goes out at
 * the end, stamped 104, its end: the one point of the grid after 103. */
static void test_steady_and_last(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 1000);
  samples(r, 100050, 103450, 100);
  assert_int_equal(r->nr, 3);
  assert_int_equal(r->stamps[0], 101000);
  assert_int_equal(r->stamps[2], 103000);
  close_run(r);
  assert_int_equal(r->nr, 4);
  assert_int_equal(r->stamps[3], 104000);
  check_stamps(r);
  /* Nothing open any more: a second close dispatches nothing. */
  close_run(r);
  assert_int_equal(r->nr, 4);
  free(r);
}

/* collectd -T: one read, then the end. The one window is dispatched. */
static void test_one_read(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 1000);
  sample(r, 5500);
  assert_int_equal(r->nr, 0);
  close_run(r);
  assert_int_equal(r->nr, 1);
  assert_int_equal(r->stamps[0], 6000);
  free(r);
}

/* No sample, nothing to dispatch. */
static void test_no_read(void **state) {
  struct window_grid g;
  uint64_t stamp = 0;
  (void)state;
  window_grid_init(&g, 1000);
  assert_int_equal(window_grid_close(&g, &stamp), GRID_KEEP);
}

/* The clock goes back 2.45 s in window 10. Window 10 closes at once with
 * its own stamp (11); the windows of the new time, 8 to 10, would be
 * stamped 9 to 11, not after 11: dropped. From window 11 on (stamp 12)
 * the run goes on. */
static void test_step_back(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 1000);
  samples(r, 9050, 11000, 100); /* windows 9 and 10 */
  assert_int_equal(r->nr, 1);   /* 9, stamped 10 */
  assert_false(r->g.behind);
  sample(r, 8500); /* back 2.45 s */
  assert_int_equal(r->nr, 2);
  assert_int_equal(r->stamps[1], 11000);
  assert_true(r->g.behind);
  assert_int_equal(r->g.back_by, 2450);
  samples(r, 8600, 11000, 100);
  assert_int_equal(r->nr, 2);
  assert_int_equal(r->drops, 2); /* windows 8, 9 */
  assert_true(r->g.behind);      /* 10 is open: its stamp would be 11 */
  samples(r, 11000, 13000, 100);
  assert_int_equal(r->drops, 3); /* window 10 */
  assert_false(r->g.behind);
  assert_int_equal(r->nr, 3);
  assert_int_equal(r->stamps[2], 12000);
  close_run(r);
  assert_int_equal(r->stamps[3], 13000);
  check_stamps(r);
  free(r);
}

/* Back within the open window changes nothing; back across its start
 * closes it. */
static void test_small_steps_back(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 1000);
  sample(r, 20100);
  sample(r, 20900);
  sample(r, 20400); /* back 0.5 s, still window 20 */
  assert_int_equal(r->nr, 0);
  assert_false(r->g.behind);
  sample(r, 21050);
  sample(r, 20950); /* back 0.1 s, into window 20 again */
  assert_int_equal(r->nr, 2);
  assert_int_equal(r->stamps[0], 21000);
  assert_int_equal(r->stamps[1], 22000); /* window 21, closed early */
  assert_true(r->g.behind);
  sample(r, 21500); /* window 21 again: stamp 22, not after 22 */
  sample(r, 22010);
  assert_int_equal(r->drops, 2);
  assert_false(r->g.behind);
  close_run(r);
  check_stamps(r);
  assert_int_equal(r->stamps[r->nr - 1], 23000);
  free(r);
}

/* Stopped while the clock is behind: the open window is dropped. */
static void test_close_behind(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 1000);
  samples(r, 50000, 52000, 100);
  sample(r, 45000);
  assert_true(r->g.behind);
  size_t nr = r->nr;
  close_run(r);
  assert_int_equal(r->nr, nr);
  assert_int_equal(r->drops, 1);
  check_stamps(r);
  free(r);
}

/* Forward: a gap, stamps on the grid. Interval 10 s. */
static void test_step_forward(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  run_init(r, 10000);
  samples(r, 100000, 115000, 500);
  sample(r, 3600000 + 2000);
  assert_int_equal(r->nr, 2);
  assert_int_equal(r->stamps[0], 110000);
  assert_int_equal(r->stamps[1], 120000);
  close_run(r);
  assert_int_equal(r->stamps[2], 3610000);
  assert_false(r->g.behind);
  free(r);
}

/* A clock that jumps about: whatever it does, stamps stay on the grid
 * and each is after the one before, the last one included. */
static void test_random_clock(void **state) {
  struct run *r = malloc(sizeof(*r));
  (void)state;
  assert_non_null(r);
  srand(7);
  for (int round = 0; round < 50; round++) {
    uint64_t interval = 1000 * (uint64_t)(1 + rand() % 3);
    uint64_t t = 1000000;
    run_init(r, interval);
    for (int i = 0; i < 2000; i++) {
      int jump = rand() % 100;
      if (jump == 0 && t > 10000)
        t -= (uint64_t)(rand() % 5000); /* back up to 5 s */
      else if (jump == 1)
        t += (uint64_t)(rand() % 5000); /* forward */
      else
        t += 100;
      sample(r, t);
    }
    close_run(r);
    check_stamps(r);
  }
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_steady_and_last),
      cmocka_unit_test(test_one_read),
      cmocka_unit_test(test_no_read),
      cmocka_unit_test(test_step_back),
      cmocka_unit_test(test_small_steps_back),
      cmocka_unit_test(test_close_behind),
      cmocka_unit_test(test_step_forward),
      cmocka_unit_test(test_random_clock),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
