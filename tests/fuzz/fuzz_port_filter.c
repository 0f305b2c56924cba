/* The kernel-side port filter (sockdiag_port_filter, src/sources/
 * sockdiag.c) and the request that carries it.
 *
 * The input is a list of ports (16 bits each, host order). The program
 * built for it must pass the kernel's own audit (inet_diag_bc_audit: a
 * program it refuses makes the whole dump fail with EINVAL) and, run as
 * the kernel runs it, accept exactly the listed ports. Both kernel rules
 * are the copies in tests/unit/test_sockdiag.c, compiled in here (its main
 * renamed) rather than copied again. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "sources/sockdiag.h"

int test_sockdiag_main(void);
#define main test_sockdiag_main
#include "../unit/test_sockdiag.c"
#undef main

/* Twice the ports a configuration may list (CONNS_MAX_PORTS); the audit
 * is quadratic in the program's length, so no more. */
#define MAX_PORTS 128

static int by_port(const void *a, const void *b) {
  uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
  return (x > y) - (x < y);
}

static bool listed(const uint16_t *ports, size_t n, uint32_t port) {
  return port <= 0xffff &&
         bsearch(&(uint16_t){(uint16_t)port}, ports, n, sizeof(*ports),
                 by_port) != NULL;
}

static void check_request(const unsigned char *prog, int len) {
  static unsigned char req[SOCKDIAG_REQUEST_MAX(SOCKDIAG_PORT_FILTER_MAX(
      MAX_PORTS))];
  struct sockdiag_request r = {.kind = SOCKDIAG_COMPAT,
                               .states = 1u << TCPS_LISTEN,
                               .seq = 7,
                               .bytecode = prog,
                               .bytecode_len = (size_t)len};
  for (int kind = 0; kind < 2; kind++) {
    r.kind = kind ? SOCKDIAG_BY_FAMILY : SOCKDIAG_COMPAT;
    r.family = kind ? AF_INET6 : 0;
    int total = sockdiag_request(req, sizeof(req), &r);
    FUZZ_CHECK(total > 0 && (size_t)total <= SOCKDIAG_REQUEST_MAX(len));
    struct nlmsghdr h;
    memcpy(&h, req, sizeof(h));
    FUZZ_CHECK(h.nlmsg_len == (uint32_t)total);
    /* The program is the request's last attribute, whole. */
    size_t at = (size_t)total - NLA_ALIGN((size_t)len);
    FUZZ_CHECK(memcmp(req + at, prog, (size_t)len) == 0);
    struct nlattr a;
    memcpy(&a, req + at - NLA_HDRLEN, sizeof(a));
    FUZZ_CHECK(a.nla_type == INET_DIAG_REQ_BYTECODE);
    FUZZ_CHECK(a.nla_len == NLA_HDRLEN + len);
    FUZZ_CHECK(sockdiag_request(req, (size_t)total - 1, &r) == -ENOSPC);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint16_t ports[MAX_PORTS];
  static unsigned char prog[SOCKDIAG_PORT_FILTER_MAX(MAX_PORTS)];
  size_t n = size / 2 > MAX_PORTS ? MAX_PORTS : size / 2;

  memcpy(ports, data, n * sizeof(*ports));

  /* As given: refused unless ascending without repeats. */
  bool ascending = true;
  for (size_t i = 1; i < n; i++)
    ascending = ascending && ports[i] > ports[i - 1];
  int len = sockdiag_port_filter(prog, sizeof(prog), ports, n);
  FUZZ_CHECK(n > 0 && ascending ? len > 0 : len == -EINVAL);

  /* Sorted, repeats dropped: always a program. */
  qsort(ports, n, sizeof(*ports), by_port);
  size_t m = 0, ranges = 0;
  for (size_t i = 0; i < n; i++)
    if (m == 0 || ports[i] != ports[m - 1]) {
      if (m == 0 || ports[i] != ports[m - 1] + 1)
        ranges++;
      ports[m++] = ports[i];
    }
  if (m == 0)
    return 0;
  len = sockdiag_port_filter(prog, sizeof(prog), ports, m);
  FUZZ_CHECK(len > 0 && (size_t)len == ranges * 20 - 4);
  FUZZ_CHECK((size_t)len <= SOCKDIAG_PORT_FILTER_MAX(m));
  FUZZ_CHECK(sockdiag_port_filter(prog, (size_t)len - 1, ports, m) ==
             -ENOSPC);
  len = sockdiag_port_filter(prog, sizeof(prog), ports, m);

  FUZZ_CHECK(k_audit(prog, len) == 0);
  /* Every listed port, its neighbours (where ranges begin and end) and
   * both ends of the port space. */
  FUZZ_CHECK(k_run(prog, len, 0) == listed(ports, m, 0));
  FUZZ_CHECK(k_run(prog, len, 0xffff) == listed(ports, m, 0xffff));
  for (size_t i = 0; i < m; i++) {
    uint32_t p = ports[i];
    FUZZ_CHECK(k_run(prog, len, (uint16_t)p));
    if (p > 0)
      FUZZ_CHECK(k_run(prog, len, (uint16_t)(p - 1)) ==
                 listed(ports, m, p - 1));
    if (p < 0xffff)
      FUZZ_CHECK(k_run(prog, len, (uint16_t)(p + 1)) ==
                 listed(ports, m, p + 1));
  }
  check_request(prog, len);
  return 0;
}
