#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ring_mem_name[RING_MEM_NR] = {
    [RING_MEM_TOTAL] = "MemTotal",
    [RING_MEM_FREE] = "MemFree",
    [RING_MEM_AVAILABLE] = "MemAvailable",
    [RING_LOW_TOTAL] = "LowTotal",
    [RING_LOW_FREE] = "LowFree",
    [RING_HIGH_FREE] = "HighFree",
    [RING_SRECLAIMABLE] = "SReclaimable",
    [RING_SUNRECLAIM] = "SUnreclaim",
    [RING_DIRTY] = "Dirty",
    [RING_WRITEBACK] = "Writeback",
};

const char *const ring_vm_name[RING_VM_NR] = {
    [RING_VM_ALLOCSTALL] = "allocstall",
    [RING_VM_PGSCAN_KSWAPD] = "pgscan_kswapd",
    [RING_VM_PGSCAN_DIRECT] = "pgscan_direct",
    [RING_VM_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
    [RING_VM_PGSTEAL_DIRECT] = "pgsteal_direct",
    [RING_VM_COMPACT_STALL] = "compact_stall",
    [RING_VM_COMPACT_FAIL] = "compact_fail",
    [RING_VM_OOM_KILL] = "oom_kill",
};

size_t ring_record_size(uint32_t nr_zones) {
  return sizeof(struct ring_record) + nr_zones * sizeof(struct ring_zone);
}

/* --- the SIGBUS guard
 *
 * A store or load in a shared mapping past the end of its file raises
 * SIGBUS, which kills the process: `truncate -s 4096 lowmem.ring` under a
 * running collectd would take it down. Checking the size before each
 * sample would cost a system call per sample and still leave a window.
 * Instead a handler knows the mappings of the rings: a fault in one of
 * them puts anonymous memory in its place (the faulting access then
 * succeeds, into memory nobody reads) and raises a flag the recorder
 * checks at each sample. Any other SIGBUS goes to whoever handled it
 * before, or ends the process as it would have. */

#define RING_GUARDS 8

static struct {
  uintptr_t start; /* 0: free */
  size_t len;
  int hit;
} guards[RING_GUARDS];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction guard_prev;
static unsigned guards_used;

static void pass_on(int sig, siginfo_t *si, void *uc) {
  if (guard_prev.sa_flags & SA_SIGINFO) {
    if (guard_prev.sa_sigaction != NULL)
      guard_prev.sa_sigaction(sig, si, uc);
    return;
  }
  if (guard_prev.sa_handler != SIG_DFL && guard_prev.sa_handler != SIG_IGN) {
    guard_prev.sa_handler(sig);
    return;
  }
  /* The default action: the faulting access happens again on return and
   * ends the process; a SIGBUS sent with kill(2) is raised again. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, NULL);
  if (si == NULL || si->si_code <= 0)
    raise(sig);
}

static void on_sigbus(int sig, siginfo_t *si, void *uc) {
  int saved = errno;
  uintptr_t a = si != NULL ? (uintptr_t)si->si_addr : 0;

  for (int i = 0; i < RING_GUARDS; i++) {
    uintptr_t start = __atomic_load_n(&guards[i].start, __ATOMIC_ACQUIRE);
    size_t len = __atomic_load_n(&guards[i].len, __ATOMIC_ACQUIRE);
    if (start == 0 || a < start || a - start >= len)
      continue;
    if (mmap((void *)start, len, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
      __atomic_store_n(&guards[i].hit, 1, __ATOMIC_RELEASE);
      errno = saved;
      return;
    }
    break;
  }
  errno = saved;
  pass_on(sig, si, uc);
}

static int guard_add(void *map, size_t len) {
  int slot = -1;

  pthread_mutex_lock(&guard_lock);
  for (int i = 0; i < RING_GUARDS && slot < 0; i++)
    if (guards[i].start == 0)
      slot = i;
  /* Installed with the first guard, and again if someone has put another
   * handler in its place since (which then comes after it). */
  struct sigaction cur;
  if (slot >= 0 && sigaction(SIGBUS, NULL, &cur) == 0 &&
      !(guards_used > 0 && (cur.sa_flags & SA_SIGINFO) &&
        cur.sa_sigaction == on_sigbus)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &guard_prev) != 0)
      slot = -1;
  }
  if (slot >= 0) {
    guards_used++;
    __atomic_store_n(&guards[slot].hit, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&guards[slot].len, len, __ATOMIC_RELEASE);
    __atomic_store_n(&guards[slot].start, (uintptr_t)map, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&guard_lock);
  return slot;
}

