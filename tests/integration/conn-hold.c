/* conn-hold: puts loopback TCP sockets into known states and keeps them
 * there, for the web server tests and the benchmark.
 *
 * Commands come on stdin, one per line; each is answered by one line on
 * stdout ("ok ..." or "error ..."):
 *
 *   listen ADDR PORT BACKLOG MODE   a listening socket (PORT 0: any free
 *                                   port; the answer gives it). MODE accept:
 *                                   accepted sockets are kept open; close:
 *                                   accepted and closed at once (the server
 *                                   closes first; its FIN_WAIT2 is an orphan
 *                                   the kernel drops after tcp_fin_timeout);
 *                                   shutdown: accepted, shut down for
 *                                   writing and kept open (the server closes
 *                                   first, and its FIN_WAIT2 stays as long
 *                                   as this process does); none: never
 *                                   accepted, so connections wait in the
 *                                   accept queue.
 *   connect ADDR PORT N REQUEST     N client connections, made N at a time
 *                                   in batches while the listeners of this
 *                                   process accept. REQUEST none; get:PATH
 *                                   (an HTTP/1.1 keep-alive request, the
 *                                   response read); getclose:PATH (with
 *                                   "Connection: close": the server closes,
 *                                   then the client). Answers
 *                                   "ok connect GROUP OPEN" (OPEN: sockets
 *                                   still open).
 *   close GROUP                     closes the clients of a connect.
 *   accepted PORT                   "ok accepted PORT N" for a listener.
 *   quit
 *
 * Everything is bounded: -t SECONDS (default 300) ends the process, as does
 * the end of stdin; a connect gives up after 60 s. The descriptor limit is
 * raised to what the commands need (root may raise the hard limit). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 16
#define MAX_GROUPS 64
#define BATCH 256 /* connects in flight at once */
#define CONNECT_TIMEOUT_S 60
#define RESPONSE_MAX 65536

enum listen_mode { MODE_ACCEPT, MODE_CLOSE, MODE_SHUTDOWN, MODE_NONE };

struct listener {
  int fd;
  int port;
  enum listen_mode mode;
  int *accepted; /* kept sockets (MODE_ACCEPT, MODE_SHUTDOWN) */
  size_t nr, cap;
  unsigned long total;
};

struct group {
  int *fds;
  size_t nr;
};

static struct listener listeners[MAX_LISTENERS];
static size_t nr_listeners;
static struct group groups[MAX_GROUPS];
static size_t nr_groups;

static double monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void answer(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

/* Room for n more descriptors, raising RLIMIT_NOFILE as far as allowed. */
static void need_fds(size_t n) {
  struct rlimit rl;
  rlim_t want = (rlim_t)n + 64;

  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
    return;
  if (rl.rlim_max < want)
    rl.rlim_max = want;
  rl.rlim_cur = want;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

static size_t open_fds(void) {
  size_t n = 0;
  for (size_t i = 0; i < nr_listeners; i++)
    n += 1 + listeners[i].nr;
  for (size_t g = 0; g < nr_groups; g++)
    n += groups[g].nr;
  return n;
}

static int parse_addr(const char *addr, int port, struct sockaddr_storage *ss,
                      socklen_t *len) {
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

  memset(ss, 0, sizeof(*ss));
  if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    *len = sizeof(*in);
    return 0;
  }
  if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    *len = sizeof(*in6);
    return 0;
  }
  return -1;
}

static int keep(struct listener *l, int fd) {
  if (l->nr == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 1024;
    int *v = realloc(l->accepted, cap * sizeof(*v));
    if (v == NULL)
      return -1;
    l->accepted = v;
    l->cap = cap;
  }
  l->accepted[l->nr++] = fd;
  return 0;
}

/* Accepts what is waiting on every listener that accepts. */
static void accept_all(void) {
  for (size_t i = 0; i < nr_listeners; i++) {
    struct listener *l = &listeners[i];
    if (l->mode == MODE_NONE)
      continue;
    for (;;) {
      int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        break;
      l->total++;
      if (l->mode == MODE_SHUTDOWN)
        shutdown(fd, SHUT_WR);
      if (l->mode == MODE_CLOSE || keep(l, fd) != 0)
        close(fd);
    }
  }
}

static void cmd_listen(char *addr, int port, int backlog, const char *mode) {
  struct sockaddr_storage ss;
  socklen_t len;
  enum listen_mode m;

  if (strcmp(mode, "accept") == 0)
    m = MODE_ACCEPT;
  else if (strcmp(mode, "close") == 0)
    m = MODE_CLOSE;
  else if (strcmp(mode, "shutdown") == 0)
    m = MODE_SHUTDOWN;
  else if (strcmp(mode, "none") == 0)
    m = MODE_NONE;
  else {
    answer("error listen: mode is accept, close, shutdown or none");
    return;
  }
  if (nr_listeners == MAX_LISTENERS || parse_addr(addr, port, &ss, &len) != 0) {
    answer("error listen: bad address or too many listeners");
    return;
  }
  need_fds(open_fds() + 1);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0) {
    answer("error listen: socket: %s", strerror(errno));
    return;
  }
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (ss.ss_family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, backlog) != 0) {
    answer("error listen: %s", strerror(errno));
    close(fd);
    return;
  }
  len = sizeof(ss);
  getsockname(fd, (struct sockaddr *)&ss, &len);
  struct listener *l = &listeners[nr_listeners++];
  memset(l, 0, sizeof(*l));
  l->fd = fd;
  l->mode = m;
  l->port =
      ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
  answer("ok listen %d", l->port);
}

