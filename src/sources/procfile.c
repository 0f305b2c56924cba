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

/* One pread at offset 0. The kernel's seq_file fills as much of the buffer
 * as the file has, so a short read is the whole file; a second read to see
 * EOF would make the kernel walk the file again to find the offset. Returns
 * bytes or -errno; sets *full when the buffer filled (the file may be longer). */
static ssize_t procfile_fill(struct procfile *pf, int *full) {
  ssize_t n;

  *full = 0;
  do
    n = pread(pf->fd, pf->buf, pf->cap, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  *full = (size_t)n == pf->cap;
  return n;
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
