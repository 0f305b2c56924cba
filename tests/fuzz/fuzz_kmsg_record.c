/* One /dev/kmsg record, as one read() returns it (kmsg_parse_record,
 * src/sources/kmsg.c): "PRI,SEQ,TS,FLAGS;text\n" and its " KEY=VALUE"
 * lines. */
#include <errno.h>
#include <string.h>

#include "kmsg_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct kmsg_record r;

  memset(&r, 0xa5, sizeof(r)); /* nothing may be left from before */
  int rc = kmsg_parse_record(&r, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOENT);
  FUZZ_CHECK(rc != -EINVAL || r.malformed);
  /* Another facility's record: framing read, text not. */
  FUZZ_CHECK(rc != -ENOENT || r.kind == KMSG_OTHER);
  if (rc == 0) {
    /* The text ends at the record's first newline. */
    const char *nl = memchr(buf, '\n', size);
    kmsg_check(&r, buf, nl ? nl : buf + size);
    FUZZ_CHECK(r.has & KMSG_HAS_SEQ);
  }
  return 0;
}
