#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The ring holds a little more than an incident can span, so that a
 * sample that comes late or a writer that starts late still finds the
 * first seconds. */
#define RING_SLACK 1.1
#define RING_SLACK_RECORDS 20

/* The longest incident: twice its first event's window, so that the
 * kills of an OOM storm after the first one share its file. */
static double max_span(const struct recorder *r) {
  return 2 * (r->config.seconds + r->config.after_seconds);
}

/* strerror(3) is not thread-safe; this is (GNU strerror_r). */
static const char *errtext(int err, char *buf, size_t cap) {
  return strerror_r(err < 0 ? -err : err, buf, cap);
}

static const char *file_type(mode_t mode) {
  if (S_ISLNK(mode))
    return "symbolic link";
  if (S_ISDIR(mode))
    return "directory";
  if (S_ISFIFO(mode))
    return "FIFO";
  if (S_ISCHR(mode))
    return "character device";
  if (S_ISBLK(mode))
    return "block device";
  if (S_ISSOCK(mode))
    return "socket";
  return "regular file";
}

__attribute__((format(printf, 3, 4))) static void note(char *buf, size_t cap,
                                                       const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
}

/* --- RecordDir ---------------------------------------------------------*/

/* Opens path one component at a time, making what is missing (mode
 * 0750): symbolic links are followed above RecordDir, not at RecordDir
 * itself. */