static void guard_remove(int slot) {
  if (slot < 0)
    return;
  pthread_mutex_lock(&guard_lock);
  __atomic_store_n(&guards[slot].start, 0, __ATOMIC_RELEASE);
  if (--guards_used == 0) {
    /* Put back what was there, unless someone has replaced us since. */
    struct sigaction cur;
    if (sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
        cur.sa_sigaction == on_sigbus)
      sigaction(SIGBUS, &guard_prev, NULL);
  }
  pthread_mutex_unlock(&guard_lock);
}

bool ring_faulted(const struct ring *rg) {
  return rg->guard >= 0 &&
         __atomic_load_n(&guards[rg->guard].hit, __ATOMIC_RELAXED) != 0;
}

/* --- layout ------------------------------------------------------------*/

/* Offset of the slot of record seq (seq >= 1). The sizes were checked
 * against the mapping at open: the product fits. */
static uint64_t slot_offset(const struct ring *rg, uint64_t seq) {
  return (uint64_t)rg->hdr.header_size +
         (seq - 1) % rg->hdr.capacity * (uint64_t)rg->hdr.record_size;
}

static struct ring_record *slot(const struct ring *rg, uint64_t seq) {
  return (struct ring_record *)((char *)rg->map + (size_t)slot_offset(rg, seq));
}

/* Bytes of the header and the slots, or 0 when that does not fit in 64
 * bits (it always does: both factors are 32-bit). */
static uint64_t ring_bytes(const struct ring_header *h) {
  uint64_t slots;
  if (__builtin_mul_overflow((uint64_t)h->capacity, (uint64_t)h->record_size,
                             &slots) ||
      slots > UINT64_MAX - h->header_size)
    return 0;
  return h->header_size + slots;
}

/* 0, or why h cannot be the header of a ring in a file of file_size
 * bytes. */
static int header_check(const struct ring_header *h, uint64_t file_size) {
  if (memcmp(h->magic, RING_MAGIC, sizeof(h->magic)) != 0 ||
      h->version != RING_VERSION || h->byte_order != RING_BYTE_ORDER)
    return -EINVAL;
  if (h->header_size != RING_HEADER_SIZE ||
      h->zone_size != sizeof(struct ring_zone) ||
      h->nr_zones > RING_MAX_ZONES ||
      h->record_size != ring_record_size(h->nr_zones) || h->capacity == 0 ||
      h->nr_orders > RING_ORDERS)
    return -EBADMSG;
  uint64_t bytes = ring_bytes(h);
  if (bytes == 0 || bytes > file_size)
    return -ERANGE;
  if (bytes > SIZE_MAX)
    return -EFBIG;
  return 0;
}

const char *ring_open_error(int rc) {
  switch (rc) {
  case -ELOOP:
    return "is a symbolic link (give the ring's own path)";
  case -EISDIR:
    return "is a directory, not a ring file";
  case -ENODEV:
    return "is not a regular file (a FIFO, a device or a socket), not a ring "
           "file";
  case -EINVAL:
    return "is not a lowmem ring file (or one of another version or byte "
           "order)";
  case -EBADMSG:
    return "is a lowmem ring file with a damaged header (sizes that do not fit "
           "together)";
  case -ERANGE:
    return "is shorter than its header says: cut short, or damaged";
  case -EFBIG:
    return "is larger than this machine can map";
  default:
    return NULL;
  }
}

static void ring_reset(struct ring *rg) {
  memset(rg, 0, sizeof(*rg));
  rg->fd = -1;
  rg->guard = -1;
}

