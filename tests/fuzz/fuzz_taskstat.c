/* /proc/<pid>/stat and task/<tid>/stat (src/sources/taskstat.c), read for
 * every thread the threads module follows and every web server process:
 * the command name is anything between the first '(' and the last ')'. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "sources/taskstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct taskstat ts;

  memset(&ts, 0, sizeof(ts));
  int rc = taskstat_parse(&ts, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  if (rc == 0) {
    FUZZ_CHECK(fuzz_terminated(ts.comm, sizeof(ts.comm)));
    FUZZ_CHECK(memchr(data, '(', size) != NULL);
    FUZZ_CHECK(memchr(data, ')', size) != NULL);
  }
  return 0;
}
