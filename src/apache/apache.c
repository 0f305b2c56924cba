#include "apache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../window/types.h"

/* Plugin instances: "apache" for the processes, "apache-<port>" per port,
 * "" (lowmem/fork_rate) for the system's forks. */
static const char PROCESSES[] = "apache";

static const char default_names[][PROCS_NAME_LEN] = {"apache2", "httpd"};

void apache_config_defaults(struct apache_config *c) {
  memset(c, 0, sizeof(*c));
  c->enabled = true;
  c->connections_interval = 1.0;
  c->discovery_interval = 10.0;
  c->source = CONNS_AUTO;
}

static int add_series(struct apache *a, const char *pi, const char *type,
                      const char *ti, enum series_worst worst,
                      enum series_ds ds) {
  int id = series_add(a->set, pi, type, ti, worst, ds);
  if (id < 0)
    a->status.failed_adds++;
  return id;
}

/* Ids of the series of each port of a->conns, after its ports changed.
 * Series of a port no longer watched stay in the set, unfed. */
static void port_series(struct apache *a) {
  for (size_t i = 0; i < a->conns.nr_ports; i++) {
    char pi[SERIES_NAME_LEN];
    int *ids = a->port_ids[i];

    snprintf(pi, sizeof(pi), "apache-%u", (unsigned)a->conns.ports[i]);
    for (int s = 0; s < CS_NR; s++)
      ids[s] = add_series(a, pi, TYPE_TCP_CONNECTIONS, conns_state_name[s],
                          SERIES_MAX, SERIES_GAUGE);
    ids[APS_ACCEPT_QUEUE] =
        add_series(a, pi, TYPE_GAUGE, "accept_queue", SERIES_MAX, SERIES_GAUGE);
    ids[APS_ACCEPT_LIMIT] = add_series(a, pi, TYPE_GAUGE, "accept_queue_limit",
                                       SERIES_MAX, SERIES_GAUGE);
  }
}

int apache_init(struct apache *a, const struct apache_config *c,
                const char *proc_path, double sample_interval,
                double dispatch_interval, uint64_t page_size,
                struct series_set *set) {
  memset(a, 0, sizeof(*a));
  a->config = *c;
  a->set = set;
  a->sample_interval = sample_interval;
  a->dispatch_interval = dispatch_interval;
  a->page_size = page_size;

  const char(*names)[PROCS_NAME_LEN] = c->names;
  size_t nr_names = c->nr_names;
  if (nr_names == 0) {
    names = default_names;
    nr_names = sizeof(default_names) / sizeof(default_names[0]);
  }
  if (conns_init(&a->conns, proc_path, c->source) != 0 ||
      procs_init(&a->procs, proc_path, names, nr_names, page_size) != 0 ||
      procfile_init(&a->stat_file, proc_path, "stat") != 0)
    return -ENOMEM;
  if (c->nr_ports > 0) {
    conns_set_ports(&a->conns, c->ports, c->nr_ports);
    port_series(a);
  }
  a->ps_rss =
      add_series(a, PROCESSES, TYPE_PS_RSS, "", SERIES_MAX, SERIES_GAUGE);
  a->rss_average = add_series(a, PROCESSES, TYPE_PROCESS_RSS, "average",
                              SERIES_MAX, SERIES_GAUGE);
  a->rss_max = add_series(a, PROCESSES, TYPE_PROCESS_RSS, "max", SERIES_MAX,
                          SERIES_GAUGE);
  a->forks = add_series(a, "", TYPE_FORK_RATE, "", SERIES_LAST, SERIES_DERIVE);
  /* Two values: processes and threads. */
  a->ps_count =
      add_series(a, PROCESSES, TYPE_PS_COUNT, "", SERIES_MAX, SERIES_GAUGE);
  return a->status.failed_adds ? -ENOMEM : 0;
}

void apache_destroy(struct apache *a) {
  conns_destroy(&a->conns);
  procs_destroy(&a->procs);
  procfile_destroy(&a->stat_file);
  memset(a, 0, sizeof(*a));
}

/* --- finding processes and ports ------------------------------------------*/

static int by_inode(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return (a > b) - (a < b);
}

/* Adds port to the ascending set found[0..*n) of at most cap ports,
 * which keeps the lowest. False when a port had to be left out. */
static bool add_port(uint16_t *found, size_t *n, size_t cap, uint16_t port) {
  size_t i = 0;
  bool kept_all = true;

  while (i < *n && found[i] < port)
    i++;
  if (i < *n && found[i] == port)
    return true;
  if (*n == cap) {
    if (i == cap)
      return false;
    (*n)--; /* the highest makes room */
    kept_all = false;
  }
  memmove(&found[i + 1], &found[i], (*n - i) * sizeof(*found));
  found[i] = port;
  (*n)++;
  return kept_all;
}

