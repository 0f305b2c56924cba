#include "incident.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#define PREFIX "incident-"
#define SUFFIX ".json"
#define TMP_PREFIX ".incident-"

/* --- JSON helpers
 * -----------------------------------------------------------*/

static void print_to_file(void *ctx, const char *str, size_t len) {
  fwrite(str, 1, len, ctx);
}

/* The length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  size_t len;
  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
    len = 2;
  else if ((s[0] & 0xf0) == 0xe0)
    len = 3;
  else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
    len = 4;
  else
    return 0;
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return len;
}

/* Strings come from the kernel log, which may hold any byte: JSON wants
 * UTF-8, so a byte that is not part of a valid sequence becomes '?'. */
static void gen_str(yajl_gen g, const char *s) {
  char buf[1024];
  size_t n = strlen(s), out = 0;
  const unsigned char *u = (const unsigned char *)s;

  for (size_t i = 0; i < n && out + 4 < sizeof(buf);) {
    size_t l = utf8_len(u + i, n - i);
    if (l == 0) {
      buf[out++] = '?';
      i++;
      continue;
    }
    memcpy(buf + out, u + i, l);
    out += l;
    i += l;
  }
  yajl_gen_string(g, (const unsigned char *)buf, out);
}

static void gen_key(yajl_gen g, const char *key) { gen_str(g, key); }

static void gen_u64(yajl_gen g, uint64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
  yajl_gen_number(g, buf, (size_t)n);
}

static void gen_i64(yajl_gen g, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
  yajl_gen_number(g, buf, (size_t)n);
}

static void gen_double(yajl_gen g, double v, int decimals) {
  char buf[64];
  if (!isfinite(v)) {
    yajl_gen_null(g);
    return;
  }
  int n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  yajl_gen_number(g, buf, (size_t)n);
}

static void gen_time(yajl_gen g, double epoch) { gen_double(g, epoch, 3); }

static double ns_to_epoch(int64_t ns) { return (double)ns / 1e9; }

