/* What every fuzz target shares: the entry point libFuzzer (and replay.c)
 * calls, and a check that fails loudly.
 *
 * A target gets exactly `size` bytes in a buffer of that size, with no NUL
 * after them, as the parsers get a pread() buffer: reading one byte too far
 * is an ASan report, not luck. */
#ifndef LOWMEM_FUZZ_H
#define LOWMEM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test (a parser's invariant, JSON that
 * does not parse back): abort, which libFuzzer reports as a crash and
 * keeps the input of. */
#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,       \
              #cond);                                                          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* True when s[0..cap) holds a NUL: a fixed-size name field is a string. */
static inline int fuzz_terminated(const char *s, size_t cap) {
  for (size_t i = 0; i < cap; i++)
    if (s[i] == '\0')
      return 1;
  return 0;
}

#endif
