#include "kfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kfile_kind(mode_t st_mode) {
  switch (st_mode & S_IFMT) {
  case S_IFREG:
    return 0;
  case S_IFDIR:
    return -EISDIR;
  case S_IFIFO:
    return KFILE_EFIFO;
  case S_IFSOCK:
    return KFILE_ESOCKET;
  case S_IFBLK:
    return KFILE_EBLOCKDEV;
  case S_IFCHR:
    return KFILE_ECHARDEV;
  default:
    return KFILE_EODDTYPE;
  }
}

int kfile_open(int dirfd, const char *path) {
  struct stat st;

  if (fstatat(dirfd, path, &st, 0) != 0)
    return -errno;
  int err = kfile_kind(st.st_mode);
  if (err)
    return err;
  int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return -errno;
  if (fstat(fd, &st) != 0)
    err = -errno;
  else
    err = kfile_kind(st.st_mode);
  if (err) {
    close(fd);
    return err;
  }
  return fd;
}

long kfile_read(int fd, char *buf, size_t cap) {
  size_t got = 0;

  while (got < cap) {
    ssize_t n = pread(fd, buf + got, cap - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      return (long)got;
    got += (size_t)n;
  }
  return -EFBIG;
}

long kfile_read_small(int dirfd, const char *path, char *buf, size_t cap) {
  int fd = kfile_open(dirfd, path);
  if (fd < 0)
    return fd;
  long n = kfile_read(fd, buf, cap);
  close(fd);
  return n;
}

const char *kfile_not_kernel_file(int err) {
  switch (err) {
  case KFILE_EFIFO:
    return "a FIFO, not a kernel file";
  case KFILE_ESOCKET:
    return "a socket, not a kernel file";
  case KFILE_EBLOCKDEV:
    return "a block device, not a kernel file";
  case KFILE_ECHARDEV:
    return "a character device, not a kernel file";
  case KFILE_EODDTYPE:
    return "neither a file nor a directory, not a kernel file";
  case -EISDIR:
    return "a directory, not a kernel file";
  default:
    return NULL;
  }
}

const char *kfile_strerror(int err, char *buf, size_t cap) {
  const char *kind = kfile_not_kernel_file(err);

  if (kind != NULL)
    return kind;
  /* GNU strerror_r (with _GNU_SOURCE) returns the text, which may or may
   * not be in buf; the XSI one fills buf and returns 0. */
#if defined(_GNU_SOURCE) && defined(__GLIBC__)
  return strerror_r(-err, buf, cap);
#else
  if (strerror_r(-err, buf, cap) != 0)
    snprintf(buf, cap, "error %d", -err);
  return buf;
#endif
}
