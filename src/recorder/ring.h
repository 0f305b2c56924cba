/* The ring file: the last RecordSeconds + RecordAfterSeconds of full-rate
 * samples, in a memory-mapped file, so that what was sampled survives the
 * death of collectd (kill -9, the OOM killer): every store into the
 * mapping is in the page cache at once and reaches the file with it, with
 * no msync and no write() per sample. Only a crash of the kernel itself
 * loses the newest pages; the incident files are fsync'ed for that.
 *
 * Layout (native byte order, checked by byte_order), version 1:
 *   [0, RING_HEADER_SIZE)   struct ring_header
 *   then capacity slots of record_size bytes: struct ring_record followed
 *   by nr_zones struct ring_zone, in the order of header.zone_name.
 * Slot of record seq n (n >= 1): (n - 1) % capacity. A slot's seq is 0
 * while it is being written and is set last, so a reader (lowmem-dump, or
 * the incident writer while samples keep coming) skips a record cut in
 * the middle. header.head is the seq of the newest complete record.
 *
 * A ring file is an input like any other (lowmem-dump reads what it is
 * given; root's collectd reads what it finds in RecordDir): a reader takes
 * every size from the header it checked against the file, never from the
 * mapping again, and copies a record out of its slot before using it. A
 * file truncated under a mapping would turn the next access into SIGBUS:
 * ring.c catches it for its own mappings (see ring_faulted). */
#ifndef LOWMEM_RING_H
#define LOWMEM_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC "LMRING\r\n" /* 8 bytes; \r\n catches text-mode copies */
#define RING_VERSION 1
#define RING_BYTE_ORDER 0x01020304u
#define RING_HEADER_SIZE 4096
#define RING_MAX_ZONES 32
#define RING_ZONE_NAME_LEN 32
#define RING_ORDERS 4        /* headroom orders kept: the first configured */
#define RING_BUDDY_ORDERS 16 /* free-block counts kept per zone */
#define RING_TEXT_LEN 64

/* meminfo lines kept, bytes. */
enum ring_mem {
  RING_MEM_TOTAL,
  RING_MEM_FREE,
  RING_MEM_AVAILABLE,
  RING_LOW_TOTAL,
  RING_LOW_FREE,
  RING_HIGH_FREE,
  RING_SRECLAIMABLE,
  RING_SUNRECLAIM,
  RING_DIRTY,
  RING_WRITEBACK,
  RING_MEM_NR
};

/* vmstat counters kept (the sum over zones on kernels that count per
 * zone: allocstall_normal + allocstall_dma32 ...). */
enum ring_vm {
  RING_VM_ALLOCSTALL,
  RING_VM_PGSCAN_KSWAPD,
  RING_VM_PGSCAN_DIRECT,
  RING_VM_PGSTEAL_KSWAPD,
  RING_VM_PGSTEAL_DIRECT,
  RING_VM_COMPACT_STALL,
  RING_VM_COMPACT_FAIL,
  RING_VM_OOM_KILL,
  RING_VM_NR
};

enum ring_psi {
  RING_PSI_SOME = 1u << 0,
  RING_PSI_FULL = 1u << 1,
};

enum ring_zone_has {
  RING_ZONE_SEEN = 1u << 0,     /* the zone was in this sample */
  RING_ZONE_HEADROOM = 1u << 1, /* headroom_min and headroom_low */
  RING_ZONE_SLAB = 1u << 2,     /* the zone's own slab (before 4.8) */
  RING_ZONE_BUDDY = 1u << 3,    /* nr_free */
};

struct ring_zone {
  uint64_t free, min, low, high;                 /* pages */
  uint64_t slab_reclaimable, slab_unreclaimable; /* pages */
  int64_t headroom_min[RING_ORDERS];             /* pages, at min */
  int64_t headroom_low[RING_ORDERS];             /* pages, at low */
  uint32_t nr_free[RING_BUDDY_ORDERS]; /* free blocks; saturate at 2^32-1 */
  uint32_t has, nr_buddy_orders;
};

struct ring_record {
  uint64_t seq;             /* 0 while written */
  int64_t time_ns;          /* CLOCK_REALTIME */
  uint32_t mem_has, vm_has; /* bit per enum ring_mem / ring_vm */
  uint32_t psi_has, nr_zones;
  uint64_t mem[RING_MEM_NR];
  uint64_t vm[RING_VM_NR];
  uint64_t psi_some_total_us, psi_full_total_us;
  double psi_some_avg10, psi_full_avg10;
  /* struct ring_zone zone[nr_zones] follows */
};

