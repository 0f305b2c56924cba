/* The web server hook (hooks.h): its configuration keys and its log; its
 * values go through the window like every other series (src/apache/). */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "apache/apache.h"
#include "complain.h"
#include "hooks.h"
#include "option.h"
#include "say.h"

#include <errno.h>
#include <strings.h>

#define ERROR_LOG(...) plugin_log(LOG_ERR, "lowmem plugin: " __VA_ARGS__)

static struct apache_config config;
static bool config_set; /* defaults applied */
static struct apache apache;
static bool running;

/* What was last reported, so that the log says each thing once. */
static struct {
  enum conns_source source;
  int conns_err, discover_err, fd_err, listeners_err, stat_err;
  bool none_found, found, ports_dropped, malformed, failed_adds;
  unsigned interrupted;
} said;

static struct apache_config *cfg(void) {
  if (!config_set) {
    apache_config_defaults(&config);
    config_set = true;
  }
  return &config;
}

/* --- configuration --------------------------------------------------------*/

static int parse_enabled(const oconfig_item_t *ci) {
  return option_boolean(ci, &cfg()->enabled);
}

static int parse_port(const oconfig_item_t *ci) {
  struct apache_config *c = cfg();

  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num < 1)
    goto wrong;
  for (int i = 0; i < ci->values_num; i++) {
    unsigned port;
    if (!option_value_whole(ci, i, 1, 65535, &port))
      goto wrong;
    if (c->nr_ports == APACHE_MAX_PORTS) {
      ERROR_LOG("Port: at most %d ports can be watched.", APACHE_MAX_PORTS);
      return -1;
    }
    c->ports[c->nr_ports++] = (uint16_t)port;
  }
  return 0;
wrong:
  ERROR_LOG("Port takes local TCP port numbers from 1 to 65535, e.g. "
            "Port 80 443 (repeatable).");
  return -1;
}

static int parse_process_name(const oconfig_item_t *ci) {
  struct apache_config *c = cfg();

  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num < 1)
    goto wrong;
  for (int i = 0; i < ci->values_num; i++) {
    const char *name;
    if (!option_value_string(ci, i, SIZE_MAX, &name))
      goto wrong;
    if (strlen(name) >= PROCS_NAME_LEN) {
      char shown[64];
      ERROR_LOG("ProcessName \"%s\" is longer than the kernel's process "
                "names (%d characters): give the name `ps -o comm` shows.",
                option_shown(name, shown, sizeof(shown)), PROCS_NAME_LEN - 1);
      return -1;
    }
    if (c->nr_names == APACHE_MAX_NAMES) {
      ERROR_LOG("ProcessName: at most %d names.", APACHE_MAX_NAMES);
      return -1;
    }
    sstrncpy(c->names[c->nr_names++], name, PROCS_NAME_LEN);
  }
  return 0;
wrong:
  ERROR_LOG("ProcessName takes process names in quotes, as `ps -o comm` "
            "shows them, e.g. ProcessName \"apache2\" (repeatable).");
  return -1;
}

static int parse_source(const oconfig_item_t *ci) {
  static const struct {
    const char *name;
    enum conns_mode mode;
  } names[] = {
      {"auto", CONNS_AUTO}, {"netlink", CONNS_NETLINK}, {"proc", CONNS_PROC}};

  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING)
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
      if (strcasecmp(ci->values[0].value.string, names[i].name) == 0) {
        cfg()->source = names[i].mode;
        return 0;
      }
  ERROR_LOG("ConnectionsSource takes \"auto\" (NETLINK_SOCK_DIAG, or "
            "/proc/net/tcp where it cannot be used), \"netlink\" or "
            "\"proc\".");
  return -1;
}

