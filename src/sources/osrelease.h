/* sys/kernel/osrelease: "6.18.44-fc-v595", "2.6.39-xen", "3.10.0-1160.el7". */
#ifndef LOWMEM_OSRELEASE_H
#define LOWMEM_OSRELEASE_H

#include <stddef.h>

struct kernel_version {
  unsigned major, minor, patch;
};

/* Returns 0, or -EINVAL when the text does not start with N.N. */
int osrelease_parse(struct kernel_version *kv, const char *buf, size_t len);

/* Reads <proc_path>/sys/kernel/osrelease and parses it; text (when not
 * NULL) gets the release as read, without its newline, even when it does
 * not parse. The kernel's
 * release holds 64 characters at most (__NEW_UTS_LEN): a longer file is
 * refused (-EFBIG), and so is anything but a regular file (procfile.h).
 * Returns 0, -EINVAL (not a release), -errno or a procfile_error. */
int osrelease_read(const char *proc_path, struct kernel_version *kv, char *text,
                   size_t text_cap);

/* Negative, zero or positive as kv is older than, equal to or newer than
 * major.minor. */
int kernel_version_cmp(const struct kernel_version *kv, unsigned major,
                       unsigned minor);

#endif
