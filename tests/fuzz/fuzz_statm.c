/* /proc/<pid>/statm (src/sources/pidstat.c): the resident pages. */
#include <errno.h>

#include "fuzz.h"
#include "sources/pidstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t resident = 0;

  int rc = pidstat_parse_statm(&resident, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  return 0;
}
