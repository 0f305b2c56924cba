#include "procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PROCFILE_INITIAL_CAP = 4096 };

int procfile_init(struct procfile *pf, const char *root, const char *name) {
  size_t n = strlen(root) + 1 + strlen(name) + 1;

  memset(pf, 0, sizeof(*pf));
  pf->fd = -1;
  pf->max = PROCFILE_DEFAULT_MAX;
  pf->path = malloc(n);
  if (pf->path == NULL)
    return -ENOMEM;
  snprintf(pf->path, n, "%s/%s", root, name);
  return 0;
}

void procfile_limit(struct procfile *pf, size_t max) {
  pf->max = max > 0 ? max : 1;
}

/* A file refused for its size is not read again while the path names
 * the same file: rereading it would cost max bytes a sample. st_size is
 * not asked: procfs files say 0 and sysfs files a page whatever they hold,
 * /proc/kcore says 128 TiB. Only what a read brings is counted, against
 * pf->max. */
static int procfile_is_big(const struct procfile *pf, int fd) {
  struct stat st;
  return pf->big && fstat(fd, &st) == 0 && st.st_dev == pf->big_dev &&
         st.st_ino == pf->big_ino;
}

/* Only a regular file is opened (util/kfile.h says why). */
static int procfile_open(struct procfile *pf) {
  int fd = kfile_open(AT_FDCWD, pf->path);

  if (fd < 0)
    return fd;
  if (procfile_is_big(pf, fd)) {
    close(fd);
    return -EFBIG;
  }
  pf->fd = fd;
  return 0;
}

void procfile_close(struct procfile *pf) {
  if (pf->fd >= 0)
    close(pf->fd);
  pf->fd = -1;
}

/* Reads from offset 0 until EOF or a full buffer. A seq_file hands out
 * about a page per read (slabinfo: 4 KB of 25 KB), so a short read is not
 * the end; reading on at the offset where the last read stopped costs the
 * kernel nothing extra. Returns bytes or -errno; sets *full when the buffer
 * filled before EOF (the file may be longer). */
static ssize_t procfile_fill(struct procfile *pf, int *full) {
  size_t got = 0;

  *full = 0;
  for (;;) {
    ssize_t n = pread(pf->fd, pf->buf + got, pf->cap - got, (off_t)got);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    if (n == 0)
      return (ssize_t)got;
    got += (size_t)n;
    if (got == pf->cap) {
      *full = 1;
      return (ssize_t)got;
    }
  }
}

/* The file holds more than its limit: remember which file it is, so that
 * the next samples refuse it with one stat() instead of reading max bytes
 * again, and give back the buffer it took. */
static int procfile_too_big(struct procfile *pf) {
  struct stat st;

  if (fstat(pf->fd, &st) == 0) {
    pf->big_dev = st.st_dev;
    pf->big_ino = st.st_ino;
    pf->big = 1;
  }
  procfile_close(pf);
  free(pf->buf);
  pf->buf = NULL;
  pf->cap = 0;
  pf->len = 0;
  return -EFBIG;
}

/* Doubles the buffer, to at most pf->max bytes. */
static int procfile_grow(struct procfile *pf) {
  size_t cap = pf->cap * 2 < pf->max ? pf->cap * 2 : pf->max;
  char *bigger = realloc(pf->buf, cap);

  if (bigger == NULL)
    return -ENOMEM;
  pf->buf = bigger;
  pf->cap = cap;
  return 0;
}

int procfile_read(struct procfile *pf) {
  int reopened = 0;

  if (pf->fd < 0) {
    int err = procfile_open(pf);
    if (err)
      return err;
    reopened = 1;
  }
  if (pf->buf == NULL) {
    pf->cap = PROCFILE_INITIAL_CAP < pf->max ? PROCFILE_INITIAL_CAP : pf->max;
    pf->buf = malloc(pf->cap);
    if (pf->buf == NULL) {
      pf->cap = 0;
      return -ENOMEM;
    }
  }

  for (;;) {
    int full;
    ssize_t n = procfile_fill(pf, &full);
    if (n < 0) {
      /* A kept descriptor can go stale (a remount, a module reload):
       * reopen once before calling the file unreadable. */
      procfile_close(pf);
      if (reopened)
        return (int)n;
      int err = procfile_open(pf);
      if (err)
        return err;
      reopened = 1;
      continue;
    }
    if (!full) {
      pf->len = (size_t)n;
      return 0;
    }
    /* Filled: the file may be longer. Grow and read again from 0 so the
     * whole text comes from one generation of the file. A file that fills
     * its limit is longer than any kernel file of its kind: a file that
     * grows without end, or not what the caller thinks it is. */
    if (pf->cap >= pf->max)
      return procfile_too_big(pf);
    int err = procfile_grow(pf);
    if (err)
      return err;
  }
}

void procfile_destroy(struct procfile *pf) {
  procfile_close(pf);
  free(pf->buf);
  free(pf->path);
  memset(pf, 0, sizeof(*pf));
  pf->fd = -1;
}
