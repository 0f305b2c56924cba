/* /proc/vmstat (src/sources/vmstat.c): a parse must not depend on what
 * the storage held, a change of the list of names must bump the
 * generation, and vmstat_find finds what was stored. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "sources/vmstat.h"

static bool same_names(const struct vmstat *a, const struct vmstat *b) {
  if (a->nr != b->nr)
    return false;
  for (size_t i = 0; i < a->nr; i++)
    if (strcmp(a->items[i].name, b->items[i].name) != 0)
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct vmstat fresh = {0}, reused = {0};

  int rc = vmstat_parse(&fresh, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
  FUZZ_CHECK(fresh.nr <= fresh.cap || fresh.nr == 0);
  for (size_t i = 0; i < fresh.nr; i++) {
    const struct vmstat_item *it = &fresh.items[i];
    FUZZ_CHECK(fuzz_terminated(it->name, sizeof(it->name)));
    FUZZ_CHECK(it->name[0] != '\0');
    /* The first counter of that name: a repeated name finds its first.
     * A few only: each find is a pass over the list. */
    if (i < 8 || i + 1 == fresh.nr) {
      long at = vmstat_find(&fresh, it->name);
      FUZZ_CHECK(at >= 0 && (size_t)at <= i);
      FUZZ_CHECK(strcmp(fresh.items[at].name, it->name) == 0);
    }
  }

  vmstat_parse(&reused, buf, size / 2);
  struct vmstat half = reused;
  half.items = malloc((reused.nr ? reused.nr : 1) * sizeof(*half.items));
  FUZZ_CHECK(half.items != NULL);
  if (reused.nr)
    memcpy(half.items, reused.items, reused.nr * sizeof(*half.items));
  unsigned gen = reused.generation;

  FUZZ_CHECK(vmstat_parse(&reused, buf, size) == rc);
  FUZZ_CHECK(reused.nr == fresh.nr && reused.malformed == fresh.malformed);
  for (size_t i = 0; i < fresh.nr; i++) {
    FUZZ_CHECK(strcmp(reused.items[i].name, fresh.items[i].name) == 0);
    FUZZ_CHECK(reused.items[i].value == fresh.items[i].value);
  }
  if (!same_names(&half, &reused))
    FUZZ_CHECK(reused.generation != gen);

  free(half.items);
  vmstat_free(&fresh);
  vmstat_free(&reused);
  return 0;
}
