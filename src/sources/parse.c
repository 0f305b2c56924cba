#include "parse.h"

#include <string.h>

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

const char *parse_line_end(const char *p, const char *end) {
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  return nl ? nl : end;
}

bool parse_text_line(const char **p, const char *end, const char **line,
                     const char **eol, unsigned *malformed) {
  while (*p < end) {
    const char *e = parse_line_end(*p, end);
    const char *s = *p;

    parse_skip_blanks(&s, e);
    if (e == end) {
      if (s != end)
        (*malformed)++;
      *p = end;
      return false;
    }
    *p = e + 1;
    if (s != e) {
      *line = s;
      *eol = e;
      return true;
    }
  }
  return false;
}

void parse_next_line(const char **p, const char *end) {
  const char *e = parse_line_end(*p, end);
  *p = e < end ? e + 1 : end;
}

bool parse_u64(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;

  parse_skip_blanks(&s, end);
  if (s >= end || *s < '0' || *s > '9')
    return false;
  while (s < end && *s >= '0' && *s <= '9') {
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
    s++;
  }
  *out = v;
  *p = s;
  return true;
}

bool parse_double(const char **p, const char *end, double *out) {
  const char *s = *p;
  uint64_t whole;

  if (!parse_u64(&s, end, &whole))
    return false;
  double v = (double)whole;
  if (s < end && *s == '.') {
    double scale = 0.1;
    s++;
    while (s < end && *s >= '0' && *s <= '9') {
      v += (*s - '0') * scale;
      scale /= 10;
      s++;
    }
  }
  *out = v;
  *p = s;
  return true;
}

/* stop holds one or two characters: a loop beats a call to strchr per
 * byte (and does not stop at a NUL byte). */
static bool is_stop(const char *stop, char c) {
  for (; *stop; stop++)
    if (*stop == c)
      return true;
  return false;
}

bool parse_word(const char **p, const char *end, const char *stop,
                const char **word, size_t *len) {
  const char *s = *p;

  parse_skip_blanks(&s, end);
  const char *start = s;
  if (stop == NULL)
    stop = "";
  while (s < end && !is_blank(*s) && *s != '\n' && !is_stop(stop, *s))
    s++;
  if (s == start)
    return false;
  *word = start;
  *len = (size_t)(s - start);
  *p = s;
  return true;
}

bool parse_copy(char *dst, size_t cap, const char *word, size_t len) {
  if (len >= cap)
    return false;
  memcpy(dst, word, len);
  dst[len] = '\0';
  return true;
}
