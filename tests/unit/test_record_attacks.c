/* The incident record against hostile input and a hostile RecordDir.
 * lowmem runs as root inside collectd: a ring or a record is an input
 * like any other, and RecordDir is a place others may have prepared.
 *
 *   - JSON: any double gives a bounded, valid number (a PSI avg10 of 1e61
 *     or DBL_MAX in a ring); kernel log bytes that are not strict UTF-8
 *     (overlong forms, surrogates, code points above U+10FFFF) become '?';
 *     host, zone and event strings with quotes, backquotes and markup come
 *     out escaped and valid.
 *   - rings: headers whose sizes lie (a 4 KB file claiming 1 GiB, 32-bit
 *     products, wrong record sizes), a sparse 1 GiB file (read in the time
 *     and memory its data takes), records with impossible zone counts and
 *     times, a FIFO, a directory, a symbolic link, a ring truncated under
 *     its writer and under a reader (no SIGBUS).
 *   - RecordDir: a symbolic link, one group- or world-writable, one owned
 *     by another user, symbolic links planted as lowmem.ring.new and
 *     lowmem.lock, a FIFO or random bytes or a directory as lowmem.ring, a
 *     directory as lowmem.ring.prev, a ring that cannot be made (tried
 *     again later), a configuration asking for a 700 MB ring.
 *   - memory: from the first event to the incident file written, and in
 *     lowmem-dump's path, not one heap allocation (counted here). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "events/event.h"
#include "fixture.h"
#include "incident_sample.h"
#include "recorder/incident.h"
#include "recorder/json.h"
#include "recorder/record.h"
#include "recorder/recorder.h"
#include "recorder/ring.h"
#include "sample/sampler.h"

#define PAGE 4096
#define T0 1700000000.0
#define GIB (1ull << 30)

/* --- heap calls, counted
 *
 * malloc, calloc and realloc are this program's own, over glibc's entry
 * points (as in bench/common.c); under ASan, whose allocator must stay in
 * charge, its malloc hook counts them. Every thread counts. */

static unsigned long long heap_calls;

#if defined(__SANITIZE_ADDRESS__)
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));

static void on_malloc(const volatile void *p, size_t n) {
  (void)p;
  (void)n;
  __atomic_add_fetch(&heap_calls, 1, __ATOMIC_RELAXED);
}

static void on_free(const volatile void *p) { (void)p; }

static void heap_count_start(void) {
  static bool installed;
  if (!installed)
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
  installed = true;
}
#else
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t nmemb, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

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

static void heap_count_start(void) {}
#endif

static unsigned long long heap_now(void) {
  return __atomic_load_n(&heap_calls, __ATOMIC_RELAXED);
}

/* Counting, and seen to count: a 0 later means something. */
static void heap_count(void) {
  heap_count_start();
  unsigned long long before = heap_now();
  void *volatile p = malloc(16);
  free(p);
  assert_true(heap_now() > before);
}

/* --- helpers
 * ---------------------------------------------------------------------*/

static struct sampler sampler;

static const struct sample *sample_of_incident(void) {
  return incident_sample(&sampler);
}

static char *temp_dir(void) { return test_temp_dir("attacks"); }

static void remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d != NULL) {
      for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
          continue;
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        remove_tree(sub);
      }
      closedir(d);
    }
    rmdir(path);
  } else
    unlink(path);
}

static void done_dir(char *dir) {
  remove_tree(dir);
  free(dir);
}

/* dir/name, in one of a few static buffers (dir may be one of them). */
static char *path_in(const char *dir, const char *name) {
  static char buf[4][4096];
  static int next;
  char tmp[4096];
  char *p = buf[next++ % 4];
  snprintf(tmp, sizeof(tmp), "%s/%s", dir, name);
  memcpy(p, tmp, sizeof(tmp));
  return p;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len) {
  if (len)
    *len = 0;
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

/* Strict UTF-8, checked by decoding: what a strict JSON reader does. */
static bool strict_utf8(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint32_t c = s[i], min;
    size_t len;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, c &= 0x07, min = 0x10000;
    } else
      return false;
    if (i + len > n)
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return false;
      c = c << 6 | (s[i + k] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

/* Output of a writer into a memory file, as a string (static). */
static char *memfd_text(int fd, size_t *len) {
  static char *buf;
  off_t n = lseek(fd, 0, SEEK_END);
  assert_true(n >= 0);
  free(buf);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
  buf[n] = '\0';
  if (len)
    *len = (size_t)n;
  return buf;
}

/* text parsed, strictly: valid UTF-8 and JSON. */
static yajl_val parse_strict(const char *text, size_t len) {
  char err[256];
  if (!strict_utf8((const unsigned char *)text, len))
    fail_msg("not strict UTF-8: %.200s", text);
  yajl_val doc = yajl_tree_parse(text, err, sizeof(err));
  if (doc == NULL)
    fail_msg("not JSON (%s): %.300s", err, text);
  return doc;
}

static yajl_val get(yajl_val v, const char *a, const char *b, const char *c) {
  const char *path[] = {a, b, c, NULL};
  yajl_val x = yajl_tree_get(v, path, yajl_t_any);
  if (x == NULL)
    fail_msg("no %s/%s/%s in the JSON", a, b ? b : "", c ? c : "");
  return x;
}

static const char *text_of(yajl_val v) {
  if (!YAJL_IS_STRING(v))
    fail_msg("not a string");
  return v->u.string;
}

static struct incident_scratch scratch;

/* The JSON of inc, parsed strictly; its text in *text. */
static yajl_val incident_json(const struct incident *inc, char **text) {
  if (scratch.out == NULL)
    assert_int_equal(incident_scratch_init(&scratch), 0);
  int fd = memfd_create("incident", MFD_CLOEXEC);
  assert_true(fd >= 0);
  assert_int_equal(incident_write(fd, inc, &scratch), 0);
  size_t len;
  char *buf = memfd_text(fd, &len);
  close(fd);
  if (text)
    *text = buf;
  return parse_strict(buf, len);
}

/* A valid header of nr_zones zones and capacity records. */
static void make_header(struct ring_header *h, uint32_t nr_zones,
                        uint32_t capacity) {
  memset(h, 0, sizeof(*h));
  memcpy(h->magic, RING_MAGIC, sizeof(h->magic));
  h->version = RING_VERSION;
  h->byte_order = RING_BYTE_ORDER;
  h->header_size = RING_HEADER_SIZE;
  h->zone_size = sizeof(struct ring_zone);
  h->nr_zones = nr_zones;
  h->record_size = (uint32_t)ring_record_size(nr_zones);
  h->capacity = capacity;
  h->nr_orders = 2;
  h->orders[1] = 1;
  h->page_size = PAGE;
  h->sample_interval_ns = 100000000;
  snprintf(h->host, sizeof(h->host), "web1");
  snprintf(h->kernel, sizeof(h->kernel), "2.6.39");
  for (uint32_t z = 0; z < nr_zones; z++)
    snprintf(h->zone_name[z], RING_ZONE_NAME_LEN, "node0-Z%u", z);
}

/* A ring file of h's layout at path, file_size bytes (sparse). */
static void write_ring_file(const char *path, const struct ring_header *h,
                            uint64_t file_size) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)file_size), 0);
  assert_int_equal(pwrite(fd, h, sizeof(*h), 0), (ssize_t)sizeof(*h));
  close(fd);
}

