/* What every event told must look like (src/events/event.h): strings
 * that end within their fields, meta data within the event's pool; and
 * its notification text (src/events/fields.h): within collectd's 255
 * bytes, its pairs after the last " | ", none holding a space or a '"'
 * but at the ends of a quoted value. */
#ifndef LOWMEM_FUZZ_EVENT_CHECK_H
#define LOWMEM_FUZZ_EVENT_CHECK_H

#include <string.h>

#include "events/event.h"
#include "events/fields.h"
#include "fuzz.h"

static inline void event_text_check(const struct event *e) {
  char text[EVENT_MESSAGE_LEN + 8];
  size_t len = event_fields_text(e, text, EVENT_MESSAGE_LEN);

  FUZZ_CHECK(len == strlen(text) && len < EVENT_MESSAGE_LEN);
  const char *pairs = NULL;
  for (const char *s = strstr(text, " | "); s != NULL; s = strstr(s + 1, " | "))
    pairs = s + 3;
  FUZZ_CHECK(pairs != NULL);
  for (const char *p = pairs; *p != '\0';) {
    const char *end = strchr(p, ' ');
    if (end == NULL)
      end = p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    FUZZ_CHECK(eq != NULL && eq > p);
    const char *v = eq + 1;
    if (*v == '"') {
      FUZZ_CHECK(end - v >= 2 && end[-1] == '"');
      FUZZ_CHECK(memchr(v + 1, '"', (size_t)(end - v - 2)) == NULL);
    } else {
      FUZZ_CHECK(memchr(v, '"', (size_t)(end - v)) == NULL);
    }
    p = *end != '\0' ? end + 1 : end;
  }
}

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
  event_text_check(e);
}

#endif
