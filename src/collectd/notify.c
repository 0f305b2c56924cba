#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "notify.h"

#include "events/fields.h"

static bool said_meta_failed;

static int notification_severity(enum event_severity s) {
  return s == EVENT_FAILURE   ? NOTIF_FAILURE
         : s == EVENT_WARNING ? NOTIF_WARNING
                              : NOTIF_OKAY;
}

static int add_meta(notification_t *n, const struct event *e,
                    const struct event_meta *m) {
  switch (m->type) {
  case EVENT_META_STRING:
    return plugin_notification_meta_add_string(n, m->key, event_meta_str(e, m));
  case EVENT_META_INT:
    return plugin_notification_meta_add_signed_int(n, m->key, m->v.i);
  case EVENT_META_UINT:
    return plugin_notification_meta_add_unsigned_int(n, m->key, m->v.u);
  case EVENT_META_DOUBLE:
    return plugin_notification_meta_add_double(n, m->key, m->v.d);
  }
  return -1;
}

void notify_event(const struct event *e) {
  notification_t n = {
      .severity = notification_severity(e->severity),
      .time = DOUBLE_TO_CDTIME_T(e->time),
  };

  /* The key figures in the message too: meta data stay on this host. */
  event_fields_text(e, n.message, sizeof(n.message));
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, "lowmem", sizeof(n.plugin));
  sstrncpy(n.plugin_instance, e->plugin_instance, sizeof(n.plugin_instance));
  sstrncpy(n.type, e->type, sizeof(n.type));
  sstrncpy(n.type_instance, e->type_instance, sizeof(n.type_instance));
  size_t failed = 0;
  for (size_t i = 0; i < e->nr_meta; i++)
    if (add_meta(&n, e, &e->meta[i]) != 0)
      failed++;
  /* Said once, and again only after a notification went out whole. */
  if (failed > 0 && !said_meta_failed)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %zu of the %zu meta data of a notification "
               "could not be added (collectd is out of memory): it goes out "
               "without them; the incident file still has them.",
               failed, e->nr_meta);
  said_meta_failed = failed > 0;
  plugin_dispatch_notification(&n);
  if (n.meta != NULL)
    plugin_notification_meta_free(n.meta);
}
