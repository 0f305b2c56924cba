/* Hooks of the events capability (see hooks.h): notifications when a
 * zone's headroom crosses a watermark, on OOM kills and page allocation
 * failures (src/events/), the incident record (src/recorder/), the slab
 * share gauges the shipped thresholds use, and OOMScoreAdj. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "events/events.h"
#include "events/gauges.h"
#include "hooks.h"
#include "recorder/recorder.h"
#include "sources/procfile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define ERROR_LOG(...) plugin_log(LOG_ERR, "lowmem plugin: " __VA_ARGS__)

/* Overwritten kernel log records are told at most this often. */
#define LOST_REPORT_SECONDS 60.0

static struct {
  bool headroom;
  double persistence;
  char **zones;
  size_t nr_zones;
  char *kernel_log; /* NULL: none */
  bool record;
  char *record_dir; /* relative: under collectd's BaseDir */
  double record_seconds, record_after;
  unsigned record_keep;
  bool set_oom_score_adj;
  int oom_score_adj;
} config = {
    .headroom = true,
    .persistence = 5,
    .record = true,
    .record_seconds = 120,
    .record_after = 30,
    .record_keep = 20,
};
static bool config_ready; /* defaults that need memory are in place */

static struct events events;
static struct gauges gauges;
static struct recorder recorder;
static bool running, recording;

/* What the log last said, so that it speaks again only on a change. */
static struct {
  int log_err;
  unsigned long lost, overruns;
  double lost_at;
  bool malformed;
  bool zones_told;
  unsigned dropped;
  bool meta_failed;
  struct recorder_status rec;
} said;

/* --- configuration ---------------------------------------------------------*/

static int defaults(void) {
  if (config_ready)
    return 0;
  config.kernel_log = strdup("/dev/kmsg");
  config.record_dir = strdup("lowmem");
  if (config.kernel_log == NULL || config.record_dir == NULL)
    return -1;
  config_ready = true;
  return 0;
}

static int one_boolean(const oconfig_item_t *ci, bool *out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_BOOLEAN) {
    ERROR_LOG("%s takes true or false.", ci->key);
    return -1;
  }
  *out = ci->values[0].value.boolean;
  return 0;
}

static int one_number(const oconfig_item_t *ci, double lo, double hi,
                      const char *example, double *out) {
  double v;
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER ||
      !((v = ci->values[0].value.number) >= lo && v <= hi)) {
    ERROR_LOG("%s takes a number from %g to %g, e.g. %s %s.", ci->key, lo, hi,
              ci->key, example);
    return -1;
  }
  *out = v;
  return 0;
}

static int one_string(const oconfig_item_t *ci, const char *example,
                      char **out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
      ci->values[0].value.string[0] == '\0') {
    ERROR_LOG("%s takes one string in quotes, e.g. %s \"%s\".", ci->key,
              ci->key, example);
    return -1;
  }
  char *s = strdup(ci->values[0].value.string);
  if (s == NULL)
    return -1;
  free(*out);
  *out = s;
  return 0;
}

/* KernelLog "/dev/kmsg" | "/var/log/kern.log" | false */
static int kernel_log_key(const oconfig_item_t *ci) {
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_BOOLEAN &&
      !ci->values[0].value.boolean) {
    free(config.kernel_log);
    config.kernel_log = NULL;
    return 0;
  }
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
      ci->values[0].value.string[0] == '\0') {
    ERROR_LOG("KernelLog takes \"/dev/kmsg\", a log file the kernel's "
              "messages go to (e.g. \"/var/log/kern.log\" on kernels before "
              "3.5), or false.");
    return -1;
  }
  return one_string(ci, "/dev/kmsg", &config.kernel_log);
}

