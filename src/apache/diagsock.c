#include "diagsock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>

enum { DIAGSOCK_INITIAL_CAP = 8192, DIAGSOCK_MAX_CAP = 1 << 24 };

void diagsock_init(struct diagsock *ds) {
  memset(ds, 0, sizeof(*ds));
  ds->fd = -1;
}

void diagsock_close(struct diagsock *ds) {
  if (ds->fd >= 0)
    close(ds->fd);
  ds->fd = -1;
  ds->portid = 0;
}

void diagsock_destroy(struct diagsock *ds) {
  diagsock_close(ds);
  free(ds->buf);
  diagsock_init(ds);
}

int diagsock_open(struct diagsock *ds) {
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  socklen_t len = sizeof(local);
  /* A dump comes quickly or not at all: do not hold collectd's read
   * thread for long if the kernel never answers. */
  struct timeval timeout = {.tv_sec = 2};

  if (ds->fd >= 0)
    return 0;
  ds->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (ds->fd < 0)
    return -errno;
  if (setsockopt(ds->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) !=
          0 ||
      bind(ds->fd, (struct sockaddr *)&local, sizeof(local)) != 0 ||
      getsockname(ds->fd, (struct sockaddr *)&local, &len) != 0) {
    int err = -errno;
    diagsock_close(ds);
    return err;
  }
  ds->portid = local.nl_pid;
  if (ds->opened)
    ds->reopened++;
  ds->opened = 1;
  if (ds->buf == NULL) {
    ds->buf = malloc(DIAGSOCK_INITIAL_CAP);
    if (ds->buf == NULL) {
      diagsock_close(ds);
      return -ENOMEM;
    }
    ds->cap = DIAGSOCK_INITIAL_CAP;
  }
  return 0;
}

static int diagsock_send(struct diagsock *ds, const void *msg, size_t len) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

  for (;;) {
    ssize_t n =
        sendto(ds->fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
    if (n == (ssize_t)len)
      return 0;
    if (n < 0 && errno == EINTR)
      continue;
    return n < 0 ? -errno : -EIO;
  }
}

/* The length of the next datagram, without taking it. */
static ssize_t diagsock_peek(struct diagsock *ds) {
  for (;;) {
    ssize_t n = recv(ds->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    if (n >= 0)
      return n;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
  }
}

static int diagsock_fit(struct diagsock *ds, size_t need) {
  size_t cap = ds->cap;
  while (cap < need) {
    if (cap >= DIAGSOCK_MAX_CAP)
      return -EMSGSIZE;
    cap *= 2;
  }
  if (cap == ds->cap)
    return 0;
  unsigned char *buf = realloc(ds->buf, cap);
  if (buf == NULL)
    return -ENOMEM;
  ds->buf = buf;
  ds->cap = cap;
  return 0;
}

/* Takes the next datagram into ds->buf; returns its length or -errno. */
static ssize_t diagsock_receive(struct diagsock *ds) {
  ssize_t need = diagsock_peek(ds);
  if (need < 0)
    return need;
  int err = diagsock_fit(ds, (size_t)need);
  if (err)
    return err;
  for (;;) {
    ssize_t n = recv(ds->fd, ds->buf, ds->cap, 0);
    if (n >= 0)
      return n;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
  }
}

int diagsock_dump(struct diagsock *ds, struct sockdiag_request *r,
                  tcp_sock_fn *fn, void *arg) {
  unsigned char req[SOCKDIAG_REQUEST_MAX(DIAGSOCK_BYTECODE_MAX)];
  struct sockdiag_dump d;
  int err = diagsock_open(ds);

  if (err)
    return err;
  r->seq = ++ds->seq;
  int len = sockdiag_request(req, sizeof(req), r);
  if (len < 0)
    return len;
  err = diagsock_send(ds, req, (size_t)len);
  sockdiag_dump_init(&d, r->seq, ds->portid);
  /* An error the kernel answered with (NLMSG_ERROR, or the status of
   * NLMSG_DONE) ends the request in order: the socket can stay. */
  bool answered = false;
  while (err == 0 && !d.done) {
    ssize_t n = diagsock_receive(ds);
    if (n < 0) {
      err = (int)n;
    } else if (n == 0) {
      err = -EPIPE;
    } else {
      err = sockdiag_decode(&d, ds->buf, (size_t)n, fn, arg);
      answered = err != -EBADMSG && err != -EOVERFLOW;
    }
  }
  if (err == 0)
    return d.interrupted ? -EINTR : 0;
  if (!answered)
    diagsock_close(ds);
  return err;
}
