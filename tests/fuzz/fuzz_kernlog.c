/* The kernel log path, composite: kernel log text through the record
 * parsers (src/sources/kmsg.c), the log file reader (src/events/
 * kernlog.c), the OOM report assembly and the vmstat oom_kill counter
 * (src/events/oom.c), the events told of it (src/events/events.c), into
 * an incident record (src/recorder/incident.c), which must be JSON that a
 * strict reader takes.
 *
 * Input: one byte of options, then the log.
 *   bit 0  /dev/kmsg framing: records separated by NUL bytes, each parsed
 *          as one read() of /dev/kmsg returns it and fed to the events;
 *          clear: syslog or dmesg text, appended to a log file that the
 *          events follow (KernelLog) as they do in collectd
 *   bit 1  samples carry vmstat's oom_kill, counting the "Killed process"
 *          records so far ...
 *   bit 2  ... plus one kill the log never shows every third sample
 *   bits 4-5  records (or lines) per sample: 1, 3, 8 or 32
 * A sample is taken every 0.5 s of the monotonic clock; after the log,
 * three more let the report assembly time out. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "event_check.h"
#include "events/events.h"
#include "fuzz_files.h"
#include "recorder/incident.h"
#include "sources/vmstat.h"

#define MAX_EVENTS 64
#define STEP_SECONDS 0.5
#define REAL_OFFSET 1.7e9 /* real time: the epoch seconds of mono 0 */

struct run {
  struct events ev;
  struct sample sample;
  struct view view;
  bool counter;
  unsigned extra_every; /* 0: none */
  unsigned long killed; /* "Killed process" records so far */
  unsigned steps;
  double mono;
  struct event events[MAX_EVENTS];
  size_t nr_events;
  unsigned more_events;
};

/* One sample: the counter, then the events' step; its events kept. */
static void step(struct run *r) {
  char text[64];
  r->steps++;
  r->mono += STEP_SECONDS;
  if (r->counter) {
    unsigned long extra = r->extra_every ? r->steps / r->extra_every : 0;
    int n = snprintf(text, sizeof(text), "pgfault 1\noom_kill %lu\n",
                     r->killed + extra);
    FUZZ_CHECK(vmstat_parse(&r->sample.vmstat, text, (size_t)n) == 0);
    r->sample.ok |= 1u << SOURCE_VMSTAT;
  }
  view_update(&r->view, &r->sample);
  events_step(&r->ev, &r->sample, &r->view, r->mono, REAL_OFFSET + r->mono);
  FUZZ_CHECK(r->ev.out.nr <= EVENT_LIST_MAX);
  for (size_t i = 0; i < r->ev.out.nr; i++) {
    event_check(&r->ev.out.v[i]);
    if (r->nr_events < MAX_EVENTS)
      r->events[r->nr_events++] = r->ev.out.v[i];
    else
      r->more_events++;
  }
}

static void count_kill(struct run *r, const char *rec, size_t len) {
  static const char killed[] = "Killed process";
  if (memmem(rec, len, killed, sizeof(killed) - 1) != NULL)
    r->killed++;
}

/* /dev/kmsg: each record parsed and fed as kernlog.c does. */
static void feed_records(struct run *r, const char *p, const char *end,
                         unsigned per_step) {
  unsigned n = 0;
  while (p < end) {
    const char *nul = memchr(p, '\0', (size_t)(end - p));
    const char *rend = nul ? nul : end;
    struct kmsg_record rec;
    int rc = kmsg_parse_record(&rec, p, (size_t)(rend - p));
    if (rc != -ENOENT) {
      events_feed(&r->ev, &rec, r->mono);
      count_kill(r, p, (size_t)(rend - p));
    }
    p = nul ? nul + 1 : end;
    if (++n % per_step == 0)
      step(r);
  }
}

/* A log file: appended per_step lines at a time, read by the events. */
static void feed_file(struct run *r, int fd, const char *p, const char *end,
                      unsigned per_step) {
  while (p < end) {
    const char *q = p;
    for (unsigned n = 0; n < per_step && q < end; n++) {
      const char *nl = memchr(q, '\n', (size_t)(end - q));
      const char *lend = nl ? nl + 1 : end;
      count_kill(r, q, (size_t)(lend - q));
      q = lend;
    }
    fuzz_write_all(fd, p, (size_t)(q - p));
    p = q;
    step(r);
  }
}

static void write_incident(struct run *r, struct incident_scratch *scratch) {
  struct ring_header layout;
  memset(&layout, 0, sizeof(layout));
  snprintf(layout.host, sizeof(layout.host), "fuzz");
  snprintf(layout.kernel, sizeof(layout.kernel), "6.18.0");
  layout.page_size = 4096;
  layout.sample_interval_ns = 100000000;
  struct incident inc = {
      .source = "lowmem",
      .layout = &layout,
      .events = r->events,
      .nr_events = r->nr_events,
      .more_events = r->more_events,
      .start = REAL_OFFSET,
      .end = REAL_OFFSET + r->mono,
  };
  int fd = memfd_create("incident", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(incident_write(fd, &inc, scratch) == 0);
  size_t len;
  char *json = fuzz_read_fd(fd, &len);
  close(fd);
  fuzz_check_json(json, len);
  free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const unsigned per_step_of[4] = {1, 3, 8, 32};
  static struct incident_scratch scratch;
  static bool scratch_ok;
  static struct run r; /* big (events): not on the stack */
  char log_path[PATH_MAX];

  if (size < 1)
    return 0;
  if (!scratch_ok) {
    FUZZ_CHECK(incident_scratch_init(&scratch) == 0);
    scratch_ok = true;
  }
  const uint8_t opt = data[0];
  const char *p = (const char *)data + 1, *end = (const char *)data + size;
  const bool kmsg = opt & 1;
  const unsigned per_step = per_step_of[(opt >> 4) & 3];

  memset(&r, 0, sizeof(r));
  r.counter = opt & 2;
  r.extra_every = opt & 4 ? 3 : 0;
  r.mono = 1000.0;

  /* The log file exists, empty, before the events open it at its end. */
  int fd = -1;
  fuzz_path(log_path, sizeof(log_path), "kern.log");
  if (!kmsg) {
    fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
  }
  struct events_config c = {
      .headroom = false,
      .persistence = 1.0,
      .kernel_log = kmsg ? NULL : log_path,
      .check = WATERMARK_CHECK_FREE_BLOCK,
      .orders = {0, 1},
      .nr_orders = 2,
      .sample_interval = STEP_SECONDS,
      .page_size = 4096,
  };
  FUZZ_CHECK(events_init(&r.ev, &c) == 0);
  view_init(&r.view, &(struct view_config){.check = c.check,
                                            .page_size = c.page_size});
  step(&r); /* opens the log */
  if (kmsg)
    feed_records(&r, p, end, per_step);
  else
    feed_file(&r, fd, p, end, per_step);
  for (int i = 0; i < 6; i++)
    step(&r);
  /* 3 s on, every report is closed, and kills counted but not logged
   * have been told (the counter last moved 3 s ago unless bit 2). */
  FUZZ_CHECK(!r.ev.oom.pending);
  if (!r.extra_every)
    FUZZ_CHECK(r.ev.oom.counter_pending == 0);
  write_incident(&r, &scratch);

  events_destroy(&r.ev);
  view_destroy(&r.view);
  vmstat_free(&r.sample.vmstat);
  if (fd >= 0)
    close(fd);
  return 0;
}
