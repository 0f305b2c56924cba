/* alloc-dip: take SIZE_MB of memory for HOLD_MS, REPEATS times, GAP_MS
 * apart, so a short dip in free memory can be looked for in what collectd
 * recorded.
 *
 *   alloc-dip SIZE_MB HOLD_MS REPEATS GAP_MS
 *
 * Each repeat maps SIZE_MB of anonymous memory, writes every page (so the
 * kernel really hands the pages out), holds them, unmaps them (so they go
 * back to the free lists at once, which free() does not promise), and
 * prints
 *
 *   dip START_MS END_MS FREE_BEFORE FREE_HELD FREE_HELD_END FREE_AFTER
 *       NORMAL_BEFORE NORMAL_HELD NORMAL_HELD_END NORMAL_AFTER
 *
 * (one line): wall-clock milliseconds since the epoch from just before the
 * mapping to just after the unmapping, then the kernel's own count of free
 * memory in bytes, MemFree of /proc/meminfo and node 0 Normal's free pages
 * of /proc/zoneinfo (-1 where there is none), read just before the
 * mapping, when the pages are written, at the end of the hold and just
 * after the unmapping. On a busy machine others take and give memory too:
 * those counts say how deep the dip really was. Run it inside a memory
 * cgroup with a hard limit: it must not be able to exhaust the machine. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Bounds that keep a mistyped argument from running for hours or asking
 * for more than a test machine holds. */
enum {
  MAX_SIZE_MB = 65536,
  MAX_HOLD_MS = 60000,
  MAX_REPEATS = 100,
  MAX_GAP_MS = 60000,
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* MemFree of /proc/meminfo in bytes, or -1. */
static long long meminfo_free(void) {
  FILE *f = fopen("/proc/meminfo", "re");
  char line[256];
  long long kb = -1;

  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL)
    if (sscanf(line, "MemFree: %lld kB", &kb) == 1)
      break;
  fclose(f);
  return kb < 0 ? -1 : kb * 1024;
}

/* The free pages of node 0's Normal zone in /proc/zoneinfo, in bytes, or
 * -1. */
static long long normal_free(void) {
  FILE *f = fopen("/proc/zoneinfo", "re");
  char line[256], zone[32];
  long long pages = -1;
  bool in_normal = false;
  int node;

  if (f == NULL)
    return -1;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (sscanf(line, "Node %d, zone %31s", &node, zone) == 2) {
      in_normal = node == 0 && strcmp(zone, "Normal") == 0;
      continue;
    }
    if (in_normal && sscanf(line, " pages free %lld", &pages) == 1)
      break;
  }
  fclose(f);
  return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

/* A whole number from lo to hi, or -1. */
static long parse_arg(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  return v;
}

/* One dip; returns 0 or -1 when the memory could not be mapped. */
static int dip(size_t bytes, long hold_ms) {
  long long free0 = meminfo_free(), normal0 = normal_free();
  int64_t start = now_ms();
  char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    fprintf(stderr, "alloc-dip: mmap of %zu bytes: %s\n", bytes,
            strerror(errno));
    return -1;
  }
  /* Non-zero, so no page can stay the shared zero page. */
  memset(p, 0x5a, bytes);
  long long free1 = meminfo_free(), normal1 = normal_free();
  sleep_ms(hold_ms);
  long long free2 = meminfo_free(), normal2 = normal_free();
  munmap(p, bytes);
  int64_t end = now_ms();
  long long free3 = meminfo_free(), normal3 = normal_free();
  printf("dip %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld\n",
         (long long)start, (long long)end, free0, free1, free2, free3, normal0,
         normal1, normal2, normal3);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: alloc-dip SIZE_MB HOLD_MS REPEATS GAP_MS\n");
    return 2;
  }
  long size_mb = parse_arg(argv[1], 1, MAX_SIZE_MB);
  long hold_ms = parse_arg(argv[2], 0, MAX_HOLD_MS);
  long repeats = parse_arg(argv[3], 1, MAX_REPEATS);
  long gap_ms = parse_arg(argv[4], 0, MAX_GAP_MS);
  if (size_mb < 0 || hold_ms < 0 || repeats < 0 || gap_ms < 0) {
    fprintf(stderr,
            "alloc-dip: SIZE_MB 1..%d, HOLD_MS 0..%d, REPEATS 1..%d, "
            "GAP_MS 0..%d\n",
            MAX_SIZE_MB, MAX_HOLD_MS, MAX_REPEATS, MAX_GAP_MS);
    return 2;
  }

  size_t bytes = (size_t)size_mb << 20;
  for (long r = 0; r < repeats; r++) {
    if (dip(bytes, hold_ms) != 0)
      return 1;
    if (r + 1 < repeats)
      sleep_ms(gap_ms);
  }
  return 0;
}
