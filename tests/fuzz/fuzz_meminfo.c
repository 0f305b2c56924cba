/* /proc/meminfo (src/sources/meminfo.c): a field is present only when
 * read (an absent one stays 0, never a
 * stale value), and present bits are within the enum. */
#include <errno.h>

#include "fuzz.h"
#include "sources/meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct meminfo mi;

  int rc = meminfo_parse(&mi, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((mi.present >> MEMINFO_NR) == 0);
  FUZZ_CHECK(rc != 0 || mi.present != 0);
  for (int f = 0; f < MEMINFO_NR; f++)
    FUZZ_CHECK(meminfo_has(&mi, (enum meminfo_field)f) || mi.value[f] == 0);
  return 0;
}
