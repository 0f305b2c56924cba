#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "complain.h"

#include <errno.h>
#include <string.h>

/* What the administrator can do about an error, by errno. */
static const char *advice(const char *key, int err, char *buf, size_t cap) {
  if (strcmp(key, "Slabinfo") == 0 && err == -EACCES)
    return "it is readable by root only: run collectd as root, or set "
           "\"Slabinfo false\" (the slab totals from meminfo are still "
           "reported)";
  if (strcmp(key, "Pressure") == 0 && err == -ENOENT)
    return "this kernel has no pressure stall information (it needs 4.20+ "
           "with CONFIG_PSI, and psi=1 on the command line where it is off "
           "by default); set \"Pressure false\" to stop asking";
  if (err == -EINVAL)
    return "its format is not one lowmem knows; please report it with a "
           "copy of the file";
  if (err == -ENOENT || err == -EACCES) {
    snprintf(buf, cap,
             "check ProcPath and collectd's rights, or set \"%s false\"", key);
    return buf;
  }
  return "its values are not reported until it can be read";
}

void complain_source(struct complaint *c, const char *path, const char *key,
                     int err) {
  char buf[160];

  if (err == c->err)
    return;
  if (err == 0)
    plugin_log(LOG_NOTICE, "lowmem plugin: %s can be read again.", path);
  else
    plugin_log(LOG_WARNING, "lowmem plugin: cannot use %s (%s): %s.", path,
               err == -EINVAL ? "unexpected format" : strerror(-err),
               advice(key, err, buf, sizeof(buf)));
  c->err = err;
  if (err)
    c->malformed = false;
}

void complain_malformed(struct complaint *c, const char *path,
                        unsigned malformed) {
  if (malformed && !c->malformed)
    plugin_log(LOG_WARNING,
               "lowmem plugin: skipped %u malformed line(s) of %s; the rest "
               "of it is reported. Please report this with a copy of the "
               "file.",
               malformed, path);
  c->malformed = malformed > 0;
}
