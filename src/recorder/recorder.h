/* The incident recorder: every sample goes into the ring file (ring.h);
 * each event opens an incident, or joins the one being gathered, and once
 * RecordAfterSeconds have passed after its last event the incident is
 * written as a JSON file (incident.h) with the ring's samples from
 * RecordSeconds before its first event to its end. Events that keep
 * coming extend it, up to twice RecordSeconds + RecordAfterSeconds (what
 * the ring is sized to hold); past that a new incident starts. An OKAY
 * event only joins an incident already open.
 *
 * The per-sample path is a memcpy into the mapping: no allocation, no
 * system call. Files are written by a thread of their own, so that an
 * fsync stuck behind a writeback storm (the incident's flush-0:17 at 100%)
 * never holds up sampling. */
#ifndef LOWMEM_RECORDER_H
#define LOWMEM_RECORDER_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../events/event.h"
#include "../sample/sampler.h"
#include "record.h"
#include "ring.h"

#define RECORDER_RING_NAME "lowmem.ring"
#define RECORDER_PREV_NAME "lowmem.ring.prev"
#define RECORDER_LOCK_NAME "lowmem.lock"
#define RECORDER_MAX_EVENTS 64 /* events kept per incident */
#define RECORDER_QUEUE 4       /* incidents waiting for the writer */

struct recorder_config {
  const char *dir;
  double seconds;       /* RecordSeconds: kept before an event */
  double after_seconds; /* RecordAfterSeconds */
  unsigned keep;        /* RecordKeep: incident files kept */
  double sample_interval;
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders;
  enum watermark_check check;
  uint64_t page_size;
  const char *host;
  const char *kernel;
};

struct recorder_job {
  struct event *events;
  size_t nr_events;
  unsigned more_events;
  double start, end;
};

struct recorder_status {
  int ring_err;  /* 0, or -errno of creating the ring */
  int write_err; /* 0, or -errno of the last incident file */
  unsigned long files_written;
  unsigned long jobs_dropped;
  char last_path[PATH_MAX];
};

struct recorder {
  struct recorder_config config; /* strings copied */
  char *ring_path;
  int lock_fd;
  bool prev_kept;    /* a ring of an earlier run was moved aside */
  bool prev_unclean; /* ... and its writer had not stopped cleanly */

  struct ring ring;
  bool ring_tried;
  int ring_err;
  struct ring_header layout; /* also the header of files without a ring */
  struct record_builder builder;
  struct ring_record *staging;

  bool pending;
  double start, end;
  struct event *events; /* RECORDER_MAX_EVENTS */
  size_t nr_events;
  unsigned more_events;

  pthread_t thread;
  bool thread_started;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool stop, busy;
  struct recorder_job queue[RECORDER_QUEUE];
  size_t nr_jobs;
  struct recorder_status status;
};

/* Makes the directory (mode 0750) if needed, takes its lock (one
 * recorder per directory), moves a ring left by an earlier run to
 * RECORDER_PREV_NAME and starts the writer. Returns 0, -EBUSY when
 * another process records there, or -errno. */
int recorder_open(struct recorder *r, const struct recorder_config *c);

/* One sample, taken at real (seconds since the epoch). The ring is made
 * on the first one, with that sample's zones. */
void recorder_sample(struct recorder *r, const struct sample *s, double real);

/* An event (copied). */
void recorder_event(struct recorder *r, const struct event *e);

/* Hands the incident to the writer once its time has come. */
void recorder_tick(struct recorder *r, double real);

/* Waits until the writer has written everything handed to it. */
void recorder_flush(struct recorder *r);

void recorder_get_status(struct recorder *r, struct recorder_status *st);

/* Writes an incident still being gathered (cut at real), waits for the
 * writer, marks the ring clean and releases everything. */
void recorder_close(struct recorder *r, double real);

#endif