static struct ring_record *new_record(uint32_t nr_zones) {
  struct ring_record *r = calloc(1, ring_record_size(RING_MAX_ZONES));
  assert_non_null(r);
  r->nr_zones = nr_zones;
  return r;
}

/* --- JSON: numbers
 * -------------------------------------------------------------*/

static const double doubles[] = {
    1e61,  -1e61, DBL_MAX,           -DBL_MAX,  DBL_MIN, 4.9e-324,
    1e15,  -1e15, 999999999999999.9, -0.0,      0.005,   123456.789,
    1e300, NAN,   INFINITY,          -INFINITY,
};
#define NR_DOUBLES (sizeof(doubles) / sizeof(doubles[0]))

static void test_json_doubles(void **state) {
  (void)state;
  static char buf[4096];

  for (int decimals = 0; decimals <= 9; decimals += 3) {
    int fd = memfd_create("doubles", MFD_CLOEXEC);
    struct json j;
    json_init(&j, fd, buf, sizeof(buf));
    json_array_open(&j);
    for (size_t i = 0; i < NR_DOUBLES; i++)
      json_double(&j, doubles[i], decimals);
    json_array_close(&j);
    assert_int_equal(json_finish(&j), 0);
    size_t len;
    char *text = memfd_text(fd, &len);
    close(fd);
    /* 24 characters at most per number, and nothing but ASCII. */
    assert_true(len < NR_DOUBLES * 26 + 2);
    for (size_t i = 0; i < len; i++)
      assert_true(text[i] == '\n' || (text[i] >= 0x20 && text[i] < 0x7f));
    yajl_val doc = parse_strict(text, len);
    assert_true(YAJL_IS_ARRAY(doc));
    assert_int_equal(doc->u.array.len, NR_DOUBLES);
    for (size_t i = 0; i < NR_DOUBLES; i++) {
      yajl_val v = doc->u.array.values[i];
      if (!isfinite(doubles[i])) {
        assert_true(YAJL_IS_NULL(v));
        continue;
      }
      assert_true(YAJL_IS_NUMBER(v));
      double got = YAJL_GET_NUMBER(v) ? strtod(YAJL_GET_NUMBER(v), NULL) : 0;
      double want = doubles[i];
      double tol = fabs(want) >= 1e15 ? fabs(want) * 1e-15
                                      : 0.5 * pow(10, -decimals) + 1e-9;
      if (!(fabs(got - want) <= tol))
        fail_msg("%.17g with %d decimals came out as %s", want, decimals,
                 YAJL_GET_NUMBER(v));
    }
    yajl_tree_free(doc);
  }
}

/* The inputs that broke it: rings whose PSI avg10 is 1e61 and DBL_MAX. */
static void test_json_huge_psi(void **state) {
  (void)state;
  char *dir = temp_dir();
  struct ring_header h;
  struct ring rg;

  make_header(&h, 3, 8);
  assert_int_equal(ring_create(&rg, path_in(dir, "psi.ring"), &h), 0);
  struct ring_record *r = new_record(3);
  r->psi_has = RING_PSI_SOME | RING_PSI_FULL;
  for (size_t i = 0; i < NR_DOUBLES; i++) {
    r->time_ns = (int64_t)((T0 + (double)i) * 1e9);
    r->psi_some_avg10 = doubles[i];
    r->psi_full_avg10 = doubles[NR_DOUBLES - 1 - i];
    ring_append(&rg, r);
  }
  free(r);
  struct incident inc = {.source = "lowmem-dump",
                         .ring = &rg,
                         .from_ns = INT64_MIN,
                         .to_ns = INT64_MAX};
  yajl_val doc = incident_json(&inc, NULL);
  yajl_val samples = get(doc, "samples", NULL, NULL);
  assert_int_equal(samples->u.array.len, 8); /* the last 8 */
  yajl_val first = samples->u.array.values[0];
  /* doubles[NR_DOUBLES - 8] is 1e300 */
  assert_float_equal(
      YAJL_GET_DOUBLE(get(first, "pressure", "some_avg10", NULL)), 1e300,
      1e285);
  yajl_tree_free(doc);
  ring_close(&rg);
  done_dir(dir);
}

