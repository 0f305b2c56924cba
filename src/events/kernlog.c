#include "kernlog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Set while the rest of a line longer than the buffer is skipped. */
#define SKIPPING ((size_t)-1)

int kernlog_open(struct kernlog *kl, const char *path) {
  struct stat st;

  memset(kl, 0, sizeof(*kl));
  kl->fd = -1;
  kl->path = strdup(path);
  if (kl->path == NULL)
    return -ENOMEM;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (fstat(fd, &st) != 0) {
    int err = -errno;
    close(fd);
    return err;
  }
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == KERNLOG_KMSG_MAJOR &&
      minor(st.st_rdev) == KERNLOG_KMSG_MINOR) {
    /* Only what the kernel logs from now on: the ring's past holds
     * boot messages and, after a restart, reports already told. */
    if (lseek(fd, 0, SEEK_END) < 0) {
      int err = -errno;
      close(fd);
      return err;
    }
    kl->mode = KERNLOG_KMSG;
    kl->cap = KERNLOG_RECORD_MAX;
  } else if (S_ISREG(st.st_mode)) {
    kl->mode = KERNLOG_FILE;
    kl->cap = KERNLOG_FILE_CHUNK;
    kl->pos = st.st_size;
    kl->dev = st.st_dev;
    kl->ino = st.st_ino;
  } else {
    close(fd);
    return -ENOTSUP;
  }
  kl->buf = malloc(kl->cap);
  if (kl->buf == NULL) {
    close(fd);
    kl->mode = KERNLOG_OFF;
    return -ENOMEM;
  }
  kl->fd = fd;
  return 0;
}

void kernlog_close(struct kernlog *kl) {
  if (kl->fd >= 0)
    close(kl->fd);
  free(kl->buf);
  free(kl->path);
  memset(kl, 0, sizeof(*kl));
  kl->fd = -1;
}

static void add_lost(struct kernlog *kl, uint64_t n) {
  kl->lost = n > (uint64_t)(ULONG_MAX - kl->lost) ? ULONG_MAX
                                                  : kl->lost + (unsigned long)n;
}

/* One record read: counts the records lost before it, and hands it to fn
 * when it is the kernel's. Returns whether it did. */
static bool kmsg_record(struct kernlog *kl, const char *buf, size_t len,
                        kernlog_fn fn, void *arg) {
  struct kmsg_record r;
  int rc = kmsg_parse_record(&r, buf, len);

  /* Sequence numbers count every record the kernel stored, the skipped
   * ones included: a jump is what the ring overwrote unread (after an
   * EPIPE; devkmsg_read() moves the reader to the oldest record left). */
  if (r.has & KMSG_HAS_SEQ) {
    if (kl->has_seq && r.seq > kl->seq && r.seq - kl->seq > 1)
      add_lost(kl, r.seq - kl->seq - 1);
    kl->seq = r.seq;
    kl->has_seq = true;
  }
  if (rc == -ENOENT) {
    kl->foreign++; /* a process's words, not the kernel's */
    return false;
  }
  fn(arg, &r);
  kl->records++;
  return true;
}

static int read_kmsg(struct kernlog *kl, unsigned max, kernlog_fn fn,
                     void *arg) {
  unsigned n = 0;

  /* Every read() takes a turn, skipped records, EINTR and EPIPE too, so
   * that the loop ends whatever the device says. */
  for (unsigned reads = 0; reads < max; reads++) {
    ssize_t got = read(kl->fd, kl->buf, kl->cap);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      if (errno == EINTR)
        continue;
      if (errno == EPIPE) {
        kl->overruns++; /* the next record tells how many were lost */
        continue;
      }
      return -errno;
    }
    if (got == 0)
      break;
    n += kmsg_record(kl, kl->buf, (size_t)got, fn, arg);
  }
  return (int)n;
}

/* The file at path is not the one open any more (rotated): the new one is
 * read from its start. */
static void reopen_if_replaced(struct kernlog *kl) {
  struct stat st;

  if (stat(kl->path, &st) != 0 || !S_ISREG(st.st_mode) ||
      (st.st_dev == kl->dev && st.st_ino == kl->ino))
    return;
  int fd = open(kl->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  close(kl->fd);
  kl->fd = fd;
  kl->dev = st.st_dev;
  kl->ino = st.st_ino;
  kl->pos = 0;
  kl->start = kl->len = 0;
}

/* One read of what was appended since the last one. */
static int file_refill(struct kernlog *kl) {
  struct stat st;

  if (fstat(kl->fd, &st) == 0 && st.st_size < kl->pos) {
    kl->pos = 0; /* truncated: start again */
    kl->start = kl->len = 0;
  }
  if (kl->start > 0 && kl->start != SKIPPING) {
    memmove(kl->buf, kl->buf + kl->start, kl->len - kl->start);
    kl->len -= kl->start;
    kl->start = 0;
  }
  if (kl->len == kl->cap) {
    /* A line longer than the buffer: not a kernel message lowmem reads
     * (those are shorter than a /dev/kmsg record). */
    kl->too_long++;
    kl->len = 0;
    kl->start = SKIPPING;
  }
  size_t room = kl->cap - kl->len;
  ssize_t got;
  do
    got = pread(kl->fd, kl->buf + kl->len, room, kl->pos);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    return -errno;
  if (got == 0)
    reopen_if_replaced(kl);
  kl->len += (size_t)got;
  kl->pos += got;
  return 0;
}

static int read_file(struct kernlog *kl, unsigned max, kernlog_fn fn,
                     void *arg) {
  int err = file_refill(kl);
  if (err)
    return err;

  unsigned n = 0;
  if (kl->start == SKIPPING) {
    char *nl = memchr(kl->buf, '\n', kl->len);
    if (nl == NULL) {
      kl->len = 0;
      return 0;
    }
    kl->start = (size_t)(nl + 1 - kl->buf);
  }
  while (n < max && kl->start < kl->len) {
    const char *line = kl->buf + kl->start;
    char *nl = memchr(line, '\n', kl->len - kl->start);
    if (nl == NULL)
      break; /* wait for the rest of the line */
    struct kmsg_record r;
    size_t len = (size_t)(nl - line);
    kl->start += len + 1;
    if (kmsg_parse_line(&r, line, len) != 0)
      continue; /* another program's line */
    fn(arg, &r);
    kl->records++;
    n++;
  }
  return (int)n;
}

int kernlog_read(struct kernlog *kl, unsigned max, kernlog_fn fn, void *arg) {
  switch (kl->mode) {
  case KERNLOG_KMSG:
    return read_kmsg(kl, max, fn, arg);
  case KERNLOG_FILE:
    return read_file(kl, max, fn, arg);
  case KERNLOG_OFF:
    break;
  }
  return 0;
}
