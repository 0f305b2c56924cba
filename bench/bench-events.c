/* lowmem-bench-events: what the events and the incident record add to
 * each sample, against the sample itself.
 *
 * Per sample of the live /proc, in alternating rounds:
 *   sample     sampler_read (the six memory sources): the baseline;
 *   events     events_step: headroom states at min and low for every
 *              zone and order, the oom_kill counter, and /dev/kmsg read
 *              until EAGAIN (one read() when the kernel said nothing);
 *   record     record_fill + ring_append: the sample copied into the
 *              mapped ring file (in a temporary directory).
 * Each row is CPU time of this thread per sample (median of the rounds)
 * and its ratio to the baseline; the heap calls per sample of the added
 * paths, once warm (common.c counts them), must be 0. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "events/events.h"
#include "recorder/record.h"
#include "recorder/ring.h"
#include "sample/sampler.h"

enum row { ROW_SAMPLE, ROW_EVENTS, ROW_RECORD, ROW_NR };
static const char *const row_name[ROW_NR] = {
    [ROW_SAMPLE] = "sample (baseline)",
    [ROW_EVENTS] = "events",
    [ROW_RECORD] = "record (ring)",
};

struct bench {
  struct sampler sampler;
  struct events events;
  struct ring ring;
  struct record_builder builder;
  struct ring_record *staging;
  char dir[64];
  char ring_path[128];
  bool kmsg;
};

static int setup(struct bench *b, const char *proc) {
  static const unsigned orders[] = {0, 1};
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = (uint64_t)sysconf(_SC_PAGESIZE),
  };
  if (sampler_init(&b->sampler, &sc) != 0)
    return -1;
  sampler_read(&b->sampler, bench_wall_seconds());

  b->kmsg = access("/dev/kmsg", R_OK) == 0;
  struct events_config ec = {
      .headroom = true,
      .persistence = 5,
      .kernel_log = b->kmsg ? "/dev/kmsg" : NULL,
      .check = b->sampler.check,
      .orders = {0, 1},
      .nr_orders = 2,
      .sample_interval = 0.1,
      .page_size = sc.page_size,
  };
  if (events_init(&b->events, &ec) != 0)
    return -1;

  snprintf(b->dir, sizeof(b->dir), "/tmp/lowmem-bench-events-XXXXXX");
  if (mkdtemp(b->dir) == NULL)
    return -1;
  snprintf(b->ring_path, sizeof(b->ring_path), "%s/lowmem.ring", b->dir);
  struct ring_header h;
  memset(&h, 0, sizeof(h));
  h.capacity = 3300; /* 2 x (120 s + 30 s) at 10 Hz, and slack */
  h.page_size = (uint32_t)sc.page_size;
  h.sample_interval_ns = 100000000;
  record_layout(&h, &b->sampler.view, orders, 2);
  if (ring_create(&b->ring, b->ring_path, &h) != 0)
    return -1;
  record_builder_init(&b->builder, &b->ring.hdr);
  b->staging = calloc(1, b->ring.hdr.record_size);
  return b->staging ? 0 : -1;
}

static void teardown(struct bench *b) {
  ring_close(&b->ring);
  unlink(b->ring_path);
  rmdir(b->dir);
  free(b->staging);
  events_destroy(&b->events);
  sampler_destroy(&b->sampler);
}

static void run_row(struct bench *b, enum row r) {
  switch (r) {
  case ROW_SAMPLE:
    sampler_read(&b->sampler, bench_wall_seconds());
    break;
  case ROW_EVENTS:
    events_step(&b->events, &b->sampler.sample, &b->sampler.view,
                bench_wall_seconds(), 1.7e9);
    break;
  case ROW_RECORD:
    record_fill(&b->builder, b->staging, &b->sampler.sample, &b->sampler.view,
                1700000000000000000);
    ring_append(&b->ring, b->staging);
    break;
  case ROW_NR:
    break;
  }
}

int main(int argc, char **argv) {
  unsigned samples = 300, rounds = 30;
  const char *proc = "/proc";
  int c;

  while ((c = getopt(argc, argv, "n:r:p:h")) != -1) {
    switch (c) {
    case 'n':
      samples = (unsigned)strtoul(optarg, NULL, 10);
      break;
    case 'r':
      rounds = (unsigned)strtoul(optarg, NULL, 10);
      break;
    case 'p':
      proc = optarg;
      break;
    default:
      fprintf(stderr, "usage: lowmem-bench-events [-n SAMPLES] [-r ROUNDS] "
                      "[-p PROCDIR]\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (samples == 0 || rounds == 0 || rounds > 1000) {
    fprintf(stderr, "lowmem-bench-events: -n and -r must be 1 or more\n");
    return 2;
  }
  static struct bench b;
  if (setup(&b, proc) != 0) {
    fprintf(stderr, "lowmem-bench-events: cannot set up (%s)\n",
            strerror(errno));
    return 1;
  }
  /* Warm: every layout built, the ring's pages touched once. */
  for (unsigned i = 0; i < 100; i++)
    for (int r = 0; r < ROW_NR; r++)
      run_row(&b, (enum row)r);

  double *us = calloc((size_t)rounds * ROW_NR, sizeof(double));
  unsigned long long heap[ROW_NR] = {0};
  if (us == NULL)
    return 1;
  for (unsigned k = 0; k < rounds; k++)
    for (int i = 0; i < ROW_NR; i++) {
      /* Alternate the order of the rows from one round to the next. */
      enum row r = (enum row)(k % 2 ? ROW_NR - 1 - i : i);
      struct bench_span span;
      bench_span_begin(&span);
      for (unsigned s = 0; s < samples; s++)
        run_row(&b, r);
      bench_span_end(&span, samples);
      us[r * rounds + k] = span.cpu_us;
      heap[r] += span.heap;
    }

  printf("\nevents and incident record: CPU us per sample, medians of %u "
         "rounds of %u samples (%s, %s)\n",
         rounds, samples, proc,
         b.kmsg ? "/dev/kmsg read each sample" : "no /dev/kmsg: not read");
  printf("%-20s %10s %8s %12s\n", "row", "us", "ratio", "heap/sample");
  double med[ROW_NR];
  for (int r = 0; r < ROW_NR; r++) {
    bench_sort(&us[r * rounds], rounds);
    med[r] = us[r * rounds + rounds / 2];
  }
  for (int r = 0; r < ROW_NR; r++)
    printf("%-20s %10.2f %8.3f %12.3f\n", row_name[r], med[r],
           med[r] / med[ROW_SAMPLE],
           (double)heap[r] / ((double)rounds * samples));
  double added = med[ROW_EVENTS] + med[ROW_RECORD];
  printf("%-20s %10.2f %8.3f\n", "added in all", added,
         added / med[ROW_SAMPLE]);
  printf("ring record: %u bytes (%u zones); at 10 Hz the capability adds "
         "%.1f us/s (%.4f%% of a core)\n",
         b.ring.h->record_size, b.ring.h->nr_zones, added * 10, added * 1e-3);
  free(us);
  teardown(&b);
  return 0;
}
