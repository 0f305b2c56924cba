#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

const char *fixture_path(const char *tree) {
  static char path[4096];
  snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, tree);
  return path;
}

char *fixture_read(const char *tree, const char *rel, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s/%s", FIXTURES_DIR, tree, rel);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    fail_msg("cannot open fixture %s", path);
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (;;) {
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (n < cap - 1)
      break;
    cap *= 2;
    buf = realloc(buf, cap);
    assert_non_null(buf);
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}
