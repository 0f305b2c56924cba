#include "procstat.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

static const char *const procstat_key[PROCSTAT_NR] = {
    [PROCSTAT_PROCESSES] = "processes",
    [PROCSTAT_PROCS_RUNNING] = "procs_running",
    [PROCSTAT_PROCS_BLOCKED] = "procs_blocked",
};

static int procstat_field_of(const char *word, size_t len) {
  for (int f = 0; f < PROCSTAT_NR; f++)
    if (strlen(procstat_key[f]) == len &&
        memcmp(word, procstat_key[f], len) == 0)
      return f;
  return -1;
}

int procstat_parse(struct procstat *ps, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;

  memset(ps, 0, sizeof(*ps));
  while (p < end) {
    const char *eol = parse_line_end(p, end);
    const char *word;
    size_t wlen;
    uint64_t v;

    /* Only the first letter of most lines is looked at: "cpu", "intr",
     * "ctxt", "btime" and "softirq" are not ours. */
    if (*p == 'p' && parse_word(&p, eol, NULL, &word, &wlen)) {
      int f = procstat_field_of(word, wlen);
      if (f >= 0) {
        if (parse_u64(&p, eol, &v)) {
          ps->value[f] = v;
          ps->present |= 1u << f;
        } else {
          ps->malformed++;
        }
      }
    }
    parse_next_line(&p, end);
  }
  return procstat_has(ps, PROCSTAT_PROCESSES) ? 0 : -EINVAL;
}
