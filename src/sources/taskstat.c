#include "taskstat.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "parse.h"

/* Skips n blank-separated fields, whatever they hold (some are signed). */
static bool skip_fields(const char **p, const char *end, int n) {
  const char *word;
  size_t len;

  for (int i = 0; i < n; i++)
    if (!parse_word(p, end, NULL, &word, &len))
      return false;
  return true;
}

/* A numeric field: digits up to a blank, the end of the line or of the
 * buffer ("12x" is not a number). */
static bool field_u64(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  uint64_t v;

  if (!parse_u64(&s, end, &v) ||
      (s < end && *s != ' ' && *s != '\t' && *s != '\n'))
    return false;
  *out = v;
  *p = s;
  return true;
}

/* (2) comm: from the first '(' to the last ')' of the line, so that a
 * name holding ')' or blanks is taken whole. A name longer than the
 * buffer is cut: callers only match its start. */
static bool parse_comm(const char **p, const char *end, char *comm,
                       size_t cap) {
  const char *s = *p;

  parse_skip_blanks(&s, end);
  if (s >= end || *s != '(')
    return false;
  s++;
  const char *close = memrchr(s, ')', (size_t)(end - s));
  if (close == NULL)
    return false;
  size_t n = (size_t)(close - s);
  if (n >= cap)
    n = cap - 1;
  memcpy(comm, s, n);
  comm[n] = '\0';
  *p = close + 1;
  return true;
}

int taskstat_parse(struct taskstat *ts, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  const char *word;
  size_t wlen;

  if (!field_u64(&p, end, &ts->pid) ||                    /* (1) */
      !parse_comm(&p, end, ts->comm, sizeof(ts->comm)) || /* (2) */
      !parse_word(&p, end, NULL, &word, &wlen) ||         /* (3) */
      !field_u64(&p, end, &ts->ppid) ||                   /* (4) */
      !skip_fields(&p, end, 4) ||        /* (5) pgrp (6) session (7) tty_nr
                                            (8) tpgid */
      !field_u64(&p, end, &ts->flags) || /* (9) */
      !skip_fields(&p, end, 4) ||        /* (10) minflt (11) cminflt
                                            (12) majflt (13) cmajflt */
      !field_u64(&p, end, &ts->utime) || /* (14) */
      !field_u64(&p, end, &ts->stime) || /* (15) */
      !skip_fields(&p, end, 4) ||        /* (16) cutime (17) cstime
                                            (18) priority (19) nice */
      !field_u64(&p, end, &ts->num_threads) || /* (20) */
      !skip_fields(&p, end, 1) ||              /* (21) itrealvalue */
      !field_u64(&p, end, &ts->starttime))     /* (22) */
    return -EINVAL;
  ts->state = word[0];
  return 0;
}
