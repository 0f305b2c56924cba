/* Kernel log records: what the OOM killer and the page allocator say.
 *
 * Two framings carry the same messages:
 *   /dev/kmsg (3.5+), one record per read():
 *     "PRI,SEQ,TS_USEC,FLAGS[,...];text\n" then optional " KEY=VALUE\n" lines
 *   syslog files (kern.log, messages) and saved dmesg output, one per line:
 *     "Sep 10 01:07:31 web1 kernel: [ 123.456789] text"
 *     "2024-05-01T10:00:00.123456+00:00 web1 kernel: text"
 *     "[ 123.456789] text"
 *
 * The messages read, across 2.6.x to 6.x (mm/oom_kill.c, mm/page_alloc.c,
 * mm/memcontrol.c, lib/dump_stack.c):
 *   "<comm> invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d"
 *       (2.6.2x; then oom_adj=, oom_score_adj=; 4.6+ gfp_mask=%#x(%pGg);
 *       4.10-4.18 also nodemask=; sysrq-f asks for order=-1)
 *   "CPU: %d PID: %d Comm: %s ..." (3.x+, UID: since 6.x), "Pid: %d, comm: %s
 *       ..." (2.6.x): the invoking task, from the stack dump that follows
 *   "oom-kill:constraint=CONSTRAINT_%s,nodemask=...[,cpuset=..,mems_allowed=
 *       ..][,oom_memcg=..|,global_oom][,task_memcg=..],task=%s,pid=%d,uid=%d"
 *       (4.19+; 4.19 itself printed origin_memcg= and kill_memcg=)
 *   "<why>: Kill process %d (%s) score %d or sacrifice child" (2.6.36-5.x),
 *       "<why>: kill process %d (%s) score %li or a child" (older)
 *   "[<why>: ]Killed process %d (%s)[ total-vm:%lukB, anon-rss:%lukB,
 *       file-rss:%lukB[, shmem-rss:%lukB][, UID:%u pgtables:%lukB
 *       oom_score_adj:%hd]]" (vsz: instead of total-vm: in 2.6.36-38;
 *       "<why>: " since 5.1), <why> being "Out of memory", "Memory cgroup
 *       out of memory", "Out of memory (oom_kill_allocating_task)", "No
 *       available memory in cpuset", "No available memory (MPOL_BIND)"
 *   "memory: usage %llukB, limit %llukB, failcnt %lu" (a cgroup's OOM)
 *   "Task in %s killed as a result of limit of %s" (cgroup, before 4.19)
 *   "<comm>: page allocation failure: order:%u, mode:%#x[(%pGg)]..."
 *       ("failure. order:%d, mode:0x%x" before 2.6.39)
 *
 * Everything else is KMSG_OTHER. A line that starts like one of these but
 * whose fields cannot be read is KMSG_OTHER with `malformed` set: it gives
 * no event and is counted by the caller. */
#ifndef LOWMEM_KMSG_H
#define LOWMEM_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TASK_COMM_LEN is 16; /dev/kmsg writes an unprintable byte as \xNN. */
#define KMSG_COMM_LEN 64
#define KMSG_GFP_LEN 128
/* Cgroup paths longer than this keep their last part, after "...". */
#define KMSG_PATH_LEN 256
#define KMSG_WORD_LEN 32

enum kmsg_kind {
  KMSG_OTHER,
  KMSG_OOM_INVOKED,    /* comm, gfp, order, oom_score_adj */
  KMSG_TASK,           /* comm, pid: the task whose stack is dumped */
  KMSG_OOM_CONSTRAINT, /* scope, constraint, memcg; victim comm, pid, uid */
  KMSG_OOM_SELECT,     /* scope; chosen comm, pid, score */
  KMSG_OOM_KILLED,     /* scope (5.1+); victim comm, pid, sizes */
  KMSG_MEMCG_USAGE,    /* memcg usage and limit */
  KMSG_MEMCG_TASK_IN,  /* memcg (the one whose limit was hit) */
  KMSG_ALLOC_FAILURE,  /* comm, order, gfp */
};