static int open_dirs(const char *path) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
    return -ENAMETOOLONG;
  int fd = open(buf[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  char *p = buf;
  while (*p == '/')
    p++;
  while (*p) {
    char *end = p + strcspn(p, "/");
    char *next = end;
    while (*next == '/')
      next++;
    *end = '\0';
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    if (*next == '\0')
      flags |= O_NOFOLLOW;
    int sub = openat(fd, p, flags);
    if (sub < 0 && errno == ENOENT &&
        (mkdirat(fd, p, 0750) == 0 || errno == EEXIST))
      sub = openat(fd, p, flags);
    int err = errno;
    close(fd);
    if (sub < 0)
      return -err;
    fd = sub;
    p = next;
  }
  return fd;
}

/* Says why RecordDir cannot be opened, and what to do. */
static void explain_dir_error(struct recorder *r, int err) {
  const char *dir = r->config.dir;
  char target[PATH_MAX], e[128];
  struct stat st;

  if ((err == -ELOOP || err == -ENOTDIR) && lstat(dir, &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      ssize_t n = readlink(dir, target, sizeof(target) - 1);
      target[n > 0 ? n : 0] = '\0';
      note(r->refusal, sizeof(r->refusal),
           "RecordDir \"%s\" is a symbolic link (to \"%s\"): lowmem, running "
           "as root, follows no link to its directory. Set RecordDir to the "
           "directory itself (e.g. RecordDir \"%s\") if it is the one meant.",
           dir, target, target);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      note(r->refusal, sizeof(r->refusal),
           "RecordDir \"%s\" is a %s, not a directory: remove it, or set "
           "RecordDir to a directory.",
           dir, file_type(st.st_mode));
      return;
    }
  }
  note(r->refusal, sizeof(r->refusal),
       "cannot open or make RecordDir \"%s\" (%s): check the path and "
       "collectd's rights, or set \"Record false\".",
       dir, errtext(err, e, sizeof(e)));
}

/* A directory anyone but this user can write lets them put a symbolic
 * link or a hard link where root will write. */
static int check_dir(struct recorder *r) {
  const char *dir = r->config.dir;
  struct stat st;
  uid_t me = geteuid();

  if (fstat(r->dir_fd, &st) != 0)
    return -errno;
  if (st.st_uid != me) {
    note(r->refusal, sizeof(r->refusal),
         "RecordDir \"%s\" is owned by uid %u, not by collectd's user (uid "
         "%u): its owner could make collectd overwrite any file. Run `chown "
         "%u '%s' && chmod 0750 '%s'`, or set RecordDir to a directory of "
         "collectd's own.",
         dir, (unsigned)st.st_uid, (unsigned)me, (unsigned)me, dir, dir);
    return -EPERM;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    note(r->refusal, sizeof(r->refusal),
         "RecordDir \"%s\" can be written by %s (mode %04o): they could make "
         "collectd overwrite any file. Run `chmod go-w '%s'` (lowmem makes "
         "it 0750), or set RecordDir to a directory of collectd's own.",
         dir, (st.st_mode & S_IWOTH) ? "every user" : "its group",
         (unsigned)(st.st_mode & 07777), dir);
    return -EPERM;
  }
  return 0;
}

static int open_record_dir(struct recorder *r) {
  int fd = open_dirs(r->config.dir);
  if (fd < 0) {
    explain_dir_error(r, fd);
    return fd;
  }
  r->dir_fd = fd;
  return check_dir(r);
}

/* One recorder per directory. A lock file that is not a regular file is
 * not ours: it is not opened (a FIFO would block, a device would act). */
static int take_lock(struct recorder *r) {
  const char *dir = r->config.dir;
  struct stat st;

  if (fstatat(r->dir_fd, RECORDER_LOCK_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG(st.st_mode)) {
    note(r->refusal, sizeof(r->refusal),
         "%s/" RECORDER_LOCK_NAME " is a %s, not lowmem's lock file; lowmem "
         "neither follows nor opens it. Remove it (rm '%s/" RECORDER_LOCK_NAME
         "').",
         dir, file_type(st.st_mode), dir);
    return -EEXIST;
  }
  r->lock_fd =
      openat(r->dir_fd, RECORDER_LOCK_NAME,
             O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0640);
  if (r->lock_fd < 0)
    return -errno;
  if (fstat(r->lock_fd, &st) != 0 || !S_ISREG(st.st_mode))
    return -EEXIST;
  if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0)
    return errno == EWOULDBLOCK ? -EBUSY : -errno;
  return 0;
}

/* --- the previous run's ring -----------------------------------------*/

/* Moves lowmem.ring to lowmem.ring.prev; where that cannot be (a
 * directory of that name), to lowmem.ring.prev-<UTC time>. The name it
 * went to is in kept ("" when it stayed). Returns 0 or the first
 * -errno. */
static int move_aside(struct recorder *r, char *kept, size_t cap) {
  kept[0] = '\0';
  if (renameat(r->dir_fd, RECORDER_RING_NAME, r->dir_fd, RECORDER_PREV_NAME) ==
      0) {
    snprintf(kept, cap, "%s", RECORDER_PREV_NAME);
    return 0;
  }
  int err = -errno;
  char stamp[32] = "";
  struct tm tm;
  time_t now = time(NULL);
  if (gmtime_r(&now, &tm) != NULL)
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  snprintf(kept, cap, "%s-%s", RECORDER_PREV_NAME, stamp);
  if (renameat(r->dir_fd, RECORDER_RING_NAME, r->dir_fd, kept) != 0)
    kept[0] = '\0';
  return err;
}

/* A ring left by an earlier run is kept for lowmem-dump, beside the new
 * one; whether its writer stopped cleanly is in its header. Anything else
 * under its name is said for what it is: not a ring is not a killed
 * collectd. Nothing there is followed or opened but a regular file. */
static void keep_previous(struct recorder *r) {
  const char *dir = r->config.dir;
  char *msg = r->prev_note, kept[NAME_MAX + 1], e[128];
  const size_t cap = sizeof(r->prev_note);
  struct stat st;
  struct ring old;

  r->prev_level = RECORDER_NOTE_WARNING;
  if (fstatat(r->dir_fd, RECORDER_RING_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    note(msg, cap,
         "%s/" RECORDER_RING_NAME " is a directory, not a ring file: no ring "
         "can be made until it is removed (rm -r '%s/" RECORDER_RING_NAME "').",
         dir, dir);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    note(msg, cap,
         "%s/" RECORDER_RING_NAME " was a %s, not a ring file: the new ring "
         "takes its name (%s).",
         dir, file_type(st.st_mode),
         S_ISLNK(st.st_mode) ? "what the link points to is not touched"
                             : "it was not opened");
    return;
  }
  int open_rc = ring_open_at(&old, r->dir_fd, RECORDER_RING_NAME);
  if (open_rc == 0) {
    r->prev_unclean = !__atomic_load_n(&old.h->clean, __ATOMIC_ACQUIRE);
    ring_close(&old);
  }
  int err = move_aside(r, kept, sizeof(kept));
  r->prev_kept = kept[0] != '\0';
  const char *why_not = ring_open_error(open_rc);
  char moved[NAME_MAX + PATH_MAX + 256];
  if (err == 0)
    moved[0] = '\0';
  else if (r->prev_kept)
    note(moved, sizeof(moved),
         "cannot keep the previous ring as %s/" RECORDER_PREV_NAME
         " (%s): remove or rename that %s. ",
         dir, errtext(err, e, sizeof(e)),
         fstatat(r->dir_fd, RECORDER_PREV_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0
             ? file_type(st.st_mode)
             : "name");
  else
    note(moved, sizeof(moved),
         "cannot move the previous ring aside (%s): the new ring replaces it. ",
         errtext(err, e, sizeof(e)));
  if (!r->prev_kept) {
    snprintf(msg, cap, "%s", moved);
    return;
  }
  size_t at = strlen(moved);
  if (open_rc != 0) {
    note(msg, cap,
         "%s%s/" RECORDER_RING_NAME " was not a ring of this lowmem: it %s; "
         "it is kept as %s/%s, untouched.",
         moved, dir, why_not ? why_not : errtext(open_rc, e, sizeof(e)), dir,
         kept);
    return;
  }
  r->prev_level =
      r->prev_unclean || err != 0 ? RECORDER_NOTE_WARNING : RECORDER_NOTE_INFO;
  note(msg, cap,
       "%sthe ring of the previous run is kept as %s/%s%s; `lowmem-dump "
       "%s/%s` shows its last samples.",
       moved, dir, kept,
       r->prev_unclean ? " and it was not closed: that collectd was killed or "
                         "the machine went down"
                       : "",
       dir, kept);
  if (at > 0 && at < cap)
    msg[at] = 'T'; /* a sentence of its own after what failed */
}

/* --- the writer thread -------------------------------------------------*/

/* Nanoseconds of an epoch time, saturated. */
static int64_t to_ns(double t) {
  if (!(t > -9.2e9))
    return INT64_MIN;
  if (t >= 9.2e9)
    return INT64_MAX;
  return (int64_t)llround(t * 1e9);
}

static int write_job(struct recorder *r, const struct recorder_job *j,
                     char *name, size_t cap) {
  struct incident inc = {
      .source = "lowmem",
      .layout = &r->layout,
      .ring = r->ring.map ? &r->ring : NULL,
      .from_ns = to_ns(j->start),
      .to_ns = to_ns(j->end),
      .events = j->events,
      .nr_events = j->nr_events,
      .more_events = j->more_events,
      .start = j->start,
      .end = j->end,
  };

  int rc = incident_write_file(r->dir_fd, &inc, &r->scratch, name, cap);
  if (rc == 0 && r->config.keep > 0)
    (void)incident_prune(r->dir_fd, r->config.keep, &r->scratch);
  return rc;
}

static void *writer(void *arg) {
  struct recorder *r = arg;
  char name[NAME_MAX + 1];

  pthread_mutex_lock(&r->lock);
  r->writer_ready = true;
  pthread_cond_broadcast(&r->cond);
  for (;;) {
    while (r->swapping || (r->nr_jobs == 0 && !r->stop))
      pthread_cond_wait(&r->cond, &r->lock);
    if (r->nr_jobs == 0)
      break;
    /* The job stays in its slot while it is written: submit() fills
     * others. */
    const struct recorder_job *job = &r->queue[r->queue_head];
    r->busy = true;
    pthread_mutex_unlock(&r->lock);

    int rc = write_job(r, job, name, sizeof(name));

    pthread_mutex_lock(&r->lock);
    r->queue_head = (r->queue_head + 1) % RECORDER_QUEUE;
    r->nr_jobs--;
    r->busy = false;
    r->status.write_err = rc;
    if (rc == 0) {
      r->status.files_written++;
      snprintf(r->status.last_path, sizeof(r->status.last_path), "%s/%s",
               r->config.dir, name);
    }
    pthread_cond_broadcast(&r->cond);
  }
  pthread_mutex_unlock(&r->lock);
  return NULL;
}

/* --- the ring ------------------------------------------------------------*/

/* The writer reads the ring and the layout while it writes a file: they
 * are replaced only between two files. False when it is busy (the caller
 * tries again at the next sample). */
static bool begin_swap(struct recorder *r) {
  pthread_mutex_lock(&r->lock);
  bool ok = !r->busy;
  if (ok)
    r->swapping = true;
  pthread_mutex_unlock(&r->lock);
  return ok;
}

static void end_swap(struct recorder *r) {
  pthread_mutex_lock(&r->lock);
  r->swapping = false;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
}

/* The layout of a ring for sample s: RecordSeconds + RecordAfterSeconds
 * twice, with slack, at SampleInterval, within RING_MAX_BYTES. Returns the
 * records the configuration asked for. */
static uint64_t ring_layout(struct recorder *r, const struct view *v,
                            double real) {
  struct ring_header *h = &r->layout;
  double wanted = ceil(max_span(r) * RING_SLACK / r->config.sample_interval) +
                  RING_SLACK_RECORDS;

  memset(h, 0, sizeof(*h));
  h->page_size = (uint32_t)r->config.page_size;
  h->writer_pid = (int32_t)getpid();
  h->sample_interval_ns = (int64_t)llround(r->config.sample_interval * 1e9);
  h->created_ns = to_ns(real);
  snprintf(h->kernel, sizeof(h->kernel), "%s", r->config.kernel);
  snprintf(h->host, sizeof(h->host), "%s", r->config.host);
  record_layout(h, v, r->config.orders, r->config.nr_orders);
  h->record_size = (uint32_t)ring_record_size(h->nr_zones);
  uint64_t most = (RING_MAX_BYTES - RING_HEADER_SIZE) / h->record_size;
  uint64_t want = !(wanted < 1e12) ? UINT64_MAX : (uint64_t)wanted;
  h->capacity = (uint32_t)(want < most ? want : most);
  return want;
}

/* Makes the ring (again), after closing one found broken (lost). */
static void swap_ring(struct recorder *r, const struct view *v, double real,
                      enum ring_state lost) {
  if (!begin_swap(r)) {
    r->ring_next_check = real;
    return;
  }
  if (lost != RING_SOUND)
    ring_close(&r->ring);
  r->ring_next_try = real + RECORDER_RETRY_SECONDS;
  r->ring_next_check = real + RECORDER_CHECK_SECONDS;
  uint64_t wanted = ring_layout(r, v, real);
  r->ring_err =
      ring_create_at(&r->ring, r->dir_fd, RECORDER_RING_NAME, &r->layout);
  if (r->ring_err == 0)
    record_builder_init(&r->builder, &r->ring.hdr);
  end_swap(r);

  pthread_mutex_lock(&r->lock);
  struct recorder_status *st = &r->status;
  st->ring_err = r->ring_err;
  if (lost != RING_SOUND) {
    st->rings_lost++;
    st->lost_as = lost;
  }
  if (r->ring_err == 0) {
    st->rings_made++;
    st->ring_records = r->ring.hdr.capacity;
    st->record_size = r->ring.hdr.record_size;
    st->ring_bytes = r->ring.size;
    st->records_wanted = wanted;
  }
  pthread_mutex_unlock(&r->lock);
}

void recorder_sample(struct recorder *r, const struct sample *s,
                     const struct view *v, double real) {
  if (r->ring.map == NULL) {
    if (!(real >= r->ring_next_try))
      return;
    swap_ring(r, v, real, RING_SOUND);
    if (r->ring.map == NULL)
      return;
  } else if (ring_faulted(&r->ring) || real >= r->ring_next_check) {
    /* Every RECORDER_CHECK_SECONDS, or at once when a store faulted: the
     * file may have been truncated, removed or replaced under us. */
    r->ring_next_check = real + RECORDER_CHECK_SECONDS;
    enum ring_state state =
        ring_verify(&r->ring, r->dir_fd, RECORDER_RING_NAME);
    if (state != RING_SOUND) {
      swap_ring(r, v, real, state);
      if (r->ring.map == NULL)
        return;
    }
  }
  record_fill(&r->builder, r->staging, s, v, to_ns(real));
  ring_append(&r->ring, r->staging);
}

/* --- incidents ----------------------------------------------------------*/

/* Hands the incident gathered to the writer: its events are copied into
 * the queue's own array, allocated at open. */
static void submit_pending(struct recorder *r) {
  struct recorder_job *job = NULL;

  r->pending = false;
  pthread_mutex_lock(&r->lock);
  if (!r->thread_started || r->nr_jobs >= RECORDER_QUEUE)
    r->status.jobs_dropped++;
  else
    job = &r->queue[(r->queue_head + r->nr_jobs) % RECORDER_QUEUE];
  pthread_mutex_unlock(&r->lock);
  if (job == NULL)
    return;
  /* Only this thread adds jobs and the writer takes the oldest: this slot
   * is free until nr_jobs counts it. */
  memcpy(job->events, r->events, r->nr_events * sizeof(*r->events));
  job->nr_events = r->nr_events;
  job->more_events = r->more_events;
  job->start = r->start;
  job->end = r->end;
  pthread_mutex_lock(&r->lock);
  r->nr_jobs++;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
}

void recorder_event(struct recorder *r, const struct event *e) {
  const double span = max_span(r);

  if (!r->pending) {
    if (e->severity == EVENT_OKAY)
      return;
    r->pending = true;
    r->start = e->time - r->config.seconds;
    r->end = e->time + r->config.after_seconds;
    r->nr_events = 0;
    r->more_events = 0;
  } else if (e->severity != EVENT_OKAY) {
    double end = e->time + r->config.after_seconds;
    if (end - r->start > span) {
      /* The ring cannot hold more of this one: it ends here, the event
       * starts the next. */
      r->end = e->time;
      submit_pending(r);
      recorder_event(r, e);
      return;
    }
    if (end > r->end)
      r->end = end;
  }
  if (r->nr_events < RECORDER_MAX_EVENTS)
    r->events[r->nr_events++] = *e;
  else
    r->more_events++;
}

void recorder_tick(struct recorder *r, double real) {
  if (r->pending && real >= r->end)
    submit_pending(r);
}

void recorder_flush(struct recorder *r) {
  pthread_mutex_lock(&r->lock);
  while (r->thread_started && (r->nr_jobs > 0 || r->busy))
    pthread_cond_wait(&r->cond, &r->lock);
  pthread_mutex_unlock(&r->lock);
}

void recorder_get_status(struct recorder *r, struct recorder_status *st) {
  pthread_mutex_lock(&r->lock);
  *st = r->status;
  pthread_mutex_unlock(&r->lock);
}

/* --- open and close ------------------------------------------------------*/

/* calloc, and every page touched now: not when memory is short. */
static void *prealloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p)
    memset(p, 0, n * size);
  return p;
}

static int allocate(struct recorder *r) {
  r->events = prealloc(RECORDER_MAX_EVENTS, sizeof(*r->events));
  r->staging = prealloc(1, ring_record_size(RING_MAX_ZONES));
  if (r->events == NULL || r->staging == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < RECORDER_QUEUE; i++) {
    r->queue[i].events = prealloc(RECORDER_MAX_EVENTS, sizeof(struct event));
    if (r->queue[i].events == NULL)
      return -ENOMEM;
  }
  /* glibc loads the time zone at the first gmtime_r (which names the
   * incident files): now, not during an incident. */
  tzset();
  return incident_scratch_init(&r->scratch);
}

int recorder_open(struct recorder *r, const struct recorder_config *c) {
  memset(r, 0, sizeof(*r));
  r->dir_fd = -1;
  r->lock_fd = -1;
  r->ring.fd = -1;
  r->ring.guard = -1;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->cond, NULL);
  r->sync_ready = true;
  r->config = *c;
  r->config.dir = strdup(c->dir);
  r->config.host = strdup(c->host ? c->host : "");
  r->config.kernel = strdup(c->kernel ? c->kernel : "");
  if (r->config.dir == NULL || r->config.host == NULL ||
      r->config.kernel == NULL)
    return -ENOMEM;
  if (snprintf(r->ring_path, sizeof(r->ring_path), "%s/" RECORDER_RING_NAME,
               c->dir) >= (int)sizeof(r->ring_path))
    return -ENAMETOOLONG;

  int rc = open_record_dir(r);
  if (rc == 0)
    rc = take_lock(r);
  if (rc == 0)
    rc = allocate(r);
  if (rc != 0)
    return rc;
  keep_previous(r);
  rc = pthread_create(&r->thread, NULL, writer, r);
  if (rc != 0)
    return -rc;
  r->thread_started = true;
  /* Running before the first sample: whatever starting a thread costs
   * is paid now. */
  pthread_mutex_lock(&r->lock);
  while (!r->writer_ready)
    pthread_cond_wait(&r->cond, &r->lock);
  pthread_mutex_unlock(&r->lock);
  return 0;
}

void recorder_close(struct recorder *r, double real) {
  if (r->pending) {
    if (real < r->end)
      r->end = real;
    submit_pending(r);
  }
  if (r->thread_started) {
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
  }
  if (r->sync_ready) {
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
  }
  if (r->ring.map) {
    ring_set_clean(&r->ring, true);
    ring_close(&r->ring);
  }
  if (r->lock_fd >= 0)
    close(r->lock_fd);
  if (r->dir_fd >= 0)
    close(r->dir_fd);
  incident_scratch_free(&r->scratch);
  for (size_t i = 0; i < RECORDER_QUEUE; i++)
    free(r->queue[i].events);
  free(r->staging);
  free(r->events);
  free((char *)r->config.dir);
  free((char *)r->config.host);
  free((char *)r->config.kernel);
  memset(r, 0, sizeof(*r));
  r->dir_fd = -1;
  r->lock_fd = -1;
  r->ring.fd = -1;
  r->ring.guard = -1;
}
