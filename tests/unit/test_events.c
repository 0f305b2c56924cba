/* The events: the watermark state machine and its persistence, OOM
 * assembly from the kernel log fixtures (tests/fixtures/kmsg), the
 * oom_kill counter, following a log file, the
 * messages over the incident's fixture tree, NotifyZone's names, and what
 * hostile kernel logs (tests/fixtures/kmsg/hostile) make of the messages.
 *
 * Headroom numbers are worked out by hand from
 * tests/fixtures/incident-2.6.39-i686/proc (zoneinfo, buddyinfo) with the
 * 2.6.39 check (free - (2^k + 1) - (mark + reserve), lower orders
 * subtracted with the mark halved), as README "Reading the headroom":
 *   Normal  free 1344, min 1001, low 1251, reserve 0, order-0 blocks 1310
 *     order 0: min 1342 - 1001 = 341, low 1342 - 1251 = 91       -> OKAY
 *     order 1: min 1341 - 1001 = 340, then 1341 - 1310 - 500 = -469
 *                                                               -> FAILURE
 *   DMA     free 727, min 22, low 27, reserve 702 (its protection[Normal])
 *     order 0: min 725 - 724 = 1, low 725 - 729 = -4            -> WARNING
 *     order 1: min 724 - 724 = 0                                -> FAILURE
 *   HighMem free 37304, min 128: far above                      -> OKAY */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "events/events.h"
#include "events/fields.h"
#include "events/oom.h"
#include "events/watermark.h"
#include "fixture.h"
#include "sample/sampler.h"
#include "sources/kmsg.h"
#include "window/series.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE 4096
#define INCIDENT "incident-2.6.39-i686"

/* --- the window of a track ------------------------------------------------*/

struct track {
  struct wm_track t;
  uint8_t hist[64];
};

static void track_init(struct track *k) {
  memset(k, 0, sizeof(*k));
  k->t.hist = k->hist;
}

/* Feeds levels; returns the number of state changes; *last the state. */
static unsigned feed(struct track *k, size_t window, const enum wm_level *lv,
                     size_t n) {
  unsigned changes = 0;
  for (size_t i = 0; i < n; i++)
    changes += wm_track_feed(&k->t, window, lv[i]);
  return changes;
}

static void test_persistence(void **state) {
  (void)state;
  struct track k;
  enum wm_level lv[100];

  /* A steady FAILURE: notified once a tenth of the window (5 of 50) saw
   * it. */
  track_init(&k);
  for (size_t i = 0; i < 4; i++)
    assert_false(wm_track_feed(&k.t, 50, WM_FAILURE));
  assert_true(wm_track_feed(&k.t, 50, WM_FAILURE));
  assert_int_equal(k.t.state, WM_FAILURE);
  /* Back to OKAY only when the whole window is clean: 50 samples. */
  for (size_t i = 0; i < 49; i++)
    assert_false(wm_track_feed(&k.t, 50, WM_OKAY));
  assert_true(wm_track_feed(&k.t, 50, WM_OKAY));
  assert_int_equal(k.t.state, WM_OKAY);

  /* A value flapping at every sample for 10 s at 10 Hz: one FAILURE, then
   * one OKAY when it stops. */
  track_init(&k);
  for (size_t i = 0; i < ARRAY_SIZE(lv); i++)
    lv[i] = i % 2 ? WM_OKAY : WM_FAILURE;
  assert_int_equal(feed(&k, 10, lv, ARRAY_SIZE(lv)), 1);
  assert_int_equal(k.t.state, WM_FAILURE);
  for (size_t i = 0; i < 10; i++)
    lv[i] = WM_OKAY;
  assert_int_equal(feed(&k, 10, lv, 10), 1);
  assert_int_equal(k.t.state, WM_OKAY);

  /* Refused in one sample of every ten (the guest's fork wall, blocks
   * formed and taken between samples): FAILURE at the 5th such sample. */
  track_init(&k);
  for (size_t i = 0; i < ARRAY_SIZE(lv); i++)
    lv[i] = i % 10 == 9 ? WM_FAILURE : WM_OKAY;
  assert_int_equal(feed(&k, 50, lv, 49), 0);
  assert_int_equal(feed(&k, 50, lv + 49, 1), 1);
  assert_int_equal(k.t.state, WM_FAILURE);

  /* A blip of fewer samples than a tenth of the window: nothing. */
  track_init(&k);
  for (size_t i = 0; i < 60; i++)
    lv[i] = i == 7 || i == 8 ? WM_FAILURE : WM_OKAY;
  assert_int_equal(feed(&k, 50, lv, 60), 0);

  /* FAILURE easing to WARNING, then OKAY: three changes. */
  track_init(&k);
  for (size_t i = 0; i < 10; i++)
    lv[i] = WM_FAILURE;
  for (size_t i = 10; i < 20; i++)
    lv[i] = WM_WARNING;
  for (size_t i = 20; i < 30; i++)
    lv[i] = WM_OKAY;
  assert_int_equal(feed(&k, 10, lv, 30), 3);
  assert_int_equal(k.t.state, WM_OKAY);

  /* Warnings, then failures: WARNING-or-worse reaches a tenth of the
   * window (5 of 50) first, FAILURE alone at its 5th sample. */
  track_init(&k);
  for (size_t i = 0; i < 5; i++)
    lv[i] = WM_WARNING;
  assert_int_equal(feed(&k, 50, lv, 5), 1);
  assert_int_equal(k.t.state, WM_WARNING);
  for (size_t i = 0; i < 4; i++)
    lv[i] = WM_FAILURE;
  assert_int_equal(feed(&k, 50, lv, 4), 0);
  assert_int_equal(feed(&k, 50, (enum wm_level[]){WM_FAILURE}, 1), 1);
  assert_int_equal(k.t.state, WM_FAILURE);

  /* A window of one sample follows every change. */
  track_init(&k);
  for (size_t i = 0; i < 6; i++)
    lv[i] = i % 2 ? WM_OKAY : WM_WARNING;
  assert_int_equal(feed(&k, 1, lv, 6), 6);
}

/* --- the incident's zones
 * ---------------------------------------------------*/

struct tree {
  struct sampler sampler;
  char proc[4096];
};

static void tree_read_orders(struct tree *t, const char *name,
                             const unsigned *orders, size_t nr_orders) {
  snprintf(t->proc, sizeof(t->proc), "%s/proc", fixture_path(name));
  struct sampler_config sc = {
      .proc_path = t->proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .nr_orders = nr_orders,
      .page_size = PAGE,
  };
  memcpy(sc.orders, orders, nr_orders * sizeof(*orders));
  assert_int_equal(sampler_init(&t->sampler, &sc), 0);
  sampler_read(&t->sampler, 1.0);
}

