/* Devices: the kernel's name of a backing device ("254:0") to the name
 * dispatched ("vda"), their flush shares, and their writeback state from
 * debugfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sources/bdistats.h"
#include "../sources/parse.h"
#include "../util/array.h"
#include "../util/kfile.h"
#include "../window/types.h"
#include "internal.h"

enum { BDI_WRITEBACK_ID, BDI_RECLAIMABLE_ID, BDI_DIRTY_THRESHOLD_ID };

int threads_share_add(struct threads *t, const char *type_instance) {
  if (array_reserve(&t->shares, &t->cap_shares, t->nr_shares + 1,
                   sizeof(*t->shares)) != 0)
    return -1;
  int id = series_add(t->set, THREADS_PLUGIN_INSTANCE, TYPE_THREAD_CPU,
                      type_instance, SERIES_SHARE, SERIES_GAUGE);
  t->shares[t->nr_shares] =
      (struct thread_share){.id = id < 0 ? -1 : id, .fresh = true};
  return (int)t->nr_shares++;
}

/* Identifiers are file names for collectd's writers: no '/', blanks or
 * control characters. */
static void sanitize(char *s) {
  for (; *s; s++)
    if (*s == '/' || (unsigned char)*s <= ' ' || *s == 0x7f)
      *s = '_';
}

bool threads_uevent_devname(const char *buf, size_t len, char *name,
                            size_t cap) {
  const char *p = buf, *end = buf + len;

  while (p < end) {
    const char *line = p;
    parse_next_line(&p, end);
    const char *eol = parse_line_end(line, end);
    if ((size_t)(eol - line) > 8 && memcmp(line, "DEVNAME=", 8) == 0) {
      if (!parse_copy(name, cap, line + 8, (size_t)(eol - line - 8)))
        return false;
      sanitize(name);
      return true;
    }
  }
  return false;
}

/* DEVNAME of <sys>/dev/block/MAJ:MIN/uevent; the kernel's name where it
 * has none (0:17: an anonymous device, NFS for one) or it is no number. */
static void device_resolve(const struct threads *t, struct wb_device *d) {
  char path[4096], buf[4096];
  unsigned major, minor;

  snprintf(d->name, sizeof(d->name), "%s", d->bdi);
  sanitize(d->name);
  if (!bdi_name_devt(d->bdi, strlen(d->bdi), &major, &minor))
    return;
  snprintf(path, sizeof(path), "%s/dev/block/%u:%u/uevent",
           t->config.sys_path, major, minor);
  long n = kfile_read_small(AT_FDCWD, path, buf, sizeof(buf));
  char name[THREADS_NAME_LEN];
  if (n > 0 && threads_uevent_devname(buf, (size_t)n, name, sizeof(name)))
    memcpy(d->name, name, sizeof(name));
}

int threads_device(struct threads *t, const char *bdi, size_t len) {
  for (size_t i = 0; i < t->nr_dev; i++)
    if (strncmp(t->dev[i].bdi, bdi, len) == 0 && t->dev[i].bdi[len] == '\0')
      return (int)i;
  if (len == 0 || len >= THREADS_BDI_LEN || t->nr_dev >= THREADS_MAX_DEVICES ||
      array_reserve(&t->dev, &t->cap_dev, t->nr_dev + 1, sizeof(*t->dev)) != 0) {
    t->full = true;
    return -1;
  }
  struct wb_device *d = &t->dev[t->nr_dev];
  memset(d, 0, sizeof(*d));
  memcpy(d->bdi, bdi, len);
  d->bdi[len] = '\0';
  d->share = -1;
  d->stats.fd = -1;
  for (int i = 0; i < 3; i++)
    d->bdi_ids[i] = -1;
  device_resolve(t, d);
  return (int)t->nr_dev++;
}

int threads_device_share(struct threads *t, int dev) {
  if (dev < 0)
    return -1;
  if (t->dev[dev].share < 0) {
    char ti[SERIES_NAME_LEN];
    snprintf(ti, sizeof(ti), "flush-%s", t->dev[dev].name);
    t->dev[dev].share = threads_share_add(t, ti);
  }
  return t->dev[dev].share;
}

/* --- debugfs ---------------------------------------------------------------*/