/* The ports of the listening sockets the processes hold. A discovery that
 * finds none keeps the ports of the last: a server that died still has
 * its ports graphed, with nothing listening. */
static void discover_ports(struct apache *a) {
  struct apache_status *st = &a->status;
  uint16_t found[APACHE_MAX_PORTS];
  size_t n = 0;

  st->fd_err = procs_socket_inodes(&a->procs);
  st->listeners_err = conns_read_listeners(&a->conns);
  if (st->listeners_err)
    return;
  for (size_t i = 0; i < a->conns.nr_listeners; i++) {
    const struct conns_listener *l = &a->conns.listeners[i];
    if (a->procs.nr_inodes > 0 &&
        bsearch(&l->inode, a->procs.inodes, a->procs.nr_inodes,
                sizeof(*a->procs.inodes), by_inode) &&
        !add_port(found, &n, APACHE_MAX_PORTS, l->port))
      st->ports_dropped = true;
  }
  if (n == 0 || (n == a->conns.nr_ports &&
                 memcmp(found, a->conns.ports, n * sizeof(*found)) == 0))
    return;
  conns_set_ports(&a->conns, found, n);
  port_series(a);
  a->have_conns = false;
  st->ports_changed = true;
}

static void discover(struct apache *a, double now) {
  a->status.discovered = true;
  a->last_discovery = now;
  a->status.discover_err = procs_discover(&a->procs);
  if (a->config.nr_ports == 0)
    discover_ports(a);
}

/* --- reading --------------------------------------------------------------*/

static void read_forks(struct apache *a) {
  struct procstat ps;
  int err = procfile_read(&a->stat_file);

  if (err == 0)
    err = procstat_parse(&ps, a->stat_file.buf, a->stat_file.len);
  a->status.stat_err = err;
  a->have_forks = err == 0;
  if (err == 0)
    a->forks_now = ps.value[PROCSTAT_PROCESSES];
}

static void read_kernel(struct apache *a, double now) {
  struct apache_status *st = &a->status;
  double slack = a->sample_interval / 2;

  st->read = true;
  if (!a->started || a->procs.master_lost ||
      now - a->last_discovery >= a->config.discovery_interval - slack)
    discover(a, now);
  a->started = true;
  a->last_read = now;

  if (a->conns.nr_ports > 0) {
    st->conns_err = conns_read(&a->conns);
    st->malformed = a->conns.malformed;
    a->have_conns = st->conns_err == 0;
  }
  procs_adopt_children(&a->procs);
  procs_sample(&a->procs, &a->procs_now);
  a->have_procs = true;
  if (a->procs_now.count > 0)
    a->procs_seen = true;
  read_forks(a);
}

/* Read at this sample? Reads that are due wait for the first sample of a
 * window when ConnectionsInterval is at least the dispatch interval, so a
 * window holds one reading; shorter intervals read whenever due, and at
 * the start of each window. */
static bool due(const struct apache *a, double now, bool new_window) {
  if (!a->started)
    return true;
  double elapsed = now - a->last_read;
  bool time =
      elapsed >= a->config.connections_interval - a->sample_interval / 2;
  if (a->config.connections_interval < a->dispatch_interval)
    return new_window || time;
  return new_window && time;
}

static void gauge(struct apache *a, int id, double value) {
  series_gauge(a->set, id, value);
}

static void feed(struct apache *a) {
  if (a->have_conns)
    for (size_t i = 0; i < a->conns.nr_ports; i++) {
      const struct conns_port *p = &a->conns.port[i];
      const int *ids = a->port_ids[i];
      for (int s = 0; s < CS_NR; s++)
        gauge(a, ids[s], p->count[s]);
      if (p->listening)
        gauge(a, ids[APS_ACCEPT_QUEUE], p->accept_queue);
      if (p->limit_known)
        gauge(a, ids[APS_ACCEPT_LIMIT], p->accept_limit);
    }
  if (a->have_procs && a->procs_seen) {
    const struct procs_sample *ps = &a->procs_now;
    gauge(a, a->ps_rss, (double)ps->rss_total);
    if (ps->count > 0) {
      gauge(a, a->rss_average, (double)ps->rss_total / (double)ps->count);
      gauge(a, a->rss_max, (double)ps->rss_max);
    }
    series_gauge2(a->set, a->ps_count, (double)ps->count, (double)ps->threads);
  }
  if (a->have_forks)
    series_derive(a->set, a->forks, (int64_t)a->forks_now);
}

void apache_read(struct apache *a, double now, bool window_start) {
  struct apache_status *st = &a->status;
  int failed_adds = st->failed_adds;

  memset(st, 0, sizeof(*st));
  st->failed_adds = failed_adds;
  st->new_window = window_start;
  if (due(a, now, st->new_window))
    read_kernel(a, now);
  feed(a);
}