static void test_json_misuse(void **state) {
  (void)state;
  static char buf[256];
  struct json j;

  json_init(&j, -1, buf, sizeof(buf));
  json_object_open(&j);
  json_u64(&j, 1); /* a value where a key is due */
  assert_int_equal(json_finish(&j), -EPROTO);

  json_init(&j, -1, buf, sizeof(buf));
  json_array_open(&j);
  json_object_close(&j);
  assert_int_equal(json_finish(&j), -EPROTO);

  json_init(&j, -1, buf, sizeof(buf));
  json_array_open(&j); /* never closed */
  assert_int_equal(json_finish(&j), -EPROTO);

  json_init(&j, -1, buf, sizeof(buf));
  for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
    json_array_open(&j);
  assert_int_equal(json_finish(&j), -EPROTO);
}

/* --- JSON: strings
 * --------------------------------------------------------------*/

/* A kernel log line in KernelLog file mode: overlong forms, surrogates
 * and code points above U+10FFFF, in the message and in the victim's
 * name. */
static const char rawbytes[] =
    "[ 100.000000] \xed\xa0\x80\xe0\x80\xaf\xf4\x90\x80\x80\xff invoked "
    "oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
    "[ 100.000100] Out of memory: Killed process 4242 "
    "(\xed\xa0\x80\xe0\x80\xaf\xf4\x90\x80\x80\xff) total-vm:100kB, "
    "anon-rss:10kB, file-rss:0kB, shmem-rss:0kB\n";
static const char bad_name[] = "\xed\xa0\x80\xe0\x80\xaf\xf4\x90\x80\x80\xff";

