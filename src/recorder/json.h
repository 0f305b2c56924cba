/* A JSON writer that allocates nothing: it fills a buffer given once and
 * hands it to write(2) whenever it is full, so that an incident file is
 * written while memory is at its shortest without asking for any.
 *
 * Whatever the input, the output is valid JSON: strings are checked as
 * strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF;
 * each byte that is not part of a valid sequence becomes '?'), escaped
 * (quotes, backslash, control characters, and '<', '>', '&', U+2028 and
 * U+2029, so that a page or a script embedding the file reads it as data),
 * and a number that is not finite is null. A call out of place (a value
 * where a key is due, a close without an open) is an error, reported by
 * json_finish, and the document it would break is not written further. */
#ifndef LOWMEM_JSON_H
#define LOWMEM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 16

struct json {
  int fd;
  char *buf;
  size_t cap, len;
  uint64_t flushed; /* bytes handed to write(2) so far */
  int err;          /* the first error: -errno of write(2), or -EPROTO */
  unsigned depth;
  uint32_t started; /* bit d: the container at depth d holds something */
  uint32_t object;  /* bit d: the container at depth d is an object */
  bool key_done;    /* a key was written: its value is due */
};

/* Writes to fd through buf (cap bytes, at least 64). */
void json_init(struct json *j, int fd, char *buf, size_t cap);

void json_object_open(struct json *j);
void json_object_close(struct json *j);
void json_array_open(struct json *j);
void json_array_close(struct json *j);

/* A key of the object being written. */
void json_key(struct json *j, const char *key);

/* A string: the bytes up to the first NUL, or up to n. */
void json_string(struct json *j, const char *s);
void json_string_n(struct json *j, const char *s, size_t n);

void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
/* decimals (0 to 9) places below 1e15; above, 17 significant digits with
 * an exponent. Not finite: null. */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Writes what is buffered. 0, or the first error; -EPROTO when the
 * document is not closed. */
int json_finish(struct json *j);

/* The length of the strict UTF-8 sequence at s (n bytes left, n > 0), or
 * 0 when s[0] does not start one. */
size_t json_utf8_len(const unsigned char *s, size_t n);

#endif
