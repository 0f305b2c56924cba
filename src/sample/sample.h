/* One sample: every source's last parse (sources.h). A source read at an
 * interval of its own keeps its values between two reads: `ok` says they
 * hold, `fresh` that they were read at this tick. */
#ifndef LOWMEM_SAMPLE_H
#define LOWMEM_SAMPLE_H

#include "sources.h"

/* Orders for which headroom is worked out ("Orders 0 1" by default). */
#define SAMPLER_MAX_ORDERS 16

struct sample {
  unsigned ok;        /* bit per source whose values hold */
  unsigned fresh;     /* bit per source read and parsed at this tick */
  int err[SOURCE_NR]; /* 0, or -errno of the source's last read or parse */
#define SAMPLE_MEMBER(ID, name, key, file, max, interval, denied, missing)    \
  struct name name;
  LOWMEM_SOURCES(SAMPLE_MEMBER)
#undef SAMPLE_MEMBER
};

#endif
