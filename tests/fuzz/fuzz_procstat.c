/* /proc/stat (src/sources/procstat.c): the process counters the web
 * server's fork rate comes from. */
#include <errno.h>

#include "fuzz.h"
#include "sources/procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct procstat ps;

  int rc = procstat_parse(&ps, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((rc == 0) == procstat_has(&ps, PROCSTAT_PROCESSES));
  FUZZ_CHECK((ps.present >> PROCSTAT_NR) == 0);
  for (int f = 0; f < PROCSTAT_NR; f++)
    FUZZ_CHECK(procstat_has(&ps, (enum procstat_field)f) || ps.value[f] == 0);
  return 0;
}
