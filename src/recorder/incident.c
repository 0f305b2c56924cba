#include "incident.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#define PREFIX "incident-"
#define SUFFIX ".json"
#define TMP_PREFIX ".incident-"     /* the recorder's; pruned when left */
#define DUMP_PREFIX ".lowmem-dump-" /* lowmem-dump -o's */

int incident_scratch_init(struct incident_scratch *s) {
  const size_t record = ring_record_size(RING_MAX_ZONES);

  memset(s, 0, sizeof(*s));
  s->out = malloc(INCIDENT_OUT_BYTES);
  s->record = malloc(record);
  s->dirents = malloc(INCIDENT_DIRENT_BYTES);
  s->oldest = malloc(INCIDENT_PRUNE_BATCH * sizeof(*s->oldest));
  if (!s->out || !s->record || !s->dirents || !s->oldest) {
    incident_scratch_free(s);
    return -ENOMEM;
  }
  /* Every page now, not at the first incident's first touch. */
  memset(s->out, 0, INCIDENT_OUT_BYTES);
  memset(s->record, 0, record);
  memset(s->dirents, 0, INCIDENT_DIRENT_BYTES);
  memset(s->oldest, 0, INCIDENT_PRUNE_BATCH * sizeof(*s->oldest));
  return 0;
}

void incident_scratch_free(struct incident_scratch *s) {
  free(s->out);
  free(s->record);
  free(s->dirents);
  free(s->oldest);
  memset(s, 0, sizeof(*s));
}

/* --- the document
 * -------------------------------------------------------------*/

static void gen_time(struct json *j, double epoch) { json_double(j, epoch, 3); }

static double ns_to_epoch(int64_t ns) { return (double)ns / 1e9; }

