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
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>

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

/* --- what is not a kernel file ------------------------------------------
 *
 * Each is refused at once, the first time and every time after, without
 * waiting for anything: alarm() ends the test if a read blocks (a FIFO
 * opened without O_NONBLOCK waits for a writer forever). */

struct hostile {
  char dir[64];
  char path[128];
};

static void hostile_dir(struct hostile *h, const char *name) {
  snprintf(h->dir, sizeof(h->dir), "/tmp/lowmem-procfile-XXXXXX");
  assert_non_null(mkdtemp(h->dir));
  snprintf(h->path, sizeof(h->path), "%s/%s", h->dir, name);
}

static void hostile_done(struct hostile *h) {
  unlink(h->path);
  rmdir(h->dir);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Three reads of dir/name, each refused with want, in well under a
 * second, nothing kept open, no buffer kept. */
static void refused_quickly(const char *dir, const char *name, int want) {
  struct procfile pf;
  double t0 = now_seconds();

  alarm(5);
  assert_int_equal(procfile_init(&pf, dir, name), 0);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(procfile_read(&pf), want);
    assert_int_equal(pf.fd, -1);
  }
  assert_true(now_seconds() - t0 < 1.0);
  assert_non_null(procfile_strerror(want, (char[64]){0}, 64));
  procfile_destroy(&pf);
  alarm(0);
}

static void test_fifo(void **state) {
  struct hostile h;
  (void)state;
  hostile_dir(&h, "zoneinfo");
  assert_int_equal(mkfifo(h.path, 0600), 0);
  refused_quickly(h.dir, "zoneinfo", PROCFILE_EFIFO);
  assert_string_equal(procfile_not_kernel_file(PROCFILE_EFIFO),
                      "a FIFO, not a kernel file");
  hostile_done(&h);
}

/* A FIFO with a writer holding it open and writing without end: still
 * refused, before a byte is read. */
static void test_fifo_with_writer(void **state) {
  struct hostile h;
  (void)state;
  hostile_dir(&h, "meminfo");
  assert_int_equal(mkfifo(h.path, 0600), 0);
  int rd = open(h.path, O_RDONLY | O_NONBLOCK);
  int wr = open(h.path, O_WRONLY | O_NONBLOCK);
  assert_true(rd >= 0 && wr >= 0);
  assert_int_equal(write(wr, "MemTotal: 1 kB\n", 15), 15);
  refused_quickly(h.dir, "meminfo", PROCFILE_EFIFO);
  close(wr);
  close(rd);
  hostile_done(&h);
}

static void test_socket(void **state) {
  struct hostile h;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  (void)state;
  hostile_dir(&h, "buddyinfo");
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  assert_true(strlen(h.path) < sizeof(sa.sun_path));
  memcpy(sa.sun_path, h.path, strlen(h.path) + 1);
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(listen(fd, 1), 0);
  refused_quickly(h.dir, "buddyinfo", PROCFILE_ESOCKET);
  close(fd);
  hostile_done(&h);
}

static void test_directory(void **state) {
  struct hostile h;
  (void)state;
  hostile_dir(&h, "slabinfo");
  assert_int_equal(mkdir(h.path, 0700), 0);
  refused_quickly(h.dir, "slabinfo", -EISDIR);
  rmdir(h.path);
  hostile_done(&h);
}

/* /dev/null reads as an empty file: refused for what it is, a device,
 * never opened (opening a device can act on it). */
static void test_char_device(void **state) {
  (void)state;
  refused_quickly("/dev", "null", PROCFILE_ECHARDEV);
  refused_quickly("/dev", "zero", PROCFILE_ECHARDEV);
}

/* A block device node made here (root only): refused unopened. The
 * loop device 7:255 need not exist. */
static void test_block_device(void **state) {
  struct hostile h;
  (void)state;
  hostile_dir(&h, "vmstat");
  if (mknod(h.path, S_IFBLK | 0600, makedev(7, 255)) != 0) {
    hostile_done(&h);
    skip();
  }
  refused_quickly(h.dir, "vmstat", PROCFILE_EBLOCKDEV);
  hostile_done(&h);
}

/* A symlink is followed (/proc/self, /proc/net are symlinks): to a
 * regular file it reads; to a FIFO or a device it is refused as they are;
 * a loop of links says ELOOP. */
static void test_symlinks(void **state) {
  struct hostile h;
  char target[160], loop[160];
  struct procfile pf;
  (void)state;
  hostile_dir(&h, "zoneinfo");

  snprintf(target, sizeof(target), "%s/fifo", h.dir);
  assert_int_equal(mkfifo(target, 0600), 0);
  assert_int_equal(symlink(target, h.path), 0);
  refused_quickly(h.dir, "zoneinfo", PROCFILE_EFIFO);
  unlink(h.path);

  assert_int_equal(symlink("/dev/zero", h.path), 0);
  refused_quickly(h.dir, "zoneinfo", PROCFILE_ECHARDEV);
  unlink(h.path);

  snprintf(loop, sizeof(loop), "%s/loop", h.dir);
  assert_int_equal(symlink(loop, h.path), 0);
  assert_int_equal(symlink(h.path, loop), 0);
  refused_quickly(h.dir, "zoneinfo", -ELOOP);
  unlink(h.path);
  unlink(loop);

  char fixture[4096];
  snprintf(fixture, sizeof(fixture), "%s/proc/buddyinfo",
           fixture_path("incident-2.6.39-i686"));
  assert_int_equal(symlink(fixture, h.path), 0);
  assert_int_equal(procfile_init(&pf, h.dir, "zoneinfo"), 0);
  assert_int_equal(procfile_read(&pf), 0);
  check_same(&pf, "incident-2.6.39-i686", "proc/buddyinfo");
  procfile_destroy(&pf);
  unlink(target);
  hostile_done(&h);
}