static void tree_read(struct tree *t, const char *name) {
  static const unsigned orders[] = {0, 1};
  tree_read_orders(t, name, orders, ARRAY_SIZE(orders));
}

static struct watermark_config wm_config(const struct tree *t,
                                         double persistence, char **zones,
                                         size_t nr_zones) {
  struct watermark_config c = {
      .persistence = persistence,
      .sample_interval = 0.1,
      .check = t->sampler.check,
      .orders = {0, 1},
      .nr_orders = 2,
      .zones = zones,
      .nr_zones = nr_zones,
      .page_size = PAGE,
  };
  return c;
}

static const struct event_meta *meta(const struct event *e, const char *key) {
  for (size_t i = 0; i < e->nr_meta; i++)
    if (strcmp(e->meta[i].key, key) == 0)
      return &e->meta[i];
  fail_msg("event has no meta %s (%s)", key, e->message);
  return NULL;
}

static bool has_meta(const struct event *e, const char *key) {
  for (size_t i = 0; i < e->nr_meta; i++)
    if (strcmp(e->meta[i].key, key) == 0)
      return true;
  return false;
}

/* A notification's pair KEY as a reader takes it (events/fields.h): after
 * the last " | ", split at spaces; a quoted value's \xNN decoded. */
static bool text_field(const char *text, const char *key, char *out,
                       size_t cap) {
  const char *p = NULL;
  size_t kl = strlen(key);

  for (const char *s = strstr(text, " | "); s != NULL; s = strstr(s + 1, " | "))
    p = s;
  if (p == NULL)
    return false;
  for (p += 3; *p != '\0';) {
    const char *end = strchr(p, ' ');
    if (end == NULL)
      end = p + strlen(p);
    if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
      const char *v = p + kl + 1;
      size_t n = 0;
      bool quoted = *v == '"';
      if (quoted) {
        assert_true(end - v >= 2 && end[-1] == '"');
        v++;
        end--;
      }
      while (v < end && n + 1 < cap) {
        unsigned x;
        if (quoted && *v == '\\') {
          assert_int_equal(sscanf(v, "\\x%2x", &x), 1);
          out[n++] = (char)x;
          v += 4;
        } else {
          out[n++] = *v++;
        }
      }
      out[n] = '\0';
      return true;
    }
    p = *end != '\0' ? end + 1 : end;
  }
  return false;
}

/* The notification text of e: within collectd's 255 bytes, its pairs
 * exactly want, after the prose or a cut of it. */
static void check_text(const struct event *e, const char *want) {
  char text[EVENT_MESSAGE_LEN];
  size_t len = event_fields_text(e, text, sizeof(text));
  const char *bar = strstr(text, " | ");

  print_message("%s\n", text);
  assert_int_equal(len, strlen(text));
  assert_true(len <= EVENT_MESSAGE_LEN - 1);
  assert_non_null(bar);
  assert_string_equal(bar + 3, want);
  size_t prose = (size_t)(bar - text);
  if (prose == strlen(e->message)) {
    assert_memory_equal(text, e->message, prose);
  } else {
    assert_true(prose >= 3 && memcmp(text + prose - 3, "...", 3) == 0);
    assert_memory_equal(text, e->message, prose - 3);
  }
}

static void test_incident_headroom(void **state) {
  (void)state;
  struct tree t;
  struct watermark w;
  static struct event_list out;

  tree_read(&t, INCIDENT);
  assert_int_equal(t.sampler.check, WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO);
  struct watermark_config c = wm_config(&t, 0, NULL, 0);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.0, &out);

  /* DMA order 0 WARNING, DMA order 1 FAILURE, Normal order 1 FAILURE. */
  assert_int_equal(out.nr, 3);
  const struct {
    const char *pi, *ti;
    enum event_severity sev;
    int64_t h_min, h_low;
  } want[] = {
      {"node0-DMA", "order0", EVENT_WARNING, 1, -4},
      {"node0-DMA", "order1", EVENT_FAILURE, 0, -5},
      {"node0-Normal", "order1", EVENT_FAILURE, -469, -594},
  };
  for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
    const struct event *e = &out.v[i];
    assert_string_equal(e->plugin_instance, want[i].pi);
    assert_string_equal(e->type, "headroom");
    assert_string_equal(e->type_instance, want[i].ti);
    assert_int_equal(e->severity, want[i].sev);
    assert_int_equal(e->kind, EVENT_HEADROOM);
    assert_true(e->time == 1000.0);
    assert_int_equal(meta(e, "headroom_min_bytes")->v.i, want[i].h_min * PAGE);
    assert_int_equal(meta(e, "headroom_low_bytes")->v.i, want[i].h_low * PAGE);
  }
  /* Normal: -469 pages = -1921024 bytes = -1.8 MiB; free 1344 pages =
   * 5.25 MiB; slab (166021 + 2994) pages = 660.2 MiB. */
  assert_string_equal(
      out.v[2].message,
      "node0-Normal order-1 headroom -1.8 MiB at the min watermark: the "
      "kernel refuses 8.0 KiB kernel allocations in this zone (free 5.2 MiB, "
      "min 3.9 MiB, low 4.9 MiB, slab 660 MiB)");
  /* The same figures as pairs: min 1001, low 1251 pages; headroom -594
   * pages at low. */
  check_text(&out.v[2], "order=1 headroom_min_bytes=-1921024 "
                        "headroom_low_bytes=-2433024 free_bytes=5505024 "
                        "min_bytes=4100096 low_bytes=5124096");
  assert_int_equal(meta(&out.v[2], "slab_reclaimable_bytes")->v.u,
                   166021ull * PAGE);
  assert_int_equal(meta(&out.v[2], "reserve_bytes")->v.u, 0);
  assert_int_equal(meta(&out.v[0], "reserve_bytes")->v.u, 702ull * PAGE);

  /* The same sample again: no change, nothing to tell. */
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.1, &out);
  assert_int_equal(out.nr, 0);
  watermark_destroy(&w);

  /* NotifyZone "node0-Normal": that zone alone. */
  char *zones[] = {"node0-Normal"};
  c = wm_config(&t, 0, zones, 1);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.0, &out);
  assert_int_equal(out.nr, 1);
  assert_string_equal(out.v[0].plugin_instance, "node0-Normal");
  watermark_destroy(&w);

  /* Persistence 5 s at 0.1 s (50 samples, a tenth of them 5): the first
   * 4 samples say nothing, the 5th tells the three states. */
  c = wm_config(&t, 5.0, NULL, 0);
  assert_int_equal(watermark_init(&w, &c), 0);
  assert_int_equal(w.window, 50);
  for (int i = 0; i < 4; i++) {
    out.nr = 0;
    watermark_step(&w, &t.sampler.view, 1000.0 + i * 0.1, &out);
    assert_int_equal(out.nr, 0);
  }
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.4, &out);
  assert_int_equal(out.nr, 3);
  watermark_destroy(&w);
  sampler_destroy(&t.sampler);
}