static double now_epoch(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void gen_event(struct json *j, const struct event *e) {
  json_object_open(j);
  json_key(j, "time");
  gen_time(j, e->time);
  json_key(j, "kind");
  json_string(j, event_kind_name(e->kind));
  json_key(j, "severity");
  json_string(j, event_severity_name(e->severity));
  json_key(j, "plugin_instance");
  json_string_n(j, e->plugin_instance, sizeof(e->plugin_instance));
  json_key(j, "type");
  json_string_n(j, e->type, sizeof(e->type));
  json_key(j, "type_instance");
  json_string_n(j, e->type_instance, sizeof(e->type_instance));
  json_key(j, "message");
  json_string_n(j, e->message, sizeof(e->message));
  json_key(j, "meta");
  json_object_open(j);
  for (size_t i = 0; i < e->nr_meta && i < EVENT_MAX_META; i++) {
    const struct event_meta *m = &e->meta[i];
    json_key(j, m->key);
    switch (m->type) {
    case EVENT_META_STRING: {
      const char *v = event_meta_str(e, m);
      size_t left = v >= e->pool && v < e->pool + sizeof(e->pool)
                        ? (size_t)(e->pool + sizeof(e->pool) - v)
                        : strlen(v);
      json_string_n(j, v, left);
      break;
    }
    case EVENT_META_INT:
      json_i64(j, m->v.i);
      break;
    case EVENT_META_UINT:
      json_u64(j, m->v.u);
      break;
    case EVENT_META_DOUBLE:
      json_double(j, m->v.d, 6);
      break;
    default:
      json_null(j);
    }
  }
  json_object_close(j);
  json_object_close(j);
}

static void gen_i64_array(struct json *j, const int64_t *v, size_t n) {
  json_array_open(j);
  for (size_t i = 0; i < n; i++)
    json_i64(j, v[i]);
  json_array_close(j);
}

static void gen_zone(struct json *j, const struct ring_header *h,
                     const struct ring_zone *z, uint32_t index) {
  json_object_open(j);
  json_key(j, "zone");
  json_string_n(j, h->zone_name[index], RING_ZONE_NAME_LEN);
  json_key(j, "free");
  json_u64(j, z->free);
  json_key(j, "min");
  json_u64(j, z->min);
  json_key(j, "low");
  json_u64(j, z->low);
  json_key(j, "high");
  json_u64(j, z->high);
  if (z->has & RING_ZONE_HEADROOM) {
    json_key(j, "headroom_min");
    gen_i64_array(j, z->headroom_min, h->nr_orders);
    json_key(j, "headroom_low");
    gen_i64_array(j, z->headroom_low, h->nr_orders);
  }
  if (z->has & RING_ZONE_SLAB) {
    json_key(j, "slab_reclaimable");
    json_u64(j, z->slab_reclaimable);
    json_key(j, "slab_unreclaimable");
    json_u64(j, z->slab_unreclaimable);
  }
  if (z->has & RING_ZONE_BUDDY) {
    json_key(j, "nr_free");
    json_array_open(j);
    for (uint32_t o = 0; o < z->nr_buddy_orders && o < RING_BUDDY_ORDERS; o++)
      json_u64(j, z->nr_free[o]);
    json_array_close(j);
  }
  json_object_close(j);
}

static void gen_sample(struct json *j, const struct ring_header *h,
                       struct ring_record *r) {
  json_object_open(j);
  json_key(j, "time");
  gen_time(j, ns_to_epoch(r->time_ns));
  json_key(j, "seq");
  json_u64(j, r->seq);

  json_key(j, "meminfo");
  json_object_open(j);
  for (int f = 0; f < RING_MEM_NR; f++)
    if (r->mem_has & (1u << f)) {
      json_key(j, ring_mem_name[f]);
      json_u64(j, r->mem[f]);
    }
  json_object_close(j);

  json_key(j, "vmstat");
  json_object_open(j);
  for (int c = 0; c < RING_VM_NR; c++)
    if (r->vm_has & (1u << c)) {
      json_key(j, ring_vm_name[c]);
      json_u64(j, r->vm[c]);
    }
  json_object_close(j);

  json_key(j, "pressure");
  json_object_open(j);
  if (r->psi_has & RING_PSI_SOME) {
    json_key(j, "some_total_us");
    json_u64(j, r->psi_some_total_us);
    json_key(j, "some_avg10");
    json_double(j, r->psi_some_avg10, 2);
  }
  if (r->psi_has & RING_PSI_FULL) {
    json_key(j, "full_total_us");
    json_u64(j, r->psi_full_total_us);
    json_key(j, "full_avg10");
    json_double(j, r->psi_full_avg10, 2);
  }
  json_object_close(j);

  json_key(j, "zones");
  json_array_open(j);
  const struct ring_zone *zones = ring_record_zones(r);
  for (uint32_t z = 0; z < r->nr_zones && z < h->nr_zones; z++)
    if (zones[z].has & RING_ZONE_SEEN)
      gen_zone(j, h, &zones[z], z);
  json_array_close(j);
  json_object_close(j);
}

static void gen_header(struct json *j, const struct ring_header *h,
                       const struct incident *inc) {
  json_key(j, "format");
  json_string(j, "lowmem-incident");
  json_key(j, "version");
  json_u64(j, INCIDENT_FORMAT_VERSION);
  json_key(j, "source");
  json_string(j, inc->source ? inc->source : "lowmem");
  json_key(j, "written");
  gen_time(j, now_epoch());
  json_key(j, "host");
  json_string_n(j, h->host, sizeof(h->host));
  json_key(j, "kernel");
  json_string_n(j, h->kernel, sizeof(h->kernel));
  json_key(j, "page_size");
  json_u64(j, h->page_size);
  json_key(j, "sample_interval");
  json_double(j, (double)h->sample_interval_ns / 1e9, 3);
  if (inc->start != 0 || inc->end != 0) {
    json_key(j, "window");
    json_object_open(j);
    json_key(j, "start");
    gen_time(j, inc->start);
    json_key(j, "end");
    gen_time(j, inc->end);
    json_object_close(j);
  }
  json_key(j, "orders");
  json_array_open(j);
  for (uint32_t o = 0; o < h->nr_orders && o < RING_ORDERS; o++)
    json_u64(j, h->orders[o]);
  json_array_close(j);
  json_key(j, "zones");
  json_array_open(j);
  for (uint32_t z = 0; z < h->nr_zones && z < RING_MAX_ZONES; z++)
    json_string_n(j, h->zone_name[z], RING_ZONE_NAME_LEN);
  json_array_close(j);
}

/* The samples, straight from the ring in seq order; how many. */
static uint64_t gen_samples(struct json *j, const struct incident *inc,
                            struct ring_record *copy) {
  struct ring_iter it;
  uint64_t n = 0;

  json_key(j, "samples");
  json_array_open(j);
  if (inc->ring != NULL) {
    ring_iter_begin(inc->ring, &it);
    while (j->err == 0 && ring_iter_next(inc->ring, &it, copy))
      if (copy->time_ns >= inc->from_ns && copy->time_ns <= inc->to_ns) {
        gen_sample(j, &inc->ring->hdr, copy);
        n++;
      }
  }
  json_array_close(j);
  return n;
}

/* The ring's own state, last: samples_here is known once they are out. */
static void gen_ring(struct json *j, const struct ring_header *h,
                     const struct ring_header *live, uint64_t nr) {
  json_key(j, "ring");
  json_object_open(j);
  json_key(j, "capacity");
  json_u64(j, h->capacity);
  json_key(j, "records_written");
  json_u64(j, __atomic_load_n(&live->head, __ATOMIC_ACQUIRE));
  json_key(j, "samples_here");
  json_u64(j, nr);
  json_key(j, "writer_pid");
  json_i64(j, h->writer_pid);
  json_key(j, "clean");
  json_bool(j, __atomic_load_n(&live->clean, __ATOMIC_ACQUIRE) != 0);
  json_key(j, "created");
  gen_time(j, ns_to_epoch(h->created_ns));
  json_object_close(j);
}

int incident_write(int fd, const struct incident *inc,
                   struct incident_scratch *s) {
  struct json j;
  /* With a ring, the layout checked when it was opened (sizes, zones) and
   * its mapped header for what changes (head, clean). */
  const struct ring_header *h = inc->ring ? &inc->ring->hdr : inc->layout;
  const struct ring_header *live = inc->ring ? inc->ring->h : inc->layout;

  if (h == NULL || live == NULL || s->out == NULL || s->record == NULL)
    return -EINVAL;
  json_init(&j, fd, s->out, INCIDENT_OUT_BYTES);
  json_object_open(&j);
  gen_header(&j, h, inc);
  json_key(&j, "events");
  json_array_open(&j);
  for (size_t i = 0; i < inc->nr_events; i++)
    gen_event(&j, &inc->events[i]);
  json_array_close(&j);
  if (inc->more_events) {
    json_key(&j, "events_left_out");
    json_u64(&j, inc->more_events);
  }
  uint64_t nr = gen_samples(&j, inc, s->record);
  gen_ring(&j, h, live, nr);
  json_object_close(&j);
  int rc = json_finish(&j);
  return rc == -EPROTO ? -EIO : rc;
}

/* --- files
 * ---------------------------------------------------------------------*/

/* A temporary name of its own in dirfd, opened: O_EXCL, and a symbolic
 * link put there is never followed. */
static int open_temp(int dirfd, const char *prefix, char *tmp, size_t cap) {
  static unsigned counter;
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  for (int attempt = 0; attempt < 100; attempt++) {
    unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    if (snprintf(tmp, cap, "%s%ld-%lx-%u", prefix, (long)getpid(),
                 (unsigned long)ts.tv_nsec, n) >= (int)cap)
      return -ENAMETOOLONG;
    int fd = openat(dirfd, tmp,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
    if (fd >= 0 || errno != EEXIST)
      return fd >= 0 ? fd : -errno;
  }
  return -EEXIST;
}

/* Temporary file in dirfd, written, flushed to disk, renamed to final. */
static int write_atomic(int dirfd, const char *prefix, const char *final,
                        const struct incident *inc,
                        struct incident_scratch *s) {
  char tmp[NAME_MAX + 1];
  int fd = open_temp(dirfd, prefix, tmp, sizeof(tmp));
  if (fd < 0)
    return fd;
  int rc = fchmod(fd, 0640) == 0 ? 0 : -errno;
  if (rc == 0)
    rc = incident_write(fd, inc, s);
  if (rc == 0 && fsync(fd) != 0)
    rc = -errno;
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && renameat(dirfd, tmp, dirfd, final) != 0)
    rc = -errno;
  if (rc != 0) {
    unlinkat(dirfd, tmp, 0);
    return rc;
  }
  return fsync(dirfd) == 0 ? 0 : -errno;
}

int incident_write_path(const char *path, const struct incident *inc,
                        struct incident_scratch *s) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;

  if (base[0] == '\0' || strlen(base) > NAME_MAX)
    return -EINVAL;
  if (slash == NULL)
    snprintf(dir, sizeof(dir), ".");
  else if (slash == path)
    snprintf(dir, sizeof(dir), "/");
  else if ((size_t)(slash - path) < sizeof(dir))
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
  else
    return -ENAMETOOLONG;
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return -errno;
  int rc = write_atomic(dirfd, DUMP_PREFIX, base, inc, s);
  close(dirfd);
  return rc;
}

