/* sockdiag: the request, the port filter and the dump decoder.
 *
 * Dumps in tests/fixtures/sockdiag/ were captured on this project's build
 * machine with capture.c, all at one moment, with ss.txt (ss -Htane over
 * the same ports) saved right after: the expected counts come from ss.txt,
 *   awk '{n = split($4, a, ":"); print a[n], $1}' ss.txt | sort | uniq -c
 *        5 18080 ESTAB        3 18081 ESTAB        2 18082 FIN-WAIT-2
 *        2 18080 LISTEN       1 18081 LISTEN       1 18082 LISTEN
 *        2 18080 TIME-WAIT    2 18083 CLOSE-WAIT   1 18083 LISTEN
 * and the listeners from
 *   awk '$1 == "LISTEN" {n = split($4, a, ":"); print a[n], $2, $3, $6}' ss.txt
 * (port, Recv-Q = accept queue, Send-Q = backlog limit, inode).
 * The broken-*.bin dumps are made from compat-ports.bin by make-broken.py.
 *
 * The port filter is run through a copy of the kernel's own rules
 * (net/ipv4/inet_diag.c: inet_diag_bc_audit, valid_cc, inet_diag_bc_run)
 * for every port from 0 to 65535. */
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

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fixture.h"
#include "sources/sockdiag.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TREE "sockdiag"
#define FIRST_PORT 18080
#define NR_PORTS 4

/* What a dump held, tallied the way ss prints it. */
struct tally {
  unsigned count[NR_PORTS][TCPS_MAX];
  unsigned family[2]; /* AF_INET, AF_INET6 */
  unsigned other;     /* sockets of another port */
  struct tcp_sock listener[8];
  size_t nr_listeners;
};

static void tally_sock(void *arg, const struct tcp_sock *s) {
  struct tally *t = arg;
  if (s->sport < FIRST_PORT || s->sport >= FIRST_PORT + NR_PORTS ||
      s->state >= TCPS_MAX) {
    t->other++;
    return;
  }
  t->count[s->sport - FIRST_PORT][s->state]++;
  t->family[s->family == AF_INET6]++;
  if (s->state == TCPS_LISTEN && t->nr_listeners < ARRAY_SIZE(t->listener))
    t->listener[t->nr_listeners++] = *s;
}

