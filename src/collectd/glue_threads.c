/* The threads hook (hooks.h): writeback and reclaim threads, and each
 * device's writeback state (src/threads/). */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "complain.h"
#include "hooks.h"
#include "option.h"
#include "say.h"
#include "threads/threads.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ERROR_LOG(...) plugin_log(LOG_ERR, "lowmem plugin: " __VA_ARGS__)

static struct {
  bool enabled;
  char *sys_path; /* NULL: "/sys" */
  double discovery_interval;
  bool bdi_stats;
  double bdi_interval;
} config = {.enabled = true,
            .discovery_interval = 5.0,
            .bdi_stats = true,
            .bdi_interval = 1.0};

static struct threads threads;
static bool running;

/* What the log last said, so that it speaks again only on a change. */
static struct {
  int discovery_err, bdi_err;
  bool malformed, full;
} said;

/* --- configuration ---------------------------------------------------------*/

/* Room for the longest name lowmem opens under SysPath
 * ("kernel/debug/bdi/<device>/stats", "dev/block/<maj:min>/uevent"). */
#define SYS_PATH_MAX (PATH_MAX - 128)

static int threads_config(const oconfig_item_t *ci) {
  if (strcasecmp(ci->key, "Threads") == 0)
    return option_boolean(ci, &config.enabled);
  if (strcasecmp(ci->key, "SysPath") == 0)
    return option_string(ci, SYS_PATH_MAX, "/sys", &config.sys_path);
  if (strcasecmp(ci->key, "ThreadDiscoveryInterval") == 0)
    return option_number(ci, 0.1, 3600, "seconds", "5",
                         &config.discovery_interval);
  if (strcasecmp(ci->key, "BdiStats") == 0)
    return option_boolean(ci, &config.bdi_stats);
  if (strcasecmp(ci->key, "BdiStatsInterval") == 0)
    return option_number(ci, 0.1, 3600, "seconds", "1", &config.bdi_interval);
  return 1;
}

/* --- start -----------------------------------------------------------------*/

/* From 3.10 to 4.17 writeback runs in workers whose names do not say for
 * which device: say once what is reported instead. */
static void note_kernel(const struct lowmem_context *ctx) {
  const struct kernel_version *kv = &ctx->kernel;

  /* lowmem.c says why, when the release cannot be read. */
  if (ctx->kernel_known && kernel_version_cmp(kv, 3, 10) >= 0 &&
      kernel_version_cmp(kv, 4, 18) < 0)
    plugin_log(LOG_INFO,
               "lowmem plugin: Linux %u.%u does writeback in kernel workers "
               "whose names do not show the device (they do since 4.18): "
               "lowmem-writeback/thread_cpu-flush-<device> is not reported; "
               "lowmem-writeback/thread_cpu-unbound_kworkers includes the CPU "
               "of writeback.",
               kv->major, kv->minor);
}

static int threads_start(const struct lowmem_context *ctx) {
  if (!config.enabled)
    return 0;
  long tck = sysconf(_SC_CLK_TCK);
  struct threads_config c = {
      .proc_path = ctx->proc_path,
      .sys_path = config.sys_path ? config.sys_path : "/sys",
      .discovery_interval = config.discovery_interval,
      .bdi_stats = config.bdi_stats,
      .bdi_interval = config.bdi_interval,
      .clk_tck = tck > 0 ? tck : 100,
  };
  if (threads_init(&threads, &c, ctx->set) != 0) {
    threads_destroy(&threads);
    ERROR_LOG("out of memory at start (threads).");
    return -1;
  }
  note_kernel(ctx);
  said.discovery_err = 0;
  said.bdi_err = 0;
  running = true;
  return 0;
}

/* --- each sample -----------------------------------------------------------*/

static void report_discovery(void) {
  int err = threads.discovery_err;

  if (!say_changed(&said.discovery_err, err))
    return;
  if (err == 0)
    plugin_log(LOG_NOTICE,
               "lowmem plugin: the kernel threads under %s can be listed "
               "again.",
               threads.config.proc_path);
  else
    plugin_log(LOG_WARNING,
               "lowmem plugin: cannot list the kernel threads under %s (%s): "
               "writeback and reclaim threads are not reported until it can. "
               "Check ProcPath and collectd's rights, or set \"Threads "
               "false\".",
               threads.config.proc_path,
               complain_strerror(err, (char[ERRBUF_SIZE]){0}, ERRBUF_SIZE));
}

static void report_bdi(void) {
  int err = threads.bdi_err;

  if (!threads.config.bdi_stats || !say_changed(&said.bdi_err, err))
    return;
  if (err == 0)
    plugin_log(LOG_NOTICE,
               "lowmem plugin: %s can be read: per-device writeback state "
               "is reported.",
               threads.bdi_root);
  else if (err == -ENOENT)
    plugin_log(LOG_NOTICE,
               "lowmem plugin: %s is not there, so per-device writeback "
               "state (lowmem-writeback/bdi-writeback-<device>, ...) is "
               "not reported. It needs debugfs: mount it (as root: mount -t "
               "debugfs none /sys/kernel/debug), or set \"BdiStats false\" "
               "not to be told again.",
               threads.bdi_root);
  else
    plugin_log(LOG_WARNING,
               "lowmem plugin: cannot read %s (%s): per-device writeback "
               "state is not reported. debugfs is readable by root only: "
               "run collectd as root, or set \"BdiStats false\".",
               threads.bdi_root,
               complain_strerror(err, (char[ERRBUF_SIZE]){0}, ERRBUF_SIZE));
}

static void report_once(void) {
  if (threads.full && !said.full)
    plugin_log(LOG_WARNING,
               "lowmem plugin: more than %d kernel threads or %d devices to "
               "follow: the others are left out of lowmem-writeback.",
               THREADS_MAX_THREADS, THREADS_MAX_DEVICES);
  said.full = threads.full;
  if (threads.malformed && !said.malformed)
    plugin_log(LOG_WARNING,
               "lowmem plugin: skipped %u line(s) of kernel thread stat or "
               "debugfs bdi files that did not read as expected; the rest is "
               "reported. Please report this with a copy of the file.",
               threads.malformed);
  said.malformed = threads.malformed > 0;
}

static void threads_read(const struct lowmem_context *ctx, struct tick *t) {
  (void)ctx;
  if (!running)
    return;
  threads_sample(&threads, t->mono, t->window_start);
  report_discovery();
  report_bdi();
  report_once();
}

static void threads_stop(void) {
  if (running)
    threads_destroy(&threads);
  running = false;
  free(config.sys_path);
  config.sys_path = NULL;
}

const struct lowmem_hook threads_hook = {
    .config = threads_config,
    .init = threads_start,
    .read = threads_read,
    .shutdown = threads_stop,
};