/* Puts a sparse file of size bytes at h->path, renamed over what was
 * there. */
static void replace_sparse(struct hostile *h, off_t size) {
  char tmp[160];
  snprintf(tmp, sizeof(tmp), "%s.new", h->path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, size), 0);
  close(fd);
  assert_int_equal(rename(tmp, h->path), 0);
}

/* A file longer than its limit is refused after reading at most the limit,
 * gives its buffer back, and is not read again while it is the same file:
 * one stat() a sample instead of the limit's worth of reading. Replaced
 * by a file that fits, it reads again. */
static void test_too_big(void **state) {
  struct hostile h;
  struct procfile pf;
  (void)state;
  hostile_dir(&h, "zoneinfo");
  replace_sparse(&h, (off_t)1 << 30); /* 1 GiB of holes */

  alarm(20);
  assert_int_equal(procfile_init(&pf, h.dir, "zoneinfo"), 0);
  procfile_limit(&pf, 1 << 20);
  assert_int_equal(procfile_read(&pf), -EFBIG);
  assert_null(pf.buf);
  assert_int_equal(pf.fd, -1);
  double t0 = now_seconds();
  for (int i = 0; i < 100; i++)
    assert_int_equal(procfile_read(&pf), -EFBIG);
  assert_null(pf.buf);
  assert_true(now_seconds() - t0 < 0.5);

  /* Replaced (renamed into place, as files are): exactly the limit is too
   * big (the read cannot see its end); one byte less fits. */
  replace_sparse(&h, 1 << 20);
  assert_int_equal(procfile_read(&pf), -EFBIG);
  replace_sparse(&h, (1 << 20) - 1);
  assert_int_equal(procfile_read(&pf), 0);
  assert_int_equal(pf.len, (1 << 20) - 1);
  assert_true(pf.cap <= 1 << 20);
  procfile_destroy(&pf);

  /* The default limit holds too: 64 MiB, not the file's 1 GiB. */
  replace_sparse(&h, (off_t)1 << 30);
  assert_int_equal(procfile_init(&pf, h.dir, "zoneinfo"), 0);
  assert_int_equal(procfile_read(&pf), -EFBIG);
  assert_null(pf.buf);
  procfile_destroy(&pf);
  alarm(0);
  hostile_done(&h);
}

/* A file that grows while it is read (a writer appending without end)
 * stops at the limit too: no read ever takes more than the limit. */
static void test_grows_without_end(void **state) {
  struct hostile h;
  struct procfile pf;
  (void)state;
  hostile_dir(&h, "vmstat");
  int fd = open(h.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    /* Gone with the test, whatever becomes of it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    alarm(30);
    /* Without end as far as the reader can tell; 16 MiB at most, not to
     * fill the disk if the reader never stops. */
    static const char line[] = "pgscan_kswapd 1\n";
    for (size_t n = 0; n < (16u << 20); n += sizeof(line) - 1)
      if (write(fd, line, sizeof(line) - 1) < 0)
        _exit(0);
    pause();
    _exit(0);
  }
  close(fd);
  alarm(20);
  assert_int_equal(procfile_init(&pf, h.dir, "vmstat"), 0);
  procfile_limit(&pf, 256 << 10);
  int err = 0;
  /* Once it is past 256 KiB, every read is refused. */
  double t0 = now_seconds();
  while (err == 0 && now_seconds() - t0 < 10)
    err = procfile_read(&pf);
  assert_int_equal(err, -EFBIG);
  assert_null(pf.buf);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  alarm(0);
  procfile_destroy(&pf);
  hostile_done(&h);
}

static void test_strerror(void **state) {
  char buf[64];
  (void)state;
  assert_string_equal(procfile_strerror(PROCFILE_ESOCKET, buf, sizeof(buf)),
                      "a socket, not a kernel file");
  assert_string_equal(procfile_strerror(-ENOENT, buf, sizeof(buf)),
                      strerror(ENOENT));
  assert_null(procfile_not_kernel_file(-EFBIG));
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
      cmocka_unit_test(test_fifo),
      cmocka_unit_test(test_fifo_with_writer),
      cmocka_unit_test(test_socket),
      cmocka_unit_test(test_directory),
      cmocka_unit_test(test_char_device),
      cmocka_unit_test(test_block_device),
      cmocka_unit_test(test_symlinks),
      cmocka_unit_test(test_too_big),
      cmocka_unit_test(test_grows_without_end),
      cmocka_unit_test(test_strerror),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