static void test_utf8_len(void **state) {
  (void)state;
  static const struct {
    const char *s;
    size_t len;
  } cases[] = {
      {"a", 1},
      {"\xc2\x80", 2},
      {"\xdf\xbf", 2},
      {"\xe0\xa0\x80", 3},
      {"\xed\x9f\xbf", 3}, /* U+D7FF */
      {"\xee\x80\x80", 3}, /* U+E000 */
      {"\xef\xbf\xbf", 3},
      {"\xf0\x90\x80\x80", 4},
      {"\xf4\x8f\xbf\xbf", 4}, /* U+10FFFF */
      {"\xc0\x80", 0},         /* overlong NUL */
      {"\xc1\xbf", 0},
      {"\xe0\x80\xaf", 0}, /* overlong '/' */
      {"\xe0\x9f\xbf", 0},
      {"\xed\xa0\x80", 0}, /* U+D800 */
      {"\xed\xbf\xbf", 0}, /* U+DFFF */
      {"\xf0\x8f\xbf\xbf", 0},
      {"\xf4\x90\x80\x80", 0}, /* U+110000 */
      {"\xf5\x80\x80\x80", 0},
      {"\xff", 0},
      {"\x80", 0},
      {"\xe2\x82", 0}, /* cut short */
      {"\xe2\x28\xa1", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const unsigned char *s = (const unsigned char *)cases[i].s;
    if (json_utf8_len(s, strlen(cases[i].s)) != cases[i].len)
      fail_msg("case %zu: %zu, not %zu", i,
               json_utf8_len(s, strlen(cases[i].s)), cases[i].len);
  }
}

static void hostile_event(struct event *e, const char *message,
                          const char *comm) {
  struct event_list l = {.nr = 0};
  struct event *x = event_list_add(&l, EVENT_OOM_KILL, EVENT_FAILURE, T0, "oom",
                                   "vmpage_action", "oom_kill");
  assert_non_null(x);
  event_message(x, "%s", message);
  event_meta_uint(x, "victim_pid", 4242);
  event_meta_string(x, "victim_comm", comm);
  event_meta_string(x, "kept",
                    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f"
                    "\xbf\xbf\xe2\x80\xa8");
  event_meta_double(x, "huge", 1e61);
  *e = *x;
}

static void test_json_raw_bytes(void **state) {
  (void)state;
  static struct event e;
  struct ring_header h;
  char *text;

  make_header(&h, 0, 1);
  hostile_event(&e, rawbytes, bad_name);
  struct incident inc = {.layout = &h, .events = &e, .nr_events = 1};
  yajl_val doc = incident_json(&inc, &text);
  yajl_val ev = get(doc, "events", NULL, NULL)->u.array.values[0];
  /* Each byte outside a valid sequence is one '?'. */
  assert_string_equal(YAJL_GET_STRING(get(ev, "meta", "victim_comm", NULL)),
                      "???????????");
  const char *msg = YAJL_GET_STRING(get(ev, "message", NULL, NULL));
  assert_true(
      strncmp(msg, "[ 100.000000] ??????????? invoked oom-killer", 44) == 0);
  /* Valid characters stay, up to U+10FFFF; U+2028 is escaped. */
  assert_string_equal(YAJL_GET_STRING(get(ev, "meta", "kept", NULL)),
                      "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"
                      "\xe2\x80\xa8");
  assert_non_null(strstr(text, "\\u2028"));
  assert_float_equal(YAJL_GET_DOUBLE(get(ev, "meta", "huge", NULL)), 1e61,
                     1e46);
  yajl_tree_free(doc);
}

/* A ring and an incident whose strings attack what reads them: shell
 * backquotes for gnuplot, markup for a page. */
static void test_json_hostile_strings(void **state) {
  (void)state;
  char *dir = temp_dir();
  struct ring_header h;
  struct ring rg;
  static struct event e;
  char *text;
  static const char zone[] = "x'`id>/tmp/hostile/PWNED2`'";
  static const char host[] = "<script>alert(1)</script>";
  static const char host2[] = "<img src=x onerror=alert(document.domain)>";

  make_header(&h, 3, 4);
  snprintf(h.host, sizeof(h.host), "%s", host);
  snprintf(h.zone_name[0], RING_ZONE_NAME_LEN, "%s", zone);
  /* A name that fills its field: no NUL. */
  memset(h.zone_name[2], '"', RING_ZONE_NAME_LEN);
  memset(h.kernel, '\\', sizeof(h.kernel));
  assert_int_equal(ring_create(&rg, path_in(dir, "evil.ring"), &h), 0);
  struct ring_record *r = new_record(3);
  ring_record_zones(r)[0].has = RING_ZONE_SEEN;
  ring_record_zones(r)[2].has = RING_ZONE_SEEN;
  ring_append(&rg, r);
  free(r);
  hostile_event(&e, "m\"\n\x01</b>", "$(id)`id`");
  snprintf(e.type, sizeof(e.type), "%s", host2);
  struct incident inc = {.ring = &rg,
                         .from_ns = INT64_MIN,
                         .to_ns = INT64_MAX,
                         .events = &e,
                         .nr_events = 1};
  yajl_val doc = incident_json(&inc, &text);
  assert_string_equal(YAJL_GET_STRING(get(doc, "host", NULL, NULL)), host);
  yajl_val zones = get(doc, "zones", NULL, NULL);
  assert_string_equal(YAJL_GET_STRING(zones->u.array.values[0]), zone);
  assert_int_equal(strlen(text_of(zones->u.array.values[2])),
                   RING_ZONE_NAME_LEN);
  assert_int_equal(strlen(text_of(get(doc, "kernel", NULL, NULL))),
                   RING_TEXT_LEN);
  yajl_val ev = get(doc, "events", NULL, NULL)->u.array.values[0];
  assert_string_equal(YAJL_GET_STRING(get(ev, "type", NULL, NULL)), host2);
  assert_string_equal(YAJL_GET_STRING(get(ev, "message", NULL, NULL)),
                      "m\"\n\x01</b>");
  /* No markup survives as such in the file itself. */
  assert_null(strchr(text, '<'));
  assert_null(strchr(text, '>'));
  yajl_val s0 = get(doc, "samples", NULL, NULL)->u.array.values[0];
  assert_string_equal(
      YAJL_GET_STRING(get(get(s0, "zones", NULL, NULL)->u.array.values[0],
                          "zone", NULL, NULL)),
      zone);
  yajl_tree_free(doc);
  ring_close(&rg);
  done_dir(dir);
}

/* --- rings that lie
 * ----------------------------------------------------------*/

static void test_ring_headers(void **state) {
  (void)state;
  char *dir = temp_dir();
  const char *path = path_in(dir, "lowmem.ring");
  struct ring_header h;
  struct ring rg;

  make_header(&h, 3, 16);
  const uint64_t good = RING_HEADER_SIZE + 16ull * h.record_size;
  write_ring_file(path, &h, good);
  assert_int_equal(ring_open(&rg, path), 0);
  ring_close(&rg);

  /* A 4 KB file whose header claims 1 GiB, or 2^32 - 1 records (their
   * product overflows 32 bits). */
  make_header(&h, 3, (uint32_t)(GIB / ring_record_size(3)));
  write_ring_file(path, &h, RING_HEADER_SIZE);
  assert_int_equal(ring_open(&rg, path), -ERANGE);
  make_header(&h, 3, UINT32_MAX);
  write_ring_file(path, &h, good);
  assert_int_equal(ring_open(&rg, path), -ERANGE);
  make_header(&h, RING_MAX_ZONES, UINT32_MAX);
  write_ring_file(path, &h, good);
  assert_int_equal(ring_open(&rg, path), -ERANGE);

  /* Sizes that do not fit together. */
  struct {
    size_t offset;
    uint32_t value;
    int rc;
  } lies[] = {
      {offsetof(struct ring_header, record_size), 8, -EBADMSG},
      {offsetof(struct ring_header, record_size), UINT32_MAX, -EBADMSG},
      {offsetof(struct ring_header, nr_zones), RING_MAX_ZONES + 1, -EBADMSG},
      {offsetof(struct ring_header, nr_zones), UINT32_MAX, -EBADMSG},
      {offsetof(struct ring_header, header_size), 0, -EBADMSG},
      {offsetof(struct ring_header, zone_size), 1, -EBADMSG},
      {offsetof(struct ring_header, capacity), 0, -EBADMSG},
      {offsetof(struct ring_header, nr_orders), RING_ORDERS + 1, -EBADMSG},
      {offsetof(struct ring_header, version), 2, -EINVAL},
      {offsetof(struct ring_header, byte_order), 0x04030201u, -EINVAL},
  };
  for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
    make_header(&h, 3, 16);
    memcpy((char *)&h + lies[i].offset, &lies[i].value, sizeof(uint32_t));
    write_ring_file(path, &h, good);
    int rc = ring_open(&rg, path);
    if (rc != lies[i].rc)
      fail_msg("lie %zu: %d, not %d", i, rc, lies[i].rc);
    assert_non_null(ring_open_error(rc));
  }
  done_dir(dir);
}

/* Records that lie: zone counts beyond the header's, free-block orders
 * beyond 16, times at the ends of int64, a head at 2^64 - 1. */
