/* The ring file, the record of a sample, the JSON of an incident, the
 * incident files (atomic, 0640, pruned) and the recorder around them.
 *
 * Record values come from tests/fixtures/incident-2.6.39-i686/proc:
 * zoneinfo (Normal: free 1344, min 1001, low 1251, high 1501,
 * nr_slab_reclaimable 166021, nr_slab_unreclaimable 2994), buddyinfo
 * (Normal: 1310 18 0 ... over 11 orders), meminfo (LowFree 8284 kB,
 * SReclaimable 665072 kB), vmstat (allocstall 3110; pgscan_kswapd_dma
 * 77301 + _normal 7110292 + _high 4132096 + _movable 0 = 11319689;
 * compact_stall 2243; no oom_kill, no pgsteal_kswapd*), and the headroom
 * worked out in test_events.c (Normal: 341 / -469 at min, 91 / -594 at
 * low). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "events/event.h"
#include "fixture.h"
#include "incident_sample.h"
#include "recorder/incident.h"
#include "recorder/record.h"
#include "recorder/recorder.h"
#include "recorder/ring.h"
#include "sample/sampler.h"

#define PAGE 4096
#define T0 1700000000.0

static struct sampler sampler;

static const struct sample *sample_of_incident(void) {
  return incident_sample(&sampler);
}

static char *temp_dir(void) { return test_temp_dir("recorder"); }

static void remove_dir(char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  for (struct dirent *de; (de = readdir(d)) != NULL;) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
  free(dir);
}

static void layout(struct ring_header *h, const struct sample *s,
                   uint32_t capacity) {
  static const unsigned orders[] = {0, 1};
  memset(h, 0, sizeof(*h));
  h->capacity = capacity;
  h->page_size = PAGE;
  h->sample_interval_ns = 100000000;
  snprintf(h->kernel, sizeof(h->kernel), "2.6.39-linode33");
  snprintf(h->host, sizeof(h->host), "web1");
  (void)s;
  record_layout(h, &sampler.view, orders, 2);
}

/* --- the record
 * ---------------------------------------------------------------*/

static void test_record_fill(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  struct ring_header h;
  struct record_builder b;

  layout(&h, s, 4);
  assert_int_equal(h.nr_zones, 3);
  assert_string_equal(h.zone_name[0], "node0-DMA");
  assert_string_equal(h.zone_name[1], "node0-Normal");
  assert_string_equal(h.zone_name[2], "node0-HighMem");
  assert_int_equal(h.nr_orders, 2);

  record_builder_init(&b, &h);
  struct ring_record *rec = calloc(1, ring_record_size(h.nr_zones));
  assert_non_null(rec);
  record_fill(&b, rec, s, &sampler.view, 123456789);
  assert_int_equal(rec->time_ns, 123456789);
  assert_int_equal(rec->nr_zones, 3);

  const struct ring_zone *n = &ring_record_zones(rec)[1];
  assert_int_equal(n->has, RING_ZONE_SEEN | RING_ZONE_HEADROOM |
                               RING_ZONE_SLAB | RING_ZONE_BUDDY);
  assert_int_equal(n->free, 1344);
  assert_int_equal(n->min, 1001);
  assert_int_equal(n->low, 1251);
  assert_int_equal(n->high, 1501);
  assert_int_equal(n->slab_reclaimable, 166021);
  assert_int_equal(n->slab_unreclaimable, 2994);
  assert_int_equal(n->headroom_min[0], 341);
  assert_int_equal(n->headroom_min[1], -469);
  assert_int_equal(n->headroom_low[0], 91);
  assert_int_equal(n->headroom_low[1], -594);
  assert_int_equal(n->nr_buddy_orders, 11);
  assert_int_equal(n->nr_free[0], 1310);
  assert_int_equal(n->nr_free[1], 18);
  assert_int_equal(n->nr_free[2], 0);

  assert_true(rec->mem_has & (1u << RING_LOW_FREE));
  assert_int_equal(rec->mem[RING_LOW_FREE], 8284ull * 1024);
  assert_int_equal(rec->mem[RING_SRECLAIMABLE], 665072ull * 1024);
  assert_false(rec->mem_has & (1u << RING_MEM_AVAILABLE)); /* 3.14+ */
  assert_int_equal(rec->vm[RING_VM_ALLOCSTALL], 3110);
  assert_int_equal(rec->vm[RING_VM_PGSCAN_KSWAPD], 11319689);
  assert_int_equal(rec->vm[RING_VM_COMPACT_STALL], 2243);
  assert_false(rec->vm_has & (1u << RING_VM_OOM_KILL));
  assert_false(rec->vm_has & (1u << RING_VM_PGSTEAL_KSWAPD));
  assert_int_equal(rec->psi_has, 0); /* no PSI on 2.6.39 */
  free(rec);
  sampler_destroy(&sampler);
}