/* The request of a client, parsed from "none", "get:PATH", "getclose:PATH". */
struct request {
  bool send, close;
  char text[512];
  size_t len;
};

static int parse_request(const char *spec, struct request *r) {
  memset(r, 0, sizeof(*r));
  if (strcmp(spec, "none") == 0)
    return 0;
  const char *path;
  if (strncmp(spec, "get:", 4) == 0)
    path = spec + 4;
  else if (strncmp(spec, "getclose:", 9) == 0) {
    path = spec + 9;
    r->close = true;
  } else
    return -1;
  r->send = true;
  int n = snprintf(r->text, sizeof(r->text),
                   "GET %s HTTP/1.1\r\nHost: localhost\r\n%s\r\n", path,
                   r->close ? "Connection: close\r\n" : "");
  if (n < 0 || (size_t)n >= sizeof(r->text))
    return -1;
  r->len = (size_t)n;
  return 0;
}

/* Per client while its connect and request are under way. */
struct pending {
  int fd;
  int stage; /* 0 connecting, 1 reading the response, 2 done */
  char *resp;
  size_t got;
};

/* True when resp holds a whole response: headers and Content-Length bytes
 * of body. */
static bool response_complete(const char *resp, size_t got) {
  const char *end = memmem(resp, got, "\r\n\r\n", 4);
  if (end == NULL)
    return false;
  size_t head = (size_t)(end - resp) + 4, body = 0;
  for (const char *p = resp; p < end; p++)
    if ((p == resp || p[-1] == '\n') &&
        strncasecmp(p, "Content-Length:", 15) == 0) {
      body = strtoul(p + 15, NULL, 10);
      break;
    }
  return got >= head + body;
}

/* Advances one client; returns 1 when it finished (fd kept or closed), 0 when
 * it waits, -1 on failure. */
static int step(struct pending *p, const struct request *r, short revents) {
  if (p->stage == 0) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
      return 0;
    getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err)
      return -1;
    if (!r->send) {
      p->stage = 2;
      return 1;
    }
    if (send(p->fd, r->text, r->len, MSG_NOSIGNAL) != (ssize_t)r->len)
      return -1;
    p->stage = 1;
    return 0;
  }
  if (!(revents & (POLLIN | POLLERR | POLLHUP)))
    return 0;
  for (;;) {
    if (p->got == RESPONSE_MAX)
      return -1;
    ssize_t n = recv(p->fd, p->resp + p->got, RESPONSE_MAX - p->got, 0);
    if (n < 0)
      return errno == EAGAIN ? 0 : -1;
    if (n == 0) { /* the server closed: close too, it keeps TIME_WAIT */
      close(p->fd);
      p->fd = -1;
      p->stage = 2;
      return 1;
    }
    p->got += (size_t)n;
    if (!r->close && response_complete(p->resp, p->got)) {
      p->stage = 2;
      return 1;
    }
  }
}

static int start_connect(const struct sockaddr_storage *ss, socklen_t len) {
  int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (const struct sockaddr *)ss, len) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* One batch of clients: connects, requests, and accepts on the listeners
 * of this process meanwhile. Returns the clients that failed. */
static size_t run_batch(struct pending *b, size_t n, const struct request *r,
                        double deadline) {
  struct pollfd pfd[BATCH + MAX_LISTENERS];
  size_t left = n, failed = 0;

  while (left > 0 && monotonic() < deadline) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (b[i].stage < 2 && b[i].fd >= 0)
        pfd[k++] = (struct pollfd){b[i].fd, b[i].stage ? POLLIN : POLLOUT, 0};
    size_t np = k;
    for (size_t i = 0; i < nr_listeners; i++)
      pfd[k++] = (struct pollfd){listeners[i].fd, POLLIN, 0};
    if (poll(pfd, k, 100) < 0 && errno != EINTR)
      break;
    accept_all();
    k = 0;
    for (size_t i = 0; i < n && k < np; i++) {
      if (b[i].stage == 2 || b[i].fd < 0)
        continue;
      int rc = step(&b[i], r, pfd[k++].revents);
      if (rc == 0)
        continue;
      left--;
      if (rc < 0) {
        failed++;
        close(b[i].fd);
        b[i].fd = -1;
        b[i].stage = 2;
      }
    }
  }
  for (size_t i = 0; i < n; i++)
    if (b[i].stage < 2) {
      failed++;
      close(b[i].fd);
      b[i].fd = -1;
    }
  accept_all();
  return failed;
}

