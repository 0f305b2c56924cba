/* lowmem-bench-apache: what one reading of a port's TCP connections costs,
 * lowmem's ways against collectd's tcpconns plugin's ways, with whatever
 * connections are open on this machine (run-apache.sh opens them).
 *
 * Paths, each timed in the same run, alternating in rounds (medians):
 *   lowmem sock_diag      conns_read: one TCPDIAG_GETSOCK dump for both
 *                         families, states and port filtered in the kernel,
 *                         kept-open socket (lowmem's default)
 *   lowmem by family      the same with SOCK_DIAG_BY_FAMILY: two dumps
 *   lowmem /proc/net/tcp  the fallback: both files, every socket parsed
 *   tcpconns sock_diag    what tcpconns does (collectd 5.12, src/tcpconns.c
 *                         conn_read_netlink): a new socket per read, one
 *                         TCPDIAG_GETSOCK dump of every socket in every
 *                         state (no filter), 8 KB reads, each socket's
 *                         ports looked up in the port list
 *   tcpconns /proc        its fallback: fopen, fgets, split and strtol per
 *                         line of /proc/net/tcp and tcp6
 * Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID: the kernel's
 * work of building the dump or the file is in it) and wall time. Heap
 * calls per read are counted once warm (common.c wraps malloc). */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include "apache/conns.h"
#include "apache/procs.h"
#include "common.h"

/* --- the paths ------------------------------------------------------------*/

struct bench {
  uint16_t port;
  struct conns compat, by_family, proc;
  unsigned long long sink; /* what each path counted, so none is idle */
  unsigned established[8]; /* per path, the last read's count */
};

enum path {
  P_COMPAT,
  P_BY_FAMILY,
  P_PROC,
  P_TCPCONNS_NETLINK,
  P_TCPCONNS_PROC,
  P_NR
};

static const char *const path_name[P_NR] = {
    [P_COMPAT] = "lowmem sock_diag (1 dump, filtered)",
    [P_BY_FAMILY] = "lowmem sock_diag by family (2 dumps)",
    [P_PROC] = "lowmem /proc/net/tcp{,6} (fallback)",
    [P_TCPCONNS_NETLINK] = "tcpconns' sock_diag (no filter)",
    [P_TCPCONNS_PROC] = "tcpconns' /proc/net/tcp{,6}",
};

static int read_conns(struct bench *b, struct conns *c, enum path p) {
  int err = conns_read(c);
  if (err)
    return err;
  b->established[p] = c->port[0].count[CS_ESTABLISHED];
  b->sink += b->established[p];
  return 0;
}

/* tcpconns keeps a list of port entries and counts both ends. */
struct tc_port {
  uint16_t port;
  unsigned count_local[TCPS_MAX + 1];
};

static void tc_handle(struct tc_port *pe, uint16_t local, uint16_t remote,
                      uint8_t state) {
  if (state > TCPS_CLOSING)
    return;
  if (pe->port == local)
    pe->count_local[state]++;
  (void)remote;
}

static int tcpconns_netlink(struct bench *b) {
  struct tc_port pe = {.port = b->port};
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req r;
  } req = {
      .nlh = {.nlmsg_len = sizeof(req),
              .nlmsg_type = TCPDIAG_GETSOCK,
              .nlmsg_flags = NLM_F_ROOT | NLM_F_MATCH | NLM_F_REQUEST,
              .nlmsg_seq = 1},
      .r = {.idiag_family = AF_INET, .idiag_states = 0xfff},
  };
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  char buf[8192];
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_INET_DIAG);

  if (fd < 0)
    return -errno;
  if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
             sizeof(kernel)) < 0) {
    close(fd);
    return -errno;
  }
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      close(fd);
      return n < 0 ? -errno : -EPIPE;
    }
    int status = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, status);
         h = NLMSG_NEXT(h, status)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
        close(fd);
        b->established[P_TCPCONNS_NETLINK] = pe.count_local[TCPS_ESTABLISHED];
        b->sink += pe.count_local[TCPS_ESTABLISHED];
        return h->nlmsg_type == NLMSG_DONE ? 0 : -EIO;
      }
      const struct inet_diag_msg *r = NLMSG_DATA(h);
      tc_handle(&pe, ntohs(r->id.idiag_sport), ntohs(r->id.idiag_dport),
                r->idiag_state);
    }
  }
}

