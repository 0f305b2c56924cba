/* model-sample: lowmem's headroom of each sample, by both models, for the
 * model check (tests/guest/model.awk, doc/model-check.md).
 *
 *   model-sample PROC_PATH SECONDS INTERVAL_S ORDER...
 *
 * Samples PROC_PATH with lowmem's own sampler (zoneinfo, buddyinfo and
 * pagetypeinfo, the latter at the plugin's default interval and its
 * sooner reads near the wall) every INTERVAL_S for SECONDS, and derives
 * from each sample two views: the new model (the sample as read, migrate
 * types and the high-order atomic reserve included) and the old one (the
 * same sample without pagetypeinfo: what lowmem falls back to when the
 * file cannot be read). One line per sample, zone and order:
 *
 *   T ZONE ORDER FREE MIN LOW RESERVE TYPES NEW_MIN NEW_LOW NEW_ATOMIC
 *   OLD_MIN OLD_LOW OLD_ATOMIC
 *
 * T is CLOCK_MONOTONIC in seconds when the sample was read (the clock the
 * kernel's trace uses with trace_clock "mono"); FREE to RESERVE are the
 * zone's pages; TYPES is 1 when the migrate types are known; the six
 * headrooms are in pages, GFP_KERNEL at min and low and GFP_ATOMIC.
 * Zones whose headroom is not known are left out. Exit status 0, or 1 on
 * a usage or setup error. SIGTERM or SIGINT ends it early, its lines
 * written. */
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sample/sampler.h"
#include "sample/view.h"

enum { MAX_SECONDS = 3600 };

static volatile sig_atomic_t stopping;

static void stop(int sig) {
  (void)sig;
  stopping = 1;
}

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_number(const char *s, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
    return -1;
  *out = v;
  return 0;
}

static void print_sample(double t, const struct view *now,
                         const struct view *old) {
  for (size_t i = 0; i < now->nr && i < old->nr; i++) {
    const struct zone_view *z = &now->zones[i], *o = &old->zones[i];
    if (!z->has_headroom || !o->has_headroom)
      continue;
    for (size_t k = 0; k < now->config.nr_orders; k++)
      printf("%.6f %s %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
             " %d %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
             " %" PRId64 "\n",
             t, z->label, now->config.orders[k], z->info->free, z->info->min,
             z->info->low, z->reserve, z->types != NULL, z->headroom_min[k],
             z->headroom_low[k], z->headroom_atomic[k], o->headroom_min[k],
             o->headroom_low[k], o->headroom_atomic[k]);
  }
}

int main(int argc, char **argv) {
  double seconds, interval, order;
  struct sampler_config sc = {
      .sources = 1u << SOURCE_ZONEINFO | 1u << SOURCE_BUDDYINFO |
                 1u << SOURCE_PAGETYPEINFO,
      .check = WATERMARK_CHECK_AUTO,
  };

  if (argc < 5 || argc - 4 > SAMPLER_MAX_ORDERS ||
      parse_number(argv[2], 1, MAX_SECONDS, &seconds) != 0 ||
      parse_number(argv[3], 0.01, 60, &interval) != 0) {
    fprintf(stderr, "usage: model-sample PROC_PATH SECONDS(1-%d) "
                    "INTERVAL_S(0.01-60) ORDER...\n",
            MAX_SECONDS);
    return 1;
  }
  sc.proc_path = argv[1];
  for (int i = 4; i < argc; i++) {
    if (parse_number(argv[i], 0, 10, &order) != 0) {
      fprintf(stderr, "model-sample: order %s is not 0 to 10\n", argv[i]);
      return 1;
    }
    sc.orders[sc.nr_orders++] = (unsigned)order;
  }
  for (int i = 0; i < SOURCE_NR; i++)
    sc.interval[i] = source_info[i].interval;
  long page = sysconf(_SC_PAGESIZE);
  sc.page_size = page > 0 ? (uint64_t)page : 4096;

  struct sampler s;
  struct view old;
  if (sampler_init(&s, &sc) != 0) {
    fprintf(stderr, "model-sample: out of memory\n");
    return 1;
  }
  view_init(&old, &s.view.config);

  struct sigaction sa = {.sa_handler = stop};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  double start = monotonic();
  unsigned long samples = 0, typed = 0;
  for (double next = start; !stopping && next < start + seconds;
       next += interval) {
    double now = monotonic();
    if (next < now - interval)
      next = now; /* fell behind (emulation): no burst to catch up */
    if (next > now) {
      double wait = next - now;
      struct timespec ts = {(time_t)wait,
                            (long)((wait - (double)(time_t)wait) * 1e9)};
      nanosleep(&ts, NULL);
    }
    double t = monotonic();
    sampler_read(&s, t);
    /* The old model: the same sample, its pagetypeinfo unread. */
    struct sample without = s.sample;
    without.ok &= ~(1u << SOURCE_PAGETYPEINFO);
    view_update(&old, &without);
    print_sample(t, &s.view, &old);
    samples++;
    typed += s.view.types_known;
  }
  fflush(stdout);
  fprintf(stderr,
          "model-sample: %lu samples, %lu with the migrate types; "
          "errors zoneinfo %d buddyinfo %d pagetypeinfo %d\n",
          samples, typed, s.sample.err[SOURCE_ZONEINFO],
          s.sample.err[SOURCE_BUDDYINFO], s.sample.err[SOURCE_PAGETYPEINFO]);
  view_destroy(&old);
  sampler_destroy(&s);
  return 0;
}
