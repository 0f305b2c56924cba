/* The web server room: processes, ports and connections on a saved /proc
 * tree, the timing of reads against the windows, and sock_diag on this
 * machine's own loopback.
 *
 * apache-6.18-x86_64/proc (see its README) holds three apache2 processes
 * (master 1339, children 1341 and 1342: ps.txt) and a cron (4242), and
 * /proc/net/tcp{,6} of the moment tests/fixtures/sockdiag/ss.txt was
 * taken. The master's descriptors are listed in proc/1339/fd.links (make
 * dist cannot carry symbolic links that point nowhere), so each test runs
 * on a copy of the tree made with them: fd/3 and fd/4 are its listening
 * sockets 324829 (127.0.0.1:18080) and 324831 ([::1]:18080), per ss.txt's
 * inodes. Port
 * 18080 then has, per ss.txt: ESTABLISHED 5, TIME_WAIT 2, LISTEN 2.
 * Expected RSS: statm resident pages (awk '{print $2}' proc/<pid>/statm:
 * 967, 1292, 1290) x 4096; threads from stat field 20 (1 + 27 + 27);
 * forks from "processes" in proc/stat (289069). */
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "apache/apache.h"
#include "fixture.h"

#define TREE "apache-6.18-x86_64/proc"
#define PAGE 4096
#define RSS_1339 (967ull * PAGE)
#define RSS_1341 (1292ull * PAGE)
#define RSS_1342 (1290ull * PAGE)

/* --- a copy of the tree, with the fd links --------------------------------*/

static char tree[64]; /* the copy's proc directory */
static size_t src_len;
static const char *src_root;

static int copy_entry(const char *path, const struct stat *st, int type,
                      struct FTW *ftw) {
  char dst[4096];
  (void)ftw;
  snprintf(dst, sizeof(dst), "%s%s", tree, path + src_len);
  if (type == FTW_D)
    return mkdir(dst, 0755) == 0 || errno == EEXIST ? 0 : -1;
  if (type != FTW_F)
    return 0;
  FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
  char buf[4096];
  size_t n;
  if (in == NULL || out == NULL)
    return -1;
  while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
    fwrite(buf, 1, n, out);
  fclose(in);
  fclose(out);
  (void)st;
  return 0;
}

/* Makes proc/<pid>/fd/N -> target for each line "N target" of fd.links. */
static int make_fd_links(const char *pid) {
  char path[4096], line[256];
  snprintf(path, sizeof(path), "%s/%s/fd.links", tree, pid);
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return -1;
  snprintf(path, sizeof(path), "%s/%s/fd", tree, pid);
  mkdir(path, 0755);
  while (fgets(line, sizeof(line), f) != NULL) {
    char *target = strchr(line, ' ');
    if (target == NULL)
      continue;
    *target++ = '\0';
    target[strcspn(target, "\n")] = '\0';
    snprintf(path, sizeof(path), "%s/%s/fd/%s", tree, pid, line);
    if (symlink(target, path) != 0)
      return -1;
  }
  fclose(f);
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw) {
  (void)st;
  (void)type;
  (void)ftw;
  return remove(path);
}

static int tree_setup(void **state) {
  (void)state;
  char dir[] = "/tmp/lowmem-test-apache.XXXXXX";
  if (mkdtemp(dir) == NULL)
    return -1;
  snprintf(tree, sizeof(tree), "%s/proc", dir);
  src_root = fixture_path(TREE);
  src_len = strlen(src_root);
  if (nftw(src_root, copy_entry, 16, FTW_PHYS) != 0)
    return -1;
  return make_fd_links("1339");
}

static int tree_teardown(void **state) {
  (void)state;
  char dir[64];
  snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(tree) - 5), tree);
  return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- the room -------------------------------------------------------------*/

struct room {
  struct series_set set;
  struct apache a;
};

static void room_start(struct room *r, struct apache_config *c, double ci,
                       double di) {
  series_init(&r->set, 10000);
  c->source = CONNS_PROC;
  c->connections_interval = ci;
  assert_int_equal(apache_init(&r->a, c, tree, 0.1, di, PAGE, &r->set), 0);
}