/* --- the ring
 * -----------------------------------------------------------------------*/

static struct ring_record *staged(const struct ring_header *h) {
  struct ring_record *r = calloc(1, ring_record_size(h->nr_zones));
  assert_non_null(r);
  r->nr_zones = h->nr_zones;
  return r;
}

/* The seqs of the records of rg in [from, to], in the order read. */
static size_t read_all(struct ring *rg, struct ring_record *copy, int64_t from,
                       int64_t to, uint64_t *seqs) {
  struct ring_iter it;
  size_t n = 0;
  ring_iter_begin(rg, &it);
  while (ring_iter_next(rg, &it, copy))
    if (copy->time_ns >= from && copy->time_ns <= to)
      seqs[n++] = copy->seq;
  return n;
}

static void test_ring(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  char path[4096];
  struct ring_header h;
  struct ring rg, ro;
  struct stat st;
  uint64_t seqs[32];

  snprintf(path, sizeof(path), "%s/lowmem.ring", dir);
  layout(&h, s, 8);
  umask(022);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  assert_int_equal((size_t)st.st_size,
                   RING_HEADER_SIZE + 8 * ring_record_size(3));

  struct ring_record *r = staged(&h);
  for (int i = 1; i <= 20; i++) {
    r->time_ns = (int64_t)i * 100000000;
    r->mem[RING_MEM_FREE] = (uint64_t)i;
    ring_append(&rg, r);
  }
  assert_int_equal(rg.h->head, 20);

  /* A reader sees the last 8, oldest first. */
  assert_int_equal(ring_open(&ro, path), 0);
  struct ring_record *x = staged(&h);
  assert_int_equal(read_all(&ro, x, INT64_MIN, INT64_MAX, seqs), 8);
  for (size_t i = 0; i < 8; i++)
    assert_int_equal(seqs[i], 13 + i);
  struct ring_iter it;
  ring_iter_begin(&ro, &it);
  assert_true(ring_iter_next(&ro, &it, x));
  assert_int_equal(x->mem[RING_MEM_FREE], 13);
  /* A time window: 1.5 s to 1.8 s holds records 15 to 18. */
  assert_int_equal(read_all(&ro, x, 1500000000, 1800000000, seqs), 4);

  /* A record cut in the middle (seq 0) is left out. */
  struct ring_record *slot19 =
      (struct ring_record *)((char *)rg.map + RING_HEADER_SIZE +
                             (size_t)(18 % 8) * rg.h->record_size);
  assert_int_equal(slot19->seq, 19);
  slot19->seq = 0;
  assert_int_equal(read_all(&ro, x, INT64_MIN, INT64_MAX, seqs), 7);
  /* A record in the wrong slot is no record of this ring. */
  slot19->seq = 27;
  assert_int_equal(read_all(&ro, x, INT64_MIN, INT64_MAX, seqs), 7);
  /* A writer that died between a record and the header: seq 21 is in the
   * slot of 13, head still says 20. */
  struct ring_record *slot13 =
      (struct ring_record *)((char *)rg.map + RING_HEADER_SIZE +
                             (size_t)(12 % 8) * rg.h->record_size);
  slot13->seq = 21;
  assert_int_equal(read_all(&ro, x, INT64_MIN, INT64_MAX, seqs), 7);
  assert_int_equal(seqs[6], 21);
  free(x);
  assert_int_equal(ro.h->clean, 0);
  ring_set_clean(&rg, true);
  assert_int_equal(ro.h->clean, 1);
  ring_close(&ro);
  ring_close(&rg);

  /* Not a ring: a wrong magic, a file cut short, nothing at all. */
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, "XX", 2, 0), 2);
  close(fd);
  assert_int_equal(ring_open(&ro, path), -EINVAL);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  ring_close(&rg);
  assert_int_equal(truncate(path, RING_HEADER_SIZE + 100), 0);
  assert_int_equal(ring_open(&ro, path), -ERANGE);
  assert_int_equal(truncate(path, 10), 0);
  assert_int_equal(ring_open(&ro, path), -EINVAL);
  unlink(path);
  assert_int_equal(ring_open(&ro, path), -ENOENT);

  free(r);
  remove_dir(dir);
  sampler_destroy(&sampler);
}

