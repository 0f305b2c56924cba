/* Runs files through a fuzz target's LLVMFuzzerTestOneInput, without
 * libFuzzer: what `make check` does with the regression inputs and seeds
 * of each target, so that they run under the normal compiler (and under
 * ASan and UBSan in a sanitizer build) like any unit test.
 *
 *   replay-TARGET [FILE|DIR]...
 *
 * Without arguments: the fixture files that tests/fuzz/fixtures lists for
 * TARGET, then every file of FUZZ_DIR/regress/TARGET and
 * FUZZ_DIR/seeds/TARGET. Files run in name order, so a run is the same
 * every time. Exit status 0, 77 (skipped) when there was no input at all,
 * 1 when a file cannot be read; a failing input aborts. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET names the target: -DFUZZ_TARGET='\"zoneinfo\"'"
#endif
#ifndef FUZZ_DIR
#error "FUZZ_DIR is the tests/fuzz directory of the source tree"
#endif
#ifndef FIXTURES_DIR
#error "FIXTURES_DIR is the tests/fixtures directory of the source tree"
#endif

static unsigned inputs;

/* The whole file in a buffer of exactly its size: a parser that reads past
 * the end of its input reads past the end of the allocation. */
static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (buf == NULL) {
      fprintf(stderr, "replay: %s: out of memory\n", path);
      fclose(f);
      return -1;
    }
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    cap *= 2;
    uint8_t *bigger = realloc(buf, cap);
    if (bigger == NULL)
      free(buf);
    buf = bigger;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    fprintf(stderr, "replay: %s: read error\n", path);
    free(buf);
    return -1;
  }
  uint8_t *exact = malloc(len ? len : 1);
  if (exact == NULL) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  /* Said before the run: if it aborts, the log names the input. */
  printf("%s (%zu bytes)\n", path, len);
  fflush(stdout);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  inputs++;
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files (not README, not hidden), in name order. */
static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : -1;
  char **names = NULL;
  size_t nr = 0, cap = 0;
  int rc = 0;
  for (struct dirent *de; (de = readdir(d)) != NULL;) {
    if (de->d_name[0] == '.' || strncmp(de->d_name, "README", 6) == 0)
      continue;
    if (nr == cap) {
      cap = cap ? cap * 2 : 64;
      char **v = realloc(names, cap * sizeof(*v));
      if (v == NULL) {
        rc = -1;
        break;
      }
      names = v;
    }
    if ((names[nr] = strdup(de->d_name)) == NULL) {
      rc = -1;
      break;
    }
    nr++;
  }
  closedir(d);
  if (nr > 1)
    qsort(names, nr, sizeof(*names), by_name);
  for (size_t i = 0; i < nr && rc == 0; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
      rc = run_file(path);
  }
  for (size_t i = 0; i < nr; i++)
    free(names[i]);
  free(names);
  return rc;
}

static int run_path(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
    return -1;
  }
  return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

/* The fixtures of TARGET: its line of FUZZ_DIR/fixtures, "TARGET PATTERN
 * ...", each pattern under FIXTURES_DIR. */
static int run_fixtures(void) {
  FILE *f = fopen(FUZZ_DIR "/fixtures", "r");
  char line[4096];
  int rc = 0;

  if (f == NULL) {
    fprintf(stderr, "replay: %s: %s\n", FUZZ_DIR "/fixtures", strerror(errno));
    return -1;
  }
  while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
    char *save, *word = strtok_r(line, " \t\n", &save);
    if (word == NULL || word[0] == '#' || strcmp(word, FUZZ_TARGET) != 0)
      continue;
    while (rc == 0 && (word = strtok_r(NULL, " \t\n", &save)) != NULL) {
      char pattern[4096];
      glob_t g;
      snprintf(pattern, sizeof(pattern), "%s/%s", FIXTURES_DIR, word);
      if (glob(pattern, 0, NULL, &g) != 0)
        continue; /* no such file: nothing to run */
      for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        struct stat st;
        if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
          rc = run_file(g.gl_pathv[i]);
      }
      globfree(&g);
    }
  }
  fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  int rc = 0;

  if (argc > 1) {
    for (int i = 1; i < argc && rc == 0; i++)
      rc = run_path(argv[i]);
  } else {
    rc = run_fixtures();
    if (rc == 0)
      rc = run_dir(FUZZ_DIR "/regress/" FUZZ_TARGET);
    if (rc == 0)
      rc = run_dir(FUZZ_DIR "/seeds/" FUZZ_TARGET);
  }
  if (rc != 0)
    return 1;
  printf("replay-%s: %u inputs\n", FUZZ_TARGET, inputs);
  if (inputs == 0) {
    printf("SKIP: no input for %s\n", FUZZ_TARGET);
    return 77;
  }
  return 0;
}
