#include "events.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../window/types.h"

/* A kernel timestamp further than this from now is not trusted (a log
 * file from another boot, a clock that jumped): the time it was read
 * stands instead. */
#define KERNEL_TIME_SLACK 600.0

int events_init(struct events *ev, const struct events_config *c) {
  memset(ev, 0, sizeof(*ev));
  ev->log.fd = -1;
  ev->config = *c;
  ev->config.zones = NULL;
  ev->config.nr_zones = 0;
  ev->config.kernel_log = NULL;
  ev->oom_kill_counter = -1;
  oom_init(&ev->oom);
  if (c->kernel_log) {
    ev->config.kernel_log = strdup(c->kernel_log);
    if (ev->config.kernel_log == NULL)
      return -ENOMEM;
  }
  struct watermark_config wc = {
      .persistence = c->persistence,
      .sample_interval = c->sample_interval,
      .check = c->check,
      .nr_orders = c->nr_orders,
      .zones = c->zones,
      .nr_zones = c->nr_zones,
      .page_size = c->page_size,
  };
  memcpy(wc.orders, c->orders, sizeof(wc.orders));
  int err = watermark_init(&ev->wm, &wc);
  if (err != 0)
    events_destroy(ev); /* what was made so far, and ev zeroed */
  return err;
}

void events_destroy(struct events *ev) {
  watermark_destroy(&ev->wm);
  kernlog_close(&ev->log);
  free((char *)ev->config.kernel_log);
  memset(ev, 0, sizeof(*ev));
  ev->log.fd = -1; /* a second destroy must not close fd 0 */
}

/* --- reading the kernel's word ---------------------------------------------*/

struct feed_arg {
  struct events *ev;
  double mono;
};

static void feed_one(void *arg, const struct kmsg_record *r) {
  struct feed_arg *a = arg;
  oom_feed(&a->ev->oom, r, a->mono);
}

void events_feed(struct events *ev, const struct kmsg_record *r, double mono) {
  oom_feed(&ev->oom, r, mono);
}

static void read_log(struct events *ev, double mono) {
  if (ev->config.kernel_log == NULL)
    return;
  if (ev->log.mode == KERNLOG_OFF) {
    if (mono < ev->log_next_try)
      return;
    ev->log_next_try = mono + EVENTS_LOG_RETRY_SECONDS;
    if (ev->log.path)
      kernlog_close(&ev->log);
    int err = kernlog_open(&ev->log, ev->config.kernel_log);
    ev->log_err = err;
    if (err) {
      kernlog_close(&ev->log);
      return;
    }
  }
  struct feed_arg arg = {ev, mono};
  int rc = kernlog_read(&ev->log, EVENTS_RECORDS_PER_SAMPLE, feed_one, &arg);
  ev->log_err = rc < 0 ? rc : 0;
}

/* vmstat's oom_kill (4.13+), from the view's counters. */
static void read_counter(struct events *ev, const struct view *v,
                         double mono) {
  if (!ev->vm_built || ev->vm_gen != v->vm_generation) {
    ev->oom_kill_counter = view_counter(v, "oom_kill");
    ev->vm_gen = v->vm_generation;
    ev->vm_built = true;
  }
  int i = ev->oom_kill_counter;
  bool has = i >= 0 && (size_t)i < v->nr_vm;
  oom_counter(&ev->oom, has, has ? v->vm[i].value : 0, mono);
}

/* --- telling it
 * --------------------------------------------------------------*/

/* A message built from parts, cut at the end of its buffer. */
struct line {
  char *buf;
  size_t cap, len;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l,
                                                      const char *fmt, ...) {
  if (l->len + 1 >= l->cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
  va_end(ap);
  if (n > 0)
    l->len = l->len + (size_t)n < l->cap ? l->len + (size_t)n : l->cap - 1;
}

static double to_epoch(bool has_kernel_time, uint64_t kernel_usec, double seen,
                       double mono, double real) {
  if (has_kernel_time) {
    double ago = mono - (double)kernel_usec / 1e6;
    if (ago >= -1 && ago <= KERNEL_TIME_SLACK)
      return real - (ago > 0 ? ago : 0);
  }
  return real - (mono - seen);
}

static void bytes(char *buf, size_t cap, double b) {
  event_format_bytes(buf, cap, b);
}

/* A name from the kernel log (a command, a cgroup, a constraint) in a
 * message. Anyone may name a process "x) y (pid 1)" or "a; killed b":
 * such a name is put in quotes, its quotes and parentheses written \xNN
 * as the log writes the bytes it escapes, so that it cannot pass for the
 * message's own words. */
static void add_name(struct line *l, const char *name) {
  char buf[4 * KMSG_PATH_LEN + 3];
  size_t n = 0;

  if (event_name_is_plain(name)) {
    add(l, "%s", name);
    return;
  }
  buf[n++] = '"';
  for (const char *s = name; *s && n + 6 < sizeof(buf); s++)
    if (*s == '"' || *s == '(' || *s == ')')
      n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\x%02x",
                            (unsigned char)*s);
    else
      buf[n++] = *s;
  buf[n++] = '"';
  buf[n] = '\0';
  add(l, "%s", buf);
}

