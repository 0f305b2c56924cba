#include "kmsg.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "parse.h"

#define LIT_LEN(lit) (sizeof(lit) - 1)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A host name is at most 255 bytes (RFC 1035's limit on a domain name). */
#define KMSG_HOST_MAX 255
/* Separators of a "Task in" line weighed at most (see parse_task_in). */
#define KMSG_TASK_IN_TRIES 16

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

/* Consumes lit if it is next, with no blank skipped before it. */
static bool take(const char **p, const char *end, const char *lit) {
  if (!starts_with(*p, end, lit))
    return false;
  *p += strlen(lit);
  return true;
}

static bool ends_with(const char *start, const char *end, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(end - start) >= n && memcmp(end - n, lit, n) == 0;
}

/* The key of "key=value" or "key:value" ending at sep is lit. */
static bool key_is(const char *key, const char *sep, const char *lit) {
  size_t n = strlen(lit);
  return (size_t)(sep - key) == n && memcmp(key, lit, n) == 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Exactly n decimal digits. */
static bool take_digits(const char **p, const char *end, size_t n) {
  const char *s = *p;
  if ((size_t)(end - s) < n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i]))
      return false;
  *p = s + n;
  return true;
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

/* --- names, as /dev/kmsg prints them ----------------------------------------
 * printk's msg_add_ext_text() writes a byte below ' ', from 0x7f up, and
 * '\\' as "\xNN" in /dev/kmsg records. A syslog file has the raw bytes:
 * escaping them alike gives a name the same spelling in both framings,
 * plain ASCII that no reader of a message or a JSON file chokes on. In a
 * record a backslash is already an escape's and stays; a raw byte that the
 * kernel would have escaped (only a forged record holds one) is escaped. */

static bool unprintable(unsigned char c) { return c < ' ' || c >= 0x7f; }

/* Bytes byte c takes once escaped. */
static size_t escaped_len(const struct kmsg_record *r, unsigned char c) {
  return unprintable(c) || (c == '\\' && !r->escaped) ? 4 : 1;
}

static size_t put_escaped(const struct kmsg_record *r, char *dst,
                          unsigned char c) {
  static const char hex[] = "0123456789abcdef";
  if (escaped_len(r, c) == 1) {
    dst[0] = (char)c;
    return 1;
  }
  dst[0] = '\\';
  dst[1] = 'x';
  dst[2] = hex[c >> 4];
  dst[3] = hex[c & 15];
  return 4;
}

/* Copies [s, e) escaped into dst (capacity cap, NUL-terminated). Fails
 * rather than truncate. */
static bool copy_text(const struct kmsg_record *r, char *dst, size_t cap,
                      const char *s, const char *e) {
  size_t n = 0;
  for (const char *p = s; p < e; p++) {
    if (n + escaped_len(r, (unsigned char)*p) >= cap)
      return false;
    n += put_escaped(r, dst + n, (unsigned char)*p);
  }
  dst[n] = '\0';
  return true;
}

/* A task's command: not empty, fits. */
static bool set_comm(struct kmsg_record *r, const char *s, const char *e) {
  return e > s && copy_text(r, r->comm, sizeof(r->comm), s, e);
}

/* Where to start [s, e) so that its escaped tail fits in room bytes; in a
 * record, not inside one of its "\xNN". */
static const char *tail_start(const struct kmsg_record *r, const char *s,
                              const char *e, size_t room) {
  const char *t = e;
  size_t n = 0;
  while (t > s && n + escaped_len(r, (unsigned char)t[-1]) <= room) {
    n += escaped_len(r, (unsigned char)t[-1]);
    t--;
  }
  if (r->escaped)
    for (size_t back = 1; back <= 3 && t - back >= s; back++)
      if (t[-(ptrdiff_t)back] == '\\') {
        t += 4 - back;
        break;
      }
  return t < e ? t : e;
}

/* A cgroup path: when too long, its end (the container's own name) is
 * worth more than its start, so the start gives way to "...". */