/* This machine: DMA keeps its pages for DMA requests (protection for
 * Normal 4555 pages > its 3840 managed), so it is not watched; DMA32 and
 * Normal are far above their marks. Nothing to tell. */
static void test_live_quiet(void **state) {
  (void)state;
  struct tree t;
  struct watermark w;
  static struct event_list out;

  tree_read(&t, "live-6.18-x86_64");
  struct watermark_config c = wm_config(&t, 0, NULL, 0);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1.0, &out);
  assert_int_equal(out.nr, 0);
  watermark_destroy(&w);

  /* Named, DMA is watched, and its headroom is below zero for good. */
  char *zones[] = {"node0-DMA"};
  c = wm_config(&t, 0, zones, 1);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1.0, &out);
  assert_int_equal(out.nr, 2);
  assert_int_equal(out.v[0].severity, EVENT_FAILURE);
  watermark_destroy(&w);
  sampler_destroy(&t.sampler);
}

/* --- OOM assembly
 * ---------------------------------------------------------------*/

enum framing { RECORD, LINE };

static void feed_file(struct oom_tracker *t, const char *file, enum framing f,
                      double now) {
  size_t len;
  char *all = fixture_read("kmsg", file, &len);
  const char *p = all, *end = all + len;

  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
    struct kmsg_record r;
    int rc =
        f == RECORD ? kmsg_parse_record(&r, p, l) : kmsg_parse_line(&r, p, l);
    if (rc != -ENOENT)
      oom_feed(t, &r, now);
    p += l;
  }
  free(all);
}

static void test_oom_incident(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "incident-2.6.39.log", LINE, 10.0);
  oom_tick(&t, 10.0);
  assert_int_equal(t.nr_kills, 2);
  assert_int_equal(t.malformed, 0);

  /* The excerpt starts after portmap's report began: no asking task. */
  const struct oom_kill *k = &t.kills[0];
  assert_false(k->has_invoker);
  assert_true(k->has_victim);
  assert_false(k->closed_early);
  assert_string_equal(k->victim, "portmap");
  assert_int_equal(k->victim_pid, 2190);
  assert_int_equal(k->score, 1); /* chosen and killed: the same task */
  assert_true(k->victim_has & KMSG_HAS_SCORE);
  assert_int_equal(k->total_vm_kb, 1820);
  assert_int_equal(k->anon_rss_kb, 100);
  assert_int_equal(k->file_rss_kb, 360);
  assert_int_equal(k->scope, KMSG_SCOPE_GLOBAL);

  k = &t.kills[1];
  assert_true(k->has_invoker);
  assert_string_equal(k->invoker, "apache2");
  assert_true(k->has_invoker_pid);
  assert_int_equal(k->invoker_pid, 31143);
  assert_int_equal(k->gfp_mask, 0xd0);
  assert_int_equal(k->order, 1);
  assert_string_equal(k->victim, "rpc.statd");
  assert_int_equal(k->victim_pid, 2196);
  assert_int_equal(k->anon_rss_kb, 124);
  assert_int_equal(k->file_rss_kb, 576);
  assert_int_equal(k->scope, KMSG_SCOPE_GLOBAL);
  assert_false(t.pending);
}

static void test_oom_memcg_capture(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "memcg-6.18.kmsg", RECORD, 10.0);
  assert_int_equal(t.nr_kills, 1);
  const struct oom_kill *k = &t.kills[0];
  assert_string_equal(k->invoker, "oom-victim");
  assert_int_equal(k->invoker_pid, 10377);
  assert_int_equal(k->gfp_mask, 0xcc0);
  assert_string_equal(k->gfp_flags, "GFP_KERNEL");
  assert_int_equal(k->order, 0);
  assert_int_equal(k->scope, KMSG_SCOPE_MEMCG);
  assert_string_equal(k->constraint, "CONSTRAINT_MEMCG");
  assert_string_equal(k->memcg, "/lowmem-cap-30119");
  assert_true(k->has_memcg_usage);
  assert_int_equal(k->memcg_usage_kb, 32768);
  assert_int_equal(k->memcg_limit_kb, 32768);
  assert_string_equal(k->victim, "oom-victim");
  assert_int_equal(k->victim_pid, 10377);
  assert_int_equal(k->uid, 0);
  assert_int_equal(k->anon_rss_kb, 32640);
  assert_int_equal(k->file_rss_kb, 1352);
  assert_int_equal(k->shmem_rss_kb, 0);
  assert_int_equal(k->pgtables_kb, 108);
  assert_true(k->has_kernel_time);
  assert_int_equal(k->kernel_usec, 2254781937); /* its first record's */
}

static void test_oom_global_modern(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "global-6.8.kmsg", RECORD, 10.0);
  assert_int_equal(t.nr_kills, 1);
  const struct oom_kill *k = &t.kills[0];
  assert_string_equal(k->invoker, "stress-ng-vm");
  assert_int_equal(k->invoker_pid, 4242);
  assert_int_equal(k->invoker_oom_score_adj, 1000);
  assert_string_equal(k->victim, "stress-ng-vm");
  assert_int_equal(k->victim_pid, 4243);
  assert_int_equal(k->uid, 1000);
  assert_int_equal(k->scope, KMSG_SCOPE_GLOBAL);
  assert_string_equal(k->memcg, "");
  assert_int_equal(k->anon_rss_kb, 3708944);
  assert_int_equal(k->victim_oom_score_adj, 1000);
}

static void test_oom_old_kernels(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "oom-4.4.log", LINE, 10.0);
  assert_int_equal(t.nr_kills, 2); /* "sharing same memory" is no kill */
  assert_string_equal(t.kills[0].invoker, "mysqld");
  assert_int_equal(t.kills[0].invoker_pid, 2211);
  assert_int_equal(t.kills[0].victim_pid, 2187);
  assert_int_equal(t.kills[0].score, 912);
  assert_int_equal(t.kills[0].scope, KMSG_SCOPE_GLOBAL);
  assert_string_equal(t.kills[1].invoker, "python");
  assert_int_equal(t.kills[1].scope, KMSG_SCOPE_MEMCG);
  assert_string_equal(t.kills[1].memcg, "/batch");
  assert_int_equal(t.kills[1].memcg_limit_kb, 524288);
  assert_int_equal(t.kills[1].victim_pid, 3301);

  oom_init(&t);
  feed_file(&t, "oom-2.6-old.log", LINE, 10.0);
  assert_int_equal(t.nr_kills, 3);
  assert_string_equal(t.kills[0].invoker, "java");
  assert_int_equal(t.kills[0].invoker_pid, 8812);
  assert_int_equal(t.kills[0].victim_pid, 8700);
  /* httpd 9001 was chosen, its child 9002 killed: the choice's score is
   * not the victim's. */
  assert_string_equal(t.kills[1].invoker, "httpd");
  assert_int_equal(t.kills[1].victim_pid, 9002);
  assert_false(t.kills[1].victim_has & KMSG_HAS_SCORE);
  assert_int_equal(t.kills[1].total_vm_kb, 412220);
  /* A cpuset's kill with no report before it. */
  assert_false(t.kills[2].has_invoker);
  assert_int_equal(t.kills[2].scope, KMSG_SCOPE_CPUSET);
  assert_int_equal(t.kills[2].victim_pid, 9100);
}

