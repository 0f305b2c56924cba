#include "series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void series_init(struct series_set *set, size_t limit) {
  memset(set, 0, sizeof(*set));
  set->limit = limit;
}

void series_free(struct series_set *set) {
  free(set->v);
  free(set->index);
  memset(set, 0, sizeof(*set));
}

/* FNV-1a over the three names, with a separator so "a"+"bc" != "ab"+"c". */
static uint32_t series_hash(const char *pi, const char *type, const char *ti) {
  const char *parts[3] = {pi, type, ti};
  uint32_t h = 2166136261u;

  for (int i = 0; i < 3; i++) {
    for (const char *c = parts[i]; *c; c++)
      h = (h ^ (unsigned char)*c) * 16777619u;
    h = (h ^ 0xff) * 16777619u;
  }
  return h;
}

static bool series_is(const struct series *s, const char *pi, const char *type,
                      const char *ti) {
  return strcmp(s->type_instance, ti) == 0 && strcmp(s->type, type) == 0 &&
         strcmp(s->plugin_instance, pi) == 0;
}

/* The slot holding the series, or the empty slot where it would go. */
static size_t series_slot(const struct series_set *set, const char *pi,
                          const char *type, const char *ti) {
  size_t mask = set->index_cap - 1;
  size_t i = series_hash(pi, type, ti) & mask;

  while (set->index[i] >= 0 && !series_is(&set->v[set->index[i]], pi, type, ti))
    i = (i + 1) & mask;
  return i;
}

int series_find(const struct series_set *set, const char *pi, const char *type,
                const char *ti) {
  if (set->index_cap == 0)
    return -1;
  return set->index[series_slot(set, pi, type, ti)];
}

/* Keep the index at most half full; grow doubles it, or rebuilds it at
 * the same size (after a rename). */
static int series_build_index(struct series_set *set, bool grow) {
  size_t cap = set->index_cap == 0 ? 256
               : grow              ? set->index_cap * 2
                                   : set->index_cap;
  int *index = malloc(cap * sizeof(*index));

  if (index == NULL)
    return -ENOMEM;
  free(set->index);
  set->index = index;
  set->index_cap = cap;
  for (size_t i = 0; i < cap; i++)
    index[i] = -1;
  for (size_t id = 0; id < set->nr; id++) {
    const struct series *s = &set->v[id];
    index[series_slot(set, s->plugin_instance, s->type, s->type_instance)] =
        (int)id;
  }
  return 0;
}

/* src fits: series_add checked its length. */
static void copy_name(char *dst, const char *src) {
  memcpy(dst, src, strlen(src) + 1);
}

static bool name_fits(const char *pi, const char *type, const char *ti) {
  return strlen(pi) < SERIES_NAME_LEN && strlen(type) < SERIES_NAME_LEN &&
         strlen(ti) < SERIES_NAME_LEN;
}

void series_identifier(char *buf, size_t cap, const char *pi, const char *type,
                       const char *ti) {
  snprintf(buf, cap, "lowmem%s%s/%s%s%s", *pi ? "-" : "", pi, type,
           *ti ? "-" : "", ti);
}

unsigned series_refused_count(const struct series_set *set) {
  return set->refused.limit + set->refused.name + set->refused.memory;
}

/* Keeps what was refused, for the log; returns err. */
static int series_refuse(struct series_set *set, const char *pi,
                         const char *type, const char *ti, int err) {
  struct series_refused *r = &set->refused;

  if (series_refused_count(set) == 0)
    series_identifier(r->first, sizeof(r->first), pi, type, ti);
  series_identifier(r->last, sizeof(r->last), pi, type, ti);
  if (err == -ENOSPC)
    r->limit++;
  else if (err == -ENAMETOOLONG)
    r->name++;
  else
    r->memory++;
  return err;
}

