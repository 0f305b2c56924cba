#include "fields.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* What a reader of a notification looks for first, by kind, in the order
 * the pairs are written (and kept, when room runs out), under the meta
 * data's own names (collectd-lowmem(5), NOTIFICATIONS). The zone of a
 * headroom event is the notification's plugin instance. */
static const char *const headroom_keys[] = {
    "order",      "headroom_min_bytes", "headroom_low_bytes",
    "free_bytes", "min_bytes",          "low_bytes",
    NULL,
};
static const char *const oom_keys[] = {
    "victim_pid", "victim_comm", "invoker_pid", "invoker_comm",        "order",
    "gfp_mask",   "memcg",       "zone",        "zone_headroom_bytes", NULL,
};
static const char *const failure_keys[] = {
    "pid", "comm", "order", "gfp_mask", "zone", "zone_headroom_bytes", NULL,
};

static const char *const *keys_of(enum event_kind kind) {
  switch (kind) {
  case EVENT_HEADROOM:
    return headroom_keys;
  case EVENT_OOM_KILL:
    return oom_keys;
  case EVENT_ALLOC_FAILURE:
    return failure_keys;
  }
  return NULL;
}

/* The prose keeps at least this much when the pairs are long. */
enum { PROSE_MIN = 64 };
static const char SEPARATOR[] = " | ";
static const char CUT[] = "...";

static const struct event_meta *find(const struct event *e, const char *key) {
  for (size_t i = 0; i < e->nr_meta; i++)
    if (strcmp(e->meta[i].key, key) == 0)
      return &e->meta[i];
  return NULL;
}

/* "key=value" of m into buf; its length, or cap or more if it did not fit. */
static size_t pair(char *buf, size_t cap, const struct event *e,
                   const struct event_meta *m) {
  size_t n;
  int r = 0;

  switch (m->type) {
  case EVENT_META_INT:
    r = snprintf(buf, cap, "%s=%" PRId64, m->key, m->v.i);
    break;
  case EVENT_META_UINT:
    r = snprintf(buf, cap, "%s=%" PRIu64, m->key, m->v.u);
    break;
  case EVENT_META_DOUBLE:
    r = snprintf(buf, cap, "%s=%.9g", m->key, m->v.d);
    break;
  case EVENT_META_STRING: {
    const char *s = event_meta_str(e, m);
    if (event_name_is_plain(s)) {
      r = snprintf(buf, cap, "%s=%s", m->key, s);
      break;
    }
    r = snprintf(buf, cap, "%s=\"", m->key);
    if (r < 0 || (size_t)r >= cap)
      return cap;
    n = (size_t)r;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
      if (*c <= ' ' || *c >= 0x7f || *c == '"' || *c == '\\' || *c == '|')
        r = snprintf(buf + n, cap - n, "\\x%02x", *c);
      else
        r = snprintf(buf + n, cap - n, "%c", *c);
      if (r < 0 || (size_t)r >= cap - n)
        return cap;
      n += (size_t)r;
    }
    r = snprintf(buf + n, cap - n, "\"");
    if (r < 0 || (size_t)r >= cap - n)
      return cap;
    return n + (size_t)r;
  }
  }
  return r < 0 ? cap : (size_t)r;
}

size_t event_fields_text(const struct event *e, char *buf, size_t cap) {
  char pairs[EVENT_MESSAGE_LEN], one[EVENT_MESSAGE_LEN];
  size_t np = 0;
  const char *const *keys = keys_of(e->kind);

  if (cap > EVENT_MESSAGE_LEN)
    cap = EVENT_MESSAGE_LEN;
  if (cap < PROSE_MIN) { /* no room for pairs: the prose, cut */
    if (cap == 0)
      return 0;
    size_t n = strnlen(e->message, cap - 1);
    memcpy(buf, e->message, n);
    buf[n] = '\0';
    return n;
  }
  /* Room for the pairs: all but the least the prose keeps. */
  size_t room = cap > PROSE_MIN + sizeof(SEPARATOR)
                    ? cap - 1 - PROSE_MIN - (sizeof(SEPARATOR) - 1)
                    : 0;
  /* A cgroup's OOM is about its limit: its message names no zone, nor do
   * its pairs. */
  const struct event_meta *scope = find(e, "scope");
  bool memcg = scope != NULL && scope->type == EVENT_META_STRING &&
               strcmp(event_meta_str(e, scope), "cgroup") == 0;
  pairs[0] = '\0';
  for (size_t k = 0; keys != NULL && keys[k] != NULL; k++) {
    const struct event_meta *m = find(e, keys[k]);
    if (m == NULL || (memcg && strncmp(keys[k], "zone", 4) == 0))
      continue;
    size_t n = pair(one, sizeof(one), e, m);
    size_t need = n + (np > 0);
    if (n >= sizeof(one) || np + need > room)
      break; /* the later pairs matter less */
    np += (size_t)snprintf(pairs + np, sizeof(pairs) - np, "%s%s",
                           np > 0 ? " " : "", one);
  }

  size_t prose = strlen(e->message);
  /* The separator even without pairs: the last " | " is always this one,
   * whatever a name in the prose holds. */
  size_t tail = sizeof(SEPARATOR) - 1 + np;
  if (prose + tail > cap - 1) {
    /* Cut the prose, and say so. */
    size_t keep = cap - 1 - tail;
    keep = keep > sizeof(CUT) - 1 ? keep - (sizeof(CUT) - 1) : 0;
    int r = snprintf(buf, cap, "%.*s%s", (int)keep, e->message, CUT);
    prose = r < 0 ? 0 : (size_t)r;
  } else {
    memcpy(buf, e->message, prose + 1);
  }
  snprintf(buf + prose, cap - prose, "%s%s", SEPARATOR, pairs);
  return strlen(buf);
}
