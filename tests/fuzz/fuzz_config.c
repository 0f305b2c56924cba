/* The <Plugin lowmem> keys (lowmem_config_key, src/collectd/config.c and
 * option.c), on items built from the input as collectd's liboconfig would
 * hand them over; collectd itself is stubbed by tests/unit/
 * collectd_stub.c (its plugin_log keeps the lines). collectd's parser of
 * the configuration text is collectd's, not lowmem's: not fuzzed here.
 *
 * Input: one item a line, "Key value ...": "text" (to the next quote) is
 * a string, true/false/yes/no/on/off a boolean, what strtod reads whole a
 * number, anything else a string; "<Key value>" is a block (with one
 * child), which no key of lowmem takes.
 *
 * A key refused (-1) must say why in the log and leave the configuration
 * as it was; one taken must leave it within its documented bounds. */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/collectd_stub.h"
#include "collectd/config.h"
#include "fuzz.h"
#include "sources/order.h"

#define MAX_VALUES 32
#define MAX_TOKEN 512

/* What a refused key must not change. */
struct snapshot {
  char proc_path[PATH_MAX];
  double sample_interval;
  unsigned sources, slab_top_n;
  enum watermark_check check;
  unsigned orders[SAMPLER_MAX_ORDERS];
  size_t nr_orders, nr_slab_caches;
};

static void take(struct snapshot *s, const struct lowmem_config *c) {
  memset(s, 0, sizeof(*s));
  FUZZ_CHECK(c->proc_path != NULL && strlen(c->proc_path) < PATH_MAX);
  strcpy(s->proc_path, c->proc_path);
  s->sample_interval = c->sample_interval;
  s->sources = c->sampler.sources;
  s->slab_top_n = c->metrics.slab_top_n;
  s->check = c->sampler.check;
  memcpy(s->orders, c->sampler.orders, sizeof(s->orders));
  s->nr_orders = c->sampler.nr_orders;
  s->nr_slab_caches = c->metrics.nr_slab_caches;
}

static bool same(const struct snapshot *a, const struct snapshot *b) {
  return strcmp(a->proc_path, b->proc_path) == 0 &&
         a->sample_interval == b->sample_interval &&
         a->sources == b->sources && a->slab_top_n == b->slab_top_n &&
         a->check == b->check && a->nr_orders == b->nr_orders &&
         memcmp(a->orders, b->orders, sizeof(a->orders)) == 0 &&
         a->nr_slab_caches == b->nr_slab_caches;
}

static void check_bounds(const struct lowmem_config *c) {
  FUZZ_CHECK(c->sample_interval >= 0.01 && c->sample_interval <= 3600);
  FUZZ_CHECK(c->metrics.slab_top_n <= 1000);
  FUZZ_CHECK((c->sampler.sources >> SOURCE_NR) == 0);
  FUZZ_CHECK(c->sampler.nr_orders >= 1 &&
             c->sampler.nr_orders <= SAMPLER_MAX_ORDERS);
  for (size_t i = 0; i < c->sampler.nr_orders; i++) {
    FUZZ_CHECK(c->sampler.orders[i] <= PAGE_ORDER_MAX);
    for (size_t j = 0; j < i; j++)
      FUZZ_CHECK(c->sampler.orders[j] != c->sampler.orders[i]);
  }
  for (size_t i = 0; i < c->metrics.nr_slab_caches; i++) {
    const char *n = c->metrics.slab_caches[i];
    FUZZ_CHECK(n != NULL && n[0] != '\0' && strpbrk(n, " \t\n") == NULL);
  }
}

/* The next token of [*p, end) into tok; its kind in *quoted. */
static bool token(const char **p, const char *end, char *tok, bool *quoted) {
  const char *s = *p;
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  if (s == end)
    return false;
  const char *start, *stop;
  *quoted = *s == '"';
  if (*quoted) {
    start = s + 1;
    stop = memchr(start, '"', (size_t)(end - start));
    if (stop == NULL)
      stop = end;
    *p = stop < end ? stop + 1 : end;
  } else {
    start = s;
    stop = s;
    while (stop < end && *stop != ' ' && *stop != '\t')
      stop++;
    *p = stop;
  }
  size_t n = (size_t)(stop - start);
  if (n >= MAX_TOKEN)
    n = MAX_TOKEN - 1;
  memcpy(tok, start, n);
  tok[n] = '\0'; /* a NUL inside ends it, as a C string */
  return true;
}

static void value_of(oconfig_value_t *v, const char *tok, bool quoted) {
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  char *end;

  if (!quoted) {
    for (int i = 0; i < 3; i++)
      if (strcasecmp(tok, yes[i]) == 0 || strcasecmp(tok, no[i]) == 0) {
        v->type = OCONFIG_TYPE_BOOLEAN;
        v->value.boolean = strcasecmp(tok, yes[i]) == 0;
        return;
      }
    double d = strtod(tok, &end);
    if (end != tok && *end == '\0') {
      v->type = OCONFIG_TYPE_NUMBER;
      v->value.number = d;
      return;
    }
  }
  v->type = OCONFIG_TYPE_STRING;
  v->value.string = strdup(tok);
  FUZZ_CHECK(v->value.string != NULL);
}

/* One line as an item, given to lowmem_config_key. */
static void one_key(struct lowmem_config *c, const char *p, const char *end) {
  static char tok[MAX_TOKEN];
  oconfig_value_t values[MAX_VALUES];
  oconfig_item_t child = {.key = "Child"};
  oconfig_item_t it = {.values = values};
  bool quoted, block = false;

  if (p < end && *p == '<') {
    block = true;
    p++;
    if (end > p && end[-1] == '>')
      end--;
  }
  if (!token(&p, end, tok, &quoted))
    return;
  it.key = strdup(tok);
  FUZZ_CHECK(it.key != NULL);
  while (it.values_num < MAX_VALUES && token(&p, end, tok, &quoted))
    value_of(&values[it.values_num++], tok, quoted);
  if (block) {
    child.parent = &it;
    it.children = &child;
    it.children_num = 1;
  }

  struct snapshot before, after;
  take(&before, c);
  stub_log_clear();
  int rc = lowmem_config_key(c, &it);
  FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
  take(&after, c);
  if (rc != 0)
    FUZZ_CHECK(same(&before, &after)); /* refused, or not a key of ours */
  if (rc == -1)
    FUZZ_CHECK(stub_log_count() > 0); /* and said why */
  check_bounds(c);

  for (int i = 0; i < it.values_num; i++)
    if (values[i].type == OCONFIG_TYPE_STRING)
      free(values[i].value.string);
  free(it.key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  struct lowmem_config c;

  FUZZ_CHECK(lowmem_config_defaults(&c) == 0);
  check_bounds(&c);
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    one_key(&c, p, eol);
    p = nl ? nl + 1 : end;
  }
  lowmem_config_free(&c);
  return 0;
}
