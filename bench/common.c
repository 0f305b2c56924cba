/* The benchmark programs' shared helpers (see common.h).
 *
 * malloc, calloc and realloc are defined here over glibc's __libc_ entry
 * points, so the heap calls a path makes once warm can be counted. They
 * live in this one object so that each program defines them once. */
#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long heap_calls; /* malloc + calloc + realloc */

#if BENCH_COUNTS_HEAP
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t nmemb, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

/* glibc lets a program replace these four; its other entry points
 * (memalign, strdup, ...) allocate from the same heap, strdup through the
 * malloc defined here. Relaxed atomics: some programs allocate from more
 * than one thread, and only the total matters. */
void *malloc(size_t size) {
  __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED);
  return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size) {
  __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED);
  return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size) {
  __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED);
  return __libc_realloc(ptr, size);
}

void free(void *ptr) { __libc_free(ptr); }
#endif

unsigned long long bench_heap_calls(void) {
  return __atomic_load_n(&heap_calls, __ATOMIC_RELAXED);
}

static double clock_us(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

double bench_cpu_us(void) { return clock_us(CLOCK_THREAD_CPUTIME_ID); }

double bench_wall_us(void) { return clock_us(CLOCK_MONOTONIC); }

double bench_wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The CPU clock is read last at the start and first at the end. */
void bench_span_begin(struct bench_span *s) {
  s->heap = bench_heap_calls();
  s->wall_us = bench_wall_us();
  s->cpu_us = bench_cpu_us();
}

void bench_span_end(struct bench_span *s, unsigned calls) {
  double cpu = bench_cpu_us();
  double wall = bench_wall_us();

  s->cpu_us = (cpu - s->cpu_us) / calls;
  s->wall_us = (wall - s->wall_us) / calls;
  s->heap = bench_heap_calls() - s->heap;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n) { qsort(v, n, sizeof(*v), by_value); }

double bench_median(double *v, size_t n) {
  bench_sort(v, n);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_quantile(const double *v, size_t n, double q, double *scratch) {
  memcpy(scratch, v, n * sizeof(*v));
  bench_sort(scratch, n);
  double at = q * (double)(n - 1);
  size_t i = (size_t)at;
  double frac = at - (double)i;
  return i + 1 < n ? scratch[i] * (1 - frac) + scratch[i + 1] * frac
                   : scratch[i];
}

bool bench_parse_count(const char *arg, unsigned min, unsigned max,
                       unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(arg, &end, 10);
  if (errno || end == arg || *end != '\0' || v < min || v > max)
    return false;
  *out = (unsigned)v;
  return true;
}
