#include "pidstat.h"

#include <errno.h>
#include <string.h>

#include "parse.h"

/* The comm is between the first '(' and the last ')': it may hold spaces
 * and parentheses of its own. */
static bool parse_comm(const char **p, const char *end, char *comm) {
  const char *open = memchr(*p, '(', (size_t)(end - *p));
  const char *close = NULL;

  if (open == NULL)
    return false;
  for (const char *c = end; c > open + 1; c--)
    if (c[-1] == ')') {
      close = c - 1;
      break;
    }
  if (close == NULL)
    return false;
  size_t n = (size_t)(close - open - 1);
  if (n >= PIDSTAT_COMM_LEN)
    n = PIDSTAT_COMM_LEN - 1;
  memcpy(comm, open + 1, n);
  comm[n] = '\0';
  *p = close + 1;
  return true;
}

static bool skip_fields(const char **p, const char *end, int n) {
  const char *w;
  size_t len;
  for (int i = 0; i < n; i++)
    if (!parse_word(p, end, NULL, &w, &len))
      return false;
  return true;
}

int pidstat_parse(struct pidstat *ps, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  const char *w;
  size_t wlen;
  uint64_t pid;

  memset(ps, 0, sizeof(*ps));
  if (!parse_u64(&p, end, &pid) || !parse_comm(&p, end, ps->comm) ||
      !parse_word(&p, end, NULL, &w, &wlen) || wlen != 1 ||
      !parse_u64(&p, end, &ps->ppid) ||        /* 4 */
      !skip_fields(&p, end, 15) ||             /* 5 pgrp .. 19 nice */
      !parse_u64(&p, end, &ps->num_threads) || /* 20 */
      !skip_fields(&p, end, 1) ||              /* 21 itrealvalue */
      !parse_u64(&p, end, &ps->starttime))     /* 22 */
    return -EINVAL;
  ps->state = w[0]; /* 3 */
  return 0;
}

int pidstat_parse_statm(uint64_t *resident, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  uint64_t size;

  if (!parse_u64(&p, end, &size) || !parse_u64(&p, end, resident))
    return -EINVAL;
  return 0;
}

int pidstat_parse_children(const char *buf, size_t len, pid_fn *fn, void *arg) {
  const char *p = buf, *end = buf + len;
  int n = 0;

  for (;;) {
    uint64_t pid;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
      p++;
    if (p == end)
      return n;
    if (!parse_u64(&p, end, &pid) || (p < end && *p != ' ' && *p != '\n'))
      return -EINVAL;
    fn(arg, pid);
    n++;
  }
}