static int apache_config(const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "Apache") == 0)
    return parse_enabled(ci);
  if (strcasecmp(ci->key, "Port") == 0)
    return parse_port(ci);
  if (strcasecmp(ci->key, "ProcessName") == 0)
    return parse_process_name(ci);
  if (strcasecmp(ci->key, "ConnectionsInterval") == 0)
    return option_number(ci, 0.01, 3600, "seconds", "1",
                         &cfg()->connections_interval);
  if (strcasecmp(ci->key, "ProcessDiscoveryInterval") == 0)
    return option_number(ci, 0.1, 86400, "seconds", "10",
                         &cfg()->discovery_interval);
  if (strcasecmp(ci->key, "ConnectionsSource") == 0)
    return parse_source(ci);
  return 1;
}

static void say_ports(void);

/* --- start and stop -------------------------------------------------------*/

static int apache_start(const struct lowmem_context *ctx) {
  struct apache_config *c = cfg();

  if (!c->enabled)
    return 0;
  /* The kernel is read at a sample or not at all. */
  if (c->connections_interval < ctx->sample_interval) {
    plugin_log(LOG_NOTICE,
               "lowmem plugin: ConnectionsInterval %.3f s is shorter than "
               "SampleInterval %.3f s: connections are read at every sample.",
               c->connections_interval, ctx->sample_interval);
    c->connections_interval = ctx->sample_interval;
  }
  if (apache_init(&apache, c, ctx->proc_path, ctx->sample_interval,
                  CDTIME_T_TO_DOUBLE(ctx->dispatch_interval), ctx->page_size,
                  ctx->set) != 0) {
    ERROR_LOG("out of memory at start (web server connections and "
              "processes).");
    apache_destroy(&apache);
    return -1;
  }
  memset(&said, 0, sizeof(said));
  running = true;
  if (c->nr_ports > 0)
    say_ports();
  return 0;
}

static void apache_stop(void) {
  if (running)
    apache_destroy(&apache);
  running = false;
  config_set = false;
}

/* --- the log --------------------------------------------------------------*/

/* Names of the processes looked for, for messages. */
static const char *names_text(char *buf, size_t cap) {
  const struct procs *p = &apache.procs;
  size_t off = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < p->nr_names && off < cap; i++)
    off += (size_t)snprintf(buf + off, cap - off, "%s%s", i ? ", " : "",
                            p->names[i]);
  return buf;
}

static void say_source(void) {
  const struct conns *c = &apache.conns;
  if (c->source == said.source)
    return;
  said.source = c->source;
  switch (c->source) {
  case CONNS_SOCK_DIAG_COMPAT:
    plugin_log(LOG_INFO,
               "lowmem plugin: TCP connections are read with "
               "NETLINK_SOCK_DIAG (TCPDIAG_GETSOCK: one dump for "
               "IPv4 and IPv6), every %.3f s.",
               config.connections_interval);
    break;
  case CONNS_SOCK_DIAG_BY_FAMILY:
    plugin_log(LOG_INFO,
               "lowmem plugin: TCP connections are read with "
               "NETLINK_SOCK_DIAG (SOCK_DIAG_BY_FAMILY, IPv4 and "
               "IPv6 apart), every %.3f s.",
               config.connections_interval);
    break;
  case CONNS_PROC_NET_TCP:
    if (c->refused)
      plugin_log(LOG_WARNING,
                 "lowmem plugin: NETLINK_SOCK_DIAG cannot be used (%s): TCP "
                 "connections are read from %s and tcp6 instead, which "
                 "costs more where there are many sockets. Load the "
                 "inet_diag and tcp_diag modules, or allow collectd "
                 "netlink sock_diag in its security policy.",
                 STRERROR(-c->refused), c->tcp[0].path);
    else
      plugin_log(LOG_INFO,
                 "lowmem plugin: TCP connections are read from %s and "
                 "tcp6 (ConnectionsSource \"proc\"), every %.3f s.",
                 c->tcp[0].path, config.connections_interval);
    break;
  case CONNS_UNDECIDED:
    break;
  }
}

