#include "sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const source_file[SOURCE_NR] = {
    [SOURCE_ZONEINFO] = "zoneinfo", [SOURCE_BUDDYINFO] = "buddyinfo",
    [SOURCE_SLABINFO] = "slabinfo", [SOURCE_MEMINFO] = "meminfo",
    [SOURCE_VMSTAT] = "vmstat",     [SOURCE_PRESSURE] = "pressure/memory",
};

const char *const source_name[SOURCE_NR] = {
    [SOURCE_ZONEINFO] = "Zoneinfo", [SOURCE_BUDDYINFO] = "Buddyinfo",
    [SOURCE_SLABINFO] = "Slabinfo", [SOURCE_MEMINFO] = "Meminfo",
    [SOURCE_VMSTAT] = "Vmstat",     [SOURCE_PRESSURE] = "Pressure",
};

/* What each file holds at most, from what the kernel prints:
 * - zoneinfo: about 2 KB per zone and 180 bytes per online CPU per
 *   populated zone (its per-CPU page lists): 5 KB on a 2-CPU machine,
 *   10 MB on a 32-node machine with 1,792 CPUs, 47 MB with 4,096 CPUs on
 *   64 nodes. It is the one file that grows with the machine: 64 MiB.
 * - buddyinfo: a line of about 120 bytes per zone; 1,024 nodes of 6 zones
 *   are 740 KB: 1 MiB.
 * - slabinfo: a line of about 200 bytes per cache. 10,000 caches fill the
 *   20,000 series lowmem holds; 80,000 fit in 16 MiB.
 * - meminfo (50 lines), vmstat (200), pressure/memory (2): a few KB, with
 *   room for kernels to come: 64 KiB, 256 KiB, 4 KiB. */
const size_t source_max_bytes[SOURCE_NR] = {
    [SOURCE_ZONEINFO] = (size_t)64 << 20, [SOURCE_BUDDYINFO] = (size_t)1 << 20,
    [SOURCE_SLABINFO] = (size_t)16 << 20, [SOURCE_MEMINFO] = (size_t)64 << 10,
    [SOURCE_VMSTAT] = (size_t)256 << 10,  [SOURCE_PRESSURE] = (size_t)4 << 10,
};

/* The kernel version decides the watermark algorithm. Read once: it does
 * not change while the machine runs. */
static void sampler_read_kernel(struct sampler *s) {
  s->kernel_err = osrelease_read(s->config.proc_path, &s->kernel, NULL, 0);
  s->kernel_known = s->kernel_err == 0;
}

int sampler_init(struct sampler *s, const struct sampler_config *config) {
  memset(s, 0, sizeof(*s));
  for (int i = 0; i < SOURCE_NR; i++)
    s->files[i].fd = -1;
  s->config = *config;
  s->config.proc_path = strdup(config->proc_path);
  if (s->config.proc_path == NULL)
    return -ENOMEM;
  for (int i = 0; i < SOURCE_NR; i++) {
    if (procfile_init(&s->files[i], s->config.proc_path, source_file[i]) != 0)
      return -ENOMEM;
    procfile_limit(&s->files[i], source_max_bytes[i]);
  }

  sampler_read_kernel(s);
  s->check = config->check;
  if (s->check == WATERMARK_CHECK_AUTO)
    /* Without a version, assume a current kernel. */
    s->check = s->kernel_known ? watermark_check_for(&s->kernel)
                               : WATERMARK_CHECK_FREE_BLOCK;
  return 0;
}

int sampler_parse(struct sample *sm, enum source src, const char *buf,
                  size_t len) {
  switch (src) {
  case SOURCE_ZONEINFO:
    return zoneinfo_parse(&sm->zoneinfo, buf, len);
  case SOURCE_BUDDYINFO:
    return buddyinfo_parse(&sm->buddyinfo, buf, len);
  case SOURCE_SLABINFO:
    return slabinfo_parse(&sm->slabinfo, buf, len);
  case SOURCE_MEMINFO:
    return meminfo_parse(&sm->meminfo, buf, len);
  case SOURCE_VMSTAT:
    return vmstat_parse(&sm->vmstat, buf, len);
  case SOURCE_PRESSURE:
    return pressure_parse(&sm->pressure, buf, len);
  case SOURCE_NR:
    break;
  }
  return -EINVAL;
}

/* Headroom of every zone that both zoneinfo and buddyinfo printed. */
static void sampler_headroom(struct sampler *s) {
  struct sample *sm = &s->sample;
  const struct zoneinfo *zi = &sm->zoneinfo;

  if (zi->nr > sm->headroom_cap) {
    struct zone_headroom *h = realloc(sm->headroom, zi->nr * sizeof(*h));
    if (h == NULL) {
      sm->headroom_cap = 0;
      free(sm->headroom);
      sm->headroom = NULL;
      return;
    }
    sm->headroom = h;
    sm->headroom_cap = zi->nr;
  }
  bool have_buddy = sm->ok & (1u << SOURCE_BUDDYINFO);
  for (size_t z = 0; z < zi->nr; z++) {
    const struct zone_info *zone = &zi->zones[z];
    struct zone_headroom *h = &sm->headroom[z];
    const struct buddy_zone *bz =
        have_buddy ? buddyinfo_find(&sm->buddyinfo, zone->node, zone->name)
                   : NULL;

    h->valid = bz != NULL && headroom_reserve(zi, zone, &h->reserve) == 0;
    if (!h->valid)
      continue;
    uint64_t cma = zone->has & ZONE_HAS_NR_FREE_CMA ? zone->nr_free_cma : 0;
    for (size_t o = 0; o < s->config.nr_orders; o++)
      h->pages[o] =
          headroom_pages(s->check, zone->free, cma, zone->min, h->reserve,
                         bz->nr_free, bz->nr_orders, s->config.orders[o]);
  }
}

void sampler_read(struct sampler *s) {
  struct sample *sm = &s->sample;

  sm->ok = 0;
  for (int i = 0; i < SOURCE_NR; i++) {
    sm->err[i] = 0;
    if (!(s->config.sources & (1u << i)))
      continue;
    struct procfile *pf = &s->files[i];
    int err = procfile_read(pf);
    if (err == 0)
      err = sampler_parse(sm, (enum source)i, pf->buf, pf->len);
    sm->err[i] = err;
    if (err == 0)
      sm->ok |= 1u << i;
  }
  if (sm->ok & (1u << SOURCE_ZONEINFO))
    sampler_headroom(s);
}

void sampler_destroy(struct sampler *s) {
  for (int i = 0; i < SOURCE_NR; i++)
    procfile_destroy(&s->files[i]);
  zoneinfo_free(&s->sample.zoneinfo);
  buddyinfo_free(&s->sample.buddyinfo);
  slabinfo_free(&s->sample.slabinfo);
  vmstat_free(&s->sample.vmstat);
  free(s->sample.headroom);
  free((char *)s->config.proc_path);
  memset(s, 0, sizeof(*s));
}
