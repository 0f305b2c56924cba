/* Shared between the files of src/threads/; not an interface. */
#ifndef LOWMEM_THREADS_INTERNAL_H
#define LOWMEM_THREADS_INTERNAL_H

#include <stddef.h>

#include "threads.h"

/* The share of series thread_cpu-<type_instance>: its index in t->shares,
 * or -1. */
int threads_share_add(struct threads *t, const char *type_instance);

/* The index of the device the kernel calls bdi ("254:0"), added (and its
 * name resolved through sysfs, once) when new; -1 past the limit. */
int threads_device(struct threads *t, const char *bdi, size_t len);

/* The share of thread_cpu-flush-<name> of device dev, added when new. */
int threads_device_share(struct threads *t, int dev);

/* DEVNAME= of a sysfs uevent file, '/' turned to '_' ("cciss/c0d0").
 * False when the file has none or it does not fit in cap. */
bool threads_uevent_devname(const char *buf, size_t len, char *name,
                            size_t cap);

/* Lists the bdi root: devices that have (or had) dirty or writeback
 * pages, or a flush share, have their stats read each sample from now
 * on. Sets t->bdi_err. */
void threads_bdi_discover(struct threads *t);

/* Reads the stats of every tracked device into the window: all of them
 * when due, else those with no value in the window yet (a window just
 * began), so that each window has one. */
void threads_bdi_sample(struct threads *t, bool due, bool window_start);

/* Finds kernel threads and devices; called by threads_sample. */
void threads_discover(struct threads *t);

/* Closes and forgets t->kt[i] (the last one takes its place). */
void threads_drop(struct threads *t, size_t i);

#endif
