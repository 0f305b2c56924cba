/* sys/kernel/osrelease (src/sources/osrelease.c), and the comparison the
 * watermark check is chosen by. */
#include <errno.h>

#include "fuzz.h"
#include "sources/osrelease.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct kernel_version kv = {7, 7, 7};

  int rc = osrelease_parse(&kv, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  if (rc != 0) {
    /* A failed parse leaves the caller's version alone. */
    FUZZ_CHECK(kv.major == 7 && kv.minor == 7 && kv.patch == 7);
    return 0;
  }
  FUZZ_CHECK(kernel_version_cmp(&kv, kv.major, kv.minor) == 0);
  if (kv.minor > 0)
    FUZZ_CHECK(kernel_version_cmp(&kv, kv.major, kv.minor - 1) > 0);
  if (kv.major > 0)
    FUZZ_CHECK(kernel_version_cmp(&kv, kv.major - 1, ~0u) > 0);
  FUZZ_CHECK(kernel_version_cmp(&kv, kv.major, kv.minor + 1u) < 0 ||
             kv.minor == ~0u);
  return 0;
}
