/* The whole sampler over a /proc tree, composite: the tree is built from
 * the input, then sampled as collectd would (src/sample/sampler.c reading
 * through src/sources/procfile.c, every parser, the headroom), each sample
 * fed to the window's metrics (src/window/), the events (watermarks, OOM
 * kills from kernel log lines: src/events/) and, as the recorder does, a
 * ring file of records (src/recorder/record.c, ring.c); at the end the
 * events and the ring's samples become an incident record, which must be
 * JSON that a strict reader takes.
 *
 * Input, a tiny archive: members, each from a line "%%% NAME" to the next
 * such line (its last newline included) or the end. NAME is a file of
 * the tree: one of the sources ("zoneinfo", "pressure/memory", ...) or
 * "sys/kernel/osrelease"; or "kmsg", kernel log lines (syslog or dmesg
 * framing) for the next sample's events; or "tick", which takes a sample
 * of the tree as it stands and starts the next (files keep their contents
 * until a member replaces them). The end takes the last sample. Other
 * names are skipped: no name from the input is ever a path. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>

#include "event_check.h"
#include "events/events.h"
#include "fuzz_files.h"
#include "recorder/incident.h"
#include "recorder/record.h"
#include "recorder/ring.h"
#include "sample/sampler.h"
#include "window/metrics.h"

#define MAX_TICKS 8
#define MAX_EVENTS 64
#define TICK_SECONDS 0.1
#define REAL_OFFSET 1.7e9
#define RING_RECORDS 4 /* fewer than the ticks: the ring wraps */

static const char delim[] = "%%% ";
#define DELIM_LEN (sizeof(delim) - 1)

/* Files of the tree: every source's, then the kernel's version. */
enum { TREE_OSRELEASE = SOURCE_NR, TREE_NR };
static const char *tree_file(int i) {
  return i < SOURCE_NR ? source_info[i].file : "sys/kernel/osrelease";
}

struct run {
  char proc[PATH_MAX];
  bool started;
  struct sampler sampler;
  struct metrics metrics;
  struct events events;
  struct ring ring;
  bool ring_made;
  struct record_builder builder;
  struct ring_record *staging;
  unsigned ticks;
  const char *kmsg; /* this sample's log lines */
  size_t kmsg_len;
  struct event out[MAX_EVENTS];
  size_t nr_out;
  unsigned more_out;
};

static const unsigned orders[] = {0, 1, 3};
#define NR_ORDERS (sizeof(orders) / sizeof(orders[0]))

static void start(struct run *r) {
  struct sampler_config sc = {.proc_path = r->proc,
                              .sources = (1u << SOURCE_NR) - 1,
                              .check = WATERMARK_CHECK_AUTO,
                              .nr_orders = NR_ORDERS,
                              .page_size = 4096};
  memcpy(sc.orders, orders, sizeof(orders));
  FUZZ_CHECK(sampler_init(&r->sampler, &sc) == 0);

  static char dentry[] = "dentry";
  static char *named[] = {dentry};
  struct metrics_config mc = {.slab_top_n = 3,
                              .slab_caches = named,
                              .nr_slab_caches = 1,
                              .nr_orders = NR_ORDERS,
                              .page_size = 4096};
  memcpy(mc.orders, orders, sizeof(orders));
  FUZZ_CHECK(metrics_init(&r->metrics, &mc) == 0);

  /* Headroom events after two samples at a level. */
  struct events_config ec = {.headroom = true,
                             .persistence = 2 * TICK_SECONDS,
                             .check = r->sampler.check,
                             .nr_orders = NR_ORDERS,
                             .sample_interval = TICK_SECONDS,
                             .page_size = 4096};
  memcpy(ec.orders, orders, sizeof(orders));
  FUZZ_CHECK(events_init(&r->events, &ec) == 0);
  r->started = true;
}

/* The ring, made at the first sample with its zones, as the recorder
 * makes it. */
static void make_ring(struct run *r, double real) {
  struct ring_header h;
  char path[PATH_MAX];

  memset(&h, 0, sizeof(h));
  h.page_size = 4096;
  h.sample_interval_ns = (int64_t)(TICK_SECONDS * 1e9);
  h.created_ns = (int64_t)(real * 1e9);
  snprintf(h.kernel, sizeof(h.kernel), "6.18.0");
  snprintf(h.host, sizeof(h.host), "fuzz");
  record_layout(&h, &r->sampler.view, orders, NR_ORDERS);
  h.record_size = (uint32_t)ring_record_size(h.nr_zones);
  h.capacity = RING_RECORDS;
  FUZZ_CHECK(ring_create(&r->ring, fuzz_path(path, sizeof(path),
                                             "lowmem.ring"),
                         &h) == 0);
  record_builder_init(&r->builder, &r->ring.hdr);
  r->staging = calloc(1, r->ring.hdr.record_size);
  FUZZ_CHECK(r->staging != NULL);
  r->ring_made = true;
}

static void check_sample(const struct sampler *s) {
  const struct sample *sm = &s->sample;
  for (int i = 0; i < SOURCE_NR; i++)
    FUZZ_CHECK(!(sm->ok & (1u << i)) || sm->err[i] == 0);
  if (sm->ok & (1u << SOURCE_ZONEINFO))
    FUZZ_CHECK(s->view.nr == sm->zoneinfo.nr);
  else
    FUZZ_CHECK(s->view.nr == 0);
}