static void room_stop(struct room *r) {
  apache_destroy(&r->a);
  series_free(&r->set);
}

static const struct series *get(const struct room *r, const char *pi,
                                const char *type, const char *ti) {
  int id = series_find(&r->set, pi, type, ti);
  if (id < 0)
    fail_msg("no series %s/%s-%s", pi, type, ti);
  return &r->set.v[id];
}

static void expect_gauge(const struct room *r, const char *pi, const char *type,
                         const char *ti, double want) {
  const struct series *s = get(r, pi, type, ti);
  if (s->n == 0)
    fail_msg("%s/%s-%s has no sample", pi, type, ti);
  if (s->gauge != want)
    fail_msg("%s/%s-%s = %g, want %g", pi, type, ti, s->gauge, want);
}

/* Discovery, ports from the master's sockets, counts, processes, forks. */
static void test_fixture_tree(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;

  apache_config_defaults(&c);
  room_start(&r, &c, 1.0, 1.0);
  apache_read(&r.a, 100.0, true);
  const struct apache_status *st = &r.a.status;
  assert_true(st->new_window && st->read && st->discovered);
  assert_true(st->ports_changed);
  assert_int_equal(st->conns_err, 0);
  assert_int_equal(st->fd_err, 0);
  assert_int_equal(r.a.conns.source, CONNS_PROC_NET_TCP);
  assert_int_equal(r.a.conns.nr_ports, 1);
  assert_int_equal(r.a.conns.ports[0], 18080);

  assert_int_equal(r.a.procs.nr, 3);
  assert_int_equal(r.a.procs.tasks[0].pid, 1339);
  assert_true(r.a.procs.tasks[0].master);
  assert_false(r.a.procs.tasks[1].master);
  assert_false(r.a.procs.tasks[2].master);

  static const struct {
    const char *state;
    double n;
  } conns[] = {{"ESTABLISHED", 5}, {"SYN_RECV", 0},  {"TIME_WAIT", 2},
               {"CLOSE_WAIT", 0},  {"FIN_WAIT1", 0}, {"FIN_WAIT2", 0},
               {"LAST_ACK", 0},    {"CLOSING", 0},   {"SYN_SENT", 0},
               {"LISTEN", 2}};
  for (size_t i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
    expect_gauge(&r, "apache-18080", "tcp_connections", conns[i].state,
                 conns[i].n);
  expect_gauge(&r, "apache-18080", "gauge", "accept_queue", 0);
  /* /proc/net/tcp does not print a listener's backlog: not reported */
  assert_int_equal(get(&r, "apache-18080", "gauge", "accept_queue_limit")->n,
                   0);

  double total = (double)(RSS_1339 + RSS_1341 + RSS_1342);
  expect_gauge(&r, "apache", "ps_rss", "", total);
  expect_gauge(&r, "apache", "process_rss", "average", total / 3);
  expect_gauge(&r, "apache", "process_rss", "max", (double)RSS_1341);
  const struct series *pc = get(&r, "apache", "ps_count", "");
  assert_int_equal(pc->n, 1);
  assert_int_equal(pc->values, 2);
  assert_true(pc->gauge == 3);   /* processes */
  assert_true(pc->gauge2 == 55); /* threads */
  const struct series *forks = get(&r, "", "fork_rate", "");
  assert_int_equal(forks->n, 1);
  assert_int_equal(forks->derive, 289069);
  assert_int_equal(forks->ds, SERIES_DERIVE);
  room_stop(&r);
}

/* With ConnectionsInterval = dispatch interval = 1 s, the kernel is read
 * at the first sample of each window and at no other; every sample feeds
 * the latest reading. lowmem resets the set when it dispatches. */
static void test_reads_follow_windows(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;
  const char *pi = "apache-18080";

  apache_config_defaults(&c);
  room_start(&r, &c, 1.0, 1.0);
  apache_read(&r.a, 10.0, true);
  assert_true(r.a.status.read);
  for (int i = 1; i < 10; i++) {
    apache_read(&r.a, 10.0 + i * 0.1, false);
    assert_false(r.a.status.new_window);
    assert_false(r.a.status.read);
  }
  assert_int_equal(get(&r, pi, "tcp_connections", "LISTEN")->n, 10);
  assert_int_equal(get(&r, "apache", "ps_count", "")->n, 10);

  series_reset(&r.set); /* lowmem dispatched the window */
  apache_read(&r.a, 11.0, true);
  assert_true(r.a.status.new_window);
  assert_true(r.a.status.read);
  assert_false(r.a.status.discovered); /* every 10 s */
  assert_int_equal(get(&r, "apache", "ps_count", "")->n, 1);

  /* A window that starts early (a late sample before it): the reading
   * waits for the next window rather than read twice in a second. */
  series_reset(&r.set);
  apache_read(&r.a, 11.5, true);
  assert_true(r.a.status.new_window);
  assert_false(r.a.status.read);
  assert_int_equal(get(&r, pi, "tcp_connections", "ESTABLISHED")->n, 1);
  series_reset(&r.set);
  apache_read(&r.a, 12.5, true);
  assert_true(r.a.status.read);

  /* Discovery again after ProcessDiscoveryInterval (10 s) */
  series_reset(&r.set);
  apache_read(&r.a, 20.0, true);
  assert_true(r.a.status.read);
  assert_true(r.a.status.discovered);
  assert_false(r.a.status.ports_changed);
  room_stop(&r);
}

/* ConnectionsInterval 2 s with 1 s windows: every second window reads;
 * the other holds the reading. 0.25 s: several reads per window. */
static void test_other_intervals(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;
  int reads = 0;

  apache_config_defaults(&c);
  room_start(&r, &c, 2.0, 1.0);
  for (int w = 0; w < 6; w++) {
    series_reset(&r.set);
    for (int i = 0; i < 10; i++) {
      apache_read(&r.a, 50.0 + w + i * 0.1, i == 0);
      reads += r.a.status.read;
      assert_true(!r.a.status.read || (i == 0 && w % 2 == 0));
    }
    assert_int_equal(get(&r, "apache", "ps_rss", "")->n, 10);
  }
  assert_int_equal(reads, 3);
  room_stop(&r);

  apache_config_defaults(&c);
  room_start(&r, &c, 0.25, 1.0);
  reads = 0;
  for (int i = 0; i < 20; i++) {
    if (i % 10 == 0)
      series_reset(&r.set);
    apache_read(&r.a, 60.0 + i * 0.1, i % 10 == 0);
    reads += r.a.status.read;
  }
  /* 60.0, 60.3, 60.6, 60.9, 61.0 (new window), 61.3, 61.6, 61.9 */
  assert_int_equal(reads, 8);
  room_stop(&r);
}

/* Port given: no port discovery. The queue of 18081 (3 not accepted). */
static void test_ports_given(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;

  apache_config_defaults(&c);
  c.ports[c.nr_ports++] = 18083;
  c.ports[c.nr_ports++] = 18081;
  room_start(&r, &c, 1.0, 1.0);
  apache_read(&r.a, 1.0, true);
  assert_false(r.a.status.ports_changed);
  assert_int_equal(r.a.conns.nr_ports, 2);
  expect_gauge(&r, "apache-18081", "tcp_connections", "ESTABLISHED", 3);
  expect_gauge(&r, "apache-18081", "tcp_connections", "LISTEN", 1);
  expect_gauge(&r, "apache-18081", "gauge", "accept_queue", 3);
  expect_gauge(&r, "apache-18083", "tcp_connections", "CLOSE_WAIT", 2);
  expect_gauge(&r, "apache-18083", "tcp_connections", "ESTABLISHED", 0);
  assert_int_equal(
      series_find(&r.set, "apache-18080", "tcp_connections", "ESTABLISHED"),
      -1);
  room_stop(&r);
}

/* Another name: cron, which holds no socket, so no port. */
static void test_other_name(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;

  apache_config_defaults(&c);
  strcpy(c.names[c.nr_names++], "cron");
  room_start(&r, &c, 1.0, 1.0);
  apache_read(&r.a, 1.0, true);
  assert_int_equal(r.a.procs.nr, 1);
  assert_int_equal(r.a.procs.tasks[0].pid, 4242);
  assert_int_equal(r.a.conns.nr_ports, 0);
  assert_int_equal(r.a.status.fd_err, 0);
  expect_gauge(&r, "apache", "ps_rss", "", 640.0 * PAGE);
  room_stop(&r);
}

/* No process of that name: nothing about processes is reported, forks
 * are. */
static void test_nobody(void **state) {
  (void)state;
  struct apache_config c;
  struct room r;

  apache_config_defaults(&c);
  strcpy(c.names[c.nr_names++], "nginx");
  room_start(&r, &c, 1.0, 1.0);
  apache_read(&r.a, 1.0, true);
  assert_int_equal(r.a.procs.nr, 0);
  assert_int_equal(get(&r, "apache", "ps_rss", "")->n, 0);
  assert_int_equal(get(&r, "apache", "ps_count", "")->n, 0);
  assert_int_equal(get(&r, "", "fork_rate", "")->n, 1);
  room_stop(&r);
}

/* A child that was not there at discovery is found through its parent's
 * children file; a pid that vanished is dropped. */
static void test_children_and_vanished(void **state) {
  (void)state;
  struct procs p;
  const char names[][PROCS_NAME_LEN] = {"apache2"};
  struct procs_sample s;

  assert_int_equal(procs_init(&p, tree, names, 1, PAGE), 0);
  assert_int_equal(procs_discover(&p), 0);
  assert_int_equal(p.nr, 3);
  p.nr = 2; /* 1342 forked since */
  procs_adopt_children(&p);
  assert_false(p.no_children);
  assert_int_equal(p.nr, 3);
  assert_int_equal(p.tasks[2].pid, 1342);
  assert_false(p.tasks[2].master);

  p.tasks[1].pid = 1777; /* gone */
  procs_sample(&p, &s);
  assert_int_equal(s.count, 2);
  assert_int_equal(s.rss_total, RSS_1339 + RSS_1342);
  assert_int_equal(s.threads, 28);
  assert_false(p.master_lost);
  p.tasks[0].pid = 1778; /* the master gone */
  procs_sample(&p, &s);
  assert_true(p.master_lost);
  assert_int_equal(s.count, 1);

  assert_int_equal(procs_discover(&p), 0);
  assert_int_equal(procs_socket_inodes(&p), 0);
  assert_int_equal(p.nr_inodes, 2);
  assert_int_equal(p.inodes[0], 324829);
  assert_int_equal(p.inodes[1], 324831);
  procs_destroy(&p);
}

static void test_set_ports(void **state) {
  (void)state;
  struct conns c;
  uint16_t many[80];

  assert_int_equal(conns_init(&c, "/nonexistent", CONNS_PROC), 0);
  for (int i = 0; i < 80; i++)
    many[i] = (uint16_t)(5000 - i * 3);
  assert_int_equal(conns_set_ports(&c, many, 80), -E2BIG);
  assert_int_equal(c.nr_ports, CONNS_MAX_PORTS);
  for (size_t i = 0; i < c.nr_ports; i++)
    assert_int_equal(c.ports[i], 5000 - 79 * 3 + (int)i * 3);
  const uint16_t twice[] = {443, 80, 443, 80};
  assert_int_equal(conns_set_ports(&c, twice, 4), 0);
  assert_int_equal(c.nr_ports, 2);
  assert_int_equal(c.ports[0], 80);
  assert_int_equal(conns_port_index(&c, 443), 1);
  assert_int_equal(conns_port_index(&c, 444), -1);
  /* ProcPath without net/tcp: an error, and no counts */
  assert_int_equal(conns_read(&c), -ENOENT);
  conns_destroy(&c);
}

/* --- this machine's loopback, through sock_diag ---------------------------*/

struct loopback {
  int listener, client[3];
  uint16_t port;
  uint64_t inode;
};

/* A listener with backlog 5 that never accepts, and 3 clients: they wait
 * in its accept queue, as established sockets of its port. */
static bool loopback_open(struct loopback *l) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  struct stat st;

  l->listener = socket(AF_INET, SOCK_STREAM, 0);
  if (l->listener < 0 || bind(l->listener, (struct sockaddr *)&a, len) != 0 ||
      listen(l->listener, 5) != 0 ||
      getsockname(l->listener, (struct sockaddr *)&a, &len) != 0 ||
      fstat(l->listener, &st) != 0)
    return false;
  l->port = ntohs(a.sin_port);
  l->inode = st.st_ino;
  for (int i = 0; i < 3; i++) {
    l->client[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (l->client[i] < 0 ||
        connect(l->client[i], (struct sockaddr *)&a, len) != 0)
      return false;
  }
  return true;
}

static void loopback_close(struct loopback *l) {
  for (int i = 0; i < 3; i++)
    close(l->client[i]);
  close(l->listener);
}

static void expect_loopback(const struct conns *c, bool limit_known) {
  const struct conns_port *p = &c->port[0];
  assert_int_equal(p->count[CS_ESTABLISHED], 3);
  assert_int_equal(p->count[CS_LISTEN], 1);
  assert_true(p->listening);
  assert_int_equal(p->accept_queue, 3);
  assert_int_equal(p->limit_known, limit_known);
  assert_int_equal(p->accept_limit, limit_known ? 5 : 0);
  unsigned others = 0;
  for (int s = 0; s < CS_NR; s++)
    if (s != CS_ESTABLISHED && s != CS_LISTEN)
      others += p->count[s];
  assert_int_equal(others, 0);
}

static void test_loopback(void **state) {
  (void)state;
  struct loopback l;
  struct conns c;
  int probe = socket(AF_NETLINK, SOCK_DGRAM, 4 /* NETLINK_SOCK_DIAG */);

  if (probe < 0)
    skip();
  close(probe);
  if (!loopback_open(&l))
    skip();
  assert_int_equal(conns_init(&c, "/proc", CONNS_AUTO), 0);
  assert_int_equal(conns_set_ports(&c, &l.port, 1), 0);
  assert_int_equal(conns_read(&c), 0);
  assert_int_equal(c.source, CONNS_SOCK_DIAG_COMPAT);
  expect_loopback(&c, true);
  unsigned reopened = c.ds.reopened;
  assert_int_equal(conns_read(&c), 0); /* the socket is kept */
  assert_int_equal(c.ds.reopened, reopened);
  expect_loopback(&c, true);

  c.source = CONNS_SOCK_DIAG_BY_FAMILY;
  assert_int_equal(conns_read(&c), 0);
  expect_loopback(&c, true);
  c.source = CONNS_PROC_NET_TCP;
  assert_int_equal(conns_read(&c), 0);
  expect_loopback(&c, false);

  c.source = CONNS_SOCK_DIAG_COMPAT;
  assert_int_equal(conns_read_listeners(&c), 0);
  bool found = false;
  for (size_t i = 0; i < c.nr_listeners; i++)
    if (c.listeners[i].inode == l.inode) {
      assert_int_equal(c.listeners[i].port, l.port);
      found = true;
    }
  assert_true(found);
  conns_destroy(&c);
  loopback_close(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_tree),
      cmocka_unit_test(test_reads_follow_windows),
      cmocka_unit_test(test_other_intervals),
      cmocka_unit_test(test_ports_given),
      cmocka_unit_test(test_other_name),
      cmocka_unit_test(test_nobody),
      cmocka_unit_test(test_children_and_vanished),
      cmocka_unit_test(test_set_ports),
      cmocka_unit_test(test_loopback),
  };
  return cmocka_run_group_tests(tests, tree_setup, tree_teardown);
}
