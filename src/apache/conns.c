#include "conns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sources/proc_net_tcp.h"
#include "util/array.h"

/* A dump the kernel marks interrupted is asked again, this many times. */
enum { CONNS_DUMP_TRIES = 3 };

const char *const conns_state_name[CS_NR] = {
    [CS_ESTABLISHED] = "ESTABLISHED", [CS_SYN_RECV] = "SYN_RECV",
    [CS_TIME_WAIT] = "TIME_WAIT",     [CS_CLOSE_WAIT] = "CLOSE_WAIT",
    [CS_FIN_WAIT1] = "FIN_WAIT1",     [CS_FIN_WAIT2] = "FIN_WAIT2",
    [CS_LAST_ACK] = "LAST_ACK",       [CS_CLOSING] = "CLOSING",
    [CS_SYN_SENT] = "SYN_SENT",       [CS_LISTEN] = "LISTEN",
};

/* Kernel state -> reported state, -1: not reported (CLOSE). */
static const signed char state_of_tcps[TCPS_MAX] = {
    [0] = -1,
    [TCPS_ESTABLISHED] = CS_ESTABLISHED,
    [TCPS_SYN_SENT] = CS_SYN_SENT,
    [TCPS_SYN_RECV] = CS_SYN_RECV,
    [TCPS_FIN_WAIT1] = CS_FIN_WAIT1,
    [TCPS_FIN_WAIT2] = CS_FIN_WAIT2,
    [TCPS_TIME_WAIT] = CS_TIME_WAIT,
    [TCPS_CLOSE] = -1,
    [TCPS_CLOSE_WAIT] = CS_CLOSE_WAIT,
    [TCPS_LAST_ACK] = CS_LAST_ACK,
    [TCPS_LISTEN] = CS_LISTEN,
    [TCPS_CLOSING] = CS_CLOSING,
    [TCPS_NEW_SYN_RECV] = CS_SYN_RECV,
};

/* The dump's state mask: every reported state. The kernel adds request
 * sockets (NEW_SYN_RECV) to SYN_RECV itself. */
static uint32_t reported_states(void) {
  uint32_t mask = 0;
  for (int s = 1; s < TCPS_MAX; s++)
    if (state_of_tcps[s] >= 0 && s != TCPS_NEW_SYN_RECV)
      mask |= 1u << s;
  return mask;
}

int conns_init(struct conns *c, const char *proc_path, enum conns_mode mode) {
  memset(c, 0, sizeof(*c));
  c->mode = mode;
  diagsock_init(&c->ds);
  if (procfile_init(&c->tcp[0], proc_path, "net/tcp") != 0 ||
      procfile_init(&c->tcp[1], proc_path, "net/tcp6") != 0)
    return -ENOMEM;
  return 0;
}

void conns_destroy(struct conns *c) {
  diagsock_destroy(&c->ds);
  procfile_destroy(&c->tcp[0]);
  procfile_destroy(&c->tcp[1]);
  free(c->listeners);
  memset(c, 0, sizeof(*c));
}

static int by_port(const void *a, const void *b) {
  uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
  return (x > y) - (x < y);
}

int conns_set_ports(struct conns *c, const uint16_t *ports, size_t n) {
  uint16_t sorted[CONNS_MAX_PORTS] = {0};
  size_t nr = 0;
  int err = 0;

  /* The lowest CONNS_MAX_PORTS distinct ports, ascending. */
  for (size_t i = 0; i < n; i++) {
    if (nr > 0 && bsearch(&ports[i], sorted, nr, sizeof(*sorted), by_port))
      continue;
    if (nr == CONNS_MAX_PORTS) {
      err = -E2BIG;
      if (ports[i] > sorted[nr - 1])
        continue;
      nr--;
    }
    size_t j = nr++;
    for (; j > 0 && sorted[j - 1] > ports[i]; j--)
      sorted[j] = sorted[j - 1];
    sorted[j] = ports[i];
  }
  memcpy(c->ports, sorted, nr * sizeof(*sorted));
  c->nr_ports = nr;
  memset(c->port, 0, sizeof(c->port));
  for (size_t i = 0; i < nr; i++)
    c->port[i].port = sorted[i];
  c->filter_len = 0;
  if (nr > 0) {
    int len = sockdiag_port_filter(c->filter, sizeof(c->filter), c->ports, nr);
    if (len < 0)
      return len;
    c->filter_len = (size_t)len;
  }
  return err;
}

