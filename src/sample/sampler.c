#include "sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct source_info source_info[SOURCE_NR] = {
#define SOURCE_ROW(ID, name, key, file, max, interval, denied, missing)       \
  [SOURCE_##ID] = {key, file, max, interval, denied, missing},
    LOWMEM_SOURCES(SOURCE_ROW)
#undef SOURCE_ROW
};

int source_by_key(const char *key) {
  for (int i = 0; i < SOURCE_NR; i++)
    if (strcasecmp(key, source_info[i].key) == 0)
      return i;
  return -1;
}

int sampler_init(struct sampler *s, const struct sampler_config *config) {
  memset(s, 0, sizeof(*s));
  for (int i = 0; i < SOURCE_NR; i++) {
    s->files[i].fd = -1;
    s->last_read[i] = -1;
  }
  s->config = *config;
  s->config.proc_path = strdup(config->proc_path);
  if (s->config.proc_path == NULL)
    return -ENOMEM;
  for (int i = 0; i < SOURCE_NR; i++) {
    if (procfile_init(&s->files[i], s->config.proc_path,
                      source_info[i].file) != 0)
      return -ENOMEM;
    procfile_limit(&s->files[i], source_info[i].max_bytes);
  }

  /* The kernel decides the watermark algorithm. Read once: it does not
   * change while the machine runs. */
  s->kernel_err = osrelease_read(s->config.proc_path, &s->kernel, s->release,
                                 sizeof(s->release));
  s->kernel_known = s->kernel_err == 0;
  s->check = config->check;
  if (s->check == WATERMARK_CHECK_AUTO)
    /* Without a version, assume a current kernel. */
    s->check = s->kernel_known ? watermark_check_for(&s->kernel)
                               : WATERMARK_CHECK_FREE_BLOCK;
  struct view_config vc = {
      .check = s->check,
      .kernel = s->kernel,
      .kernel_known = s->kernel_known,
      .nr_orders = s->config.nr_orders,
      .page_size = s->config.page_size,
  };
  memcpy(vc.orders, s->config.orders, sizeof(vc.orders));
  view_init(&s->view, &vc);
  return 0;
}

int sampler_parse(struct sample *sm, enum source src, const char *buf,
                  size_t len) {
  switch (src) {
#define SOURCE_PARSE(ID, name, key, file, max, interval, denied, missing)     \
  case SOURCE_##ID:                                                            \
    return name##_parse(&sm->name, buf, len);
    LOWMEM_SOURCES(SOURCE_PARSE)
#undef SOURCE_PARSE
  case SOURCE_NR:
    break;
  }
  return -EINVAL;
}

unsigned sample_malformed(const struct sample *sm, enum source src) {
  switch (src) {
#define SOURCE_MALFORMED(ID, name, key, file, max, interval, denied, missing) \
  case SOURCE_##ID:                                                            \
    return sm->name.malformed;
    LOWMEM_SOURCES(SOURCE_MALFORMED)
#undef SOURCE_MALFORMED
  case SOURCE_NR:
    break;
  }
  return 0;
}

/* When a source read at an interval of its own is read sooner: the free
 * blocks per migrate type while a zone is near its watermarks (reading
 * them walks the free lists under the zone's lock, costly while they are
 * long, cheap when the zone is short of memory, and that is when they
 * matter). */
static double next_interval(const struct sampler *s, enum source src) {
  double interval = s->config.interval[src];

  if (src == SOURCE_PAGETYPEINFO && interval > 1 && view_near_wall(&s->view))
    return 1;
  return interval;
}

/* The least move of the slab totals that brings slabinfo forward: a
 * share of them, and at least 1 MiB, so that a small slab's noise does
 * not make every sample a read. */
#define SLAB_CHANGE_FLOOR ((uint64_t)1 << 20)

static uint64_t distance(uint64_t a, uint64_t b) {
  return a > b ? a - b : b - a;
}

/* True when meminfo (of the last tick: it is read after slabinfo) shows
 * the slab caches grown or shrunk by more than slab_change percent since
 * slabinfo was read: a dentry storm is then followed at the sample rate,
 * not at SlabinfoInterval. */
static bool slab_moved(const struct sampler *s) {
  const struct meminfo *mi = &s->sample.meminfo;

  if (s->config.slab_change <= 0 || !s->slab_seen_ok ||
      !(s->sample.ok & (1u << SOURCE_MEMINFO)) ||
      !meminfo_has(mi, MEMINFO_SRECLAIMABLE) ||
      !meminfo_has(mi, MEMINFO_SUNRECLAIM))
    return false;
  uint64_t moved = distance(mi->value[MEMINFO_SRECLAIMABLE], s->slab_seen[0]) +
                   distance(mi->value[MEMINFO_SUNRECLAIM], s->slab_seen[1]);
  double bound =
      (double)(s->slab_seen[0] + s->slab_seen[1]) * s->config.slab_change / 100;
  return moved > SLAB_CHANGE_FLOOR && (double)moved > bound;
}

/* Due at this tick: never read, read at every sample, or its interval
 * (as the view of the last tick has it) has passed. */
static bool due(const struct sampler *s, enum source src, double now) {
  double interval = next_interval(s, src);
  return s->last_read[src] < 0 || interval <= 0 ||
         now >= s->last_read[src] + interval ||
         (src == SOURCE_SLABINFO && slab_moved(s));
}

/* The slab totals slabinfo's reading goes with: meminfo's of the same
 * tick, read just after it. */
static void slab_seen(struct sampler *s) {
  const struct meminfo *mi = &s->sample.meminfo;

  s->slab_seen_ok = (s->sample.ok & (1u << SOURCE_MEMINFO)) &&
                    meminfo_has(mi, MEMINFO_SRECLAIMABLE) &&
                    meminfo_has(mi, MEMINFO_SUNRECLAIM);
  if (s->slab_seen_ok) {
    s->slab_seen[0] = mi->value[MEMINFO_SRECLAIMABLE];
    s->slab_seen[1] = mi->value[MEMINFO_SUNRECLAIM];
  }
}

void sampler_read(struct sampler *s, double now) {
  struct sample *sm = &s->sample;

  sm->fresh = 0;
  for (int i = 0; i < SOURCE_NR; i++) {
    if (!(s->config.sources & (1u << i))) {
      sm->ok &= ~(1u << i);
      continue;
    }
    if (!due(s, (enum source)i, now))
      continue;
    struct procfile *pf = &s->files[i];
    int err = procfile_read(pf);
    if (err == 0)
      err = sampler_parse(sm, (enum source)i, pf->buf, pf->len);
    sm->err[i] = err;
    s->last_read[i] = now;
    if (err == 0)
      sm->ok |= 1u << i, sm->fresh |= 1u << i;
    else
      sm->ok &= ~(1u << i);
  }
  if (sm->fresh & (1u << SOURCE_SLABINFO))
    slab_seen(s);
  view_update(&s->view, sm);
}

void sample_free(struct sample *sm) {
#define SOURCE_FREE(ID, name, key, file, max, interval, denied, missing)      \
  name##_free(&sm->name);
  LOWMEM_SOURCES(SOURCE_FREE)
#undef SOURCE_FREE
}

void sampler_destroy(struct sampler *s) {
  for (int i = 0; i < SOURCE_NR; i++)
    procfile_destroy(&s->files[i]);
  sample_free(&s->sample);
  view_destroy(&s->view);
  free((char *)s->config.proc_path);
  memset(s, 0, sizeof(*s));
}
