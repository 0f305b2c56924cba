/* Syslog and saved dmesg lines (kmsg_parse_line, src/sources/kmsg.c):
 * each line of the input is parsed as the kernel log file reader hands it
 * over, with the rest of the buffer after it; the newline ends it. */
#include <errno.h>
#include <string.h>

#include "kmsg_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  struct kmsg_record r;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;

    memset(&r, 0xa5, sizeof(r));
    int rc = kmsg_parse_line(&r, p, (size_t)(end - p));
    FUZZ_CHECK(rc == 0 || rc == -ENOENT);
    if (rc == 0)
      kmsg_check(&r, p, eol);
    p = nl ? nl + 1 : end;
  }
  return 0;
}