static void test_ring_records(void **state) {
  (void)state;
  char *dir = temp_dir();
  struct ring_header h;
  struct ring rg, ro;
  const char *path = path_in(dir, "lowmem.ring");

  make_header(&h, 2, 8);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  struct ring_record *r = new_record(2);
  for (int i = 0; i < 6; i++) {
    r->nr_zones = i == 1 ? 3 : i == 2 ? UINT32_MAX : 2;
    r->time_ns = i == 3 ? INT64_MIN : i == 4 ? INT64_MAX : (int64_t)i;
    struct ring_zone *z = ring_record_zones(r);
    z[0].has = RING_ZONE_SEEN | RING_ZONE_BUDDY | RING_ZONE_HEADROOM;
    z[0].nr_buddy_orders = i == 5 ? UINT32_MAX : 3;
    ring_append(&rg, r);
  }
  assert_int_equal(ring_open(&ro, path), 0);
  struct incident inc = {.ring = &ro, .from_ns = INT64_MIN, .to_ns = INT64_MAX};
  yajl_val doc = incident_json(&inc, NULL);
  yajl_val samples = get(doc, "samples", NULL, NULL);
  assert_int_equal(samples->u.array.len, 4); /* 2 with too many zones */
  yajl_val z = get(samples->u.array.values[3], "zones", NULL, NULL);
  assert_int_equal(
      get(z->u.array.values[0], "nr_free", NULL, NULL)->u.array.len,
      RING_BUDDY_ORDERS);
  yajl_tree_free(doc);
  ring_close(&ro);

  /* head at 2^64 - 1: nothing wraps, nothing hangs. */
  uint64_t head = UINT64_MAX;
  ring_close(&rg);
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  assert_int_equal(
      pwrite(fd, &head, sizeof(head), offsetof(struct ring_header, head)),
      sizeof(head));
  close(fd);
  assert_int_equal(ring_open(&ro, path), 0);
  doc = incident_json(&inc, NULL);
  assert_int_equal(get(doc, "samples", NULL, NULL)->u.array.len, 0);
  yajl_tree_free(doc);
  ring_close(&ro);
  free(r);
  done_dir(dir);
}

/* Resident pages of this process now, in KiB. */
static long rss_kib(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 1 GiB sparse file whose header is a ring's: what lowmem-dump does
 * with it, in a child whose memory is measured. Exit codes: 0 fine, 10
 * not opened, 11 not written, 12 too slow, 13 too much memory, 14 heap
 * calls. */
static int dump_sparse_child(const char *path) {
  struct ring rg;
  struct incident_scratch s;

  if (incident_scratch_init(&s) != 0)
    return 10;
  int fd = memfd_create("out", MFD_CLOEXEC);
  long before = rss_kib();
  double t0 = now_seconds();
  unsigned long long heap = heap_now();
  if (ring_open(&rg, path) != 0)
    return 10;
  struct incident inc = {.source = "lowmem-dump",
                         .ring = &rg,
                         .from_ns = INT64_MIN,
                         .to_ns = INT64_MAX};
  if (incident_write(fd, &inc, &s) != 0)
    return 11;
  heap = heap_now() - heap;
  double took = now_seconds() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long grew = ru.ru_maxrss - before;
  fprintf(stderr,
          "# sparse 1 GiB ring: %.3f s, %ld KiB more, %llu heap calls\n", took,
          grew, heap);
  if (took > 2.0)
    return 12;
  if (grew > 64 * 1024)
    return 13;
  if (heap != 0)
    return 14;
  return 0;
}

static void test_ring_sparse(void **state) {
  (void)state;
  char *dir = temp_dir();
  const char *path = path_in(dir, "sparse.ring");
  struct ring_header h;
  struct stat before, after;

  heap_count();
  make_header(&h, 3,
              (uint32_t)((GIB - RING_HEADER_SIZE) / ring_record_size(3)));
  h.head = UINT64_MAX - 5;
  write_ring_file(path, &h, GIB);
  assert_int_equal(stat(path, &before), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(dump_sparse_child(path));
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  /* Reading it did not fill its holes. */
  assert_int_equal(stat(path, &after), 0);
  assert_int_equal(after.st_blocks, before.st_blocks);
  done_dir(dir);
}

/* --- files that are not rings
 * ---------------------------------------------------*/

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "blocked: a FIFO was opened\n";
  if (write(2, msg, sizeof(msg) - 1) < 0)
    _exit(3);
  _exit(3);
}

static void test_ring_not_files(void **state) {
  (void)state;
  char *dir = temp_dir();
  struct ring rg;

  /* Opening a FIFO for reading would block until a writer came. */
  signal(SIGALRM, on_alarm);
  alarm(10);
  assert_int_equal(mkfifo(path_in(dir, "fifo"), 0600), 0);
  assert_int_equal(ring_open(&rg, path_in(dir, "fifo")), -ENODEV);
  assert_int_equal(ring_open(&rg, "/dev/null"), -ENODEV);
  assert_int_equal(ring_open(&rg, dir), -EISDIR);
  write_file(path_in(dir, "text"), "not a ring\n");
  assert_int_equal(ring_open(&rg, path_in(dir, "text")), -EINVAL);
  assert_int_equal(symlink(path_in(dir, "text"), path_in(dir, "link")), 0);
  assert_int_equal(ring_open(&rg, path_in(dir, "link")), -ELOOP);
  assert_non_null(strstr(ring_open_error(-ENODEV), "FIFO"));
  alarm(0);
  signal(SIGALRM, SIG_DFL);
  done_dir(dir);
}

/* --- SIGBUS
 * ---------------------------------------------------------------------*/

static void test_ring_truncated(void **state) {
  (void)state;
  char *dir = temp_dir();
  const char *path = path_in(dir, "lowmem.ring");
  struct ring_header h;
  struct ring rg, ro;

  make_header(&h, 3, 64);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  assert_int_equal(ring_open(&ro, path), 0);
  struct ring_record *r = new_record(3);
  for (int i = 0; i < 10; i++)
    ring_append(&rg, r);
  assert_false(ring_faulted(&rg));
  assert_int_equal(ring_verify(&rg, AT_FDCWD, path), RING_SOUND);

  /* `truncate -s 4096 lowmem.ring` under the writer and a reader. */
  assert_int_equal(truncate(path, 4096), 0);
  for (int i = 0; i < 100; i++)
    ring_append(&rg, r); /* would be SIGBUS */
  assert_true(ring_faulted(&rg));
  assert_int_equal(ring_verify(&rg, AT_FDCWD, path), RING_CUT_SHORT);
  /* A reader skips what is past the end (no data there)... */
  struct incident inc = {.ring = &ro, .from_ns = INT64_MIN, .to_ns = INT64_MAX};
  yajl_val doc = incident_json(&inc, NULL);
  assert_int_equal(get(doc, "samples", NULL, NULL)->u.array.len, 0);
  yajl_tree_free(doc);
  /* ... and survives a load there (truncated between its check and the
   * load). */
  const volatile uint64_t *past =
      (const volatile uint64_t *)((const char *)ro.map + 2 * PAGE);
  assert_false(ring_faulted(&ro));
  assert_int_equal(*past, 0);
  assert_true(ring_faulted(&ro));
  ring_close(&ro);
  ring_close(&rg);

  /* Removed, replaced, overwritten. */
  assert_int_equal(ring_create(&rg, path, &h), 0);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(ring_verify(&rg, AT_FDCWD, path), RING_UNLINKED);
  ring_close(&rg);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  assert_int_equal(rename(path, path_in(dir, "moved")), 0);
  assert_int_equal(ring_verify(&rg, AT_FDCWD, path), RING_REPLACED);
  ring_close(&rg);
  assert_int_equal(ring_create(&rg, path, &h), 0);
  int fd = open(path, O_WRONLY);
  assert_int_equal(pwrite(fd, "garbage!", 8, 0), 8);
  close(fd);
  assert_int_equal(ring_verify(&rg, AT_FDCWD, path), RING_OVERWRITTEN);
  ring_close(&rg);

  /* Any other SIGBUS is not swallowed. */
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGBUS, SIG_DFL); /* not cmocka's */
    if (ring_create(&rg, path, &h) != 0)
      _exit(1);
    raise(SIGBUS);
    _exit(0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGBUS);
  free(r);
  done_dir(dir);
}

