/* Incident files: the events and the ring's samples around them, as JSON
 * (libyajl). The same format is written by the recorder on an event and
 * by lowmem-dump from the ring of a collectd that died; the README
 * ("The incident record") documents it field by field.
 *
 * A file is written whole to a temporary file in the same directory,
 * fsync'ed, renamed into place and the directory fsync'ed: a reader (or a
 * crash) sees the old set of files or the new one, never half a file. */
#ifndef LOWMEM_INCIDENT_H
#define LOWMEM_INCIDENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../events/event.h"
#include "ring.h"

#define INCIDENT_FORMAT_VERSION 1

struct incident {
  const char *source; /* "lowmem" (collectd) or "lowmem-dump" */
  const struct event *events;
  size_t nr_events;
  unsigned more_events; /* events left out of the file */
  double start, end;    /* the window asked for, seconds since the epoch */
};

/* Writes the JSON of inc with nr records (of the ring's record_size,
 * oldest first) to f. Returns 0, or -EIO when yajl or f failed. */
int incident_write(FILE *f, const struct ring_header *h, const void *records,
                   size_t nr, const struct incident *inc);

/* Writes the same into dir as "incident-<UTC time of first event>-<kind>
 * .json" (made unique with -2, -3 ...), atomically, mode 0640. The final
 * path goes to path (cap bytes). Returns 0 or -errno. */
int incident_write_file(const char *dir, const struct ring_header *h,
                        const void *records, size_t nr,
                        const struct incident *inc, char *path, size_t cap);

/* Writes the same to path, atomically, mode 0640 (lowmem-dump -o). */
int incident_write_path(const char *path, const struct ring_header *h,
                        const void *records, size_t nr,
                        const struct incident *inc);

/* Removes the oldest incident files of dir beyond keep, and temporary
 * files a crash left. Returns the number removed, or -errno. */
int incident_prune(const char *dir, unsigned keep);

#endif