/* Netlink is host-endian; the dumps were saved on x86_64. */
static bool little_endian(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

static int decode_file(const char *name, struct sockdiag_dump *d,
                       struct tally *t) {
  size_t len;
  char *buf = fixture_read(TREE, name, &len);
  memset(t, 0, sizeof(*t));
  sockdiag_dump_init(d, 1, 0);
  int err = sockdiag_decode(d, buf, len, tally_sock, t);
  free(buf);
  return err;
}

/* ss.txt, by port (18080 + index) and state. */
static void check_ss_counts(const struct tally *t) {
  static const struct {
    unsigned port, state, n;
  } want[] = {
      {18080, TCPS_ESTABLISHED, 5}, {18080, TCPS_LISTEN, 2},
      {18080, TCPS_TIME_WAIT, 2},   {18081, TCPS_ESTABLISHED, 3},
      {18081, TCPS_LISTEN, 1},      {18082, TCPS_FIN_WAIT2, 2},
      {18082, TCPS_LISTEN, 1},      {18083, TCPS_CLOSE_WAIT, 2},
      {18083, TCPS_LISTEN, 1},
  };
  unsigned expected[NR_PORTS][TCPS_MAX] = {{0}};
  for (size_t i = 0; i < ARRAY_SIZE(want); i++)
    expected[want[i].port - FIRST_PORT][want[i].state] = want[i].n;
  for (int p = 0; p < NR_PORTS; p++)
    for (int s = 0; s < TCPS_MAX; s++) {
      if (t->count[p][s] != expected[p][s])
        print_message("port %d state %d: %u, ss says %u\n", FIRST_PORT + p, s,
                      t->count[p][s], expected[p][s]);
      assert_int_equal(t->count[p][s], expected[p][s]);
    }
  assert_int_equal(t->other, 0);
}

static void test_compat_dump(void **state) {
  (void)state;
  struct sockdiag_dump d;
  struct tally t;

  if (!little_endian())
    skip();
  assert_int_equal(decode_file("compat-ports.bin", &d, &t), 0);
  assert_true(d.done);
  assert_false(d.interrupted);
  assert_int_equal(d.socks, 19); /* wc -l ss.txt */
  assert_int_equal(d.foreign, 0);
  check_ss_counts(&t);
  /* IPv6: the lines of ss.txt with '[' in the local address: 6 */
  assert_int_equal(t.family[1], 6);
  assert_int_equal(t.family[0], 13);
}

/* SOCK_DIAG_BY_FAMILY: the two dumps hold the families apart and together
 * what the compat dump holds. */
static void test_by_family_dumps(void **state) {
  (void)state;
  struct sockdiag_dump d4, d6;
  struct tally t4, t6, sum;

  if (!little_endian())
    skip();
  assert_int_equal(decode_file("inet-ports.bin", &d4, &t4), 0);
  assert_int_equal(decode_file("inet6-ports.bin", &d6, &t6), 0);
  assert_true(d4.done && d6.done);
  assert_int_equal(t4.family[1], 0);
  assert_int_equal(t6.family[0], 0);
  assert_int_equal(t4.family[0], 13);
  assert_int_equal(t6.family[1], 6);
  memset(&sum, 0, sizeof(sum));
  for (int p = 0; p < NR_PORTS; p++)
    for (int s = 0; s < TCPS_MAX; s++)
      sum.count[p][s] = t4.count[p][s] + t6.count[p][s];
  check_ss_counts(&sum);
}

/* The listeners: accept queue in rqueue, backlog limit in wqueue. */
static void test_listeners(void **state) {
  (void)state;
  static const struct {
    uint16_t port;
    uint32_t queue, limit;
    uint64_t inode;
  } want[] = {
      {18083, 0, 16, 368121},  {18080, 0, 511, 324829}, {18081, 3, 8, 368108},
      {18080, 0, 511, 324831}, {18082, 0, 16, 368112},
  };
  struct sockdiag_dump d;
  struct tally t;

  if (!little_endian())
    skip();
  assert_int_equal(decode_file("compat-listen.bin", &d, &t), 0);
  assert_true(d.done);
  assert_int_equal(t.nr_listeners, ARRAY_SIZE(want));
  for (size_t w = 0; w < ARRAY_SIZE(want); w++) {
    bool found = false;
    for (size_t i = 0; i < t.nr_listeners; i++) {
      const struct tcp_sock *s = &t.listener[i];
      if (s->inode != want[w].inode)
        continue;
      found = true;
      assert_int_equal(s->sport, want[w].port);
      assert_int_equal(s->dport, 0);
      assert_int_equal(s->rqueue, want[w].queue);
      assert_int_equal(s->wqueue, want[w].limit);
      assert_true(s->wqueue_is_limit);
    }
    assert_true(found);
  }
}

/* A dump comes in datagrams: decoding it message by message, in pieces,
 * gives the same as at once, and is done only at NLMSG_DONE. */
static void test_in_pieces(void **state) {
  (void)state;
  size_t len;
  struct sockdiag_dump d;
  struct tally t;

  if (!little_endian())
    skip();
  char *buf = fixture_read(TREE, "compat-ports.bin", &len);
  memset(&t, 0, sizeof(t));
  sockdiag_dump_init(&d, 1, 0);
  for (size_t off = 0; off < len;) {
    struct nlmsghdr h;
    memcpy(&h, buf + off, sizeof(h));
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    assert_false(d.done);
    assert_int_equal(sockdiag_decode(&d, buf + off, step, tally_sock, &t), 0);
    off += step;
  }
  assert_true(d.done);
  check_ss_counts(&t);
  free(buf);
}

/* Another sequence number, or another port id, is not this dump's. */
static void test_seq_and_portid(void **state) {
  (void)state;
  size_t len;
  struct sockdiag_dump d;
  struct tally t;

  if (!little_endian())
    skip();
  char *buf = fixture_read(TREE, "compat-ports.bin", &len);
  memset(&t, 0, sizeof(t));
  sockdiag_dump_init(&d, 2, 0);
  assert_int_equal(sockdiag_decode(&d, buf, len, tally_sock, &t), 0);
  assert_false(d.done);
  assert_int_equal(d.socks, 0);
  assert_int_equal(d.foreign, 20); /* 19 sockets and NLMSG_DONE */

  struct nlmsghdr h;
  memcpy(&h, buf, sizeof(h));
  sockdiag_dump_init(&d, 1, h.nlmsg_pid + 1);
  assert_int_equal(sockdiag_decode(&d, buf, len, tally_sock, &t), 0);
  assert_int_equal(d.socks, 0);
  sockdiag_dump_init(&d, 1, h.nlmsg_pid);
  assert_int_equal(sockdiag_decode(&d, buf, len, tally_sock, &t), 0);
  assert_int_equal(d.socks, 19);
  free(buf);
}

/* Broken dumps (make-broken.py): an error, and what came before it. */
static void test_broken(void **state) {
  (void)state;
  static const struct {
    const char *file;
    int ret;
    unsigned socks;
    bool done, interrupted;
    unsigned foreign;
  } cases[] = {
      {"broken-truncated-message.bin", -EBADMSG, 1, false, false, 0},
      {"broken-truncated-header.bin", -EBADMSG, 1, false, false, 0},
      {"broken-len-too-small.bin", -EBADMSG, 0, false, false, 0},
      {"broken-short-payload.bin", -EBADMSG, 0, false, false, 0},
      {"broken-error-einval.bin", -EINVAL, 0, false, false, 0},
      {"broken-done-enobufs.bin", -ENOBUFS, 2, true, false, 0},
      {"broken-dump-intr.bin", 0, 19, true, true, 0},
      {"broken-foreign-seq.bin", 0, 19, true, false, 1},
      {"broken-ack.bin", 0, 0, true, false, 0},
      {"broken-empty.bin", 0, 0, false, false, 0},
      {"broken-garbage.bin", -EBADMSG, 0, false, false, 0},
  };

  if (!little_endian())
    skip();
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct sockdiag_dump d;
    struct tally t;
    print_message("%s\n", cases[i].file);
    assert_int_equal(decode_file(cases[i].file, &d, &t), cases[i].ret);
    assert_int_equal(d.socks, cases[i].socks);
    assert_int_equal(d.done, cases[i].done);
    assert_int_equal(d.interrupted, cases[i].interrupted);
    assert_int_equal(d.foreign, cases[i].foreign);
  }
}

