/* bdistats_parse over the debugfs files of the threads fixture trees and
 * broken copies.
 *
 * Expected numbers come from the fixture files:
 *   awk '$NF == "kB" { print $1, $2 }' FILE */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/bdistats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALL ((1u << BDISTATS_NR) - 1)

struct bdi_case {
  const char *tree, *file;
  int err;
  unsigned has;
  uint64_t kb[BDISTATS_NR]; /* in enum order: BdiWriteback, BdiReclaimable,
                               BdiDirtyThresh, DirtyThresh,
                               BackgroundThresh */
  unsigned malformed;
};

static const struct bdi_case cases[] = {
    /* 6.x: %10lu columns, BdiDirtied/BdiWritten/bandwidth/b_* ignored */
    {"threads-6.x", "snap0/sys/kernel/debug/bdi/254:0/stats", 0, ALL,
     {81920, 409600, 4800000, 4878000, 2436020}, 0},
    {"threads-6.x", "snap1/sys/kernel/debug/bdi/259:0/stats", 0, ALL,
     {4096, 8192, 2390000, 4878000, 2436020}, 0},
    /* 2.6.39: %8lu columns, the incident's NFS mount 0:17 */
    {"threads-2.6.39", "snap0/sys/kernel/debug/bdi/0:17/stats", 0, ALL,
     {356, 1208, 2412, 2688, 1344}, 0},
    /* Lines of ours without a number or with another unit, and a line
     * without a key, are skipped and counted; the rest is read. */
    {"malformed", "proc/bdistats-garbage", 0,
     (1u << BDISTATS_WRITEBACK) | (1u << BDISTATS_DIRTY_THRESH) |
         (1u << BDISTATS_BACKGROUND_THRESH),
     {40, 0, 4878000, 0, 2436020}, 3},
    {"malformed", "proc/bdistats-truncated", 0, 1u << BDISTATS_WRITEBACK,
     {40, 0, 0, 0, 0}, 1},
    {"malformed", "proc/bdistats-empty", -EINVAL, 0, {0}, 0},
};

static void test_fixtures(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    const struct bdi_case *c = &cases[i];
    size_t len;
    char *buf = fixture_read(c->tree, c->file, &len);
    struct bdistats bs;

    int err = bdistats_parse(&bs, buf, len);
    if (err != c->err)
      fail_msg("%s/%s: got %d, want %d", c->tree, c->file, err, c->err);
    assert_int_equal(bs.has, c->has);
    assert_int_equal(bs.malformed, c->malformed);
    for (int f = 0; f < BDISTATS_NR; f++)
      if (bdistats_has(&bs, f) && bs.kb[f] != c->kb[f])
        fail_msg("%s/%s: %s = %llu, want %llu", c->tree, c->file,
                 bdistats_kernel_name[f], (unsigned long long)bs.kb[f],
                 (unsigned long long)c->kb[f]);
    free(buf);
  }
}

/* Every prefix of a good file parses without reading past its end. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("threads-6.x",
                           "snap0/sys/kernel/debug/bdi/254:0/stats", &len);
  /* The first line is whole once its "kB" is there. */
  size_t first = (size_t)(strstr(buf, "kB") - buf) + 2;

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    struct bdistats bs;
    memcpy(copy, buf, n);
    int err = bdistats_parse(&bs, copy, n);
    if (n < first)
      assert_int_equal(err, -EINVAL);
    else
      assert_int_equal(err, 0);
    free(copy);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
