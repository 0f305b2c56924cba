/* <debugfs>/bdi/<dev>/stats (src/sources/bdistats.c). A value counts only
 * with its bit in has (a line cut after its number leaves the number). */
#include <errno.h>

#include "fuzz.h"
#include "sources/bdistats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bdistats bs;

  int rc = bdistats_parse(&bs, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((rc == 0) == (bs.has != 0));
  FUZZ_CHECK((bs.has >> BDISTATS_NR) == 0);
  return 0;
}
