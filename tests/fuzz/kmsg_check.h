/* What any parsed kernel log record must look like (src/sources/kmsg.h),
 * whatever its framing: shared by the record and line targets. */
#ifndef LOWMEM_FUZZ_KMSG_CHECK_H
#define LOWMEM_FUZZ_KMSG_CHECK_H

#include "fuzz.h"
#include "sources/kmsg.h"

/* r was parsed from [start, end): its text lies within. */
static inline void kmsg_check(const struct kmsg_record *r, const char *start,
                              const char *end) {
  FUZZ_CHECK(r->kind >= KMSG_OTHER && r->kind <= KMSG_ALLOC_FAILURE);
  FUZZ_CHECK(r->scope >= KMSG_SCOPE_UNKNOWN && r->scope <= KMSG_SCOPE_OTHER);
  FUZZ_CHECK(kmsg_scope_name(r->scope) != NULL);
  FUZZ_CHECK(!r->malformed || r->kind == KMSG_OTHER);
  if (r->text != NULL) {
    FUZZ_CHECK(r->text >= start && r->text <= end);
    FUZZ_CHECK(r->text_len <= (size_t)(end - r->text));
  }
  FUZZ_CHECK(fuzz_terminated(r->comm, sizeof(r->comm)));
  FUZZ_CHECK(fuzz_terminated(r->gfp_flags, sizeof(r->gfp_flags)));
  FUZZ_CHECK(fuzz_terminated(r->constraint, sizeof(r->constraint)));
  FUZZ_CHECK(fuzz_terminated(r->memcg, sizeof(r->memcg)));
  FUZZ_CHECK(r->level <= 7);
  /* The events compute 2^order pages from it. */
  if (r->has & KMSG_HAS_ORDER)
    FUZZ_CHECK(r->order >= -1 && r->order <= KMSG_ORDER_MAX);
}

#endif