static double now_epoch(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A text field of the header, which a damaged ring may leave without its
 * terminating NUL. */
static void gen_text(yajl_gen g, const char *field, size_t cap) {
  char buf[RING_TEXT_LEN + 1];
  size_t n = strnlen(field, cap < RING_TEXT_LEN ? cap : RING_TEXT_LEN);
  memcpy(buf, field, n);
  buf[n] = '\0';
  gen_str(g, buf);
}

/* --- the document
 * -------------------------------------------------------------*/

static void gen_event(yajl_gen g, const struct event *e) {
  yajl_gen_map_open(g);
  gen_key(g, "time");
  gen_time(g, e->time);
  gen_key(g, "kind");
  gen_str(g, event_kind_name(e->kind));
  gen_key(g, "severity");
  gen_str(g, event_severity_name(e->severity));
  gen_key(g, "plugin_instance");
  gen_str(g, e->plugin_instance);
  gen_key(g, "type");
  gen_str(g, e->type);
  gen_key(g, "type_instance");
  gen_str(g, e->type_instance);
  gen_key(g, "message");
  gen_str(g, e->message);
  gen_key(g, "meta");
  yajl_gen_map_open(g);
  for (size_t i = 0; i < e->nr_meta; i++) {
    const struct event_meta *m = &e->meta[i];
    gen_key(g, m->key);
    switch (m->type) {
    case EVENT_META_STRING:
      gen_str(g, event_meta_str(e, m));
      break;
    case EVENT_META_INT:
      gen_i64(g, m->v.i);
      break;
    case EVENT_META_UINT:
      gen_u64(g, m->v.u);
      break;
    case EVENT_META_DOUBLE:
      gen_double(g, m->v.d, 6);
      break;
    }
  }
  yajl_gen_map_close(g);
  yajl_gen_map_close(g);
}

static void gen_i64_array(yajl_gen g, const int64_t *v, size_t n) {
  yajl_gen_array_open(g);
  for (size_t i = 0; i < n; i++)
    gen_i64(g, v[i]);
  yajl_gen_array_close(g);
}

static void gen_zone(yajl_gen g, const struct ring_header *h,
                     const struct ring_zone *z, uint32_t index) {
  char name[RING_ZONE_NAME_LEN + 1];
  memcpy(name, h->zone_name[index], RING_ZONE_NAME_LEN);
  name[RING_ZONE_NAME_LEN] = '\0';

  yajl_gen_map_open(g);
  gen_key(g, "zone");
  gen_str(g, name);
  gen_key(g, "free");
  gen_u64(g, z->free);
  gen_key(g, "min");
  gen_u64(g, z->min);
  gen_key(g, "low");
  gen_u64(g, z->low);
  gen_key(g, "high");
  gen_u64(g, z->high);
  if (z->has & RING_ZONE_HEADROOM) {
    gen_key(g, "headroom_min");
    gen_i64_array(g, z->headroom_min, h->nr_orders);
    gen_key(g, "headroom_low");
    gen_i64_array(g, z->headroom_low, h->nr_orders);
  }
  if (z->has & RING_ZONE_SLAB) {
    gen_key(g, "slab_reclaimable");
    gen_u64(g, z->slab_reclaimable);
    gen_key(g, "slab_unreclaimable");
    gen_u64(g, z->slab_unreclaimable);
  }
  if (z->has & RING_ZONE_BUDDY) {
    gen_key(g, "nr_free");
    yajl_gen_array_open(g);
    for (uint32_t o = 0; o < z->nr_buddy_orders && o < RING_BUDDY_ORDERS; o++)
      gen_u64(g, z->nr_free[o]);
    yajl_gen_array_close(g);
  }
  yajl_gen_map_close(g);
}

static void gen_sample(yajl_gen g, const struct ring_header *h,
                       const struct ring_record *r) {
  yajl_gen_map_open(g);
  gen_key(g, "time");
  gen_time(g, ns_to_epoch(r->time_ns));
  gen_key(g, "seq");
  gen_u64(g, r->seq);

  gen_key(g, "meminfo");
  yajl_gen_map_open(g);
  for (int f = 0; f < RING_MEM_NR; f++)
    if (r->mem_has & (1u << f)) {
      gen_key(g, ring_mem_name[f]);
      gen_u64(g, r->mem[f]);
    }
  yajl_gen_map_close(g);

  gen_key(g, "vmstat");
  yajl_gen_map_open(g);
  for (int c = 0; c < RING_VM_NR; c++)
    if (r->vm_has & (1u << c)) {
      gen_key(g, ring_vm_name[c]);
      gen_u64(g, r->vm[c]);
    }
  yajl_gen_map_close(g);

  gen_key(g, "pressure");
  yajl_gen_map_open(g);
  if (r->psi_has & RING_PSI_SOME) {
    gen_key(g, "some_total_us");
    gen_u64(g, r->psi_some_total_us);
    gen_key(g, "some_avg10");
    gen_double(g, r->psi_some_avg10, 2);
  }
  if (r->psi_has & RING_PSI_FULL) {
    gen_key(g, "full_total_us");
    gen_u64(g, r->psi_full_total_us);
    gen_key(g, "full_avg10");
    gen_double(g, r->psi_full_avg10, 2);
  }
  yajl_gen_map_close(g);

  gen_key(g, "zones");
  yajl_gen_array_open(g);
  const struct ring_zone *zones =
      ring_record_zones((struct ring_record *)(uintptr_t)r);
  for (uint32_t z = 0; z < r->nr_zones && z < h->nr_zones; z++)
    if (zones[z].has & RING_ZONE_SEEN)
      gen_zone(g, h, &zones[z], z);
  yajl_gen_array_close(g);
  yajl_gen_map_close(g);
}

static void gen_header(yajl_gen g, const struct ring_header *h,
                       const struct incident *inc, size_t nr) {
  gen_key(g, "format");
  gen_str(g, "lowmem-incident");
  gen_key(g, "version");
  yajl_gen_integer(g, INCIDENT_FORMAT_VERSION);
  gen_key(g, "source");
  gen_str(g, inc->source ? inc->source : "lowmem");
  gen_key(g, "written");
  gen_time(g, now_epoch());
  gen_key(g, "host");
  gen_text(g, h->host, sizeof(h->host));
  gen_key(g, "kernel");
  gen_text(g, h->kernel, sizeof(h->kernel));
  gen_key(g, "page_size");
  gen_u64(g, h->page_size);
  gen_key(g, "sample_interval");
  gen_double(g, (double)h->sample_interval_ns / 1e9, 3);
  if (inc->start != 0 || inc->end != 0) {
    gen_key(g, "window");
    yajl_gen_map_open(g);
    gen_key(g, "start");
    gen_time(g, inc->start);
    gen_key(g, "end");
    gen_time(g, inc->end);
    yajl_gen_map_close(g);
  }
  gen_key(g, "ring");
  yajl_gen_map_open(g);
  gen_key(g, "capacity");
  gen_u64(g, h->capacity);
  gen_key(g, "records_written");
  gen_u64(g, __atomic_load_n(&h->head, __ATOMIC_ACQUIRE));
  gen_key(g, "samples_here");
  gen_u64(g, nr);
  gen_key(g, "writer_pid");
  gen_i64(g, h->writer_pid);
  gen_key(g, "clean");
  yajl_gen_bool(g, __atomic_load_n(&h->clean, __ATOMIC_ACQUIRE) != 0);
  gen_key(g, "created");
  gen_time(g, ns_to_epoch(h->created_ns));
  yajl_gen_map_close(g);
  gen_key(g, "orders");
  yajl_gen_array_open(g);
  for (uint32_t o = 0; o < h->nr_orders && o < RING_ORDERS; o++)
    gen_u64(g, h->orders[o]);
  yajl_gen_array_close(g);
  gen_key(g, "zones");
  yajl_gen_array_open(g);
  for (uint32_t z = 0; z < h->nr_zones && z < RING_MAX_ZONES; z++) {
    char name[RING_ZONE_NAME_LEN + 1];
    memcpy(name, h->zone_name[z], RING_ZONE_NAME_LEN);
    name[RING_ZONE_NAME_LEN] = '\0';
    gen_str(g, name);
  }
  yajl_gen_array_close(g);
}

int incident_write(FILE *f, const struct ring_header *h, const void *records,
                   size_t nr, const struct incident *inc) {
  yajl_gen g = yajl_gen_alloc(NULL);
  if (g == NULL)
    return -ENOMEM;
  yajl_gen_config(g, yajl_gen_print_callback, print_to_file, f);

  yajl_gen_map_open(g);
  gen_header(g, h, inc, nr);
  gen_key(g, "events");
  yajl_gen_array_open(g);
  for (size_t i = 0; i < inc->nr_events; i++)
    gen_event(g, &inc->events[i]);
  yajl_gen_array_close(g);
  if (inc->more_events) {
    gen_key(g, "events_left_out");
    gen_u64(g, inc->more_events);
  }
  gen_key(g, "samples");
  yajl_gen_array_open(g);
  for (size_t i = 0; i < nr; i++)
    gen_sample(g, h,
               (const struct ring_record *)((const char *)records +
                                            i * h->record_size));
  yajl_gen_array_close(g);
  /* The last close tells whether the document was well formed all along:
   * yajl refuses any call after a misplaced one. */
  yajl_gen_status st = yajl_gen_map_close(g);
  yajl_gen_free(g);
  fputc('\n', f);
  return st == yajl_gen_status_ok && !ferror(f) ? 0 : -EIO;
}

/* --- files
 * ---------------------------------------------------------------------*/

static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int rc = fsync(fd) == 0 ? 0 : -errno;
  close(fd);
  return rc;
}

