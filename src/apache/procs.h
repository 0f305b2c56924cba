/* The web server's processes: found by name, then followed by pid.
 *
 * Walking all of /proc is what makes a process monitor expensive, so it is
 * done rarely (procs_discover: every comm under ProcPath). In between, the
 * known processes are read by pid (stat for the name and threads, statm
 * for the RSS); one that is gone, or renamed, is dropped. Children forked
 * since (prefork starts and retires them all day) are found through their
 * parent's task/<pid>/children file where the kernel has one (3.5+ with
 * CONFIG_PROC_CHILDREN); elsewhere they wait for the next discovery.
 *
 * A master is a matching process whose parent does not match (Apache's
 * first process); its descriptors hold the listening sockets that every
 * child inherits, so only masters are looked at for socket inodes. */
#ifndef LOWMEM_PROCS_H
#define LOWMEM_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROCS_MAX_NAMES 16
#define PROCS_NAME_LEN 16 /* the kernel's TASK_COMM_LEN */

struct procs_task {
  int pid;
  int ppid; /* at discovery */
  bool master;
  uint64_t starttime;
};

struct procs_sample {
  uint64_t count;
  uint64_t threads;
  uint64_t rss_total, rss_max; /* bytes */
};

struct procs {
  char names[PROCS_MAX_NAMES][PROCS_NAME_LEN];
  size_t nr_names;
  char *proc_path;
  int proc_fd; /* ProcPath, kept open; -1 until needed */
  uint64_t page_size;

  struct procs_task *tasks; /* ascending pid */
  size_t nr, cap;
  bool no_children; /* this kernel has no task/<pid>/children */
  bool master_lost; /* a master has gone: discover again soon */

  uint64_t *inodes; /* procs_socket_inodes: ascending */
  size_t nr_inodes, inodes_cap;
  int fd_err; /* first error reading a master's fd directory */

  char *buf; /* file contents; grows for long children files */
  size_t buf_cap;
  char *dents; /* getdents64 buffer */
};

/* names: comm values (at most 15 characters). Returns 0 or -ENOMEM. */
int procs_init(struct procs *p, const char *proc_path,
               const char (*names)[PROCS_NAME_LEN], size_t nr_names,
               uint64_t page_size);
void procs_destroy(struct procs *p);

/* Every process under ProcPath whose comm is one of the names becomes the
 * known set. Returns 0 or -errno when ProcPath cannot be listed. */
int procs_discover(struct procs *p);

/* Adds the matching children of the masters that are not known yet. */
void procs_adopt_children(struct procs *p);

/* Reads each known process; drops the ones that have gone. */
void procs_sample(struct procs *p, struct procs_sample *out);

/* The socket inodes open in the masters (fd/N -> "socket:[inode]"), into
 * p->inodes. Returns 0, or the -errno of the first fd directory that could
 * not be read (-EACCES: not root), also in p->fd_err. */
int procs_socket_inodes(struct procs *p);

#endif
