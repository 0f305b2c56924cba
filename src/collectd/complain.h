/* Reporting a source's trouble once, not at every sample.
 *
 * At 10 samples a second a failing file would fill the log; a source's
 * state is reported when it changes: when it starts to fail (or fails
 * differently), when it recovers, and when it starts to have malformed
 * lines. */
#ifndef LOWMEM_COMPLAIN_H
#define LOWMEM_COMPLAIN_H

#include <stdbool.h>

struct complaint {
  int err;        /* last error reported; 0: none */
  bool malformed; /* malformed lines were reported */
};

/* Logs when err differs from the last one reported for this source. */
void complain_source(struct complaint *c, const char *path, const char *key,
                     int err);

/* Logs when a source that read cleanly starts to have malformed lines. */
void complain_malformed(struct complaint *c, const char *path,
                        unsigned malformed);

#endif
