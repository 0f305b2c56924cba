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
 * Whose words they are. PRI is facility * 8 + level; the kernel's own
 * records have facility 0 (kern). A process that writes to /dev/kmsg gets
 * facility 1 (user) unless it names another, and it cannot name 0
 * (devkmsg_write(), kernel/printk/printk.c: "we enforce LOG_USER, to be
 * able to reliably distinguish kernel-generated messages from
 * userspace-injected ones"): a record of another facility is not the
 * kernel's and is not read. A syslog line is the kernel's when its header
 * is exactly "<time> <host> kernel: ", the time being RFC 3164's ("Sep 10
 * 01:07:31", "Sep  1 ...") or RFC 3339's ("2024-05-01T10:00:00.123456+
 * 00:00"): " kernel: " further on (a user's message quoting one) is not.
 * The line itself cannot tell more: `logger -t kernel` writes a header
 * like the kernel's. What can is the facility, which the file does not
 * keep but its syslog daemon sorts by: glibc's syslog(3) gives LOG_KERN
 * the caller's default facility (user), and systemd-journald passes a
 * process's message on to syslog with facility user when it named kern
 * (syslog_fixup_facility()). Behind journald, a file fed by the kern
 * facility alone (rsyslog's "kern.* /var/log/kern.log") holds the kernel's
 * lines only: KernelLog must name such a file. /var/log/messages and
 * /var/log/syslog hold any user's lines too. Where the syslog daemon
 * listens on /dev/log itself (no journald), a process that writes
 * "<0>..." to that socket logs as kern (rsyslog's imuxsock keeps the
 * facility it is given): there no file is safe, only /dev/kmsg. Saved
 * dmesg output ("[ 123.456789] text") has no header at all and is taken
 * as the kernel's.
 *
 * The messages read, across 2.6.x to 6.x (mm/oom_kill.c, mm/page_alloc.c,
 * mm/memcontrol.c, lib/dump_stack.c):
 *   "<comm> invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d"
 *       (2.6.2x; then oom_adj=, oom_score_adj=; 4.6+ gfp_mask=%#x(%pGg);
 *       4.10-4.18 also nodemask=; sysrq-f asks for order=-1)
 *   "CPU: %d PID: %d Comm: %.20s [Kdump: loaded ]%s %s %.*s" (3.x+, UID:
 *       since 6.x), "Pid: %d, comm: %.20s %s %s %.*s" (2.6.x), %s being
 *       print_tainted(): "Not tainted" or "Tainted: <flags>": the invoking
 *       task, from the stack dump that follows
 *   "oom-kill:constraint=CONSTRAINT_%s,nodemask=...[,cpuset=..,mems_allowed=
 *       ..][,oom_memcg=..|,global_oom][,task_memcg=..],task=%s,pid=%d,uid=%d"
 *       (4.19+; 4.19 itself printed origin_memcg= and kill_memcg=)
 *   "<why>: Kill process %d (%s) score %d or sacrifice child" (2.6.36-5.x),
 *       "<why>: kill process %d (%s) score %li or a child" (older),
 *       "Out of Memory: Kill process %d (%s) score %li and children." (2.6.18)
 *   "[<why>: ]Killed process %d (%s)[ total-vm:%lukB, anon-rss:%lukB,
 *       file-rss:%lukB[, shmem-rss:%lukB][, UID:%u pgtables:%lukB
 *       oom_score_adj:%hd]]" (vsz: instead of total-vm: in 2.6.36-38;
 *       "<why>: " since 5.1, and "<why>: Killed process %d (%s)." in
 *       2.6.1x-2x), <why> being one of the OOM killer's own: "Out of
 *       memory", "Memory cgroup out of memory", "Out of memory
 *       (oom_kill_allocating_task)", "No available memory in cpuset", "No
 *       available memory (MPOL_BIND)"
 *   "memory: usage %llukB, limit %llukB, failcnt %lu" (a cgroup's OOM)
 *   "Task in %s killed as a result of limit of %s" (cgroup, before 4.19)
 *   "<comm>: page allocation failure: order:%u, mode:%#x[(%pGg)]..."
 *       ("failure. order:%d, mode:0x%x" before 2.6.39)
 *
 * Each is read from its fixed parts inward, as the format string lays it
 * out, never by looking for words that a process or cgroup name may hold:
 * "Killed process %d (%s) total-vm:" has its pid after the fixed prefix
 * and its command from the '(' after the pid to the ')' before the last
 * " total-vm:" (or the end), as nothing the kernel prints after the
 * command holds one. A process may be named "Killed process" or "x) y (pid
 * 1)"; it comes out as its name. Where two readings of a line are both
 * whole (a name that spells another message's fixed part), the message
 * whose fixed part starts the line wins.
 *
 * Names (commands, cgroups) are kept as /dev/kmsg prints them: a byte below
 * 0x20, from 0x7f up, and a backslash as \xNN (printk's msg_add_ext_text()).
 * A syslog file has them raw (or as rsyslog's "#ooo"): they are escaped the
 * same way, so a name reads alike in both framings and is plain ASCII.
 *
 * Orders above PAGE_ORDER_MAX (order.h) are refused.
 *
 * Everything else is KMSG_OTHER. A line that starts like one of these but
 * whose fields cannot be read (and that is no other message) is
 * KMSG_OTHER with `malformed` set: it gives no event and is counted by the
 * caller. Every input gives a defined result. */
#ifndef LOWMEM_KMSG_H
#define LOWMEM_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "order.h"

/* The kernel's TASK_COMM_LEN: a command is at most 15 bytes. */
#define KMSG_TASK_COMM_LEN 16
/* A command as printed: an escaped byte takes 4 (\xNN), 15 * 4 + 1 < 64. */
#define KMSG_COMM_LEN 64
#define KMSG_GFP_LEN 128
/* Cgroup paths longer than this keep their last part, after "...". */
#define KMSG_PATH_LEN 256
#define KMSG_WORD_LEN 32
/* The largest page order a message may name. */
#define KMSG_ORDER_MAX PAGE_ORDER_MAX
/* syslog's facility of the kernel's own messages (LOG_KERN >> 3). */
#define KMSG_FACILITY_KERN 0

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
  unsigned has;      /* enum kmsg_has */
  unsigned level;    /* syslog level, 0 (emerg) to 7 (debug) */
  uint64_t facility; /* /dev/kmsg: PRI >> 3; a syslog kernel line: 0 */
  bool escaped;      /* the text is /dev/kmsg's: backslash escapes */
  uint64_t seq;      /* /dev/kmsg sequence number */
  uint64_t ts_usec;  /* the kernel's timestamp, microseconds since boot */
  const char *text;  /* the message, in the caller's buffer; no newline */
  size_t text_len;

  /* The message. */
  enum kmsg_kind kind;
  bool malformed;
  char comm[KMSG_COMM_LEN]; /* the task the message is about */
  uint64_t pid;
  uint64_t gfp_mask;
  char gfp_flags[KMSG_GFP_LEN]; /* "GFP_KERNEL|__GFP_COMP" (4.6+) */
  int order; /* -1 (sysrq-f, no allocation) to KMSG_ORDER_MAX */
  int64_t oom_score_adj;
  uint64_t uid;
  uint64_t score; /* the OOM killer's badness of the chosen task */
  uint64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb;
  enum kmsg_scope scope;
  char constraint[KMSG_WORD_LEN]; /* "CONSTRAINT_MEMCG" as printed */
  char memcg[KMSG_PATH_LEN];      /* the cgroup whose limit was hit */
  uint64_t memcg_usage_kb, memcg_limit_kb;
};

/* One /dev/kmsg record (one read()). Returns 0, -ENOENT for a record that
 * is not the kernel's (facility other than kern: written to /dev/kmsg by a
 * process; its framing is read, its text is not), or -EINVAL when its
 * framing cannot be read (r->malformed is then set). */
int kmsg_parse_record(struct kmsg_record *r, const char *buf, size_t len);

/* One line of a syslog file or of saved dmesg output (the newline, if any,
 * ends it). Returns 0 for a kernel line, -ENOENT for another program's
 * line or one without a header (not an error: syslog files hold both). */
int kmsg_parse_line(struct kmsg_record *r, const char *buf, size_t len);

/* The message alone: sets kind and fields of r (its framing is kept;
 * r->escaped says how names are written in text). */
void kmsg_parse_text(struct kmsg_record *r, const char *text, size_t len);

/* "global", "cpuset", "memory policy", "cgroup", "unknown", "other". */
const char *kmsg_scope_name(enum kmsg_scope scope);

#endif