struct ring_header {
  char magic[8];
  uint32_t version, byte_order;
  uint32_t header_size, record_size;
  uint32_t zone_size, capacity;
  uint32_t nr_zones, nr_orders;
  uint32_t orders[RING_ORDERS];
  uint32_t page_size, clean; /* clean: the writer stopped as it should */
  int32_t writer_pid, reserved;
  int64_t sample_interval_ns;
  int64_t created_ns;
  uint64_t head;
  char kernel[RING_TEXT_LEN];
  char host[RING_TEXT_LEN];
  char zone_name[RING_MAX_ZONES][RING_ZONE_NAME_LEN];
};

_Static_assert(sizeof(struct ring_header) <= RING_HEADER_SIZE,
               "the header fits its page");
_Static_assert(sizeof(struct ring_zone) % 8 == 0, "zones stay aligned");
_Static_assert(sizeof(struct ring_record) % 8 == 0, "records stay aligned");

/* The names of the kept fields, as the kernel prints them. */
extern const char *const ring_mem_name[RING_MEM_NR];
extern const char *const ring_vm_name[RING_VM_NR];

/* The largest ring lowmem makes: 64 MiB holds 88000 records of three
 * zones, 2.4 hours at 10 Hz. */
#define RING_MAX_BYTES (64u << 20)

struct ring {
  int fd;
  void *map;
  size_t size;            /* of the mapping: the header and the slots */
  struct ring_header *h;  /* in the mapping: head and clean change there */
  struct ring_header hdr; /* the layout as checked at open: sizes come from
                             here, never from a file others may write */
  bool writable;
  uint64_t head;     /* the writer's own count of records */
  int guard;         /* its SIGBUS guard, -1: none */
  uint64_t dev, ino; /* of the file, to tell it from its successor */
  uint64_t data_lo, data_hi, hole_lo, hole_hi; /* the reader's map of holes */
};

static inline struct ring_zone *ring_record_zones(struct ring_record *r) {
  return (struct ring_zone *)(r + 1);
}

/* Bytes of a record with nr_zones zones. */
size_t ring_record_size(uint32_t nr_zones);

/* Creates name in the directory dirfd, with the layout of h (version,
 * sizes and magic are filled in): a new file "name.new" (O_EXCL, no
 * symbolic link followed; one left by an earlier run is removed first),
 * its space allocated so that a full disk cannot turn a store into
 * SIGBUS, mode 0640, renamed over name, and mapped. Returns 0, -EFBIG
 * when the ring would be larger than RING_MAX_BYTES, or -errno. */
int ring_create_at(struct ring *rg, int dirfd, const char *name,
                   const struct ring_header *h);

/* The same at path (its directory opened for the call). */
int ring_create(struct ring *rg, const char *path, const struct ring_header *h);

/* Maps an existing ring read-only and checks its header against the
 * file. A symbolic link is not followed (-ELOOP), and only a regular file
 * is opened: a FIFO or a device is refused before open(2), which could
 * block or act on it (-ENODEV; -EISDIR for a directory). Returns 0,
 * -errno, or one of the refusals ring_open_error() tells. */
int ring_open_at(struct ring *rg, int dirfd, const char *name);
int ring_open(struct ring *rg, const char *path);

/* What a refusal of ring_open means ("is a symbolic link", "is not a
 * lowmem ring file ..."), or NULL for another errno. */
const char *ring_open_error(int rc);

/* Appends rec (record_size bytes; its seq is set here). */
void ring_append(struct ring *rg, struct ring_record *rec);

/* The records of a ring, oldest first, one at a time: each is copied out
 * of its slot (record_size bytes) with its seq checked before and after,
 * so that a record being written, or overwritten meanwhile, is left out.
 * No memory is allocated; holes of a sparse file are skipped. */
struct ring_iter {
  uint64_t seq, last;
  bool done;
};

void ring_iter_begin(struct ring *rg, struct ring_iter *it);

/* The next complete record into copy; false at the end. */
bool ring_iter_next(struct ring *rg, struct ring_iter *it,
                    struct ring_record *copy);

/* Marks the ring as stopped cleanly (or not). */
void ring_set_clean(struct ring *rg, bool clean);

/* What became of the file under the ring's mapping. */
enum ring_state {
  RING_SOUND,
  RING_CUT_SHORT,   /* truncated below its mapping */
  RING_OVERWRITTEN, /* its header is no longer a ring's */
  RING_UNLINKED,    /* removed */
  RING_REPLACED,    /* its name is another file now, or none */
};

const char *ring_state_name(enum ring_state state);

/* A load or store in the mapping met the end of a truncated file. The
 * SIGBUS it raised was caught: the mapping is anonymous memory from then
 * on, and the process goes on. One load of a flag. */
bool ring_faulted(const struct ring *rg);

/* Checks the file (fstat, and fstatat of name in dirfd unless name is
 * NULL): two system calls. */
enum ring_state ring_verify(struct ring *rg, int dirfd, const char *name);

void ring_close(struct ring *rg);

#endif