static void test_alloc_failures(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "alloc-failure.log", LINE, 10.0);
  assert_int_equal(t.nr_kills, 0);
  assert_int_equal(t.nr_failures, 4);
  assert_string_equal(t.failures[0].comm, "swapper");
  assert_true(t.failures[0].has_pid);
  assert_int_equal(t.failures[0].pid, 0);
  assert_int_equal(t.failures[0].order, 1);
  assert_int_equal(t.failures[0].gfp_mask, 0x20);
  assert_false(t.failures[1].has_pid);
  assert_int_equal(t.failures[2].order, 4);
  assert_string_equal(t.failures[2].gfp_flags,
                      "GFP_KERNEL|__GFP_COMP|__GFP_NOTRACK");
  assert_string_equal(t.failures[3].comm, "kworker/u8:2");
  assert_int_equal(t.failures[3].pid, 613);
  assert_int_equal(t.failures[3].order, 9);
}

/* Broken lines: no kill, no failure, each counted. 21 of the 23 records
 * of malformed.kmsg are broken (lines 19 and 20 are other messages), 5 of
 * the 6 lines of malformed.log (line 3 is not one of ours, line 4 is not
 * a kernel line). */
static void test_malformed(void **state) {
  (void)state;
  static struct oom_tracker t;

  oom_init(&t);
  feed_file(&t, "malformed.kmsg", RECORD, 10.0);
  feed_file(&t, "malformed.log", LINE, 10.0);
  oom_tick(&t, 100.0);
  assert_int_equal(t.nr_kills, 0);
  assert_int_equal(t.nr_failures, 0);
  assert_int_equal(t.malformed, 21 + 4);
}

/* A report without its victim line is told after OOM_ASSEMBLY_SECONDS. */
static void test_oom_timeout(void **state) {
  (void)state;
  static struct oom_tracker t;
  struct kmsg_record r;
  static const char invoked[] = "4,1,5000000,-;java invoked oom-killer: "
                                "gfp_mask=0x1, order=2, oom_score_adj=0\n";

  oom_init(&t);
  kmsg_parse_record(&r, invoked, sizeof(invoked) - 1);
  oom_feed(&t, &r, 100.0);
  oom_tick(&t, 101.9);
  assert_int_equal(t.nr_kills, 0);
  oom_tick(&t, 102.0);
  assert_int_equal(t.nr_kills, 1);
  assert_true(t.kills[0].closed_early);
  assert_false(t.kills[0].has_victim);
  assert_int_equal(t.kills[0].order, 2);
  assert_false(t.pending);
}

static void kill_line(struct oom_tracker *t, unsigned pid, double now) {
  char line[128];
  struct kmsg_record r;
  int n = snprintf(line, sizeof(line),
                   "3,9,1,-;Out of memory: Killed process %u (x) "
                   "total-vm:1kB, anon-rss:1kB, file-rss:0kB\n",
                   pid);
  kmsg_parse_record(&r, line, (size_t)n);
  oom_feed(t, &r, now);
}

/* The kernel counts each kill (vmstat oom_kill) before it prints it. */
static void test_oom_counter(void **state) {
  (void)state;
  static struct oom_tracker t;

  /* Counted, never logged: a kill of its own after the grace time. */
  oom_init(&t);
  oom_counter(&t, true, 5, 0.0); /* baseline */
  oom_counter(&t, true, 6, 1.0);
  oom_tick(&t, 2.9);
  assert_int_equal(t.nr_kills, 0);
  oom_tick(&t, 3.0);
  assert_int_equal(t.nr_kills, 1);
  assert_int_equal(t.kills[0].counted_only, 1);

  /* Counted, then logged in time: one kill, from the log. */
  oom_init(&t);
  oom_counter(&t, true, 5, 0.0);
  oom_counter(&t, true, 6, 1.0);
  kill_line(&t, 77, 1.1);
  oom_tick(&t, 10.0);
  assert_int_equal(t.nr_kills, 1);
  assert_int_equal(t.kills[0].counted_only, 0);
  assert_int_equal(t.kills[0].victim_pid, 77);

  /* Logged before the sample showed the count: still one. */
  oom_init(&t);
  oom_counter(&t, true, 5, 0.0);
  kill_line(&t, 78, 0.5);
  oom_counter(&t, true, 6, 1.0);
  oom_tick(&t, 10.0);
  assert_int_equal(t.nr_kills, 1);

  /* Three counted, one logged: the other two are told as one. */
  oom_init(&t);
  oom_counter(&t, true, 5, 0.0);
  oom_counter(&t, true, 8, 1.0);
  kill_line(&t, 79, 1.5);
  oom_tick(&t, 10.0);
  assert_int_equal(t.nr_kills, 2);
  assert_int_equal(t.kills[1].counted_only, 2);

  /* No counter on this kernel (before 4.13): log kills alone. */
  oom_init(&t);
  oom_counter(&t, false, 0, 0.0);
  kill_line(&t, 80, 0.5);
  oom_tick(&t, 10.0);
  assert_int_equal(t.nr_kills, 1);
  assert_int_equal(t.log_spare, 0);
}

/* --- the whole step over the incident
 * -------------------------------------------*/

static void feed_events(struct events *ev, const char *file, double mono) {
  size_t len;
  char *all = fixture_read("kmsg", file, &len);
  const char *p = all, *end = all + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
    struct kmsg_record r;
    if (kmsg_parse_line(&r, p, l) == 0)
      events_feed(ev, &r, mono);
    p += l;
  }
  free(all);
}

static struct events_config events_config(const struct tree *t,
                                          const char *log) {
  struct events_config c = {
      .headroom = false,
      .persistence = 0,
      .kernel_log = log,
      .check = t->sampler.check,
      .orders = {0, 1},
      .nr_orders = 2,
      .sample_interval = 0.1,
      .page_size = PAGE,
  };
  return c;
}

