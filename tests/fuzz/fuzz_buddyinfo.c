/* /proc/buddyinfo (src/sources/buddyinfo.c): as zoneinfo, a parse must
 * not depend on what the storage held, and a change of zones or order
 * counts must bump the generation. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "sources/buddyinfo.h"

static bool same_zone(const struct buddy_zone *a, const struct buddy_zone *b) {
  return a->node == b->node && strcmp(a->name, b->name) == 0 &&
         a->nr_orders == b->nr_orders &&
         memcmp(a->nr_free, b->nr_free,
                a->nr_orders * sizeof(a->nr_free[0])) == 0;
}

static bool same_shape(const struct buddyinfo *a, const struct buddyinfo *b) {
  if (a->nr != b->nr)
    return false;
  for (size_t i = 0; i < a->nr; i++)
    if (a->zones[i].node != b->zones[i].node ||
        a->zones[i].nr_orders != b->zones[i].nr_orders ||
        strcmp(a->zones[i].name, b->zones[i].name) != 0)
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct buddyinfo fresh = {0}, reused = {0};

  int rc = buddyinfo_parse(&fresh, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
  FUZZ_CHECK(fresh.nr <= fresh.cap);
  for (size_t i = 0; i < fresh.nr; i++) {
    const struct buddy_zone *z = &fresh.zones[i];
    FUZZ_CHECK(fuzz_terminated(z->name, sizeof(z->name)));
    FUZZ_CHECK(z->nr_orders <= BUDDYINFO_MAX_ORDERS);
    FUZZ_CHECK(buddyinfo_find(&fresh, z->node, z->name) != NULL);
  }

  buddyinfo_parse(&reused, buf, size / 2);
  struct buddyinfo half = reused;
  half.zones = malloc((reused.nr ? reused.nr : 1) * sizeof(*half.zones));
  FUZZ_CHECK(half.zones != NULL);
  if (reused.nr)
    memcpy(half.zones, reused.zones, reused.nr * sizeof(*half.zones));
  unsigned gen = reused.generation;

  FUZZ_CHECK(buddyinfo_parse(&reused, buf, size) == rc);
  FUZZ_CHECK(reused.nr == fresh.nr && reused.malformed == fresh.malformed);
  for (size_t i = 0; i < fresh.nr; i++)
    FUZZ_CHECK(same_zone(&reused.zones[i], &fresh.zones[i]));
  if (!same_shape(&half, &reused))
    FUZZ_CHECK(reused.generation != gen);

  free(half.zones);
  buddyinfo_free(&fresh);
  buddyinfo_free(&reused);
  return 0;
}