/* conn_handle_line: split on blanks, then strtol on the port fields. */
static void tcpconns_line(struct tc_port *pe, char *line) {
  char *fields[32];
  int n = 0;
  char *save = NULL;

  for (char *f = strtok_r(line, " \t\n", &save); f && n < 32;
       f = strtok_r(NULL, " \t\n", &save))
    fields[n++] = f;
  if (n < 12)
    return;
  char *local = strchr(fields[1], ':'), *remote = strchr(fields[2], ':');
  if (local == NULL || remote == NULL)
    return;
  char *end;
  uint16_t lp = (uint16_t)strtol(local + 1, &end, 16);
  if (*end != '\0')
    return;
  uint16_t rp = (uint16_t)strtol(remote + 1, &end, 16);
  if (*end != '\0')
    return;
  uint8_t state = (uint8_t)strtol(fields[3], &end, 16);
  if (*end != '\0')
    return;
  tc_handle(pe, lp, rp, state);
}

static int tcpconns_proc(struct bench *b) {
  static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
  struct tc_port pe = {.port = b->port};
  char line[1024];

  for (int i = 0; i < 2; i++) {
    FILE *f = fopen(files[i], "r");
    if (f == NULL)
      return -errno;
    while (fgets(line, sizeof(line), f) != NULL)
      tcpconns_line(&pe, line);
    fclose(f);
  }
  b->established[P_TCPCONNS_PROC] = pe.count_local[TCPS_ESTABLISHED];
  b->sink += pe.count_local[TCPS_ESTABLISHED];
  return 0;
}

static int run_path(struct bench *b, enum path p) {
  switch (p) {
  case P_COMPAT:
    return read_conns(b, &b->compat, p);
  case P_BY_FAMILY:
    return read_conns(b, &b->by_family, p);
  case P_PROC:
    return read_conns(b, &b->proc, p);
  case P_TCPCONNS_NETLINK:
    return tcpconns_netlink(b);
  case P_TCPCONNS_PROC:
    return tcpconns_proc(b);
  case P_NR:
    break;
  }
  return -EINVAL;
}

/* --- measuring ------------------------------------------------------------*/

struct options {
  uint16_t port;
  unsigned reads, rounds;
  const char *label;
  const char *process;
};

static void usage(FILE *f) {
  fprintf(f, "usage: lowmem-bench-apache --port PORT [-n READS] [-r ROUNDS] "
             "[--label TEXT] [--process NAME]\n");
}

static int parse_options(int argc, char **argv, struct options *o) {
  static const struct option longopts[] = {
      {"port", required_argument, NULL, 'p'},
      {"reads", required_argument, NULL, 'n'},
      {"rounds", required_argument, NULL, 'r'},
      {"label", required_argument, NULL, 'l'},
      {"process", required_argument, NULL, 'P'},
      {NULL, 0, NULL, 0},
  };
  int c;
  *o = (struct options){.reads = 50, .rounds = 9, .label = ""};
  while ((c = getopt_long(argc, argv, "n:r:", longopts, NULL)) != -1) {
    long v = 0;
    if (c != 'l' && c != 'P') {
      v = strtol(optarg, NULL, 10);
      if (v < 1 || v > 65535)
        c = '?';
    }
    switch (c) {
    case 'p':
      o->port = (uint16_t)v;
      break;
    case 'n':
      o->reads = (unsigned)v;
      break;
    case 'r':
      o->rounds = (unsigned)v;
      break;
    case 'l':
      o->label = optarg;
      break;
    case 'P':
      o->process = optarg;
      break;
    default:
      usage(stderr);
      return -1;
    }
  }
  if (o->port == 0) {
    usage(stderr);
    return -1;
  }
  return 0;
}

static int bench_init(struct bench *b, uint16_t port) {
  memset(b, 0, sizeof(*b));
  b->port = port;
  if (conns_init(&b->compat, "/proc", CONNS_NETLINK) ||
      conns_init(&b->by_family, "/proc", CONNS_NETLINK) ||
      conns_init(&b->proc, "/proc", CONNS_PROC) ||
      conns_set_ports(&b->compat, &port, 1) ||
      conns_set_ports(&b->by_family, &port, 1) ||
      conns_set_ports(&b->proc, &port, 1))
    return -ENOMEM;
  b->by_family.source = CONNS_SOCK_DIAG_BY_FAMILY;
  return 0;
}

