#include "kmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "parse.h"

/* A syslog header ("Sep 10 01:07:31 web1 kernel: ") is looked for in the
 * first bytes of a line only, so that a message quoting " kernel: " later
 * on is not taken for one. Host names are 64 bytes at most. */
#define KMSG_HEADER_WINDOW 160

#define LIT_LEN(lit) (sizeof(lit) - 1)

/* --- bounded helpers ------------------------------------------------------*/

static const char *find(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  if (p >= end)
    return NULL;
  return memmem(p, (size_t)(end - p), lit, n);
}

static const char *find_last(const char *p, const char *end, const char *lit) {
  const char *last = NULL, *hit;
  while ((hit = find(p, end, lit)) != NULL) {
    last = hit;
    p = hit + 1;
  }
  return last;
}

static bool starts_with(const char *p, const char *end, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The key of "key=value" or "key:value" ending at sep is lit. */
static bool key_is(const char *key, const char *sep, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(sep - key) == n && memcmp(key, lit, n) == 0;
}

static bool parse_i64(const char **p, const char *end, int64_t *out) {
  const char *s = *p;
  uint64_t v;
  bool neg = false;

  parse_skip_blanks(&s, end);
  if (s < end && *s == '-') {
    neg = true;
    s++;
  }
  if (!parse_u64(&s, end, &v) || v > (uint64_t)INT64_MAX)
    return false;
  *out = neg ? -(int64_t)v : (int64_t)v;
  *p = s;
  return true;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* "0x1a2b" or "0" (%#x prints a zero mask without its 0x). */
static bool parse_hex(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  int d;

  if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s += 2;
  if (s >= end || hex_digit(*s) < 0)
    return false;
  while (s < end && (d = hex_digit(*s)) >= 0) {
    if (v >> 60)
      return false;
    v = v << 4 | (uint64_t)d;
    s++;
  }
  *out = v;
  *p = s;
  return true;
}

static void trim_end(const char *start, const char **end) {
  while (*end > start &&
         ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
    (*end)--;
}

/* A task's command: not empty, fits, no newline. */
static bool set_comm(struct kmsg_record *r, const char *s, const char *e) {
  return e > s && parse_copy(r->comm, sizeof(r->comm), s, (size_t)(e - s));
}

/* A cgroup path: when too long, its end (the container's own name) is
 * worth more than its start, so the start gives way to "...". */
static void set_memcg(struct kmsg_record *r, const char *s, const char *e) {
  size_t n = (size_t)(e - s), cap = sizeof(r->memcg);

  if (n == 0 || (n == 6 && memcmp(s, "(null)", 6) == 0))
    return;
  if (n < cap) {
    memcpy(r->memcg, s, n);
    r->memcg[n] = '\0';
  } else {
    memcpy(r->memcg, "...", 3);
    memcpy(r->memcg + 3, e - (cap - 4), cap - 4);
    r->memcg[cap - 1] = '\0';
  }
  r->has |= KMSG_HAS_MEMCG;
}

/* "(GFP_KERNEL|__GFP_COMP)" after a mask, 4.6+; a list too long to keep is
 * left out rather than cut. */
static void parse_gfp_flags(struct kmsg_record *r, const char **p,
                            const char *end) {
  const char *s = *p;
  if (s >= end || *s != '(')
    return;
  const char *close = memchr(s, ')', (size_t)(end - s));
  if (close == NULL)
    return;
  if (parse_copy(r->gfp_flags, sizeof(r->gfp_flags), s + 1,
                 (size_t)(close - s - 1)))
    r->has |= KMSG_HAS_GFP_FLAGS;
  *p = close + 1;
}

/* Whose memory ran out, from the words the kernel puts before "Kill
 * process" / "Killed process". */
static enum kmsg_scope scope_of_reason(const char *s, const char *e) {
  if (find(s, e, "cgroup"))
    return KMSG_SCOPE_MEMCG;
  if (find(s, e, "cpuset"))
    return KMSG_SCOPE_CPUSET;
  if (find(s, e, "MPOL_BIND"))
    return KMSG_SCOPE_MEMORY_POLICY;
  if (starts_with(s, e, "Out of memory") || starts_with(s, e, "Out of Memory"))
    return KMSG_SCOPE_GLOBAL;
  return KMSG_SCOPE_UNKNOWN;
}

static enum kmsg_scope scope_of_constraint(const char *s, const char *e) {
  static const struct {
    const char *name;
    enum kmsg_scope scope;
  } constraints[] = {
      {"CONSTRAINT_NONE", KMSG_SCOPE_GLOBAL},
      {"CONSTRAINT_CPUSET", KMSG_SCOPE_CPUSET},
      {"CONSTRAINT_MEMORY_POLICY", KMSG_SCOPE_MEMORY_POLICY},
      {"CONSTRAINT_MEMCG", KMSG_SCOPE_MEMCG},
  };
  for (size_t i = 0; i < sizeof(constraints) / sizeof(constraints[0]); i++)
    if (key_is(s, e, constraints[i].name))
      return constraints[i].scope;
  return KMSG_SCOPE_OTHER;
}

/* --- the messages -----------------------------------------------------------
 * Each returns 0 when the text is not its message, 1 when it read it, -1
 * when the text is its message but a field could not be read. */

/* "<comm> invoked oom-killer: key=value, key=value, ..." */
static int parse_invoked(struct kmsg_record *r, const char *text,
                         const char *end) {
  static const char anchor[] = " invoked oom-killer:";
  const char *m = find(text, end, anchor);

  if (m == NULL)
    return 0;
  if (!set_comm(r, text, m))
    return -1;
  const char *p = m + LIT_LEN(anchor);
  parse_skip_blanks(&p, end);
  while (p < end) {
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq == NULL)
      return -1;
    /* ", " parts fields; a nodemask list has bare commas ("0-1,3"). */
    const char *vend = find(eq + 1, end, ", ");
    if (vend == NULL)
      vend = end;
    const char *v = eq + 1;
    if (key_is(p, eq, "gfp_mask")) {
      if (!parse_hex(&v, vend, &r->gfp_mask))
        return -1;
      r->has |= KMSG_HAS_GFP;
      parse_gfp_flags(r, &v, vend);
    } else if (key_is(p, eq, "order")) {
      int64_t order;
      if (!parse_i64(&v, vend, &order) || order < -1 || order > 63)
        return -1;
      r->order = (int)order;
      r->has |= KMSG_HAS_ORDER;
    } else if (key_is(p, eq, "oom_score_adj")) {
      /* oom_adj= and oomkilladj= (-17..15) are another scale: not kept. */
      if (!parse_i64(&v, vend, &r->oom_score_adj))
        return -1;
      r->has |= KMSG_HAS_OOM_SCORE_ADJ;
    }
    p = vend < end ? vend + 2 : end;
  }
  return (r->has & KMSG_HAS_GFP) && (r->has & KMSG_HAS_ORDER) ? 1 : -1;
}

/* The command after "Comm: " / "comm: ", up to the taint flags. */
static bool parse_task_comm(struct kmsg_record *r, const char *p,
                            const char *end) {
  const char *e = find(p, end, " Not tainted");
  const char *t = find(p, end, " Tainted:");
  if (e == NULL || (t != NULL && t < e))
    e = t;
  if (e == NULL)
    e = end;
  trim_end(p, &e);
  return set_comm(r, p, e);
}

/* "CPU: 0 UID: 0 PID: 10377 Comm: oom-victim Not tainted 6.18 ..." (3.x+)
 * "Pid: 31143, comm: apache2 Tainted: GW 2.6.39-linode33 #5" (2.6.x) */
static int parse_task(struct kmsg_record *r, const char *text,
                      const char *end) {
  const char *p = text, *comm;

  if (starts_with(text, end, "CPU: ")) {
    const char *pid = find(text, end, " PID: ");
    comm = find(text, end, " Comm: ");
    if (pid == NULL || comm == NULL)
      return 0; /* boot lines about CPUs */
    p = pid + LIT_LEN(" PID: ");
    comm += LIT_LEN(" Comm: ");
  } else if (starts_with(text, end, "Pid: ")) {
    p = text + LIT_LEN("Pid: ");
    comm = find(text, end, ", comm: ");
    if (comm == NULL)
      return -1;
    comm += LIT_LEN(", comm: ");
  } else {
    return 0;
  }
  if (!parse_u64(&p, end, &r->pid) || !parse_task_comm(r, comm, end))
    return -1;
  r->has |= KMSG_HAS_PID;
  return 1;
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,
 *  mems_allowed=0,oom_memcg=/a,task_memcg=/a,task=comm,pid=123,uid=0".
 * Paths and the command may hold commas: the command is found from the
 * last ",pid=" back, the memcg up to the next known key. */
static int parse_constraint(struct kmsg_record *r, const char *text,
                            const char *end) {
  static const char anchor[] = "oom-kill:constraint=";

  if (!starts_with(text, end, anchor))
    return 0;
  const char *c = text + LIT_LEN(anchor);
  const char *ce = memchr(c, ',', (size_t)(end - c));
  if (ce == NULL || ce == c ||
      !parse_copy(r->constraint, sizeof(r->constraint), c, (size_t)(ce - c)))
    return -1;
  r->has |= KMSG_HAS_CONSTRAINT;
  r->scope = scope_of_constraint(c, ce);

  const char *pid = find_last(ce, end, ",pid=");
  const char *task = pid ? find_last(ce, pid, ",task=") : NULL;
  if (task == NULL)
    return -1;
  const char *p = pid + LIT_LEN(",pid=");
  if (!parse_u64(&p, end, &r->pid) ||
      !set_comm(r, task + LIT_LEN(",task="), pid))
    return -1;
  r->has |= KMSG_HAS_PID;
  if (parse_literal(&p, end, ",uid=") && parse_u64(&p, end, &r->uid))
    r->has |= KMSG_HAS_UID;

  const char *mc = find(ce, task, ",oom_memcg=");
  size_t skip = LIT_LEN(",oom_memcg=");
  if (mc == NULL) {
    mc = find(ce, task, ",origin_memcg="); /* 4.19 */
    skip = LIT_LEN(",origin_memcg=");
  }
  if (mc != NULL) {
    const char *s = mc + skip, *e = task;
    const char *next = find(s, task, ",task_memcg=");
    if (next == NULL)
      next = find(s, task, ",kill_memcg=");
    if (next != NULL)
      e = next;
    set_memcg(r, s, e);
  }
  return 1;
}

/* " (comm)" after a pid: the command runs to the last ')' of the line, as
 * none of these messages prints one after it and a command may hold one. */
static const char *parse_pid_comm(struct kmsg_record *r, const char *p,
                                  const char *end) {
  if (!parse_u64(&p, end, &r->pid) || !parse_literal(&p, end, "("))
    return NULL;
  const char *close = NULL;
  for (const char *s = end; s > p; s--)
    if (s[-1] == ')') {
      close = s - 1;
      break;
    }
  if (close == NULL || !set_comm(r, p, close))
    return NULL;
  r->has |= KMSG_HAS_PID;
  return close + 1;
}

/* The reason before "Kill process"/"Killed process": "Out of memory: ". */
static bool reason_before(const char *text, const char *k) {
  return k == text || (k - text >= 2 && k[-2] == ':' && k[-1] == ' ');
}

/* "total-vm:1820kB, anon-rss:100kB, file-rss:360kB, shmem-rss:0kB, UID:0
 *  pgtables:108kB oom_score_adj:0" in any order; unknown ones skipped. */
static bool parse_sizes(struct kmsg_record *r, const char *p, const char *end) {
  static const struct {
    const char *key;
    size_t offset;
    unsigned has;
  } sizes[] = {
      {"total-vm", offsetof(struct kmsg_record, total_vm_kb),
       KMSG_HAS_TOTAL_VM},
      {"vsz", offsetof(struct kmsg_record, total_vm_kb), KMSG_HAS_TOTAL_VM},
      {"anon-rss", offsetof(struct kmsg_record, anon_rss_kb),
       KMSG_HAS_ANON_RSS},
      {"file-rss", offsetof(struct kmsg_record, file_rss_kb),
       KMSG_HAS_FILE_RSS},
      {"shmem-rss", offsetof(struct kmsg_record, shmem_rss_kb),
       KMSG_HAS_SHMEM_RSS},
      {"pgtables", offsetof(struct kmsg_record, pgtables_kb),
       KMSG_HAS_PGTABLES},
      {"UID", offsetof(struct kmsg_record, uid), KMSG_HAS_UID},
  };

  while (p < end) {
    while (p < end && (*p == ' ' || *p == ',' || *p == '.'))
      p++;
    const char *tok = p;
    while (p < end && *p != ' ' && *p != ',')
      p++;
    const char *colon = memchr(tok, ':', (size_t)(p - tok));
    if (colon == NULL)
      continue;
    const char *v = colon + 1;
    if (key_is(tok, colon, "oom_score_adj")) {
      if (!parse_i64(&v, p, &r->oom_score_adj) || v != p)
        return false;
      r->has |= KMSG_HAS_OOM_SCORE_ADJ;
      continue;
    }
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      if (!key_is(tok, colon, sizes[i].key))
        continue;
      uint64_t value;
      if (!parse_u64(&v, p, &value))
        return false;
      if (p - v == 2 && memcmp(v, "kB", 2) == 0)
        v += 2;
      if (v != p)
        return false;
      memcpy((char *)r + sizes[i].offset, &value, sizeof(value));
      r->has |= sizes[i].has;
    }
  }
  return true;
}

/* "[<reason>: ]Killed process 2190 (portmap) total-vm:1820kB, ..." */
static int parse_killed(struct kmsg_record *r, const char *text,
                        const char *end) {
  const char *k = find(text, end, "Killed process ");
  if (k == NULL || !reason_before(text, k))
    return 0;
  if (k != text)
    r->scope = scope_of_reason(text, k - 2);
  const char *p = parse_pid_comm(r, k + LIT_LEN("Killed process "), end);
  if (p == NULL || !parse_sizes(r, p, end))
    return -1;
  return 1;
}

/* "<reason>: Kill process 2196 (rpc.statd) score 1 or sacrifice child",
 * "<reason>: kill process N (comm) score S or a child" (before 2.6.36).
 * "Kill process N (comm) sharing same memory" is about another task
 * signalled with the victim: not a choice of its own. */
static int parse_select(struct kmsg_record *r, const char *text,
                        const char *end) {
  const char *k = find(text, end, "Kill process ");
  if (k == NULL)
    k = find(text, end, "kill process ");
  if (k == NULL || !reason_before(text, k))
    return 0;
  const char *p = parse_pid_comm(r, k + LIT_LEN("Kill process "), end);
  if (p == NULL)
    return -1;
  if (starts_with(p, end, " sharing same memory"))
    return 0;
  if (k != text)
    r->scope = scope_of_reason(text, k - 2);
  if (parse_literal(&p, end, "score") && parse_u64(&p, end, &r->score))
    r->has |= KMSG_HAS_SCORE;
  return 1;
}

/* "memory: usage 32768kB, limit 32768kB, failcnt 19" */
static int parse_memcg_usage(struct kmsg_record *r, const char *text,
                             const char *end) {
  const char *p = text;
  if (!starts_with(text, end, "memory: usage "))
    return 0;
  p += LIT_LEN("memory: usage ");
  if (!parse_u64(&p, end, &r->memcg_usage_kb) ||
      !parse_literal(&p, end, "kB, limit") ||
      !parse_u64(&p, end, &r->memcg_limit_kb) || !parse_literal(&p, end, "kB"))
    return -1;
  r->has |= KMSG_HAS_MEMCG_USAGE;
  return 1;
}

/* "Task in /a/b killed as a result of limit of /a" */
static int parse_task_in(struct kmsg_record *r, const char *text,
                         const char *end) {
  static const char limit[] = " killed as a result of limit of ";
  if (!starts_with(text, end, "Task in "))
    return 0;
  const char *m = find(text, end, limit);
  if (m == NULL)
    return -1;
  set_memcg(r, m + LIT_LEN(limit), end);
  return r->has & KMSG_HAS_MEMCG ? 1 : -1;
}

/* "<comm>: page allocation failure: order:1, mode:0x20[(GFP_ATOMIC)]..." */
static int parse_alloc_failure(struct kmsg_record *r, const char *text,
                               const char *end) {
  static const char anchor[] = ": page allocation failure";
  const char *m = find(text, end, anchor);
  uint64_t order;

  if (m == NULL)
    return 0;
  const char *p = m + LIT_LEN(anchor);
  if (!set_comm(r, text, m) || p >= end || (*p != ':' && *p != '.'))
    return -1;
  p++;
  if (!parse_literal(&p, end, "order:") || !parse_u64(&p, end, &order) ||
      order > 63 || !parse_literal(&p, end, ", mode:") ||
      !parse_hex(&p, end, &r->gfp_mask))
    return -1;
  r->order = (int)order;
  r->has |= KMSG_HAS_ORDER | KMSG_HAS_GFP;
  parse_gfp_flags(r, &p, end);
  return 1;
}

/* --- records and lines
 * -------------------------------------------------------*/

static void reset_message(struct kmsg_record *r) {
  memset(&r->kind, 0, sizeof(*r) - offsetof(struct kmsg_record, kind));
  r->has &= KMSG_HAS_SEQ | KMSG_HAS_TIME | KMSG_HAS_LEVEL;
}

static void reset_framing(struct kmsg_record *r) {
  r->has = 0;
  r->level = 0;
  r->seq = 0;
  r->ts_usec = 0;
  r->text = NULL;
  r->text_len = 0;
}

void kmsg_parse_text(struct kmsg_record *r, const char *text, size_t len) {
  static const struct {
    enum kmsg_kind kind;
    int (*parse)(struct kmsg_record *, const char *, const char *);
  } parsers[] = {
      {KMSG_OOM_INVOKED, parse_invoked},
      {KMSG_OOM_CONSTRAINT, parse_constraint},
      {KMSG_OOM_KILLED, parse_killed},
      {KMSG_OOM_SELECT, parse_select},
      {KMSG_MEMCG_USAGE, parse_memcg_usage},
      {KMSG_MEMCG_TASK_IN, parse_task_in},
      {KMSG_ALLOC_FAILURE, parse_alloc_failure},
      {KMSG_TASK, parse_task},
  };
  const char *end = text + len;

  reset_message(r);
  trim_end(text, &end);
  r->text = text;
  r->text_len = (size_t)(end - text);
  for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
    int rc = parsers[i].parse(r, text, end);
    if (rc == 0) {
      /* A parser may have filled fields before it saw it was not its
       * message. */
      reset_message(r);
      continue;
    }
    if (rc > 0) {
      r->kind = parsers[i].kind;
    } else {
      reset_message(r);
      r->malformed = true;
    }
    return;
  }
}

int kmsg_parse_record(struct kmsg_record *r, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  const char *eol = parse_line_end(p, end);
  uint64_t prio, seq, ts;

  reset_framing(r);
  reset_message(r);
  if (!parse_u64(&p, eol, &prio) || !parse_literal(&p, eol, ",") ||
      !parse_u64(&p, eol, &seq) || !parse_literal(&p, eol, ",") ||
      !parse_u64(&p, eol, &ts)) {
    r->malformed = true;
    return -EINVAL;
  }
  /* FLAGS and, on newer kernels, more fields (caller=) up to ';'. */
  const char *semi = memchr(p, ';', (size_t)(eol - p));
  if (semi == NULL || (p < eol && *p != ',')) {
    r->malformed = true;
    return -EINVAL;
  }
  r->level = (unsigned)(prio & 7);
  r->seq = seq;
  r->ts_usec = ts;
  r->has = KMSG_HAS_SEQ | KMSG_HAS_TIME | KMSG_HAS_LEVEL;
  kmsg_parse_text(r, semi + 1, (size_t)(eol - semi - 1));
  return 0;
}

/* "[ 1234.567890]" at p: seconds and microseconds since boot. */
static bool parse_printk_time(const char **p, const char *end, uint64_t *usec) {
  const char *s = *p;
  uint64_t sec, frac = 0;
  int digits = 0;

  if (s >= end || *s != '[')
    return false;
  s++;
  if (!parse_u64(&s, end, &sec) || s >= end || *s != '.')
    return false;
  s++;
  while (s < end && *s >= '0' && *s <= '9') {
    if (digits < 6) {
      frac = frac * 10 + (uint64_t)(*s - '0');
      digits++;
    }
    s++;
  }
  if (digits == 0 || s >= end || *s != ']' || sec > UINT64_MAX / 1000000)
    return false;
  for (; digits < 6; digits++)
    frac *= 10;
  *usec = sec * 1000000 + frac;
  *p = s + 1;
  return true;
}

int kmsg_parse_line(struct kmsg_record *r, const char *buf, size_t len) {
  const char *end = parse_line_end(buf, buf + len);
  const char *window =
      buf + KMSG_HEADER_WINDOW < end ? buf + KMSG_HEADER_WINDOW : end;
  const char *k = find(buf, window, " kernel: ");
  const char *p;
  uint64_t usec;

  reset_framing(r);
  reset_message(r);
  if (k != NULL) {
    p = k + LIT_LEN(" kernel: ");
    parse_skip_blanks(&p, end);
    if (parse_printk_time(&p, end, &usec)) {
      r->ts_usec = usec;
      r->has |= KMSG_HAS_TIME;
    }
  } else {
    /* Saved dmesg output: the timestamp is the whole header. */
    p = buf;
    if (!parse_printk_time(&p, end, &usec)) {
      r->text = buf;
      r->text_len = (size_t)(end - buf);
      return -ENOENT;
    }
    r->ts_usec = usec;
    r->has |= KMSG_HAS_TIME;
  }
  if (p < end && *p == ' ')
    p++;
  kmsg_parse_text(r, p, (size_t)(end - p));
  return 0;
}

const char *kmsg_scope_name(enum kmsg_scope scope) {
  switch (scope) {
  case KMSG_SCOPE_GLOBAL:
    return "global";
  case KMSG_SCOPE_CPUSET:
    return "cpuset";
  case KMSG_SCOPE_MEMORY_POLICY:
    return "memory policy";
  case KMSG_SCOPE_MEMCG:
    return "cgroup";
  case KMSG_SCOPE_OTHER:
    return "other";
  case KMSG_SCOPE_UNKNOWN:
    break;
  }
  return "unknown";
}
