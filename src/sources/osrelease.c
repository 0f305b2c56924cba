#include "osrelease.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "parse.h"

static bool parse_version_part(const char **p, const char *end, unsigned *out) {
  uint64_t v;

  if (*p >= end || **p < '0' || **p > '9' || !parse_u64(p, end, &v) ||
      v > UINT_MAX)
    return false;
  *out = (unsigned)v;
  return true;
}

/* "MAJOR.MINOR[.PATCH][anything]": 2.6.39-linode33, 3.10.0-1160.el7,
 * 4.4-rc1 (patch 0). A fourth number (2.6.39.4) is not kept. */
int osrelease_parse(struct kernel_version *kv, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  struct kernel_version v = {0, 0, 0};

  parse_skip_blanks(&p, end);
  if (!parse_version_part(&p, end, &v.major) || p == end || *p != '.')
    return -EINVAL;
  p++;
  if (!parse_version_part(&p, end, &v.minor))
    return -EINVAL;
  if (p < end && *p == '.') {
    p++;
    if (!parse_version_part(&p, end, &v.patch))
      v.patch = 0;
  }
  *kv = v;
  return 0;
}

int kernel_version_cmp(const struct kernel_version *kv, unsigned major,
                       unsigned minor) {
  if (kv->major != major)
    return kv->major < major ? -1 : 1;
  if (kv->minor != minor)
    return kv->minor < minor ? -1 : 1;
  return 0;
}
