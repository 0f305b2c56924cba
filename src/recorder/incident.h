/* Incident files: the events and the ring's samples around them, as JSON
 * (json.h). The same format is written by the recorder on an event and
 * by lowmem-dump from the ring of a collectd that died; collectd-lowmem(5)
 * (THE INCIDENT RECORD) documents it field by field.
 *
 * Samples are streamed out of the ring's mapping one record at a time
 * (ring_iter), and the JSON goes through a fixed buffer to write(2):
 * with the scratch memory allocated once (incident_scratch_init), writing
 * an incident allocates nothing, since it happens when memory is at its
 * shortest. A ring is an input like any other: every size comes from its
 * checked header (ring_open), every string is made valid UTF-8 and
 * escaped, every number bounded.
 *
 * A file is written whole to a temporary file in the same directory,
 * fsync'ed, renamed into place and the directory fsync'ed: a reader (or a
 * crash) sees the old set of files or the new one, never half a file.
 * Every name is relative to the directory's descriptor, and no symbolic
 * link in it is followed. */
#ifndef LOWMEM_INCIDENT_H
#define LOWMEM_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "../events/event.h"
#include "ring.h"

#define INCIDENT_FORMAT_VERSION 1
#define INCIDENT_OUT_BYTES (64 * 1024) /* the JSON buffer */
#define INCIDENT_DIRENT_BYTES (32 * 1024)
#define INCIDENT_PRUNE_BATCH 64 /* oldest files removed per pass */
#define INCIDENT_NAME_LEN 128   /* longer names are not lowmem's */

struct incident {
  const char *source;               /* "lowmem" or "lowmem-dump" */
  const struct ring_header *layout; /* without a ring: host, zones ... */
  struct ring *ring;                /* NULL: no samples */
  int64_t from_ns, to_ns;           /* the samples kept */
  const struct event *events;
  size_t nr_events;
  unsigned more_events; /* events left out of the file */
  double start, end;    /* the window asked for (0, 0: none, as in dumps) */
};

/* Memory that writing and pruning need, allocated once. */
struct incident_scratch {
  char *out;                         /* INCIDENT_OUT_BYTES */
  struct ring_record *record;        /* a record of RING_MAX_ZONES zones */
  char *dirents;                     /* INCIDENT_DIRENT_BYTES */
  char (*oldest)[INCIDENT_NAME_LEN]; /* INCIDENT_PRUNE_BATCH */
};

/* Allocates and touches every page of it. 0 or -ENOMEM. */
int incident_scratch_init(struct incident_scratch *s);
void incident_scratch_free(struct incident_scratch *s);

/* Writes the JSON of inc to fd. Returns 0, or -errno of write(2). */
int incident_write(int fd, const struct incident *inc,
                   struct incident_scratch *s);

/* Writes the same into the directory dirfd as "incident-<UTC time of
 * first event>-<kind>.json" (made unique with -2, -3 ...), atomically,
 * mode 0640. Its name goes to name (cap bytes). Returns 0 or -errno. */
int incident_write_file(int dirfd, const struct incident *inc,
                        struct incident_scratch *s, char *name, size_t cap);

/* Writes the same to path, atomically, mode 0640 (lowmem-dump -o). */
int incident_write_path(const char *path, const struct incident *inc,
                        struct incident_scratch *s);

/* Removes the oldest incident files of the directory dirfd beyond keep,
 * and temporary files a crash left. Returns the number removed, or
 * -errno. */
int incident_prune(int dirfd, unsigned keep, struct incident_scratch *s);

#endif
