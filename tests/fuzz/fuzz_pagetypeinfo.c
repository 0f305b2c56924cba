/* /proc/pagetypeinfo (src/sources/pagetypeinfo.c): as zoneinfo and
 * buddyinfo, a parse must not depend on what the reused storage held, and
 * a change of zones, types or orders must bump the generation. Types are
 * taken by name from the data: indexes stay within the table. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "sources/pagetypeinfo.h"

static bool same_zone(const struct pagetypeinfo *pt,
                      const struct pagetype_zone *a,
                      const struct pagetype_zone *b) {
  if (a->node != b->node || strcmp(a->name, b->name) != 0 ||
      a->has_type != b->has_type || a->has_blocks != b->has_blocks)
    return false;
  for (size_t t = 0; t < pt->nr_types; t++) {
    if (a->capped[t] != b->capped[t] ||
        (a->has_blocks && a->nr_blocks[t] != b->nr_blocks[t]))
      return false;
    if ((a->has_type >> t & 1u) &&
        memcmp(a->nr_free[t], b->nr_free[t],
               pt->nr_orders * sizeof(a->nr_free[t][0])) != 0)
      return false;
  }
  return true;
}

/* What the generation stands for: zones, types and orders. */
static bool same_shape(const struct pagetypeinfo *a,
                       const struct pagetypeinfo *b) {
  if (a->nr != b->nr || a->nr_types != b->nr_types ||
      a->nr_orders != b->nr_orders)
    return false;
  for (size_t t = 0; t < a->nr_types; t++)
    if (strcmp(a->type_name[t], b->type_name[t]) != 0)
      return false;
  for (size_t i = 0; i < a->nr; i++)
    if (a->zones[i].node != b->zones[i].node ||
        strcmp(a->zones[i].name, b->zones[i].name) != 0)
      return false;
  return true;
}

static void check(const struct pagetypeinfo *pt) {
  FUZZ_CHECK(pt->nr <= pt->cap || pt->nr == 0);
  FUZZ_CHECK(pt->nr_types <= PAGETYPEINFO_MAX_TYPES);
  FUZZ_CHECK(pt->nr_orders <= BUDDYINFO_MAX_ORDERS);
  for (size_t t = 0; t < pt->nr_types; t++) {
    FUZZ_CHECK(fuzz_terminated(pt->type_name[t], PAGETYPEINFO_TYPE_LEN));
    FUZZ_CHECK(pt->type_kind[t] >= PAGETYPE_UNMOVABLE &&
               pt->type_kind[t] <= PAGETYPE_OTHER);
  }
  for (int k = PAGETYPE_UNMOVABLE; k <= PAGETYPE_OTHER; k++) {
    int t = pagetypeinfo_type(pt, (enum pagetype_kind)k);
    FUZZ_CHECK(t >= -1 && t < (int)pt->nr_types);
    FUZZ_CHECK(t < 0 || pt->type_kind[t] == (enum pagetype_kind)k);
  }
  for (size_t i = 0; i < pt->nr; i++) {
    const struct pagetype_zone *z = &pt->zones[i];
    FUZZ_CHECK(fuzz_terminated(z->name, sizeof(z->name)));
    FUZZ_CHECK(pt->nr_types >= 32 || (z->has_type >> pt->nr_types) == 0);
    FUZZ_CHECK(pagetypeinfo_find(pt, z->node, z->name) != NULL);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct pagetypeinfo fresh, reused;

  memset(&fresh, 0, sizeof(fresh));
  memset(&reused, 0, sizeof(reused));
  int rc = pagetypeinfo_parse(&fresh, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
  check(&fresh);

  pagetypeinfo_parse(&reused, buf, size / 2);
  struct pagetypeinfo half = reused;
  half.zones = malloc((reused.nr ? reused.nr : 1) * sizeof(*half.zones));
  FUZZ_CHECK(half.zones != NULL);
  if (reused.nr)
    memcpy(half.zones, reused.zones, reused.nr * sizeof(*half.zones));
  unsigned gen = reused.generation;

  FUZZ_CHECK(pagetypeinfo_parse(&reused, buf, size) == rc);
  check(&reused);
  FUZZ_CHECK(reused.nr == fresh.nr && reused.malformed == fresh.malformed);
  FUZZ_CHECK(same_shape(&reused, &fresh));
  FUZZ_CHECK(reused.has_pageblock == fresh.has_pageblock);
  if (fresh.has_pageblock)
    FUZZ_CHECK(reused.pageblock_order == fresh.pageblock_order &&
               reused.pages_per_block == fresh.pages_per_block);
  for (size_t i = 0; i < fresh.nr; i++)
    FUZZ_CHECK(same_zone(&fresh, &reused.zones[i], &fresh.zones[i]));
  if (!same_shape(&half, &reused))
    FUZZ_CHECK(reused.generation != gen);

  free(half.zones);
  pagetypeinfo_free(&fresh);
  pagetypeinfo_free(&reused);
  return 0;
}