static int map_file(struct ring *rg, int fd, size_t size, bool writable) {
  struct stat st;
  void *map = mmap(NULL, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                   MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return -errno;
  rg->fd = fd;
  rg->map = map;
  rg->size = size;
  rg->h = map;
  rg->writable = writable;
  if (fstat(fd, &st) == 0) {
    rg->dev = (uint64_t)st.st_dev;
    rg->ino = (uint64_t)st.st_ino;
  }
  /* What the writer made is allocated through: no hole to look for. */
  rg->data_hi = writable ? UINT64_MAX : 0;
  rg->guard = guard_add(map, size);
  return 0;
}

/* --- the writer ----------------------------------------------------------*/

int ring_create_at(struct ring *rg, int dirfd, const char *name,
                   const struct ring_header *h) {
  char tmp[NAME_MAX + 1];
  struct ring_header head = *h;

  ring_reset(rg);
  if (h->capacity == 0 || h->nr_zones > RING_MAX_ZONES ||
      h->nr_orders > RING_ORDERS)
    return -EINVAL;
  memcpy(head.magic, RING_MAGIC, sizeof(head.magic));
  head.version = RING_VERSION;
  head.byte_order = RING_BYTE_ORDER;
  head.header_size = RING_HEADER_SIZE;
  head.zone_size = sizeof(struct ring_zone);
  head.record_size = (uint32_t)ring_record_size(h->nr_zones);
  head.head = 0;
  head.clean = 0;
  uint64_t size = ring_bytes(&head);
  if (size == 0 || size > RING_MAX_BYTES)
    return -EFBIG;

  if (snprintf(tmp, sizeof(tmp), "%s.new", name) >= (int)sizeof(tmp))
    return -ENAMETOOLONG;
  /* A file an earlier run left, or whatever was put there: the name goes,
   * what a symbolic link points to is not touched. */
  if (unlinkat(dirfd, tmp, 0) != 0 && errno != ENOENT && errno != EISDIR)
    return -errno;
  int fd = openat(dirfd, tmp,
                  O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0)
    return -errno;
  int err = fchmod(fd, 0640) == 0 ? 0 : errno;
  /* Every page of the file exists before it is mapped: a store into a
   * hole that the file system cannot fill would be SIGBUS. */
  if (err == 0)
    err = posix_fallocate(fd, 0, (off_t)size);
  if (err == 0 && pwrite(fd, &head, sizeof(head), 0) != (ssize_t)sizeof(head))
    err = errno ? errno : EIO;
  if (err == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
    err = errno;
  if (err == 0)
    err = -map_file(rg, fd, (size_t)size, true);
  if (err != 0) {
    close(fd);
    unlinkat(dirfd, tmp, 0);
    ring_reset(rg);
    return -err;
  }
  rg->hdr = head;
  return 0;
}

/* The directory of path, opened, and its last component. */
static int split_path(const char *path, char *base, size_t cap) {
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  char dir[PATH_MAX];

  if (snprintf(base, cap, "%s", name) >= (int)cap || base[0] == '\0')
    return -ENAMETOOLONG;
  if (slash == NULL)
    return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  if (n >= sizeof(dir))
    return -ENAMETOOLONG;
  memcpy(dir, path, n);
  dir[n] = '\0';
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

int ring_create(struct ring *rg, const char *path,
                const struct ring_header *h) {
  char name[NAME_MAX + 1];
  int dirfd = split_path(path, name, sizeof(name));

  ring_reset(rg);
  if (dirfd < 0)
    return dirfd;
  int rc = ring_create_at(rg, dirfd, name, h);
  close(dirfd);
  return rc;
}

void ring_append(struct ring *rg, struct ring_record *rec) {
  uint64_t seq = ++rg->head;
  struct ring_record *dst = slot(rg, seq);

  /* seq 0 first: a reader that meets this slot before the copy is done
   * skips it. */
  __atomic_store_n(&dst->seq, 0, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  memcpy((char *)dst + sizeof(dst->seq), (char *)rec + sizeof(rec->seq),
         rg->hdr.record_size - sizeof(rec->seq));
  rec->seq = seq;
  __atomic_store_n(&dst->seq, seq, __ATOMIC_RELEASE);
  __atomic_store_n(&rg->h->head, seq, __ATOMIC_RELEASE);
}

void ring_set_clean(struct ring *rg, bool clean) {
  if (rg->writable)
    __atomic_store_n(&rg->h->clean, clean ? 1u : 0u, __ATOMIC_RELEASE);
}

const char *ring_state_name(enum ring_state state) {
  switch (state) {
  case RING_SOUND:
    return "sound";
  case RING_CUT_SHORT:
    return "cut short (truncated)";
  case RING_OVERWRITTEN:
    return "overwritten (its header is no longer a ring's)";
  case RING_UNLINKED:
    return "removed";
  case RING_REPLACED:
    return "moved away or replaced by another file";
  }
  return "?";
}

enum ring_state ring_verify(struct ring *rg, int dirfd, const char *name) {
  struct stat st;

  if (ring_faulted(rg))
    return RING_CUT_SHORT;
  if (fstat(rg->fd, &st) == 0) {
    if ((uint64_t)st.st_size < rg->size)
      return RING_CUT_SHORT;
    if (st.st_nlink == 0)
      return RING_UNLINKED;
  }
  if (memcmp(rg->h->magic, RING_MAGIC, sizeof(rg->h->magic)) != 0 ||
      rg->h->capacity != rg->hdr.capacity ||
      rg->h->record_size != rg->hdr.record_size)
    return ring_faulted(rg) ? RING_CUT_SHORT : RING_OVERWRITTEN;
  if (name != NULL &&
      (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
       (uint64_t)st.st_dev != rg->dev || (uint64_t)st.st_ino != rg->ino))
    return RING_REPLACED;
  return RING_SOUND;
}

/* --- readers -------------------------------------------------------------*/

int ring_open_at(struct ring *rg, int dirfd, const char *name) {
  struct stat st;

  ring_reset(rg);
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return -errno;
  if (S_ISLNK(st.st_mode))
    return -ELOOP;
  if (S_ISDIR(st.st_mode))
    return -EISDIR;
  if (!S_ISREG(st.st_mode))
    return -ENODEV;
  int fd = openat(dirfd, name,
                  O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return errno == ELOOP ? -ELOOP : -errno;
  int rc = 0;
  if (fstat(fd, &st) != 0)
    rc = -errno;
  else if (!S_ISREG(st.st_mode)) /* it changed since */
    rc = -ENODEV;
  else if ((uint64_t)st.st_size < RING_HEADER_SIZE)
    rc = -EINVAL;
  /* The header is read, not mapped, and checked in this private copy:
   * the sizes that bound every access come from here. */
  else if (pread(fd, &rg->hdr, sizeof(rg->hdr), 0) != (ssize_t)sizeof(rg->hdr))
    rc = -EINVAL;
  else
    rc = header_check(&rg->hdr, (uint64_t)st.st_size);
  if (rc == 0)
    rc = map_file(rg, fd, (size_t)ring_bytes(&rg->hdr), false);
  if (rc != 0) {
    close(fd);
    ring_reset(rg);
    return rc;
  }
  rg->head = __atomic_load_n(&rg->h->head, __ATOMIC_ACQUIRE);
  return 0;
}

int ring_open(struct ring *rg, const char *path) {
  return ring_open_at(rg, AT_FDCWD, path);
}

/* Whether the slot at off lies in a hole of the file (all zeros: no
 * record), and where the hole ends. A file lowmem made has none; a sparse
 * file claiming a huge ring is read in the time its data takes. */
static bool in_hole(struct ring *rg, uint64_t off, uint64_t *end) {
  if (off >= rg->data_lo && off < rg->data_hi)
    return false;
  if (off >= rg->hole_lo && off < rg->hole_hi) {
    *end = rg->hole_hi;
    return true;
  }
  off_t d = lseek(rg->fd, (off_t)off, SEEK_DATA);
  if (d < 0) {
    if (errno != ENXIO) { /* no SEEK_DATA here: all of it is data */
      rg->data_lo = 0;
      rg->data_hi = UINT64_MAX;
      return false;
    }
    d = (off_t)rg->size; /* a hole up to the end */
  }
  if ((uint64_t)d > off) {
    rg->hole_lo = off;
    rg->hole_hi = (uint64_t)d;
    *end = rg->hole_hi;
    return true;
  }
  off_t h = lseek(rg->fd, (off_t)off, SEEK_HOLE);
  rg->data_lo = off;
  rg->data_hi = h > d ? (uint64_t)h : UINT64_MAX;
  return false;
}

void ring_iter_begin(struct ring *rg, struct ring_iter *it) {
  uint64_t head = __atomic_load_n(&rg->h->head, __ATOMIC_ACQUIRE);
  uint64_t cap = rg->hdr.capacity;

  memset(it, 0, sizeof(*it));
  /* The last capacity records up to head, and head + 1, which a writer
   * that died between the record and the header left in the slot of the
   * oldest (only one of the two can be there). */
  it->seq = head >= cap ? head - cap + 1 : 1;
  it->last = head < UINT64_MAX ? head + 1 : head;
}

static void advance(struct ring_iter *it, uint64_t k) {
  if (it->last - it->seq < k)
    it->done = true;
  else
    it->seq += k;
}

/* Copies the record of seq, when its slot holds it whole. */
static bool read_slot(const struct ring *rg, uint64_t seq,
                      struct ring_record *copy) {
  const struct ring_record *src = slot(rg, seq);
  uint64_t before = __atomic_load_n(&src->seq, __ATOMIC_ACQUIRE);
  if (before != seq)
    return false;
  memcpy(copy, src, rg->hdr.record_size);
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  uint64_t after = __atomic_load_n(&src->seq, __ATOMIC_RELAXED);
  return after == seq && copy->seq == seq && copy->nr_zones <= rg->hdr.nr_zones;
}

bool ring_iter_next(struct ring *rg, struct ring_iter *it,
                    struct ring_record *copy) {
  const uint64_t cap = rg->hdr.capacity, size = rg->hdr.record_size;

  while (!it->done) {
    uint64_t seq = it->seq, end;
    uint64_t off = slot_offset(rg, seq);
    if (in_hole(rg, off, &end)) {
      /* Past every slot that starts in the hole, up to the end of this
       * lap of the ring. */
      uint64_t k = (end - off + size - 1) / size;
      uint64_t lap = cap - (seq - 1) % cap;
      advance(it, k < lap ? k : lap);
      continue;
    }
    advance(it, 1);
    if (read_slot(rg, seq, copy))
      return true;
  }
  return false;
}

void ring_close(struct ring *rg) {
  guard_remove(rg->guard);
  if (rg->map)
    munmap(rg->map, rg->size);
  if (rg->fd >= 0)
    close(rg->fd);
  ring_reset(rg);
}
