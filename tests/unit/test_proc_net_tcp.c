/* proc_net_tcp_parse over the apache-6.18-x86_64 tree and broken input.
 *
 * proc/net/tcp and tcp6 of that tree were captured at the moment of
 * tests/fixtures/sockdiag/ss.txt (the same sockets; lines of other ports
 * left out with awk, see its README), so the server side (local ports
 * 18080-18083, hex 46A0-46A3) holds what ss counted there:
 *   awk 'NR > 1 {print $2, $4}' proc/net/tcp proc/net/tcp6
 * gives per local port and state (hex): 46A0 0A x2, 01 x5, 06 x2; 46A1
 * 0A x1 (rx_queue 3), 01 x3; 46A2 0A x1, 05 x2; 46A3 0A x1, 08 x2; the
 * clients' sockets (other local ports): 8 in tcp, 4 in tcp6. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/proc_net_tcp.h"

#define FIRST_PORT 18080
#define NR_PORTS 4

struct tally {
  unsigned count[NR_PORTS][TCPS_MAX];
  unsigned clients, family[2];
  struct tcp_sock last_listener_18081;
};

static void tally_sock(void *arg, const struct tcp_sock *s) {
  struct tally *t = arg;
  t->family[s->family == AF_INET6]++;
  if (s->sport < FIRST_PORT || s->sport >= FIRST_PORT + NR_PORTS) {
    t->clients++;
    assert_true(s->dport >= FIRST_PORT && s->dport < FIRST_PORT + NR_PORTS);
    return;
  }
  assert_true(s->state < TCPS_MAX);
  t->count[s->sport - FIRST_PORT][s->state]++;
  if (s->sport == 18081 && s->state == TCPS_LISTEN)
    t->last_listener_18081 = *s;
}

static int parse(const char *tree, const char *rel, struct proc_net_tcp *p,
                 struct tally *t) {
  size_t len;
  char *buf = fixture_read(tree, rel, &len);
  memset(t, 0, sizeof(*t));
  int err = proc_net_tcp_parse(p, buf, len, tally_sock, t);
  free(buf);
  return err;
}

static void test_capture(void **state) {
  (void)state;
  struct proc_net_tcp p4, p6;
  struct tally t4, t6;

  assert_int_equal(parse("apache-6.18-x86_64", "proc/net/tcp", &p4, &t4), 0);
  assert_int_equal(parse("apache-6.18-x86_64", "proc/net/tcp6", &p6, &t6), 0);
  assert_int_equal(p4.malformed + p6.malformed, 0);
  assert_int_equal(p4.socks, 21);
  assert_int_equal(p6.socks, 10);
  assert_int_equal(t4.family[0], 21);
  assert_int_equal(t6.family[1], 10);
  assert_int_equal(t4.clients, 8);
  assert_int_equal(t6.clients, 4);

  unsigned sum[NR_PORTS][TCPS_MAX];
  for (int port = 0; port < NR_PORTS; port++)
    for (int s = 0; s < TCPS_MAX; s++)
      sum[port][s] = t4.count[port][s] + t6.count[port][s];
  assert_int_equal(sum[0][TCPS_LISTEN], 2);
  assert_int_equal(sum[0][TCPS_ESTABLISHED], 5);
  assert_int_equal(sum[0][TCPS_TIME_WAIT], 2);
  assert_int_equal(sum[1][TCPS_LISTEN], 1);
  assert_int_equal(sum[1][TCPS_ESTABLISHED], 3);
  assert_int_equal(sum[2][TCPS_LISTEN], 1);
  assert_int_equal(sum[2][TCPS_FIN_WAIT2], 2);
  assert_int_equal(sum[3][TCPS_LISTEN], 1);
  assert_int_equal(sum[3][TCPS_CLOSE_WAIT], 2);
  unsigned total = 0;
  for (int port = 0; port < NR_PORTS; port++)
    for (int s = 0; s < TCPS_MAX; s++)
      total += sum[port][s];
  assert_int_equal(total, 19); /* wc -l ss.txt */

  /* The listener of 18081: 3 waiting to be accepted, no limit printed. */
  const struct tcp_sock *l = &t4.last_listener_18081;
  assert_int_equal(l->rqueue, 3);
  assert_int_equal(l->wqueue, 0);
  assert_false(l->wqueue_is_limit);
  assert_int_equal(l->inode, 368108);
}

static void test_broken(void **state) {
  (void)state;
  static const struct {
    const char *rel;
    int ret;
    unsigned socks, malformed;
  } cases[] = {
      /* lines 1-5 and 7: cut, not hex, families apart, 9-digit address,
       * 5-digit port, inode past 64 bits; the blank line is no fault */
      {"proc/net-tcp-garbage", 0, 2, 6},
      /* cut inside the remote address of the third socket */
      {"proc/net-tcp-truncated", 0, 2, 1},
      {"proc/net-tcp-no-header", -EINVAL, 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct proc_net_tcp p;
    struct tally t;
    print_message("%s\n", cases[i].rel);
    assert_int_equal(parse("malformed", cases[i].rel, &p, &t), cases[i].ret);
    assert_int_equal(p.socks, cases[i].socks);
    assert_int_equal(p.malformed, cases[i].malformed);
  }
}

/* Every prefix of the capture: no read past the end, nothing fatal. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read("apache-6.18-x86_64", "proc/net/tcp", &len);
  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    struct proc_net_tcp p;
    struct tally t;
    memcpy(copy, buf, n);
    memset(&t, 0, sizeof(t));
    int err = proc_net_tcp_parse(&p, copy, n, tally_sock, &t);
    assert_true(err == 0 || err == -EINVAL);
    assert_true(p.socks <= 21);
    free(copy);
  }
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_capture),
      cmocka_unit_test(test_broken),
      cmocka_unit_test(test_every_prefix),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
