/* /proc/slabinfo (src/sources/slabinfo.c): a parse must not depend on
 * what the storage held (names are compared in place to tell a change of
 * the list), and a change of the list of caches must bump the generation. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "sources/slabinfo.h"

static bool same_cache(const struct slab_cache *a, const struct slab_cache *b) {
  return strcmp(a->name, b->name) == 0 && a->active_objs == b->active_objs &&
         a->num_objs == b->num_objs && a->objsize == b->objsize &&
         a->objperslab == b->objperslab &&
         a->pagesperslab == b->pagesperslab &&
         a->active_slabs == b->active_slabs && a->num_slabs == b->num_slabs;
}

static bool same_names(const struct slabinfo *a, const struct slabinfo *b) {
  if (a->nr != b->nr)
    return false;
  for (size_t i = 0; i < a->nr; i++)
    if (strcmp(a->caches[i].name, b->caches[i].name) != 0)
      return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  struct slabinfo fresh = {0}, reused = {0};

  int rc = slabinfo_parse(&fresh, buf, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
  FUZZ_CHECK(fresh.nr <= fresh.cap || fresh.nr == 0);
  for (size_t i = 0; i < fresh.nr; i++) {
    const struct slab_cache *c = &fresh.caches[i];
    FUZZ_CHECK(fuzz_terminated(c->name, sizeof(c->name)));
    FUZZ_CHECK(c->name[0] != '\0');
    (void)slab_cache_bytes(c, 4096);
    (void)slab_cache_bytes(c, UINT64_MAX);
  }

  slabinfo_parse(&reused, buf, size / 2);
  struct slabinfo half = reused;
  half.caches = malloc((reused.nr ? reused.nr : 1) * sizeof(*half.caches));
  FUZZ_CHECK(half.caches != NULL);
  if (reused.nr)
    memcpy(half.caches, reused.caches, reused.nr * sizeof(*half.caches));
  unsigned gen = reused.generation;

  FUZZ_CHECK(slabinfo_parse(&reused, buf, size) == rc);
  FUZZ_CHECK(reused.nr == fresh.nr && reused.malformed == fresh.malformed);
  /* The version is the header's; without one it is not read at all. */
  FUZZ_CHECK(rc != 0 || (reused.version_major == fresh.version_major &&
                         reused.version_minor == fresh.version_minor));
  for (size_t i = 0; i < fresh.nr; i++)
    FUZZ_CHECK(same_cache(&reused.caches[i], &fresh.caches[i]));
  if (!same_names(&half, &reused))
    FUZZ_CHECK(reused.generation != gen);

  free(half.caches);
  slabinfo_free(&fresh);
  slabinfo_free(&reused);
  return 0;
}
