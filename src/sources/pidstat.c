#include "pidstat.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

int pidstat_parse_statm(uint64_t *resident, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  uint64_t size;

  if (!parse_u64(&p, end, &size) || !parse_u64(&p, end, resident))
    return -EINVAL;
  return 0;
}

int pidstat_parse_children(const char *buf, size_t len, pid_fn *fn, void *arg) {
  const char *p = buf, *end = buf + len;
  int n = 0;

  for (;;) {
    uint64_t pid;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
      p++;
    if (p == end)
      return n;
    if (!parse_u64(&p, end, &pid) || (p < end && *p != ' ' && *p != '\n'))
      return -EINVAL;
    fn(arg, pid);
    n++;
  }
}