static void bdi_track(struct threads *t, struct wb_device *d) {
  static const struct {
    const char *prefix;
    enum series_worst worst;
  } metric[3] = {
      [BDI_WRITEBACK_ID] = {"writeback", SERIES_MAX},
      [BDI_RECLAIMABLE_ID] = {"reclaimable", SERIES_MAX},
      /* A lower limit throttles writers sooner: the least is the worst. */
      [BDI_DIRTY_THRESHOLD_ID] = {"dirty_threshold", SERIES_MIN},
  };
  char rel[THREADS_BDI_LEN + 8];

  snprintf(rel, sizeof(rel), "%s/stats", d->bdi);
  if (procfile_init(&d->stats, t->bdi_root, rel) != 0)
    return;
  for (int i = 0; i < 3; i++) {
    char ti[SERIES_NAME_LEN];
    snprintf(ti, sizeof(ti), "%s-%s", metric[i].prefix, d->name);
    int id = series_add(t->set, THREADS_PLUGIN_INSTANCE, TYPE_BDI, ti,
                        metric[i].worst, SERIES_GAUGE);
    d->bdi_ids[i] = id < 0 ? -1 : id;
  }
  d->bdi_tracked = true;
}

static void bdi_untrack(struct wb_device *d) {
  procfile_destroy(&d->stats);
  d->bdi_tracked = false;
}

/* A device is worth reporting once it holds dirty or writeback pages, or
 * a thread was seen flushing it; idle ones (loop devices, ...) never. */
static bool bdi_active(struct threads *t, const struct wb_device *d) {
  char path[4096], buf[4096];
  struct bdistats bs;

  if (d->share >= 0)
    return true;
  snprintf(path, sizeof(path), "%s/%s/stats", t->bdi_root, d->bdi);
  long n = kfile_read_small(AT_FDCWD, path, buf, sizeof(buf));
  if (n <= 0 || bdistats_parse(&bs, buf, (size_t)n) != 0)
    return false;
  return (bdistats_has(&bs, BDISTATS_WRITEBACK) &&
          bs.kb[BDISTATS_WRITEBACK] > 0) ||
         (bdistats_has(&bs, BDISTATS_RECLAIMABLE) &&
          bs.kb[BDISTATS_RECLAIMABLE] > 0);
}

void threads_bdi_discover(struct threads *t) {
  DIR *dir = opendir(t->bdi_root);
  struct dirent *e;

  if (dir == NULL) {
    t->bdi_err = -errno;
    return;
  }
  t->bdi_err = 0;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    int dev = threads_device(t, e->d_name, strlen(e->d_name));
    if (dev >= 0 && !t->dev[dev].bdi_tracked && bdi_active(t, &t->dev[dev]))
      bdi_track(t, &t->dev[dev]);
  }
  closedir(dir);
}

void threads_bdi_sample(struct threads *t, bool due, bool window_start) {
  for (size_t i = 0; i < t->nr_dev; i++) {
    struct wb_device *d = &t->dev[i];
    struct bdistats bs;

    if (window_start)
      d->bdi_in_window = false;
    /* Each window gets a reading at least. */
    if (!d->bdi_tracked || (!due && d->bdi_in_window))
      continue;
    d->bdi_in_window = true;
    /* A device that went away (or debugfs unmounted): found again by a
     * later discovery if it comes back. */
    if (procfile_read(&d->stats) != 0) {
      bdi_untrack(d);
      continue;
    }
    if (bdistats_parse(&bs, d->stats.buf, d->stats.len) != 0) {
      t->malformed++;
      continue;
    }
    t->malformed += bs.malformed;
    static const enum bdistats_field field[3] = {
        [BDI_WRITEBACK_ID] = BDISTATS_WRITEBACK,
        [BDI_RECLAIMABLE_ID] = BDISTATS_RECLAIMABLE,
        [BDI_DIRTY_THRESHOLD_ID] = BDISTATS_DIRTY_THRESH,
    };
    for (int k = 0; k < 3; k++)
      if (bdistats_has(&bs, field[k]))
        series_gauge(t->set, d->bdi_ids[k], (double)bs.kb[field[k]] * 1024.0);
  }
}