/* "; tightest zone node0-Normal: free 5.2 MiB, min 3.9 MiB, order-1
 *  headroom -1.8 MiB, slab 661 MiB", and its meta data. */
static void tell_zone(struct events *ev, const struct sample *s,
                      const struct view *v, unsigned order, struct event *e,
                      struct line *l, bool in_message) {
  int64_t pages;
  const struct zone_view *z = view_tightest(v, order, &pages);

  if (z == NULL)
    return;
  const uint64_t page = ev->config.page_size;
  const int64_t headroom = event_pages_bytes(pages, page);
  /* The zone's own slab on kernels before 4.8, else the system's. */
  bool has_slab = z->has_slab || ((s->ok & (1u << SOURCE_MEMINFO)) &&
                                  meminfo_has(&s->meminfo, MEMINFO_SLAB));
  uint64_t slab = z->has_slab ? event_upages_bytes(z->slab, page)
                  : has_slab  ? s->meminfo.value[MEMINFO_SLAB]
                              : 0;
  char f[24], m[24], h[24], sl[24];
  bytes(f, sizeof(f), (double)event_upages_bytes(z->info->free, page));
  bytes(m, sizeof(m), (double)event_upages_bytes(z->info->min, page));
  bytes(h, sizeof(h), (double)headroom);
  bytes(sl, sizeof(sl), (double)slab);
  if (in_message) {
    add(l, "; tightest zone %s: free %s, min %s, order-%u headroom %s",
        z->label, f, m, order, h);
    if (has_slab)
      add(l, ", %s %s", z->has_slab ? "slab" : "slab (all zones)", sl);
  }
  event_meta_string(e, "zone", z->label);
  event_meta_uint(e, "zone_free_bytes", event_upages_bytes(z->info->free, page));
  event_meta_uint(e, "zone_min_bytes", event_upages_bytes(z->info->min, page));
  event_meta_uint(e, "zone_low_bytes", event_upages_bytes(z->info->low, page));
  event_meta_int(e, "zone_headroom_bytes", headroom);
  event_meta_uint(e, "zone_headroom_order", order);
  if (has_slab) {
    event_meta_uint(e, "slab_bytes", slab);
    event_meta_string(e, "slab_of", z->has_slab ? "zone" : "system");
  }
}

static uint64_t rss_kb(const struct oom_kill *k) {
  return event_add_sat(event_add_sat(k->anon_rss_kb, k->file_rss_kb),
                       k->shmem_rss_kb);
}

