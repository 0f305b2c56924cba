/* oom-victim: grow an allocation until the memory cgroup it runs in is out
 * of memory and the kernel's OOM killer ends it.
 *
 *   oom-victim MAX_MB STEP_MS
 *
 * Prints "pid N" first, then maps and writes one MiB every STEP_MS
 * milliseconds, at most MAX_MB of them: a bound, so that run outside a
 * cgroup by mistake it stops by itself. Exits 0 when it reached MAX_MB
 * alive (the limit was not hit), 2 on a usage error; killed, it exits by
 * SIGKILL, which is what the caller looks for. Run it only inside a memory
 * cgroup with a hard limit well under MAX_MB. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { MAX_MB_BOUND = 4096, MAX_STEP_MS = 10000, MIB = 1 << 20 };

static long parse_arg(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  return v;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: oom-victim MAX_MB STEP_MS\n");
    return 2;
  }
  long max_mb = parse_arg(argv[1], 1, MAX_MB_BOUND);
  long step_ms = parse_arg(argv[2], 0, MAX_STEP_MS);
  if (max_mb < 0 || step_ms < 0) {
    fprintf(stderr, "oom-victim: MAX_MB 1..%d, STEP_MS 0..%d\n", MAX_MB_BOUND,
            MAX_STEP_MS);
    return 2;
  }
  printf("pid %ld\n", (long)getpid());
  fflush(stdout);

  for (long mb = 0; mb < max_mb; mb++) {
    char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      fprintf(stderr, "oom-victim: mmap: %s\n", strerror(errno));
      return 1;
    }
    /* Non-zero, so every page is really charged to the cgroup. */
    memset(p, 0x5a, MIB);
    sleep_ms(step_ms);
  }
  return 0;
}