/* --- the recorder in a hostile RecordDir
 * ----------------------------------------*/

static struct recorder_config rec_config(const char *dir) {
  struct recorder_config c = {
      .dir = dir,
      .seconds = 2,
      .after_seconds = 1,
      .keep = 2,
      .sample_interval = 0.1,
      .orders = {0, 1},
      .nr_orders = 2,
      .check = WATERMARK_CHECK_LOWER_ORDERS_OFF_BY_TWO,
      .page_size = PAGE,
      .host = "web1",
      .kernel = "2.6.39-linode33",
  };
  return c;
}

static struct recorder rec;

/* recorder_open in dir must refuse, saying what. */
static void refused(const char *dir, const char *says) {
  struct recorder_config c = rec_config(dir);
  int rc = recorder_open(&rec, &c);
  if (rc == 0 || strstr(rec.refusal, says) == NULL)
    fail_msg("RecordDir %s: %d, \"%s\" (wanted \"%s\")", dir, rc, rec.refusal,
             says);
  assert_non_null(strstr(rec.refusal, dir));
  recorder_close(&rec, 0);
}

static void test_dir_refused(void **state) {
  (void)state;
  char *top = temp_dir();
  char *real = path_in(top, "real");
  struct stat st;

  assert_int_equal(mkdir(real, 0750), 0);
  assert_int_equal(symlink(real, path_in(top, "link")), 0);
  refused(path_in(top, "link"), "is a symbolic link (to \"");
  assert_int_equal(lstat(path_in(real, RECORDER_LOCK_NAME), &st), -1);

  assert_int_equal(chmod(real, 0770), 0);
  refused(real, "chmod go-w");
  assert_int_equal(chmod(real, 0757), 0);
  refused(real, "every user");
  assert_int_equal(chmod(real, 01777), 0);
  refused(real, "every user");
  assert_int_equal(chmod(real, 0750), 0);
  if (geteuid() == 0) {
    assert_int_equal(chown(real, 65534, 0), 0);
    refused(real, "is owned by uid 65534");
    assert_int_equal(chown(real, 0, 0), 0);
  }
  write_file(path_in(top, "file"), "x");
  refused(path_in(top, "file"), "not a directory");
  assert_int_equal(lstat(path_in(real, RECORDER_LOCK_NAME), &st), -1);

  /* One that lowmem makes: 0750 whatever the umask. */
  mode_t old = umask(0);
  struct recorder_config c = rec_config(path_in(top, "made/sub"));
  assert_int_equal(recorder_open(&rec, &c), 0);
  recorder_close(&rec, 0);
  umask(old);
  assert_int_equal(stat(path_in(top, "made/sub"), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0750);
  assert_int_equal(stat(path_in(top, "made"), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0750);
  done_dir(top);
}

/* A file root owns, that a planted link points at: it must stay as it
 * is. */
static void victim(const char *path, struct stat *st) {
  write_file(path, "precious\n");
  assert_int_equal(stat(path, st), 0);
}

static void unharmed(const char *path, const struct stat *was) {
  struct stat st;
  size_t len;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_size, was->st_size);
  assert_int_equal(st.st_mtim.tv_sec, was->st_mtim.tv_sec);
  assert_int_equal(st.st_mtim.tv_nsec, was->st_mtim.tv_nsec);
  assert_string_equal(read_file(path, &len), "precious\n");
}

static void test_dir_planted_links(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *top = temp_dir();
  char *dir = strdup(path_in(top, "rec"));
  struct stat v1, v2, st;
  struct recorder_status rs;

  assert_int_equal(mkdir(dir, 0750), 0);
  victim(path_in(top, "shadow"), &v1);
  victim(path_in(top, "passwd"), &v2);
  assert_int_equal(
      symlink(path_in(top, "shadow"), path_in(dir, "lowmem.ring.new")), 0);
  assert_int_equal(
      symlink(path_in(top, "passwd"), path_in(dir, RECORDER_LOCK_NAME)), 0);

  /* lowmem.lock: neither followed nor opened; recording is refused. */
  refused(dir, RECORDER_LOCK_NAME " is a symbolic link");
  unharmed(path_in(top, "passwd"), &v2);
  assert_int_equal(unlink(path_in(dir, RECORDER_LOCK_NAME)), 0);

  /* lowmem.ring.new: the link goes, the ring is made beside it. */
  struct recorder_config c = rec_config(dir);
  assert_int_equal(recorder_open(&rec, &c), 0);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, 0);
  assert_int_equal(rs.rings_made, 1);
  recorder_close(&rec, T0);
  unharmed(path_in(top, "shadow"), &v1);
  assert_int_equal(lstat(path_in(dir, "lowmem.ring.new"), &st), -1);
  assert_int_equal(lstat(path_in(dir, RECORDER_RING_NAME), &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0640);

  /* lowmem.ring a link to the victim: not followed, not opened; the new
   * ring takes the name. */
  assert_int_equal(unlink(path_in(dir, RECORDER_RING_NAME)), 0);
  assert_int_equal(
      symlink(path_in(top, "shadow"), path_in(dir, RECORDER_RING_NAME)), 0);
  assert_int_equal(recorder_open(&rec, &c), 0);
  assert_non_null(strstr(rec.prev_note, "was a symbolic link, not a ring"));
  assert_false(rec.prev_unclean);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_close(&rec, T0);
  unharmed(path_in(top, "shadow"), &v1);
  assert_int_equal(lstat(path_in(dir, RECORDER_RING_NAME), &st), 0);
  assert_true(S_ISREG(st.st_mode));
  free(dir);
  done_dir(top);
  sampler_destroy(&sampler);
}

static void open_in(const char *dir) {
  struct recorder_config c = rec_config(dir);
  alarm(10); /* a FIFO opened would block */
  assert_int_equal(recorder_open(&rec, &c), 0);
  alarm(0);
}

/* What is left as lowmem.ring is said for what it is. */
static void test_dir_previous(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  struct recorder_status rs;
  struct stat st;

  signal(SIGALRM, on_alarm);
  /* A FIFO: not opened (init would block), replaced. */
  assert_int_equal(mkfifo(path_in(dir, RECORDER_RING_NAME), 0600), 0);
  open_in(dir);
  assert_non_null(strstr(rec.prev_note, "was a FIFO, not a ring file"));
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, 0);
  recorder_close(&rec, T0);

  /* Random bytes: not a ring, not a killed collectd; kept. */
  write_file(path_in(dir, RECORDER_RING_NAME), "random bytes, not a ring");
  open_in(dir);
  assert_non_null(strstr(rec.prev_note, "was not a ring of this lowmem"));
  assert_null(strstr(rec.prev_note, "killed"));
  assert_false(rec.prev_unclean);
  assert_true(rec.prev_kept);
  recorder_close(&rec, T0);
  assert_int_equal(stat(path_in(dir, RECORDER_PREV_NAME), &st), 0);
  assert_int_equal(st.st_size, 24);

  /* A ring of a run that was killed (its clean flag still 0). */
  open_in(dir);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_close(&rec, T0);
  int fd = open(path_in(dir, RECORDER_RING_NAME), O_RDWR);
  uint32_t zero = 0;
  assert_int_equal(
      pwrite(fd, &zero, sizeof(zero), offsetof(struct ring_header, clean)),
      sizeof(zero));
  close(fd);

  /* ... and with a directory as lowmem.ring.prev, it is kept under a name
   * of its own, and the rename that failed is said. */
  assert_int_equal(unlink(path_in(dir, RECORDER_PREV_NAME)), 0);
  assert_int_equal(mkdir(path_in(dir, RECORDER_PREV_NAME), 0750), 0);
  write_file(path_in(path_in(dir, RECORDER_PREV_NAME), "x"), "x");
  open_in(dir);
  assert_non_null(strstr(rec.prev_note, "cannot keep the previous ring as"));
  assert_non_null(strstr(rec.prev_note, "remove or rename that directory"));
  assert_non_null(
      strstr(rec.prev_note, "it was not closed: that collectd was killed"));
  assert_true(rec.prev_kept);
  assert_true(rec.prev_unclean);
  assert_int_equal(rec.prev_level, RECORDER_NOTE_WARNING);
  recorder_close(&rec, T0);
  bool found = false;
  DIR *d = opendir(dir);
  for (struct dirent *de; (de = readdir(d)) != NULL;)
    if (strncmp(de->d_name, RECORDER_PREV_NAME "-",
                strlen(RECORDER_PREV_NAME) + 1) == 0) {
      struct ring ro;
      char *p = path_in(dir, de->d_name);
      assert_int_equal(ring_open(&ro, p), 0);
      ring_close(&ro);
      found = true;
    }
  closedir(d);
  assert_true(found);

  /* A directory as lowmem.ring: said, and no ring until it goes. */
  remove_tree(path_in(dir, RECORDER_RING_NAME));
  assert_int_equal(mkdir(path_in(dir, RECORDER_RING_NAME), 0750), 0);
  open_in(dir);
  assert_non_null(strstr(rec.prev_note, "is a directory, not a ring file"));
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, -EISDIR);
  recorder_close(&rec, T0);
  signal(SIGALRM, SIG_DFL);
  done_dir(dir);
  sampler_destroy(&sampler);
}

