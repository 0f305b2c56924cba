/* kmsg_parse_record / kmsg_parse_line over the kernel log fixtures in
 * tests/fixtures/kmsg (see its README for where each file comes from).
 *
 * Expected values are the fixture lines' own text, read by hand: each case
 * names its file and line (sed -n Np FILE shows it). Then hostile input
 * (tests/fixtures/kmsg/hostile): process names that spell parser words,
 * lines a user can log, orders no kernel has, every prefix of each. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "sources/kmsg.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum framing { RECORD, LINE };

struct kmsg_case {
  const char *file;
  unsigned line; /* 1-based */
  enum framing framing;
  int rc;
  enum kmsg_kind kind;
  bool malformed;
  const char *comm; /* NULL: not checked (must be empty when kind OTHER) */
  unsigned has;     /* bits that must be set, beyond the framing's */
  uint64_t pid;
  uint64_t gfp_mask;
  const char *gfp_flags;
  int order;
  int64_t oom_score_adj;
  enum kmsg_scope scope;
  const char *memcg;
  uint64_t total_vm, anon_rss, file_rss, shmem_rss, pgtables, uid, score;
  uint64_t usage, limit;
  uint64_t ts_usec; /* checked when not 0 */
};

#define INC "incident-2.6.39.log"
#define MEMCG "memcg-6.18.kmsg"
#define GLOBAL "global-6.8.kmsg"
#define OLD44 "oom-4.4.log"
#define OLD26 "oom-2.6-old.log"
#define ALLOC "alloc-failure.log"
#define BADK "malformed.kmsg"
#define BADL "malformed.log"

