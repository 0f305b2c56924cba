/* Following the kernel log from where it stands at start.
 *
 * /dev/kmsg (3.5+): opened O_RDONLY|O_NONBLOCK and moved to its end, so
 * that only what the kernel logs from now on is read; each read() returns
 * one record; EAGAIN means nothing more for now; EPIPE means records were
 * overwritten before they could be read (reading goes on with the oldest
 * one left). How many is the gap in sequence numbers between the last
 * record read and the next one, counted in `lost`; `overruns` counts the
 * EPIPEs. Records a process wrote (facility other than kern) are skipped.
 * Another character device (/dev/null, a tty) is refused: /dev/kmsg is
 * the one of major 1, minor 11 (drivers/char/mem.c).
 *
 * A log file (kernels before 3.5), one fed by the kern facility alone
 * (see kmsg.h: a line's header cannot tell the kernel from `logger`):
 * opened at its end and followed like tail -F: new lines are read as they
 * are appended, a partial last line waits for its newline, and a file that
 * is replaced (rotated) or truncated is read again from its start. */
#ifndef LOWMEM_KERNLOG_H
#define LOWMEM_KERNLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../sources/kmsg.h"

/* CONSOLE_EXT_LOG_MAX: a /dev/kmsg record fits in 8 KiB. */
#define KERNLOG_RECORD_MAX 8192
/* /dev/kmsg's device number (drivers/char/mem.c devlist: "kmsg", minor 11
 * of the mem major). */
#define KERNLOG_KMSG_MAJOR 1
#define KERNLOG_KMSG_MINOR 11
/* A log file is read at most this much per call. */
#define KERNLOG_FILE_CHUNK 65536

enum kernlog_mode { KERNLOG_OFF, KERNLOG_KMSG, KERNLOG_FILE };

struct kernlog {
  enum kernlog_mode mode;
  char *path;
  int fd;
  char *buf;
  size_t cap;
  size_t start, len; /* file: unread bytes are buf[start, len) */
  off_t pos;         /* file: offset of buf[len] */
  dev_t dev;
  ino_t ino;
  /* /dev/kmsg: records overwritten before being read, from the gaps in
   * sequence numbers. An EPIPE before the first record read since open
   * has no sequence number to count from: it is in overruns alone. */
  unsigned long lost;
  unsigned long overruns; /* EPIPEs: the ring overtook the reader */
  bool has_seq;
  uint64_t seq;           /* of the last record read */
  unsigned long too_long; /* file lines longer than a chunk, skipped */
  unsigned long records;  /* records handed out */
  unsigned long foreign;  /* /dev/kmsg records a process wrote, skipped */
};

typedef void (*kernlog_fn)(void *arg, const struct kmsg_record *r);

/* Opens path at its end: /dev/kmsg (the character device 1:11, under any
 * name) record by record, a regular file as a log file. Returns 0 or
 * -errno: -ENOTSUP for anything else (a directory, another character
 * device such as /dev/null or a tty). */
int kernlog_open(struct kernlog *kl, const char *path);

/* Hands fn every record logged since the last call, at most max of them
 * (the rest wait for the next call). Returns how many, or -errno on an
 * error of the device or file (which stays open to be tried again). */
int kernlog_read(struct kernlog *kl, unsigned max, kernlog_fn fn, void *arg);

void kernlog_close(struct kernlog *kl);

#endif
