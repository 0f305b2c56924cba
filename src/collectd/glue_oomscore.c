/* The OOM score hook (hooks.h): OOMScoreAdj writes collectd's own
 * oom_score_adj at start, so that the OOM killer takes others first and
 * collectd is there to tell the kill (collectd-lowmem(5), "STAYING ALIVE"). */
#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "hooks.h"
#include "option.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>

static struct {
  bool set;
  int value;
} config;

static int oom_score_config(const oconfig_item_t *ci) {
  double v;

  if (strcasecmp(ci->key, "OOMScoreAdj") != 0)
    return 1;
  if (option_number(ci, -1000, 1000, "points", "-500", &v) != 0)
    return -1;
  if (v != (double)(int)v) {
    plugin_log(LOG_ERR,
               "lowmem plugin: OOMScoreAdj takes a whole number from -1000 to "
               "1000, e.g. OOMScoreAdj -500.");
    return -1;
  }
  config.set = true;
  config.value = (int)v;
  return 0;
}

/* /proc/self, not ProcPath: this is collectd's own process. */
static int oom_score_start(const struct lowmem_context *ctx) {
  (void)ctx;
  if (!config.set)
    return 0;
  FILE *f = fopen("/proc/self/oom_score_adj", "w");
  int err = 0;

  if (f == NULL)
    err = errno;
  else if (fprintf(f, "%d\n", config.value) < 0)
    err = errno ? errno : EIO;
  if (f != NULL && fclose(f) != 0 && err == 0)
    err = errno;
  if (err) {
    plugin_log(LOG_WARNING,
               "lowmem plugin: OOMScoreAdj %d: cannot write "
               "/proc/self/oom_score_adj (%s); lowering it takes root or "
               "CAP_SYS_RESOURCE. collectd keeps the score it had.",
               config.value, STRERROR(err));
    return 0;
  }
  plugin_log(LOG_INFO,
             "lowmem plugin: collectd's oom_score_adj is now %d (OOMScoreAdj); "
             "programs it starts (exec plugin) inherit it.",
             config.value);
  return 0;
}

static void oom_score_stop(void) { config.set = false; }

const struct lowmem_hook oom_score_hook = {
    .config = oom_score_config,
    .init = oom_score_start,
    .shutdown = oom_score_stop,
};
