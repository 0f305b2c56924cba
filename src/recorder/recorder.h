/* The incident recorder: every sample goes into the ring file (ring.h);
 * each event opens an incident, or joins the one being gathered, and once
 * RecordAfterSeconds have passed after its last event the incident is
 * written as a JSON file (incident.h) with the ring's samples from
 * RecordSeconds before its first event to its end. Events that keep
 * coming extend it, up to twice RecordSeconds + RecordAfterSeconds (what
 * the ring is sized to hold, within RING_MAX_BYTES); past that a new
 * incident starts. An OKAY event only joins an incident already open.
 *
 * lowmem runs as root: RecordDir is opened once, must be a directory
 * owned by this user that its group and others cannot write, and every
 * file in it is reached through that descriptor without following a
 * symbolic link. A user who could write there could otherwise have root
 * truncate any file.
 *
 * The per-sample path is a memcpy into the mapping and a flag: no
 * allocation, no system call; the ring file is looked at every
 * RECORDER_CHECK_SECONDS (truncated, removed, replaced), and a ring that
 * could not be made is tried again every RECORDER_RETRY_SECONDS. Files are
 * written by a thread of their own, so that an fsync stuck behind a
 * writeback storm (the incident's flush-0:17 at 100%) never holds up
 * sampling; from the first event to the file written, nothing is
 * allocated: the queue's events and the writer's buffers are allocated at
 * open. */
#ifndef LOWMEM_RECORDER_H
#define LOWMEM_RECORDER_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../events/event.h"
#include "../sample/sampler.h"
#include "incident.h"
#include "record.h"
#include "ring.h"

#define RECORDER_RING_NAME "lowmem.ring"
#define RECORDER_PREV_NAME "lowmem.ring.prev"
#define RECORDER_LOCK_NAME "lowmem.lock"
#define RECORDER_MAX_EVENTS 64      /* events kept per incident */
#define RECORDER_QUEUE 4            /* incidents waiting for the writer */
#define RECORDER_RETRY_SECONDS 60.0 /* a ring that could not be made */
#define RECORDER_CHECK_SECONDS 10.0 /* the ring file looked at */
#define RECORDER_NOTE_LEN 1024

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
  struct event *events; /* RECORDER_MAX_EVENTS, allocated at open */
  size_t nr_events;
  unsigned more_events;
  double start, end;
};

struct recorder_status {
  int ring_err;             /* 0, or -errno of the last try to make it */
  unsigned long rings_made; /* rings made so far */
  unsigned long rings_lost; /* rings found broken under collectd */
  enum ring_state lost_as;  /* what became of the last one lost */
  uint32_t ring_records;    /* the ring's capacity */
  uint32_t record_size;     /* bytes */
  uint64_t ring_bytes;      /* of the file */
  uint64_t records_wanted;  /* what the configuration asked for */
  int write_err;            /* 0, or -errno of the last incident file */
  unsigned long files_written;
  unsigned long jobs_dropped;
  char last_path[PATH_MAX];
};

enum recorder_note_level { RECORDER_NOTE_INFO, RECORDER_NOTE_WARNING };

struct recorder {
  struct recorder_config config; /* strings copied */
  char ring_path[PATH_MAX];
  int dir_fd;
  int lock_fd;
  /* Why recorder_open refused (without the "lowmem plugin: " prefix). */
  char refusal[RECORDER_NOTE_LEN];
  /* What became of the previous run's ring, to log once (empty: none). */
  char prev_note[RECORDER_NOTE_LEN];
  enum recorder_note_level prev_level;
  bool prev_kept;    /* a ring of an earlier run was moved aside */
  bool prev_unclean; /* ... and its writer had not stopped cleanly */

  struct ring ring;
  double ring_next_try; /* when to try making the ring (again) */
  double ring_next_check;
  int ring_err;
  struct ring_header layout; /* also the header of files without a ring */
  struct record_builder builder;
  struct ring_record *staging; /* RING_MAX_ZONES zones */

  bool pending;
  double start, end;
  struct event *events; /* RECORDER_MAX_EVENTS */
  size_t nr_events;
  unsigned more_events;

  pthread_t thread;
  bool thread_started, sync_ready;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool writer_ready, stop, busy;
  bool swapping; /* the sampler replaces the ring: the writer waits */
  struct recorder_job queue[RECORDER_QUEUE]; /* a circle from queue_head */
  size_t queue_head, nr_jobs;
  struct incident_scratch scratch;
  struct recorder_status status;
};

/* Opens RecordDir (made with mode 0750 if missing, its missing parents
 * too), checks it is a directory of this user that nobody else can write,
 * takes its lock (one recorder per directory), moves a ring left by an
 * earlier run to RECORDER_PREV_NAME, allocates everything an incident
 * needs and starts the writer. Returns 0, -EBUSY when another process
 * records there, or -errno; r->refusal then says what to fix when it is
 * the directory or a file in it. */
int recorder_open(struct recorder *r, const struct recorder_config *c);

/* One sample, taken at real (seconds since the epoch). The ring is made
 * on the first one, with that sample's zones. */
void recorder_sample(struct recorder *r, const struct sample *s,
                     const struct view *v, double real);

/* An event (copied). */
void recorder_event(struct recorder *r, const struct event *e);

/* Hands the incident to the writer once its time has come. */
void recorder_tick(struct recorder *r, double real);

/* Waits until the writer has written everything handed to it. */
void recorder_flush(struct recorder *r);

void recorder_get_status(struct recorder *r, struct recorder_status *st);

/* Writes an incident still being gathered (cut at real), waits for the
 * writer, marks the ring clean and releases everything. Also after a
 * recorder_open that failed. */
void recorder_close(struct recorder *r, double real);

#endif