/* Every prefix of a good dump: never read past the end, and an error or a
 * clean stop at a message boundary. */
static void test_every_prefix(void **state) {
  (void)state;
  size_t len;
  char *buf = fixture_read(TREE, "compat-ports.bin", &len);

  for (size_t n = 0; n <= len; n++) {
    char *copy = malloc(n ? n : 1);
    struct sockdiag_dump d;
    struct tally t;
    memcpy(copy, buf, n);
    memset(&t, 0, sizeof(t));
    sockdiag_dump_init(&d, 1, 0);
    int err = sockdiag_decode(&d, copy, n, tally_sock, &t);
    assert_true(err == 0 || err == -EBADMSG);
    assert_true(d.socks <= 19);
    free(copy);
  }
  free(buf);
}

/* --- the request ----------------------------------------------------------*/

static void test_request_compat(void **state) {
  (void)state;
  unsigned char buf[256], prog[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  struct sockdiag_request r = {.kind = SOCKDIAG_COMPAT,
                               .states = 0xf7e,
                               .seq = 42,
                               .bytecode = prog,
                               .bytecode_len = sizeof(prog)};
  int len = sockdiag_request(buf, sizeof(buf), &r);
  /* header, struct inet_diag_req, attribute header, program */
  assert_int_equal(len, 16 + 60 + 4 + 8);

  struct nlmsghdr h;
  struct inet_diag_req req;
  struct nlattr a;
  memcpy(&h, buf, sizeof(h));
  memcpy(&req, buf + 16, sizeof(req));
  memcpy(&a, buf + 16 + 60, sizeof(a));
  assert_int_equal(h.nlmsg_len, (unsigned)len);
  assert_int_equal(h.nlmsg_type, TCPDIAG_GETSOCK);
  assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  assert_int_equal(h.nlmsg_seq, 42);
  assert_int_equal(req.idiag_states, 0xf7e);
  assert_int_equal(req.idiag_ext, 0);
  assert_int_equal(a.nla_type, INET_DIAG_REQ_BYTECODE);
  assert_int_equal(a.nla_len, 4 + 8);
  assert_memory_equal(buf + 16 + 60 + 4, prog, sizeof(prog));
}

static void test_request_by_family(void **state) {
  (void)state;
  unsigned char buf[256];
  struct sockdiag_request r = {.kind = SOCKDIAG_BY_FAMILY,
                               .family = AF_INET6,
                               .states = 1u << TCPS_LISTEN,
                               .seq = 7};
  int len = sockdiag_request(buf, sizeof(buf), &r);
  assert_int_equal(len, 16 + 56);

  struct nlmsghdr h;
  struct inet_diag_req_v2 req;
  memcpy(&h, buf, sizeof(h));
  memcpy(&req, buf + 16, sizeof(req));
  assert_int_equal(h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
  assert_int_equal(req.sdiag_family, AF_INET6);
  assert_int_equal(req.sdiag_protocol, 6); /* IPPROTO_TCP */
  assert_int_equal(req.idiag_states, 1u << 10);

  r.family = AF_UNIX;
  assert_int_equal(sockdiag_request(buf, sizeof(buf), &r), -EINVAL);
  r.family = AF_INET;
  assert_int_equal(sockdiag_request(buf, 71, &r), -ENOSPC);
  assert_int_equal(sockdiag_request(buf, 72, &r), 72);
}

/* --- the port filter, through the kernel's rules --------------------------*/

/* valid_cc(): a jump target must be reached by following "yes". */
static bool k_valid_cc(const unsigned char *bc, int len, int cc) {
  while (len >= 0) {
    struct inet_diag_bc_op op;
    if (cc > len)
      return false;
    if (cc == len)
      return true;
    memcpy(&op, bc, sizeof(op));
    if (op.yes < 4 || op.yes & 3)
      return false;
    len -= op.yes;
    bc += op.yes;
  }
  return false;
}

/* inet_diag_bc_audit(), for the ops the filter uses. */
static int k_audit(const unsigned char *bytecode, int bytecode_len) {
  const unsigned char *bc = bytecode;
  int len = bytecode_len;

  if (len < 4)
    return -EINVAL;
  while (len > 0) {
    int min_len = 4;
    struct inet_diag_bc_op op;
    memcpy(&op, bc, sizeof(op));
    switch (op.code) {
    case INET_DIAG_BC_S_GE:
    case INET_DIAG_BC_S_LE:
    case INET_DIAG_BC_D_GE:
    case INET_DIAG_BC_D_LE:
      min_len += 4; /* valid_port_comparison() */
      if (len < min_len)
        return -EINVAL;
      break;
    case INET_DIAG_BC_JMP:
    case INET_DIAG_BC_NOP:
      break;
    default:
      return -EINVAL;
    }
    if (op.code != INET_DIAG_BC_NOP) {
      if (op.no < min_len || op.no > len + 4 || op.no & 3)
        return -EINVAL;
      if (op.no < len && !k_valid_cc(bytecode, bytecode_len, len - op.no))
        return -EINVAL;
    }
    if (op.yes < min_len || op.yes > len + 4 || op.yes & 3)
      return -EINVAL;
    bc += op.yes;
    len -= op.yes;
  }
  return len == 0 ? 0 : -EINVAL;
}

/* inet_diag_bc_run() on a socket with local port sport. */
static bool k_run(const unsigned char *bc, int len, uint16_t sport) {
  while (len > 0) {
    struct inet_diag_bc_op op, arg;
    bool yes = true;
    memcpy(&op, bc, sizeof(op));
    switch (op.code) {
    case INET_DIAG_BC_JMP:
      yes = false;
      break;
    case INET_DIAG_BC_S_GE:
      memcpy(&arg, bc + 4, sizeof(arg));
      yes = sport >= arg.no;
      break;
    case INET_DIAG_BC_S_LE:
      memcpy(&arg, bc + 4, sizeof(arg));
      yes = sport <= arg.no;
      break;
    default:
      break;
    }
    int step = yes ? op.yes : op.no;
    len -= step;
    bc += step;
  }
  return len == 0;
}

static void test_port_filter(void **state) {
  (void)state;
  static const uint16_t one[] = {80};
  static const uint16_t two[] = {80, 443};
  static const uint16_t runs[] = {1, 80, 81, 82, 443, 8080, 8081, 65535};
  static const struct {
    const uint16_t *ports;
    size_t n, ranges;
  } cases[] = {
      {one, 1, 1},
      {two, 2, 2},
      {runs, ARRAY_SIZE(runs), 5}, /* 1, 80-82, 443, 8080-8081, 65535 */
  };
  uint16_t many[64];
  for (int i = 0; i < 64; i++)
    many[i] = (uint16_t)(1000 + 2 * i); /* no two consecutive */

  for (size_t c = 0; c <= ARRAY_SIZE(cases); c++) {
    const uint16_t *ports = c < ARRAY_SIZE(cases) ? cases[c].ports : many;
    size_t n = c < ARRAY_SIZE(cases) ? cases[c].n : 64;
    size_t ranges = c < ARRAY_SIZE(cases) ? cases[c].ranges : 64;
    unsigned char prog[SOCKDIAG_PORT_FILTER_MAX(64)];

    int len = sockdiag_port_filter(prog, sizeof(prog), ports, n);
    assert_int_equal(len, (int)(ranges * 20 - 4));
    assert_int_equal(k_audit(prog, len), 0);
    for (uint32_t port = 0; port <= 65535; port++) {
      bool want = false;
      for (size_t i = 0; i < n; i++)
        want = want || ports[i] == port;
      if (k_run(prog, len, (uint16_t)port) != want)
        fail_msg("case %zu: port %u %s", c, port,
                 want ? "rejected" : "accepted");
    }
  }
}

static void test_port_filter_refuses(void **state) {
  (void)state;
  static const uint16_t unsorted[] = {443, 80};
  static const uint16_t repeated[] = {80, 80};
  static const uint16_t two[] = {80, 443};
  unsigned char prog[64];

  assert_int_equal(sockdiag_port_filter(prog, sizeof(prog), two, 0), -EINVAL);
  assert_int_equal(sockdiag_port_filter(prog, sizeof(prog), unsorted, 2),
                   -EINVAL);
  assert_int_equal(sockdiag_port_filter(prog, sizeof(prog), repeated, 2),
                   -EINVAL);
  assert_int_equal(sockdiag_port_filter(prog, 35, two, 2), -ENOSPC);
  assert_int_equal(sockdiag_port_filter(prog, 36, two, 2), 36);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compat_dump),
      cmocka_unit_test(test_by_family_dumps),
      cmocka_unit_test(test_listeners),
      cmocka_unit_test(test_in_pieces),
      cmocka_unit_test(test_seq_and_portid),
      cmocka_unit_test(test_broken),
      cmocka_unit_test(test_every_prefix),
      cmocka_unit_test(test_request_compat),
      cmocka_unit_test(test_request_by_family),
      cmocka_unit_test(test_port_filter),
      cmocka_unit_test(test_port_filter_refuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
