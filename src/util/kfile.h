/* Opening and reading a kernel file (/proc, /sys) that a hostile or broken
 * tree may replace with something else.
 *
 * A FIFO waits for a writer when it is opened and when it is read; opening
 * a device can act on it (a watchdog starts counting). So the path is
 * looked at first (stat, following symlinks: /proc/self is one) and only
 * a regular file is opened; what was opened is checked again with fstat,
 * in case the path changed in between. O_NONBLOCK stays on: regular,
 * procfs and sysfs files ignore it, and the few kernel files that would
 * wait for data answer EAGAIN instead of stopping the sampling. */
#ifndef LOWMEM_UTIL_KFILE_H
#define LOWMEM_UTIL_KFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Errors for what is not a kernel file: negative, and apart from every
 * -errno (errno values are below 4096). */
#define KFILE_EFIFO (-4096 - 1)
#define KFILE_ESOCKET (-4096 - 2)
#define KFILE_EBLOCKDEV (-4096 - 3)
#define KFILE_ECHARDEV (-4096 - 4)
#define KFILE_EODDTYPE (-4096 - 5)

/* The error for a file of mode st_mode: 0 for a regular file, -EISDIR for
 * a directory, KFILE_E* for the rest. */
int kfile_kind(mode_t st_mode);

/* Opens path (relative to dirfd, or AT_FDCWD) for reading if it is a
 * regular file. Returns the descriptor, or -errno / KFILE_E*. */
int kfile_open(int dirfd, const char *path);

/* Reads fd from offset 0 to its end into buf (cap bytes). Returns the
 * length, -EFBIG when the file fills buf (it may be longer), or -errno. */
long kfile_read(int fd, char *buf, size_t cap);

/* kfile_open + kfile_read + close: a small file read whole. */
long kfile_read_small(int dirfd, const char *path, char *buf, size_t cap);

/* "a FIFO, not a kernel file" for KFILE_E* and -EISDIR, else NULL. */
const char *kfile_not_kernel_file(int err);

/* Text for err: kfile_not_kernel_file's, else strerror_r's (thread-safe).
 * Returns buf, or a static text. */
const char *kfile_strerror(int err, char *buf, size_t cap);

#endif