static void test_incident_messages(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;

  tree_read(&t, INCIDENT);
  struct events_config c = events_config(&t, NULL);
  assert_int_equal(events_init(&ev, &c), 0);
  feed_events(&ev, "incident-2.6.39.log", 50.0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 50.1, 1315616851.0);
  assert_int_equal(ev.out.nr, 2);

  /* portmap: no asking task in the excerpt, so order 0: the tightest
   * zone for it is DMA, 1 page above min. rss 100 + 360 kB. */
  const struct event *e = &ev.out.v[0];
  assert_int_equal(e->kind, EVENT_OOM_KILL);
  assert_int_equal(e->severity, EVENT_FAILURE);
  assert_string_equal(e->plugin_instance, "oom");
  assert_string_equal(e->type, "vmpage_action");
  assert_string_equal(e->type_instance, "oom_kill");
  assert_string_equal(e->message,
                      "OOM kill: killed portmap (pid 2190, rss 460 KiB); "
                      "tightest zone node0-DMA: free 2.8 MiB, min 88.0 KiB, "
                      "order-0 headroom 4.0 KiB, slab 1.1 MiB");

  /* rpc.statd: apache2's order-1 fork; Normal at -469 pages. */
  e = &ev.out.v[1];
  assert_string_equal(e->message,
                      "OOM kill: apache2 (pid 31143) asked for order-1 (gfp "
                      "0xd0); killed rpc.statd (pid 2196, rss 700 KiB); "
                      "tightest zone node0-Normal: free 5.2 MiB, min 3.9 MiB, "
                      "order-1 headroom -1.8 MiB, slab 660 MiB");
  /* The pairs a central collectd reads (cut prose, no cgroup). */
  check_text(e, "victim_pid=2196 victim_comm=rpc.statd invoker_pid=31143 "
                "invoker_comm=apache2 order=1 gfp_mask=0xd0 "
                "zone=node0-Normal zone_headroom_bytes=-1921024");
  assert_int_equal(meta(e, "victim_pid")->v.u, 2196);
  assert_string_equal(event_meta_str(e, meta(e, "victim_comm")), "rpc.statd");
  assert_int_equal(meta(e, "invoker_pid")->v.u, 31143);
  assert_string_equal(event_meta_str(e, meta(e, "gfp_mask")), "0xd0");
  assert_int_equal(meta(e, "order")->v.i, 1);
  assert_string_equal(event_meta_str(e, meta(e, "scope")), "global");
  assert_string_equal(event_meta_str(e, meta(e, "zone")), "node0-Normal");
  assert_int_equal(meta(e, "zone_headroom_bytes")->v.i, -469 * PAGE);
  assert_int_equal(meta(e, "victim_anon_rss_bytes")->v.u, 124 * 1024);
  assert_int_equal(meta(e, "slab_bytes")->v.u, (166021ull + 2994) * PAGE);
  assert_string_equal(event_meta_str(e, meta(e, "slab_of")), "zone");
  assert_false(has_meta(e, "victim_shmem_rss_bytes")); /* 2.6.39: none */
  /* The kill happened before it was read: its own time, not the step's. */
  assert_float_equal(e->time, 1315616851.0 - 0.1, 1e-6);

  /* A step later: nothing new. */
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 50.2, 1315616851.1);
  assert_int_equal(ev.out.nr, 0);
  events_destroy(&ev);
  sampler_destroy(&t.sampler);
}

static void test_memcg_message(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;

  tree_read(&t, "live-6.18-x86_64");
  struct events_config c = events_config(&t, NULL);
  assert_int_equal(events_init(&ev, &c), 0);
  size_t len;
  char *all = fixture_read("kmsg", "memcg-6.18.kmsg", &len);
  for (const char *p = all, *end = all + len; p < end;) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t l = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
    struct kmsg_record r;
    kmsg_parse_record(&r, p, l);
    events_feed(&ev, &r, 2255.0);
    p += l;
  }
  free(all);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 2255.0, 1700000000.0);
  assert_int_equal(ev.out.nr, 1);
  const struct event *e = &ev.out.v[0];
  /* usage = limit = 32768 kB; rss 32640 + 1352 + 0 kB = 33992 kB. The
   * zones of a cgroup's OOM stay out of the message. */
  assert_string_equal(
      e->message,
      "OOM kill in cgroup /lowmem-cap-30119 (usage 32.0 MiB of "
      "32.0 MiB): oom-victim (pid 10377) asked for order-0 (gfp 0xcc0); "
      "killed oom-victim (pid 10377, rss 33.2 MiB)");
  assert_string_equal(event_meta_str(e, meta(e, "memcg")), "/lowmem-cap-30119");
  check_text(e, "victim_pid=10377 victim_comm=oom-victim invoker_pid=10377 "
                "invoker_comm=oom-victim order=0 gfp_mask=0xcc0 "
                "memcg=/lowmem-cap-30119");
  assert_int_equal(meta(e, "memcg_limit_bytes")->v.u, 32768ull * 1024);
  assert_string_equal(event_meta_str(e, meta(e, "gfp_flags")), "GFP_KERNEL");
  assert_true(has_meta(e, "zone"));
  /* The kernel's timestamp (2254.781937 s) is 0.218 s before now. */
  assert_true(e->time > 1700000000.0 - 0.219 && e->time < 1700000000.0 - 0.217);
  events_destroy(&ev);
  sampler_destroy(&t.sampler);
}

/* --- following a log file
 * -----------------------------------------------------------*/

static void append(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_APPEND);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static void test_log_file(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;
  char dir[] = "/tmp/lowmem-test-events-XXXXXX";
  char path[256], moved[256];

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/kern.log", dir);
  snprintf(moved, sizeof(moved), "%s/kern.log.1", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  /* Already there at start: not read. */
  fputs("Sep 10 01:07:31 web1 kernel: Killed process 1 (old) "
        "total-vm:1kB, anon-rss:1kB, file-rss:1kB\n",
        f);
  fclose(f);

  tree_read(&t, INCIDENT);
  struct events_config c = events_config(&t, path);
  assert_int_equal(events_init(&ev, &c), 0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.0, 1000.0);
  assert_int_equal(ev.log_err, 0);
  assert_int_equal(ev.log.mode, KERNLOG_FILE);
  assert_int_equal(ev.out.nr, 0);

  /* Half a line waits for its end. */
  append(path, "Sep 10 01:07:32 web1 cron[5]: not the kernel\n"
               "Sep 10 01:07:32 web1 kernel: Killed process 2196 (rpc.st");
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.1, 1000.1);
  assert_int_equal(ev.out.nr, 0);
  append(path, "atd) total-vm:1880kB, anon-rss:124kB, file-rss:576kB\n");
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.2, 1000.2);
  assert_int_equal(ev.out.nr, 1);
  assert_int_equal(meta(&ev.out.v[0], "victim_pid")->v.u, 2196);
  assert_string_equal(
      event_meta_str(&ev.out.v[0], meta(&ev.out.v[0], "victim_comm")),
      "rpc.statd");

  /* Rotated: the new file is read from its start. */
  assert_int_equal(rename(path, moved), 0);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("Sep 10 01:08:00 web1 kernel: Killed process 3000 (cron) "
        "total-vm:2kB, anon-rss:1kB, file-rss:1kB\n",
        f);
  fclose(f);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.3, 1000.3); /* sees the end */
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.4, 1000.4);
  assert_int_equal(ev.out.nr, 1);
  assert_int_equal(meta(&ev.out.v[0], "victim_pid")->v.u, 3000);

  /* Truncated: read again from the start. */
  f = fopen(path, "w");
  assert_non_null(f);
  fputs("Sep 10 01:09:00 web1 kernel: Killed process 3001 (monit)\n", f);
  fclose(f);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.5, 1000.5);
  assert_int_equal(ev.out.nr, 1);
  assert_int_equal(meta(&ev.out.v[0], "victim_pid")->v.u, 3001);

  events_destroy(&ev);
  sampler_destroy(&t.sampler);
  unlink(path);
  unlink(moved);
  rmdir(dir);
}

