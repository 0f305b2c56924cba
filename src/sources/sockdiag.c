#include "sockdiag.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

/* --- the request ----------------------------------------------------------*/

/* The request struct of each kind; both are 4-byte multiples, so the
 * attribute that follows is aligned. */
static size_t request_size(enum sockdiag_kind kind) {
  return kind == SOCKDIAG_COMPAT ? sizeof(struct inet_diag_req)
                                 : sizeof(struct inet_diag_req_v2);
}

_Static_assert(sizeof(struct inet_diag_req) % NLMSG_ALIGNTO == 0,
               "the bytecode attribute follows the request aligned");
_Static_assert(sizeof(struct inet_diag_req_v2) % NLMSG_ALIGNTO == 0,
               "the bytecode attribute follows the request aligned");
_Static_assert(NLMSG_HDRLEN + sizeof(struct inet_diag_req) + NLA_HDRLEN <= 96,
               "SOCKDIAG_REQUEST_MAX covers the headers");

int sockdiag_request(void *buf, size_t cap, const struct sockdiag_request *r) {
  size_t body = request_size(r->kind);
  size_t attr = r->bytecode ? NLA_HDRLEN + NLA_ALIGN(r->bytecode_len) : 0;
  size_t total = NLMSG_HDRLEN + body + attr;

  if (r->kind == SOCKDIAG_BY_FAMILY && r->family != AF_INET &&
      r->family != AF_INET6)
    return -EINVAL;
  if (r->bytecode && (r->bytecode_len == 0 || r->bytecode_len > 0xffff - 4))
    return -EINVAL;
  if (total > cap)
    return -ENOSPC;
  memset(buf, 0, total);

  struct nlmsghdr h = {
      .nlmsg_len = (uint32_t)total,
      .nlmsg_type =
          r->kind == SOCKDIAG_COMPAT ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY,
      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
      .nlmsg_seq = r->seq,
  };
  memcpy(buf, &h, sizeof(h));

  char *p = (char *)buf + NLMSG_HDRLEN;
  if (r->kind == SOCKDIAG_COMPAT) {
    /* The kernel dumps every family for this request; idiag_family only
     * matters to a lookup of one socket. */
    struct inet_diag_req req = {.idiag_family = AF_INET,
                                .idiag_states = r->states};
    memcpy(p, &req, sizeof(req));
  } else {
    struct inet_diag_req_v2 req = {.sdiag_family = r->family,
                                   .sdiag_protocol = IPPROTO_TCP,
                                   .idiag_states = r->states};
    memcpy(p, &req, sizeof(req));
  }
  if (r->bytecode) {
    struct nlattr a = {.nla_len = (uint16_t)(NLA_HDRLEN + r->bytecode_len),
                       .nla_type = INET_DIAG_REQ_BYTECODE};
    memcpy(p + body, &a, sizeof(a));
    memcpy(p + body + NLA_HDRLEN, r->bytecode, r->bytecode_len);
  }
  return (int)total;
}

/* --- the port filter ------------------------------------------------------*/

/* One range [lo, hi] is four ops of 4 bytes: S_GE with the port in the
 * "no" field of the op after it, then S_LE likewise. Between ranges a JMP
 * to the end accepts what the range before it matched. */
enum { RANGE_LEN = 16, JMP_LEN = 4 };

static void put_op(unsigned char *p, uint8_t code, uint8_t yes, uint16_t no) {
  struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};
  memcpy(p, &op, sizeof(op));
}

