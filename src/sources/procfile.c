#include "procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { PROCFILE_INITIAL_CAP = 4096, PROCFILE_MAX_CAP = 64 << 20 };

int procfile_init(struct procfile *pf, const char *root, const char *name) {
  size_t n = strlen(root) + 1 + strlen(name) + 1;

  memset(pf, 0, sizeof(*pf));
  pf->fd = -1;
  pf->path = malloc(n);
  if (pf->path == NULL)
    return -ENOMEM;
  snprintf(pf->path, n, "%s/%s", root, name);
  return 0;
}

static int procfile_open(struct procfile *pf) {
  pf->fd = open(pf->path, O_RDONLY | O_CLOEXEC);
  return pf->fd < 0 ? -errno : 0;
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

int procfile_read(struct procfile *pf) {
  int reopened = 0;

  if (pf->buf == NULL) {
    pf->buf = malloc(PROCFILE_INITIAL_CAP);
    if (pf->buf == NULL)
      return -ENOMEM;
    pf->cap = PROCFILE_INITIAL_CAP;
  }
  if (pf->fd < 0) {
    int err = procfile_open(pf);
    if (err)
      return err;
    reopened = 1;
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
     * whole text comes from one generation of the file. */
    if (pf->cap >= PROCFILE_MAX_CAP)
      return -EFBIG;
    char *bigger = realloc(pf->buf, pf->cap * 2);
    if (bigger == NULL)
      return -ENOMEM;
    pf->buf = bigger;
    pf->cap *= 2;
  }
}

void procfile_destroy(struct procfile *pf) {
  procfile_close(pf);
  free(pf->buf);
  free(pf->path);
  memset(pf, 0, sizeof(*pf));
  pf->fd = -1;
}
