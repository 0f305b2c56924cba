/* TCP connections by state on a few local ports, and the accept queue of
 * their listening sockets.
 *
 * The source is chosen at the first read that gets an answer, once:
 * NETLINK_SOCK_DIAG with one TCPDIAG_GETSOCK dump for IPv4 and IPv6 (one
 * walk of the established hash), else SOCK_DIAG_BY_FAMILY per family (a
 * kernel without the old request), else /proc/net/tcp and tcp6 (no
 * sock_diag, or a security policy that refuses it). With sock_diag the
 * kernel keeps only the states and ports asked for (a bytecode port
 * filter); /proc/net/tcp prints every socket, so it costs more. */
#ifndef LOWMEM_CONNS_H
#define LOWMEM_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagsock.h"
#include "sources/procfile.h"
#include "sources/tcpsock.h"

#define CONNS_MAX_PORTS 64

/* The states reported, in the order of collectd-lowmem(5). */
enum conns_state {
  CS_ESTABLISHED,
  CS_SYN_RECV,
  CS_TIME_WAIT,
  CS_CLOSE_WAIT,
  CS_FIN_WAIT1,
  CS_FIN_WAIT2,
  CS_LAST_ACK,
  CS_CLOSING,
  CS_SYN_SENT,
  CS_LISTEN,
  CS_NR
};

/* "ESTABLISHED", ..., as the kernel's tcp_states.h names them. */
extern const char *const conns_state_name[CS_NR];

enum conns_mode {
  CONNS_AUTO,    /* sock_diag, /proc/net/tcp where it cannot be used */
  CONNS_NETLINK, /* sock_diag only */
  CONNS_PROC,    /* /proc/net/tcp and tcp6 only */
};

enum conns_source {
  CONNS_UNDECIDED,
  CONNS_SOCK_DIAG_COMPAT,    /* TCPDIAG_GETSOCK, both families at once */
  CONNS_SOCK_DIAG_BY_FAMILY, /* SOCK_DIAG_BY_FAMILY, one per family */
  CONNS_PROC_NET_TCP,
};

struct conns_port {
  uint16_t port;
  uint32_t count[CS_NR];
  /* The fullest listener of the port (the largest share of its backlog
   * in use): its queue and its limit. A port may have several (an IPv4
   * and an IPv6 address, SO_REUSEPORT), each with its own queue. */
  bool listening;
  bool limit_known; /* not from /proc/net/tcp */
  uint32_t accept_queue, accept_limit;
};

struct conns_listener {
  uint64_t inode;
  uint16_t port;
};

struct conns {
  enum conns_mode mode;
  enum conns_source source;
  int refused;   /* why sock_diag was given up (-errno), for the log */
  bool no_inet6; /* SOCK_DIAG_BY_FAMILY: the kernel has no IPv6 */
  struct diagsock ds;
  struct procfile tcp[2]; /* net/tcp, net/tcp6 */

  uint16_t ports[CONNS_MAX_PORTS]; /* ascending */
  size_t nr_ports;
  struct conns_port port[CONNS_MAX_PORTS]; /* same index as ports */
  unsigned char filter[SOCKDIAG_PORT_FILTER_MAX(CONNS_MAX_PORTS)];
  size_t filter_len;

  struct conns_listener *listeners; /* from conns_read_listeners */
  size_t nr_listeners, listeners_cap;
  bool listeners_oom;

  unsigned interrupted; /* dumps still interrupted after the retries */
  unsigned malformed;   /* lines of /proc/net/tcp{,6} skipped, last read */
};

_Static_assert(SOCKDIAG_PORT_FILTER_MAX(CONNS_MAX_PORTS) <=
                   DIAGSOCK_BYTECODE_MAX,
               "the port filter fits a request");

/* Nothing is opened until the first read. Returns 0 or -ENOMEM. */
int conns_init(struct conns *c, const char *proc_path, enum conns_mode mode);
void conns_destroy(struct conns *c);

/* The ports to count (any order, repeats ignored). Returns 0, or -E2BIG
 * when there are more than CONNS_MAX_PORTS (the lowest are kept). */
int conns_set_ports(struct conns *c, const uint16_t *ports, size_t n);

/* Counts the connections of the ports into c->port. Returns 0 or -errno;
 * on error c->port holds nothing of this read. */
int conns_read(struct conns *c);

/* Every listening socket, whatever its port, into c->listeners (for
 * finding the ports of a process from its socket inodes). */
int conns_read_listeners(struct conns *c);

/* The index of port in c->ports, or -1. */
int conns_port_index(const struct conns *c, uint16_t port);

#endif