int conns_port_index(const struct conns *c, uint16_t port) {
  const uint16_t *p =
      bsearch(&port, c->ports, c->nr_ports, sizeof(*c->ports), by_port);
  return p ? (int)(p - c->ports) : -1;
}

/* --- counting -------------------------------------------------------------*/

/* True when listener a (queue, limit) is fuller than b: a larger share of
 * its backlog in use, then the longer queue, then the smaller limit. */
static bool fuller(uint32_t qa, uint32_t la, uint32_t qb, uint32_t lb,
                   bool limits) {
  if (limits) {
    uint64_t ra = (uint64_t)qa * lb, rb = (uint64_t)qb * la;
    if (ra != rb)
      return ra > rb;
  }
  if (qa != qb)
    return qa > qb;
  return limits && la < lb;
}

static void count_sock(void *arg, const struct tcp_sock *s) {
  struct conns *c = arg;
  int i;

  if (s->state >= TCPS_MAX || state_of_tcps[s->state] < 0 ||
      (s->family != AF_INET && s->family != AF_INET6) ||
      (i = conns_port_index(c, s->sport)) < 0)
    return;
  struct conns_port *p = &c->port[i];
  p->count[state_of_tcps[s->state]]++;
  if (s->state != TCPS_LISTEN)
    return;
  if (!p->listening || fuller(s->rqueue, s->wqueue, p->accept_queue,
                              p->accept_limit, s->wqueue_is_limit)) {
    p->accept_queue = s->rqueue;
    p->accept_limit = s->wqueue_is_limit ? s->wqueue : 0;
    p->limit_known = s->wqueue_is_limit;
  }
  p->listening = true;
}

static void reset_counts(void *arg) {
  struct conns *c = arg;
  for (size_t i = 0; i < c->nr_ports; i++) {
    uint16_t port = c->port[i].port;
    memset(&c->port[i], 0, sizeof(c->port[i]));
    c->port[i].port = port;
  }
}

static void add_listener(void *arg, const struct tcp_sock *s) {
  struct conns *c = arg;

  if (s->state != TCPS_LISTEN || s->inode == 0)
    return;
  if (array_reserve(&c->listeners, &c->listeners_cap, c->nr_listeners + 1,
                    sizeof(*c->listeners)) != 0) {
    c->listeners_oom = true;
    return;
  }
  c->listeners[c->nr_listeners++] =
      (struct conns_listener){.inode = s->inode, .port = s->sport};
}

static void reset_listeners(void *arg) {
  struct conns *c = arg;
  c->nr_listeners = 0;
  c->listeners_oom = false;
}

/* --- sources --------------------------------------------------------------*/

/* What one read asks: states, the port filter, where the sockets go. */
struct walk {
  uint32_t states;
  bool filtered;
  tcp_sock_fn *fn;
  void (*reset)(void *arg);
};

static int walk_proc(struct conns *c, const struct walk *w) {
  c->malformed = 0;
  w->reset(c);
  for (int f = 0; f < 2; f++) {
    struct proc_net_tcp t;
    int err = procfile_read(&c->tcp[f]);
    if (err == -ENOENT && f == 1)
      break; /* no IPv6 */
    if (err == 0)
      err = proc_net_tcp_parse(&t, c->tcp[f].buf, c->tcp[f].len, w->fn, c);
    if (err)
      return err;
    c->malformed += t.malformed;
  }
  return 0;
}

