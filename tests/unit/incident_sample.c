#include "incident_sample.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

const struct sample *incident_sample(struct sampler *s) {
  static char proc[4096];
  snprintf(proc, sizeof(proc), "%s/proc", fixture_path("incident-2.6.39-i686"));
  struct sampler_config sc = {
      .proc_path = proc,
      .sources = (1u << SOURCE_NR) - 1,
      .check = WATERMARK_CHECK_AUTO,
      .orders = {0, 1},
      .nr_orders = 2,
      .page_size = 4096,
  };
  assert_int_equal(sampler_init(s, &sc), 0);
  sampler_read(s, 1.0);
  return &s->sample;
}

char *test_temp_dir(const char *name) {
  char path[256];
  snprintf(path, sizeof(path), "/tmp/lowmem-test-%s-XXXXXX", name);
  char *dir = strdup(path);
  assert_non_null(dir);
  assert_non_null(mkdtemp(dir));
  return dir;
}