/* A ring that cannot be made is tried again every 60 s, and one that
 * breaks under collectd is made again at once. */
static void test_ring_retried(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  struct recorder_status rs;
  struct stat st;

  /* Something in the way of lowmem.ring.new that cannot go. */
  assert_int_equal(mkdir(path_in(dir, "lowmem.ring.new"), 0750), 0);
  write_file(path_in(path_in(dir, "lowmem.ring.new"), "x"), "x");
  open_in(dir);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, -EEXIST);
  assert_int_equal(rs.rings_made, 0);
  remove_tree(path_in(dir, "lowmem.ring.new"));
  recorder_sample(&rec, s, &sampler.view, T0 + 30);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.rings_made, 0); /* not yet */
  recorder_sample(&rec, s, &sampler.view, T0 + RECORDER_RETRY_SECONDS + 0.5);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, 0);
  assert_int_equal(rs.rings_made, 1);

  /* Truncated under it: the next sample notices, a new ring is made. */
  double t = T0 + 70;
  assert_int_equal(truncate(rec.ring_path, 4096), 0);
  recorder_sample(&rec, s, &sampler.view, t += 0.1); /* faults, caught */
  recorder_sample(&rec, s, &sampler.view, t += 0.1);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.rings_lost, 1);
  assert_int_equal(rs.lost_as, RING_CUT_SHORT);
  assert_int_equal(rs.rings_made, 2);
  assert_int_equal(stat(rec.ring_path, &st), 0);
  assert_int_equal((uint64_t)st.st_size, rs.ring_bytes);

  /* Removed: noticed within RECORDER_CHECK_SECONDS. */
  assert_int_equal(unlink(rec.ring_path), 0);
  recorder_sample(&rec, s, &sampler.view, t += 1);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.rings_lost, 1);
  recorder_sample(&rec, s, &sampler.view, t += RECORDER_CHECK_SECONDS);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.rings_lost, 2);
  assert_int_equal(rs.lost_as, RING_UNLINKED);
  assert_int_equal(stat(rec.ring_path, &st), 0);
  recorder_close(&rec, t);
  done_dir(dir);
  sampler_destroy(&sampler);
}

