/* lowmem-dump: the samples of a lowmem ring file as an incident file's
 * JSON, for the ring a collectd left when it was killed.
 *
 *   lowmem-dump [-s SECONDS] [-o FILE] RINGFILE
 *
 * RINGFILE is RecordDir/lowmem.ring (or lowmem.ring.prev, the previous
 * run's, kept when collectd starts again). -s keeps the last SECONDS
 * before the newest sample; -o writes FILE atomically (mode 0640) instead
 * of standard output. The ring is only read: a collectd still writing it
 * is not disturbed, and a record it is writing at that moment is left
 * out. Exit status: 0, 1 on an error, 2 on a wrong command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder/incident.h"
#include "recorder/ring.h"

static void usage(FILE *f) {
  fprintf(f, "usage: lowmem-dump [-s SECONDS] [-o FILE] RINGFILE\n");
}

static int dump(const char *ring_path, const char *out, double seconds) {
  struct ring rg;
  void *records = NULL;
  size_t nr = 0;

  int rc = ring_open(&rg, ring_path);
  if (rc != 0) {
    fprintf(stderr, "lowmem-dump: %s: %s\n", ring_path,
            rc == -EINVAL ? "not a lowmem ring file (or of another version)"
                          : strerror(-rc));
    return 1;
  }
  if (ring_snapshot(&rg, INT64_MIN, INT64_MAX, &records, &nr) != 0) {
    fprintf(stderr, "lowmem-dump: out of memory\n");
    ring_close(&rg);
    return 1;
  }
  size_t first = 0;
  const size_t size = rg.h->record_size;
  if (seconds > 0 && nr > 0) {
    const struct ring_record *last =
        (const struct ring_record *)((char *)records + (nr - 1) * size);
    int64_t from = last->time_ns - (int64_t)(seconds * 1e9);
    while (first < nr &&
           ((const struct ring_record *)((char *)records + first * size))
                   ->time_ns < from)
      first++;
  }
  struct incident inc = {.source = "lowmem-dump"};
  const char *start = (char *)records + first * size;
  if (out)
    rc = incident_write_path(out, rg.h, start, nr - first, &inc);
  else
    rc = incident_write(stdout, rg.h, start, nr - first, &inc);
  if (rc == 0 && !out && fflush(stdout) != 0)
    rc = -errno;
  if (rc != 0)
    fprintf(stderr, "lowmem-dump: writing %s: %s\n", out ? out : "the output",
            strerror(-rc));
  free(records);
  ring_close(&rg);
  return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *out = NULL;
  double seconds = 0;
  int c;

  while ((c = getopt(argc, argv, "ho:s:")) != -1) {
    switch (c) {
    case 'o':
      out = optarg;
      break;
    case 's': {
      char *end;
      seconds = strtod(optarg, &end);
      if (end == optarg || *end != '\0' || !(seconds > 0)) {
        fprintf(stderr, "lowmem-dump: -s takes seconds, e.g. -s 60\n");
        return 2;
      }
      break;
    }
    case 'h':
      usage(stdout);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind != argc - 1) {
    usage(stderr);
    return 2;
  }
  return dump(argv[optind], out, seconds);
}
