/* The web server: TCP connections by state on its ports, the accept queue
 * of its listening sockets, its processes (count, threads, RSS) and the
 * system's fork rate, fed to the window as series.
 *
 * The memory sources are sampled every SampleInterval (0.1 s); a dump of
 * the TCP tables walks the whole established hash, and the process files
 * are one read per process, so these are read every ConnectionsInterval
 * (1 s by default) only. With ConnectionsInterval at the dispatch interval
 * or longer, the reads happen at the first sample of a window, so each
 * window holds its own reading and no other; between reads the latest
 * reading is fed at every sample, so that every window has a value.
 *
 * Processes are found by name every ProcessDiscoveryInterval (10 s) by a
 * walk of /proc, and followed by pid in between (procs.h). Without `Port`,
 * the ports are those of the listening sockets the processes hold, found
 * with each discovery. */
#ifndef LOWMEM_APACHE_H
#define LOWMEM_APACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conns.h"
#include "procs.h"
#include "sources/procfile.h"
#include "sources/procstat.h"
#include "window/series.h"

#define APACHE_MAX_PORTS CONNS_MAX_PORTS
#define APACHE_MAX_NAMES PROCS_MAX_NAMES

struct apache_config {
  bool enabled;
  uint16_t ports[APACHE_MAX_PORTS]; /* `Port`; none: from the processes */
  size_t nr_ports;
  char names[APACHE_MAX_NAMES][PROCS_NAME_LEN]; /* `ProcessName` */
  size_t nr_names;                              /* 0: apache2 and httpd */
  double connections_interval;                  /* seconds */
  double discovery_interval;                    /* seconds */
  enum conns_mode source;
};

/* Enabled, no ports, default names, 1 s, 10 s, CONNS_AUTO. */
void apache_config_defaults(struct apache_config *c);

/* Per port: one series per state, then the accept queue and its limit. */
enum { APS_ACCEPT_QUEUE = CS_NR, APS_ACCEPT_LIMIT, APS_NR };

/* What happened at this sample, for the glue to report. */
struct apache_status {
  bool new_window; /* this sample is the first of a window */
  bool read;       /* the kernel was read at this sample */
  bool discovered; /* processes (and ports) were looked for */
  bool ports_changed;
  int conns_err; /* of the last read: 0 or -errno */
  int discover_err;
  int fd_err; /* reading the processes' descriptors (-EACCES) */
  int listeners_err;
  int stat_err;       /* /proc/stat */
  bool ports_dropped; /* more listening ports than APACHE_MAX_PORTS */
  unsigned malformed; /* lines of /proc/net/tcp{,6} skipped */
  int failed_adds;    /* series the set refused */
};

struct apache {
  struct apache_config config;
  struct series_set *set;
  double sample_interval, dispatch_interval; /* seconds */
  uint64_t page_size;

  struct conns conns;
  struct procs procs;
  struct procfile stat_file;

  int port_ids[APACHE_MAX_PORTS][APS_NR]; /* by index of conns.ports */
  int ps_rss, rss_average, rss_max, forks;
  int ps_count; /* two values: processes, threads */

  /* The latest reading of each part, fed at every sample. */
  bool have_conns, have_procs, have_forks;
  bool procs_seen; /* a process was found once: report 0 when none is */
  struct procs_sample procs_now;
  uint64_t forks_now;

  bool started;
  double last_read, last_discovery;
  struct apache_status status;
};

/* Adds the series that exist from the start; opens nothing yet. Returns 0
 * or -ENOMEM. */
int apache_init(struct apache *a, const struct apache_config *c,
                const char *proc_path, double sample_interval,
                double dispatch_interval, uint64_t page_size,
                struct series_set *set);

/* One sample at monotonic time now (seconds), window_start when it is the
 * first of a window: reads the kernel when due, feeds the latest readings
 * to the window; a->status says what happened. */
void apache_read(struct apache *a, double now, bool window_start);

void apache_destroy(struct apache *a);

#endif
