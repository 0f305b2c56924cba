/* Saying a thing once: at 10 samples a second a state that lasts must not
 * fill the log. A state is told when it changes: when trouble starts (or
 * changes), and when it ends. */
#ifndef LOWMEM_SAY_H
#define LOWMEM_SAY_H

#include <stdbool.h>

/* True when now differs from *last, which takes now: the moment to say
 * it. */
static inline bool say_changed(int *last, int now) {
  if (now == *last)
    return false;
  *last = now;
  return true;
}

/* When err (0 or -errno) differs from *last: "lowmem plugin: cannot WHAT
 * (strerror): ADVICE." as a warning (a notice for -ENOENT: a file missing
 * under ProcPath, a saved tree or a container's view, is no fault), or
 * "lowmem plugin: can WHAT again." when it is 0. */
void say_err(int *last, int err, const char *what, const char *advice);

#endif
