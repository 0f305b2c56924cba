#include "osrelease.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parse.h"
#include "procfile.h"

/* The kernel's release is 64 characters at most; a page is plenty. */
enum { OSRELEASE_MAX = 4096 };

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

int osrelease_read(const char *proc_path, struct kernel_version *kv, char *text,
                   size_t text_cap) {
  struct procfile pf;
  int err = procfile_init(&pf, proc_path, "sys/kernel/osrelease");

  if (text != NULL && text_cap > 0)
    text[0] = '\0';
  if (err == 0) {
    procfile_limit(&pf, OSRELEASE_MAX);
    err = procfile_read(&pf);
  }
  if (err == 0 && text != NULL && text_cap > 0) {
    size_t n = pf.len;
    while (n > 0 && (pf.buf[n - 1] == '\n' || pf.buf[n - 1] == ' '))
      n--;
    snprintf(text, text_cap, "%.*s", (int)n, pf.buf);
  }
  if (err == 0)
    err = osrelease_parse(kv, pf.buf, pf.len);
  procfile_destroy(&pf);
  return err;
}
