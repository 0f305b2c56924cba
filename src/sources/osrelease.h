/* sys/kernel/osrelease: "6.18.44-fc-v595", "2.6.39-xen", "3.10.0-1160.el7". */
#ifndef LOWMEM_OSRELEASE_H
#define LOWMEM_OSRELEASE_H

#include <stddef.h>

struct kernel_version {
  unsigned major, minor, patch;
};

/* Returns 0, or -EINVAL when the text does not start with N.N. */
int osrelease_parse(struct kernel_version *kv, const char *buf, size_t len);

/* Negative, zero or positive as kv is older than, equal to or newer than
 * major.minor. */
int kernel_version_cmp(const struct kernel_version *kv, unsigned major,
                       unsigned minor);

#endif
