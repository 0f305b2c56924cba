/* pressure: drive a 32-bit HighMem guest into the incident, then undo it.
 *
 *   pressure PIN_DIR HOLE_DIR MARGIN_KB HOLE_EVERY HOLD_S PIN_S FORK_S
 *
 * PIN_DIR and HOLE_DIR are two tmpfs mounted with nr_inodes=0.
 *
 * Pinning: low memory is filled with dentries that no shrinker can free:
 * hard links with long names to one file in PIN_DIR (each pins a dentry
 * and its external name, counted as reclaimable slab), until the Normal
 * zone is within MARGIN_KB of its min watermark, or PIN_S seconds passed.
 * After every HOLE_EVERY of them come 63 links with short names in
 * HOLE_DIR: 63 dentries in a row fill at least one slab page of their own
 * (32 per page on i386). HOLE_DIR is unmounted when the pinning ends: those
 * pages go back to the buddy allocator one by one, between pages that stay
 * pinned, so the zone's free memory is single pages, as in the incident's
 * Normal zone (1310 free blocks of 4 kB, 18 of 8 kB, none larger).
 *
 * Forking: processes are forked and kept asleep (each takes an order-1
 * kernel stack and page tables from low memory) until Normal has no free
 * block of 8 kB or more left: the wall, the state in which the incident's
 * kernel refused every fork. The forker then holds the zone there for
 * HOLD_S seconds, so that the state lasts long enough to be sampled: it
 * reads Normal's buddyinfo every HOLD_POLL_US and, whenever reclaim has
 * made a block of 8 kB or more again, forks at once, which takes it. Then
 * it forks freely until the kernel OOM kills, or FORK_S seconds passed.
 * FORK_S 0 (the model check): no forks. Instead, datagrams of 60000 bytes
 * are sent over the loopback to a socket that never reads them: each takes
 * 32 kB blocks (order 3, the socket's page fragments) and keeps them, until
 * Normal has no free block of 32 kB or more left, or its free pages come
 * within QUEUE_FLOOR_KB of min; that state is held for HOLD_S seconds, a
 * datagram sent whenever a block of 32 kB is free again (as the forker
 * holds its wall), then everything is undone. No fork, no OOM kill.
 *
 * What the forker saw during the hold is the test's oracle for what a
 * sampler could see: the share of its polls, and of the hold's time, at
 * the wall, per second and in all.
 *
 * This process is the watcher: it is OOM-protected (oom_score_adj -1000),
 * locked in memory, and never forks once the pressure is on. The filler
 * and the forker are its children with oom_score_adj 1000, so they are
 * the OOM killer's first choice. At the first OOM kill (the oom_kill
 * counter of /proc/vmstat moves) it kills both, detaches PIN_DIR (which
 * frees the pinned dentries) and reaps everything. Without that, once
 * only protected processes are left, the kernel panics ("System is
 * deadlocked on memory").
 *
 * Prints one line per step on stdout and stderr, each starting with the
 * wall-clock time in seconds (to set against collectd's timestamps):
 *   T pin-start
 *   T pin-progress LINKS NORMAL_FREE_KB MIN_KB
 *   T pin-done LINKS NORMAL_FREE_KB MIN_KB REASON
 *   T holes-freed NORMAL_FREE_KB MIN_KB FREE_4K FREE_8K_OR_MORE
 *   T fork-start
 *   T fork-wall FORKED NORMAL_FREE_KB MIN_KB FREE_4K     (the hold begins)
 *   T hold-second S POLLS AT_WALL FORKS  (polls in (S-1, S], each second)
 *   T fork-hold POLLS AT_WALL WALL_S HOLD_S FORKS REFUSED LONGEST_OFF_S END
 *   T fork-resume FORKED NORMAL_FREE_KB MIN_KB          (the hold ends)
 *   T oom-kill COUNT STAGE
 *   T undone REAPED
 *   T timeout STAGE
 *   T queue-start                 (FORK_S 0: instead of fork-start)
 *   T queue-stop DATAGRAMS BLOCKS_32K NORMAL_FREE_KB MIN_KB  (FORK_S 0)
 *   T queue-hold POLLS AT_WALL DATAGRAMS    (FORK_S 0: the hold ended)
 *   T held HOLD_S                 (FORK_S 0: the hold ended, undone next)
 * fork-hold's END says why the hold ended: "time" (HOLD_S passed) or
 * "forks" (HOLD_FORKS forks made in it); an OOM kill during the hold ends
 * the whole run, with no fork-hold line.
 * Exit status: 0 after an OOM kill (or the hold of FORK_S 0) was seen and
 * undone, 2 when none came in time (everything is undone all the same), 1
 * on a setup error. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
  NAME_LEN = 255,    /* the longest name: the most slab per link */
  HOLE_LINKS = 63,   /* 2 x 32 - 1 dentries: one whole slab page at least */
  CHECK_EVERY = 512, /* links between two looks at the zone */
  POLL_MS = 20,      /* the watcher's period */
  QUEUE_FLOOR_KB = 256, /* FORK_S 0: free above min the queue leaves */
  QUEUE_MAX = 4096,  /* FORK_S 0: datagrams, at most 240 MB */
  HOLD_POLL_US = 2000, /* the forker's period at the wall */
  HOLD_FORKS = 3000, /* at most, during the hold */
  MAX_SECONDS = 3600,
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_us(long us) {
  struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void sleep_ms(long ms) { sleep_us(ms * 1000); }

/* Every line goes out at once: the guest may die right after it. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  double t = now();
  printf("%.3f %s\n", t, line);
  fflush(stdout);
  fprintf(stderr, "pressure: %.3f %s\n", t, line);
}

static long parse_arg(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  return v;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The whole of a /proc file into buf (NUL-terminated), or -1. */
static ssize_t read_proc(int fd, char *buf, size_t cap) {
  ssize_t n = pread(fd, buf, cap - 1, 0);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  return n;
}

/* The number after `key` in text (key includes its separator), or -1. */
static long long number_after(const char *text, const char *key) {
  const char *p = strstr(text, key);
  if (p == NULL)
    return -1;
  return strtoll(p + strlen(key), NULL, 10);
}

/* Normal's "pages free" and "min" from /proc/zoneinfo, in pages. */
static int normal_zone(long long *free_pages, long long *min_pages) {
  static char buf[65536];
  int fd = open("/proc/zoneinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read_proc(fd, buf, sizeof buf);
  close(fd);
  if (n < 0)
    return -1;
  const char *zone = strstr(buf, "zone   Normal");
  if (zone == NULL)
    return -1;
  *free_pages = number_after(zone, "pages free");
  *min_pages = number_after(zone, "\n        min");
  return *free_pages < 0 || *min_pages < 0 ? -1 : 0;
}

/* Normal's free blocks from /proc/buddyinfo: of one page, and larger. */
static int normal_blocks(long long *single, long long *larger) {
  static char buf[4096];
  int fd = open("/proc/buddyinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read_proc(fd, buf, sizeof buf);
  close(fd);
  const char *p = n < 0 ? NULL : strstr(buf, "zone   Normal");
  if (p == NULL)
    return -1;
  p += strlen("zone   Normal");
  *single = *larger = 0;
  for (int order = 0; *p != '\n' && *p != '\0'; order++) {
    char *end;
    long long count = strtoll(p, &end, 10);
    if (end == p)
      break;
    *(order == 0 ? single : larger) += count;
    p = end;
  }
  return 0;
}

/* Normal's free blocks of the given order or more, from /proc/buddyinfo. */
static int normal_blocks_from(int from, long long *blocks) {
  static char buf[4096];
  int fd = open("/proc/buddyinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read_proc(fd, buf, sizeof buf);
  close(fd);
  const char *p = n < 0 ? NULL : strstr(buf, "zone   Normal");
  if (p == NULL)
    return -1;
  p += strlen("zone   Normal");
  *blocks = 0;
  for (int order = 0; *p != '\n' && *p != '\0'; order++) {
    char *end;
    long long count = strtoll(p, &end, 10);
    if (end == p)
      break;
    if (order >= from)
      *blocks += count;
    p = end;
  }
  return 0;
}

static long long oom_kills(int vmstat_fd) {
  static char buf[16384];
  if (read_proc(vmstat_fd, buf, sizeof buf) < 0)
    return -1;
  return number_after(buf, "\noom_kill ");
}

/* link() of target under dir, named by counter n, padded with 'p' to len. */
static int link_numbered(const char *target, char *path, char *leaf,
                         unsigned long n, int len) {
  char digits[24];
  int d = snprintf(digits, sizeof digits, "%08lx", n);
  memset(leaf, 'p', (size_t)len);
  memcpy(leaf, digits, (size_t)(d < len ? d : len));
  leaf[len] = '\0';
  return link(target, path);
}

/* A file to link to, and a path buffer whose leaf is filled per link. */
static int link_setup(const char *dir, char *target, size_t tcap, char *path,
                      char **leaf) {
  snprintf(target, tcap, "%s/target", dir);
  int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    say("pin-error open %s: %s", target, strerror(errno));
    return -1;
  }
  close(fd);
  size_t dlen = strlen(dir);
  memcpy(path, dir, dlen);
  path[dlen] = '/';
  *leaf = path + dlen + 1;
  return 0;
}

struct pin_args {
  const char *dir, *holes;
  long margin_kb, hole_every, seconds;
};

/* The filler: links until the zone is within margin of its min mark, with
 * a run of short-named links in the hole directory every hole_every. */
static int pin(const struct pin_args *a) {
  char target[4096], path[4096 + NAME_LEN + 2], *leaf;
  char htarget[4096], hpath[4096 + NAME_LEN + 2], *hleaf;
  if (link_setup(a->dir, target, sizeof target, path, &leaf) != 0 ||
      link_setup(a->holes, htarget, sizeof htarget, hpath, &hleaf) != 0)
    return 1;

  double deadline = now() + a->seconds, next_report = now() + 5;
  long long page_kb = sysconf(_SC_PAGESIZE) / 1024, free_pages = 0, min = 0;
  const char *reason = "timeout";
  unsigned long links = 0, holes = 0;
  say("pin-start");
  for (;;) {
    if (link_numbered(target, path, leaf, links, NAME_LEN) != 0) {
      reason = errno == ENOMEM ? "enomem" : errno == ENOSPC ? "enospc" : "error";
      break;
    }
    links++;
    if (a->hole_every > 0 && links % (unsigned long)a->hole_every == 0) {
      /* Short names: inline in the dentry, no external name. */
      for (int i = 0; i < HOLE_LINKS; i++, holes++)
        if (link_numbered(htarget, hpath, hleaf, holes, 8) != 0)
          break;
    }
    if (links % CHECK_EVERY != 0)
      continue;
    if (normal_zone(&free_pages, &min) != 0) {
      reason = "no-normal-zone";
      break;
    }
    if ((free_pages - min) * page_kb <= a->margin_kb) {
      reason = "margin";
      break;
    }
    double t = now();
    if (t >= deadline)
      break;
    if (t >= next_report) {
      say("pin-progress %lu %lld %lld", links, free_pages * page_kb, min * page_kb);
      next_report = t + 5;
    }
  }
  normal_zone(&free_pages, &min);
  say("pin-done %lu %lld %lld %s", links, free_pages * page_kb,
      min * page_kb, reason);
  if (umount2(a->holes, 0) != 0)
    say("warning: umount %s: %s", a->holes, strerror(errno));
  /* Dentries are freed after an RCU grace period, and their slab pages
   * after that: wait until the zone's free memory stops growing. */
  long long single = 0, larger = 0, last = -1;
  for (int stable = 0, i = 0; stable < 5 && i < 50; i++) {
    sleep_ms(200);
    normal_zone(&free_pages, &min);
    stable = free_pages <= last ? stable + 1 : 0;
    if (free_pages > last)
      last = free_pages;
  }
  normal_zone(&free_pages, &min);
  normal_blocks(&single, &larger);
  say("holes-freed %lld %lld %lld %lld", free_pages * page_kb, min * page_kb,
      single, larger);
  return strcmp(reason, "margin") == 0 ? 0 : 1;
}

/* One sleeping child: the kernel gives it an order-1 stack. */
static bool fork_one(void) {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;)
      pause();
  }
  return pid > 0;
}

/* What the forker saw while it held the zone at the wall. */
struct hold {
  unsigned long polls, at_wall, forks, refused;
  double wall_s, longest_off_s;
};

/* hold_wall: HOLD_S seconds at the wall. Each poll of buddyinfo finds the
 * zone at the wall or not; the time up to the next poll is counted on that
 * side. A block of 8 kB or more is taken by a fork at once, then the zone
 * is polled again without sleeping. One hold-second line per second, for
 * the polls of (S-1, S]. */
static void hold_wall(long hold_s, struct hold *h) {
  double start = now(), end = start + (double)hold_s, last = start;
  double off_since = -1;
  bool last_wall = true;
  long second = (long)start + 1;
  unsigned long sec_polls = 0, sec_wall = 0, sec_forks = 0;
  const char *why = "time";
  memset(h, 0, sizeof *h);
  for (;;) {
    long long single, larger;
    double t = now();
    bool wall = normal_blocks(&single, &larger) == 0 && larger == 0;
    if (last_wall)
      h->wall_s += t - last;
    last = t;
    last_wall = wall;
    if (wall && off_since >= 0) {
      if (t - off_since > h->longest_off_s)
        h->longest_off_s = t - off_since;
      off_since = -1;
    } else if (!wall && off_since < 0) {
      off_since = t;
    }
    if ((long)t + 1 != second) {
      say("hold-second %ld %lu %lu %lu", second, sec_polls, sec_wall, sec_forks);
      second = (long)t + 1;
      sec_polls = sec_wall = sec_forks = 0;
    }
    if (t >= end)
      break;
    if (h->forks >= HOLD_FORKS) {
      why = "forks";
      break;
    }
    h->polls++;
    sec_polls++;
    if (wall) {
      h->at_wall++;
      sec_wall++;
      sleep_us(HOLD_POLL_US);
    } else if (fork_one()) {
      h->forks++;
      sec_forks++;
    } else {
      h->refused++;
      sleep_us(HOLD_POLL_US);
    }
  }
  if (off_since >= 0 && last - off_since > h->longest_off_s)
    h->longest_off_s = last - off_since;
  if (sec_polls > 0)
    say("hold-second %ld %lu %lu %lu", second, sec_polls, sec_wall, sec_forks);
  say("fork-hold %lu %lu %.3f %.3f %lu %lu %.3f %s", h->polls, h->at_wall,
      h->wall_s, last - start, h->forks, h->refused, h->longest_off_s, why);
}

/* The forker: sleeping children until time is up. A failed fork (EAGAIN,
 * ENOMEM) is tried again: the point is to keep asking the kernel for
 * order-1 stacks. */
static void fork_loop(long hold_s, long seconds) {
  double deadline = now() + seconds;
  unsigned long forked = 0, refused = 0;
  long long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  bool held = hold_s == 0;
  say("fork-start");
  while (now() < deadline) {
    long long single, larger, free_pages, min;
    if (!held && normal_blocks(&single, &larger) == 0 && larger == 0 &&
        normal_zone(&free_pages, &min) == 0) {
      say("fork-wall %lu %lld %lld %lld", forked, free_pages * page_kb,
          min * page_kb, single);
      struct hold h;
      hold_wall(hold_s, &h);
      forked += h.forks;
      refused += h.refused;
      normal_zone(&free_pages, &min);
      say("fork-resume %lu %lld %lld", forked, free_pages * page_kb,
          min * page_kb);
      held = true;
    }
    if (fork_one()) {
      forked++;
    } else {
      refused++;
      sleep_ms(10);
    }
    if ((forked + refused) % 1000 == 0)
      say("fork-progress %lu %lu", forked, refused);
  }
  say("fork-timeout %lu %lu", forked, refused);
  for (;;)
    pause();
}

/* A child process of the watcher, the OOM killer's first choice, in a
 * process group of its own so it can be killed with all it forked. */
static pid_t spawn(void (*body)(void *), void *arg) {
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  setpgid(0, 0);
  munlockall();
  if (write_file("/proc/self/oom_score_adj", "1000") != 0)
    say("warning: oom_score_adj 1000: %s", strerror(errno));
  body(arg);
  _exit(0);
}

struct fork_args {
  long hold_s, seconds, margin_kb;
};

static void pin_body(void *arg) { _exit(pin(arg)); }

static void fork_body(void *arg) {
  const struct fork_args *a = arg;
  fork_loop(a->hold_s, a->seconds);
}

/* An unread UDP socket on the loopback and one that sends to it, both
 * with buffers far above the defaults (root may force them). */
static int queue_open(int *tx, int *rx) {
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int big = 256 << 20;
  *rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  *tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (*rx < 0 || *tx < 0 || bind(*rx, (struct sockaddr *)&a, len) != 0 ||
      getsockname(*rx, (struct sockaddr *)&a, &len) != 0 ||
      setsockopt(*rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0 ||
      setsockopt(*tx, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0 ||
      connect(*tx, (struct sockaddr *)&a, len) != 0)
    return -1;
  return 0;
}

/* Whether a datagram may be queued now: Normal has a free block of 32 kB
 * (order 3) or more, and its free pages are above min by QUEUE_FLOOR_KB.
 * The floor keeps order-0 requests (the socket's own, when it cannot have
 * 32 kB) above min: the wall is for higher orders. */
static bool queue_room(long long *blocks, long long *free_pages,
                       long long *min) {
  long long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  return normal_blocks_from(3, blocks) == 0 &&
         normal_zone(free_pages, min) == 0 && *blocks > 0 &&
         (*free_pages - *min) * page_kb > QUEUE_FLOOR_KB;
}

/* FORK_S 0: queues datagrams while there is room (60 s at most), then
 * holds HOLD_S seconds, polling every HOLD_POLL_US and queueing one more
 * whenever there is room again, and exits, which frees them; QUEUE_MAX
 * datagrams in all at most. */
static void hold_body(void *arg) {
  static char datagram[60000];
  const struct fork_args *a = arg;
  long long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  long long blocks = -1, free_pages = 0, min = 0;
  unsigned long sent = 0, polls = 0, at_wall = 0;
  double deadline = now() + 60;
  int tx, rx;
  if (queue_open(&tx, &rx) != 0) {
    say("queue-error %s", strerror(errno));
    _exit(1);
  }
  say("queue-start");
  while (sent < QUEUE_MAX && now() < deadline &&
         queue_room(&blocks, &free_pages, &min)) {
    if (send(tx, datagram, sizeof datagram, MSG_DONTWAIT) ==
        (ssize_t)sizeof datagram)
      sent++;
    else
      sleep_ms(10);
  }
  say("queue-stop %lu %lld %lld %lld", sent, blocks, free_pages * page_kb,
      min * page_kb);
  deadline = now() + a->hold_s;
  unsigned long before = sent;
  while (now() < deadline) {
    polls++;
    if (sent < QUEUE_MAX && queue_room(&blocks, &free_pages, &min)) {
      if (send(tx, datagram, sizeof datagram, MSG_DONTWAIT) ==
          (ssize_t)sizeof datagram)
        sent++;
    } else {
      at_wall += blocks == 0;
    }
    sleep_us(HOLD_POLL_US);
  }
  say("queue-hold %lu %lu %lu", polls, at_wall, sent - before);
  _exit(0);
}

static void kill_group(pid_t pid) {
  if (pid > 0) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
}

/* Kills the filler and the forker with everything they forked, frees the
 * pinned dentries, reaps every child (orphans come to this subreaper). */
static void undo(pid_t filler, pid_t forker, const struct pin_args *a) {
  kill_group(filler);
  kill_group(forker);
  umount2(a->holes, MNT_DETACH); /* the filler's job, unless it was killed */
  if (umount2(a->dir, MNT_DETACH) != 0)
    say("warning: umount %s: %s", a->dir, strerror(errno));
  unsigned long reaped = 0;
  for (;;) {
    pid_t pid = waitpid(-1, NULL, 0);
    if (pid > 0) {
      reaped++;
      continue;
    }
    if (errno != EINTR)
      break;
  }
  say("undone %lu", reaped);
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: pressure PIN_DIR HOLE_DIR MARGIN_KB HOLE_EVERY "
                    "HOLD_S PIN_S FORK_S\n");
    return 1;
  }
  struct pin_args pa = {.dir = argv[1],
                        .holes = argv[2],
                        .margin_kb = parse_arg(argv[3], 0, 1L << 30),
                        .hole_every = parse_arg(argv[4], 0, 1L << 30),
                        .seconds = parse_arg(argv[6], 1, MAX_SECONDS)};
  struct fork_args fa = {.hold_s = parse_arg(argv[5], 0, MAX_SECONDS),
                         .seconds = parse_arg(argv[7], 0, MAX_SECONDS),
                         .margin_kb = pa.margin_kb};
  if (pa.margin_kb < 0 || pa.hole_every < 0 || pa.seconds < 0 ||
      fa.hold_s < 0 || fa.seconds < 0) {
    fprintf(stderr, "pressure: bad argument\n");
    return 1;
  }
  if (write_file("/proc/self/oom_score_adj", "-1000") != 0) {
    fprintf(stderr, "pressure: oom_score_adj -1000: %s\n", strerror(errno));
    return 1;
  }
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
    say("warning: mlockall: %s", strerror(errno));
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int vmstat = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
  long long base = vmstat < 0 ? -1 : oom_kills(vmstat);
  if (base < 0) {
    fprintf(stderr, "pressure: no oom_kill counter in /proc/vmstat\n");
    return 1;
  }

  pid_t filler = spawn(pin_body, &pa), forker = -1;
  if (filler < 0) {
    say("spawn-error %s", strerror(errno));
    return 1;
  }
  double deadline = now() + pa.seconds + fa.hold_s + fa.seconds + 10;
  const char *stage = "pin";
  for (;;) {
    long long kills = oom_kills(vmstat);
    if (kills > base) {
      say("oom-kill %lld %s", kills - base, stage);
      undo(filler, forker, &pa);
      return 0;
    }
    int status;
    if (filler > 0 && waitpid(filler, &status, WNOHANG) == filler) {
      filler = -1;
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        say("pin-failed %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      /* The zone is at its margin however the filler ended: fork now
       * (FORK_S 0: up to the hold of the model check). */
      forker = spawn(fa.seconds > 0 ? fork_body : hold_body, &fa);
      stage = fa.seconds > 0 ? "fork" : "hold";
    }
    if (fa.seconds == 0 && forker > 0 && waitpid(forker, &status, WNOHANG) == forker) {
      say("held %ld", fa.hold_s);
      undo(filler, forker, &pa);
      return 0;
    }
    if (now() >= deadline)
      break;
    sleep_ms(POLL_MS);
  }
  say("timeout %s", stage);
  undo(filler, forker, &pa);
  return 2;
}
