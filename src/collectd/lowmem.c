/* lowmem: the collectd glue.
 *
 * A read callback runs every SampleInterval: it reads the kernel
 * (sample/sampler.h: the sample and its view), feeds the window
 * (window/metrics.h) and calls each capability's hook (hooks.h) in the
 * order of the table below. Once per dispatch interval (collectd's
 * Interval for the plugin) the window's worst values leave as one value
 * list per series, stamped at the end of the window on the interval grid
 * (window/grid.h), so RRD files get one update per step and a 300 ms dip
 * still shows. Every value lowmem sends leaves here: one dispatch path.
 * The last window goes out when collectd frees the read callback: after
 * its last read, while the write threads still run (at shutdown, and
 * after the one read of `collectd -T`). */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/globals.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_cache.h"
#include "collectd/core/utils/common/common.h"

#include "complain.h"
#include "config.h"
#include "hooks.h"
#include "window/grid.h"

#include <time.h>

static struct lowmem_config config;
static bool config_ok = true;
static struct sampler sampler;
static struct metrics metrics;
static struct complaint complaint[SOURCE_NR];
static struct lowmem_context context;

/* The capabilities beside the memory sources, in the order their hooks
 * run: lowmem's types first (before any value is dispatched), collectd's
 * OOM score (before anything is started), events before the record of
 * them. */
static const struct lowmem_hook *const hooks[] = {
    &types_hook,  &oom_score_hook, &threads_hook,
    &apache_hook, &events_hook,    &record_hook,
};
#define NR_HOOKS (sizeof(hooks) / sizeof(hooks[0]))
static bool said_series; /* series the set refused were reported */
static bool said_slab_top; /* caches the slab pool missed were reported */

static cdtime_t dispatch_interval;
static struct window_grid grid;

/* How long the last window's values may take to be written at the end.
 * collectd stops its write threads right after, dropping what they have
 * not taken. */
#define LAST_WINDOW_WAIT TIME_T_TO_CDTIME_T(2)

/* SampleInterval must fit in the dispatch interval. Checked when the
 * <Plugin lowmem> block is read, so that a wrong value stops collectd at
 * start, and again at init for a configuration without that block. */
static int check_intervals(void) {
  cdtime_t dispatch = plugin_get_interval();

  if (DOUBLE_TO_CDTIME_T(config.sample_interval) <= dispatch)
    return 0;
  plugin_log(LOG_ERR,
             "lowmem plugin: SampleInterval %.3f s is longer than the "
             "interval values are dispatched at (%.3f s, collectd's "
             "Interval): make SampleInterval shorter, e.g. 0.1.",
             config.sample_interval, CDTIME_T_TO_DOUBLE(dispatch));
  return -1;
}

/* A key goes to the memory sources first, then to each hook in turn. */
static int config_key(const oconfig_item_t *ci) {
  int rc = lowmem_config_key(&config, ci);

  for (size_t h = 0; rc == 1 && h < NR_HOOKS; h++)
    if (hooks[h]->config != NULL)
      rc = hooks[h]->config(ci);
  if (rc == 1)
    plugin_log(LOG_ERR,
               "lowmem plugin: unknown option \"%s\". collectd-lowmem(5) "
               "lists every option of <Plugin lowmem>.",
               ci->key);
  return rc == 0 ? 0 : -1;
}

static int lowmem_config(oconfig_item_t *ci) {
  for (int i = 0; i < ci->children_num; i++)
    if (config_key(&ci->children[i]) != 0) {
      config_ok = false;
      return -1;
    }
  if (check_intervals() != 0) {
    config_ok = false;
    return -1;
  }
  return 0;
}