/* --- JSON
 * --------------------------------------------------------------------------*/

static yajl_val get(yajl_val v, const char *a, const char *b, const char *c) {
  const char *path[] = {a, b, c, NULL};
  yajl_val x = yajl_tree_get(v, path, yajl_t_any);
  if (x == NULL)
    fail_msg("no %s/%s/%s in the JSON", a, b ? b : "", c ? c : "");
  return x;
}

static void test_event(struct event *e, double t) {
  struct event_list l = {.nr = 0};
  struct event *x = event_list_add(&l, EVENT_OOM_KILL, EVENT_FAILURE, t, "oom",
                                   "vmpage_action", "oom_kill");
  assert_non_null(x);
  event_message(x, "OOM kill: killed rpc.statd (pid 2196)");
  event_meta_uint(x, "victim_pid", 2196);
  event_meta_string(x, "victim_comm", "rpc\xff.statd");
  event_meta_int(x, "zone_headroom_bytes", -469 * PAGE);
  *e = *x;
}

/* What incident_write makes of inc, as a string (free() it). */
static char *written(const struct incident *inc) {
  static struct incident_scratch scratch;
  if (scratch.out == NULL)
    assert_int_equal(incident_scratch_init(&scratch), 0);
  int fd = memfd_create("json", MFD_CLOEXEC);
  assert_true(fd >= 0);
  assert_int_equal(incident_write(fd, inc, &scratch), 0);
  off_t len = lseek(fd, 0, SEEK_END);
  assert_true(len > 0);
  char *buf = malloc((size_t)len + 1);
  assert_non_null(buf);
  assert_int_equal(pread(fd, buf, (size_t)len, 0), len);
  buf[len] = '\0';
  close(fd);
  return buf;
}

