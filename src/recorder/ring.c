#include "ring.h"

#include <errno.h>
#include <fcntl.h>
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

static void *slot(const struct ring *rg, uint64_t i) {
  return (char *)rg->map + rg->h->header_size +
         (size_t)(i % rg->h->capacity) * rg->h->record_size;
}

static int map_file(struct ring *rg, int fd, size_t size, bool writable) {
  void *map = mmap(NULL, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                   MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return -errno;
  rg->fd = fd;
  rg->map = map;
  rg->size = size;
  rg->h = map;
  rg->writable = writable;
  return 0;
}

int ring_create(struct ring *rg, const char *path,
                const struct ring_header *h) {
  char tmp[4096];
  struct ring_header head = *h;

  memset(rg, 0, sizeof(*rg));
  rg->fd = -1;
  if (h->capacity == 0 || h->nr_zones > RING_MAX_ZONES)
    return -EINVAL;
  memcpy(head.magic, RING_MAGIC, sizeof(head.magic));
  head.version = RING_VERSION;
  head.byte_order = RING_BYTE_ORDER;
  head.header_size = RING_HEADER_SIZE;
  head.zone_size = sizeof(struct ring_zone);
  head.record_size = (uint32_t)ring_record_size(h->nr_zones);
  head.head = 0;
  head.clean = 0;
  size_t size = RING_HEADER_SIZE + (size_t)head.capacity * head.record_size;

  if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
    return -ENAMETOOLONG;
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return -errno;
  /* Every page of the file exists before it is mapped: a store into a
   * hole that the file system cannot fill would be SIGBUS. */
  int err = posix_fallocate(fd, 0, (off_t)size);
  if (err == 0 && pwrite(fd, &head, sizeof(head), 0) != (ssize_t)sizeof(head))
    err = errno ? errno : EIO;
  if (err == 0 && rename(tmp, path) != 0)
    err = errno;
  if (err == 0)
    err = -map_file(rg, fd, size, true);
  if (err != 0) {
    close(fd);
    unlink(tmp);
    memset(rg, 0, sizeof(*rg));
    rg->fd = -1;
    return -err;
  }
  return 0;
}

static bool header_ok(const struct ring_header *h, size_t file_size) {
  if (memcmp(h->magic, RING_MAGIC, sizeof(h->magic)) != 0 ||
      h->version != RING_VERSION || h->byte_order != RING_BYTE_ORDER ||
      h->header_size != RING_HEADER_SIZE ||
      h->zone_size != sizeof(struct ring_zone) ||
      h->nr_zones > RING_MAX_ZONES ||
      h->record_size != ring_record_size(h->nr_zones) || h->capacity == 0 ||
      h->nr_orders > RING_ORDERS)
    return false;
  return (uint64_t)h->header_size + (uint64_t)h->capacity * h->record_size <=
         file_size;
}

int ring_open(struct ring *rg, const char *path) {
  struct stat st;

  memset(rg, 0, sizeof(*rg));
  rg->fd = -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (size_t)st.st_size < RING_HEADER_SIZE) {
    close(fd);
    return -EINVAL;
  }
  int err = map_file(rg, fd, (size_t)st.st_size, false);
  if (err) {
    close(fd);
    return err;
  }
  if (!header_ok(rg->h, rg->size)) {
    ring_close(rg);
    return -EINVAL;
  }
  return 0;
}

void ring_append(struct ring *rg, struct ring_record *rec) {
  uint64_t seq = rg->h->head + 1;
  struct ring_record *dst = slot(rg, seq - 1);

  /* seq 0 first: a reader that meets this slot before the copy is done
   * skips it. */
  __atomic_store_n(&dst->seq, 0, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  memcpy((char *)dst + sizeof(dst->seq), (char *)rec + sizeof(rec->seq),
         rg->h->record_size - sizeof(rec->seq));
  rec->seq = seq;
  __atomic_store_n(&dst->seq, seq, __ATOMIC_RELEASE);
  __atomic_store_n(&rg->h->head, seq, __ATOMIC_RELEASE);
}

static int by_seq(const void *a, const void *b) {
  uint64_t x = ((const struct ring_record *)a)->seq;
  uint64_t y = ((const struct ring_record *)b)->seq;
  return x < y ? -1 : x > y;
}

int ring_snapshot(const struct ring *rg, int64_t from, int64_t to, void **out,
                  size_t *nr) {
  const size_t size = rg->h->record_size;
  const uint32_t capacity = rg->h->capacity;
  char *buf = malloc((size_t)capacity * size);
  size_t n = 0;

  *out = NULL;
  *nr = 0;
  if (buf == NULL)
    return -ENOMEM;
  for (uint32_t i = 0; i < capacity; i++) {
    const struct ring_record *src = slot(rg, i);
    struct ring_record *dst = (struct ring_record *)(buf + n * size);
    uint64_t before = __atomic_load_n(&src->seq, __ATOMIC_ACQUIRE);
    if (before == 0)
      continue;
    memcpy(dst, src, size);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint64_t after = __atomic_load_n(&src->seq, __ATOMIC_RELAXED);
    if (before != after || dst->seq != before)
      continue; /* rewritten while copied */
    if (dst->time_ns < from || dst->time_ns > to ||
        dst->nr_zones > rg->h->nr_zones)
      continue;
    n++;
  }
  if (n > 1)
    qsort(buf, n, size, by_seq);
  *out = buf;
  *nr = n;
  return 0;
}

void ring_set_clean(struct ring *rg, bool clean) {
  if (rg->writable)
    __atomic_store_n(&rg->h->clean, clean ? 1u : 0u, __ATOMIC_RELEASE);
}

void ring_close(struct ring *rg) {
  if (rg->map)
    munmap(rg->map, rg->size);
  if (rg->fd >= 0)
    close(rg->fd);
  memset(rg, 0, sizeof(*rg));
  rg->fd = -1;
}
