/* /proc/zoneinfo (src/sources/zoneinfo.c).
 *
 * Besides not crashing: what a parse gives must not depend on what the
 * storage held before (the sampler reuses it every tick), and a change in
 * the list of zones must bump the generation, or the callers keep per-zone
 * state by stale indices. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "sources/zoneinfo.h"

static void check_zone(const struct zone_info *z) {
  FUZZ_CHECK(fuzz_terminated(z->name, sizeof(z->name)));
  FUZZ_CHECK(z->nr_protection <= ZONEINFO_MAX_ZONE_TYPES);
  FUZZ_CHECK(z->zone_idx >= -1 && z->zone_idx < ZONEINFO_MAX_ZONE_TYPES);
}

static bool same_zone(const struct zone_info *a, const struct zone_info *b) {
  if (a->node != b->node || strcmp(a->name, b->name) != 0 ||
      a->has != b->has || a->free != b->free || a->min != b->min ||
      a->low != b->low || a->high != b->high || a->spanned != b->spanned ||
      a->present != b->present || a->managed != b->managed ||
      a->nr_free_cma != b->nr_free_cma ||
      a->nr_slab_reclaimable != b->nr_slab_reclaimable ||
      a->nr_slab_unreclaimable != b->nr_slab_unreclaimable ||
      a->nr_protection != b->nr_protection || a->zone_idx != b->zone_idx)
    return false;
  return memcmp(a->protection, b->protection,
                a->nr_protection * sizeof(a->protection[0])) == 0;
}

static bool same_names(const struct zoneinfo *a, const struct zoneinfo *b) {
  if (a->nr != b->nr)
    return false;
  for (size_t i = 0; i < a->nr; i++)
    if (a->zones[i].node != b->zones[i].node ||
        strcmp(a->zones[i].name, b->zones[i].name) != 0)
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct zoneinfo fresh = {0}, reused = {0};

  int rc = zoneinfo_parse(&fresh, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
  FUZZ_CHECK(fresh.nr <= fresh.cap);
  FUZZ_CHECK(rc != 0 || fresh.nr > 0);
  for (size_t i = 0; i < fresh.nr; i++) {
    const struct zone_info *z = &fresh.zones[i];
    check_zone(z);
    FUZZ_CHECK(zoneinfo_find(&fresh, z->node, z->name) != NULL);
  }

  /* The first half of the input, then the whole of it, into one struct. */
  zoneinfo_parse(&reused, buf, size / 2);
  struct zoneinfo half = reused;
  half.zones = malloc((reused.nr ? reused.nr : 1) * sizeof(*half.zones));
  FUZZ_CHECK(half.zones != NULL);
  if (reused.nr)
    memcpy(half.zones, reused.zones, reused.nr * sizeof(*half.zones));
  unsigned gen = reused.generation;

  FUZZ_CHECK(zoneinfo_parse(&reused, buf, size) == rc);
  FUZZ_CHECK(reused.nr == fresh.nr && reused.malformed == fresh.malformed);
  for (size_t i = 0; i < fresh.nr; i++)
    FUZZ_CHECK(same_zone(&reused.zones[i], &fresh.zones[i]));
  if (!same_names(&half, &reused))
    FUZZ_CHECK(reused.generation != gen);

  /* The header reader alone, on the first line. */
  const char *p = buf;
  unsigned node;
  char name[ZONEINFO_NAME_LEN];
  if (zoneinfo_parse_zone_header(&p, buf + size, &node, name)) {
    FUZZ_CHECK(p >= buf && p <= buf + size);
    FUZZ_CHECK(fuzz_terminated(name, sizeof(name)));
  }

  free(half.zones);
  zoneinfo_free(&fresh);
  zoneinfo_free(&reused);
  return 0;
}
