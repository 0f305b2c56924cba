#include "proc_net_tcp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Skip blanks, then read 1 to max hex digits. */
static bool parse_hex(const char **p, const char *end, unsigned max,
                      uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  unsigned n = 0;
  int d;

  parse_skip_blanks(&s, end);
  while (s < end && (d = hex_digit(*s)) >= 0) {
    if (++n > max)
      return false;
    v = v << 4 | (uint64_t)d;
    s++;
  }
  if (n == 0)
    return false;
  *out = v;
  *p = s;
  return true;
}

/* "0100007F:1F90": the family from the address length, and the port. */
static bool parse_endpoint(const char **p, const char *end, uint8_t *family,
                           uint16_t *port) {
  const char *s = *p;
  size_t n = 0;
  uint64_t v;

  parse_skip_blanks(&s, end);
  while (s + n < end && hex_digit(s[n]) >= 0)
    n++;
  if (n == 8)
    *family = AF_INET;
  else if (n == 32)
    *family = AF_INET6;
  else
    return false;
  s += n;
  if (s >= end || *s != ':')
    return false;
  s++;
  if (!parse_hex(&s, end, 4, &v))
    return false;
  *port = (uint16_t)v;
  *p = s;
  return true;
}

static bool parse_line(const char *p, const char *end, struct tcp_sock *s) {
  uint64_t sl, state, tx, rx, uid, inode;
  uint8_t rfamily;
  const char *w;
  size_t wlen;

  memset(s, 0, sizeof(*s));
  if (!parse_u64(&p, end, &sl) || !parse_literal(&p, end, ":") ||
      !parse_endpoint(&p, end, &s->family, &s->sport) ||
      !parse_endpoint(&p, end, &rfamily, &s->dport) || rfamily != s->family ||
      !parse_hex(&p, end, 2, &state) || !parse_hex(&p, end, 8, &tx) ||
      !parse_literal(&p, end, ":") || !parse_hex(&p, end, 8, &rx) ||
      !parse_word(&p, end, NULL, &w, &wlen) || /* tr:tm->when */
      !parse_word(&p, end, NULL, &w, &wlen) || /* retrnsmt */
      !parse_u64(&p, end, &uid) ||
      !parse_word(&p, end, NULL, &w, &wlen) || /* timeout */
      !parse_u64(&p, end, &inode))
    return false;
  s->state = (uint8_t)state;
  s->wqueue = (uint32_t)tx;
  s->rqueue = (uint32_t)rx;
  s->inode = inode;
  return true;
}

int proc_net_tcp_parse(struct proc_net_tcp *t, const char *buf, size_t len,
                       tcp_sock_fn *fn, void *arg) {
  const char *p = buf, *end = buf + len;

  memset(t, 0, sizeof(*t));
  if (!parse_literal(&p, end, "sl"))
    return -EINVAL;
  parse_next_line(&p, end);
  while (p < end) {
    const char *eol = parse_line_end(p, end);
    struct tcp_sock s;

    if (parse_line(p, eol, &s)) {
      fn(arg, &s);
      t->socks++;
    } else {
      const char *q = p;
      parse_skip_blanks(&q, eol);
      if (q < eol) /* a blank line is no socket, not a fault */
        t->malformed++;
    }
    parse_next_line(&p, end);
  }
  return 0;
}
