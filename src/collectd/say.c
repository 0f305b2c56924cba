#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "complain.h"
#include "say.h"

#include <errno.h>

void say_err(int *last, int err, const char *what, const char *advice) {
  if (!say_changed(last, err))
    return;
  if (err == 0)
    plugin_log(LOG_NOTICE, "lowmem plugin: can %s again.", what);
  else
    plugin_log(err == -ENOENT ? LOG_NOTICE : LOG_WARNING,
               "lowmem plugin: cannot %s (%s): %s.", what,
               complain_strerror(err, (char[ERRBUF_SIZE]){0}, ERRBUF_SIZE),
               advice);
}
