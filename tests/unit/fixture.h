/* Test helpers: read a file of a fixture tree into memory. */
#ifndef LOWMEM_TEST_FIXTURE_H
#define LOWMEM_TEST_FIXTURE_H

#include <stddef.h>

/* FIXTURES_DIR/<tree>/<rel>, whole, NUL-terminated (len excludes the NUL).
 * Fails the test when the file cannot be read. Free with free(). */
char *fixture_read(const char *tree, const char *rel, size_t *len);

/* The path FIXTURES_DIR/<tree> (static buffer). */
const char *fixture_path(const char *tree);

#endif
