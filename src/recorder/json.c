#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void json_init(struct json *j, int fd, char *buf, size_t cap) {
  memset(j, 0, sizeof(*j));
  j->fd = fd;
  j->buf = buf;
  j->cap = cap;
  if (buf == NULL || cap < 64)
    j->err = -EINVAL;
}

static void flush(struct json *j) {
  size_t done = 0;
  while (done < j->len && j->err == 0) {
    ssize_t n = write(j->fd, j->buf + done, j->len - done);
    if (n > 0)
      done += (size_t)n;
    else if (n < 0 && errno != EINTR)
      j->err = -errno;
    else if (n == 0)
      j->err = -EIO;
  }
  j->flushed += done;
  j->len = 0;
}

static void put(struct json *j, const char *s, size_t n) {
  while (n > 0 && j->err == 0) {
    if (j->len == j->cap)
      flush(j);
    size_t room = j->cap - j->len;
    size_t k = n < room ? n : room;
    memcpy(j->buf + j->len, s, k);
    j->len += k;
    s += k;
    n -= k;
  }
}

static void put_char(struct json *j, char c) { put(j, &c, 1); }

static bool is_object(const struct json *j) {
  return j->depth > 0 && (j->object >> j->depth & 1u);
}

static bool started(const struct json *j) {
  return j->started >> j->depth & 1u;
}

/* What goes before a value: a comma in an array, nothing after a key. A
 * value where a key is due, or a second document, is refused. */
static bool before_value(struct json *j) {
  if (j->err != 0)
    return false;
  if (is_object(j)) {
    if (!j->key_done) {
      j->err = -EPROTO;
      return false;
    }
    j->key_done = false;
    return true;
  }
  if (started(j)) {
    if (j->depth == 0) {
      j->err = -EPROTO; /* one document */
      return false;
    }
    put_char(j, ',');
  }
  j->started |= 1u << j->depth;
  return true;
}

static void open_container(struct json *j, bool object) {
  if (!before_value(j))
    return;
  if (j->depth + 1 >= JSON_MAX_DEPTH) {
    j->err = -EPROTO;
    return;
  }
  j->depth++;
  j->started &= ~(1u << j->depth);
  if (object)
    j->object |= 1u << j->depth;
  else
    j->object &= ~(1u << j->depth);
  put_char(j, object ? '{' : '[');
}

static void close_container(struct json *j, bool object) {
  if (j->err != 0)
    return;
  if (j->depth == 0 || is_object(j) != object || j->key_done) {
    j->err = -EPROTO;
    return;
  }
  j->depth--;
  put_char(j, object ? '}' : ']');
}

void json_object_open(struct json *j) { open_container(j, true); }
void json_object_close(struct json *j) { close_container(j, true); }
void json_array_open(struct json *j) { open_container(j, false); }
void json_array_close(struct json *j) { close_container(j, false); }

/* Strict UTF-8 (RFC 3629): the second byte's range depends on the first,
 * which is what rules out overlong forms (C0, C1, E0 80-9F, F0 80-8F),
 * surrogates (ED A0-BF) and code points above U+10FFFF (F4 90+, F5-FF). */
size_t json_utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0], lo = 0x80, hi = 0xbf;
  size_t len;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0)
      lo = 0xa0;
    else if (c == 0xed)
      hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0)
      lo = 0x90;
    else if (c == 0xf4)
      hi = 0x8f;
  } else
    return 0;
  if (len > n || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  return len;
}

static void put_escape(struct json *j, unsigned c) {
  static const char hex[] = "0123456789abcdef";
  char e[6] = {
      '\\',       'u', hex[c >> 12 & 15], hex[c >> 8 & 15], hex[c >> 4 & 15],
      hex[c & 15]};
  put(j, e, sizeof(e));
}

static void put_ascii(struct json *j, unsigned char c) {
  switch (c) {
  case '"':
    put(j, "\\\"", 2);
    break;
  case '\\':
    put(j, "\\\\", 2);
    break;
  case '\n':
    put(j, "\\n", 2);
    break;
  case '\r':
    put(j, "\\r", 2);
    break;
  case '\t':
    put(j, "\\t", 2);
    break;
  case '<':
  case '>':
  case '&':
    put_escape(j, c);
    break;
  default:
    if (c < 0x20 || c == 0x7f)
      put_escape(j, c);
    else
      put_char(j, (char)c);
  }
}

static void put_string(struct json *j, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;

  put_char(j, '"');
  for (size_t i = 0; i < n && j->err == 0;) {
    if (s[i] < 0x80) {
      put_ascii(j, s[i++]);
      continue;
    }
    size_t len = json_utf8_len(s + i, n - i);
    if (len == 0) {
      put_char(j, '?');
      i++;
    } else if (len == 3 && s[i] == 0xe2 && s[i + 1] == 0x80 &&
               (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
      /* U+2028, U+2029: line ends to JavaScript */
      put_escape(j, 0x2028u + (s[i + 2] - 0xa8u));
      i += 3;
    } else {
      put(j, (const char *)s + i, len);
      i += len;
    }
  }
  put_char(j, '"');
}

void json_key(struct json *j, const char *key) {
  if (j->err != 0)
    return;
  if (!is_object(j) || j->key_done) {
    j->err = -EPROTO;
    return;
  }
  if (started(j))
    put_char(j, ',');
  j->started |= 1u << j->depth;
  put_string(j, key, strlen(key));
  put_char(j, ':');
  j->key_done = true;
}

void json_string_n(struct json *j, const char *s, size_t n) {
  if (before_value(j))
    put_string(j, s, strnlen(s, n));
}

void json_string(struct json *j, const char *s) {
  if (before_value(j))
    put_string(j, s, strlen(s));
}

static void put_number(struct json *j, const char *text, int n) {
  if (before_value(j))
    put(j, text, (size_t)n);
}

void json_u64(struct json *j, uint64_t v) {
  char b[24];
  put_number(j, b, snprintf(b, sizeof(b), "%" PRIu64, v));
}

void json_i64(struct json *j, int64_t v) {
  char b[24];
  put_number(j, b, snprintf(b, sizeof(b), "%" PRId64, v));
}

void json_double(struct json *j, double v, int decimals) {
  char b[40];
  int n;

  if (!isfinite(v)) {
    json_null(j);
    return;
  }
  if (decimals < 0)
    decimals = 0;
  if (decimals > 9)
    decimals = 9;
  /* %f prints every digit of the integer part: up to 309 of them. Beyond
   * 1e15, where a double no longer holds the decimals anyway, the
   * exponent form keeps it short. */
  if (fabs(v) < 1e15)
    n = snprintf(b, sizeof(b), "%.*f", decimals, v);
  else
    n = snprintf(b, sizeof(b), "%.17g", v);
  if (n <= 0 || (size_t)n >= sizeof(b)) {
    json_null(j);
    return;
  }
  /* A locale set by another plugin may print a comma for the point. */
  for (int i = 0; i < n; i++)
    if (b[i] == ',')
      b[i] = '.';
  put_number(j, b, n);
}

void json_bool(struct json *j, bool v) {
  if (before_value(j))
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j) {
  if (before_value(j))
    put(j, "null", 4);
}

int json_finish(struct json *j) {
  if (j->err == 0 && (j->depth != 0 || j->key_done || !started(j)))
    j->err = -EPROTO;
  if (j->err == 0)
    put_char(j, '\n');
  if (j->err == 0)
    flush(j);
  return j->err;
}
