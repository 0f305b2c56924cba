#include "procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/parse.h"
#include "sources/pidstat.h"
#include "sources/taskstat.h"
#include "util/kfile.h"
#include "util/array.h"

enum { PROCS_BUF_INITIAL = 4096, PROCS_BUF_MAX = 16 << 20, DENTS_CAP = 32768 };

int procs_init(struct procs *p, const char *proc_path,
               const char (*names)[PROCS_NAME_LEN], size_t nr_names,
               uint64_t page_size) {
  memset(p, 0, sizeof(*p));
  p->proc_fd = -1;
  p->page_size = page_size;
  for (size_t i = 0; i < nr_names && i < PROCS_MAX_NAMES; i++) {
    memcpy(p->names[i], names[i], PROCS_NAME_LEN);
    p->names[i][PROCS_NAME_LEN - 1] = '\0';
    p->nr_names++;
  }
  p->proc_path = strdup(proc_path);
  p->buf = malloc(PROCS_BUF_INITIAL);
  p->dents = malloc(DENTS_CAP);
  if (p->proc_path == NULL || p->buf == NULL || p->dents == NULL)
    return -ENOMEM;
  p->buf_cap = PROCS_BUF_INITIAL;
  return 0;
}

void procs_destroy(struct procs *p) {
  if (p->proc_fd >= 0)
    close(p->proc_fd);
  free(p->proc_path);
  free(p->tasks);
  free(p->inodes);
  free(p->buf);
  free(p->dents);
  memset(p, 0, sizeof(*p));
  p->proc_fd = -1;
}

