/* What every event told must look like (src/events/event.h): strings
 * that end within their fields, meta data within the event's pool. */
#ifndef LOWMEM_FUZZ_EVENT_CHECK_H
#define LOWMEM_FUZZ_EVENT_CHECK_H

#include "events/event.h"
#include "fuzz.h"

static inline void event_check(const struct event *e) {
  FUZZ_CHECK(fuzz_terminated(e->message, sizeof(e->message)));
  FUZZ_CHECK(fuzz_terminated(e->plugin_instance, sizeof(e->plugin_instance)));
  FUZZ_CHECK(fuzz_terminated(e->type, sizeof(e->type)));
  FUZZ_CHECK(fuzz_terminated(e->type_instance, sizeof(e->type_instance)));
  FUZZ_CHECK(e->nr_meta <= EVENT_MAX_META);
  FUZZ_CHECK(e->pool_len <= EVENT_POOL_LEN);
  for (size_t i = 0; i < e->nr_meta; i++) {
    FUZZ_CHECK(e->meta[i].key != NULL);
    if (e->meta[i].type != EVENT_META_STRING)
      continue;
    const char *s = event_meta_str(e, &e->meta[i]);
    FUZZ_CHECK(s >= e->pool && s < e->pool + EVENT_POOL_LEN);
    FUZZ_CHECK(fuzz_terminated(s, (size_t)(e->pool + EVENT_POOL_LEN - s)));
  }
}

#endif
