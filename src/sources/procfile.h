/* A /proc (or /sys) file kept open and read whole at offset 0 each sample.
 *
 * pread(fd, buf, cap, 0) makes the kernel regenerate a seq_file, so one
 * descriptor serves every sample. When a read fills the buffer the file may
 * be longer: the buffer doubles and the read is redone, so a long file is
 * never cut short. Once the buffer has grown to fit, reads allocate nothing.
 *
 * Whatever sits at the path, a read returns: ProcPath may name a saved tree
 * or a container's view, where a FIFO, a socket or a device can stand in
 * for a kernel file. Only a regular file is read (procfs, sysfs and debugfs
 * files are regular files); anything else is refused with an error of its
 * own before it is opened, so nothing waits for a writer, nothing opens a
 * device, and a file is never read past its limit. */
#ifndef LOWMEM_PROCFILE_H
#define LOWMEM_PROCFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "../util/kfile.h"

/* Errors of procfile_read beside -errno: the path names something that is
 * not a kernel file (util/kfile.h). A directory is -EISDIR, a file longer
 * than the limit -EFBIG. */
enum procfile_error {
  PROCFILE_EFIFO = KFILE_EFIFO,
  PROCFILE_ESOCKET = KFILE_ESOCKET,
  PROCFILE_EBLOCKDEV = KFILE_EBLOCKDEV,
  PROCFILE_ECHARDEV = KFILE_ECHARDEV,
  PROCFILE_EODDTYPE = KFILE_EODDTYPE, /* none of those, nor a regular file */
};

/* The default limit of a file: 64 MiB. Callers that know their file set a
 * tighter one (procfile_limit). */
#define PROCFILE_DEFAULT_MAX ((size_t)64 << 20)

struct procfile {
  char *path; /* root + "/" + name, for messages and reopening */
  int fd;     /* -1 while closed */
  char *buf;
  size_t cap;
  size_t len; /* bytes of the last successful read */
  size_t max; /* most bytes the file may hold; longer is -EFBIG */
  /* The file last refused for its size: it is not read again while the
   * path names the same file (a reread would cost max bytes a sample). */
  dev_t big_dev;
  ino_t big_ino;
  int big; /* big_dev and big_ino are set */
};

/* Sets up pf for root/name; does not open yet. Returns 0 or -ENOMEM. */
int procfile_init(struct procfile *pf, const char *root, const char *name);

/* Sets the most bytes the file may hold (at least 1); a longer file is
 * refused with -EFBIG. */
void procfile_limit(struct procfile *pf, size_t max);

/* Reads the whole file into pf->buf (pf->len bytes). Opens on first use and
 * reopens once when a kept descriptor is refused. Never blocks: the file is
 * opened O_NONBLOCK, so one that would wait for data says -EAGAIN. Returns
 * 0, -errno or a procfile_error. */
int procfile_read(struct procfile *pf);

void procfile_close(struct procfile *pf);

/* Frees everything procfile_init allocated. */
void procfile_destroy(struct procfile *pf);

/* What an error of procfile_read means: kfile_not_kernel_file() and
 * kfile_strerror() (util/kfile.h). */
#define procfile_not_kernel_file kfile_not_kernel_file
#define procfile_strerror kfile_strerror

#endif