int sockdiag_port_filter(void *buf, size_t cap, const uint16_t *ports,
                         size_t n) {
  size_t ranges = 0;

  if (n == 0)
    return -EINVAL;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && ports[i] <= ports[i - 1])
      return -EINVAL;
    if (i == 0 || ports[i] != ports[i - 1] + 1)
      ranges++;
  }
  size_t len = ranges * (RANGE_LEN + JMP_LEN) - JMP_LEN;
  if (len > cap || len > 0xffff - 4)
    return -ENOSPC;

  unsigned char *p = buf;
  size_t i = 0;
  for (size_t r = 0; r < ranges; r++) {
    uint16_t first = ports[i];
    while (i + 1 < n && ports[i + 1] == ports[i] + 1)
      i++;
    uint16_t last = ports[i++];
    /* A failed test jumps to the next range: 20 bytes on from S_GE, 12
     * from S_LE. After the last range that is 4 bytes past the end of the
     * program, which the kernel reads as "reject". */
    put_op(p, INET_DIAG_BC_S_GE, 8, RANGE_LEN + JMP_LEN);
    put_op(p + 4, 0, 0, first);
    put_op(p + 8, INET_DIAG_BC_S_LE, 8, RANGE_LEN + JMP_LEN - 8);
    put_op(p + 12, 0, 0, last);
    p += RANGE_LEN;
    if (r + 1 < ranges) {
      /* Matched: JMP (always "no") to the very end, which accepts. */
      size_t rest = len - (size_t)(p - (unsigned char *)buf);
      put_op(p, INET_DIAG_BC_JMP, JMP_LEN, (uint16_t)rest);
      p += JMP_LEN;
    }
  }
  return (int)len;
}

/* --- the answer -----------------------------------------------------------*/

void sockdiag_dump_init(struct sockdiag_dump *d, uint32_t seq,
                        uint32_t portid) {
  memset(d, 0, sizeof(*d));
  d->seq = seq;
  d->portid = portid;
}

static void decode_sock(const unsigned char *payload, tcp_sock_fn *fn,
                        void *arg) {
  struct inet_diag_msg m;
  memcpy(&m, payload, sizeof(m));

  struct tcp_sock s = {
      .family = m.idiag_family,
      .state = m.idiag_state,
      .sport = ntohs(m.id.idiag_sport),
      .dport = ntohs(m.id.idiag_dport),
      .rqueue = m.idiag_rqueue,
      .wqueue = m.idiag_wqueue,
      /* inet_diag fills a listener's idiag_wqueue with sk_max_ack_backlog */
      .wqueue_is_limit = m.idiag_state == TCPS_LISTEN,
      .inode = m.idiag_inode,
  };
  fn(arg, &s);
}

/* NLMSG_DONE of a dump carries the dump's status, an int. */
static int done_status(const unsigned char *payload, size_t plen) {
  int status = 0;
  if (plen >= sizeof(status))
    memcpy(&status, payload, sizeof(status));
  return status < 0 ? status : 0;
}

static int error_status(const unsigned char *payload, size_t plen) {
  int err;
  if (plen < sizeof(err))
    return -EBADMSG;
  memcpy(&err, payload, sizeof(err));
  if (err > 0)
    return -EBADMSG;
  return err;
}

int sockdiag_decode(struct sockdiag_dump *d, const void *buf, size_t len,
                    tcp_sock_fn *fn, void *arg) {
  const unsigned char *b = buf;
  size_t off = 0;

  while (len - off >= NLMSG_HDRLEN) {
    struct nlmsghdr h;
    memcpy(&h, b + off, sizeof(h));
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
      return -EBADMSG;
    const unsigned char *payload = b + off + NLMSG_HDRLEN;
    size_t plen = h.nlmsg_len - NLMSG_HDRLEN;
    size_t next = NLMSG_ALIGN(h.nlmsg_len);
    off = next < len - off ? off + next : len;

    if (h.nlmsg_seq != d->seq || (d->portid && h.nlmsg_pid != d->portid)) {
      d->foreign++;
      continue;
    }
    if (h.nlmsg_flags & NLM_F_DUMP_INTR)
      d->interrupted = true;
    switch (h.nlmsg_type) {
    case NLMSG_DONE:
      d->done = true;
      return done_status(payload, plen);
    case NLMSG_ERROR: {
      int err = error_status(payload, plen);
      if (err == 0) /* an ACK: nothing (more) to dump */
        d->done = true;
      return err;
    }
    case NLMSG_OVERRUN:
      return -EOVERFLOW;
    case TCPDIAG_GETSOCK:
    case SOCK_DIAG_BY_FAMILY:
      if (plen < sizeof(struct inet_diag_msg))
        return -EBADMSG;
      decode_sock(payload, fn, arg);
      d->socks++;
      break;
    default: /* NLMSG_NOOP and what a later kernel may add */
      break;
    }
  }
  return off == len ? 0 : -EBADMSG;
}