static int notify_zone_key(const oconfig_item_t *ci) {
  char *zone = NULL;
  if (one_string(ci, "node0-Normal", &zone) != 0)
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

static int whole_number(const oconfig_item_t *ci, double lo, double hi,
                        const char *example, double *out) {
  if (one_number(ci, lo, hi, example, out) != 0)
    return -1;
  if (*out != (double)(long)*out) {
    ERROR_LOG("%s takes a whole number, e.g. %s %s.", ci->key, ci->key,
              example);
    return -1;
  }
  return 0;
}

int events_glue_config(const oconfig_item_t *ci) {
  double v;

  if (defaults() != 0)
    return -1;
  if (strcasecmp(ci->key, "NotifyHeadroom") == 0)
    return one_boolean(ci, &config.headroom);
  if (strcasecmp(ci->key, "NotifyPersistence") == 0)
    return one_number(ci, 0, 600, "5", &config.persistence);
  if (strcasecmp(ci->key, "NotifyZone") == 0)
    return notify_zone_key(ci);
  if (strcasecmp(ci->key, "KernelLog") == 0)
    return kernel_log_key(ci);
  if (strcasecmp(ci->key, "Record") == 0)
    return one_boolean(ci, &config.record);
  if (strcasecmp(ci->key, "RecordDir") == 0)
    return one_string(ci, "/var/lib/collectd/lowmem", &config.record_dir);
  if (strcasecmp(ci->key, "RecordSeconds") == 0)
    return one_number(ci, 1, 3600, "120", &config.record_seconds);
  if (strcasecmp(ci->key, "RecordAfterSeconds") == 0)
    return one_number(ci, 0, 600, "30", &config.record_after);
  if (strcasecmp(ci->key, "RecordKeep") == 0) {
    if (whole_number(ci, 1, 100000, "20", &v) != 0)
      return -1;
    config.record_keep = (unsigned)v;
    return 0;
  }
  if (strcasecmp(ci->key, "OOMScoreAdj") == 0) {
    if (whole_number(ci, -1000, 1000, "-500", &v) != 0)
      return -1;
    config.set_oom_score_adj = true;
    config.oom_score_adj = (int)v;
    return 0;
  }
  return 1;
}

/* --- start -----------------------------------------------------------------*/

/* /proc/self, not ProcPath: this is collectd's own process. */
static void set_oom_score_adj(int value) {
  FILE *f = fopen("/proc/self/oom_score_adj", "w");
  int err = 0;

  if (f == NULL)
    err = errno;
  else if (fprintf(f, "%d\n", value) < 0)
    err = errno ? errno : EIO;
  if (f != NULL && fclose(f) != 0 && err == 0)
    err = errno;
  if (err) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: OOMScoreAdj %d: cannot write "
               "/proc/self/oom_score_adj (%s); lowering it takes root or "
               "CAP_SYS_RESOURCE. collectd keeps the score it had.",
               value, STRERROR(err));
    return;
  }
  plugin_log(LOG_INFO,
             "lowmem plugin: collectd's oom_score_adj is now %d (OOMScoreAdj); "
             "programs it starts (exec plugin) inherit it.",
             value);
}

static void read_kernel_release(const char *proc_path, char *buf, size_t cap) {
  struct procfile pf;

  buf[0] = '\0';
  if (procfile_init(&pf, proc_path, "sys/kernel/osrelease") != 0)
    return;
  if (procfile_read(&pf) == 0) {
    size_t n = pf.len;
    while (n > 0 && (pf.buf[n - 1] == '\n' || pf.buf[n - 1] == ' '))
      n--;
    snprintf(buf, cap, "%.*s", (int)n, pf.buf);
  }
  procfile_destroy(&pf);
}

/* RecordDir relative to collectd's working directory, its BaseDir. */
static int absolute_dir(const char *dir, char *buf, size_t cap) {
  char cwd[PATH_MAX];
  int n;
  if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
    n = snprintf(buf, cap, "%s", dir);
  else
    n = snprintf(buf, cap, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, dir);
  return n >= 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

static void start_recorder(const struct lowmem_context *ctx) {
  char dir[PATH_MAX], kernel[RING_TEXT_LEN];

  if (absolute_dir(config.record_dir, dir, sizeof(dir)) != 0) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: no incident record: RecordDir "
               "\"%s\" is too long a path.",
               config.record_dir);
    return;
  }
  read_kernel_release(ctx->proc_path, kernel, sizeof(kernel));
  struct recorder_config rc = {
      .dir = dir,
      .seconds = config.record_seconds,
      .after_seconds = config.record_after,
      .keep = config.record_keep,
      .sample_interval = ctx->sample_interval,
      .nr_orders = ctx->nr_orders,
      .check = ctx->check,
      .page_size = ctx->page_size,
      .host = hostname_g,
      .kernel = kernel,
  };
  memcpy(rc.orders, ctx->orders, ctx->nr_orders * sizeof(*ctx->orders));
  int err = recorder_open(&recorder, &rc);
  if (err != 0) {
    char why[RECORDER_NOTE_LEN];
    snprintf(why, sizeof(why), "%s", recorder.refusal);
    recorder_close(&recorder, 0);
    if (why[0] != '\0')
      plugin_log(LOG_WARNING, "lowmem plugin: no incident record: %s", why);
    else
      plugin_log(LOG_WARNING,
                 "lowmem plugin: no incident record: cannot use RecordDir "
                 "\"%s\" (%s). %s",
                 dir, STRERROR(-err),
                 err == -EBUSY
                     ? "Another collectd records there: give each its own "
                       "RecordDir."
                     : "Check the directory and collectd's rights, or set "
                       "\"Record false\".");
    return;
  }
  recording = true;
  memset(&said.rec, 0, sizeof(said.rec));
  if (recorder.prev_note[0] != '\0')
    plugin_log(recorder.prev_level == RECORDER_NOTE_INFO ? LOG_INFO
                                                         : LOG_WARNING,
               "lowmem plugin: %s", recorder.prev_note);
  plugin_log(
      LOG_INFO,
      "lowmem plugin: recording the last %.0f s of samples in "
      "%s/" RECORDER_RING_NAME
      "; an event writes them with the next %.0f s to %s/incident-*.json "
      "(the newest %u kept).",
      config.record_seconds, dir, config.record_after, dir, config.record_keep);
}

