/* The events hook (hooks.h): notifications when a zone's headroom crosses
 * a watermark, on OOM kills and page allocation failures (src/events/),
 * and what the log says about the kernel log they are read from. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "events/events.h"
#include "hooks.h"
#include "notify.h"
#include "option.h"
#include "say.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Overwritten kernel log records are told at most this often. */
#define LOST_REPORT_SECONDS 60.0

static struct {
  bool headroom;
  double persistence;
  char **zones;
  size_t nr_zones;
  char *kernel_log; /* NULL: none */
  bool kernel_log_set;
} config = {
    .headroom = true,
    .persistence = 5,
};

static struct events events;
static bool running;

/* What the log last said, so that it speaks again only on a change. */
static struct {
  int log_err;
  unsigned long lost, overruns;
  double lost_at;
  bool malformed;
  bool zones_told;
  unsigned dropped;
} said;

/* --- configuration ---------------------------------------------------------*/

/* KernelLog "/dev/kmsg" | "/var/log/kern.log" | false */
static int kernel_log_key(const oconfig_item_t *ci) {
  config.kernel_log_set = true;
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_BOOLEAN &&
      !ci->values[0].value.boolean) {
    free(config.kernel_log);
    config.kernel_log = NULL;
    return option_not_block(ci);
  }
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
    plugin_log(LOG_ERR,
               "lowmem plugin: KernelLog takes \"/dev/kmsg\", a log file the "
               "kernel's messages go to (e.g. \"/var/log/kern.log\" on "
               "kernels before 3.5), or false.");
    return -1;
  }
  return option_string(ci, PATH_MAX - 1, "/dev/kmsg", &config.kernel_log);
}

static int notify_zone_key(const oconfig_item_t *ci) {
  char *zone = NULL;
  if (option_string(ci, 64, "node0-Normal", &zone) != 0)
    return -1;
  char **v = realloc(config.zones, (config.nr_zones + 1) * sizeof(*v));
  if (v == NULL) {
    free(zone);
    return -1;
  }
  v[config.nr_zones++] = zone;
  config.zones = v;
  return 0;
}

static int events_config(const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "NotifyHeadroom") == 0)
    return option_boolean(ci, &config.headroom);
  if (strcasecmp(ci->key, "NotifyPersistence") == 0)
    return option_number(ci, 0, 600, "seconds", "5", &config.persistence);
  if (strcasecmp(ci->key, "NotifyZone") == 0)
    return notify_zone_key(ci);
  if (strcasecmp(ci->key, "KernelLog") == 0)
    return kernel_log_key(ci);
  return 1;
}

/* --- start -----------------------------------------------------------------*/

static int events_start(const struct lowmem_context *ctx) {
  /* The kernel's own log, unless KernelLog said otherwise. */
  if (!config.kernel_log_set) {
    config.kernel_log = strdup("/dev/kmsg");
    if (config.kernel_log == NULL)
      goto nomem;
  }
  struct events_config c = {
      .headroom = config.headroom,
      .persistence = config.persistence,
      .zones = config.zones,
      .nr_zones = config.nr_zones,
      .kernel_log = config.kernel_log,
      .check = ctx->check,
      .nr_orders = ctx->nr_orders,
      .sample_interval = ctx->sample_interval,
      .page_size = ctx->page_size,
  };
  memcpy(c.orders, ctx->orders, ctx->nr_orders * sizeof(*ctx->orders));
  if (events_init(&events, &c) != 0)
    goto nomem;
  memset(&said, 0, sizeof(said));
  running = true;
  return 0;
nomem:
  plugin_log(LOG_ERR, "lowmem plugin: out of memory at start (events).");
  return -1;
}

/* --- each sample -----------------------------------------------------------*/