/* A log that cannot be opened is an error to report, not a failure. */
static void test_log_missing(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;

  tree_read(&t, INCIDENT);
  struct events_config c = events_config(&t, "/nonexistent/kern.log");
  assert_int_equal(events_init(&ev, &c), 0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.0, 1000.0);
  assert_int_equal(ev.log_err, -ENOENT);
  events_destroy(&ev);

  c = events_config(&t, "/tmp");
  assert_int_equal(events_init(&ev, &c), 0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.0, 1000.0);
  assert_int_equal(ev.log_err, -ENOTSUP);
  events_destroy(&ev);

  /* A character device that is not /dev/kmsg (1:11): read as /dev/kmsg,
   * /dev/null would say nothing for good, a tty would hang on a read. */
  c = events_config(&t, "/dev/null");
  assert_int_equal(events_init(&ev, &c), 0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.0, 1000.0);
  assert_int_equal(ev.log_err, -ENOTSUP);
  assert_int_equal(ev.log.mode, KERNLOG_OFF);
  events_destroy(&ev);
  sampler_destroy(&t.sampler);
}

/* --- hostile kernel logs
 * ------------------------------------------------------------*/

#define HOSTILE "hostile/"

/* A user's syslog line quoting an OOM kill, in the file KernelLog follows:
 * no kill (hostile/spoof.in, past its first byte). */
static void test_spoofed_log_file(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;
  char dir[] = "/tmp/lowmem-test-spoof-XXXXXX";
  char path[256];

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/kern.log", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  tree_read(&t, INCIDENT);
  struct events_config c = events_config(&t, path);
  assert_int_equal(events_init(&ev, &c), 0);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.0, 1000.0);
  assert_int_equal(ev.log.mode, KERNLOG_FILE);

  size_t len;
  char *spoof = fixture_read("kmsg", HOSTILE "spoof.in", &len);
  append(path, spoof + 1);
  append(path, "\n");
  free(spoof);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 1.1, 1000.1);
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 5.0, 1004.0);
  assert_int_equal(ev.out.nr, 0);
  assert_int_equal(ev.kills, 0);
  assert_int_equal(ev.oom.malformed, 0);

  /* The kernel's own line, in the same file, is told. */
  append(path, "Dec  1 00:48:02 web1 kernel: Out of memory: Killed process "
               "4243 (stress) total-vm:8kB, anon-rss:4kB, file-rss:0kB\n");
  events_step(&ev, &t.sampler.sample, &t.sampler.view, 5.1, 1004.1);
  assert_int_equal(ev.out.nr, 1);
  assert_int_equal(meta(&ev.out.v[0], "victim_pid")->v.u, 4243);

  events_destroy(&ev);
  sampler_destroy(&t.sampler);
  unlink(path);
  rmdir(dir);
}

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

/* The name as /dev/kmsg prints it (printk escapes bytes below ' ', from
 * 0x7f up, and '\\' as \xNN), and the name's bytes in a syslog file (a
 * newline written "#012" by rsyslog, the rest raw). */
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

static size_t syslog_form(unsigned char *out, const struct name *nm) {
  size_t n = 0;
  for (size_t i = 0; i < nm->len; i++)
    if (nm->b[i] == '\n')
      n += (size_t)sprintf((char *)out + n, "#012");
    else
      out[n++] = nm->b[i];
  return n;
}

/* A name in a message, as README "Notifications" promises: bare when made
 * of letters, digits and "._-/:+@", else in quotes with its quotes and
 * parentheses written \xNN. */
static void message_form(char *out, size_t cap, const char *comm) {
  bool plain = comm[0] != '\0';
  for (const char *c = comm; *c; c++)
    plain &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
             (*c >= '0' && *c <= '9') || strchr("._-/:+@", *c) != NULL;
  if (plain) {
    snprintf(out, cap, "%s", comm);
    return;
  }
  size_t n = 0;
  out[n++] = '"';
  for (const char *c = comm; *c; c++)
    if (*c == '"' || *c == '(' || *c == ')')
      n += (size_t)snprintf(out + n, cap - n, "\\x%02x", (unsigned char)*c);
    else
      out[n++] = *c;
  out[n++] = '"';
  out[n] = '\0';
}

/* One message of the kernel's, around a name, in a framing: fed to ev. */
static void feed_named(struct events *ev, enum framing f, const char *before,
                       const unsigned char *name, size_t len, const char *after,
                       double mono) {
  static unsigned seq = 100;
  char buf[1024];
  size_t n = f == RECORD ? (size_t)snprintf(buf, sizeof(buf),
                                            "6,%u,4242000000,-;", seq++)
                         : (size_t)snprintf(buf, sizeof(buf),
                                            "Dec  1 00:48:01 web1 kernel: "
                                            "[ 4242.000000] ");
  n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", before);
  memcpy(buf + n, name, len);
  n += len;
  n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", after);
  struct kmsg_record r;
  int rc =
      f == RECORD ? kmsg_parse_record(&r, buf, n) : kmsg_parse_line(&r, buf, n);
  assert_int_equal(rc, 0);
  events_feed(ev, &r, mono);
}

