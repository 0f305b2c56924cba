/* /proc/net/tcp and tcp6 (src/sources/proc_net_tcp.c), the fallback of
 * the web server's connection counts: every socket handed on is counted,
 * of a family the address length gave. */
#include <errno.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "sources/proc_net_tcp.h"

static void on_sock(void *arg, const struct tcp_sock *s) {
  unsigned *n = arg;
  FUZZ_CHECK(s->family == AF_INET || s->family == AF_INET6);
  FUZZ_CHECK(!s->wqueue_is_limit);
  (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct proc_net_tcp t;
  unsigned n = 0;

  int rc = proc_net_tcp_parse(&t, (const char *)data, size, on_sock, &n);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK(n == t.socks);
  FUZZ_CHECK(rc == 0 || n == 0);
  return 0;
}
