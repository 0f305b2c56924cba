/* The NETLINK_SOCK_DIAG answer decoder (src/sources/sockdiag.c): bytes
 * the kernel sent, read by sockdiag_decode.
 *
 * The dump's sequence number and port id are taken from the input's first
 * message, so that a captured dump is a seed as it is. The same buffer is
 * then decoded again one message at a time, as datagrams arrive: the
 * answer must not depend on how the messages were cut into reads. */
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "sources/sockdiag.h"

static void on_sock(void *arg, const struct tcp_sock *s) {
  unsigned *n = arg;
  FUZZ_CHECK(s->wqueue_is_limit == (s->state == TCPS_LISTEN));
  (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sockdiag_dump whole, parts;
  uint32_t seq = 0, portid = 0;
  unsigned n_whole = 0, n_parts = 0;

  if (size >= sizeof(struct nlmsghdr)) {
    struct nlmsghdr h;
    memcpy(&h, data, sizeof(h));
    seq = h.nlmsg_seq;
    portid = h.nlmsg_pid;
  }

  sockdiag_dump_init(&whole, seq, portid);
  int rc = sockdiag_decode(&whole, data, size, on_sock, &n_whole);
  FUZZ_CHECK(rc <= 0);
  FUZZ_CHECK(whole.socks == n_whole);
  FUZZ_CHECK(n_whole <= size / NLMSG_HDRLEN);

  /* One message per read, as long as the dump goes on. */
  sockdiag_dump_init(&parts, seq, portid);
  size_t off = 0;
  int prc = 0;
  while (prc == 0 && !parts.done && off < size) {
    size_t piece = size - off;
    if (piece >= NLMSG_HDRLEN) {
      struct nlmsghdr h;
      memcpy(&h, data + off, sizeof(h));
      /* In size_t: NLMSG_ALIGN of a 32-bit length near 2^32 wraps to 0. */
      size_t aligned = ((size_t)h.nlmsg_len + NLMSG_ALIGNTO - 1) &
                       ~(size_t)(NLMSG_ALIGNTO - 1);
      if (h.nlmsg_len >= NLMSG_HDRLEN && aligned < piece)
        piece = aligned;
    }
    prc = sockdiag_decode(&parts, data + off, piece, on_sock, &n_parts);
    off += piece;
  }
  FUZZ_CHECK(prc == rc);
  FUZZ_CHECK(parts.socks == whole.socks && parts.done == whole.done);
  FUZZ_CHECK(parts.foreign == whole.foreign);
  FUZZ_CHECK(parts.interrupted == whole.interrupted);
  return 0;
}