static void set_memcg(struct kmsg_record *r, const char *s, const char *e) {
  const size_t cap = sizeof(r->memcg);

  if (e <= s || (e - s == 6 && memcmp(s, "(null)", 6) == 0))
    return;
  if (!copy_text(r, r->memcg, cap, s, e)) {
    memcpy(r->memcg, "...", 3);
    const char *t = tail_start(r, s, e, cap - 4);
    if (!copy_text(r, r->memcg + 3, cap - 3, t, e))
      return;
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
  if (copy_text(r, r->gfp_flags, sizeof(r->gfp_flags), s + 1, close))
    r->has |= KMSG_HAS_GFP_FLAGS;
  *p = close + 1;
}

/* --- the OOM killer's reasons -----------------------------------------------
 * The message oom_kill_process() is given, printed before "Kill process"
 * and "Killed process" (mm/oom_kill.c): a fixed word of the kernel's, so a
 * line whose start is anything else is not the OOM killer's, whatever it
 * quotes ("usb 1-1: Product: Killed process 1 ..."). */
static const struct {
  const char *reason;
  enum kmsg_scope scope;
} reasons[] = {
    {"Out of memory", KMSG_SCOPE_GLOBAL},
    {"Out of Memory", KMSG_SCOPE_GLOBAL}, /* 2.6.18's select line */
    {"Out of memory (oom_kill_allocating_task)", KMSG_SCOPE_GLOBAL},
    {"Memory cgroup out of memory", KMSG_SCOPE_MEMCG},
    {"No available memory in cpuset", KMSG_SCOPE_CPUSET},
    {"No available memory (MPOL_BIND)", KMSG_SCOPE_MEMORY_POLICY},
};

/* The text starts with "<reason>: <verb>" (or with "<verb>" alone when
 * bare): returns where verb ends and sets r->scope; NULL if not. */
static const char *after_reason(struct kmsg_record *r, const char *text,
                                const char *end, const char *verb, bool bare) {
  const char *p = text;

  r->scope = KMSG_SCOPE_UNKNOWN;
  if (bare && take(&p, end, verb))
    return p;
  for (size_t i = 0; i < ARRAY_SIZE(reasons); i++) {
    p = text;
    if (take(&p, end, reasons[i].reason) && take(&p, end, ": ") &&
        take(&p, end, verb)) {
      r->scope = reasons[i].scope;
      return p;
    }
  }
  return NULL;
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
  for (size_t i = 0; i < ARRAY_SIZE(constraints); i++)
    if (key_is(s, e, constraints[i].name))
      return constraints[i].scope;
  return KMSG_SCOPE_OTHER;
}

/* --- the messages -----------------------------------------------------------
 * Each returns 0 when the text does not start like its message, 1 when it
 * read the whole message, -1 when the text starts like it but a field
 * cannot be read. */

/* A "key=value" of the invoked line, read to its end (vend) or refused. */
static bool invoked_field(struct kmsg_record *r, const char *key,
                          const char *eq, const char *vend) {
  const char *v = eq + 1;
  int64_t order;

  if (key_is(key, eq, "gfp_mask")) {
    if (!parse_hex(&v, vend, &r->gfp_mask))
      return false;
    r->has |= KMSG_HAS_GFP;
    parse_gfp_flags(r, &v, vend);
  } else if (key_is(key, eq, "order")) {
    if (!parse_i64(&v, vend, &order) || order < -1 || order > KMSG_ORDER_MAX)
      return false;
    r->order = (int)order;
    r->has |= KMSG_HAS_ORDER;
  } else if (key_is(key, eq, "oom_score_adj")) {
    /* oom_adj= and oomkilladj= (-17..15) are another scale: not kept. */
    if (!parse_i64(&v, vend, &r->oom_score_adj))
      return false;
    r->has |= KMSG_HAS_OOM_SCORE_ADJ;
  } else {
    return true; /* nodemask=, oom_adj=, oomkilladj=, and newer keys */
  }
  return v == vend;
}

/* "%s invoked oom-killer: gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd"
 * (mm/oom_kill.c dump_header()). The command comes first: it runs to the
 * first " invoked oom-killer:", which is longer than any command. */
static int parse_invoked(struct kmsg_record *r, const char *text,
                         const char *end) {
  static const char anchor[] = " invoked oom-killer:";
  const char *m = find(text, end, anchor);

  if (m == NULL)
    return 0;
  if (!set_comm(r, text, m))
    return -1;
  const char *p = m + LIT_LEN(anchor);
  take(&p, end, " ");
  while (p < end) {
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq == NULL)
      return -1;
    /* ", " parts fields; a nodemask list has bare commas ("0-1,3"). */
    const char *vend = find(eq + 1, end, ", ");
    if (vend == NULL)
      vend = end;
    if (!invoked_field(r, p, eq, vend))
      return -1;
    p = vend < end ? vend + 2 : end;
  }
  return (r->has & KMSG_HAS_GFP) && (r->has & KMSG_HAS_ORDER) ? 1 : -1;
}