/* The time and kind that name an incident: its first event that is not
 * an OKAY. */
static void name_parts(const struct incident *inc, double *t,
                       const char **kind) {
  *t = inc->nr_events ? inc->events[0].time : inc->end;
  *kind = inc->nr_events ? event_kind_name(inc->events[0].kind) : "samples";
  for (size_t i = 0; i < inc->nr_events; i++)
    if (inc->events[i].severity != EVENT_OKAY) {
      *t = inc->events[i].time;
      *kind = event_kind_name(inc->events[i].kind);
      break;
    }
  if (!isfinite(*t) || *t < 0 || *t > 253402300799.0) /* year 9999 */
    *t = 0;
}

/* "incident-20250110T120304.567Z-oom_kill.json", unique in dirfd. */
static int file_name(int dirfd, const struct incident *inc, char *name,
                     size_t cap) {
  double t;
  const char *kind;
  name_parts(inc, &t, &kind);
  time_t sec = (time_t)floor(t);
  int ms = (int)((t - (double)sec) * 1000);
  struct tm tm;
  char stamp[32];
  if (gmtime_r(&sec, &tm) == NULL)
    return -EINVAL;
  strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
  for (int n = 1; n < 1000; n++) {
    char suffix[16] = "";
    if (n > 1)
      snprintf(suffix, sizeof(suffix), "-%d", n);
    if (snprintf(name, cap, PREFIX "%s.%03dZ-%s%s" SUFFIX, stamp,
                 ms < 0     ? 0
                 : ms > 999 ? 999
                            : ms,
                 kind, suffix) >= (int)cap)
      return -ENAMETOOLONG;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
      return 0;
  }
  return -EEXIST;
}