static int dump(struct conns *c, const struct walk *w, enum sockdiag_kind kind,
                uint8_t family) {
  struct sockdiag_request r = {
      .kind = kind,
      .family = family,
      .states = w->states,
      .bytecode = w->filtered ? c->filter : NULL,
      .bytecode_len = w->filtered ? c->filter_len : 0,
  };
  return diagsock_dump(&c->ds, &r, w->fn, c);
}

/* One consistent reading with kind: a dump the kernel marks interrupted
 * is asked again, a few times, then taken as it is. */
static int walk_sock_diag(struct conns *c, const struct walk *w,
                          enum sockdiag_kind kind) {
  int err = -EINTR;

  for (int t = 0; t < CONNS_DUMP_TRIES && err == -EINTR; t++) {
    w->reset(c);
    if (kind == SOCKDIAG_COMPAT) {
      err = dump(c, w, kind, AF_INET);
    } else {
      err = dump(c, w, kind, AF_INET);
      int err6 = err == 0 && !c->no_inet6 ? dump(c, w, kind, AF_INET6) : 0;
      /* A kernel without IPv6 has no handler for AF_INET6. */
      if (err6 == -ENOENT || err6 == -EAFNOSUPPORT) {
        c->no_inet6 = true;
        err6 = 0;
      }
      if (err == 0)
        err = err6;
    }
  }
  if (err == -EINTR) {
    c->interrupted++;
    err = 0;
  }
  return err;
}

/* The kernel, or its security policy, will not do sock_diag at all (as
 * opposed to a passing failure: a timeout, no memory). */
static bool refusal(int err) {
  return err == -EPROTONOSUPPORT || err == -EAFNOSUPPORT ||
         err == -ESOCKTNOSUPPORT || err == -EINVAL || err == -ENOENT ||
         err == -EOPNOTSUPP || err == -EPERM || err == -EACCES;
}

/* The first reading tries the sources in order and keeps the first that
 * answers. */
static int decide(struct conns *c, const struct walk *w) {
  if (c->mode == CONNS_PROC) {
    c->source = CONNS_PROC_NET_TCP;
    return walk_proc(c, w);
  }
  int err = walk_sock_diag(c, w, SOCKDIAG_COMPAT);
  if (err == 0) {
    c->source = CONNS_SOCK_DIAG_COMPAT;
    return 0;
  }
  if (!refusal(err))
    return err;
  err = walk_sock_diag(c, w, SOCKDIAG_BY_FAMILY);
  if (err == 0) {
    c->source = CONNS_SOCK_DIAG_BY_FAMILY;
    return 0;
  }
  if (!refusal(err) || c->mode == CONNS_NETLINK)
    return err;
  diagsock_destroy(&c->ds);
  c->refused = err;
  c->source = CONNS_PROC_NET_TCP;
  return walk_proc(c, w);
}

static int walk(struct conns *c, const struct walk *w) {
  switch (c->source) {
  case CONNS_UNDECIDED:
    return decide(c, w);
  case CONNS_SOCK_DIAG_COMPAT:
    return walk_sock_diag(c, w, SOCKDIAG_COMPAT);
  case CONNS_SOCK_DIAG_BY_FAMILY:
    return walk_sock_diag(c, w, SOCKDIAG_BY_FAMILY);
  case CONNS_PROC_NET_TCP:
    return walk_proc(c, w);
  }
  return -EINVAL;
}

int conns_read(struct conns *c) {
  const struct walk w = {.states = reported_states(),
                         .filtered = true,
                         .fn = count_sock,
                         .reset = reset_counts};
  if (c->nr_ports == 0)
    return 0;
  int err = walk(c, &w);
  if (err)
    reset_counts(c);
  return err;
}

int conns_read_listeners(struct conns *c) {
  const struct walk w = {.states = 1u << TCPS_LISTEN,
                         .filtered = false,
                         .fn = add_listener,
                         .reset = reset_listeners};
  int err = walk(c, &w);
  if (err == 0 && c->listeners_oom)
    err = -ENOMEM;
  return err;
}