static void kill_meta(struct event *e, const struct oom_kill *k) {
  char hex[24];

  event_meta_string(e, "scope", kmsg_scope_name(k->scope));
  if (k->constraint[0])
    event_meta_string(e, "constraint", k->constraint);
  if (k->memcg[0])
    event_meta_string(e, "memcg", k->memcg);
  if (k->has_memcg_usage) {
    event_meta_uint(e, "memcg_usage_bytes", event_kib_bytes(k->memcg_usage_kb));
    event_meta_uint(e, "memcg_limit_bytes", event_kib_bytes(k->memcg_limit_kb));
  }
  if (k->has_invoker)
    event_meta_string(e, "invoker_comm", k->invoker);
  if (k->has_invoker_pid)
    event_meta_uint(e, "invoker_pid", k->invoker_pid);
  if (k->invoker_has & KMSG_HAS_GFP) {
    snprintf(hex, sizeof(hex), "%#" PRIx64, k->gfp_mask);
    event_meta_string(e, "gfp_mask", hex);
  }
  if (k->invoker_has & KMSG_HAS_GFP_FLAGS)
    event_meta_string(e, "gfp_flags", k->gfp_flags);
  if (k->invoker_has & KMSG_HAS_ORDER)
    event_meta_int(e, "order", k->order);
  if (k->has_victim) {
    event_meta_string(e, "victim_comm", k->victim);
    if (k->victim_has & KMSG_HAS_PID)
      event_meta_uint(e, "victim_pid", k->victim_pid);
    if (k->victim_has & KMSG_HAS_UID)
      event_meta_uint(e, "victim_uid", k->uid);
    if (k->victim_has & KMSG_HAS_SCORE)
      event_meta_uint(e, "victim_score", k->score);
    if (k->victim_has & KMSG_HAS_TOTAL_VM)
      event_meta_uint(e, "victim_total_vm_bytes",
                      event_kib_bytes(k->total_vm_kb));
    if (k->victim_has & KMSG_HAS_ANON_RSS)
      event_meta_uint(e, "victim_anon_rss_bytes",
                      event_kib_bytes(k->anon_rss_kb));
    if (k->victim_has & KMSG_HAS_FILE_RSS)
      event_meta_uint(e, "victim_file_rss_bytes",
                      event_kib_bytes(k->file_rss_kb));
    if (k->victim_has & KMSG_HAS_SHMEM_RSS)
      event_meta_uint(e, "victim_shmem_rss_bytes",
                      event_kib_bytes(k->shmem_rss_kb));
    if (k->victim_has & KMSG_HAS_PGTABLES)
      event_meta_uint(e, "victim_pgtables_bytes",
                      event_kib_bytes(k->pgtables_kb));
    if (k->victim_has & KMSG_HAS_OOM_SCORE_ADJ)
      event_meta_int(e, "victim_oom_score_adj", k->victim_oom_score_adj);
  }
  if (k->counted_only)
    event_meta_uint(e, "counted_kills", k->counted_only);
  if (k->has_kernel_time)
    event_meta_double(e, "kernel_time", (double)k->kernel_usec / 1e6);
}

/* "OOM kill in cgroup /a (usage 32 MiB of 32 MiB)" / "OOM kill (cpuset)" */
static void kill_scope(struct line *l, const struct oom_kill *k) {
  char u[24], lim[24];

  add(l, "OOM kill");
  switch (k->scope) {
  case KMSG_SCOPE_MEMCG:
    add(l, " in cgroup ");
    if (k->memcg[0])
      add_name(l, k->memcg);
    else
      add(l, "(unnamed)");
    if (k->has_memcg_usage) {
      bytes(u, sizeof(u), (double)event_kib_bytes(k->memcg_usage_kb));
      bytes(lim, sizeof(lim), (double)event_kib_bytes(k->memcg_limit_kb));
      add(l, " (usage %s of %s)", u, lim);
    }
    break;
  case KMSG_SCOPE_CPUSET:
  case KMSG_SCOPE_MEMORY_POLICY:
  case KMSG_SCOPE_OTHER:
    add(l, " (");
    add_name(l, k->constraint[0] ? k->constraint : kmsg_scope_name(k->scope));
    add(l, ")");
    break;
  case KMSG_SCOPE_GLOBAL:
  case KMSG_SCOPE_UNKNOWN:
    break;
  }
  add(l, ":");
}

/* " apache2 (pid 31143) asked for order-1 (gfp 0xd0);" */
static void kill_invoker(struct line *l, const struct oom_kill *k) {
  if (!k->has_invoker)
    return;
  add(l, " ");
  add_name(l, k->invoker);
  if (k->has_invoker_pid)
    add(l, " (pid %" PRIu64 ")", k->invoker_pid);
  if ((k->invoker_has & KMSG_HAS_ORDER) && k->order < 0)
    add(l, " forced it (sysrq)");
  else if (k->invoker_has & KMSG_HAS_ORDER)
    add(l, " asked for order-%d", k->order);
  if (k->invoker_has & KMSG_HAS_GFP)
    add(l, " (gfp %#" PRIx64 ")", k->gfp_mask);
  add(l, ";");
}

