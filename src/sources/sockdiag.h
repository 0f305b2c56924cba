/* NETLINK_SOCK_DIAG for TCP: the dump request lowmem sends, the kernel-side
 * port filter that goes with it, and the decoder of the answer.
 *
 * Pure: bytes in, bytes out. The socket I/O is in src/apache/diagsock.c,
 * so a saved dump is a fixture like any /proc file.
 *
 * Two requests exist. TCPDIAG_GETSOCK with struct inet_diag_req (every
 * kernel since 2.6.x; "compat" in the kernel's words) dumps both families
 * in one walk of the established hash. SOCK_DIAG_BY_FAMILY with struct
 * inet_diag_req_v2 (3.3+) takes one family per request, so IPv4 and IPv6
 * cost two walks: the walk, over every bucket of a hash sized by RAM, is
 * most of the cost of a dump when few sockets match. */
#ifndef LOWMEM_SOCKDIAG_H
#define LOWMEM_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpsock.h"

enum sockdiag_kind {
  SOCKDIAG_COMPAT,    /* TCPDIAG_GETSOCK: both families, one walk */
  SOCKDIAG_BY_FAMILY, /* SOCK_DIAG_BY_FAMILY: the family asked for */
};

struct sockdiag_request {
  enum sockdiag_kind kind;
  uint8_t family;       /* SOCKDIAG_BY_FAMILY: AF_INET or AF_INET6 */
  uint32_t states;      /* bit (1u << enum tcps) per state dumped */
  uint32_t seq;         /* nlmsg_seq; the answer carries it */
  const void *bytecode; /* INET_DIAG_REQ_BYTECODE program, or NULL */
  size_t bytecode_len;
};

/* Bytes a request with a program of len bytes takes at most. */
#define SOCKDIAG_REQUEST_MAX(len) (96 + (size_t)(len))

/* Writes the netlink message of r into buf. Returns its length, -ENOSPC
 * when cap is too small, -EINVAL for a family or program it cannot carry. */
int sockdiag_request(void *buf, size_t cap, const struct sockdiag_request *r);

/* Bytes of the port filter for n ports at most (20 per range). */
#define SOCKDIAG_PORT_FILTER_MAX(n) ((size_t)(n)*20)

/* An inet_diag bytecode program that accepts a socket whose local port is
 * one of ports[0..n) (ascending, no repeats; runs of consecutive ports
 * become one range). Built from INET_DIAG_BC_S_GE and S_LE, which every
 * kernel with inet_diag knows (S_EQ came much later), following the rules of
 * the kernel's inet_diag_bc_audit(): each op's "yes" steps to the next op, and
 * a "no" lands on an op or 4 bytes past the end (reject). Returns the
 * length, -EINVAL for no ports or ports out of order, -ENOSPC. */
int sockdiag_port_filter(void *buf, size_t cap, const uint16_t *ports,
                         size_t n);

/* Where a dump stands while its datagrams are decoded one by one. */
struct sockdiag_dump {
  uint32_t seq;     /* of the request being answered */
  uint32_t portid;  /* of the socket that asked; 0: not checked */
  bool done;        /* NLMSG_DONE (or a bare ACK) was seen */
  bool interrupted; /* NLM_F_DUMP_INTR: the tables changed during the
                       dump, which may be inconsistent: ask again */
  unsigned socks;   /* sockets handed to the callback */
  unsigned foreign; /* messages of another request, skipped */
};

void sockdiag_dump_init(struct sockdiag_dump *d, uint32_t seq, uint32_t portid);

/* Decodes the netlink messages in buf[0..len) (one datagram, or several
 * back to back), calling fn for each socket of the dump. Messages of
 * another sequence or port id are skipped. Returns 0 (d->done tells
 * whether the dump is complete), the kernel's -errno from NLMSG_ERROR or
 * from the status of NLMSG_DONE, or -EBADMSG for a truncated or malformed
 * message, after which nothing more of buf is read. */
int sockdiag_decode(struct sockdiag_dump *d, const void *buf, size_t len,
                    tcp_sock_fn *fn, void *arg);

#endif
