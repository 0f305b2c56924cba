#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "complain.h"
#include "say.h"

#include <errno.h>
#include <string.h>

const char *complain_strerror(int err, char *buf, size_t cap) {
  const char *kind = procfile_not_kernel_file(err);

  if (kind != NULL) {
    sstrncpy(buf, kind, cap);
    return buf;
  }
  return sstrerror(-err, buf, cap);
}

/* What the administrator can do about an error: the source's own advice
 * (sample/sources.h) for a missing file or one collectd may not read, else
 * by errno. */
static const char *advice(enum source src, int err, char *buf, size_t cap) {
  const struct source_info *si = &source_info[src];

  if ((err == -EACCES || err == -EPERM) && si->denied != NULL)
    return si->denied;
  if (err == -ENOENT && si->missing != NULL)
    return si->missing;
  if (err == -EINVAL)
    return "its format is not one lowmem knows; please report it with a "
           "copy of the file";
  if (err == -ENOENT || err == -EACCES) {
    snprintf(buf, cap,
             "check ProcPath and collectd's rights, or set \"%s false\"",
             si->key);
    return buf;
  }
  return "its values are not reported until it can be read";
}

/* A path that names no kernel file: a FIFO, a device, a file longer than
 * the kernel ever writes there, one that would make a read wait. Nothing
 * the rights of collectd would change: ProcPath is wrong. */
static bool say_not_kernel_file(const struct procfile *pf, const char *key,
                                int err) {
  const char *kind = procfile_not_kernel_file(err);

  if (kind != NULL)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %s is %s: check ProcPath, or set \"%s "
               "false\".",
               pf->path, kind, key);
  else if (err == -EFBIG)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %s holds %zu bytes or more, more than the "
               "kernel writes there: it is not read again while it is the "
               "same file. Check ProcPath, or set \"%s false\".",
               pf->path, pf->max, key);
  else if (err == -EAGAIN)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %s would make a read wait for data, as no "
               "file lowmem reads does: check ProcPath, or set \"%s false\".",
               pf->path, key);
  else
    return false;
  return true;
}

void complain_source(struct complaint *c, const struct procfile *pf,
                     enum source src, int err) {
  const char *key = source_info[src].key;
  char buf[160];

  if (!say_changed(&c->err, err))
    return;
  if (err == 0)
    plugin_log(LOG_NOTICE, "lowmem plugin: %s can be read again.", pf->path);
  else if (!say_not_kernel_file(pf, key, err))
    plugin_log(LOG_WARNING, "lowmem plugin: cannot use %s (%s): %s.", pf->path,
               err == -EINVAL ? "unexpected format" : STRERROR(-err),
               advice(src, err, buf, sizeof(buf)));
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

void complain_kernel(const char *proc_path, int err, const char *check_name) {
  char buf[ERRBUF_SIZE];
  const char *kind = procfile_not_kernel_file(err);

  /* Missing is what a saved tree without sys/ looks like: a notice. */
  plugin_log(err == -ENOENT ? LOG_NOTICE : LOG_WARNING,
             "lowmem plugin: the kernel's release cannot be read from "
             "%s/sys/kernel/osrelease (%s%s): the watermark check is %s; "
             "check ProcPath, or set WatermarkCheck for this kernel.",
             proc_path, kind != NULL ? "it is " : "",
             err == -EINVAL ? "not a kernel release"
                            : complain_strerror(err, buf, sizeof(buf)),
             check_name);
}

void complain_series(bool *said, const struct series_set *set) {
  const struct series_refused *r = &set->refused;

  if (*said || series_refused_count(set) == 0)
    return;
  *said = true;
  if (r->limit)
    plugin_log(LOG_WARNING,
               "lowmem plugin: too many series: lowmem holds %zu, and %u "
               "more were refused and are not dispatched (the first %s, the "
               "last %s). Set a smaller SlabTopN, \"Threads false\" where "
               "thousands of kernel threads run, or fewer Port and Orders.",
               set->limit, r->limit, r->first, r->last);
  if (r->name)
    plugin_log(LOG_WARNING,
               "lowmem plugin: %u series have a name longer than collectd's "
               "127 characters and are not dispatched (the first %s).",
               r->name, r->first);
  if (r->memory)
    plugin_log(LOG_WARNING,
               "lowmem plugin: out of memory: %u series could not be added "
               "and are not dispatched (the first %s).",
               r->memory, r->first);
}

void complain_slab_top(bool *said, const struct slab_top *t) {
  if (*said || t->missed == 0)
    return;
  *said = true;
  plugin_log(LOG_WARNING,
             "lowmem plugin: the largest slab caches changed faster than "
             "the %zu slots lowmem keeps for SlabTopN %u allow within one "
             "dispatch interval: %u caches that entered the top were not "
             "dispatched (the first %s; said once). Raise SlabTopN, or read "
             "slabinfo less often (SlabinfoInterval).",
             t->limit, t->top_n, t->missed, t->first_missed);
}