/* The command of a task line runs from after "Comm: " to print_tainted()'s
 * "Not tainted" or "Tainted: ", the last one of the line: what follows it
 * (the release, the version up to its first blank) holds neither, the
 * command may. 6.x puts "Kdump: loaded " between the two. Returns 0 when
 * the line has no taint (2.6 arm's show_regs() prints "Pid: %d, comm:
 * %20s" alone: not the stack dump's line), -1 when the command is empty
 * or too long. */
static int parse_task_comm(struct kmsg_record *r, const char *p,
                           const char *end) {
  const char *n = find_last(p, end, " Not tainted");
  const char *t = find_last(p, end, " Tainted: ");
  const char *e = n != NULL && (t == NULL || n > t) ? n : t;

  if (e == NULL)
    return 0;
  if (ends_with(p, e, " Kdump: loaded"))
    e -= LIT_LEN(" Kdump: loaded");
  return set_comm(r, p, e) ? 1 : -1;
}

/* "CPU: %d [UID: %u ]PID: %d Comm: %.20s ..." (lib/dump_stack.c, 3.x+)
 * "Pid: %d, comm: %.20s ..." (2.6.x) */
static int parse_task(struct kmsg_record *r, const char *text,
                      const char *end) {
  const char *p = text;
  uint64_t v;

  if (take(&p, end, "CPU: ")) {
    if (!parse_u64(&p, end, &v))
      return 0; /* "CPU: Physical Processor ID: 0" and other boot lines */
    if (take(&p, end, " UID: ") && !parse_u64(&p, end, &v))
      return -1;
    if (!take(&p, end, " PID: "))
      return 0;
    if (!parse_u64(&p, end, &r->pid) || !take(&p, end, " Comm: "))
      return -1;
  } else if (take(&p, end, "Pid: ")) {
    if (!parse_u64(&p, end, &r->pid) || !take(&p, end, ", comm: "))
      return -1;
  } else {
    return 0;
  }
  int rc = parse_task_comm(r, p, end);
  if (rc > 0)
    r->has |= KMSG_HAS_PID;
  return rc;
}

/* Bytes of the command [s, e) as the task holds it: a record's "\xNN" is
 * one. */
static size_t comm_bytes(const struct kmsg_record *r, const char *s,
                         const char *e) {
  size_t n = 0;
  for (const char *p = s; p < e; n++)
    p += r->escaped && e - p >= 4 && p[0] == '\\' && p[1] == 'x' ? 4 : 1;
  return n;
}

/* The command of the summary line runs from a ",task=" to the last ",pid=".
 * A command may hold ",task=" (6 of its 15 bytes); a cgroup path before it
 * may end in ",task=x" too. The first ",task=" that leaves a command the
 * kernel can hold (TASK_COMM_LEN) is taken, else the first that fits:
 * where both readings are whole, the command's wins. Returns where its
 * ",task=" starts, NULL when none fits. */
static const char *parse_constraint_comm(struct kmsg_record *r, const char *s,
                                         const char *pid) {
  /* A command that fits starts at most KMSG_COMM_LEN - 1 bytes before
   * pid: no need to look further back (a path may be kilobytes). */
  if (pid - s > (ptrdiff_t)(KMSG_COMM_LEN + LIT_LEN(",task=")))
    s = pid - (KMSG_COMM_LEN + LIT_LEN(",task="));
  for (int pass = 0; pass < 2; pass++)
    for (const char *t = find(s, pid, ",task="); t != NULL;
         t = find(t + 1, pid, ",task=")) {
      const char *c = t + LIT_LEN(",task=");
      if ((pass == 1 || comm_bytes(r, c, pid) < KMSG_TASK_COMM_LEN) &&
          set_comm(r, c, pid))
        return t;
    }
  return NULL;
}

