#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident.h"

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

static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* mkdir -p, each new level with mode. */
static int make_dir(const char *dir, mode_t mode) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
    return -ENAMETOOLONG;
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, mode) != 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  if (mkdir(path, mode) != 0 && errno != EEXIST)
    return -errno;
  struct stat st;
  if (stat(path, &st) != 0)
    return -errno;
  return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* A ring left by an earlier run is kept for lowmem-dump, beside the new
 * one; whether its writer stopped cleanly is in its header. */
static void keep_previous(struct recorder *r) {
  struct ring old;
  char *prev = path_in(r->config.dir, RECORDER_PREV_NAME);

  if (prev == NULL)
    return;
  if (access(r->ring_path, F_OK) == 0) {
    r->prev_unclean = true;
    if (ring_open(&old, r->ring_path) == 0) {
      r->prev_unclean = !__atomic_load_n(&old.h->clean, __ATOMIC_ACQUIRE);
      ring_close(&old);
    }
    r->prev_kept = rename(r->ring_path, prev) == 0;
  }
  free(prev);
}

static int write_job(struct recorder *r, const struct recorder_job *j,
                     char *path, size_t cap) {
  const struct ring_header *h = &r->layout;
  void *records = NULL;
  size_t nr = 0;
  struct incident inc = {
      .source = "lowmem",
      .events = j->events,
      .nr_events = j->nr_events,
      .more_events = j->more_events,
      .start = j->start,
      .end = j->end,
  };

  if (r->ring.map) {
    h = r->ring.h;
    int rc = ring_snapshot(&r->ring, (int64_t)(j->start * 1e9),
                           (int64_t)(j->end * 1e9), &records, &nr);
    if (rc != 0)
      return rc;
  }
  int rc = incident_write_file(r->config.dir, h, records, nr, &inc, path, cap);
  free(records);
  if (rc == 0 && r->config.keep > 0)
    (void)incident_prune(r->config.dir, r->config.keep);
  return rc;
}

static void *writer(void *arg) {
  struct recorder *r = arg;
  char path[PATH_MAX];

  pthread_mutex_lock(&r->lock);
  for (;;) {
    while (r->nr_jobs == 0 && !r->stop)
      pthread_cond_wait(&r->cond, &r->lock);
    if (r->nr_jobs == 0)
      break;
    struct recorder_job job = r->queue[0];
    memmove(&r->queue[0], &r->queue[1], (r->nr_jobs - 1) * sizeof(job));
    r->nr_jobs--;
    r->busy = true;
    pthread_mutex_unlock(&r->lock);

    int rc = write_job(r, &job, path, sizeof(path));
    free(job.events);

    pthread_mutex_lock(&r->lock);
    r->busy = false;
    r->status.write_err = rc;
    if (rc == 0) {
      r->status.files_written++;
      snprintf(r->status.last_path, sizeof(r->status.last_path), "%s", path);
    }
    pthread_cond_broadcast(&r->cond);
  }
  pthread_mutex_unlock(&r->lock);
  return NULL;
}

int recorder_open(struct recorder *r, const struct recorder_config *c) {
  memset(r, 0, sizeof(*r));
  r->lock_fd = -1;
  r->ring.fd = -1;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->cond, NULL);
  r->config = *c;
  r->config.dir = strdup(c->dir);
  r->config.host = strdup(c->host ? c->host : "");
  r->config.kernel = strdup(c->kernel ? c->kernel : "");
  r->events = calloc(RECORDER_MAX_EVENTS, sizeof(*r->events));
  if (r->config.dir == NULL || r->config.host == NULL ||
      r->config.kernel == NULL || r->events == NULL)
    return -ENOMEM;
  r->ring_path = path_in(r->config.dir, RECORDER_RING_NAME);
  char *lock_path = path_in(r->config.dir, RECORDER_LOCK_NAME);
  if (r->ring_path == NULL || lock_path == NULL) {
    free(lock_path);
    return -ENOMEM;
  }

  int rc = make_dir(r->config.dir, 0750);
  if (rc == 0) {
    r->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (r->lock_fd < 0)
      rc = -errno;
    else if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0)
      rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
  }
  free(lock_path);
  if (rc != 0)
    return rc;

  keep_previous(r);
  rc = pthread_create(&r->thread, NULL, writer, r);
  if (rc != 0)
    return -rc;
  r->thread_started = true;
  return 0;
}

static void make_ring(struct recorder *r, const struct sample *s, double real) {
  struct ring_header *h = &r->layout;
  double span = max_span(r) * RING_SLACK;

  r->ring_tried = true;
  memset(h, 0, sizeof(*h));
  h->capacity =
      (uint32_t)ceil(span / r->config.sample_interval) + RING_SLACK_RECORDS;
  h->page_size = (uint32_t)r->config.page_size;
  h->writer_pid = (int32_t)getpid();
  h->sample_interval_ns = (int64_t)llround(r->config.sample_interval * 1e9);
  h->created_ns = (int64_t)llround(real * 1e9);
  snprintf(h->kernel, sizeof(h->kernel), "%s", r->config.kernel);
  snprintf(h->host, sizeof(h->host), "%s", r->config.host);
  record_layout(h, s, r->config.orders, r->config.nr_orders);
  h->record_size = (uint32_t)ring_record_size(h->nr_zones);

  r->staging = calloc(1, h->record_size);
  if (r->staging == NULL) {
    r->ring_err = -ENOMEM;
    return;
  }
  r->ring_err = ring_create(&r->ring, r->ring_path, h);
  if (r->ring_err == 0)
    record_builder_init(&r->builder, r->ring.h, r->config.check);
  pthread_mutex_lock(&r->lock);
  r->status.ring_err = r->ring_err;
  pthread_mutex_unlock(&r->lock);
}

void recorder_sample(struct recorder *r, const struct sample *s, double real) {
  if (!r->ring_tried)
    make_ring(r, s, real);
  if (r->ring.map == NULL)
    return;
  record_fill(&r->builder, r->staging, s, (int64_t)llround(real * 1e9));
  ring_append(&r->ring, r->staging);
}

static void submit(struct recorder *r) {
  struct recorder_job job = {
      .nr_events = r->nr_events,
      .more_events = r->more_events,
      .start = r->start,
      .end = r->end,
  };

  r->pending = false;
  job.events = malloc((r->nr_events ? r->nr_events : 1) * sizeof(struct event));
  if (job.events != NULL)
    memcpy(job.events, r->events, r->nr_events * sizeof(struct event));
  pthread_mutex_lock(&r->lock);
  if (job.events == NULL || !r->thread_started ||
      r->nr_jobs >= RECORDER_QUEUE) {
    r->status.jobs_dropped++;
    free(job.events);
  } else {
    r->queue[r->nr_jobs++] = job;
    pthread_cond_broadcast(&r->cond);
  }
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
      submit(r);
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
    submit(r);
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

void recorder_close(struct recorder *r, double real) {
  if (r->pending) {
    if (real < r->end)
      r->end = real;
    submit(r);
  }
  if (r->thread_started) {
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
  }
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->cond);
  if (r->ring.map) {
    ring_set_clean(&r->ring, true);
    ring_close(&r->ring);
  }
  if (r->lock_fd >= 0)
    close(r->lock_fd);
  free(r->staging);
  free(r->events);
  free(r->ring_path);
  free((char *)r->config.dir);
  free((char *)r->config.host);
  free((char *)r->config.kernel);
  memset(r, 0, sizeof(*r));
  r->lock_fd = -1;
  r->ring.fd = -1;
}