/* RecordSeconds 3600 + RecordAfterSeconds 600 at 0.01 s asked for a 702
 * MB ring; the defaults stay as they were. */
static void test_ring_bounded(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  struct recorder_status rs;
  struct stat st;

  struct recorder_config c = rec_config(dir);
  c.seconds = 3600;
  c.after_seconds = 600;
  c.sample_interval = 0.01;
  assert_int_equal(recorder_open(&rec, &c), 0);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_err, 0);
  assert_int_equal(rs.records_wanted, 924020);
  assert_true(rs.ring_records < rs.records_wanted);
  assert_int_equal(stat(rec.ring_path, &st), 0);
  assert_true((uint64_t)st.st_size <= RING_MAX_BYTES);
  assert_true((uint64_t)st.st_size + rs.record_size > RING_MAX_BYTES);
  recorder_close(&rec, T0);

  c.seconds = 120;
  c.after_seconds = 30;
  c.sample_interval = 0.1;
  assert_int_equal(recorder_open(&rec, &c), 0);
  recorder_sample(&rec, s, &sampler.view, T0);
  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.ring_records, 3320);
  assert_int_equal(rs.records_wanted, 3320);
  recorder_close(&rec, T0);
  done_dir(dir);
  sampler_destroy(&sampler);
}

/* --- memory during an incident
 * --------------------------------------------------*/

static void test_incident_no_heap(void **state) {
  (void)state;
  const struct sample *s = sample_of_incident();
  char *dir = temp_dir();
  static struct event e;
  struct recorder_status rs;
  char name[64];

  heap_count();
  /* Older files, so that writing prunes. */
  for (int i = 0; i < 4; i++) {
    snprintf(name, sizeof(name), "incident-2011091%dT000000.000Z-oom_kill.json",
             i);
    write_file(path_in(dir, name), "{}");
  }
  struct recorder_config c = rec_config(dir);
  assert_int_equal(recorder_open(&rec, &c), 0);
  for (int i = 0; i < 30; i++)
    recorder_sample(&rec, s, &sampler.view, T0 + i * 0.1);
  hostile_event(&e, rawbytes, bad_name);
  e.time = T0 + 3.0;

  unsigned long long before = heap_now();
  recorder_event(&rec, &e);
  for (int i = 30; i < 50; i++) {
    recorder_sample(&rec, s, &sampler.view, T0 + i * 0.1);
    recorder_tick(&rec, T0 + i * 0.1);
  }
  recorder_flush(&rec);
  unsigned long long calls = heap_now() - before;

  recorder_get_status(&rec, &rs);
  assert_int_equal(rs.write_err, 0);
  assert_int_equal(rs.files_written, 1);
  fprintf(stderr, "# heap calls from the event to the file written: %llu\n",
          calls);
  assert_int_equal(calls, 0);
  size_t len;
  char *text = read_file(rs.last_path, &len);
  assert_non_null(text);
  yajl_val doc = parse_strict(text, len);
  /* From 2 s before the event to 1 s after: 31 samples at 0.1 s. */
  assert_int_equal(get(doc, "samples", NULL, NULL)->u.array.len, 31);
  yajl_tree_free(doc);
  recorder_close(&rec, T0 + 5);
  /* Pruned to RecordKeep 2: the new file and the newest old one. */
  unsigned n = 0;
  DIR *d = opendir(dir);
  for (struct dirent *de; (de = readdir(d)) != NULL;)
    n += strncmp(de->d_name, "incident-", 9) == 0;
  closedir(d);
  assert_int_equal(n, 2);
  done_dir(dir);
  sampler_destroy(&sampler);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ring_sparse),
      cmocka_unit_test(test_json_doubles),
      cmocka_unit_test(test_json_huge_psi),
      cmocka_unit_test(test_json_misuse),
      cmocka_unit_test(test_utf8_len),
      cmocka_unit_test(test_json_raw_bytes),
      cmocka_unit_test(test_json_hostile_strings),
      cmocka_unit_test(test_ring_headers),
      cmocka_unit_test(test_ring_records),
      cmocka_unit_test(test_ring_not_files),
      cmocka_unit_test(test_ring_truncated),
      cmocka_unit_test(test_dir_refused),
      cmocka_unit_test(test_dir_planted_links),
      cmocka_unit_test(test_dir_previous),
      cmocka_unit_test(test_ring_retried),
      cmocka_unit_test(test_ring_bounded),
      cmocka_unit_test(test_incident_no_heap),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  incident_scratch_free(&scratch);
  return rc;
}