int incident_write_file(int dirfd, const struct incident *inc,
                        struct incident_scratch *s, char *name, size_t cap) {
  int rc = file_name(dirfd, inc, name, cap);
  if (rc != 0)
    return rc;
  return write_atomic(dirfd, TMP_PREFIX, name, inc, s);
}

/* --- pruning, with no memory but the scratch's ----------------------------*/

static bool is_incident(const char *name) {
  size_t n = strlen(name);
  return strncmp(name, PREFIX, strlen(PREFIX)) == 0 &&
         n > strlen(PREFIX) + strlen(SUFFIX) && n < INCIDENT_NAME_LEN &&
         strcmp(name + n - strlen(SUFFIX), SUFFIX) == 0;
}

static bool is_regular(int dirfd, const struct dirent64 *de) {
  struct stat st;
  if (de->d_type != DT_UNKNOWN)
    return de->d_type == DT_REG;
  return fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISREG(st.st_mode);
}

/* One pass over the directory: calls visit on each regular file. */
static int each_file(int fd, struct incident_scratch *s,
                     void (*visit)(int fd, const char *name, void *arg),
                     void *arg) {
  if (lseek(fd, 0, SEEK_SET) != 0)
    return -errno;
  for (;;) {
    ssize_t n = getdents64(fd, s->dirents, INCIDENT_DIRENT_BYTES);
    if (n < 0)
      return -errno;
    if (n == 0)
      return 0;
    for (ssize_t off = 0; off < n;) {
      const struct dirent64 *de = (const void *)(s->dirents + off);
      off += de->d_reclen;
      if (is_regular(fd, de))
        visit(fd, de->d_name, arg);
    }
  }
}

struct census {
  unsigned long incidents;
  int removed;
};

/* Counts the incident files; removes what a writer that died left. Only
 * one collectd writes to a directory (its lock), and lowmem-dump -o uses
 * another prefix. */
static void count_one(int fd, const char *name, void *arg) {
  struct census *c = arg;
  if (strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
    if (unlinkat(fd, name, 0) == 0)
      c->removed++;
  } else if (is_incident(name))
    c->incidents++;
}

struct oldest {
  struct incident_scratch *s;
  size_t want, nr;
};

/* Keeps the `want` smallest names (the oldest: they begin with the UTC
 * time), sorted. */
static void keep_oldest(int fd, const char *name, void *arg) {
  struct oldest *o = arg;
  char(*v)[INCIDENT_NAME_LEN] = o->s->oldest;
  if (!is_incident(name))
    return;
  size_t i = o->nr;
  if (i == o->want) {
    if (strcmp(name, v[i - 1]) >= 0)
      return;
    i--;
  } else
    o->nr++;
  for (; i > 0 && strcmp(name, v[i - 1]) < 0; i--)
    memcpy(v[i], v[i - 1], INCIDENT_NAME_LEN);
  snprintf(v[i], INCIDENT_NAME_LEN, "%s", name);
}

int incident_prune(int dirfd, unsigned keep, struct incident_scratch *s) {
  struct census c = {0, 0};
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int rc = each_file(fd, s, count_one, &c);
  while (rc == 0 && c.incidents > keep) {
    unsigned long extra = c.incidents - keep;
    struct oldest o = {
        .s = s,
        .want = extra < INCIDENT_PRUNE_BATCH ? extra : INCIDENT_PRUNE_BATCH,
    };
    rc = each_file(fd, s, keep_oldest, &o);
    size_t gone = 0;
    for (size_t i = 0; rc == 0 && i < o.nr; i++)
      if (unlinkat(fd, s->oldest[i], 0) == 0)
        gone++;
    if (gone == 0)
      break; /* nothing could go: do not loop */
    c.removed += (int)gone;
    c.incidents -= gone;
  }
  close(fd);
  return rc != 0 ? rc : c.removed;
}
