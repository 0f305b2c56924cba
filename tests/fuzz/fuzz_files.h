/* What the composite targets share: a private scratch directory for the
 * files the code under test opens by name, reading a descriptor back, and
 * the check that an incident record is JSON a strict reader takes. */
#ifndef LOWMEM_FUZZ_FILES_H
#define LOWMEM_FUZZ_FILES_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "fuzz.h"

static char fuzz_dir_path[PATH_MAX];

static inline void fuzz_dir_empty(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  for (struct dirent *de; (de = readdir(d)) != NULL;) {
    char path[PATH_MAX * 2];
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
        sizeof(path))
      continue;
    if (unlink(path) != 0 && errno == EISDIR) {
      fuzz_dir_empty(path);
      rmdir(path);
    }
  }
  closedir(d);
}

static inline void fuzz_dir_remove(void) {
  if (fuzz_dir_path[0]) {
    fuzz_dir_empty(fuzz_dir_path);
    rmdir(fuzz_dir_path);
  }
}

/* A directory of this process alone, removed at exit: under TMPDIR, or
 * /dev/shm (memory: the targets write files at every input), or /tmp. */
static inline const char *fuzz_dir(void) {
  if (fuzz_dir_path[0])
    return fuzz_dir_path;
  const char *base = getenv("TMPDIR");
  struct stat st;
  if (base == NULL || base[0] == '\0')
    base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                   access("/dev/shm", W_OK) == 0
               ? "/dev/shm"
               : "/tmp";
  snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/lowmem-fuzz-XXXXXX",
           base);
  FUZZ_CHECK(mkdtemp(fuzz_dir_path) != NULL);
  atexit(fuzz_dir_remove);
  return fuzz_dir_path;
}

/* dir/name, in a static buffer per call site's choice of buf. */
static inline const char *fuzz_path(char *buf, size_t cap, const char *name) {
  FUZZ_CHECK((size_t)snprintf(buf, cap, "%s/%s", fuzz_dir(), name) < cap);
  return buf;
}

static inline void fuzz_write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    FUZZ_CHECK(n > 0);
    p += n;
    len -= (size_t)n;
  }
}

/* Replaces the file at path with data (a new inode each time would look
 * like a rotated log: the caller truncates when it means to). */
static inline void fuzz_write_file(const char *path, const void *data,
                                   size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FUZZ_CHECK(fd >= 0);
  fuzz_write_all(fd, data, len);
  close(fd);
}

/* The whole of fd from offset 0 (free() it); *len bytes, NUL after. */
static inline char *fuzz_read_fd(int fd, size_t *len) {
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  FUZZ_CHECK(buf != NULL);
  for (;;) {
    ssize_t got = pread(fd, buf + n, cap - n - 1, (off_t)n);
    FUZZ_CHECK(got >= 0);
    if (got == 0)
      break;
    n += (size_t)got;
    if (n + 1 == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      FUZZ_CHECK(buf != NULL);
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static inline char *fuzz_read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  char *buf = fuzz_read_fd(fd, len);
  close(fd);
  return buf;
}

/* Strict UTF-8 (RFC 3629): no overlong form, no surrogate, nothing above
 * U+10FFFF. Written here rather than taken from the code under test, which
 * has its own. */
static inline bool fuzz_utf8_ok(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

/* An incident record: one JSON document that yajl's parser takes whole
 * (strings checked as UTF-8 by yajl too), strict UTF-8 throughout, and
 * no '<', '>' or '&' but escaped, as json.h promises (a page embedding
 * the file reads it as data). */
static inline void fuzz_check_json(const char *buf, size_t len) {
  /* To see what a target wrote: FUZZ_SHOW_JSON=1 replay-TARGET FILE. */
  if (getenv("FUZZ_SHOW_JSON"))
    fwrite(buf, 1, len, stderr);
  yajl_handle h = yajl_alloc(NULL, NULL, NULL);
  FUZZ_CHECK(h != NULL);
  yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  if (st != yajl_status_ok) {
    unsigned char *why = yajl_get_error(h, 1, (const unsigned char *)buf, len);
    fprintf(stderr, "not JSON: %s\n", why ? (const char *)why : "?");
    yajl_free_error(h, why);
  }
  yajl_free(h);
  FUZZ_CHECK(st == yajl_status_ok);
  FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)buf, len));
  FUZZ_CHECK(memchr(buf, '<', len) == NULL && memchr(buf, '>', len) == NULL &&
             memchr(buf, '&', len) == NULL);
}

/* Under libFuzzer, messages the code under test prints for each bad input
 * would fill the log: quiet_begin() sends stderr to /dev/null until
 * quiet_end(), while the sanitizers keep reporting to the real stderr.
 * The replay driver, with few inputs, keeps everything. */
#ifdef FUZZ_LIBFUZZER
void __sanitizer_set_report_fd(void *fd);
static int fuzz_stderr = -1, fuzz_null = -1;
static inline void quiet_begin(void) {
  if (fuzz_stderr < 0) {
    fuzz_stderr = fcntl(2, F_DUPFD_CLOEXEC, 3);
    fuzz_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    FUZZ_CHECK(fuzz_stderr >= 0 && fuzz_null >= 0);
    __sanitizer_set_report_fd((void *)(intptr_t)fuzz_stderr);
  }
  dup2(fuzz_null, 2);
}
static inline void quiet_end(void) { dup2(fuzz_stderr, 2); }
#else
static inline void quiet_begin(void) {}
static inline void quiet_end(void) {}
#endif

#endif
