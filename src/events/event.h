/* An event: what lowmem has to tell when memory runs short, in the shape
 * of a collectd notification (severity, identifier, one-line message, meta
 * data) but without collectd, so that the events can be tested alone and
 * the recorder can keep them in its incident files. */
#ifndef LOWMEM_EVENT_H
#define LOWMEM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_MESSAGE_LEN 256 /* collectd's NOTIF_MAX_MSG_LEN */
#define EVENT_NAME_LEN 64
#define EVENT_MAX_META 32
#define EVENT_POOL_LEN 1024 /* the meta data's strings */
#define EVENT_LIST_MAX 16   /* events one sample can produce */

enum event_severity { EVENT_OKAY, EVENT_WARNING, EVENT_FAILURE };

enum event_kind {
  EVENT_HEADROOM,      /* a zone's headroom crossed a watermark */
  EVENT_OOM_KILL,      /* the OOM killer killed (or was invoked) */
  EVENT_ALLOC_FAILURE, /* "page allocation failure" */
};

enum event_meta_type {
  EVENT_META_STRING,
  EVENT_META_INT,
  EVENT_META_UINT,
  EVENT_META_DOUBLE,
};

struct event_meta {
  const char *key; /* a string constant */
  enum event_meta_type type;
  union {
    int64_t i;
    uint64_t u;
    double d;
    size_t offset; /* of a string, in the event's pool */
  } v;
};

struct event {
  enum event_kind kind;
  enum event_severity severity;
  double time; /* seconds since the epoch */
  char plugin_instance[EVENT_NAME_LEN];
  char type[EVENT_NAME_LEN];
  char type_instance[EVENT_NAME_LEN];
  char message[EVENT_MESSAGE_LEN];
  struct event_meta meta[EVENT_MAX_META];
  size_t nr_meta;
  char pool[EVENT_POOL_LEN];
  size_t pool_len;
};

/* The events of one sample. */
struct event_list {
  struct event v[EVENT_LIST_MAX];
  size_t nr;
  unsigned dropped; /* events past EVENT_LIST_MAX, since the list was made */
};

/* The next free event of the list, set up; NULL (counted in dropped) when
 * the list is full. */
struct event *event_list_add(struct event_list *l, enum event_kind kind,
                             enum event_severity severity, double time,
                             const char *plugin_instance, const char *type,
                             const char *type_instance);

/* Sets the message; what does not fit in EVENT_MESSAGE_LEN is cut. */
__attribute__((format(printf, 2, 3))) void event_message(struct event *e,
                                                         const char *fmt, ...);

/* Meta data; a pair that does not fit is left out. */
void event_meta_string(struct event *e, const char *key, const char *value);
void event_meta_int(struct event *e, const char *key, int64_t value);
void event_meta_uint(struct event *e, const char *key, uint64_t value);
void event_meta_double(struct event *e, const char *key, double value);

/* The string of a EVENT_META_STRING pair. */
const char *event_meta_str(const struct event *e, const struct event_meta *m);

const char *event_severity_name(enum event_severity severity); /* "FAILURE" */
const char *event_kind_name(enum event_kind kind);             /* "oom_kill" */

/* Bytes for a person: "-1.8 MiB", "512 KiB", "12 B", up to EiB. */
void event_format_bytes(char *buf, size_t cap, double bytes);

/* Letters, digits and "._-/:+@": a name made of these alone ("apache2",
 * "kworker/u8:2", "/lowmem-cap-30119") reads as itself in a message;
 * any other is quoted and escaped. */
bool event_name_is_plain(const char *s);

/* Sizes in bytes for meta data and messages alike, saturated where 64 bits
 * end rather than wrapped: a headroom of -2^52 pages (what an order-52+
 * request leaves) in 4 KiB pages is -2^64 bytes, one past INT64_MIN. The
 * message is formatted from the same value as the meta data, so the two
 * say the same. */
int64_t event_pages_bytes(int64_t pages, uint64_t page_size);
uint64_t event_upages_bytes(uint64_t pages, uint64_t page_size);
uint64_t event_kib_bytes(uint64_t kib);
/* 2^order pages (a request of that order), saturated likewise. */
uint64_t event_order_bytes(unsigned order, uint64_t page_size);
/* a + b, saturated. */
uint64_t event_add_sat(uint64_t a, uint64_t b);

#endif
