/* sys/kernel/osrelease and version comparison. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/osrelease.h"

struct release_case {
  const char *text;
  size_t len; /* 0: strlen(text) */
  int ret;
  unsigned major, minor, patch;
};

static const struct release_case cases[] = {
    {"2.6.39-linode33\n", 0, 0, 2, 6, 39},
    {"6.18.44-fc-v595\n", 0, 0, 6, 18, 44},
    {"3.10.0-1160.el7.x86_64\n", 0, 0, 3, 10, 0},
    {"4.4.0-210-generic\n", 0, 0, 4, 4, 0},
    {"5.10.0-28-amd64", 0, 0, 5, 10, 0},
    {"2.6.39.4", 0, 0, 2, 6, 39}, /* the fourth number is not kept */
    {"4.4-rc1\n", 0, 0, 4, 4, 0},
    {"3.0\n", 0, 0, 3, 0, 0},
    {"4.19.", 0, 0, 4, 19, 0},
    {"4.19.x", 0, 0, 4, 19, 0},
    {"  4.19.0\n", 0, 0, 4, 19, 0},
    {"4.19.1", 3, 0, 4, 1, 0}, /* len cuts the buffer: "4.1" */
    {"4294967295.1", 0, 0, 4294967295u, 1, 0},
    {"", 0, -EINVAL, 0, 0, 0},
    {"\n", 0, -EINVAL, 0, 0, 0},
    {"linux\n", 0, -EINVAL, 0, 0, 0},
    {"4\n", 0, -EINVAL, 0, 0, 0},
    {"4", 0, -EINVAL, 0, 0, 0},
    {"4.\n", 0, -EINVAL, 0, 0, 0},
    {"4.", 0, -EINVAL, 0, 0, 0},
    {".4\n", 0, -EINVAL, 0, 0, 0},
    {"4.x\n", 0, -EINVAL, 0, 0, 0},
    {"4. 4\n", 0, -EINVAL, 0, 0, 0},
    {"-4.4\n", 0, -EINVAL, 0, 0, 0},
    {"4294967296.1\n", 0, -EINVAL, 0, 0, 0},
    {"99999999999999999999999.1\n", 0, -EINVAL, 0, 0, 0},
};

static void test_parse(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct release_case *c = &cases[i];
    size_t len = c->len ? c->len : strlen(c->text);
    /* An exact-size copy, so ASan sees any read past the end. */
    char *buf = malloc(len ? len : 1);
    struct kernel_version kv = {7, 7, 7};

    assert_non_null(buf);
    memcpy(buf, c->text, len);
    print_message("case: \"%.*s\"\n", (int)len, c->text);
    assert_int_equal(osrelease_parse(&kv, buf, len), c->ret);
    if (c->ret == 0) {
      assert_int_equal(kv.major, c->major);
      assert_int_equal(kv.minor, c->minor);
      assert_int_equal(kv.patch, c->patch);
    } else {
      /* Left as it was. */
      assert_int_equal(kv.major, 7);
    }
    free(buf);
  }
}

static void test_fixtures(void **state) {
  (void)state;
  static const struct {
    const char *tree;
    unsigned major, minor, patch;
  } trees[] = {
      {"incident-2.6.39-i686", 2, 6, 39},
      {"linux-4.4-x86_64", 4, 4, 0},
      {"numa-5.10-x86_64", 5, 10, 0},
      {"live-6.18-x86_64", 6, 18, 44},
  };
  for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
    size_t len;
    char *buf = fixture_read(trees[i].tree, "proc/sys/kernel/osrelease", &len);
    struct kernel_version kv;

    assert_int_equal(osrelease_parse(&kv, buf, len), 0);
    assert_int_equal(kv.major, trees[i].major);
    assert_int_equal(kv.minor, trees[i].minor);
    assert_int_equal(kv.patch, trees[i].patch);
    free(buf);
  }
}

static void test_cmp(void **state) {
  (void)state;
  static const struct {
    struct kernel_version kv;
    unsigned major, minor;
    int sign;
  } cases_cmp[] = {
      {{4, 4, 0}, 4, 4, 0},   {{4, 4, 302}, 4, 4, 0},
      {{4, 3, 99}, 4, 4, -1}, {{4, 5, 0}, 4, 4, 1},
      {{3, 19, 0}, 4, 4, -1}, {{5, 0, 0}, 4, 4, 1},
      {{2, 6, 39}, 3, 0, -1}, {{10, 0, 0}, 9, 99, 1},
      {{0, 0, 0}, 0, 0, 0},   {{4294967295u, 4294967295u, 0}, 0, 0, 1},
  };
  for (size_t i = 0; i < sizeof(cases_cmp) / sizeof(cases_cmp[0]); i++) {
    int r = kernel_version_cmp(&cases_cmp[i].kv, cases_cmp[i].major,
                               cases_cmp[i].minor);
    int sign = (r > 0) - (r < 0);
    assert_int_equal(sign, cases_cmp[i].sign);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_cmp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
