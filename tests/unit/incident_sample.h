/* Test helpers shared by the recorder's tests: a sample of the incident's
 * fixture tree, and a temporary directory. */
#ifndef LOWMEM_TEST_INCIDENT_SAMPLE_H
#define LOWMEM_TEST_INCIDENT_SAMPLE_H

#include "sample/sampler.h"

/* s initialised over the incident's tree (2.6.39, i686; every source,
 * orders 0 and 1) and read once: its sample. sampler_destroy(s) after. */
const struct sample *incident_sample(struct sampler *s);

/* A new directory /tmp/lowmem-test-<name>-XXXXXX; free() the path. */
char *test_temp_dir(const char *name);

#endif