static void test_json(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  char path[4096];
  struct ring_header h;
  struct ring rg;
  struct record_builder b;
  static struct event e;

  layout(&h, s, 4);
  snprintf(path, sizeof(path), "%s/lowmem.ring", dir);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  record_builder_init(&b, &rg.hdr);
  struct ring_record *r = staged(&rg.hdr);
  for (int i = 0; i < 2; i++) {
    record_fill(&b, r, s, &sampler.view, (int64_t)((T0 + i * 0.1) * 1e9));
    ring_append(&rg, r);
  }
  free(r);
  test_event(&e, T0 + 0.05);
  struct incident inc = {.source = "lowmem",
                         .ring = &rg,
                         .from_ns = INT64_MIN,
                         .to_ns = INT64_MAX,
                         .events = &e,
                         .nr_events = 1,
                         .start = T0 - 120,
                         .end = T0 + 30};
  char *buf = written(&inc);

  char err[256];
  yajl_val doc = yajl_tree_parse(buf, err, sizeof(err));
  if (doc == NULL)
    fail_msg("not JSON: %s", err);
  assert_string_equal(YAJL_GET_STRING(get(doc, "format", NULL, NULL)),
                      "lowmem-incident");
  assert_int_equal(YAJL_GET_INTEGER(get(doc, "version", NULL, NULL)), 1);
  assert_string_equal(YAJL_GET_STRING(get(doc, "kernel", NULL, NULL)),
                      "2.6.39-linode33");
  assert_int_equal(YAJL_GET_INTEGER(get(doc, "page_size", NULL, NULL)), PAGE);
  yajl_val zones = get(doc, "zones", NULL, NULL);
  assert_true(YAJL_IS_ARRAY(zones));
  assert_int_equal(zones->u.array.len, 3);
  assert_string_equal(YAJL_GET_STRING(zones->u.array.values[1]),
                      "node0-Normal");

  yajl_val events = get(doc, "events", NULL, NULL);
  assert_int_equal(events->u.array.len, 1);
  yajl_val ev = events->u.array.values[0];
  assert_string_equal(YAJL_GET_STRING(get(ev, "kind", NULL, NULL)), "oom_kill");
  assert_string_equal(YAJL_GET_STRING(get(ev, "severity", NULL, NULL)),
                      "FAILURE");
  assert_int_equal(YAJL_GET_INTEGER(get(ev, "meta", "victim_pid", NULL)), 2196);
  /* A byte that is not UTF-8 becomes '?'. */
  assert_string_equal(YAJL_GET_STRING(get(ev, "meta", "victim_comm", NULL)),
                      "rpc?.statd");
  assert_int_equal(
      YAJL_GET_INTEGER(get(ev, "meta", "zone_headroom_bytes", NULL)),
      -469 * PAGE);
  assert_float_equal(YAJL_GET_DOUBLE(get(ev, "time", NULL, NULL)), T0 + 0.05,
                     0.001);

  yajl_val samples = get(doc, "samples", NULL, NULL);
  assert_int_equal(samples->u.array.len, 2);
  yajl_val s1 = samples->u.array.values[1];
  assert_float_equal(YAJL_GET_DOUBLE(get(s1, "time", NULL, NULL)), T0 + 0.1,
                     0.001);
  assert_int_equal(YAJL_GET_INTEGER(get(s1, "meminfo", "LowFree", NULL)),
                   8284 * 1024);
  assert_int_equal(YAJL_GET_INTEGER(get(s1, "vmstat", "pgscan_kswapd", NULL)),
                   11319689);
  yajl_val z = get(s1, "zones", NULL, NULL)->u.array.values[1];
  assert_string_equal(YAJL_GET_STRING(get(z, "zone", NULL, NULL)),
                      "node0-Normal");
  assert_int_equal(YAJL_GET_INTEGER(get(z, "free", NULL, NULL)), 1344);
  yajl_val hm = get(z, "headroom_min", NULL, NULL);
  assert_int_equal(YAJL_GET_INTEGER(hm->u.array.values[1]), -469);
  yajl_val nf = get(z, "nr_free", NULL, NULL);
  assert_int_equal(nf->u.array.len, 11);
  assert_int_equal(YAJL_GET_INTEGER(nf->u.array.values[0]), 1310);
  assert_int_equal(YAJL_GET_INTEGER(get(z, "slab_reclaimable", NULL, NULL)),
                   166021);

  assert_int_equal(YAJL_GET_INTEGER(get(doc, "ring", "samples_here", NULL)), 2);
  assert_int_equal(YAJL_GET_INTEGER(get(doc, "ring", "records_written", NULL)),
                   2);

  yajl_tree_free(doc);
  free(buf);
  ring_close(&rg);
  remove_dir(dir);
  sampler_destroy(&sampler);
}

/* --- files
 * ---------------------------------------------------------------------------*/

static unsigned count_files(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  unsigned n = 0;
  assert_non_null(d);
  for (struct dirent *de; (de = readdir(d)) != NULL;)
    if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
      n++;
  closedir(d);
  return n;
}

