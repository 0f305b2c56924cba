/* The record hook (hooks.h): the ring of full-rate samples and the
 * incident files written on events (src/recorder/), and what the log says
 * about them. Runs after the events hook, whose events it records. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "hooks.h"
#include "option.h"
#include "recorder/recorder.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static struct {
  bool record;
  char *dir; /* relative: under collectd's BaseDir; NULL: "lowmem" */
  double seconds, after;
  unsigned keep;
} config = {
    .record = true,
    .seconds = 120,
    .after = 30,
    .keep = 20,
};

static struct recorder recorder;
static bool recording;
static struct recorder_status said; /* what the log last said */

/* --- configuration ---------------------------------------------------------*/

static int record_config(const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "Record") == 0)
    return option_boolean(ci, &config.record);
  if (strcasecmp(ci->key, "RecordDir") == 0)
    return option_string(ci, PATH_MAX - 64, "/var/lib/collectd/lowmem",
                         &config.dir);
  if (strcasecmp(ci->key, "RecordSeconds") == 0)
    return option_number(ci, 1, 3600, "seconds", "120", &config.seconds);
  if (strcasecmp(ci->key, "RecordAfterSeconds") == 0)
    return option_number(ci, 0, 600, "seconds", "30", &config.after);
  if (strcasecmp(ci->key, "RecordKeep") == 0)
    return option_whole(ci, 1, 100000, "20", &config.keep);
  return 1;
}

/* --- start -----------------------------------------------------------------*/

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

static void refused(const char *dir, int err) {
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
               err == -EBUSY ? "Another collectd records there: give each its "
                               "own RecordDir."
                             : "Check the directory and collectd's rights, or "
                               "set \"Record false\".");
}

static int record_start(const struct lowmem_context *ctx) {
  char dir[PATH_MAX];
  const char *want = config.dir ? config.dir : "lowmem";

  if (!config.record)
    return 0;
  if (absolute_dir(want, dir, sizeof(dir)) != 0) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: no incident record: RecordDir \"%s\" is too "
               "long a path.",
               want);
    return 0;
  }
  struct recorder_config rc = {
      .dir = dir,
      .seconds = config.seconds,
      .after_seconds = config.after,
      .keep = config.keep,
      .sample_interval = ctx->sample_interval,
      .nr_orders = ctx->nr_orders,
      .check = ctx->check,
      .page_size = ctx->page_size,
      .host = hostname_g,
      .kernel = ctx->release,
  };
  memcpy(rc.orders, ctx->orders, ctx->nr_orders * sizeof(*ctx->orders));
  int err = recorder_open(&recorder, &rc);
  if (err != 0) {
    refused(dir, err);
    return 0;
  }
  recording = true;
  memset(&said, 0, sizeof(said));
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
      config.seconds, dir, config.after, dir, config.keep);
  return 0;
}

/* --- each sample -----------------------------------------------------------*/

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
  else if (said.ring_err != 0)
    plugin_log(LOG_NOTICE,
               "lowmem plugin: the ring file %s is made: samples are recorded "
               "again (%u records, %.1f MB).",
               recorder.ring_path, st->ring_records, mb);
  else if (st->rings_lost == said.rings_lost)
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

static void report(void) {
  struct recorder_status st;

  recorder_get_status(&recorder, &st);
  if (st.rings_lost != said.rings_lost)
    plugin_log(LOG_WARNING,
               "lowmem plugin: the ring file %s was %s under collectd: a new "
               "one is made, and the samples the old one held are lost. Leave "
               "it to lowmem (lowmem-dump reads it without harm).",
               recorder.ring_path, ring_state_name(st.lost_as));
  if (st.rings_made != said.rings_made)
    report_ring_made(&st);
  if (st.ring_err != said.ring_err && st.ring_err != 0)
    plugin_log(LOG_WARNING,
               "lowmem plugin: cannot make the ring file %s (%s): samples are "
               "not recorded (incident files hold the events alone); it is "
               "tried again every %.0f s.%s",
               recorder.ring_path, STRERROR(-st.ring_err),
               RECORDER_RETRY_SECONDS, ring_advice(st.ring_err));
  if (st.write_err != said.write_err) {
    if (st.write_err != 0)
      plugin_log(LOG_WARNING,
                 "lowmem plugin: cannot write an incident file in %s (%s).",
                 recorder.config.dir, STRERROR(-st.write_err));
    else
      plugin_log(LOG_NOTICE,
                 "lowmem plugin: incident files can be written again.");
  }
  if (st.files_written != said.files_written)
    plugin_log(LOG_INFO, "lowmem plugin: incident record written: %s",
               st.last_path);
  if (st.jobs_dropped != said.jobs_dropped)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %lu incident(s) not written: the writer is "
               "behind (a slow or full disk).",
               st.jobs_dropped - said.jobs_dropped);
  said = st;
}

static void record_read(const struct lowmem_context *ctx, struct tick *t) {
  (void)ctx;
  if (!recording)
    return;
  recorder_sample(&recorder, t->sample, t->view, t->real);
  for (size_t i = 0; t->events != NULL && i < t->events->nr; i++)
    recorder_event(&recorder, &t->events->v[i]);
  recorder_tick(&recorder, t->real);
  report();
}

static double real_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record_stop(void) {
  if (recording)
    recorder_close(&recorder, real_seconds());
  recording = false;
  free(config.dir);
  config.dir = NULL;
}

const struct lowmem_hook record_hook = {
    .config = record_config,
    .init = record_start,
    .read = record_read,
    .shutdown = record_stop,
};
