/* One TCP socket as the kernel reports it, whether through NETLINK_SOCK_DIAG
 * (sockdiag.h) or /proc/net/tcp and tcp6 (proc_net_tcp.h), so that both
 * sources feed the same counting. */
#ifndef LOWMEM_TCPSOCK_H
#define LOWMEM_TCPSOCK_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel's TCP states (include/net/tcp_states.h), same numbers.
 * TCPS_NEW_SYN_RECV is a request socket (3.19+); both sources report those
 * as SYN_RECV, but a kernel is free to print it. */
enum tcps {
  TCPS_ESTABLISHED = 1,
  TCPS_SYN_SENT,
  TCPS_SYN_RECV,
  TCPS_FIN_WAIT1,
  TCPS_FIN_WAIT2,
  TCPS_TIME_WAIT,
  TCPS_CLOSE,
  TCPS_CLOSE_WAIT,
  TCPS_LAST_ACK,
  TCPS_LISTEN,
  TCPS_CLOSING,
  TCPS_NEW_SYN_RECV,
  TCPS_MAX
};

struct tcp_sock {
  uint8_t family; /* AF_INET or AF_INET6 */
  uint8_t state;  /* enum tcps; anything else is passed on as is */
  uint16_t sport; /* local port, host order */
  uint16_t dport; /* remote port, host order */
  /* A LISTEN socket: rqueue is its accept queue now, wqueue its backlog
   * limit (sock_diag only: /proc/net/tcp does not print the limit, and
   * wqueue_is_limit is false there). Other sockets: bytes queued. */
  uint32_t rqueue, wqueue;
  bool wqueue_is_limit;
  uint64_t inode; /* 0 for TIME_WAIT and request sockets */
};

typedef void tcp_sock_fn(void *arg, const struct tcp_sock *s);

#endif
