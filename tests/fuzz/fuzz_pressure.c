/* /proc/pressure/memory (src/sources/pressure.c): a line is present only
 * when read whole, and its averages are finite percentages' worth of
 * numbers (never negative, never NaN: they go into JSON and RRD files). */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "sources/pressure.h"

static void check_line(const struct psi_line *l) {
  if (!l->present)
    return;
  FUZZ_CHECK(isfinite(l->avg10) && l->avg10 >= 0);
  FUZZ_CHECK(isfinite(l->avg60) && l->avg60 >= 0);
  FUZZ_CHECK(isfinite(l->avg300) && l->avg300 >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct pressure ps;

  int rc = pressure_parse(&ps, (const char *)data, size);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  FUZZ_CHECK((rc == 0) == (ps.some.present || ps.full.present));
  check_line(&ps.some);
  check_line(&ps.full);
  return 0;
}