/* Temporary file in dir, written, flushed to disk, renamed to final. */
static int write_atomic(const char *dir, const char *final,
                        const struct ring_header *h, const void *records,
                        size_t nr, const struct incident *inc) {
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof(tmp), "%s/" TMP_PREFIX "XXXXXX", dir) >=
      (int)sizeof(tmp))
    return -ENAMETOOLONG;
  int fd = mkstemp(tmp);
  if (fd < 0)
    return -errno;
  int rc = fchmod(fd, 0640) == 0 ? 0 : -errno;
  FILE *f = fdopen(fd, "w");
  if (f == NULL) {
    rc = -errno;
    close(fd);
    unlink(tmp);
    return rc;
  }
  if (rc == 0)
    rc = incident_write(f, h, records, nr, inc);
  if (fflush(f) != 0 && rc == 0)
    rc = -errno;
  if (fsync(fd) != 0 && rc == 0)
    rc = -errno;
  if (fclose(f) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && rename(tmp, final) != 0)
    rc = -errno;
  if (rc != 0) {
    unlink(tmp);
    return rc;
  }
  return fsync_dir(dir);
}

int incident_write_path(const char *path, const struct ring_header *h,
                        const void *records, size_t nr,
                        const struct incident *inc) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');

  if (slash == NULL)
    snprintf(dir, sizeof(dir), ".");
  else if (slash == path)
    snprintf(dir, sizeof(dir), "/");
  else if ((size_t)(slash - path) < sizeof(dir))
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
  else
    return -ENAMETOOLONG;
  return write_atomic(dir, path, h, records, nr, inc);
}

