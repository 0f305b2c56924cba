#include "bdistats.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

const char *const bdistats_kernel_name[BDISTATS_NR] = {
    [BDISTATS_WRITEBACK] = "BdiWriteback",
    [BDISTATS_RECLAIMABLE] = "BdiReclaimable",
    [BDISTATS_DIRTY_THRESH] = "BdiDirtyThresh",
    [BDISTATS_GLOBAL_THRESH] = "DirtyThresh",
    [BDISTATS_BACKGROUND_THRESH] = "BackgroundThresh",
};
_Static_assert(sizeof(bdistats_kernel_name) / sizeof(bdistats_kernel_name[0]) ==
                   BDISTATS_NR,
               "one kernel name per field");

static int field_of(const char *key, size_t len) {
  for (int f = 0; f < BDISTATS_NR; f++)
    if (strlen(bdistats_kernel_name[f]) == len &&
        memcmp(bdistats_kernel_name[f], key, len) == 0)
      return f;
  return -1;
}

/* "Key: N kB": our keys must hold a number followed by the kB unit;
 * returns false for a line of ours that does not. */
static bool parse_value(const char **p, const char *end, uint64_t *kb) {
  const char *s = *p;

  if (!parse_u64(&s, end, kb) || !parse_literal(&s, end, "kB"))
    return false;
  parse_skip_blanks(&s, end);
  if (s < end && *s != '\n')
    return false;
  *p = s;
  return true;
}

int bdistats_parse(struct bdistats *bs, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;

  memset(bs, 0, sizeof(*bs));
  while (p < end) {
    const char *line = p, *key;
    size_t klen;

    parse_next_line(&p, end);
    const char *s = line, *eol = parse_line_end(line, end);
    if (!parse_word(&s, eol, ":", &key, &klen) || s >= eol || *s != ':') {
      if (eol > line)
        bs->malformed++;
      continue;
    }
    int f = field_of(key, klen);
    if (f < 0)
      continue;
    s++;
    if (!parse_value(&s, eol, &bs->kb[f])) {
      bs->malformed++;
      continue;
    }
    bs->has |= 1u << f;
  }
  return bs->has ? 0 : -EINVAL;
}