static const char *log_advice(int err) {
  if (err == -ENOENT)
    return "this kernel has no /dev/kmsg (it came with 3.5) or the file "
           "does not exist: set KernelLog to the file syslog writes kernel "
           "messages to (e.g. \"/var/log/kern.log\"), or KernelLog false; "
           "OOM kills are still counted from vmstat oom_kill (4.13+)";
  if (err == -EACCES || err == -EPERM)
    return "reading the kernel log takes root (or CAP_SYSLOG with "
           "kernel.dmesg_restrict): run collectd as root, or set KernelLog "
           "false; OOM kills are still counted from vmstat oom_kill";
  if (err == -ENOTSUP)
    return "KernelLog must be /dev/kmsg (the character device 1:11) or a "
           "regular file that syslog feeds with the kern facility alone "
           "(e.g. /var/log/kern.log)";
  return "OOM kills are told from vmstat oom_kill alone until it can be read";
}

static void report_lost(double mono) {
  if (mono - said.lost_at < LOST_REPORT_SECONDS)
    return;
  if (events.log.lost != said.lost)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %lu kernel log record(s) were overwritten "
               "before they could be read (a burst larger than the kernel's "
               "log buffer); kills in them are still counted from vmstat "
               "oom_kill.",
               events.log.lost - said.lost);
  else if (events.log.overruns != said.overruns)
    /* Overtaken before the first record was read: no sequence number to
     * count the loss from. */
    plugin_log(LOG_WARNING,
               "lowmem plugin: kernel log records were overwritten before "
               "they could be read (how many is not known); kills in them "
               "are still counted from vmstat oom_kill.");
  else
    return;
  said.lost = events.log.lost;
  said.overruns = events.log.overruns;
  said.lost_at = mono;
}

static void report_log(double mono) {
  const char *path = config.kernel_log ? config.kernel_log : "";

  if (say_changed(&said.log_err, events.log_err)) {
    if (events.log_err == 0)
      plugin_log(LOG_NOTICE, "lowmem plugin: reading the kernel log %s.", path);
    else
      plugin_log(LOG_WARNING,
                 "lowmem plugin: cannot read the kernel log %s (%s): %s.", path,
                 STRERROR(-events.log_err), log_advice(events.log_err));
  }
  report_lost(mono);
  if (events.wm.zones_checked && !said.zones_told) {
    for (size_t i = 0; i < events.wm.nr_unmatched; i++)
      plugin_log(LOG_WARNING,
                 "lowmem plugin: NotifyZone \"%s\" matches no zone, so it "
                 "tells nothing; the zones are %s. Give one of them (or a "
                 "zone name alone, e.g. \"Normal\", for every node).",
                 events.wm.unmatched[i],
                 events.wm.zone_names ? events.wm.zone_names : "unknown");
    said.zones_told = true;
  }
  if (events.oom.malformed && !said.malformed) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: a kernel log message about an OOM kill or an "
               "allocation failure could not be read (%u so far); please "
               "report it with the kernel's log lines.",
               events.oom.malformed);
    said.malformed = true;
  }
  if (events.out.dropped != said.dropped || events.oom.dropped) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: too many events at once: %u not told.",
               events.out.dropped - said.dropped + events.oom.dropped);
    said.dropped = events.out.dropped;
    events.oom.dropped = 0;
  }
}

static void events_read(const struct lowmem_context *ctx, struct tick *t) {
  (void)ctx;
  if (!running)
    return;
  events_step(&events, t->sample, t->view, t->mono, t->real);
  report_log(t->mono);
  for (size_t i = 0; i < events.out.nr; i++)
    notify_event(&events.out.v[i]);
  t->events = &events.out;
}

static void events_stop(void) {
  if (running)
    events_destroy(&events);
  running = false;
  for (size_t i = 0; i < config.nr_zones; i++)
    free(config.zones[i]);
  free(config.zones);
  free(config.kernel_log);
  config.zones = NULL;
  config.nr_zones = 0;
  config.kernel_log = NULL;
  config.kernel_log_set = false;
}

const struct lowmem_hook events_hook = {
    .config = events_config,
    .init = events_start,
    .read = events_read,
    .shutdown = events_stop,
};
