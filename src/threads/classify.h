/* Which kernel threads do writeback and reclaim, told by their names.
 *
 *   kswapdN, kswapdN:M     background reclaim of node N (":M" where a
 *                          kernel runs several per node)
 *   kcompactdN             background compaction of node N (4.6+)
 *   flush-MAJ:MIN          the writeback thread of one device, 2.6.32 to
 *                          3.9 ("flush-0:17", also "flush-btrfs-1")
 *   kworker/uN:M[+-desc]   a worker of the unbound workqueues, where
 *                          writeback runs since 3.10. Since 4.18 the name
 *                          carries the latest work's description: "+desc"
 *                          while it runs, "-desc" after; writeback's is
 *                          "flush-MAJ:MIN" ("kworker/u8:2+flush-254:0")
 *   writeback[+-desc], kworker/R-writeback[+-desc]
 *                          the rescuer of the writeback workqueue, which
 *                          does its work when no worker can be created
 *                          (under memory pressure)
 *
 * Only kernel threads are matched (the caller checks PF_KTHREAD): a user
 * process may call itself anything. */
#ifndef LOWMEM_THREADS_CLASSIFY_H
#define LOWMEM_THREADS_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

enum kthread_class {
  KTHREAD_OTHER,     /* not one of ours */
  KTHREAD_KSWAPD,    /* node */
  KTHREAD_KCOMPACTD, /* node */
  KTHREAD_FLUSH,     /* a device's own writeback thread (2.6.32 - 3.9) */
  KTHREAD_UNBOUND,   /* unbound workqueue worker, or writeback rescuer */
};

struct kthread_name {
  enum kthread_class class;
  unsigned node;   /* KSWAPD, KCOMPACTD */
  const char *bdi; /* the device the name says is flushed, inside the
                      name ("254:0"); NULL when none */
  size_t bdi_len;
  bool running; /* the flush is running now: a flush thread, or "+flush-" */
};

/* Classifies comm (NUL-terminated, as taskstat_parse gives it). */
void kthread_name_parse(const char *comm, struct kthread_name *kn);

/* MAJ:MIN of a device named "254:0"; false for other names ("btrfs-1"). */
bool bdi_name_devt(const char *name, size_t len, unsigned *major,
                   unsigned *minor);

#endif