static void say_ports(void) {
  char ports[APACHE_MAX_PORTS * 6 + 1], names[256];
  size_t off = 0;
  const struct conns *c = &apache.conns;

  ports[0] = '\0';
  for (size_t i = 0; i < c->nr_ports; i++)
    off += (size_t)snprintf(ports + off, sizeof(ports) - off, "%s%u",
                            i ? " " : "", (unsigned)c->ports[i]);
  if (config.nr_ports > 0)
    plugin_log(LOG_INFO, "lowmem plugin: watching TCP port(s) %s (Port).",
               ports);
  else
    plugin_log(LOG_INFO,
               "lowmem plugin: watching TCP port(s) %s, where processes "
               "named %s listen.",
               ports, names_text(names, sizeof(names)));
}

static void say_processes(void) {
  char names[256];
  bool none = apache.procs.nr == 0;

  if (none && !said.none_found && !said.found) {
    plugin_log(LOG_NOTICE,
               "lowmem plugin: no process named %s is running; looking "
               "again every %.0f s (ProcessDiscoveryInterval). Set "
               "ProcessName to the web server's name, or \"Apache false\".",
               names_text(names, sizeof(names)), config.discovery_interval);
    said.none_found = true;
  }
  if (!none && !said.found) {
    plugin_log(LOG_INFO, "lowmem plugin: found %zu process(es) named %s.",
               apache.procs.nr, names_text(names, sizeof(names)));
    said.found = true;
  }
}

static void report(const struct apache_status *st) {
  const struct conns *c = &apache.conns;

  if (st->discovered) {
    say_err(&said.discover_err, st->discover_err,
            "list the processes under ProcPath",
            "check ProcPath and collectd's rights");
    say_processes();
    if (config.nr_ports == 0) {
      say_err(&said.fd_err, st->fd_err,
              "read the web server's descriptors (/proc/PID/fd)",
              "its listening ports are unknown: run collectd as root, or "
              "name the ports with Port");
      say_err(&said.listeners_err, st->listeners_err,
              "list the listening TCP sockets",
              "the ports are looked for again at the next discovery");
    }
    if (st->ports_dropped && !said.ports_dropped) {
      plugin_log(LOG_WARNING,
                 "lowmem plugin: the web server listens on more than %d "
                 "ports; the lowest %d are watched. Name the ports with "
                 "Port.",
                 APACHE_MAX_PORTS, APACHE_MAX_PORTS);
      said.ports_dropped = true;
    }
  }
  say_source();
  if (st->ports_changed)
    say_ports();
  if (st->read) {
    say_err(&said.conns_err, st->conns_err, "read TCP connections",
            "their values are not reported until it can");
    say_err(&said.stat_err, st->stat_err, "read stat under ProcPath (forks)",
            "lowmem/fork_rate is not reported until it can");
    if (st->malformed && !said.malformed)
      plugin_log(LOG_WARNING,
                 "lowmem plugin: skipped %u malformed line(s) of %s and "
                 "tcp6. Please report this with a copy of the files.",
                 st->malformed, c->tcp[0].path);
    said.malformed = st->malformed > 0;
  }
  if (c->interrupted != said.interrupted) {
    if (said.interrupted == 0)
      plugin_log(LOG_NOTICE,
                 "lowmem plugin: the kernel kept interrupting TCP dumps "
                 "(the tables changed while they were read); the counts "
                 "of such a read may be off by the sockets that moved.");
    said.interrupted = c->interrupted;
  }
  if (st->failed_adds && !said.failed_adds) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: %d web server value(s) could not be added "
               "and are not reported (too many values, or no memory).",
               st->failed_adds);
    said.failed_adds = true;
  }
}

/* --- reading --------------------------------------------------------------*/

static void apache_sample(const struct lowmem_context *ctx, struct tick *t) {
  (void)ctx;
  if (!running)
    return;
  apache_read(&apache, t->mono, t->window_start);
  report(&apache.status);
}

const struct lowmem_hook apache_hook = {
    .config = apache_config,
    .init = apache_start,
    .read = apache_sample,
    .shutdown = apache_stop,
};