/* The limit's cgroup: ",oom_memcg=" (",origin_memcg=" in 4.19) up to
 * ",task_memcg=" (",kill_memcg="), all before the task. Paths are names
 * anyone may give a cgroup: one that holds these keys is read at their
 * first occurrence, a defined reading if not the only one. */
static void parse_constraint_memcg(struct kmsg_record *r, const char *s,
                                   const char *task) {
  const char *mc = find(s, task, ",oom_memcg=");
  size_t skip = LIT_LEN(",oom_memcg=");

  if (mc == NULL) {
    mc = find(s, task, ",origin_memcg=");
    skip = LIT_LEN(",origin_memcg=");
  }
  if (mc == NULL)
    return;
  const char *v = mc + skip, *e = find(v, task, ",task_memcg=");
  if (e == NULL)
    e = find(v, task, ",kill_memcg=");
  set_memcg(r, v, e != NULL ? e : task);
}

/* "oom-kill:constraint=%s,nodemask=%*pbl[,cpuset=%s,mems_allowed=%*pbl]
 *  ,oom_memcg=%s|,global_oom[,task_memcg=%s],task=%s,pid=%d,uid=%d"
 * (mm/oom_kill.c dump_oom_summary(), 4.19+). The tail is fixed: after the
 * last ",pid=" come the pid, ",uid=" and the uid, nothing else. */
static int parse_constraint(struct kmsg_record *r, const char *text,
                            const char *end) {
  const char *c = text;

  if (!take(&c, end, "oom-kill:constraint="))
    return 0;
  const char *ce = memchr(c, ',', (size_t)(end - c));
  if (ce == NULL || ce == c ||
      !copy_text(r, r->constraint, sizeof(r->constraint), c, ce))
    return -1;
  r->has |= KMSG_HAS_CONSTRAINT;
  r->scope = scope_of_constraint(c, ce);

  const char *pid = find_last(ce, end, ",pid=");
  if (pid == NULL)
    return -1;
  const char *p = pid + LIT_LEN(",pid=");
  if (!parse_u64(&p, end, &r->pid) || !take(&p, end, ",uid=") ||
      !parse_u64(&p, end, &r->uid) || p != end)
    return -1;
  const char *task = parse_constraint_comm(r, ce, pid);
  if (task == NULL)
    return -1;
  r->has |= KMSG_HAS_PID | KMSG_HAS_UID;
  parse_constraint_memcg(r, ce, task);
  return 1;
}

/* "%d (%s)" then what follows the command, which tail() finds: the pid
 * after the fixed words before it, the command from the '(' after the pid
 * to the ')' the tail starts with. Returns the tail, NULL when unreadable. */
static const char *
parse_pid_comm(struct kmsg_record *r, const char *p, const char *end,
               const char *(*tail)(const char *, const char *)) {
  if (!parse_u64(&p, end, &r->pid) || !take(&p, end, " ("))
    return NULL;
  const char *close = tail(p, end);
  if (close == NULL || !set_comm(r, p, close))
    return NULL;
  r->has |= KMSG_HAS_PID;
  return close + 1;
}

/* The ')' that closes the victim's command: the line's last character
 * ("(%s)" and "(%s)." before 2.6.36), else the ')' of the last ") total-vm:"
 * (") vsz:" in 2.6.36-38): the sizes after it hold no ')'. */
