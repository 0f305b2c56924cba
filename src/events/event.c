#include "event.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy_name(char *dst, const char *src) {
  snprintf(dst, EVENT_NAME_LEN, "%s", src ? src : "");
}

struct event *event_list_add(struct event_list *l, enum event_kind kind,
                             enum event_severity severity, double time,
                             const char *plugin_instance, const char *type,
                             const char *type_instance) {
  if (l->nr >= EVENT_LIST_MAX) {
    l->dropped++;
    return NULL;
  }
  struct event *e = &l->v[l->nr++];
  e->kind = kind;
  e->severity = severity;
  e->time = time;
  copy_name(e->plugin_instance, plugin_instance);
  copy_name(e->type, type);
  copy_name(e->type_instance, type_instance);
  e->message[0] = '\0';
  e->nr_meta = 0;
  e->pool_len = 0;
  return e;
}

void event_message(struct event *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof(e->message), fmt, ap);
  va_end(ap);
}

static struct event_meta *meta_add(struct event *e, const char *key,
                                   enum event_meta_type type) {
  if (e->nr_meta >= EVENT_MAX_META)
    return NULL;
  struct event_meta *m = &e->meta[e->nr_meta++];
  m->key = key;
  m->type = type;
  return m;
}

void event_meta_string(struct event *e, const char *key, const char *value) {
  size_t n = strlen(value) + 1;
  if (e->pool_len + n > sizeof(e->pool))
    return;
  struct event_meta *m = meta_add(e, key, EVENT_META_STRING);
  if (m == NULL)
    return;
  memcpy(e->pool + e->pool_len, value, n);
  m->v.offset = e->pool_len;
  e->pool_len += n;
}

void event_meta_int(struct event *e, const char *key, int64_t value) {
  struct event_meta *m = meta_add(e, key, EVENT_META_INT);
  if (m)
    m->v.i = value;
}

void event_meta_uint(struct event *e, const char *key, uint64_t value) {
  struct event_meta *m = meta_add(e, key, EVENT_META_UINT);
  if (m)
    m->v.u = value;
}

void event_meta_double(struct event *e, const char *key, double value) {
  struct event_meta *m = meta_add(e, key, EVENT_META_DOUBLE);
  if (m)
    m->v.d = value;
}

const char *event_meta_str(const struct event *e, const struct event_meta *m) {
  if (m->type != EVENT_META_STRING || m->v.offset >= e->pool_len)
    return "";
  return e->pool + m->v.offset;
}

const char *event_severity_name(enum event_severity severity) {
  switch (severity) {
  case EVENT_OKAY:
    return "OKAY";
  case EVENT_WARNING:
    return "WARNING";
  case EVENT_FAILURE:
    break;
  }
  return "FAILURE";
}

const char *event_kind_name(enum event_kind kind) {
  switch (kind) {
  case EVENT_HEADROOM:
    return "headroom";
  case EVENT_OOM_KILL:
    return "oom_kill";
  case EVENT_ALLOC_FAILURE:
    break;
  }
  return "alloc_failure";
}

void event_format_bytes(char *buf, size_t cap, double bytes) {
  static const char *const unit[] = {"B",   "KiB", "MiB", "GiB",
                                     "TiB", "PiB", "EiB"};
  double v = fabs(bytes);
  size_t u = 0;

  while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
    v /= 1024;
    u++;
  }
  const char *sign = bytes < 0 ? "-" : "";
  if (u == 0 || v >= 100)
    snprintf(buf, cap, "%s%.0f %s", sign, v, unit[u]);
  else
    snprintf(buf, cap, "%s%.1f %s", sign, v, unit[u]);
}

int64_t event_pages_bytes(int64_t pages, uint64_t page_size) {
  int64_t bytes;
  if (page_size > (uint64_t)INT64_MAX ||
      __builtin_mul_overflow(pages, (int64_t)page_size, &bytes))
    return pages < 0 ? INT64_MIN : pages > 0 ? INT64_MAX : 0;
  return bytes;
}

uint64_t event_upages_bytes(uint64_t pages, uint64_t page_size) {
  uint64_t bytes;
  return __builtin_mul_overflow(pages, page_size, &bytes) ? UINT64_MAX : bytes;
}

uint64_t event_kib_bytes(uint64_t kib) { return event_upages_bytes(kib, 1024); }

uint64_t event_order_bytes(unsigned order, uint64_t page_size) {
  if (order >= 64 || page_size > UINT64_MAX >> order)
    return UINT64_MAX;
  return page_size << order;
}

uint64_t event_add_sat(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

bool event_name_is_plain(const char *s) {
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || strchr("._-/:+@", *s) != NULL))
      return false;
  return true;
}