/* "incident-20250110T120304.567Z-oom_kill.json", unique in dir. */
static int file_name(const char *dir, const struct incident *inc, char *path,
                     size_t cap) {
  double t = inc->nr_events ? inc->events[0].time : inc->end;
  const char *kind =
      inc->nr_events ? event_kind_name(inc->events[0].kind) : "samples";
  for (size_t i = 0; i < inc->nr_events; i++)
    if (inc->events[i].severity != EVENT_OKAY) {
      t = inc->events[i].time;
      kind = event_kind_name(inc->events[i].kind);
      break;
    }
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
    if (snprintf(path, cap, "%s/" PREFIX "%s.%03dZ-%s%s" SUFFIX, dir, stamp,
                 ms < 0     ? 0
                 : ms > 999 ? 999
                            : ms,
                 kind, suffix) >= (int)cap)
      return -ENAMETOOLONG;
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
      return 0;
  }
  return -EEXIST;
}

int incident_write_file(const char *dir, const struct ring_header *h,
                        const void *records, size_t nr,
                        const struct incident *inc, char *path, size_t cap) {
  int rc = file_name(dir, inc, path, cap);
  if (rc != 0)
    return rc;
  return write_atomic(dir, path, h, records, nr, inc);
}

static bool is_incident(const char *name) {
  size_t n = strlen(name);
  return strncmp(name, PREFIX, strlen(PREFIX)) == 0 &&
         n > strlen(PREFIX) + strlen(SUFFIX) &&
         strcmp(name + n - strlen(SUFFIX), SUFFIX) == 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int incident_prune(const char *dir, unsigned keep) {
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t nr = 0, cap = 0;
  int removed = 0;
  char path[PATH_MAX];

  if (d == NULL)
    return -errno;
  for (struct dirent *de; (de = readdir(d)) != NULL;) {
    if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
      /* Left by a writer that died: only one writes to a directory. */
      if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
              (int)sizeof(path) &&
          unlink(path) == 0)
        removed++;
      continue;
    }
    if (!is_incident(de->d_name))
      continue;
    if (nr == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      char **v = realloc(names, ncap * sizeof(*v));
      if (v == NULL)
        break;
      names = v;
      cap = ncap;
    }
    names[nr] = strdup(de->d_name);
    if (names[nr] == NULL)
      break;
    nr++;
  }
  closedir(d);
  if (nr > 1)
    qsort(names, nr, sizeof(*names), by_name);
  for (size_t i = 0; i + keep < nr; i++)
    if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) <
            (int)sizeof(path) &&
        unlink(path) == 0)
      removed++;
  for (size_t i = 0; i < nr; i++)
    free(names[i]);
  free(names);
  return removed;
}