static void cmd_connect(char *addr, int port, long n, const char *spec) {
  struct sockaddr_storage ss;
  socklen_t len;
  struct request r;
  static struct pending batch[BATCH];

  if (nr_groups == MAX_GROUPS || n < 1 || n > 100000 ||
      parse_addr(addr, port, &ss, &len) != 0 || parse_request(spec, &r) != 0) {
    answer("error connect: ADDR PORT N none|get:PATH|getclose:PATH");
    return;
  }
  need_fds(open_fds() + 2 * (size_t)n);
  struct group *g = &groups[nr_groups];
  g->fds = calloc((size_t)n, sizeof(int));
  g->nr = 0;
  if (g->fds == NULL) {
    answer("error connect: out of memory");
    return;
  }
  double deadline = monotonic() + CONNECT_TIMEOUT_S;
  size_t failed = 0;
  for (long done = 0; done < n && monotonic() < deadline;) {
    size_t k = 0;
    for (; k < BATCH && done + (long)k < n; k++) {
      batch[k] = (struct pending){start_connect(&ss, len), 0, NULL, 0};
      if (r.send && (batch[k].resp = malloc(RESPONSE_MAX)) == NULL)
        batch[k].stage = 2;
    }
    failed += run_batch(batch, k, &r, deadline);
    for (size_t i = 0; i < k; i++) {
      if (batch[i].fd >= 0)
        g->fds[g->nr++] = batch[i].fd;
      free(batch[i].resp);
    }
    done += (long)k;
  }
  nr_groups++;
  if (failed)
    answer("error connect %zu: %zu of %ld failed", nr_groups - 1, failed, n);
  else
    answer("ok connect %zu %zu", nr_groups - 1, g->nr);
}

static void cmd_close(long id) {
  if (id < 0 || (size_t)id >= nr_groups) {
    answer("error close: no group %ld", id);
    return;
  }
  struct group *g = &groups[id];
  for (size_t i = 0; i < g->nr; i++)
    close(g->fds[i]);
  answer("ok close %ld %zu", id, g->nr);
  g->nr = 0;
}

static void cmd_accepted(int port) {
  accept_all();
  for (size_t i = 0; i < nr_listeners; i++)
    if (listeners[i].port == port) {
      answer("ok accepted %d %lu", port, listeners[i].total);
      return;
    }
  answer("error accepted: no listener on %d", port);
}

static bool run_command(char *line) {
  char *argv[8];
  int argc = 0;
  for (char *tok = strtok(line, " \t\n"); tok && argc < 8;
       tok = strtok(NULL, " \t\n"))
    argv[argc++] = tok;
  if (argc == 0)
    return true;
  if (strcmp(argv[0], "quit") == 0)
    return false;
  if (strcmp(argv[0], "listen") == 0 && argc == 5)
    cmd_listen(argv[1], atoi(argv[2]), atoi(argv[3]), argv[4]);
  else if (strcmp(argv[0], "connect") == 0 && argc == 5)
    cmd_connect(argv[1], atoi(argv[2]), atol(argv[3]), argv[4]);
  else if (strcmp(argv[0], "close") == 0 && argc == 2)
    cmd_close(atol(argv[1]));
  else if (strcmp(argv[0], "accepted") == 0 && argc == 2)
    cmd_accepted(atoi(argv[1]));
  else
    answer("error: unknown command %s", argv[0]);
  return true;
}

/* Lines of stdin, read with read(2) so that poll sees what is left. */
static char inbuf[4096];
static size_t inlen;

/* Runs every whole line received; false on quit or end of input. */
static bool read_commands(void) {
  ssize_t n = read(STDIN_FILENO, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
  if (n <= 0)
    return false;
  inlen += (size_t)n;
  char *nl;
  while ((nl = memchr(inbuf, '\n', inlen)) != NULL) {
    *nl = '\0';
    size_t used = (size_t)(nl - inbuf) + 1;
    bool go_on = run_command(inbuf);
    memmove(inbuf, inbuf + used, inlen - used);
    inlen -= used;
    if (!go_on)
      return false;
  }
  if (inlen == sizeof(inbuf) - 1)
    inlen = 0; /* a line that long is no command */
  return true;
}

int main(int argc, char **argv) {
  unsigned seconds = 300;
  int c;

  while ((c = getopt(argc, argv, "t:")) != -1) {
    if (c != 't') {
      fprintf(stderr, "usage: conn-hold [-t SECONDS] < commands\n");
      return 2;
    }
    seconds = (unsigned)atoi(optarg);
  }
  signal(SIGPIPE, SIG_IGN);
  alarm(seconds); /* the default action ends the process */

  /* Between commands, keep accepting, so that clients of another process
   * (the server side of a scale test) are taken in. */
  for (;;) {
    struct pollfd pfd[MAX_LISTENERS + 1];
    size_t k = 0;
    pfd[k++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    for (size_t i = 0; i < nr_listeners; i++)
      if (listeners[i].mode != MODE_NONE)
        pfd[k++] = (struct pollfd){listeners[i].fd, POLLIN, 0};
    if (poll(pfd, k, -1) < 0 && errno != EINTR)
      return 1;
    accept_all();
    if ((pfd[0].revents & (POLLIN | POLLHUP)) && !read_commands())
      return 0;
  }
}