static int procs_open(struct procs *p) {
  if (p->proc_fd >= 0)
    return 0;
  p->proc_fd = open(p->proc_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return p->proc_fd < 0 ? -errno : 0;
}

/* Reads ProcPath/rel whole into p->buf (grown when a read fills it).
 * Returns the length or -errno. */
static ssize_t read_rel(struct procs *p, const char *rel) {
  int fd = kfile_open(p->proc_fd, rel);
  if (fd < 0)
    return fd;
  size_t got = 0;
  for (;;) {
    ssize_t n = pread(fd, p->buf + got, p->buf_cap - got, (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = -errno;
      close(fd);
      return err;
    }
    if (n == 0)
      break;
    got += (size_t)n;
    if (got == p->buf_cap) {
      char *bigger =
          p->buf_cap < PROCS_BUF_MAX ? realloc(p->buf, p->buf_cap * 2) : NULL;
      if (bigger == NULL) {
        close(fd);
        return -ENOMEM;
      }
      p->buf = bigger;
      p->buf_cap *= 2;
    }
  }
  close(fd);
  return (ssize_t)got;
}

static bool name_wanted(const struct procs *p, const char *comm) {
  for (size_t i = 0; i < p->nr_names; i++)
    if (strcmp(p->names[i], comm) == 0)
      return true;
  return false;
}

/* The stat of pid, if it is one of ours. 0, -ESRCH when it is gone or no
 * longer matches, or -errno. */
static int read_stat(struct procs *p, int pid, struct taskstat *st) {
  char rel[32];
  snprintf(rel, sizeof(rel), "%d/stat", pid);
  ssize_t n = read_rel(p, rel);
  if (n == -ENOENT)
    return -ESRCH;
  if (n < 0)
    return (int)n;
  if (taskstat_parse(st, p->buf, (size_t)n) != 0)
    return -EINVAL;
  return name_wanted(p, st->comm) ? 0 : -ESRCH;
}

static int by_pid(const void *a, const void *b) {
  int x = ((const struct procs_task *)a)->pid;
  int y = ((const struct procs_task *)b)->pid;
  return (x > y) - (x < y);
}

static struct procs_task *find_task(struct procs *p, int pid) {
  struct procs_task key = {.pid = pid};
  if (p->nr == 0)
    return NULL;
  return bsearch(&key, p->tasks, p->nr, sizeof(*p->tasks), by_pid);
}

/* Inserts in pid order. */
static int add_task(struct procs *p, int pid, bool master, uint64_t start) {
  if (array_reserve(&p->tasks, &p->cap, p->nr + 1, sizeof(*p->tasks)) != 0)
    return -ENOMEM;
  size_t i = p->nr;
  for (; i > 0 && p->tasks[i - 1].pid > pid; i--)
    p->tasks[i] = p->tasks[i - 1];
  p->tasks[i] =
      (struct procs_task){.pid = pid, .master = master, .starttime = start};
  p->nr++;
  return 0;
}

/* A decimal name of a /proc entry, or -1. */
static int pid_of(const char *name) {
  long v = 0;
  if (*name == '\0')
    return -1;
  for (const char *c = name; *c; c++) {
    if (*c < '0' || *c > '9' || v > 10000000)
      return -1;
    v = v * 10 + (*c - '0');
  }
  return (int)v;
}

/* Calls fn for each entry of the directory fd from its start, with no
 * allocation (readdir would allocate a DIR each time). */
static int each_dirent(struct procs *p, int fd,
                       int (*fn)(struct procs *, const char *, void *),
                       void *arg) {
  if (lseek(fd, 0, SEEK_SET) < 0)
    return -errno;
  for (;;) {
    ssize_t n = getdents64(fd, p->dents, DENTS_CAP);
    if (n < 0)
      return -errno;
    if (n == 0)
      return 0;
    for (ssize_t off = 0; off < n;) {
      const struct dirent64 *d = (const struct dirent64 *)(p->dents + off);
      int err = fn(p, d->d_name, arg);
      if (err)
        return err;
      off += d->d_reclen;
    }
  }
}

/* comm has a trailing newline. */
static bool comm_wanted(struct procs *p, int pid) {
  char rel[32], comm[PROCS_NAME_LEN + 1];
  snprintf(rel, sizeof(rel), "%d/comm", pid);
  ssize_t n = read_rel(p, rel);
  if (n <= 0)
    return false;
  if (p->buf[n - 1] == '\n')
    n--;
  if ((size_t)n >= sizeof(comm))
    return false;
  memcpy(comm, p->buf, (size_t)n);
  comm[n] = '\0';
  return name_wanted(p, comm);
}

static int discover_entry(struct procs *p, const char *name, void *arg) {
  int pid = pid_of(name);
  (void)arg;
  if (pid > 0 && comm_wanted(p, pid))
    return add_task(p, pid, false, 0);
  return 0;
}

int procs_discover(struct procs *p) {
  int err = procs_open(p);
  if (err)
    return err;
  p->nr = 0;
  p->master_lost = false;
  err = each_dirent(p, p->proc_fd, discover_entry, NULL);
  if (err)
    return err;
  /* Masters: their parent is not one of ours. One that went away since
   * the scan is dropped (compacting keeps the pid order). */
  size_t kept = 0;
  for (size_t i = 0; i < p->nr; i++) {
    struct taskstat st;
    if (read_stat(p, p->tasks[i].pid, &st) != 0)
      continue;
    p->tasks[kept] = p->tasks[i];
    p->tasks[kept].ppid = st.ppid <= 0x7fffffff ? (int)st.ppid : 0;
    p->tasks[kept++].starttime = st.starttime;
  }
  p->nr = kept;
  for (size_t i = 0; i < p->nr; i++)
    p->tasks[i].master = find_task(p, p->tasks[i].ppid) == NULL;
  return 0;
}

struct adopt {
  struct procs *p;
  int pids[256]; /* children of one master, read before any is added */
  size_t nr;
  bool more; /* more children than pids holds */
};

static void adopt_pid(void *arg, uint64_t pid) {
  struct adopt *a = arg;
  if (pid == 0 || pid > 0x7fffffff)
    return;
  if (a->nr == sizeof(a->pids) / sizeof(a->pids[0])) {
    a->more = true;
    return;
  }
  a->pids[a->nr++] = (int)pid;
}

void procs_adopt_children(struct procs *p) {
  if (p->no_children || procs_open(p) != 0)
    return;
  for (size_t i = 0; i < p->nr; i++) {
    if (!p->tasks[i].master)
      continue;
    char rel[48];
    int pid = p->tasks[i].pid;
    snprintf(rel, sizeof(rel), "%d/task/%d/children", pid, pid);
    ssize_t n = read_rel(p, rel);
    if (n == -ENOENT) {
      /* Either the master is gone (procs_sample will see it), or this
       * kernel has no children files. */
      snprintf(rel, sizeof(rel), "%d/stat", pid);
      if (faccessat(p->proc_fd, rel, F_OK, 0) == 0) {
        p->no_children = true;
        return;
      }
      continue;
    }
    if (n < 0)
      continue;
    struct adopt a = {.p = p};
    pidstat_parse_children(p->buf, (size_t)n, adopt_pid, &a);
    for (size_t c = 0; c < a.nr; c++) {
      struct taskstat st;
      if (find_task(p, a.pids[c]) == NULL && read_stat(p, a.pids[c], &st) == 0)
        add_task(p, a.pids[c], false, st.starttime);
    }
    /* Tasks moved as children were added: find this master again. */
    struct procs_task *t = find_task(p, pid);
    i = t ? (size_t)(t - p->tasks) : i;
  }
}

static int read_resident(struct procs *p, int pid, uint64_t *pages) {
  char rel[32];
  snprintf(rel, sizeof(rel), "%d/statm", pid);
  ssize_t n = read_rel(p, rel);
  if (n < 0)
    return (int)n;
  return pidstat_parse_statm(pages, p->buf, (size_t)n);
}

void procs_sample(struct procs *p, struct procs_sample *out) {
  size_t kept = 0;

  memset(out, 0, sizeof(*out));
  if (procs_open(p) != 0) {
    p->nr = 0;
    return;
  }
  for (size_t i = 0; i < p->nr; i++) {
    struct procs_task t = p->tasks[i];
    struct taskstat st;
    uint64_t pages;

    /* Gone, renamed (exec of another program), or its pid now another
     * process: dropped quietly. */
    if (read_stat(p, t.pid, &st) != 0 ||
        (t.starttime && st.starttime != t.starttime) ||
        read_resident(p, t.pid, &pages) != 0) {
      if (t.master)
        p->master_lost = true;
      continue;
    }
    uint64_t rss = pages * p->page_size;
    out->count++;
    out->threads += st.num_threads;
    out->rss_total += rss;
    if (rss > out->rss_max)
      out->rss_max = rss;
    t.starttime = st.starttime;
    p->tasks[kept++] = t;
  }
  p->nr = kept;
}

/* --- socket inodes --------------------------------------------------------*/

static int add_inode(struct procs *p, uint64_t inode) {
  if (array_reserve(&p->inodes, &p->inodes_cap, p->nr_inodes + 1,
                    sizeof(*p->inodes)) != 0)
    return -ENOMEM;
  p->inodes[p->nr_inodes++] = inode;
  return 0;
}

/* "socket:[12345]" */
static bool socket_inode(const char *link, size_t len, uint64_t *inode) {
  const char *s = link, *end = link + len;
  return parse_literal(&s, end, "socket:[") && parse_u64(&s, end, inode) &&
         parse_literal(&s, end, "]") && s == end;
}

static int fd_entry(struct procs *p, const char *name, void *arg) {
  int dirfd = *(int *)arg;
  char link[64];
  uint64_t inode;

  if (name[0] == '.')
    return 0;
  ssize_t n = readlinkat(dirfd, name, link, sizeof(link));
  if (n > 0 && socket_inode(link, (size_t)n, &inode))
    return add_inode(p, inode);
  return 0;
}

static int by_inode(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

int procs_socket_inodes(struct procs *p) {
  p->nr_inodes = 0;
  p->fd_err = 0;
  int err = procs_open(p);
  if (err)
    return p->fd_err = err;
  for (size_t i = 0; i < p->nr; i++) {
    char rel[32];
    if (!p->tasks[i].master)
      continue;
    snprintf(rel, sizeof(rel), "%d/fd", p->tasks[i].pid);
    int dirfd = openat(p->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    err = dirfd < 0 ? -errno : each_dirent(p, dirfd, fd_entry, &dirfd);
    if (dirfd >= 0)
      close(dirfd);
    if (err && err != -ENOENT && p->fd_err == 0)
      p->fd_err = err;
  }
  if (p->nr_inodes > 1)
    qsort(p->inodes, p->nr_inodes, sizeof(*p->inodes), by_inode);
  return p->fd_err;
}
