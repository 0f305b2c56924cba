/* Following /dev/kmsg: what read() returns is scripted here (the test is
 * linked with -Wl,--wrap=read), as an overrun of the kernel's ring (EPIPE)
 * cannot be had on demand. Which device is /dev/kmsg is checked on the
 * machine's own /dev. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "events/kernlog.h"
#include "sources/kmsg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- the script --------------------------------------------------------- */

struct step {
  const char *record; /* NULL: fail with err */
  int err;
};

static struct {
  int fd; /* reads of this fd follow the script; others are real */
  const struct step *steps;
  size_t nr, next;
} script = {.fd = -1};

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);

ssize_t __wrap_read(int fd, void *buf, size_t len) {
  if (fd != script.fd || script.fd < 0)
    return __real_read(fd, buf, len);
  if (script.next >= script.nr) {
    errno = EAGAIN;
    return -1;
  }
  const struct step *s = &script.steps[script.next++];
  if (s->record == NULL) {
    errno = s->err;
    return -1;
  }
  size_t n = strlen(s->record);
  assert_true(n <= len);
  memcpy(buf, s->record, n);
  return (ssize_t)n;
}

/* A kernlog in /dev/kmsg mode whose reads are the script's. */
static void kmsg_scripted(struct kernlog *kl, const struct step *steps,
                          size_t nr) {
  memset(kl, 0, sizeof(*kl));
  kl->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(kl->fd >= 0);
  kl->mode = KERNLOG_KMSG;
  kl->cap = KERNLOG_RECORD_MAX;
  kl->buf = malloc(kl->cap);
  assert_non_null(kl->buf);
  script.fd = kl->fd;
  script.steps = steps;
  script.nr = nr;
  script.next = 0;
}

struct seen {
  unsigned n;
  uint64_t seq[16];
  enum kmsg_kind kind[16];
};

static void collect(void *arg, const struct kmsg_record *r) {
  struct seen *s = arg;
  if (s->n < ARRAY_SIZE(s->seq)) {
    s->seq[s->n] = r->seq;
    s->kind[s->n] = r->kind;
  }
  s->n++;
}

/* EPIPE: the ring overwrote records before they were read. How many is
 * the gap in sequence numbers, not the number of EPIPEs. */
static void test_lost_records(void **state) {
  (void)state;
  static const struct step steps[] = {
      {"6,10,100,-;one\n", 0},
      {"6,11,200,-;two\n", 0},
      {NULL, EPIPE},
      {"6,20,900,-;the oldest left\n", 0}, /* 12 to 19 overwritten */
      {"6,21,901,-;next\n", 0},
      {NULL, EPIPE},
      {NULL, EPIPE}, /* twice in a row: one gap all the same */
      {"6,1021,5000,-;after a burst\n", 0}, /* 22 to 1020 */
  };
  struct kernlog kl;
  struct seen seen = {0};

  kmsg_scripted(&kl, steps, ARRAY_SIZE(steps));
  assert_int_equal(kernlog_read(&kl, 100, collect, &seen), 5);
  assert_int_equal(seen.n, 5);
  assert_int_equal(seen.seq[2], 20);
  assert_int_equal(kl.lost, 8 + 999);
  assert_int_equal(kl.overruns, 3);
  kernlog_close(&kl);
  script.fd = -1;
}

/* An EPIPE before any record: nothing to count from, an overrun alone. */
static void test_overrun_first(void **state) {
  (void)state;
  static const struct step steps[] = {
      {NULL, EPIPE},
      {"6,500,100,-;first\n", 0},
      {"6,501,100,-;second\n", 0},
  };
  struct kernlog kl;
  struct seen seen = {0};

  kmsg_scripted(&kl, steps, ARRAY_SIZE(steps));
  assert_int_equal(kernlog_read(&kl, 100, collect, &seen), 2);
  assert_int_equal(kl.lost, 0);
  assert_int_equal(kl.overruns, 1);
  kernlog_close(&kl);
  script.fd = -1;
}

/* What a process writes to /dev/kmsg has facility user (1) or the one it
 * names, never kern (0): it is not handed out, but its sequence number
 * counts. */
static void test_foreign_records(void **state) {
  (void)state;
  static const struct step steps[] = {
      {"3,30,100,-;Out of memory: Killed process 77 (x) total-vm:1kB\n", 0},
      {"14,31,100,-;Out of memory: Killed process 1 (systemd) "
       "total-vm:1kB\n",
       0},
      {"12,32,100,-;systemd[1]: Started Session 3 of user root.\n", 0},
      {"6,33,100,-;next\n", 0},
  };
  struct kernlog kl;
  struct seen seen = {0};

  kmsg_scripted(&kl, steps, ARRAY_SIZE(steps));
  assert_int_equal(kernlog_read(&kl, 100, collect, &seen), 2);
  assert_int_equal(seen.n, 2);
  assert_int_equal(seen.kind[0], KMSG_OOM_KILLED);
  assert_int_equal(seen.seq[1], 33);
  assert_int_equal(kl.lost, 0);
  kernlog_close(&kl);
  script.fd = -1;
}

/* max bounds the reads, skipped records included. */
static void test_read_bound(void **state) {
  (void)state;
  static const struct step steps[] = {
      {"14,1,1,-;a\n", 0}, {"14,2,1,-;b\n", 0}, {"14,3,1,-;c\n", 0},
      {"6,4,1,-;d\n", 0},
  };
  struct kernlog kl;
  struct seen seen = {0};

  kmsg_scripted(&kl, steps, ARRAY_SIZE(steps));
  assert_int_equal(kernlog_read(&kl, 2, collect, &seen), 0);
  assert_int_equal(kernlog_read(&kl, 2, collect, &seen), 1);
  assert_int_equal(seen.seq[0], 4);
  kernlog_close(&kl);
  script.fd = -1;
}

/* /dev/kmsg is the character device 1:11; other character devices are
 * refused: /dev/null would say nothing for good, a tty block reads. */
static void test_open_devices(void **state) {
  (void)state;
  struct kernlog kl;
  struct stat st;

  assert_int_equal(kernlog_open(&kl, "/dev/null"), -ENOTSUP);
  assert_int_equal(kl.mode, KERNLOG_OFF);
  kernlog_close(&kl);
  assert_int_equal(kernlog_open(&kl, "/dev/zero"), -ENOTSUP);
  kernlog_close(&kl);
  assert_int_equal(kernlog_open(&kl, "/dev"), -ENOTSUP);
  kernlog_close(&kl);

  if (stat("/dev/kmsg", &st) != 0 || !S_ISCHR(st.st_mode) ||
      major(st.st_rdev) != 1 || minor(st.st_rdev) != 11) {
    print_message("no /dev/kmsg here: its opening is not tried\n");
    return;
  }
  int err = kernlog_open(&kl, "/dev/kmsg");
  if (err == -EACCES || err == -EPERM) {
    print_message("/dev/kmsg is not readable here (%d)\n", err);
  } else {
    assert_int_equal(err, 0);
    assert_int_equal(kl.mode, KERNLOG_KMSG);
  }
  kernlog_close(&kl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lost_records),
      cmocka_unit_test(test_overrun_first),
      cmocka_unit_test(test_foreign_records),
      cmocka_unit_test(test_read_bound),
      cmocka_unit_test(test_open_devices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
