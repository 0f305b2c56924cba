#include "pressure.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

/* " avg10=0.00 avg60=0.00 avg300=0.00 total=0" after "some" or "full". */
static bool read_psi(const char *p, const char *eol, struct psi_line *l) {
  if (!parse_literal(&p, eol, "avg10=") || !parse_double(&p, eol, &l->avg10) ||
      !parse_literal(&p, eol, "avg60=") || !parse_double(&p, eol, &l->avg60) ||
      !parse_literal(&p, eol, "avg300=") ||
      !parse_double(&p, eol, &l->avg300) || !parse_literal(&p, eol, "total=") ||
      !parse_u64(&p, eol, &l->total))
    return false;
  parse_skip_blanks(&p, eol);
  return p == eol;
}

int pressure_parse(struct pressure *ps, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;

  memset(ps, 0, sizeof(*ps));
  while (p < end) {
    const char *eol = parse_line_end(p, end);
    const char *s = p, *kind;
    size_t kind_len;
    struct psi_line line = {0}, *l = NULL;

    parse_next_line(&p, end);
    if (s == eol)
      continue;
    if (!parse_word(&s, eol, NULL, &kind, &kind_len)) {
      ps->malformed++;
      continue;
    }
    if (kind_len == 4 && memcmp(kind, "some", 4) == 0)
      l = &ps->some;
    else if (kind_len == 4 && memcmp(kind, "full", 4) == 0)
      l = &ps->full;
    /* A line without its newline was cut short by the reader. */
    if (eol == end || !read_psi(s, eol, &line)) {
      ps->malformed++;
      continue;
    }
    if (l == NULL)
      continue; /* a kind of stall this kernel knows and we do not */
    *l = line;
    l->present = true;
  }
  return ps->some.present || ps->full.present ? 0 : -EINVAL;
}
