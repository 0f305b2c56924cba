/* sys/kernel/osrelease and version comparison. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/osrelease.h"
#include "sources/procfile.h"

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

/* Reading the file itself: from a tree, and from trees where it is no
 * kernel file. A FIFO there once made collectd's start wait for a writer
 * forever: alarm() ends the test if a read blocks. */
static void test_read(void **state) {
  struct kernel_version kv = {0, 0, 0};
  char text[80];

  (void)state;
  assert_int_equal(osrelease_read(fixture_path("live-6.18-x86_64"), &kv, text,
                                  sizeof(text)),
                   -ENOENT); /* no sys/ there: under proc/ */
  char proc[4096];
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path("live-6.18-x86_64"));
  assert_int_equal(osrelease_read(proc, &kv, text, sizeof(text)), 0);
  assert_int_equal(kv.major, 6);
  assert_int_equal(kv.minor, 18);
  assert_string_equal(text, "6.18.44-fc-v595");
}

static void make_tree(char *dir, char *path, size_t cap) {
  char sys[128];
  assert_non_null(mkdtemp(dir));
  snprintf(sys, sizeof(sys), "%s/sys", dir);
  assert_int_equal(mkdir(sys, 0700), 0);
  snprintf(sys, sizeof(sys), "%s/sys/kernel", dir);
  assert_int_equal(mkdir(sys, 0700), 0);
  snprintf(path, cap, "%s/osrelease", sys);
}

static void remove_tree(const char *dir, const char *path) {
  char sys[128];
  unlink(path);
  snprintf(sys, sizeof(sys), "%s/sys/kernel", dir);
  rmdir(sys);
  snprintf(sys, sizeof(sys), "%s/sys", dir);
  rmdir(sys);
  rmdir(dir);
}

static void test_read_fifo(void **state) {
  char dir[] = "/tmp/lowmem-osrelease-XXXXXX", path[160];
  struct kernel_version kv = {7, 7, 7};
  char text[80] = "old";

  (void)state;
  make_tree(dir, path, sizeof(path));
  assert_int_equal(mkfifo(path, 0600), 0);
  alarm(5);
  assert_int_equal(osrelease_read(dir, &kv, text, sizeof(text)),
                   PROCFILE_EFIFO);
  alarm(0);
  assert_int_equal(kv.major, 7);
  assert_string_equal(text, "");
  remove_tree(dir, path);
}

/* A release is 64 characters at most: a file of 5000 is no release. */
static void test_read_too_long(void **state) {
  char dir[] = "/tmp/lowmem-osrelease-XXXXXX", path[160];
  struct kernel_version kv;
  char big[5000];

  (void)state;
  make_tree(dir, path, sizeof(path));
  memset(big, 'x', sizeof(big));
  memcpy(big, "6.1.", 4);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(big, 1, sizeof(big), f), sizeof(big));
  fclose(f);
  assert_int_equal(osrelease_read(dir, &kv, NULL, 0), -EFBIG);
  remove_tree(dir, path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_cmp),
      cmocka_unit_test(test_read),
      cmocka_unit_test(test_read_fifo),
      cmocka_unit_test(test_read_too_long),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