/* Whose memory ran out. */
enum kmsg_scope {
  KMSG_SCOPE_UNKNOWN,
  KMSG_SCOPE_GLOBAL,        /* the whole machine (CONSTRAINT_NONE) */
  KMSG_SCOPE_CPUSET,        /* the allowed nodes of a cpuset */
  KMSG_SCOPE_MEMORY_POLICY, /* an MPOL_BIND memory policy */
  KMSG_SCOPE_MEMCG,         /* a memory cgroup's limit */
  KMSG_SCOPE_OTHER,         /* a constraint this parser does not know */
};

/* Which fields a record carried. */
enum kmsg_has {
  KMSG_HAS_SEQ = 1u << 0,
  KMSG_HAS_TIME = 1u << 1, /* ts_usec */
  KMSG_HAS_LEVEL = 1u << 2,
  KMSG_HAS_PID = 1u << 3,
  KMSG_HAS_GFP = 1u << 4,
  KMSG_HAS_GFP_FLAGS = 1u << 5,
  KMSG_HAS_ORDER = 1u << 6,
  KMSG_HAS_OOM_SCORE_ADJ = 1u << 7,
  KMSG_HAS_UID = 1u << 8,
  KMSG_HAS_SCORE = 1u << 9,
  KMSG_HAS_TOTAL_VM = 1u << 10,
  KMSG_HAS_ANON_RSS = 1u << 11,
  KMSG_HAS_FILE_RSS = 1u << 12,
  KMSG_HAS_SHMEM_RSS = 1u << 13,
  KMSG_HAS_PGTABLES = 1u << 14,
  KMSG_HAS_MEMCG = 1u << 15,
  KMSG_HAS_MEMCG_USAGE = 1u << 16, /* usage and limit */
  KMSG_HAS_CONSTRAINT = 1u << 17,
};

struct kmsg_record {
  /* Framing. */
  unsigned has;     /* enum kmsg_has */
  unsigned level;   /* syslog level, 0 (emerg) to 7 (debug) */
  uint64_t seq;     /* /dev/kmsg sequence number */
  uint64_t ts_usec; /* the kernel's timestamp, microseconds since boot */
  const char *text; /* the message, in the caller's buffer; no newline */
  size_t text_len;

  /* The message. */
  enum kmsg_kind kind;
  bool malformed;
  char comm[KMSG_COMM_LEN]; /* the task the message is about */
  uint64_t pid;
  uint64_t gfp_mask;
  char gfp_flags[KMSG_GFP_LEN]; /* "GFP_KERNEL|__GFP_COMP" (4.6+) */
  int order;                    /* -1: sysrq-f, no allocation */
  int64_t oom_score_adj;
  uint64_t uid;
  uint64_t score; /* the OOM killer's badness of the chosen task */
  uint64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb;
  enum kmsg_scope scope;
  char constraint[KMSG_WORD_LEN]; /* "CONSTRAINT_MEMCG" as printed */
  char memcg[KMSG_PATH_LEN];      /* the cgroup whose limit was hit */
  uint64_t memcg_usage_kb, memcg_limit_kb;
};

/* One /dev/kmsg record (one read()). Returns 0, or -EINVAL when its
 * framing cannot be read (r->malformed is then set). */
int kmsg_parse_record(struct kmsg_record *r, const char *buf, size_t len);

/* One line of a syslog file or of saved dmesg output (the newline, if any,
 * ends it). Returns 0 for a kernel line, -ENOENT for another program's
 * line (not an error: syslog files hold both). */
int kmsg_parse_line(struct kmsg_record *r, const char *buf, size_t len);

/* The message alone: sets kind and fields of r (its framing is kept). */
void kmsg_parse_text(struct kmsg_record *r, const char *text, size_t len);

/* "global", "cpuset", "memory policy", "cgroup", "unknown", "other". */
const char *kmsg_scope_name(enum kmsg_scope scope);

#endif
