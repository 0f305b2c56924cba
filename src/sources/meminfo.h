/* /proc/meminfo: the system-wide lines lowmem reports, in bytes.
 *
 * Lines come and go with the kernel (LowFree/HighFree only on HighMem
 * kernels, MemAvailable since 3.14): a field's bit in `present` says the
 * kernel printed it, so an absent field is never reported as 0. */
#ifndef LOWMEM_MEMINFO_H
#define LOWMEM_MEMINFO_H

#include <stddef.h>
#include <stdint.h>

enum meminfo_field {
  MEMINFO_MEM_TOTAL,     /* MemTotal */
  MEMINFO_MEM_FREE,      /* MemFree */
  MEMINFO_MEM_AVAILABLE, /* MemAvailable */
  MEMINFO_HIGH_TOTAL,    /* HighTotal */
  MEMINFO_HIGH_FREE,     /* HighFree */
  MEMINFO_LOW_TOTAL,     /* LowTotal */
  MEMINFO_LOW_FREE,      /* LowFree */
  MEMINFO_SLAB,          /* Slab */
  MEMINFO_SRECLAIMABLE,  /* SReclaimable */
  MEMINFO_SUNRECLAIM,    /* SUnreclaim */
  MEMINFO_KERNEL_STACK,  /* KernelStack */
  MEMINFO_PAGE_TABLES,   /* PageTables */
  MEMINFO_DIRTY,         /* Dirty */
  MEMINFO_WRITEBACK,     /* Writeback */
  MEMINFO_COMMITTED_AS,  /* Committed_AS */
  MEMINFO_COMMIT_LIMIT,  /* CommitLimit */
  MEMINFO_SWAP_TOTAL,    /* SwapTotal */
  MEMINFO_SWAP_FREE,     /* SwapFree */
  /* What admins look for beside a zone's occupancy. */
  MEMINFO_CACHED,        /* Cached */
  MEMINFO_BUFFERS,       /* Buffers */
  MEMINFO_ANON_PAGES,    /* AnonPages */
  MEMINFO_SHMEM,         /* Shmem */
  MEMINFO_MAPPED,        /* Mapped */
  MEMINFO_ACTIVE_FILE,   /* Active(file) */
  MEMINFO_INACTIVE_FILE, /* Inactive(file) */
  MEMINFO_NR
};

struct meminfo {
  uint64_t value[MEMINFO_NR]; /* bytes */
  uint32_t present;           /* bit (1u << field) per line printed */
  unsigned malformed;
};

/* The kernel's name for each field ("SReclaimable"). */
extern const char *const meminfo_kernel_name[MEMINFO_NR];

/* Returns 0, or -EINVAL when no known line was read. */
int meminfo_parse(struct meminfo *mi, const char *buf, size_t len);

/* Nothing to free: every source has a _free (sample/sources.h). */
static inline void meminfo_free(struct meminfo *x) { (void)x; }

static inline int meminfo_has(const struct meminfo *mi, enum meminfo_field f) {
  return (mi->present >> f) & 1u;
}

#endif
