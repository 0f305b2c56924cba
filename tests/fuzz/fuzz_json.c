/* The JSON writer of the incident record (src/recorder/json.c), alone:
 * the input is a sequence of calls, strings and numbers of any bytes,
 * through a buffer of 64 to 319 bytes (so flushes fall anywhere, inside
 * escapes and UTF-8 sequences too).
 *
 * The writer must refuse exactly the sequences that are not one JSON
 * document (a value where a key is due, a close that does not match, a
 * second document, nesting past JSON_MAX_DEPTH - 1, nothing at all), and
 * what it accepts must be JSON that a strict reader takes (fuzz_files.h).
 *
 * Input: byte 0 sets the buffer's size; then calls, one byte each
 * (modulo 12) and their arguments: 0 { 1 } 2 [ 3 ] 4 key (length byte,
 * bytes) 5 string (the same) 6 string_n (length byte, n byte, bytes)
 * 7 u64 (8 bytes) 8 i64 (8 bytes) 9 double (8 bytes, decimals byte)
 * 10 bool 11 null. */
#include <errno.h>
#include <sys/mman.h>

#include "fuzz_files.h"
#include "recorder/json.h"

/* What a document being written is, as the writer must see it. */
struct model {
  bool bad;
  unsigned depth;
  bool object[JSON_MAX_DEPTH + 1];
  bool started[JSON_MAX_DEPTH + 1];
  bool key_done;
};

static void m_value(struct model *m) {
  if (m->bad)
    return;
  if (m->depth > 0 && m->object[m->depth]) {
    if (!m->key_done)
      m->bad = true;
    m->key_done = false;
    return;
  }
  if (m->depth == 0 && m->started[0])
    m->bad = true; /* a second document */
  m->started[m->depth] = true;
}

static void m_open(struct model *m, bool object) {
  m_value(m);
  if (m->bad)
    return;
  if (m->depth + 1 >= JSON_MAX_DEPTH) {
    m->bad = true;
    return;
  }
  m->depth++;
  m->object[m->depth] = object;
  m->started[m->depth] = false;
}

static void m_close(struct model *m, bool object) {
  if (m->bad)
    return;
  if (m->depth == 0 || m->object[m->depth] != object || m->key_done)
    m->bad = true;
  else
    m->depth--;
}

static void m_key(struct model *m) {
  if (m->bad)
    return;
  if (m->depth == 0 || !m->object[m->depth] || m->key_done)
    m->bad = true;
  m->key_done = true;
  m->started[m->depth] = true;
}

/* n bytes of the input, or what is left of it. */
static const uint8_t *take(const uint8_t **p, const uint8_t *end, size_t n,
                           size_t *got) {
  const uint8_t *s = *p;
  *got = (size_t)(end - s) < n ? (size_t)(end - s) : n;
  *p += *got;
  return s;
}

static uint64_t word(const uint8_t **p, const uint8_t *end) {
  uint64_t v = 0;
  size_t got;
  const uint8_t *s = take(p, end, sizeof(v), &got);
  memcpy(&v, s, got);
  return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char buf[64 + 256];
  static char text[256 + 1];
  const uint8_t *p = data, *end = data + size;
  struct model m = {0};
  struct json j;
  size_t got;

  if (size < 1)
    return 0;
  int fd = memfd_create("json", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  json_init(&j, fd, buf, 64 + (size_t)*p++);

  while (p < end) {
    uint8_t op = *p++ % 12;
    const uint8_t *s;
    size_t n;
    switch (op) {
    case 0:
    case 2:
      m_open(&m, op == 0);
      op == 0 ? json_object_open(&j) : json_array_open(&j);
      break;
    case 1:
    case 3:
      m_close(&m, op == 1);
      op == 1 ? json_object_close(&j) : json_array_close(&j);
      break;
    case 4:
    case 5:
      n = p < end ? *p++ : 0;
      s = take(&p, end, n, &got);
      memcpy(text, s, got);
      text[got] = '\0';
      if (op == 4) {
        m_key(&m);
        json_key(&j, text);
      } else {
        m_value(&m);
        json_string(&j, text);
      }
      break;
    case 6: {
      n = p < end ? *p++ : 0;
      size_t limit = p < end ? *p++ : 0;
      s = take(&p, end, n, &got);
      m_value(&m);
      json_string_n(&j, (const char *)s, got < limit ? got : limit);
      break;
    }
    case 7:
      m_value(&m);
      json_u64(&j, word(&p, end));
      break;
    case 8:
      m_value(&m);
      json_i64(&j, (int64_t)word(&p, end));
      break;
    case 9: {
      uint64_t bits = word(&p, end);
      double d;
      memcpy(&d, &bits, sizeof(d));
      int decimals = p < end ? (int8_t)*p++ : 0;
      m_value(&m);
      json_double(&j, d, decimals);
      break;
    }
    case 10:
      m_value(&m);
      json_bool(&j, size & 1);
      break;
    default:
      m_value(&m);
      json_null(&j);
      break;
    }
  }
  bool ok = !m.bad && m.depth == 0 && m.started[0];
  int rc = json_finish(&j);
  FUZZ_CHECK(rc == 0 || rc == -EPROTO);
  FUZZ_CHECK((rc == 0) == ok);
  if (rc == 0) {
    size_t len;
    char *out = fuzz_read_fd(fd, &len);
    FUZZ_CHECK(len == j.flushed);
    fuzz_check_json(out, len);
    free(out);
  }
  close(fd);
  return 0;
}