static void tell_kill(struct events *ev, const struct sample *s,
                      const struct view *v,
                      const struct oom_kill *k, double mono, double real) {
  char line_buf[EVENT_MESSAGE_LEN];
  struct line l = {line_buf, sizeof(line_buf), 0};
  bool killed = k->has_victim && !k->closed_early;
  enum event_severity sev =
      killed || k->counted_only || k->counted ? EVENT_FAILURE : EVENT_WARNING;
  double when =
      to_epoch(k->has_kernel_time, k->kernel_usec, k->seen, mono, real);
  unsigned order = (k->invoker_has & KMSG_HAS_ORDER) && k->order > 0
                       ? (unsigned)k->order
                       : 0;
  struct event *e = event_list_add(&ev->out, EVENT_OOM_KILL, sev, when, "oom",
                                   TYPE_VMPAGE_ACTION, "oom_kill");
  if (e == NULL)
    return;
  line_buf[0] = '\0';
  if (k->counted_only) {
    add(&l,
        "OOM kill counted by the kernel (vmstat oom_kill +%u) with no "
        "report read from the kernel log",
        k->counted_only);
  } else {
    kill_scope(&l, k);
    kill_invoker(&l, k);
    if (k->has_victim) {
      add(&l, " %s ", killed ? "killed" : "chose");
      add_name(&l, k->victim);
      char rss[24];
      bytes(rss, sizeof(rss), (double)event_kib_bytes(rss_kb(k)));
      if ((k->victim_has & KMSG_HAS_PID) &&
          (k->victim_has & (KMSG_HAS_ANON_RSS | KMSG_HAS_FILE_RSS)))
        add(&l, " (pid %" PRIu64 ", rss %s)", k->victim_pid, rss);
      else if (k->victim_has & KMSG_HAS_PID)
        add(&l, " (pid %" PRIu64 ")", k->victim_pid);
    }
    if (k->closed_early)
      add(&l, " no kill reported within %.0f s%s", OOM_ASSEMBLY_SECONDS,
          k->counted ? " (the kernel counted one)" : "");
  }
  /* A cgroup's OOM is about its limit, not the zones: those go to the
   * meta data only. */
  tell_zone(ev, s, v, order, e, &l, k->scope != KMSG_SCOPE_MEMCG);
  snprintf(e->message, sizeof(e->message), "%s", line_buf);
  kill_meta(e, k);
  ev->kills++;
}

static void tell_failure(struct events *ev, const struct sample *s,
                         const struct view *v,
                         const struct alloc_failure *f, double mono,
                         double real) {
  char line_buf[EVENT_MESSAGE_LEN], ti[32], size[24], hex[24];
  struct line l = {line_buf, sizeof(line_buf), 0};

  snprintf(ti, sizeof(ti), "alloc_failure_order%u", f->order);
  struct event *e = event_list_add(
      &ev->out, EVENT_ALLOC_FAILURE, EVENT_WARNING,
      to_epoch(f->has_kernel_time, f->kernel_usec, f->seen, mono, real),
      "allocation", TYPE_VMPAGE_ACTION, ti);
  if (e == NULL)
    return;
  line_buf[0] = '\0';
  bytes(size, sizeof(size),
        (double)event_order_bytes(f->order, ev->config.page_size));
  add(&l, "page allocation failure: ");
  add_name(&l, f->comm);
  if (f->has_pid)
    add(&l, " (pid %" PRIu64 ")", f->pid);
  add(&l, " could not get order-%u (%s, gfp %#" PRIx64 ")", f->order, size,
      f->gfp_mask);
  tell_zone(ev, s, v, f->order, e, &l, true);
  snprintf(e->message, sizeof(e->message), "%s", line_buf);
  event_meta_string(e, "comm", f->comm);
  if (f->has_pid)
    event_meta_uint(e, "pid", f->pid);
  event_meta_uint(e, "order", f->order);
  snprintf(hex, sizeof(hex), "%#" PRIx64, f->gfp_mask);
  event_meta_string(e, "gfp_mask", hex);
  if (f->has_gfp_flags)
    event_meta_string(e, "gfp_flags", f->gfp_flags);
  if (f->has_kernel_time)
    event_meta_double(e, "kernel_time", (double)f->kernel_usec / 1e6);
  ev->failures++;
}

void events_step(struct events *ev, const struct sample *s,
                 const struct view *v, double mono, double real) {
  ev->out.nr = 0;
  if (ev->config.headroom)
    watermark_step(&ev->wm, v, real, &ev->out);
  read_log(ev, mono);
  if (s->ok & (1u << SOURCE_VMSTAT))
    read_counter(ev, v, mono);
  else
    oom_counter(&ev->oom, false, 0, mono);
  oom_tick(&ev->oom, mono);
  for (size_t i = 0; i < ev->oom.nr_kills; i++)
    tell_kill(ev, s, v, &ev->oom.kills[i], mono, real);
  for (size_t i = 0; i < ev->oom.nr_failures; i++)
    tell_failure(ev, s, v, &ev->oom.failures[i], mono, real);
  oom_clear(&ev->oom);
}