static void test_files(void **state) {
  (void)state;
  char *dir = temp_dir();
  struct ring_header h;
  static struct event e;
  static struct incident_scratch scratch;
  char name[256], path[4096];
  struct stat st;

  assert_int_equal(incident_scratch_init(&scratch), 0);
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
  assert_true(dirfd >= 0);
  memset(&h, 0, sizeof(h));
  h.record_size = (uint32_t)ring_record_size(0);
  test_event(&e, 1315616851.25); /* 2011-09-10 01:07:31.250 UTC */
  struct incident inc = {.layout = &h, .events = &e, .nr_events = 1};

  umask(022);
  assert_int_equal(
      incident_write_file(dirfd, &inc, &scratch, name, sizeof(name)), 0);
  assert_string_equal(name, "incident-20110910T010731.250Z-oom_kill.json");
  assert_int_equal(fstatat(dirfd, name, &st, 0), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  /* The same moment again: a name of its own. */
  assert_int_equal(
      incident_write_file(dirfd, &inc, &scratch, name, sizeof(name)), 0);
  assert_string_equal(name, "incident-20110910T010731.250Z-oom_kill-2.json");
  assert_int_equal(count_files(dir, ".incident-"), 0); /* no temp left */

  for (int i = 1; i <= 4; i++) {
    test_event(&e, 1315616851.25 + i);
    assert_int_equal(
        incident_write_file(dirfd, &inc, &scratch, name, sizeof(name)), 0);
  }
  snprintf(path, sizeof(path), "%s/.incident-stale1", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  snprintf(path, sizeof(path), "%s/other.json", dir);
  f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(count_files(dir, "incident-"), 6);
  /* Keep 2: four incident files and the temp file go, other.json stays. */
  assert_int_equal(incident_prune(dirfd, 2, &scratch), 5);
  assert_int_equal(count_files(dir, "incident-"), 2);
  assert_int_equal(count_files(dir, "other.json"), 1);
  snprintf(path, sizeof(path), "%s/incident-20110910T010735.250Z-oom_kill.json",
           dir);
  assert_int_equal(access(path, F_OK), 0); /* the newest stays */

  /* lowmem-dump -o: a path of its own choosing. */
  snprintf(path, sizeof(path), "%s/dump.json", dir);
  assert_int_equal(incident_write_path(path, &inc, &scratch), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  assert_int_equal(
      incident_write_path("/nonexistent/dir/x.json", &inc, &scratch), -ENOENT);
  close(dirfd);
  incident_scratch_free(&scratch);
  remove_dir(dir);
}

/* --- the recorder
 * ------------------------------------------------------------------*/

static struct recorder_config rec_config(const char *dir) {
  struct recorder_config c = {
      .dir = dir,
      .seconds = 2,
      .after_seconds = 1,
      .keep = 10,
      .sample_interval = 0.1,
      .orders = {0, 1},
      .nr_orders = 2,
      .check = WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO,
      .page_size = PAGE,
      .host = "web1",
      .kernel = "2.6.39-linode33",
  };
  return c;
}

static void test_recorder(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  char sub[4096];
  static struct recorder r, other;
  static struct event e, okay;
  struct recorder_status st;

  /* A directory that does not exist yet is made. */
  snprintf(sub, sizeof(sub), "%s/a/b", dir);
  struct recorder_config c = rec_config(sub);
  assert_int_equal(recorder_open(&r, &c), 0);
  assert_false(r.prev_kept);
  /* One recorder per directory. */
  assert_int_equal(recorder_open(&other, &c), -EBUSY);
  recorder_close(&other, 0);

  /* 10 s of samples at 10 Hz; an OOM at 5 s, an OKAY at 5.5 s. */
  test_event(&e, T0 + 5.0);
  test_event(&okay, T0 + 5.5);
  okay.severity = EVENT_OKAY;
  for (int i = 0; i < 100; i++) {
    double t = T0 + i * 0.1;
    recorder_sample(&r, s, &sampler.view, t);
    if (i == 50)
      recorder_event(&r, &e);
    if (i == 55)
      recorder_event(&r, &okay);
    recorder_tick(&r, t);
  }
  recorder_flush(&r);
  recorder_get_status(&r, &st);
  assert_int_equal(st.ring_err, 0);
  assert_int_equal(st.write_err, 0);
  assert_int_equal(st.files_written, 1);

  /* The file: the event and the OKAY, samples from 3 s to 6 s. */
  FILE *f = fopen(st.last_path, "r");
  assert_non_null(f);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  char err[256];
  yajl_val doc = yajl_tree_parse(buf, err, sizeof(err));
  if (doc == NULL)
    fail_msg("not JSON: %s", err);
  assert_int_equal(get(doc, "events", NULL, NULL)->u.array.len, 2);
  yajl_val samples = get(doc, "samples", NULL, NULL);
  /* [5 - 2, 5 + 1] at 0.1 s: 3.0, 3.1, ... 6.0, 31 samples. */
  assert_int_equal(samples->u.array.len, 31);
  assert_float_equal(
      YAJL_GET_DOUBLE(get(samples->u.array.values[0], "time", NULL, NULL)),
      T0 + 3.0, 0.001);
  assert_float_equal(
      YAJL_GET_DOUBLE(get(samples->u.array.values[30], "time", NULL, NULL)),
      T0 + 6.0, 0.001);
  assert_true(YAJL_IS_FALSE(get(doc, "ring", "clean", NULL)));
  yajl_tree_free(doc);

  /* An event at the end: written at close, cut there. */
  test_event(&e, T0 + 9.95);
  recorder_event(&r, &e);
  recorder_close(&r, T0 + 10.0);
  assert_int_equal(count_files(sub, "incident-"), 2);

  /* The next run keeps the ring aside; this one was closed cleanly. */
  assert_int_equal(recorder_open(&r, &c), 0);
  assert_true(r.prev_kept);
  assert_false(r.prev_unclean);
  recorder_sample(&r, s, &sampler.view, T0 + 20);
  recorder_close(&r, T0 + 20);

  /* A ring whose writer died (clean still 0) is said so. */
  char ring[4200];
  snprintf(ring, sizeof(ring), "%s/" RECORDER_RING_NAME, sub);
  int fd = open(ring, O_RDWR);
  assert_true(fd >= 0);
  uint32_t zero = 0;
  assert_int_equal(
      pwrite(fd, &zero, sizeof(zero), offsetof(struct ring_header, clean)),
      sizeof(zero));
  close(fd);
  assert_int_equal(recorder_open(&r, &c), 0);
  assert_true(r.prev_kept);
  assert_true(r.prev_unclean);
  recorder_close(&r, T0 + 30);

  snprintf(sub, sizeof(sub), "%s/a/b", dir);
  char *subdir = strdup(sub);
  remove_dir(subdir);
  snprintf(sub, sizeof(sub), "%s/a", dir);
  rmdir(sub);
  remove_dir(dir);
  sampler_destroy(&sampler);
}

/* Events every 0.5 s from 2 s to 9.5 s: an incident spans at most 2 x
 * (2 s + 1 s). The first opens at 2 s (from 0 s) and takes events up to
 * 5 s (5 + 1 - 0 = 6); 5.5 s ends it and opens the next (from 3.5 s, up
 * to 8.5 s); 9 s opens the third, written at close. */
static void test_recorder_long(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  static struct recorder r;
  static struct event e;
  struct recorder_status st;

  struct recorder_config c = rec_config(dir);
  assert_int_equal(recorder_open(&r, &c), 0);
  for (int i = 0; i < 100; i++) {
    double t = T0 + i * 0.1;
    recorder_sample(&r, s, &sampler.view, t);
    if (i >= 20 && i % 5 == 0) {
      test_event(&e, t);
      recorder_event(&r, &e);
    }
    recorder_tick(&r, t);
  }
  recorder_flush(&r);
  recorder_get_status(&r, &st);
  assert_int_equal(st.files_written, 2);
  recorder_close(&r, T0 + 10);
  assert_int_equal(count_files(dir, "incident-"), 3);
  remove_dir(dir);
  sampler_destroy(&sampler);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_record_fill), cmocka_unit_test(test_ring),
      cmocka_unit_test(test_json),        cmocka_unit_test(test_files),
      cmocka_unit_test(test_recorder),    cmocka_unit_test(test_recorder_long),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