int events_glue_init(const struct lowmem_context *ctx) {
  if (defaults() != 0) {
    ERROR_LOG("out of memory at start (events).");
    return -1;
  }
  if (config.set_oom_score_adj)
    set_oom_score_adj(config.oom_score_adj);

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
  if (events_init(&events, &c) != 0 || gauges_init(&gauges, ctx->set) != 0) {
    ERROR_LOG("out of memory at start (events).");
    return -1;
  }
  memset(&said, 0, sizeof(said));
  if (config.record)
    start_recorder(ctx);
  running = true;
  return 0;
}

/* --- each sample -----------------------------------------------------------*/

static double real_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

static void report_log(double mono) {
  const char *path = config.kernel_log ? config.kernel_log : "";

  if (events.log_err != said.log_err) {
    if (events.log_err == 0)
      plugin_log(LOG_NOTICE, "lowmem plugin: reading the kernel log %s.", path);
    else
      plugin_log(LOG_WARNING,
                 "lowmem plugin: cannot read the kernel log %s "
                 "(%s): %s.",
                 path, STRERROR(-events.log_err), log_advice(events.log_err));
    said.log_err = events.log_err;
  }
  if (events.log.lost != said.lost &&
      mono - said.lost_at >= LOST_REPORT_SECONDS) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: %lu kernel log record(s) were overwritten "
               "before they could be read (a burst larger than the kernel's "
               "log buffer); kills in them are still counted from vmstat "
               "oom_kill.",
               events.log.lost - said.lost);
    said.lost = events.log.lost;
    said.overruns = events.log.overruns;
    said.lost_at = mono;
  } else if (events.log.overruns != said.overruns &&
             events.log.lost == said.lost &&
             mono - said.lost_at >= LOST_REPORT_SECONDS) {
    /* Overtaken before the first record was read: no sequence number to
     * count the loss from. */
    plugin_log(LOG_WARNING,
               "lowmem plugin: kernel log records were overwritten before "
               "they could be read (how many is not known); kills in them "
               "are still counted from vmstat oom_kill.");
    said.overruns = events.log.overruns;
    said.lost_at = mono;
  }
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

static int notification_severity(enum event_severity s) {
  return s == EVENT_FAILURE   ? NOTIF_FAILURE
         : s == EVENT_WARNING ? NOTIF_WARNING
                              : NOTIF_OKAY;
}

static void notify(const struct event *e) {
  notification_t n = {
      .severity = notification_severity(e->severity),
      .time = DOUBLE_TO_CDTIME_T(e->time),
  };

  sstrncpy(n.message, e->message, sizeof(n.message));
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, "lowmem", sizeof(n.plugin));
  sstrncpy(n.plugin_instance, e->plugin_instance, sizeof(n.plugin_instance));
  sstrncpy(n.type, e->type, sizeof(n.type));
  sstrncpy(n.type_instance, e->type_instance, sizeof(n.type_instance));
  size_t failed = 0;
  for (size_t i = 0; i < e->nr_meta; i++) {
    const struct event_meta *m = &e->meta[i];
    int rc = 0;
    switch (m->type) {
    case EVENT_META_STRING:
      rc =
          plugin_notification_meta_add_string(&n, m->key, event_meta_str(e, m));
      break;
    case EVENT_META_INT:
      rc = plugin_notification_meta_add_signed_int(&n, m->key, m->v.i);
      break;
    case EVENT_META_UINT:
      rc = plugin_notification_meta_add_unsigned_int(&n, m->key, m->v.u);
      break;
    case EVENT_META_DOUBLE:
      rc = plugin_notification_meta_add_double(&n, m->key, m->v.d);
      break;
    }
    if (rc != 0)
      failed++;
  }
  /* Said once, and again only after a notification went out whole. */
  if (failed > 0 && !said.meta_failed)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %zu of the %zu meta data of a notification "
               "could not be added (collectd is out of memory): it goes out "
               "without them; the incident file still has them.",
               failed, e->nr_meta);
  said.meta_failed = failed > 0;
  plugin_dispatch_notification(&n);
  if (n.meta != NULL)
    plugin_notification_meta_free(n.meta);
}

/* The ring's size, said when it is made: a clamp to RING_MAX_BYTES with
 * what to change, or a ring made again after it could not be. */
