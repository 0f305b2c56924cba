/* Series: the named values lowmem dispatches, and their windows.
 *
 * A series is one collectd identifier (plugin instance, type, type
 * instance) and how a window of samples reduces to the one value that is
 * dispatched: the smallest (free memory, headroom), the largest (slab,
 * dirty memory) or the last (counters, sizes that do not move). Samples
 * come at SampleInterval; one value per series leaves per dispatch
 * interval, so a dip shorter than the RRD step still reaches the RRD.
 *
 * A series may hold two values (ps_count: processes and threads), each
 * reduced the same way; and may be dispatched once every `every` windows
 * (a value read every 10 s), with the worst of all its samples since.
 *
 * Series are found by name only when a source's layout changes; each
 * sample updates them by id. */
#ifndef LOWMEM_SERIES_H
#define LOWMEM_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* collectd's DATA_MAX_NAME_LEN. */
#define SERIES_NAME_LEN 128

enum series_worst {
  SERIES_MIN,  /* lowest value in the window: free memory, headroom */
  SERIES_MAX,  /* highest: slab, dirty, stall */
  SERIES_LAST, /* latest: counters, totals */
  SERIES_SHARE, /* percent of the window's time: 100 x sum(part)/sum(whole) */
};

enum series_ds { SERIES_GAUGE, SERIES_DERIVE };

struct series {
  char plugin_instance[SERIES_NAME_LEN];
  char type[SERIES_NAME_LEN];
  char type_instance[SERIES_NAME_LEN];
  enum series_worst worst;
  enum series_ds ds;
  /* Window state. */
  unsigned n; /* samples in this window; 0: not dispatched */
  double gauge;
  double gauge2;   /* the second value of a two-value series */
  unsigned values; /* 1, or 2 (series_gauge2) */
  unsigned every;  /* windows per dispatch, 1 or more */
  int64_t derive;
  double part, whole; /* SERIES_SHARE sums */
  /* Dispatch policy: a ranked series (a slab cache) is dispatched only
   * when chosen for this window. */
  bool chosen;
  int tag; /* its owner's index for it (a slab pool's slot), -1: none */
};

/* "lowmem-<plugin instance>/<type>-<type instance>", as collectd-lowmem(5) and
 * collectd write identifiers. */
#define SERIES_ID_LEN (3 * SERIES_NAME_LEN + 16)

/* What series_add refused, for the log: such series are never dispatched. */
struct series_refused {
  unsigned limit;  /* past the set's limit */
  unsigned name;   /* a name longer than collectd holds */
  unsigned memory; /* out of memory */
  char first[SERIES_ID_LEN], last[SERIES_ID_LEN];
};

struct series_set {
  struct series *v;
  size_t nr, cap;
  int *index; /* open addressing over ids, -1 empty; index_cap slots */
  size_t index_cap;
  size_t limit; /* most series the set will hold */
  struct series_refused refused;
};

/* limit: the most series the set holds; series_add fails beyond it. */
void series_init(struct series_set *set, size_t limit);
void series_free(struct series_set *set);

/* The id of the series with this identifier, adding it if new (with worst
 * and ds; an existing series keeps its own). Returns the id, -ENOMEM, or
 * -ENOSPC past the limit. */
int series_add(struct series_set *set, const char *plugin_instance,
               const char *type, const char *type_instance,
               enum series_worst worst, enum series_ds ds);

/* Gives series id a new identifier (none may hold it already) and an
 * empty window, for a pool of series that follows a ranking. Returns 0,
 * -EEXIST, -ENAMETOOLONG or -ENOMEM (the series is then unchanged). */
int series_rename(struct series_set *set, int id, const char *plugin_instance,
                  const char *type, const char *type_instance);

/* Refusals of series_add so far (each call refused counts, so a series
 * asked for again after a layout change counts again). */
unsigned series_refused_count(const struct series_set *set);

/* identifier of the series, as collectd writes it (truncated to cap). */
void series_identifier(char *buf, size_t cap, const char *plugin_instance,
                       const char *type, const char *type_instance);

/* -1 when there is none. */
int series_find(const struct series_set *set, const char *plugin_instance,
                const char *type, const char *type_instance);

/* Add one sample to the window. Ids < 0 are ignored, so a caller may pass
 * the id of a series it could not add. */
void series_gauge(struct series_set *set, int id, double value);
/* A sample of a two-value series (both reduced as its worst says). */
void series_gauge2(struct series_set *set, int id, double value,
                   double value2);
void series_derive(struct series_set *set, int id, int64_t value);
/* For SERIES_SHARE: part of whole (e.g. CPU seconds of elapsed seconds)
 * since the last sample; the window's value is 100 x sum(part) /
 * sum(whole), so samples of any length weigh by their length. */
void series_share(struct series_set *set, int id, double part, double whole);

/* Dispatches series id once every `every` windows (at least 1), stamped
 * at the end of window w when (w + 1) is a multiple of it. */
void series_every(struct series_set *set, int id, unsigned every);

/* The series leaves at the end of window w. */
static inline bool series_due(const struct series *s, uint64_t w) {
  return s->every <= 1 || (w + 1) % s->every == 0;
}

/* Start a new window: every series (series_reset), or those that left at
 * the end of window w (series_reset_due). */
void series_reset(struct series_set *set);
void series_reset_due(struct series_set *set, uint64_t w);

#endif