/* One sample of the tree as it stands. */
static void tick(struct run *r) {
  double mono = 100.0 + r->ticks * TICK_SECONDS;
  double real = REAL_OFFSET + mono;

  if (!r->started)
    start(r);
  sampler_read(&r->sampler, mono);
  check_sample(&r->sampler);
  metrics_add(&r->metrics, &r->sampler.sample, &r->sampler.view, mono);
  if (r->ticks % 3 == 2) { /* a window ends */
    metrics_choose(&r->metrics);
    metrics_reset(&r->metrics, r->ticks / 3);
  }

  const char *p = r->kmsg, *end = r->kmsg ? r->kmsg + r->kmsg_len : NULL;
  while (p != NULL && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *lend = nl ? nl : end;
    struct kmsg_record rec;
    if (kmsg_parse_line(&rec, p, (size_t)(lend - p)) == 0)
      events_feed(&r->events, &rec, mono);
    p = nl ? nl + 1 : end;
  }
  r->kmsg = NULL;
  r->kmsg_len = 0;
  events_step(&r->events, &r->sampler.sample, &r->sampler.view, mono, real);
  for (size_t i = 0; i < r->events.out.nr; i++) {
    event_check(&r->events.out.v[i]);
    if (r->nr_out < MAX_EVENTS)
      r->out[r->nr_out++] = r->events.out.v[i];
    else
      r->more_out++;
  }

  if (!r->ring_made)
    make_ring(r, real);
  record_fill(&r->builder, r->staging, &r->sampler.sample, &r->sampler.view,
              (int64_t)(real * 1e9));
  ring_append(&r->ring, r->staging);
  r->ticks++;
}

/* A member: its file replaced, its lines kept, or a sample taken. */
static void member(struct run *r, const char *name, size_t name_len,
                   const char *data, size_t len) {
  if (name_len == 4 && memcmp(name, "tick", 4) == 0) {
    if (r->ticks < MAX_TICKS)
      tick(r);
    return;
  }
  if (name_len == 4 && memcmp(name, "kmsg", 4) == 0) {
    r->kmsg = data;
    r->kmsg_len = len;
    return;
  }
  for (int i = 0; i < TREE_NR; i++) {
    const char *f = tree_file(i);
    if (strlen(f) == name_len && memcmp(f, name, name_len) == 0) {
      char path[PATH_MAX * 2];
      FUZZ_CHECK((size_t)snprintf(path, sizeof(path), "%s/%s", r->proc, f) <
                 sizeof(path));
      fuzz_write_file(path, data, len);
      return;
    }
  }
}

/* The start of the next member line at or after p, or end. */
static const char *next_member(const char *buf, const char *p,
                               const char *end) {
  for (;;) {
    if (p == buf || (p > buf && p[-1] == '\n')) {
      if ((size_t)(end - p) >= DELIM_LEN && memcmp(p, delim, DELIM_LEN) == 0)
        return p;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      return end;
    p = nl + 1;
  }
}

static void tree_reset(struct run *r) {
  static const char *const dirs[] = {"", "/pressure", "/sys", "/sys/kernel"};
  char path[PATH_MAX * 2];
  fuzz_path(r->proc, sizeof(r->proc), "proc");
  for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    FUZZ_CHECK((size_t)snprintf(path, sizeof(path), "%s%s", r->proc,
                                dirs[i]) < sizeof(path));
    FUZZ_CHECK(mkdir(path, 0700) == 0 || errno == EEXIST);
  }
  for (int i = 0; i < TREE_NR; i++) {
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->proc,
                         tree_file(i)) < sizeof(path))
      unlink(path);
  }
}

static void finish(struct run *r, struct incident_scratch *scratch) {
  struct incident inc = {.source = "lowmem",
                         .ring = &r->ring,
                         .from_ns = INT64_MIN,
                         .to_ns = INT64_MAX,
                         .events = r->out,
                         .nr_events = r->nr_out,
                         .more_events = r->more_out,
                         .start = REAL_OFFSET + 100.0,
                         .end = REAL_OFFSET + 100.0 + r->ticks * TICK_SECONDS};
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
  static struct incident_scratch scratch;
  static bool scratch_ok;
  static struct run r; /* big: not on the stack */
  const char *buf = (const char *)data, *end = buf + size;

  if (!scratch_ok) {
    FUZZ_CHECK(incident_scratch_init(&scratch) == 0);
    scratch_ok = true;
  }
  memset(&r, 0, sizeof(r));
  tree_reset(&r);

  const char *p = next_member(buf, buf, end);
  while (p < end && r.ticks < MAX_TICKS) {
    const char *name = p + DELIM_LEN;
    const char *nl = memchr(name, '\n', (size_t)(end - name));
    const char *name_end = nl ? nl : end;
    const char *body = nl ? nl + 1 : end;
    const char *next = body < end ? next_member(buf, body, end) : end;
    member(&r, name, (size_t)(name_end - name), body, (size_t)(next - body));
    p = next;
  }
  if (r.ticks < MAX_TICKS)
    tick(&r);
  finish(&r, &scratch);

  ring_close(&r.ring);
  free(r.staging);
  events_destroy(&r.events);
  metrics_destroy(&r.metrics);
  sampler_destroy(&r.sampler);
  return 0;
}
