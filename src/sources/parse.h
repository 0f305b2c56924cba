/* Bounded cursor helpers for /proc text.
 *
 * Buffers from pread() are not NUL-terminated, so every helper takes the end
 * of the buffer and never reads past it. A helper that fails leaves *p where
 * it was, so a caller can skip the rest of the line and go on. */
#ifndef LOWMEM_PARSE_H
#define LOWMEM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Skip blanks (space and tab), not newlines. */
static inline void parse_skip_blanks(const char **p, const char *end) {
  const char *s = *p;
  while (s < end && (*s == ' ' || *s == '\t'))
    s++;
  *p = s;
}

/* Move *p to the start of the next line (past '\n'), or to end. */
void parse_next_line(const char **p, const char *end);

/* The end of the current line: the '\n' or end. */
const char *parse_line_end(const char *p, const char *end);

/* The next line of [*p, end) with something on it, its leading blanks
 * skipped: *line its first character, *eol its '\n'; *p moves past it.
 * Every line the kernel prints ends in '\n': a last line without one was
 * cut short, and counts in *malformed (when not blank). False at the end
 * of the text. */
bool parse_text_line(const char **p, const char *end, const char **line,
                     const char **eol, unsigned *malformed);

/* Skip blanks, then read an unsigned decimal. Fails on no digit or
 * overflow of 64 bits. */
bool parse_u64(const char **p, const char *end, uint64_t *out);

/* Skip blanks, then read a decimal with an optional fraction ("12.34"). */
bool parse_double(const char **p, const char *end, double *out);

/* Skip blanks, then take a run of characters up to a blank, newline or any
 * character in stop (may be NULL). Fails when the run is empty. */
bool parse_word(const char **p, const char *end, const char *stop,
                const char **word, size_t *len);

/* Skip blanks, then consume the literal lit if it is next. Inline: lit is
 * a constant at every call, so its length and the compare fold away. */
static inline bool parse_literal(const char **p, const char *end,
                                 const char *lit) {
  const char *s = *p;
  size_t n = __builtin_strlen(lit);

  parse_skip_blanks(&s, end);
  if ((size_t)(end - s) < n || __builtin_memcmp(s, lit, n) != 0)
    return false;
  *p = s + n;
  return true;
}

/* Copy a word of len bytes into dst (capacity cap, NUL-terminated). Fails
 * rather than truncate. */
bool parse_copy(char *dst, size_t cap, const char *word, size_t len);

#endif
