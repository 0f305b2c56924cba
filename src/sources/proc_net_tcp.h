/* /proc/net/tcp and /proc/net/tcp6: every TCP socket of the reader's network
 * namespace, one line each, the fallback where NETLINK_SOCK_DIAG cannot be
 * used (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c):
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when ...  uid
 * timeout inode 0: 0100007F:1F90 00000000:0000 0A 00000000:00000005 00:00000000
 * 00000000 0 0 35021 1 ...
 *
 * Addresses and ports are hex (8 digits of address for IPv4, 32 for IPv6),
 * the state is the kernel's number in hex. For a listener rx_queue is its
 * accept queue; its backlog limit is not printed. Slow with many sockets:
 * the kernel prints, and the reader parses, every socket of the machine. */
#ifndef LOWMEM_PROC_NET_TCP_H
#define LOWMEM_PROC_NET_TCP_H

#include <stddef.h>

#include "tcpsock.h"

struct proc_net_tcp {
  unsigned socks;     /* lines handed to the callback */
  unsigned malformed; /* lines skipped */
};

/* Calls fn for each socket line of buf[0..len). Returns 0, or -EINVAL when
 * the header line is missing (not such a file). */
int proc_net_tcp_parse(struct proc_net_tcp *t, const char *buf, size_t len,
                       tcp_sock_fn *fn, void *arg);

#endif
