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
 * out. Exit status: 0, 1 on an error, 2 on a wrong command line.
 *
 * The ring is an input like any other: only a regular file is opened (a
 * FIFO or a device could block or act), a symbolic link is not followed,
 * the header is checked against the file's size, records are streamed
 * from the mapping (memory does not grow with the ring, holes of a sparse
 * file are skipped), and a ring truncated while it is read ends the
 * samples instead of the program. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recorder/incident.h"
#include "recorder/ring.h"

/* -s at most: 31 years, far beyond any ring, and its nanoseconds fit in
 * 64 bits. */
#define MAX_SECONDS 1e9

static void usage(FILE *f) {
  fprintf(f, "usage: lowmem-dump [-s SECONDS] [-o FILE] RINGFILE\n");
}

static const char *errtext(int err, char *buf, size_t cap) {
  return strerror_r(err < 0 ? -err : err, buf, cap);
}

/* The time of the newest record, in seq order. */
static bool newest_time(struct ring *rg, struct ring_record *copy, int64_t *t) {
  struct ring_iter it;
  bool any = false;

  ring_iter_begin(rg, &it);
  while (ring_iter_next(rg, &it, copy)) {
    *t = copy->time_ns;
    any = true;
  }
  return any;
}

static int64_t window_start(struct ring *rg, struct ring_record *copy,
                            double seconds) {
  int64_t newest;
  if (seconds <= 0 || !newest_time(rg, copy, &newest))
    return INT64_MIN;
  int64_t span = (int64_t)(seconds * 1e9); /* at most 1e18 */
  return newest < INT64_MIN + span ? INT64_MIN : newest - span;
}

static int dump(const char *ring_path, const char *out, double seconds) {
  struct ring rg;
  struct incident_scratch scratch;
  char e[128];

  int rc = ring_open(&rg, ring_path);
  if (rc != 0) {
    const char *why = ring_open_error(rc);
    fprintf(stderr, "lowmem-dump: %s: %s\n", ring_path,
            why ? why : errtext(rc, e, sizeof(e)));
    return 1;
  }
  if (incident_scratch_init(&scratch) != 0) {
    fprintf(stderr, "lowmem-dump: out of memory\n");
    ring_close(&rg);
    return 1;
  }
  struct incident inc = {
      .source = "lowmem-dump",
      .ring = &rg,
      .from_ns = window_start(&rg, scratch.record, seconds),
      .to_ns = INT64_MAX,
  };
  if (out)
    rc = incident_write_path(out, &inc, &scratch);
  else
    rc = incident_write(STDOUT_FILENO, &inc, &scratch);
  if (rc != 0)
    fprintf(stderr, "lowmem-dump: writing %s: %s\n", out ? out : "the output",
            errtext(rc, e, sizeof(e)));
  else if (ring_faulted(&rg)) {
    fprintf(stderr,
            "lowmem-dump: %s was cut short (truncated) while it was read: "
            "the samples past its new end are left out.\n",
            ring_path);
    rc = -EIO;
  }
  incident_scratch_free(&scratch);
  ring_close(&rg);
  return rc == 0 ? 0 : 1;
}

/* Seconds, more than 0 and at most MAX_SECONDS: not nan, not inf. */
static bool parse_seconds(const char *arg, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (end == arg || *end != '\0' || !(v > 0) || !(v <= MAX_SECONDS))
    return false;
  *out = v;
  return true;
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
    case 's':
      if (!parse_seconds(optarg, &seconds)) {
        fprintf(stderr,
                "lowmem-dump: -s takes seconds, more than 0 and at most %.0f, "
                "e.g. -s 60\n",
                MAX_SECONDS);
        return 2;
      }
      break;
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
