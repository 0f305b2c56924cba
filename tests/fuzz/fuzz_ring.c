/* A ring file through lowmem-dump, composite: the input is a ring file
 * (src/recorder/ring.h) as a collectd that died may leave it, damaged or
 * forged. lowmem-dump itself runs on it (tools/lowmem-dump.c, compiled in
 * here with its main renamed): ring_open and its checks, the records read
 * out of the mapping, the incident writer (src/recorder/incident.c),
 * written atomically with -o. Whatever the ring holds, the tool either
 * refuses it, leaving no file behind, or writes JSON that a strict reader
 * takes. -s 60 keeps the last minute, so the window's arithmetic runs on
 * the ring's times too. */
#include <getopt.h>

#include "fuzz_files.h"

int lowmem_dump_main(int argc, char **argv);
#define main lowmem_dump_main
#include "../../tools/lowmem-dump.c"
#undef main

/* Names in the scratch directory: what must be there afterwards. */
static bool only_files(const char *a, const char *b) {
  DIR *d = opendir(fuzz_dir());
  bool ok = true;
  FUZZ_CHECK(d != NULL);
  for (struct dirent *de; (de = readdir(d)) != NULL;)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
        strcmp(de->d_name, a) != 0 && (b == NULL || strcmp(de->d_name, b) != 0))
      ok = false;
  closedir(d);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char ring[PATH_MAX], out[PATH_MAX];
  fuzz_path(ring, sizeof(ring), "lowmem.ring");
  fuzz_path(out, sizeof(out), "incident.json");

  fuzz_write_file(ring, data, size);
  unlink(out);
  char *argv[] = {"lowmem-dump", "-s", "60", "-o", out, ring, NULL};
  optind = 0; /* getopt starts again (glibc) */
  quiet_begin();
  int rc = lowmem_dump_main(6, argv);
  quiet_end();

  FUZZ_CHECK(rc == 0 || rc == 1);
  if (rc != 0) {
    /* Refused: no incident file, and no temporary file either. */
    FUZZ_CHECK(only_files("lowmem.ring", NULL));
    return 0;
  }
  FUZZ_CHECK(only_files("lowmem.ring", "incident.json"));
  size_t len;
  char *json = fuzz_read_file(out, &len);
  fuzz_check_json(json, len);
  free(json);
  return 0;
}
