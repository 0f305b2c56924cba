/* The NETLINK_SOCK_DIAG socket: opened once and kept, one dump per call.
 *
 * Each datagram of the answer is measured first (recv with MSG_PEEK |
 * MSG_TRUNC) and the buffer grown to fit, so nothing is cut short; once it
 * fits the largest datagram the kernel sends (about 32 KB), a dump
 * allocates nothing. Answers are matched to the request by sequence number
 * and port id; an error or a timeout closes the socket, so that the rest
 * of an unfinished dump can never be read as the next one's, and the next
 * dump opens a new one. */
#ifndef LOWMEM_DIAGSOCK_H
#define LOWMEM_DIAGSOCK_H

#include <stddef.h>
#include <stdint.h>

#include "sources/sockdiag.h"

/* Longest port filter a request carries. */
#define DIAGSOCK_BYTECODE_MAX 2048

struct diagsock {
  int fd; /* -1 while closed */
  uint32_t seq;
  uint32_t portid; /* the kernel's name for this socket */
  unsigned char *buf;
  size_t cap;
  unsigned reopened; /* times the socket was opened again after an error */
  int opened;        /* ever opened */
};

void diagsock_init(struct diagsock *ds);

/* Opens the socket if it is closed. Returns 0 or -errno of socket(2)
 * (-EPROTONOSUPPORT, -EAFNOSUPPORT without sock_diag). */
int diagsock_open(struct diagsock *ds);

void diagsock_close(struct diagsock *ds);
void diagsock_destroy(struct diagsock *ds);

/* Sends r (its seq is set here) and hands each socket of the answer to fn.
 * Returns 0; -EINTR when the kernel marked the dump interrupted (fn saw a
 * dump that may be inconsistent: start over and ask again); the kernel's
 * -errno when it refused the request; or -errno of the I/O, -ETIMEDOUT
 * after 2 s without an answer, -EBADMSG for a malformed answer, after
 * which the socket is closed. */
int diagsock_dump(struct diagsock *ds, struct sockdiag_request *r,
                  tcp_sock_fn *fn, void *arg);

#endif
