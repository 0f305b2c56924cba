/* procfile: whole-file reads at offset 0, growth past the first buffer,
 * reopening, errors. Contents are compared with the fixture read by
 * stdio (fixture_read). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/procfile.h"

static void check_same(const struct procfile *pf, const char *tree,
                       const char *rel) {
  size_t len;
  char *want = fixture_read(tree, rel, &len);

  assert_int_equal(pf->len, len);
  assert_memory_equal(pf->buf, want, len);
  free(want);
}

static void test_read_fixture(void **state) {
  (void)state;
  struct procfile pf;

  assert_int_equal(procfile_init(&pf, fixture_path("incident-2.6.39-i686"),
                                 "proc/buddyinfo"),
                   0);
  assert_int_equal(pf.fd, -1); /* not opened before the first read */
  assert_int_equal(procfile_read(&pf), 0);
  assert_true(pf.fd >= 0);
  check_same(&pf, "incident-2.6.39-i686", "proc/buddyinfo");
  procfile_destroy(&pf);
}

/* The live slabinfo is ~25 KB: the 4 KiB buffer doubles until a read
 * leaves room, and the whole file arrives. A second read reuses it. */
static void test_grows(void **state) {
  (void)state;
  struct procfile pf;
  size_t len;
  char *want = fixture_read("live-6.18-x86_64", "proc/slabinfo", &len);

  assert_true(len > 4096);
  assert_int_equal(
      procfile_init(&pf, fixture_path("live-6.18-x86_64"), "proc/slabinfo"), 0);
  assert_int_equal(procfile_read(&pf), 0);
  assert_true(pf.cap > len);
  check_same(&pf, "live-6.18-x86_64", "proc/slabinfo");

  char *buf = pf.buf;
  size_t cap = pf.cap;
  int fd = pf.fd;
  assert_int_equal(procfile_read(&pf), 0);
  assert_ptr_equal(pf.buf, buf);
  assert_int_equal(pf.cap, cap);
  assert_int_equal(pf.fd, fd);
  check_same(&pf, "live-6.18-x86_64", "proc/slabinfo");
  procfile_destroy(&pf);
  free(want);
}

static void test_missing(void **state) {
  (void)state;
  struct procfile pf;

  assert_int_equal(
      procfile_init(&pf, fixture_path("live-6.18-x86_64"), "proc/no-such-file"),
      0);
  assert_int_equal(procfile_read(&pf), -ENOENT);
  assert_int_equal(pf.fd, -1);
  /* Still missing on the next tick. */
  assert_int_equal(procfile_read(&pf), -ENOENT);
  procfile_destroy(&pf);
}

/* A directory opens but cannot be read: the one reopen fails the same
 * way, and the error comes back. */
static void test_unreadable(void **state) {
  (void)state;
  struct procfile pf;

  assert_int_equal(procfile_init(&pf, fixture_path("live-6.18-x86_64"), "proc"),
                   0);
  assert_int_equal(procfile_read(&pf), -EISDIR);
  assert_int_equal(pf.fd, -1);
  procfile_destroy(&pf);
}

/* A kept descriptor that went bad (closed behind procfile's back) is
 * reopened once and the read succeeds. */
static void test_reopen(void **state) {
  (void)state;
  struct procfile pf;

  assert_int_equal(
      procfile_init(&pf, fixture_path("numa-5.10-x86_64"), "proc/buddyinfo"),
      0);
  assert_int_equal(procfile_read(&pf), 0);
  close(pf.fd);
  assert_int_equal(procfile_read(&pf), 0);
  assert_true(pf.fd >= 0);
  check_same(&pf, "numa-5.10-x86_64", "proc/buddyinfo");
  procfile_destroy(&pf);
}

/* Sizes at the buffer's edges: empty, exactly 4096 (the read fills the
 * buffer, so it must grow and read again to see the end), 4097. */
static void test_sizes(void **state) {
  (void)state;
  static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 8192};
  char dir[] = "/tmp/lowmem-procfile-XXXXXX";

  assert_non_null(mkdtemp(dir));
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    char path[sizeof(dir) + 16];
    size_t n = sizes[i];
    char *data = malloc(n ? n : 1);
    struct procfile pf;

    assert_non_null(data);
    for (size_t j = 0; j < n; j++)
      data[j] = (char)('a' + j % 26);
    snprintf(path, sizeof(path), "%s/f", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);

    assert_int_equal(procfile_init(&pf, dir, "f"), 0);
    assert_int_equal(procfile_read(&pf), 0);
    assert_int_equal(pf.len, n);
    if (n)
      assert_memory_equal(pf.buf, data, n);
    assert_true(pf.cap > n);
    procfile_destroy(&pf);
    unlink(path);
    free(data);
  }
  rmdir(dir);
}

static size_t count_lines(const char *buf, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += buf[i] == '\n';
  return n;
}

static size_t stdio_lines(const char *path) {
  FILE *f = fopen(path, "r");
  size_t lines = 0;
  int c;
  if (f == NULL)
    return 0;
  while ((c = fgetc(f)) != EOF)
    lines += c == '\n';
  fclose(f);
  return lines;
}

/* A kernel seq_file may hand out about a page per read (slabinfo: 4073 of
 * its 25 KB here, zoneinfo all at once), and must come whole. The numbers
 * move between reads, the lines hardly: compare line counts with stdio's,
 * allowing a cache or two to come or go. Root only (slabinfo is 0400). */
static void test_seq_file_past_first_page(void **state) {
  struct procfile pf;
  size_t lines = stdio_lines("/proc/slabinfo");
  if (lines == 0)
    skip();

  assert_int_equal(procfile_init(&pf, "/proc", "slabinfo"), 0);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(procfile_read(&pf), 0);
    size_t got = count_lines(pf.buf, pf.len);
    assert_true(pf.len > 8192);
    assert_true(got + 2 >= lines && got <= lines + 2);
    assert_int_equal(pf.buf[pf.len - 1], '\n');
  }
  procfile_destroy(&pf);
}

static void test_destroy_twice(void **state) {
  (void)state;
  struct procfile pf;

  assert_int_equal(procfile_init(&pf, "/nonexistent", "x"), 0);
  procfile_close(&pf);
  procfile_destroy(&pf);
  procfile_destroy(&pf);
  assert_int_equal(pf.fd, -1);
  assert_null(pf.buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_fixture),
      cmocka_unit_test(test_grows),
      cmocka_unit_test(test_missing),
      cmocka_unit_test(test_unreadable),
      cmocka_unit_test(test_reopen),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_destroy_twice),
      cmocka_unit_test(test_seq_file_past_first_page),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
