/* /proc/pressure/memory (PSI, 4.20+ with CONFIG_PSI, and psi=1 where it is
 * off by default):
 *   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * The cpu file prints "full" only since 5.13; the memory file has both. */
#ifndef LOWMEM_PRESSURE_H
#define LOWMEM_PRESSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct psi_line {
  bool present;
  double avg10, avg60, avg300; /* percent */
  uint64_t total;              /* microseconds stalled since boot */
};

struct pressure {
  struct psi_line some, full;
  unsigned malformed;
};

/* Returns 0, or -EINVAL when neither line could be read. */
int pressure_parse(struct pressure *ps, const char *buf, size_t len);

/* Nothing to free: every source has a _free (sample/sources.h). */
static inline void pressure_free(struct pressure *x) { (void)x; }

#endif
