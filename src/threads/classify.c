#include "classify.h"

#include <string.h>

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads a decimal of up to 9 digits at *s; false when there is none. */
static bool read_unsigned(const char **s, unsigned *out) {
  const char *p = *s;
  unsigned v = 0;
  int n = 0;

  while (*p >= '0' && *p <= '9' && n < 9) {
    v = v * 10 + (unsigned)(*p - '0');
    p++;
    n++;
  }
  if (n == 0 || (*p >= '0' && *p <= '9'))
    return false;
  *s = p;
  *out = v;
  return true;
}

/* "kswapd0", "kswapd1:2", "kcompactd0": the node after the prefix. */
static bool node_thread(const char *comm, const char *prefix, bool sub,
                        unsigned *node) {
  const char *p = comm + strlen(prefix);
  unsigned sub_id;

  if (!starts_with(comm, prefix) || !read_unsigned(&p, node))
    return false;
  if (sub && *p == ':') {
    p++;
    if (!read_unsigned(&p, &sub_id))
      return false;
  }
  return *p == '\0';
}

/* The "+desc" / "-desc" a workqueue worker's name ends with (4.18+). */
static void worker_desc(const char *p, struct kthread_name *kn) {
  if ((*p != '+' && *p != '-') || !starts_with(p + 1, "flush-") ||
      p[7] == '\0')
    return;
  kn->bdi = p + 7;
  kn->bdi_len = strlen(kn->bdi);
  kn->running = *p == '+';
}

/* "kworker/uN:M" (4.x on) or "kworker/u:M" (3.x): the part after the
 * worker's id, or NULL when comm is not an unbound worker. */
static const char *unbound_worker(const char *comm) {
  const char *p = comm + strlen("kworker/u");
  unsigned id;

  if (!starts_with(comm, "kworker/u"))
    return NULL;
  if (*p != ':' && !read_unsigned(&p, &id))
    return NULL;
  if (*p++ != ':' || !read_unsigned(&p, &id))
    return NULL;
  return p;
}

/* The writeback workqueue's rescuer: "writeback" before 6.9's
 * "kworker/R-writeback"; both may carry a description. */
static const char *writeback_rescuer(const char *comm) {
  static const char *const names[] = {"writeback", "kworker/R-writeback"};

  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    size_t n = strlen(names[i]);
    if (strncmp(comm, names[i], n) == 0 &&
        (comm[n] == '\0' || comm[n] == '+' || comm[n] == '-'))
      return comm + n;
  }
  return NULL;
}

void kthread_name_parse(const char *comm, struct kthread_name *kn) {
  const char *rest;

  memset(kn, 0, sizeof(*kn));
  if (node_thread(comm, "kswapd", true, &kn->node)) {
    kn->class = KTHREAD_KSWAPD;
  } else if (node_thread(comm, "kcompactd", false, &kn->node)) {
    kn->class = KTHREAD_KCOMPACTD;
  } else if (starts_with(comm, "flush-") && comm[6] != '\0') {
    kn->class = KTHREAD_FLUSH;
    kn->bdi = comm + 6;
    kn->bdi_len = strlen(kn->bdi);
    kn->running = true;
  } else if ((rest = unbound_worker(comm)) != NULL ||
             (rest = writeback_rescuer(comm)) != NULL) {
    kn->class = KTHREAD_UNBOUND;
    worker_desc(rest, kn);
  }
}

bool bdi_name_devt(const char *name, size_t len, unsigned *major,
                   unsigned *minor) {
  char buf[24];
  const char *p = buf;

  if (len == 0 || len >= sizeof(buf))
    return false;
  memcpy(buf, name, len);
  buf[len] = '\0';
  return read_unsigned(&p, major) && *p++ == ':' && read_unsigned(&p, minor) &&
         *p == '\0';
}