static const char *killed_close(const char *p, const char *end) {
  if (ends_with(p, end, ")"))
    return end - 1;
  if (ends_with(p, end, ")."))
    return end - 2;
  const char *t = find_last(p, end, ") total-vm:");
  const char *v = find_last(p, end, ") vsz:");
  return v != NULL && (t == NULL || v > t) ? v : t;
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
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
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

/* "[<reason>: ]Killed process %d (%s) total-vm:%lukB, ..." */
static int parse_killed(struct kmsg_record *r, const char *text,
                        const char *end) {
  const char *p = after_reason(r, text, end, "Killed process ", true);

  if (p == NULL)
    return 0;
  p = parse_pid_comm(r, p, end, killed_close);
  if (p == NULL || !parse_sizes(r, p, end))
    return -1;
  return 1;
}

/* The ')' before the last ") score ": what follows it is the kernel's. */
static const char *select_close(const char *p, const char *end) {
  return find_last(p, end, ") score ");
}

/* "<reason>: Kill process %d (%s) score %u or sacrifice child" (2.6.36-5.x),
 * "<reason>: kill process %d (%s) score %li or a child" (2.6.2x),
 * "Out of Memory: Kill process %d (%s) score %li and children." (2.6.18).
 * "Kill process %d (%s) sharing same memory", with no reason before it, is
 * about another task signalled with the victim: not a choice. */
static int parse_select(struct kmsg_record *r, const char *text,
                        const char *end) {
  const char *p = after_reason(r, text, end, "Kill process ", false);

  if (p == NULL)
    p = after_reason(r, text, end, "kill process ", false);
  if (p == NULL)
    return 0;
  p = parse_pid_comm(r, p, end, select_close);
  if (p == NULL || !take(&p, end, " score ") || !parse_u64(&p, end, &r->score))
    return -1;
  r->has |= KMSG_HAS_SCORE;
  return 1;
}

/* "memory: usage %llukB, limit %llukB, failcnt %lu" */
static int parse_memcg_usage(struct kmsg_record *r, const char *text,
                             const char *end) {
  const char *p = text;

  if (!take(&p, end, "memory: usage "))
    return 0;
  if (!parse_u64(&p, end, &r->memcg_usage_kb) ||
      !parse_literal(&p, end, "kB, limit") ||
      !parse_u64(&p, end, &r->memcg_limit_kb) || !parse_literal(&p, end, "kB"))
    return -1;
  r->has |= KMSG_HAS_MEMCG_USAGE;
  return 1;
}

/* The limit's path is the task's or an ancestor of it (the victim is
 * chosen among the tasks of the limit's cgroup and its children), so the
 * task's path starts with it. */
static bool path_within(const char *task, const char *task_end,
                        const char *limit, const char *limit_end) {
  size_t n = (size_t)(limit_end - limit), tn = (size_t)(task_end - task);
  if (n > tn || memcmp(task, limit, n) != 0)
    return false;
  return n == tn || (n > 0 && limit[n - 1] == '/') || task[n] == '/';
}

/* "Task in %s killed as a result of limit of %s" (mm/memcontrol.c
 * mem_cgroup_print_oom_info(), before 4.19). Both are paths anyone may
 * name: the separator is the last one where the task's path lies within
 * the limit's, else the last. Only the last KMSG_TASK_IN_TRIES are tried,
 * so that a line full of separators costs no more than a few passes. */
static int parse_task_in(struct kmsg_record *r, const char *text,
                         const char *end) {
  static const char sep[] = " killed as a result of limit of ";
  const char *seen[KMSG_TASK_IN_TRIES];
  size_t nr = 0;
  const char *task = text;

  if (!take(&task, end, "Task in "))
    return 0;
  for (const char *c = find(task, end, sep); c != NULL;
       c = find(c + 1, end, sep))
    seen[nr++ % KMSG_TASK_IN_TRIES] = c;
  if (nr == 0)
    return -1;
  const char *m = seen[(nr - 1) % KMSG_TASK_IN_TRIES];
  for (size_t i = 0; i < nr && i < KMSG_TASK_IN_TRIES; i++) {
    const char *c = seen[(nr - 1 - i) % KMSG_TASK_IN_TRIES];
    if (path_within(task, c, c + LIT_LEN(sep), end)) {
      m = c;
      break;
    }
  }
  set_memcg(r, m + LIT_LEN(sep), end);
  return r->has & KMSG_HAS_MEMCG ? 1 : -1;
}

/* "%s: page allocation failure: order:%u, mode:%#x(%pGg), nodemask=..."
 * (mm/page_alloc.c warn_alloc(); "failure. order:%d, mode:0x%x" before
 * 2.6.39). The command comes first, up to the first ": page allocation
 * failure", which is longer than any command. */
static int parse_alloc_failure(struct kmsg_record *r, const char *text,
                               const char *end) {
  static const char anchor[] = ": page allocation failure";
  const char *m = find(text, end, anchor);
  uint64_t order;

  if (m == NULL)
    return 0;
  const char *p = m + LIT_LEN(anchor);
  if (!set_comm(r, text, m) || !(take(&p, end, ": ") || take(&p, end, ". ")))
    return -1;
  if (!take(&p, end, "order:") || !parse_u64(&p, end, &order) ||
      order > KMSG_ORDER_MAX || !take(&p, end, ", mode:") ||
      !parse_hex(&p, end, &r->gfp_mask))
    return -1;
  r->order = (int)order;
  r->has |= KMSG_HAS_ORDER | KMSG_HAS_GFP;
  parse_gfp_flags(r, &p, end);
  return 1;
}

/* --- records and lines --------------------------------------------------*/

static void reset_message(struct kmsg_record *r) {
  memset(&r->kind, 0, sizeof(*r) - offsetof(struct kmsg_record, kind));
  r->has &= KMSG_HAS_SEQ | KMSG_HAS_TIME | KMSG_HAS_LEVEL;
}

static void reset_framing(struct kmsg_record *r) {
  r->has = 0;
  r->level = 0;
  r->facility = KMSG_FACILITY_KERN;
  r->escaped = false;
  r->seq = 0;
  r->ts_usec = 0;
  r->text = NULL;
  r->text_len = 0;
}

void kmsg_parse_text(struct kmsg_record *r, const char *text, size_t len) {
  /* Messages that start with a fixed word first, those that start with a
   * command last: a command may spell a fixed word ("Killed process"),
   * and the first whole reading wins. */
  static const struct {
    enum kmsg_kind kind;
    int (*parse)(struct kmsg_record *, const char *, const char *);
  } parsers[] = {
      {KMSG_TASK, parse_task},
      {KMSG_OOM_CONSTRAINT, parse_constraint},
      {KMSG_OOM_KILLED, parse_killed},
      {KMSG_OOM_SELECT, parse_select},
      {KMSG_MEMCG_USAGE, parse_memcg_usage},
      {KMSG_MEMCG_TASK_IN, parse_task_in},
      {KMSG_OOM_INVOKED, parse_invoked},
      {KMSG_ALLOC_FAILURE, parse_alloc_failure},
  };
  const char *end = text + len;
  bool looked_like = false;

  reset_message(r);
  trim_end(text, &end);
  r->text = text;
  r->text_len = (size_t)(end - text);
  for (size_t i = 0; i < ARRAY_SIZE(parsers); i++) {
    int rc = parsers[i].parse(r, text, end);
    if (rc > 0) {
      r->kind = parsers[i].kind;
      return;
    }
    looked_like |= rc < 0;
    /* A parser may have filled fields before it gave up. */
    reset_message(r);
  }
  r->malformed = looked_like;
}

int kmsg_parse_record(struct kmsg_record *r, const char *buf, size_t len) {
  const char *p = buf, *end = buf + len;
  const char *eol = parse_line_end(p, end);
  uint64_t prio, seq, ts;

  reset_framing(r);
  reset_message(r);
  if (!parse_u64(&p, eol, &prio) || !take(&p, eol, ",") ||
      !parse_u64(&p, eol, &seq) || !take(&p, eol, ",") ||
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
  r->facility = prio >> 3;
  r->seq = seq;
  r->ts_usec = ts;
  r->escaped = true;
  r->has = KMSG_HAS_SEQ | KMSG_HAS_TIME | KMSG_HAS_LEVEL;
  r->text = semi + 1;
  r->text_len = (size_t)(eol - semi - 1);
  if (r->facility != KMSG_FACILITY_KERN)
    return -ENOENT; /* a process's words */
  kmsg_parse_text(r, semi + 1, (size_t)(eol - semi - 1));
  return 0;
}

/* "[ 1234.567890]" at p: seconds and microseconds since boot. */
static bool parse_printk_time(const char **p, const char *end, uint64_t *usec) {
  const char *s = *p;
  uint64_t sec, frac = 0;
  int digits = 0;

  if (!take(&s, end, "[") || !parse_u64(&s, end, &sec) || !take(&s, end, "."))
    return false;
  while (s < end && is_digit(*s)) {
    if (digits < 6) {
      frac = frac * 10 + (uint64_t)(*s - '0');
      digits++;
    }
    s++;
  }
  if (digits == 0 || !take(&s, end, "]") ||
      sec > (UINT64_MAX - 999999) / 1000000)
    return false;
  for (; digits < 6; digits++)
    frac *= 10;
  *usec = sec * 1000000 + frac;
  *p = s;
  return true;
}

/* "[  T123]" or "[C1]" after the time (CONFIG_PRINTK_CALLER). */
static void skip_printk_caller(const char **p, const char *end) {
  const char *s = *p;
  uint64_t id;

  if (take(&s, end, "[")) {
    parse_skip_blanks(&s, end);
    if ((take(&s, end, "T") || take(&s, end, "C")) && parse_u64(&s, end, &id) &&
        take(&s, end, "]"))
      *p = s;
  }
}

/* "Sep 10 01:07:31" or "Sep  1 01:07:31" (RFC 3164, rsyslog's traditional
 * file format; "Sep 01" too), a fraction of a second allowed. */
static bool take_bsd_time(const char **p, const char *end) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char *s = *p;
  bool month = false;

  for (size_t i = 0; i + 3 <= LIT_LEN(months) && !month; i += 3)
    month = (size_t)(end - s) >= 3 && memcmp(s, months + i, 3) == 0;
  if (!month)
    return false;
  s += 3;
  if (!take(&s, end, " ") ||
      !(take_digits(&s, end, 2) ||
        (take(&s, end, " ") && take_digits(&s, end, 1))) ||
      !take(&s, end, " ") || !take_digits(&s, end, 2) || !take(&s, end, ":") ||
      !take_digits(&s, end, 2) || !take(&s, end, ":") ||
      !take_digits(&s, end, 2))
    return false;
  if (take(&s, end, "."))
    while (s < end && is_digit(*s))
      s++;
  *p = s;
  return true;
}

/* "2024-05-01T10:00:00.123456+00:00" or "...Z" (RFC 3339, rsyslog's
 * RSYSLOG_FileFormat). */
static bool take_rfc3339_time(const char **p, const char *end) {
  const char *s = *p;

  if (!take_digits(&s, end, 4) || !take(&s, end, "-") ||
      !take_digits(&s, end, 2) || !take(&s, end, "-") ||
      !take_digits(&s, end, 2) || !take(&s, end, "T") ||
      !take_digits(&s, end, 2) || !take(&s, end, ":") ||
      !take_digits(&s, end, 2) || !take(&s, end, ":") ||
      !take_digits(&s, end, 2))
    return false;
  if (take(&s, end, "."))
    while (s < end && is_digit(*s))
      s++;
  if (!take(&s, end, "Z")) {
    if (!(take(&s, end, "+") || take(&s, end, "-")) ||
        !take_digits(&s, end, 2) || !take(&s, end, ":") ||
        !take_digits(&s, end, 2))
      return false;
  }
  *p = s;
  return true;
}

/* "<time> <host> kernel: " at the start of the line: returns where the
 * message starts, NULL when the line is not the kernel's. The host is
 * one word of printable ASCII. */
static const char *after_syslog_header(const char *buf, const char *end) {
  const char *p = buf;

  if (!take_bsd_time(&p, end) && !take_rfc3339_time(&p, end))
    return NULL;
  if (!take(&p, end, " "))
    return NULL;
  const char *host = p;
  while (p < end && p - host<KMSG_HOST_MAX && * p> ' ' && *p < 0x7f)
    p++;
  if (p == host || !take(&p, end, " ") || !take(&p, end, "kernel:"))
    return NULL;
  if (p < end && !take(&p, end, " "))
    return NULL; /* "kernel:x": not the tag */
  return p;
}

int kmsg_parse_line(struct kmsg_record *r, const char *buf, size_t len) {
  const char *end = parse_line_end(buf, buf + len);
  const char *p = after_syslog_header(buf, end);
  uint64_t usec;

  reset_framing(r);
  reset_message(r);
  if (p == NULL)
    p = buf; /* saved dmesg output: the timestamp is the whole header */
  if (parse_printk_time(&p, end, &usec)) {
    r->ts_usec = usec;
    r->has |= KMSG_HAS_TIME;
    skip_printk_caller(&p, end);
    take(&p, end, " ");
  } else if (p == buf) {
    r->text = buf;
    r->text_len = (size_t)(end - buf);
    return -ENOENT;
  }
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
