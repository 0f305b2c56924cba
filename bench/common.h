/* What the benchmark programs share: the count of heap calls, the clocks
 * they time with, the medians of their rounds and the parsing of a count
 * option. Each program links common.c once, and with it the malloc that
 * counts. */
#ifndef LOWMEM_BENCH_COMMON_H
#define LOWMEM_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>

/* Where a sanitizer owns the allocator, its malloc must stay in charge:
 * heap calls are then not counted. */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BENCH_SANITIZED 1
#endif
#endif

#ifndef BENCH_SANITIZED
#define BENCH_COUNTS_HEAP 1
#else
#define BENCH_COUNTS_HEAP 0
#endif

/* malloc + calloc + realloc calls so far, from every thread (always 0 when
 * !BENCH_COUNTS_HEAP). */
unsigned long long bench_heap_calls(void);

/* CPU time of the calling thread, in us: the kernel's work for it (pread,
 * recv) included. */
double bench_cpu_us(void);

/* CLOCK_MONOTONIC in us, and in seconds. */
double bench_wall_us(void);
double bench_wall_seconds(void);

/* What a stretch of repeated calls cost: set by bench_span_begin, then
 * bench_span_end turns it into the time per call and the heap calls in
 * the stretch. The clocks are read so the CPU time holds little of their
 * own reading. */
struct bench_span {
  unsigned long long heap; /* heap calls in the stretch */
  double cpu_us;           /* per call */
  double wall_us;          /* per call */
};

void bench_span_begin(struct bench_span *s);
void bench_span_end(struct bench_span *s, unsigned calls);

/* Sorts v[0..n) up. */
void bench_sort(double *v, size_t n);

/* The median of v[0..n), n > 0: the mean of the middle two when n is
 * even. Sorts v. */
double bench_median(double *v, size_t n);

/* Quantile q (0 to 1) of v[0..n), n > 0, interpolated between neighbours;
 * v is left as it is, scratch (n values) is sorted instead. */
double bench_quantile(const double *v, size_t n, double q, double *scratch);

/* A whole decimal number from min to max, nothing after it. */
bool bench_parse_count(const char *arg, unsigned min, unsigned max,
                       unsigned *out);

#endif
