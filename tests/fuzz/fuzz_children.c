/* /proc/<pid>/task/<tid>/children (src/sources/pidstat.c), read for each
 * web server master to adopt the children it forked (src/apache/procs.c):
 * the callback runs once per pid returned, and only before a bad word. */
#include <errno.h>

#include "fuzz.h"
#include "sources/pidstat.h"

struct seen {
  int calls;
  uint64_t last;
};

static void on_pid(void *arg, uint64_t pid) {
  struct seen *s = arg;
  s->calls++;
  s->last = pid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct seen s = {0, 0};

  int rc = pidstat_parse_children((const char *)data, size, on_pid, &s);
  FUZZ_CHECK(rc >= 0 || rc == -EINVAL);
  if (rc >= 0)
    FUZZ_CHECK(rc == s.calls);
  /* A pid takes one byte at least, and a separator between two. */
  FUZZ_CHECK((size_t)s.calls <= (size + 1) / 2);
  return 0;
}
