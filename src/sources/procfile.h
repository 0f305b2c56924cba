/* A /proc (or /sys) file kept open and read whole at offset 0 each sample.
 *
 * pread(fd, buf, cap, 0) makes the kernel regenerate a seq_file, so one
 * descriptor serves every sample. When a read fills the buffer the file may
 * be longer: the buffer doubles and the read is redone, so a long file is
 * never cut short. Once the buffer has grown to fit, reads allocate nothing. */
#ifndef LOWMEM_PROCFILE_H
#define LOWMEM_PROCFILE_H

#include <stddef.h>

struct procfile {
  char *path; /* root + "/" + name, for messages and reopening */
  int fd;     /* -1 while closed */
  char *buf;
  size_t cap;
  size_t len; /* bytes of the last successful read */
};

/* Sets up pf for root/name; does not open yet. Returns 0 or -ENOMEM. */
int procfile_init(struct procfile *pf, const char *root, const char *name);

/* Reads the whole file into pf->buf (pf->len bytes). Opens on first use and
 * reopens once when a kept descriptor is refused. Returns 0 or -errno. */
int procfile_read(struct procfile *pf);

void procfile_close(struct procfile *pf);

/* Frees everything procfile_init allocated. */
void procfile_destroy(struct procfile *pf);

#endif