int series_add(struct series_set *set, const char *pi, const char *type,
               const char *ti, enum series_worst worst, enum series_ds ds) {
  int id = series_find(set, pi, type, ti);
  if (id >= 0)
    return id;
  if (set->nr >= set->limit)
    return series_refuse(set, pi, type, ti, -ENOSPC);
  if (!name_fits(pi, type, ti))
    return series_refuse(set, pi, type, ti, -ENAMETOOLONG);
  if ((set->nr + 1) * 2 > set->index_cap && series_build_index(set, true) != 0)
    return series_refuse(set, pi, type, ti, -ENOMEM);
  if (set->nr == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 64;
    struct series *v = realloc(set->v, cap * sizeof(*v));
    if (v == NULL)
      return series_refuse(set, pi, type, ti, -ENOMEM);
    set->v = v;
    set->cap = cap;
  }

  struct series *s = &set->v[set->nr];
  memset(s, 0, sizeof(*s));
  copy_name(s->plugin_instance, pi);
  copy_name(s->type, type);
  copy_name(s->type_instance, ti);
  s->worst = worst;
  s->ds = ds;
  s->tag = -1;
  s->chosen = true;
  s->values = 1;
  s->every = 1;
  set->index[series_slot(set, pi, type, ti)] = (int)set->nr;
  return (int)set->nr++;
}

/* Rare (a ranking changed): the index is rebuilt rather than taught to
 * delete, at the cost of one pass over a set of a few hundred series. */
int series_rename(struct series_set *set, int id, const char *pi,
                  const char *type, const char *ti) {
  if (!name_fits(pi, type, ti))
    return -ENAMETOOLONG;
  if (series_find(set, pi, type, ti) >= 0)
    return -EEXIST;
  struct series *s = &set->v[id];
  struct series old = *s;
  copy_name(s->plugin_instance, pi);
  copy_name(s->type, type);
  copy_name(s->type_instance, ti);
  if (series_build_index(set, false) != 0) {
    *s = old;
    return -ENOMEM;
  }
  s->n = 0;
  s->part = 0;
  s->whole = 0;
  return 0;
}

void series_gauge(struct series_set *set, int id, double value) {
  if (id < 0)
    return;
  struct series *s = &set->v[id];
  if (s->n == 0 || (s->worst == SERIES_MIN && value < s->gauge) ||
      (s->worst == SERIES_MAX && value > s->gauge) || s->worst == SERIES_LAST)
    s->gauge = value;
  s->n++;
}

void series_gauge2(struct series_set *set, int id, double value,
                   double value2) {
  if (id < 0)
    return;
  struct series *s = &set->v[id];
  if (s->n == 0 || (s->worst == SERIES_MIN && value2 < s->gauge2) ||
      (s->worst == SERIES_MAX && value2 > s->gauge2) ||
      s->worst == SERIES_LAST)
    s->gauge2 = value2;
  s->values = 2;
  series_gauge(set, id, value);
}

void series_every(struct series_set *set, int id, unsigned every) {
  if (id >= 0)
    set->v[id].every = every > 0 ? every : 1;
}

void series_derive(struct series_set *set, int id, int64_t value) {
  if (id < 0)
    return;
  set->v[id].derive = value;
  set->v[id].n++;
}

void series_share(struct series_set *set, int id, double part, double whole) {
  if (id < 0)
    return;
  struct series *s = &set->v[id];
  s->part += part;
  s->whole += whole;
  s->gauge = s->whole > 0 ? 100.0 * s->part / s->whole : 0;
  s->n++;
}

static void series_restart(struct series *s) {
  s->n = 0;
  s->part = 0;
  s->whole = 0;
}

void series_reset(struct series_set *set) {
  for (size_t i = 0; i < set->nr; i++)
    series_restart(&set->v[i]);
}

void series_reset_due(struct series_set *set, uint64_t w) {
  for (size_t i = 0; i < set->nr; i++)
    if (series_due(&set->v[i], w))
      series_restart(&set->v[i]);
}