static unsigned count(const char *hay, const char *needle) {
  unsigned n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* What a message with a hostile name must and must not say: the name in
 * its message form, the true pids, no other "(pid". */
static void check_named_message(const struct event *e, const char *shown,
                                unsigned pids) {
  print_message("%s\n", e->message);
  assert_non_null(strstr(e->message, shown));
  assert_int_equal(count(e->message, "(pid "), pids);
  assert_null(strstr(e->message, "(pid 1)"));
  assert_null(strstr(e->message, "(pid 1,"));
}

/* The whole report about a process named as hostile/names.hex names it,
 * as the invoker and the victim, in both framings: both come out exactly,
 * the message says nothing the kernel did not, nothing is malformed. */
static void test_hostile_name_messages(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;
  struct name names[32];
  size_t nr = read_names(names, 32);

  tree_read(&t, INCIDENT);
  for (size_t i = 0; i < nr; i++)
    for (enum framing f = RECORD; f <= LINE; f++) {
      char want[256], shown[512];
      unsigned char raw[4 * NAME_MAX_BYTES];
      const unsigned char *name;
      size_t len;
      if (f == RECORD) {
        kmsg_escape(want, sizeof(want), names[i].b, names[i].len);
        name = (const unsigned char *)want;
        len = strlen(want);
      } else {
        len = syslog_form(raw, &names[i]);
        name = raw;
        kmsg_escape(want, sizeof(want), raw, len);
      }
      message_form(shown, sizeof(shown), want);
      struct events_config c = events_config(&t, NULL);
      assert_int_equal(events_init(&ev, &c), 0);

      /* 4.19+: invoked, its task line, the summary, the kill. */
      feed_named(&ev, f, "", name, len,
                 " invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                 "oom_score_adj=0",
                 10.0);
      feed_named(&ev, f, "CPU: 1 UID: 0 PID: 4242 Comm: ", name, len,
                 " Not tainted 6.18.44 #1", 10.0);
      feed_named(&ev, f,
                 "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
                 "cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=",
                 name, len, ",pid=4243,uid=1000", 10.0);
      feed_named(&ev, f, "Out of memory: Killed process 4243 (", name, len,
                 ") total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, "
                 "UID:1000 pgtables:4kB oom_score_adj:0",
                 10.0);
      /* Before 5.x: invoked, the 2.6 task line, the choice, the kill. */
      feed_named(&ev, f, "", name, len,
                 " invoked oom-killer: gfp_mask=0xd0, order=1, oom_adj=0, "
                 "oom_score_adj=0",
                 10.0);
      feed_named(&ev, f, "Pid: 4242, comm: ", name, len,
                 " Tainted: GW 2.6.39 #5", 10.0);
      feed_named(&ev, f, "Out of memory: Kill process 4243 (", name, len,
                 ") score 1 or sacrifice child", 10.0);
      feed_named(&ev, f, "Killed process 4243 (", name, len,
                 ") total-vm:8kB, anon-rss:4kB, file-rss:0kB", 10.0);
      /* An allocation failure and its task line. */
      feed_named(&ev, f, "", name, len,
                 ": page allocation failure: order:1, mode:0x20(GFP_ATOMIC), "
                 "nodemask=(null)",
                 10.0);
      feed_named(&ev, f, "CPU: 0 PID: 4242 Comm: ", name, len,
                 " Not tainted 6.18.44 #1", 10.0);

      events_step(&ev, &t.sampler.sample, &t.sampler.view, 10.1, 1000.0);
      assert_int_equal(ev.oom.malformed, 0);
      assert_int_equal(ev.out.nr, 3);
      for (size_t k = 0; k < 2; k++) {
        const struct event *e = &ev.out.v[k];
        assert_int_equal(e->kind, EVENT_OOM_KILL);
        assert_int_equal(e->severity, EVENT_FAILURE);
        check_named_message(e, shown, 2);
        assert_non_null(strstr(e->message, "(pid 4242)"));
        assert_non_null(strstr(e->message, "(pid 4243, rss "));
        assert_int_equal(count(e->message, shown), 2);
        assert_string_equal(event_meta_str(e, meta(e, "invoker_comm")), want);
        assert_string_equal(event_meta_str(e, meta(e, "victim_comm")), want);
        assert_int_equal(meta(e, "invoker_pid")->v.u, 4242);
        assert_int_equal(meta(e, "victim_pid")->v.u, 4243);
        /* The notification's pairs give the names back whole. */
        char text[EVENT_MESSAGE_LEN], got[256];
        event_fields_text(e, text, sizeof(text));
        assert_true(text_field(text, "victim_comm", got, sizeof(got)));
        assert_string_equal(got, want);
        assert_true(text_field(text, "invoker_comm", got, sizeof(got)));
        assert_string_equal(got, want);
        assert_true(text_field(text, "victim_pid", got, sizeof(got)));
        assert_string_equal(got, "4243");
      }
      const struct event *e = &ev.out.v[2];
      assert_int_equal(e->kind, EVENT_ALLOC_FAILURE);
      check_named_message(e, shown, 1);
      assert_non_null(strstr(e->message, "(pid 4242)"));
      assert_string_equal(event_meta_str(e, meta(e, "comm")), want);
      assert_int_equal(meta(e, "pid")->v.u, 4242);
      char text[EVENT_MESSAGE_LEN], got[256];
      event_fields_text(e, text, sizeof(text));
      assert_true(text_field(text, "comm", got, sizeof(got)));
      assert_string_equal(got, want);
      assert_true(text_field(text, "pid", got, sizeof(got)));
      assert_string_equal(got, "4242");
      events_destroy(&ev);
    }
  sampler_destroy(&t.sampler);
}

/* A message's byte figures are the meta data's: "<what> <bytes>" in the
 * message for each pair named. */
static void check_figure(const struct event *e, const char *what,
                         const char *key) {
  char b[32], want[64];
  const struct event_meta *m = meta(e, key);
  event_format_bytes(b, sizeof(b),
                     m->type == EVENT_META_INT ? (double)m->v.i
                                               : (double)m->v.u);
  snprintf(want, sizeof(want), "%s %s", what, b);
  print_message("%s\n", e->message);
  assert_non_null(strstr(e->message, want));
}

/* Kernel log lines that ask for order 62 (hostile/min-order62.in, and the
 * records of crash-events167): malformed, no kill told with an order no
 * kernel has, no size past 64 bits. */
static void test_hostile_orders(void **state) {
  (void)state;
  struct tree t;
  static struct events ev;
  /* Each file in the framing of its order=62 line, then in the other. */
  static const struct {
    const char *file;
    enum framing framing;
    bool order62;
  } inputs[] = {
      {HOSTILE "min-order62.in", LINE, true},
      {HOSTILE "min-order62.in", RECORD, false},
      {HOSTILE "crash-events167.kmsg-input", RECORD, true},
      {HOSTILE "crash-events167.kmsg-input", LINE, false},
  };

  tree_read(&t, INCIDENT);
  for (size_t in = 0; in < ARRAY_SIZE(inputs); in++) {
    const enum framing f = inputs[in].framing;
    struct events_config c = events_config(&t, NULL);
    assert_int_equal(events_init(&ev, &c), 0);
    size_t len;
    char *all = fixture_read("kmsg", inputs[in].file, &len);
    /* Its pieces between NULs and newlines, the first byte left out. */
    for (const char *p = all + 1, *end = all + len; p < end;) {
      const char *q = p;
      while (q < end && *q != '\0' && *q != '\n')
        q++;
      struct kmsg_record r;
      int rc = f == RECORD ? kmsg_parse_record(&r, p, (size_t)(q - p))
                           : kmsg_parse_line(&r, p, (size_t)(q - p));
      if (rc != -ENOENT)
        events_feed(&ev, &r, 10.0);
      p = q + 1;
    }
    free(all);
    events_step(&ev, &t.sampler.sample, &t.sampler.view, 13.0, 1000.0);
    if (inputs[in].order62)
      assert_true(ev.oom.malformed >= 1);
    for (size_t i = 0; i < ev.out.nr; i++) {
      const struct event *e = &ev.out.v[i];
      assert_null(strstr(e->message, "order-62"));
      assert_null(strstr(e->message, "PiB"));
      assert_null(strstr(e->message, "EiB"));
      if (has_meta(e, "zone_headroom_bytes"))
        check_figure(e, "headroom", "zone_headroom_bytes");
    }
    events_destroy(&ev);
  }
  sampler_destroy(&t.sampler);
}

/* Orders the configuration allows (0 to 63) that no buddy allocator has:
 * the headroom of an order-62 request is below any 64-bit byte count; the
 * message says what the meta data says, saturated, with no overflow. */
static void test_big_orders(void **state) {
  (void)state;
  static const unsigned orders[] = {0, 52, 62, 63};
  struct tree t;
  struct watermark w;
  static struct event_list out;

  tree_read_orders(&t, INCIDENT, orders, ARRAY_SIZE(orders));
  struct watermark_config c = wm_config(&t, 0, NULL, 0);
  memcpy(c.orders, orders, sizeof(orders));
  c.nr_orders = ARRAY_SIZE(orders);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.0, &out);
  assert_true(out.nr >= 3); /* 52, 62 and 63 fail in Normal at least */
  unsigned big = 0;
  for (size_t i = 0; i < out.nr; i++) {
    const struct event *e = &out.v[i];
    unsigned order = (unsigned)meta(e, "order")->v.u;
    if (e->severity == EVENT_FAILURE)
      check_figure(e, "headroom", "headroom_min_bytes");
    else
      check_figure(e, "headroom", "headroom_low_bytes");
    check_figure(e, "free", "free_bytes");
    if (order >= 52) {
      big++;
      assert_int_equal(e->severity, EVENT_FAILURE);
      assert_true(meta(e, "headroom_min_bytes")->v.i < 0);
      assert_null(strstr(e->message, "PiB"));
      /* 2^62 pages of 4 KiB do not fit 64 bits: saturated, as said. */
      assert_non_null(strstr(e->message, "refuses 16.0 EiB kernel"));
    }
  }
  assert_true(big >= 3);
  watermark_destroy(&w);
  sampler_destroy(&t.sampler);
}