static void report_ring_made(const struct recorder_status *st) {
  const double interval = recorder.config.sample_interval;
  const double mb = (double)st->ring_bytes / 1e6;

  if (st->records_wanted > st->ring_records)
    plugin_log(LOG_WARNING,
               "lowmem plugin: RecordSeconds %g and RecordAfterSeconds %g at "
               "SampleInterval %g ask for a ring of %llu records (%.0f MB); a "
               "ring takes at most %u MiB: %s holds %u records (%.1f MB), the "
               "last %.0f s. Lower RecordSeconds or RecordAfterSeconds, or "
               "raise SampleInterval.",
               recorder.config.seconds, recorder.config.after_seconds, interval,
               (unsigned long long)st->records_wanted,
               (double)st->records_wanted * st->record_size / 1e6,
               RING_MAX_BYTES >> 20, recorder.ring_path, st->ring_records, mb,
               st->ring_records * interval);
  else if (said.rec.ring_err != 0)
    plugin_log(LOG_NOTICE,
               "lowmem plugin: the ring file %s is made: samples are recorded "
               "again (%u records, %.1f MB).",
               recorder.ring_path, st->ring_records, mb);
  else if (st->rings_lost == said.rec.rings_lost)
    plugin_log(LOG_INFO,
               "lowmem plugin: ring file %s: %u records of %u bytes (%.1f MB), "
               "the last %.0f s at SampleInterval %g.",
               recorder.ring_path, st->ring_records, st->record_size, mb,
               st->ring_records * interval, interval);
}

static const char *ring_advice(int err) {
  if (err == -ENOSPC || err == -EDQUOT)
    return " Free space on its file system.";
  if (err == -EISDIR || err == -EEXIST)
    return " Remove what is in its way (a directory of that name).";
  return "";
}

static void report_recorder(void) {
  struct recorder_status st;

  recorder_get_status(&recorder, &st);
  if (st.rings_lost != said.rec.rings_lost)
    plugin_log(LOG_WARNING,
               "lowmem plugin: the ring file %s was %s under collectd: a new "
               "one is made, and the samples the old one held are lost. Leave "
               "it to lowmem (lowmem-dump reads it without harm).",
               recorder.ring_path, ring_state_name(st.lost_as));
  if (st.rings_made != said.rec.rings_made)
    report_ring_made(&st);
  if (st.ring_err != said.rec.ring_err && st.ring_err != 0)
    plugin_log(LOG_WARNING,
               "lowmem plugin: cannot make the ring file %s (%s): samples are "
               "not recorded (incident files hold the events alone); it is "
               "tried again every %.0f s.%s",
               recorder.ring_path, STRERROR(-st.ring_err),
               RECORDER_RETRY_SECONDS, ring_advice(st.ring_err));
  if (st.write_err != said.rec.write_err) {
    if (st.write_err != 0)
      plugin_log(LOG_WARNING,
                 "lowmem plugin: cannot write an incident file in %s (%s).",
                 recorder.config.dir, STRERROR(-st.write_err));
    else
      plugin_log(LOG_NOTICE,
                 "lowmem plugin: incident files can be written again.");
  }
  if (st.files_written != said.rec.files_written)
    plugin_log(LOG_INFO, "lowmem plugin: incident record written: %s",
               st.last_path);
  if (st.jobs_dropped != said.rec.jobs_dropped)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %lu incident(s) not written: the writer is "
               "behind (a slow or full disk).",
               st.jobs_dropped - said.rec.jobs_dropped);
  said.rec = st;
}

void events_glue_read(const struct lowmem_context *ctx,
                      const struct sample *sample, double now) {
  if (!running)
    return;
  double real = real_seconds();

  gauges_add(&gauges, ctx->set, sample);
  if (recording)
    recorder_sample(&recorder, sample, real);
  events_step(&events, sample, now, real);
  report_log(now);
  for (size_t i = 0; i < events.out.nr; i++) {
    notify(&events.out.v[i]);
    if (recording)
      recorder_event(&recorder, &events.out.v[i]);
  }
  if (recording) {
    recorder_tick(&recorder, real);
    report_recorder();
  }
}

void events_glue_shutdown(void) {
  if (recording) {
    recorder_close(&recorder, real_seconds());
    recording = false;
  }
  if (running) {
    events_destroy(&events);
    gauges_destroy(&gauges);
    running = false;
  }
  for (size_t i = 0; i < config.nr_zones; i++)
    free(config.zones[i]);
  free(config.zones);
  config.zones = NULL;
  config.nr_zones = 0;
  free(config.kernel_log);
  free(config.record_dir);
  config.kernel_log = NULL;
  config.record_dir = NULL;
  config_ready = false;
}