/* The processes' part, for reference: a walk of /proc (every 10 s), and
 * one sample of the processes found (every second). */
static void bench_processes(const char *name) {
  char names[1][PROCS_NAME_LEN] = {{0}};
  struct procs p;
  struct procs_sample s;
  long page = sysconf(_SC_PAGESIZE);

  snprintf(names[0], sizeof(names[0]), "%s", name);
  if (procs_init(&p, "/proc", (const char(*)[PROCS_NAME_LEN])names, 1,
                 (uint64_t)page) != 0)
    return;
  procs_discover(&p);
  procs_sample(&p, &s);
  struct bench_span walk, sample;
  bench_span_begin(&walk);
  for (int i = 0; i < 20; i++)
    procs_discover(&p);
  bench_span_end(&walk, 20);
  bench_span_begin(&sample);
  for (int i = 0; i < 200; i++) {
    procs_adopt_children(&p);
    procs_sample(&p, &s);
  }
  bench_span_end(&sample, 200);
  printf("processes named %s: %llu found; /proc walk %.1f us (every "
         "ProcessDiscoveryInterval), sample %.1f us (every "
         "ConnectionsInterval), heap calls per sample %.2f\n",
         name, (unsigned long long)s.count, walk.cpu_us, sample.cpu_us,
         (double)sample.heap / 200);
  procs_destroy(&p);
}

int main(int argc, char **argv) {
  struct options o;
  struct bench b;

  if (parse_options(argc, argv, &o) != 0)
    return 2;
  if (bench_init(&b, o.port) != 0) {
    fprintf(stderr, "lowmem-bench-apache: out of memory\n");
    return 1;
  }
  double *cpu[P_NR], *wall[P_NR];
  unsigned long long heap[P_NR] = {0};
  for (int p = 0; p < P_NR; p++) {
    cpu[p] = calloc(o.rounds, sizeof(double));
    wall[p] = calloc(o.rounds, sizeof(double));
    if (cpu[p] == NULL || wall[p] == NULL)
      return 1;
    /* warm: buffers grown, the source chosen */
    for (int w = 0; w < 3; w++)
      if (run_path(&b, (enum path)p) != 0) {
        fprintf(stderr, "lowmem-bench-apache: %s failed\n", path_name[p]);
        return 1;
      }
  }
  for (unsigned r = 0; r < o.rounds; r++)
    for (int k = 0; k < P_NR; k++) {
      enum path p = (enum path)(r % 2 ? P_NR - 1 - k : k);
      struct bench_span span;
      bench_span_begin(&span);
      for (unsigned i = 0; i < o.reads; i++)
        if (run_path(&b, p) != 0)
          return 1;
      bench_span_end(&span, o.reads);
      cpu[p][r] = span.cpu_us;
      wall[p][r] = span.wall_us;
      heap[p] += span.heap;
    }

  double base = bench_median(cpu[P_TCPCONNS_NETLINK], o.rounds);
  printf("\n%s: port %u, %u established on it (each path's count: ", o.label,
         (unsigned)o.port, b.established[P_COMPAT]);
  for (int p = 0; p < P_NR; p++)
    printf("%s%u", p ? " " : "", b.established[p]);
  printf("), medians of %u rounds of %u reads\n", o.rounds, o.reads);
  printf("%-40s %11s %11s %14s %10s\n", "path", "CPU us/read", "wall us",
         "vs tcpconns'", "heap/read");
  for (int p = 0; p < P_NR; p++) {
    double c = bench_median(cpu[p], o.rounds);
    printf("%-40s %11.1f %11.1f %13.2fx %10.2f\n", path_name[p], c,
           bench_median(wall[p], o.rounds), c / base,
           (double)heap[p] / (o.reads * o.rounds));
  }
  if (o.process)
    bench_processes(o.process);
  conns_destroy(&b.compat);
  conns_destroy(&b.by_family);
  conns_destroy(&b.proc);
  for (int p = 0; p < P_NR; p++) {
    free(cpu[p]);
    free(wall[p]);
  }
  return 0;
}