static const struct kmsg_case cases[] = {
    /* --- the incident, 2.6.39 kern.log --------------------------------- */
    /* "Out of memory: Kill process 2190 (portmap) score 1 or sacrifice child"
     */
    {INC, 1, LINE, 0, KMSG_OOM_SELECT, false, "portmap",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 2190, .scope = KMSG_SCOPE_GLOBAL,
     .score = 1},
    /* "Killed process 2190 (portmap) total-vm:1820kB, anon-rss:100kB,
     *  file-rss:360kB": no reason before it on 2.6.39 */
    {INC, 2, LINE, 0, KMSG_OOM_KILLED, false, "portmap",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS,
     .pid = 2190, .scope = KMSG_SCOPE_UNKNOWN, .total_vm = 1820,
     .anon_rss = 100, .file_rss = 360},
    /* "apache2 invoked oom-killer: gfp_mask=0xd0, order=1, oom_adj=0,
     *  oom_score_adj=0" */
    {INC, 3, LINE, 0, KMSG_OOM_INVOKED, false, "apache2",
     KMSG_HAS_GFP | KMSG_HAS_ORDER | KMSG_HAS_OOM_SCORE_ADJ, .gfp_mask = 0xd0,
     .order = 1, .oom_score_adj = 0},
    /* "Pid: 31143, comm: apache2 Tainted: GW 2.6.39-linode33 #5" */
    {INC, 4, LINE, 0, KMSG_TASK, false, "apache2", KMSG_HAS_PID, .pid = 31143},
    {INC, 5, LINE, 0, KMSG_OTHER, false, NULL, .has = 0}, /* Call Trace: */
    {INC, 9, LINE, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* ? oom_badness+0xdc */
    {INC, 60, LINE, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* [ pid ] uid tgid ... */
    {INC, 73, LINE, 0, KMSG_OOM_SELECT, false, "rpc.statd",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 2196, .scope = KMSG_SCOPE_GLOBAL,
     .score = 1},
    {INC, 74, LINE, 0, KMSG_OOM_KILLED, false, "rpc.statd",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS,
     .pid = 2196, .total_vm = 1880, .anon_rss = 124, .file_rss = 576},

    /* --- a memory cgroup OOM captured on 6.18 ---------------------------- */
    /* "4,345,2254781937,-;oom-victim invoked oom-killer:
     *  gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0" */
    {MEMCG, 1, RECORD, 0, KMSG_OOM_INVOKED, false, "oom-victim",
     KMSG_HAS_GFP | KMSG_HAS_GFP_FLAGS | KMSG_HAS_ORDER |
         KMSG_HAS_OOM_SCORE_ADJ,
     .gfp_mask = 0xcc0, .gfp_flags = "GFP_KERNEL", .order = 0,
     .ts_usec = 2254781937},
    /* "CPU: 0 UID: 0 PID: 10377 Comm: oom-victim Not tainted 6.18.44..." */
    {MEMCG, 2, RECORD, 0, KMSG_TASK, false, "oom-victim", KMSG_HAS_PID,
     .pid = 10377},
    {MEMCG, 3, RECORD, 0, KMSG_OTHER, false, NULL, .has = 0}, /* Call Trace: */
    /* seq 373: "memory: usage 32768kB, limit 32768kB, failcnt 19" */
    {MEMCG, 29, RECORD, 0, KMSG_MEMCG_USAGE, false, NULL, KMSG_HAS_MEMCG_USAGE,
     .usage = 32768, .limit = 32768},
    /* seq 374: "memory+swap: usage ..." */
    {MEMCG, 30, RECORD, 0, KMSG_OTHER, false, NULL, .has = 0},
    /* seq 422: "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),
     *  cpuset=/,mems_allowed=0,oom_memcg=/lowmem-cap-30119,task_memcg=
     *  /lowmem-cap-30119,task=oom-victim,pid=10377,uid=0" */
    {MEMCG, 78, RECORD, 0, KMSG_OOM_CONSTRAINT, false, "oom-victim",
     KMSG_HAS_PID | KMSG_HAS_UID | KMSG_HAS_MEMCG | KMSG_HAS_CONSTRAINT,
     .pid = 10377, .scope = KMSG_SCOPE_MEMCG, .memcg = "/lowmem-cap-30119",
     .uid = 0},
    /* seq 423: "Memory cgroup out of memory: Killed process 10377
     *  (oom-victim) total-vm:35244kB, anon-rss:32640kB, file-rss:1352kB,
     *  shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0" */
    {MEMCG, 79, RECORD, 0, KMSG_OOM_KILLED, false, "oom-victim",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS |
         KMSG_HAS_SHMEM_RSS | KMSG_HAS_UID | KMSG_HAS_PGTABLES |
         KMSG_HAS_OOM_SCORE_ADJ,
     .pid = 10377, .scope = KMSG_SCOPE_MEMCG, .total_vm = 35244,
     .anon_rss = 32640, .file_rss = 1352, .shmem_rss = 0, .pgtables = 108,
     .uid = 0, .ts_usec = 2254783052},

    /* --- a global OOM, 6.8 formats -------------------------------------- */
    {GLOBAL, 1, RECORD, 0, KMSG_OOM_INVOKED, false, "stress-ng-vm",
     KMSG_HAS_GFP | KMSG_HAS_GFP_FLAGS | KMSG_HAS_ORDER |
         KMSG_HAS_OOM_SCORE_ADJ,
     .gfp_mask = 0x140dca,
     .gfp_flags = "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO", .order = 0,
     .oom_score_adj = 1000},
    {GLOBAL, 2, RECORD, 0, KMSG_TASK, false, "stress-ng-vm", KMSG_HAS_PID,
     .pid = 4242},
    {GLOBAL, 3, RECORD, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* Hardware name */
    {GLOBAL, 32, RECORD, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* Node 0 DMA free */
    {GLOBAL, 56, RECORD, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* task 4243 row */
    {GLOBAL, 57, RECORD, 0, KMSG_OOM_CONSTRAINT, false, "stress-ng-vm",
     KMSG_HAS_PID | KMSG_HAS_UID | KMSG_HAS_CONSTRAINT, .pid = 4243,
     .scope = KMSG_SCOPE_GLOBAL, .uid = 1000},
    {GLOBAL, 58, RECORD, 0, KMSG_OOM_KILLED, false, "stress-ng-vm",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS |
         KMSG_HAS_SHMEM_RSS | KMSG_HAS_UID | KMSG_HAS_PGTABLES |
         KMSG_HAS_OOM_SCORE_ADJ,
     .pid = 4243, .scope = KMSG_SCOPE_GLOBAL, .total_vm = 3812060,
     .anon_rss = 3708944, .file_rss = 1056, .pgtables = 7336, .uid = 1000,
     .oom_score_adj = 1000},
    /* "oom_reaper: reaped process 4243 (stress-ng-vm), now anon-rss:0kB" */
    {GLOBAL, 59, RECORD, 0, KMSG_OTHER, false, NULL, .has = 0},

    /* --- 4.4, syslog with printk timestamps ----------------------------- */
    {OLD44, 1, LINE, 0, KMSG_OOM_INVOKED, false, "mysqld",
     KMSG_HAS_GFP | KMSG_HAS_ORDER | KMSG_HAS_OOM_SCORE_ADJ | KMSG_HAS_TIME,
     .gfp_mask = 0x24201ca, .order = 0, .ts_usec = 81234567890},
    {OLD44, 2, LINE, 0, KMSG_OTHER, false, NULL,
     .has = 0}, /* mysqld cpuset=/ */
    {OLD44, 3, LINE, 0, KMSG_TASK, false, "mysqld", KMSG_HAS_PID, .pid = 2211},
    {OLD44, 5, LINE, 0, KMSG_OTHER, false, NULL, .has = 0}, /* stack words */
    {OLD44, 15, LINE, 0, KMSG_OOM_SELECT, false, "mysqld",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 2187, .scope = KMSG_SCOPE_GLOBAL,
     .score = 912},
    {OLD44, 16, LINE, 0, KMSG_OOM_KILLED, false, "mysqld",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS,
     .pid = 2187, .total_vm = 4121716, .anon_rss = 3714224, .file_rss = 0},
    /* "Kill process 2190 (mysqld) sharing same memory": not a choice */
    {OLD44, 17, LINE, 0, KMSG_OTHER, false, NULL, .has = 0},
    {OLD44, 18, LINE, -ENOENT, KMSG_OTHER, false, NULL,
     .has = 0}, /* systemd[1] */
    {OLD44, 19, LINE, -ENOENT, KMSG_OTHER, false, NULL,
     .has = 0}, /* CRON quoting */
    {OLD44, 23, LINE, 0, KMSG_MEMCG_TASK_IN, false, NULL, KMSG_HAS_MEMCG,
     .memcg = "/batch"},
    {OLD44, 24, LINE, 0, KMSG_MEMCG_USAGE, false, NULL, KMSG_HAS_MEMCG_USAGE,
     .usage = 524288, .limit = 524288},
    {OLD44, 25, LINE, 0, KMSG_OTHER, false, NULL, .has = 0}, /* memory+swap: */
    {OLD44, 30, LINE, 0, KMSG_OOM_SELECT, false, "python",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 3301, .scope = KMSG_SCOPE_MEMCG,
     .score = 1001},
    {OLD44, 31, LINE, 0, KMSG_OOM_KILLED, false, "python",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS,
     .pid = 3301, .total_vm = 561284, .anon_rss = 523456, .file_rss = 592},

    /* --- 2.6.18 to 2.6.38, saved dmesg --------------------------------- */
    /* oomkilladj= is not oom_score_adj: not kept */
    {OLD26, 1, LINE, 0, KMSG_OOM_INVOKED, false, "java",
     KMSG_HAS_GFP | KMSG_HAS_ORDER | KMSG_HAS_TIME, .gfp_mask = 0x201d2,
     .order = 0, .ts_usec = 5012345678},
    {OLD26, 2, LINE, 0, KMSG_TASK, false, "java", KMSG_HAS_PID, .pid = 8812},
    {OLD26, 3, LINE, 0, KMSG_OOM_SELECT, false, "java",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 8700, .scope = KMSG_SCOPE_GLOBAL,
     .score = 412345},
    {OLD26, 4, LINE, 0, KMSG_OOM_KILLED, false, "java", KMSG_HAS_PID,
     .pid = 8700, .scope = KMSG_SCOPE_GLOBAL},
    {OLD26, 6, LINE, 0, KMSG_OOM_SELECT, false, "httpd",
     KMSG_HAS_PID | KMSG_HAS_SCORE, .pid = 9001, .scope = KMSG_SCOPE_GLOBAL,
     .score = 52011},
    /* vsz: is total-vm's older name */
    {OLD26, 7, LINE, 0, KMSG_OOM_KILLED, false, "httpd",
     KMSG_HAS_PID | KMSG_HAS_TOTAL_VM | KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS,
     .pid = 9002, .total_vm = 412220, .anon_rss = 301532, .file_rss = 1024},
    {OLD26, 8, LINE, 0, KMSG_OOM_KILLED, false, "worker", KMSG_HAS_PID,
     .pid = 9100, .scope = KMSG_SCOPE_CPUSET},

    /* --- page allocation failures --------------------------------------- */
    {ALLOC, 1, LINE, 0, KMSG_ALLOC_FAILURE, false, "swapper",
     KMSG_HAS_GFP | KMSG_HAS_ORDER, .gfp_mask = 0x20, .order = 1},
    {ALLOC, 2, LINE, 0, KMSG_TASK, false, "swapper", KMSG_HAS_PID, .pid = 0},
    {ALLOC, 3, LINE, 0, KMSG_ALLOC_FAILURE, false, "apache2",
     KMSG_HAS_GFP | KMSG_HAS_ORDER, .gfp_mask = 0xd0, .order = 1},
    {ALLOC, 4, LINE, 0, KMSG_ALLOC_FAILURE, false, "kworker/u16:3",
     KMSG_HAS_GFP | KMSG_HAS_GFP_FLAGS | KMSG_HAS_ORDER, .gfp_mask = 0x26040c0,
     .gfp_flags = "GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK", .order = 4,
     .ts_usec = 5000000001},
    {ALLOC, 5, LINE, 0, KMSG_ALLOC_FAILURE, false, "kworker/u8:2",
     KMSG_HAS_GFP | KMSG_HAS_GFP_FLAGS | KMSG_HAS_ORDER, .gfp_mask = 0x40cc0,
     .gfp_flags = "GFP_KERNEL|__GFP_COMP", .order = 9},
    {ALLOC, 6, LINE, 0, KMSG_TASK, false, "kworker/u8:2", KMSG_HAS_PID,
     .pid = 613},
    {ALLOC, 7, LINE, 0, KMSG_OTHER, false, NULL, .has = 0}, /* a stall */

    /* --- broken records ------------------------------------------------- */
    {BADK, 1, RECORD, -EINVAL, KMSG_OTHER, true, NULL, .has = 0}, /* no ';' */
    {BADK, 2, RECORD, -EINVAL, KMSG_OTHER, true, NULL, .has = 0}, /* x,1,2 */
    {BADK, 3, RECORD, -EINVAL, KMSG_OTHER, true, NULL, .has = 0}, /* empty */
    {BADK, 4, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},       /* gfp zz */
    {BADK, 5, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},       /* no gfp */
    {BADK, 6, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},       /* no comm */
    {BADK, 7, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},       /* order=99 */
    {BADK, 8, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},   /* long comm */
    {BADK, 9, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},   /* pid abc */
    {BADK, 10, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* no ')' */
    {BADK, 11, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* 12qB */
    {BADK, 12, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* pid > 2^64 */
    {BADK, 13, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* constraint */
    {BADK, 14, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* no pid= */
    {BADK, 15, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* order:x */
    {BADK, 16, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* no mode */
    {BADK, 17, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* usage cut */
    {BADK, 18, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* (tru */
    {BADK, 19, RECORD, 0, KMSG_OTHER, false, NULL, .has = 0}, /* in passing */
    {BADK, 20, RECORD, 0, KMSG_OTHER, false, NULL, .has = 0}, /* CPU: boot */
    {BADK, 21, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0},  /* PID: zz */
    {BADK, 22, RECORD, -EINVAL, KMSG_OTHER, true, NULL,
     .has = 0},                                              /* prio > 2^64 */
    {BADK, 23, RECORD, 0, KMSG_OTHER, true, NULL, .has = 0}, /* bytes, NUL */

    {BADL, 1, LINE, 0, KMSG_OTHER, true, NULL, .has = 0},  /* order= */
    {BADL, 2, LINE, 0, KMSG_OTHER, true, NULL, .has = 0},  /* no pid */
    {BADL, 3, LINE, 0, KMSG_OTHER, false, NULL, .has = 0}, /* [ 12.5 ... */
    {BADL, 4, LINE, -ENOENT, KMSG_OTHER, false, NULL,
     .has = 0},                                           /* [not a ts] */
    {BADL, 5, LINE, 0, KMSG_OTHER, true, NULL, .has = 0}, /* Task in, cut */
    {BADL, 6, LINE, 0, KMSG_OTHER, true, NULL, .has = 0}, /* 576k */
};

/* Line n (1-based) of a fixture file, newline included, in a buffer of
 * its own size so that the sanitizer sees a read past it. */
static char *fixture_line(const char *file, unsigned n, size_t *len) {
  char rel[128];
  size_t flen;
  snprintf(rel, sizeof(rel), "%s", file);
  char *all = fixture_read("kmsg", rel, &flen);
  const char *p = all, *end = all + flen;
  for (unsigned i = 1; i < n && p < end; i++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    p = nl ? nl + 1 : end;
  }
  assert_true(p < end);
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
  char *line = malloc(l ? l : 1);
  assert_non_null(line);
  memcpy(line, p, l);
  free(all);
  *len = l;
  return line;
}

static int parse(enum framing f, struct kmsg_record *r, const char *buf,
                 size_t len) {
  return f == RECORD ? kmsg_parse_record(r, buf, len)
                     : kmsg_parse_line(r, buf, len);
}

static void check_case(const struct kmsg_case *c) {
  struct kmsg_record r;
  size_t len;
  char *line = fixture_line(c->file, c->line, &len);

  memset(&r, 0x5a, sizeof(r)); /* state left over must not matter */
  int rc = parse(c->framing, &r, line, len);
  print_message("%s:%u\n", c->file, c->line);
  assert_int_equal(rc, c->rc);
  assert_int_equal(r.kind, c->kind);
  assert_int_equal(r.malformed, c->malformed);
  if (c->kind == KMSG_OTHER) {
    assert_string_equal(r.comm, "");
    free(line);
    return;
  }
  assert_int_equal(r.has & c->has, c->has);
  if (c->comm)
    assert_string_equal(r.comm, c->comm);
  if (c->has & KMSG_HAS_PID)
    assert_int_equal(r.pid, c->pid);
  if (c->has & KMSG_HAS_GFP)
    assert_int_equal(r.gfp_mask, c->gfp_mask);
  if (c->gfp_flags)
    assert_string_equal(r.gfp_flags, c->gfp_flags);
  else
    assert_false(r.has & KMSG_HAS_GFP_FLAGS);
  if (c->has & KMSG_HAS_ORDER)
    assert_int_equal(r.order, c->order);
  if (c->has & KMSG_HAS_OOM_SCORE_ADJ)
    assert_int_equal(r.oom_score_adj, c->oom_score_adj);
  else
    assert_false(r.has & KMSG_HAS_OOM_SCORE_ADJ);
  assert_int_equal(r.scope, c->scope);
  if (c->memcg)
    assert_string_equal(r.memcg, c->memcg);
  else
    assert_false(r.has & KMSG_HAS_MEMCG);
  if (c->has & KMSG_HAS_TOTAL_VM)
    assert_int_equal(r.total_vm_kb, c->total_vm);
  if (c->has & KMSG_HAS_ANON_RSS)
    assert_int_equal(r.anon_rss_kb, c->anon_rss);
  if (c->has & KMSG_HAS_FILE_RSS)
    assert_int_equal(r.file_rss_kb, c->file_rss);
  if (c->has & KMSG_HAS_SHMEM_RSS)
    assert_int_equal(r.shmem_rss_kb, c->shmem_rss);
  else
    assert_false(r.has & KMSG_HAS_SHMEM_RSS);
  if (c->has & KMSG_HAS_PGTABLES)
    assert_int_equal(r.pgtables_kb, c->pgtables);
  if (c->has & KMSG_HAS_UID)
    assert_int_equal(r.uid, c->uid);
  if (c->has & KMSG_HAS_SCORE)
    assert_int_equal(r.score, c->score);
  if (c->has & KMSG_HAS_MEMCG_USAGE) {
    assert_int_equal(r.memcg_usage_kb, c->usage);
    assert_int_equal(r.memcg_limit_kb, c->limit);
  }
  if (c->ts_usec) {
    assert_true(r.has & KMSG_HAS_TIME);
    assert_int_equal(r.ts_usec, c->ts_usec);
  }
  free(line);
}

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
    check_case(&cases[i]);
}

/* Framing of a record: level, sequence number, timestamp; the text stops
 * at the first newline, before the dictionary lines. */
static void test_record_framing(void **state) {
  (void)state;
  static const char rec[] = "3,423,2254783052,-;Memory cgroup out of memory: "
                            "Killed process 10377 (oom-victim) total-vm:35244kB"
                            "\n SUBSYSTEM=memory\n DEVICE=+x:y\n";
  struct kmsg_record r;

  assert_int_equal(kmsg_parse_record(&r, rec, sizeof(rec) - 1), 0);
  assert_int_equal(r.kind, KMSG_OOM_KILLED);
  assert_int_equal(r.level, 3);
  assert_int_equal(r.seq, 423);
  assert_int_equal(r.ts_usec, 2254783052);
  assert_int_equal(r.total_vm_kb, 35244);
  assert_int_equal(r.text_len, strlen("Memory cgroup out of memory: Killed "
                                      "process 10377 (oom-victim) "
                                      "total-vm:35244kB"));
  assert_memory_equal(r.text, "Memory cgroup", 13);

  /* CONFIG_PRINTK_CALLER adds ",caller=T123" after the flags. */
  static const char caller[] = "4,9,10,-,caller=T123;x invoked oom-killer: "
                               "gfp_mask=0x0, order=-1, oom_score_adj=0\n";
  assert_int_equal(kmsg_parse_record(&r, caller, sizeof(caller) - 1), 0);
  assert_int_equal(r.kind, KMSG_OOM_INVOKED);
  assert_int_equal(r.gfp_mask, 0); /* sysrq-f: no allocation */
  assert_int_equal(r.order, -1);
}

/* A cgroup path longer than KMSG_PATH_LEN keeps its end. */
static void test_long_memcg(void **state) {
  (void)state;
  char text[1024];
  char path[600];
  memset(path, 'a', sizeof(path) - 1);
  path[sizeof(path) - 1] = '\0';
  memcpy(path + sizeof(path) - 8, "/leaf.s", 7);
  snprintf(text, sizeof(text),
           "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=%s,"
           "task_memcg=/x,task=w,pid=7,uid=0",
           path);
  struct kmsg_record r;
  memset(&r, 0, sizeof(r));
  kmsg_parse_text(&r, text, strlen(text));
  assert_int_equal(r.kind, KMSG_OOM_CONSTRAINT);
  assert_int_equal(strlen(r.memcg), KMSG_PATH_LEN - 1);
  assert_memory_equal(r.memcg, "...", 3);
  assert_string_equal(r.memcg + strlen(r.memcg) - 7, "/leaf.s");
  assert_int_equal(r.pid, 7);
}

/* Every prefix of every fixture line parses without reading past it (the
 * sanitizers watch) and without a kind the full line does not have, save
 * where the cut makes another well-formed message. */
static void parse_prefixes(const char *file, enum framing f) {
  size_t flen;
  char *all = fixture_read("kmsg", file, &flen);
  const char *p = all, *end = all + flen;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
    for (size_t cut = 0; cut <= l; cut++) {
      char *buf = malloc(cut ? cut : 1);
      assert_non_null(buf);
      memcpy(buf, p, cut);
      struct kmsg_record r;
      (void)parse(f, &r, buf, cut);
      assert_true(r.kind <= KMSG_ALLOC_FAILURE);
      free(buf);
    }
    p += l;
  }
  free(all);
}

static void test_prefixes(void **state) {
  (void)state;
  parse_prefixes(INC, LINE);
  parse_prefixes(MEMCG, RECORD);
  parse_prefixes(GLOBAL, RECORD);
  parse_prefixes(OLD44, LINE);
  parse_prefixes(OLD26, LINE);
  parse_prefixes(ALLOC, LINE);
  parse_prefixes(BADK, RECORD);
  parse_prefixes(BADL, LINE);
}

/* Counting kinds over the whole incident excerpt (grep -c of each
 * message): one invocation, its task line, two choices, two kills. */
static void test_incident_counts(void **state) {
  (void)state;
  size_t flen;
  char *all = fixture_read("kmsg", INC, &flen);
  const char *p = all, *end = all + flen;
  unsigned count[KMSG_ALLOC_FAILURE + 1] = {0}, malformed = 0, lines = 0;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
    struct kmsg_record r;
    assert_int_equal(kmsg_parse_line(&r, p, l), 0);
    count[r.kind]++;
    malformed += r.malformed;
    lines++;
    p += l;
  }
  free(all);
  assert_int_equal(lines, 74); /* wc -l */
  assert_int_equal(count[KMSG_OOM_INVOKED], 1);
  assert_int_equal(count[KMSG_TASK], 1);
  assert_int_equal(count[KMSG_OOM_SELECT], 2);
  assert_int_equal(count[KMSG_OOM_KILLED], 2);
  assert_int_equal(count[KMSG_OOM_CONSTRAINT], 0);
  assert_int_equal(count[KMSG_ALLOC_FAILURE], 0);
  assert_int_equal(malformed, 0);
}

static void test_scope_names(void **state) {
  (void)state;
  assert_string_equal(kmsg_scope_name(KMSG_SCOPE_GLOBAL), "global");
  assert_string_equal(kmsg_scope_name(KMSG_SCOPE_MEMCG), "cgroup");
  assert_string_equal(kmsg_scope_name(KMSG_SCOPE_CPUSET), "cpuset");
  assert_string_equal(kmsg_scope_name(KMSG_SCOPE_MEMORY_POLICY),
                      "memory policy");
  assert_string_equal(kmsg_scope_name(KMSG_SCOPE_UNKNOWN), "unknown");
  assert_string_equal(kmsg_scope_name((enum kmsg_scope)99), "unknown");
}

/* --- hostile input ------------------------------------------------------- */

#define HOSTILE "hostile/"
#define NAME_MAX_BYTES 32

struct name {
  unsigned char b[NAME_MAX_BYTES];
  size_t len;
};

/* hostile/names.hex: one name a line, in hex. */
static size_t read_names(struct name *names, size_t cap) {
  size_t flen, n = 0;
  char *all = fixture_read("kmsg", HOSTILE "names.hex", &flen);

  for (const char *p = all; *p && n < cap;) {
    struct name *nm = &names[n];
    nm->len = 0;
    while (p[0] && p[0] != '\n' && p[1] && nm->len < NAME_MAX_BYTES) {
      unsigned v;
      assert_int_equal(sscanf(p, "%2x", &v), 1);
      nm->b[nm->len++] = (unsigned char)v;
      p += 2;
    }
    if (nm->len)
      n++;
    while (*p == '\n')
      p++;
  }
  free(all);
  assert_true(n >= 10);
  return n;
}

/* A name as /dev/kmsg prints it: printk escapes a byte below ' ', from
 * 0x7f up, and '\\' as \xNN (kernel/printk/printk.c msg_add_ext_text). */
static void kmsg_escape(char *out, size_t cap, const unsigned char *b,
                        size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    assert_true(n + 5 < cap);
    if (b[i] < ' ' || b[i] >= 0x7f || b[i] == '\\')
      n += (size_t)snprintf(out + n, cap - n, "\\x%02x", b[i]);
    else
      out[n++] = (char)b[i];
  }
  out[n] = '\0';
}

/* The name's bytes as a syslog file holds them. raw: the bytes as sent,
 * save a newline, which would end the line (rsyslog's "#012"); rsyslog:
 * every control character as rsyslog writes it by default, "#ooo". */
static size_t syslog_form(unsigned char *out, const struct name *nm,
                          bool rsyslog) {
  size_t n = 0;
  for (size_t i = 0; i < nm->len; i++) {
    unsigned char c = nm->b[i];
    if (c == '\n' || (rsyslog && (c < ' ' || c == 0x7f)))
      n += (size_t)sprintf((char *)out + n, "#%03o", c);
    else
      out[n++] = c;
  }
  return n;
}

struct name_format {
  const char *before, *after; /* the text around the name */
  enum kmsg_kind kind;
  uint64_t pid; /* 0: none */
};

/* Every message that carries a command, in the kernel's formats. */
static const struct name_format name_formats[] = {
    {"",
     " invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
     "oom_score_adj=0",
     KMSG_OOM_INVOKED, 0},
    {"",
     " invoked oom-killer: gfp_mask=0xd0, order=1, oom_adj=0, "
     "oom_score_adj=0",
     KMSG_OOM_INVOKED, 0},
    {"CPU: 1 UID: 0 PID: 4242 Comm: ", " Not tainted 6.18.44 #1", KMSG_TASK,
     4242},
    {"CPU: 1 PID: 4242 Comm: ", " Tainted: G        W  O 4.4.0-210 #242",
     KMSG_TASK, 4242},
    {"Pid: 4242, comm: ", " Tainted: GW 2.6.39-linode33 #5", KMSG_TASK, 4242},
    {"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
     "mems_allowed=0,global_oom,task_memcg=/user.slice,task=",
     ",pid=4243,uid=1000", KMSG_OOM_CONSTRAINT, 4243},
    {"Out of memory: Kill process 4243 (", ") score 912 or sacrifice child",
     KMSG_OOM_SELECT, 4243},
    {"Out of Memory: Kill process 4243 (", ") score 412345 and children.",
     KMSG_OOM_SELECT, 4243},
    {"Out of memory: Killed process 4243 (",
     ") total-vm:4121716kB, anon-rss:3714224kB, file-rss:0kB, "
     "shmem-rss:0kB, UID:1000 pgtables:7336kB oom_score_adj:0",
     KMSG_OOM_KILLED, 4243},
    {"Killed process 4243 (",
     ") vsz:412220kB, anon-rss:301532kB, "
     "file-rss:1024kB",
     KMSG_OOM_KILLED, 4243},
    {"Out of memory: Killed process 4243 (", ").", KMSG_OOM_KILLED, 4243},
    {"Killed process 4243 (", ")", KMSG_OOM_KILLED, 4243},
    {"",
     ": page allocation failure: order:1, mode:0x20(GFP_ATOMIC), "
     "nodemask=(null)",
     KMSG_ALLOC_FAILURE, 0},
    {"", ": page allocation failure. order:1, mode:0x20", KMSG_ALLOC_FAILURE,
     0},
};

static void check_name(const struct name_format *f, enum framing framing,
                       const unsigned char *name, size_t len,
                       const char *want) {
  char buf[1024];
  size_t n =
      (size_t)snprintf(buf, sizeof(buf), "%s",
                       framing == RECORD ? "6,100,4242000000,-;"
                                         : "Dec  1 00:48:01 web1 kernel: "
                                           "[ 4242.000000] ");
  n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", f->before);
  memcpy(buf + n, name, len);
  n += len;
  n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", f->after);

  struct kmsg_record r;
  int rc = parse(framing, &r, buf, n);
  print_message("%s %s%s%s\n", framing == RECORD ? "record" : "line", f->before,
                want, f->after);
  assert_int_equal(rc, 0);
  assert_false(r.malformed);
  assert_int_equal(r.kind, f->kind);
  assert_string_equal(r.comm, want);
  if (f->pid) {
    assert_true(r.has & KMSG_HAS_PID);
    assert_int_equal(r.pid, f->pid);
  }
}

/* A process may be named anything its owner likes, parser words and all:
 * each name comes out exactly, in every message, in both framings. */
static void test_hostile_names(void **state) {
  (void)state;
  struct name names[32];
  size_t nr = read_names(names, 32);

  for (size_t i = 0; i < nr; i++) {
    char want[256];
    unsigned char line[4 * NAME_MAX_BYTES];
    for (size_t f = 0; f < ARRAY_SIZE(name_formats); f++) {
      /* /dev/kmsg: the kernel escapes the name itself. */
      kmsg_escape(want, sizeof(want), names[i].b, names[i].len);
      check_name(&name_formats[f], RECORD, (const unsigned char *)want,
                 strlen(want), want);
      /* A syslog file: raw bytes, escaped by the parser alike. */
      for (int rsyslog = 0; rsyslog <= 1; rsyslog++) {
        size_t len = syslog_form(line, &names[i], rsyslog);
        kmsg_escape(want, sizeof(want), line, len);
        check_name(&name_formats[f], LINE, line, len, want);
      }
    }
  }
}

/* A user's syslog line that quotes a kernel message is not the kernel's:
 * the header must be exactly "<time> <host> kernel: ". */
static void test_spoofed_lines(void **state) {
  (void)state;
  static const char *const others[] = {
      /* hostile/spoof.in, past its first byte */
      "Dec  1 00:48:01 web1 myapp[4242]: user text kernel: Out of memory: "
      "Killed process 1 (systemd) total-vm:1000kB, anon-rss:500kB, "
      "file-rss:0kB, shmem-rss:0kB",
      "Dec  1 00:48:01 web1 x kernel: Out of memory: Killed process 1 "
      "(systemd)",
      "Dec  1 00:48:01 web1 kernel[4242]: Out of memory: Killed process 1 "
      "(systemd)",
      "Dec  1 00:48:01 web1 kernelx: Out of memory: Killed process 1 "
      "(systemd)",
      "Dec  1 00:48:01 kernel: Out of memory: Killed process 1 (systemd)",
      "Dec  1 00:48:01 web1 app: Dec  1 00:48:01 web1 kernel: Out of memory: "
      "Killed process 1 (systemd)",
      "Foo  1 00:48:01 web1 kernel: Out of memory: Killed process 1 (systemd)",
      "2024-05-01T10:00:00.123456+00:00 web1 sshd[1]: kernel: Out of memory: "
      "Killed process 1 (systemd)",
      "2024-05-01 10:00:00 web1 kernel: Out of memory: Killed process 1 "
      "(systemd)",
      "<6>Dec  1 00:48:01 web1 kernel: Out of memory: Killed process 1 "
      "(systemd)",
  };
  struct kmsg_record r;

  for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
    print_message("%s\n", others[i]);
    assert_int_equal(kmsg_parse_line(&r, others[i], strlen(others[i])),
                     -ENOENT);
    assert_int_equal(r.kind, KMSG_OTHER);
  }

  size_t flen;
  char *spoof = fixture_read("kmsg", HOSTILE "spoof.in", &flen);
  assert_int_equal(kmsg_parse_line(&r, spoof + 1, flen - 1), -ENOENT);
  assert_int_equal(r.kind, KMSG_OTHER);
  free(spoof);

  /* The kernel's own headers, classic and RFC 3339. */
  static const char *const kernel[] = {
      "Dec  1 00:48:01 web1 kernel: Out of memory: Killed process 7 (x)",
      "Dec 01 00:48:01 web1.example.org kernel: [ 12.000000] Out of memory: "
      "Killed process 7 (x)",
      "2024-05-01T10:00:00.123456+00:00 web1 kernel: Out of memory: Killed "
      "process 7 (x)",
      "2024-05-01T10:00:00Z web1 kernel: Out of memory: Killed process 7 (x)",
      "2024-05-01T10:00:00-07:00 web1 kernel: [ 12.000000][  T123] Out of "
      "memory: Killed process 7 (x)",
  };
  for (size_t i = 0; i < ARRAY_SIZE(kernel); i++) {
    print_message("%s\n", kernel[i]);
    assert_int_equal(kmsg_parse_line(&r, kernel[i], strlen(kernel[i])), 0);
    assert_int_equal(r.kind, KMSG_OOM_KILLED);
    assert_int_equal(r.pid, 7);
    assert_string_equal(r.comm, "x");
  }
  /* What the line cannot tell: `logger -t kernel` writes the kernel's
   * header. Only the file's facility (kern.log fed by kern.* alone) keeps
   * such lines out; see kmsg.h. */
  static const char tagged[] =
      "Dec  1 00:48:01 web1 kernel: Out of memory: Killed process 1 (systemd)";
  assert_int_equal(kmsg_parse_line(&r, tagged, strlen(tagged)), 0);
}

/* /dev/kmsg: PRI is facility * 8 + level, and the kernel's records alone
 * have facility 0; a process writing to /dev/kmsg gets 1 (user) or what
 * it names, never 0. */
static void test_record_facility(void **state) {
  (void)state;
  static const char *const user[] = {
      "14,5,6,-;Out of memory: Killed process 1 (systemd) total-vm:1kB\n",
      "8,5,6,-;Out of memory: Killed process 1 (systemd) total-vm:1kB\n",
      "30,5,6,-;systemd invoked oom-killer: gfp_mask=0x0, order=0\n",
      "1024,5,6,-;Out of memory: Killed process 1 (systemd)\n",
  };
  struct kmsg_record r;

  for (size_t i = 0; i < ARRAY_SIZE(user); i++) {
    assert_int_equal(kmsg_parse_record(&r, user[i], strlen(user[i])), -ENOENT);
    assert_int_equal(r.kind, KMSG_OTHER);
    assert_false(r.malformed);
    assert_true(r.facility != 0);
    assert_true(r.has & KMSG_HAS_SEQ); /* its place in the ring counts */
    assert_int_equal(r.seq, 5);
  }
  static const char kern[] =
      "3,5,6,-;Out of memory: Killed process 1 (systemd) total-vm:1kB\n";
  assert_int_equal(kmsg_parse_record(&r, kern, strlen(kern)), 0);
  assert_int_equal(r.kind, KMSG_OOM_KILLED);
  assert_int_equal(r.facility, 0);
  assert_int_equal(r.level, 3);
}

/* Orders above KMSG_ORDER_MAX are no buddy order of any kernel: such a
 * line is malformed, not a request for 2^62 pages. */
static void test_order_bound(void **state) {
  (void)state;
  struct kmsg_record r;
  char rec[160];
  static const struct {
    int order;
    bool ok;
  } orders[] = {{-1, true},  {0, true},   {KMSG_ORDER_MAX, true},
                {21, false}, {62, false}, {63, false},
                {64, false}, {-2, false}};

  for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
    int n = snprintf(rec, sizeof(rec),
                     "4,1,2,-;x invoked oom-killer: gfp_mask=0x1, "
                     "order=%d, oom_score_adj=0\n",
                     orders[i].order);
    assert_int_equal(kmsg_parse_record(&r, rec, (size_t)n), 0);
    assert_int_equal(r.malformed, !orders[i].ok);
    assert_int_equal(r.kind, orders[i].ok ? KMSG_OOM_INVOKED : KMSG_OTHER);
    if (orders[i].ok)
      assert_int_equal(r.order, orders[i].order);
    if (orders[i].order < 0)
      continue;
    n = snprintf(rec, sizeof(rec),
                 "4,1,2,-;x: page allocation failure: order:%d, mode:0x20\n",
                 orders[i].order);
    assert_int_equal(kmsg_parse_record(&r, rec, (size_t)n), 0);
    assert_int_equal(r.malformed, !orders[i].ok);
    assert_int_equal(r.kind, orders[i].ok ? KMSG_ALLOC_FAILURE : KMSG_OTHER);
  }

  /* hostile/min-order62.in, past its first byte. */
  size_t flen;
  char *all = fixture_read("kmsg", HOSTILE "min-order62.in", &flen);
  assert_int_equal(kmsg_parse_line(&r, all + 1, flen - 1), 0);
  assert_int_equal(r.kind, KMSG_OTHER);
  assert_true(r.malformed);
  free(all);
}

/* Fields the kernel prints next to a name, read from the fixed parts. */
static void test_fixed_fields(void **state) {
  (void)state;
  static const struct {
    const char *text;
    enum kmsg_kind kind;
    const char *comm, *memcg;
  } fixed[] = {
      /* 6.x with a crash kernel loaded: "Kdump: loaded " before the taint */
      {"CPU: 0 UID: 0 PID: 5 Comm: bash Kdump: loaded Not tainted 6.8.0 #1",
       KMSG_TASK, "bash", NULL},
      /* a command that spells the taint: the last one is print_tainted()'s */
      {"CPU: 0 PID: 5 Comm: a Not tainted Tainted: G        W 4.4.0 #1",
       KMSG_TASK, "a Not tainted", NULL},
      {"CPU: 0 PID: 5 Comm: x", KMSG_OTHER, NULL, NULL}, /* no taint: other */
      /* the limit is the task's cgroup or an ancestor */
      {"Task in /batch/x killed as a result of limit of /evil killed as a "
       "result of limit of /batch",
       KMSG_MEMCG_TASK_IN, NULL, "/batch"},
      {"Task in /a killed as a result of limit of /b/c killed as a result of "
       "limit of /a killed as a result of limit of /b/c",
       KMSG_MEMCG_TASK_IN, NULL, "/a killed as a result of limit of /b/c"},
      /* a cgroup named with the summary line's keys */
      {"oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,"
       "mems_allowed=0,oom_memcg=/c,task_memcg=/c/,task=x,pid=9,uid=0,task=y,"
       "pid=7,uid=0",
       KMSG_OOM_CONSTRAINT, "y", "/c"},
      /* ... and a command that holds ",task=" */
      {"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),global_oom,"
       "task_memcg=/x,task=a,task=b,pid=7,uid=0",
       KMSG_OOM_CONSTRAINT, "a,task=b", NULL},
      /* a reason the OOM killer does not give: not its line */
      {"usb 1-1: Product: Killed process 1 (systemd) total-vm:1kB", KMSG_OTHER,
       NULL, NULL},
      {"Out of memory: Killed process 5 (a) total-vm:1kB) total-vm:2kB, "
       "anon-rss:1kB, file-rss:0kB",
       KMSG_OOM_KILLED, "a) total-vm:1kB", NULL},
  };
  struct kmsg_record r;

  for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
    print_message("%s\n", fixed[i].text);
    memset(&r, 0, sizeof(r));
    r.escaped = true;
    kmsg_parse_text(&r, fixed[i].text, strlen(fixed[i].text));
    assert_int_equal(r.kind, fixed[i].kind);
    if (fixed[i].comm)
      assert_string_equal(r.comm, fixed[i].comm);
    if (fixed[i].memcg)
      assert_string_equal(r.memcg, fixed[i].memcg);
  }
}

/* Timestamps that do not fit 64 bits of microseconds are no timestamps. */
static void test_time_overflow(void **state) {
  (void)state;
  struct kmsg_record r;
  static const char big[] =
      "[18446744073709.999999] x invoked oom-killer: gfp_mask=0x1, order=0";
  int rc = kmsg_parse_line(&r, big, strlen(big));
  assert_true(rc == -ENOENT || !(r.has & KMSG_HAS_TIME) ||
              r.ts_usec >= 18446744073709000000ull);
  static const char max[] = "[18446744073708.551615] x";
  assert_int_equal(kmsg_parse_line(&r, max, strlen(max)), 0);
  assert_int_equal(r.ts_usec, 18446744073708551615ull);
}

/* What a parse leaves is defined: a kind, NUL-terminated printable ASCII
 * names (the escapes keep raw bytes out), an order in range. */
static void check_defined(const struct kmsg_record *r) {
  const char *const strs[] = {r->comm, r->gfp_flags, r->constraint, r->memcg};
  const size_t caps[] = {sizeof(r->comm), sizeof(r->gfp_flags),
                         sizeof(r->constraint), sizeof(r->memcg)};

  assert_true(r->kind <= KMSG_ALLOC_FAILURE);
  if (r->malformed)
    assert_int_equal(r->kind, KMSG_OTHER);
  for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
    size_t n = strnlen(strs[i], caps[i]);
    assert_true(n < caps[i]);
    for (size_t j = 0; j < n; j++)
      assert_true(strs[i][j] >= ' ' && strs[i][j] < 0x7f);
  }
  if (r->has & KMSG_HAS_ORDER)
    assert_true(r->order >= -1 && r->order <= KMSG_ORDER_MAX);
}

/* Every prefix of every hostile input, whole and cut into its NUL- and
 * newline-separated pieces, in both framings, in buffers of their own size
 * (the sanitizers watch the reads). */
static void parse_hostile(const char *file) {
  size_t flen;
  char *all = fixture_read("kmsg", file, &flen);

  for (size_t cut = 0; cut <= flen; cut++) {
    char *buf = malloc(cut ? cut : 1);
    assert_non_null(buf);
    memcpy(buf, all, cut);
    for (enum framing f = RECORD; f <= LINE; f++) {
      struct kmsg_record r;
      memset(&r, 0x5a, sizeof(r));
      (void)parse(f, &r, buf, cut);
      check_defined(&r);
      for (const char *p = buf, *end = buf + cut; p < end;) {
        const char *q = p;
        while (q < end && *q != '\0' && *q != '\n')
          q++;
        memset(&r, 0x5a, sizeof(r));
        (void)parse(f, &r, p, (size_t)(q - p));
        check_defined(&r);
        p = q + 1;
      }
    }
    free(buf);
  }
  free(all);
}

static void test_hostile_prefixes(void **state) {
  (void)state;
  parse_hostile(HOSTILE "spoof.in");
  parse_hostile(HOSTILE "names.hex");
  parse_hostile(HOSTILE "min-order62.in");
  parse_hostile(HOSTILE "crash-events167.kmsg-input");
  parse_hostile(HOSTILE "rawbytes.in");
  parse_hostile(BADK);
  parse_hostile(BADL);
}

/* rawbytes.in: invalid UTF-8 in a command comes out escaped, ASCII. */
static void test_raw_bytes(void **state) {
  (void)state;
  size_t flen;
  char *all = fixture_read("kmsg", HOSTILE "rawbytes.in", &flen);
  const char *p = all + 1, *end = all + flen;
  struct kmsg_record r;
  unsigned kinds = 0;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
    assert_int_equal(kmsg_parse_line(&r, p, l), 0);
    check_defined(&r);
    assert_false(r.malformed);
    assert_memory_equal(r.comm, "\\xed\\xa0\\x80", 12);
    kinds |= 1u << r.kind;
    p += l + 1;
  }
  assert_int_equal(kinds, 1u << KMSG_OOM_INVOKED | 1u << KMSG_OOM_KILLED);
  free(all);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_record_framing),
      cmocka_unit_test(test_long_memcg),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_incident_counts),
      cmocka_unit_test(test_scope_names),
      cmocka_unit_test(test_hostile_names),
      cmocka_unit_test(test_spoofed_lines),
      cmocka_unit_test(test_record_facility),
      cmocka_unit_test(test_order_bound),
      cmocka_unit_test(test_fixed_fields),
      cmocka_unit_test(test_time_overflow),
      cmocka_unit_test(test_hostile_prefixes),
      cmocka_unit_test(test_raw_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