static double monotonic_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dispatch_series(const struct series *s, cdtime_t time) {
  value_list_t vl = VALUE_LIST_INIT;
  value_t values[2];

  if (s->ds == SERIES_DERIVE)
    values[0].derive = s->derive;
  else
    values[0].gauge = s->gauge;
  values[1].gauge = s->gauge2;
  vl.values = values;
  vl.values_len = s->values == 2 ? 2 : 1;
  vl.time = time;
  vl.interval = dispatch_interval * (s->every > 1 ? s->every : 1);
  sstrncpy(vl.plugin, "lowmem", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, s->plugin_instance, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, s->type, sizeof(vl.type));
  sstrncpy(vl.type_instance, s->type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

/* Dispatches the window that ends at stamp (on the grid, window/grid.h):
 * every series due at that end (series.h: most at every window). Returns
 * the id of the last series dispatched, -1 for none. */
static int dispatch_window(cdtime_t stamp) {
  uint64_t w = stamp / dispatch_interval - 1;
  int last = -1;

  metrics_choose(&metrics);
  for (size_t i = 0; i < metrics.set.nr; i++) {
    const struct series *s = &metrics.set.v[i];
    if (s->n > 0 && s->chosen && series_due(s, w)) {
      dispatch_series(s, stamp);
      last = (int)i;
    }
  }
  metrics_reset(&metrics, w);
  return last;
}

/* The clock went back past the last stamp, or came back to it: said once
 * each way, since every window in between is dropped. */
static void report_clock(bool was_behind, cdtime_t now) {
  if (grid.behind && !was_behind)
    plugin_log(LOG_WARNING,
               "lowmem plugin: the clock went back %.3f s. collectd and RRD "
               "files take no value older than the last one lowmem sent "
               "(stamped %.3f), so lowmem sends nothing until the clock "
               "passes that time again, in %.3f s.",
               CDTIME_T_TO_DOUBLE(grid.back_by),
               CDTIME_T_TO_DOUBLE(grid.last_stamp),
               CDTIME_T_TO_DOUBLE(grid.last_stamp - now));
  else if (!grid.behind && was_behind)
    plugin_log(LOG_NOTICE, "lowmem plugin: the clock has passed the last "
                           "values sent: values are sent again.");
}

/* Closes the window the clock has left, if any, before this read's
 * sample goes in. True when this sample opens a window. */
static bool window_turn(void) {
  cdtime_t now = cdtime(), stamp = 0;
  bool was_behind = grid.behind, first = !grid.open;
  enum grid_action action = window_grid_sample(&grid, now, &stamp);

  switch (action) {
  case GRID_DISPATCH:
    dispatch_window(stamp);
    break;
  case GRID_DROP:
    series_reset(&metrics.set);
    break;
  case GRID_KEEP:
    break;
  }
  report_clock(was_behind, now);
  return first || action != GRID_KEEP;
}

static void report_sources(const struct sample *sm) {
  for (int i = 0; i < SOURCE_NR; i++) {
    if (!(config.sampler.sources & (1u << i)))
      continue;
    complain_source(&complaint[i], &sampler.files[i], (enum source)i,
                    sm->err[i]);
    if (sm->err[i] == 0 && (sm->fresh & (1u << i)))
      complain_malformed(&complaint[i], sampler.files[i].path,
                         sample_malformed(sm, (enum source)i));
  }
}

static double real_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lowmem_read(user_data_t *ud) {
  struct tick t = {
      .window_start = window_turn(),
      .mono = monotonic_seconds(),
      .real = real_seconds(),
      .sample = &sampler.sample,
      .view = &sampler.view,
  };

  (void)ud;
  sampler_read(&sampler, t.mono);
  report_sources(&sampler.sample);
  metrics_add(&metrics, &sampler.sample, &sampler.view, t.mono);
  for (size_t h = 0; h < NR_HOOKS; h++)
    if (hooks[h]->read != NULL)
      hooks[h]->read(&context, &t);
  complain_series(&said_series, &metrics.set);
  complain_slab_top(&said_slab_top, &metrics.slabs);
  return 0;
}

/* True when collectd's cache holds the series' value at time: the write
 * thread that took it from the queue has updated the cache. The queue is
 * first in, first out, so every value list dispatched before it has been
 * taken too, and collectd lets a write thread finish the one it holds
 * before it stops. */
static bool value_taken(const struct series *s, cdtime_t time) {
  char name[6 * DATA_MAX_NAME_LEN];
  char **names = NULL;
  cdtime_t *times = NULL;
  size_t n = 0;
  bool taken = false;

  if (format_name(name, sizeof(name), hostname_g, "lowmem", s->plugin_instance,
                  s->type, s->type_instance) != 0 ||
      uc_get_names(&names, &times, &n) != 0)
    return true; /* cannot tell: do not wait */
  for (size_t i = 0; i < n; i++) {
    if (!taken && strcmp(names[i], name) == 0 && times[i] >= time)
      taken = true;
    free(names[i]);
  }
  free(names);
  free(times);
  return taken;
}

/* Waits until the series' value at time was taken by a write thread, at
 * most LAST_WINDOW_WAIT. */
static void wait_taken(const struct series *s, cdtime_t time) {
  struct timespec pause = {0, 10 * 1000 * 1000};
  double deadline = monotonic_seconds() + CDTIME_T_TO_DOUBLE(LAST_WINDOW_WAIT);

  while (!value_taken(s, time)) {
    if (monotonic_seconds() > deadline) {
      plugin_log(LOG_NOTICE,
                 "lowmem plugin: collectd's writers had not taken the last "
                 "window's values %.0f s after they were sent; collectd "
                 "drops what is left when it stops.",
                 CDTIME_T_TO_DOUBLE(LAST_WINDOW_WAIT));
      return;
    }
    nanosleep(&pause, NULL);
  }
}

/* collectd frees the read callback's data after its last read: when it
 * stops (read threads joined, write threads still running) and right
 * after the one read of `collectd -T`. The open window goes out then,
 * stamped at its end on the grid like every window: it has not ended, but
 * any earlier point of the grid is the previous window's stamp, and RRD
 * files take one update per step. The stamp is at most one Interval
 * ahead of the clock. */
static void lowmem_read_end(void *data) {
  cdtime_t stamp = 0;

  (void)data;
  if (window_grid_close(&grid, &stamp) != GRID_DISPATCH) {
    series_reset(&metrics.set);
    return;
  }
  int last = dispatch_window(stamp);
  if (last >= 0)
    wait_taken(&metrics.set.v[last], stamp);
}

static const char *check_name(enum watermark_check check) {
  switch (check) {
  case WATERMARK_CHECK_LOWER_ORDERS:
    return "lower-orders (before 2.6.38, 3.3 to 4.3)";
  case WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO:
    return "lower-orders-2.6.38 (2.6.38 to 3.2)";
  case WATERMARK_CHECK_FREE_BLOCK:
  case WATERMARK_CHECK_AUTO:
    break;
  }
  return "free-block (4.4 and later)";
}

static int lowmem_init(void) {
  if (!config_ok)
    return -1;
  if (check_intervals() != 0)
    return -1;
  dispatch_interval = plugin_get_interval();
  cdtime_t sample_interval = DOUBLE_TO_CDTIME_T(config.sample_interval);
  if (dispatch_interval < TIME_T_TO_CDTIME_T(1))
    plugin_log(LOG_WARNING,
               "lowmem plugin: collectd's Interval for lowmem is %.3f s; RRD "
               "files cannot hold steps under 1 s. Use Interval 1 (or more) "
               "and SampleInterval for the fast sampling.",
               CDTIME_T_TO_DOUBLE(dispatch_interval));

  config.sampler.proc_path = config.proc_path;
  config.metrics.nr_orders = config.sampler.nr_orders;
  memcpy(config.metrics.orders, config.sampler.orders,
         sizeof(config.metrics.orders));
  config.metrics.page_size = config.sampler.page_size;
  /* Free blocks per migrate type leave at pagetypeinfo's own interval. */
  double every = config.sampler.interval[SOURCE_PAGETYPEINFO] /
                 CDTIME_T_TO_DOUBLE(dispatch_interval);
  config.metrics.pagetype_every = every > 1 ? (unsigned)(every + 0.5) : 1;
  if (sampler_init(&sampler, &config.sampler) != 0 ||
      metrics_init(&metrics, &config.metrics) != 0) {
    plugin_log(LOG_ERR, "lowmem plugin: out of memory at start.");
    return -1;
  }
  context = (struct lowmem_context){
      .proc_path = config.proc_path,
      .sample_interval = config.sample_interval,
      .dispatch_interval = dispatch_interval,
      .page_size = config.sampler.page_size,
      .set = &metrics.set,
      .check = sampler.check,
      .orders = sampler.config.orders,
      .nr_orders = sampler.config.nr_orders,
      .kernel = sampler.kernel,
      .kernel_known = sampler.kernel_known,
      .release = sampler.release,
  };
  for (size_t h = 0; h < NR_HOOKS; h++)
    if (hooks[h]->init != NULL && hooks[h]->init(&context) != 0)
      return -1;
  if (sampler.kernel_err != 0)
    complain_kernel(config.proc_path, sampler.kernel_err,
                    check_name(sampler.check));
  char kernel[32] = "unknown";
  if (sampler.kernel_known)
    snprintf(kernel, sizeof(kernel), "%u.%u", sampler.kernel.major,
             sampler.kernel.minor);
  plugin_log(LOG_INFO,
             "lowmem plugin: sampling %s every %.3f s, dispatching every "
             "%.3f s; kernel %s, watermark check %s.",
             config.proc_path, config.sample_interval,
             CDTIME_T_TO_DOUBLE(dispatch_interval), kernel,
             check_name(sampler.check));

  window_grid_init(&grid, dispatch_interval);
  said_series = false;
  said_slab_top = false;
  /* collectd calls free_func only for data that is not NULL. */
  user_data_t ud = {.data = &grid, .free_func = lowmem_read_end};
  return plugin_register_complex_read(NULL, "lowmem", lowmem_read,
                                      sample_interval, &ud);
}

static int lowmem_shutdown(void) {
  for (size_t h = NR_HOOKS; h-- > 0;)
    if (hooks[h]->shutdown != NULL)
      hooks[h]->shutdown();
  sampler_destroy(&sampler);
  metrics_destroy(&metrics);
  lowmem_config_free(&config);
  return 0;
}

void module_register(void) {
  if (lowmem_config_defaults(&config) != 0)
    config_ok = false;
  plugin_register_complex_config("lowmem", lowmem_config);
  plugin_register_init("lowmem", lowmem_init);
  plugin_register_shutdown("lowmem", lowmem_shutdown);
}