/* NotifyZone names a zone in any case, or a zone of every node by its
 * bare name; a name that matches no zone is reported once, with the zones
 * there are. */
static void test_notify_zone_names(void **state) {
  (void)state;
  struct tree t;
  struct watermark w;
  static struct event_list out;
  static const struct {
    const char *name;
    bool matches;
  } names[] = {
      {"node0-Normal", true}, {"node0-normal", true},  {"Normal", true},
      {"NORMAL", true},       {"node1-Normal", false}, {"node0-Foo", false},
      {"Normal ", false},
  };

  tree_read(&t, INCIDENT);
  for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
    char *zones[] = {(char *)names[i].name};
    struct watermark_config c = wm_config(&t, 0, zones, 1);
    assert_int_equal(watermark_init(&w, &c), 0);
    assert_false(w.zones_checked);
    out.nr = 0;
    watermark_step(&w, &t.sampler.view, 1000.0, &out);
    print_message("NotifyZone \"%s\"\n", names[i].name);
    assert_true(w.zones_checked);
    if (names[i].matches) {
      /* Normal's order-1 FAILURE, as with no NotifyZone but DMA's. */
      assert_int_equal(out.nr, 1);
      assert_string_equal(out.v[0].plugin_instance, "node0-Normal");
      assert_int_equal(w.nr_unmatched, 0);
    } else {
      assert_int_equal(out.nr, 0);
      assert_int_equal(w.nr_unmatched, 1);
      assert_string_equal(w.unmatched[0], names[i].name);
      assert_string_equal(w.zone_names,
                          "node0-DMA, node0-Normal, node0-HighMem");
    }
    /* Told once: a later sample leaves it as it was. */
    watermark_step(&w, &t.sampler.view, 1000.1, &out);
    assert_int_equal(w.nr_unmatched, names[i].matches ? 0 : 1);
    watermark_destroy(&w);
  }

  /* Two names, one good: the other alone is reported. */
  char *two[] = {"dma", "node0-Movable"};
  struct watermark_config c = wm_config(&t, 0, two, 2);
  assert_int_equal(watermark_init(&w, &c), 0);
  out.nr = 0;
  watermark_step(&w, &t.sampler.view, 1000.0, &out);
  assert_int_equal(out.nr, 2); /* DMA's order 0 and 1 */
  assert_int_equal(w.nr_unmatched, 1);
  assert_string_equal(w.unmatched[0], "node0-Movable");
  watermark_destroy(&w);
  sampler_destroy(&t.sampler);
}

static void test_format_bytes(void **state) {
  (void)state;
  char b[32];
  event_format_bytes(b, sizeof(b), -1921024);
  assert_string_equal(b, "-1.8 MiB");
  event_format_bytes(b, sizeof(b), 12);
  assert_string_equal(b, "12 B");
  event_format_bytes(b, sizeof(b), 692285440);
  assert_string_equal(b, "660 MiB");
  event_format_bytes(b, sizeof(b), 8192);
  assert_string_equal(b, "8.0 KiB");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_persistence),
      cmocka_unit_test(test_incident_headroom),
      cmocka_unit_test(test_live_quiet),
      cmocka_unit_test(test_oom_incident),
      cmocka_unit_test(test_oom_memcg_capture),
      cmocka_unit_test(test_oom_global_modern),
      cmocka_unit_test(test_oom_old_kernels),
      cmocka_unit_test(test_alloc_failures),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_oom_timeout),
      cmocka_unit_test(test_oom_counter),
      cmocka_unit_test(test_incident_messages),
      cmocka_unit_test(test_memcg_message),
      cmocka_unit_test(test_log_file),
      cmocka_unit_test(test_log_missing),
      cmocka_unit_test(test_spoofed_log_file),
      cmocka_unit_test(test_hostile_name_messages),
      cmocka_unit_test(test_hostile_orders),
      cmocka_unit_test(test_big_orders),
      cmocka_unit_test(test_notify_zone_names),
      cmocka_unit_test(test_format_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
