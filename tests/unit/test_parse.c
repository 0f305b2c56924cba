/* Bounded cursor helpers: never past the end, cursor kept on failure. Each
 * input is copied into a buffer of its exact size (no NUL after it), so
 * ASan reports any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sources/parse.h"

/* An exact-size copy of the first len bytes of text. */
static char *exact(const char *text, size_t len) {
  char *buf = malloc(len ? len : 1);
  assert_non_null(buf);
  memcpy(buf, text, len);
  return buf;
}

struct u64_case {
  const char *text;
  size_t len; /* 0: strlen */
  bool ok;
  uint64_t value;
  size_t consumed; /* where the cursor ends (unchanged on failure) */
};

static bool near(double a, double b) { return a > b - 1e-9 && a < b + 1e-9; }

static const struct u64_case u64_cases[] = {
    {"123", 0, true, 123, 3},
    {"  \t42 rest", 0, true, 42, 5},
    {"0", 0, true, 0, 1},
    {"007", 0, true, 7, 3},
    {"12abc", 0, true, 12, 2},
    {"18446744073709551615", 0, true, UINT64_MAX, 20},
    {"18446744073709551616", 0, false, 0, 0},
    {"99999999999999999999999", 0, false, 0, 0},
    {"", 0, false, 0, 0},
    {"   ", 0, false, 0, 0},
    {"abc", 0, false, 0, 0},
    {"-1", 0, false, 0, 0},
    {"+1", 0, false, 0, 0},
    {"\n5", 0, false, 0, 0}, /* blanks only, not newlines */
    /* The buffer ends inside the number, with no newline: stop there. */
    {"4567", 2, true, 45, 2},
    {"  9", 3, true, 9, 3},
    {"  9", 2, false, 0, 0},
};

static void test_u64(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(u64_cases) / sizeof(u64_cases[0]); i++) {
    const struct u64_case *c = &u64_cases[i];
    size_t len = c->len ? c->len : strlen(c->text);
    char *buf = exact(c->text, len);
    const char *p = buf;
    uint64_t v = 12345;

    print_message("case: \"%s\" len %zu\n", c->text, len);
    assert_int_equal(parse_u64(&p, buf + len, &v), c->ok);
    assert_ptr_equal(p, buf + c->consumed);
    assert_int_equal(v, c->ok ? c->value : 12345);
    free(buf);
  }
}

static void test_double(void **state) {
  (void)state;
  static const struct {
    const char *text;
    bool ok;
    double value;
    size_t consumed;
  } cases[] = {
      {"12.34", true, 12.34, 5}, {" 0.05 ", true, 0.05, 5},
      {"5", true, 5, 1},         {"5.", true, 5, 2},
      {"7.5x", true, 7.5, 3},    {".5", false, 0, 0},
      {"", false, 0, 0},         {"x1.0", false, 0, 0},
      {"100.00", true, 100, 6},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t len = strlen(cases[i].text);
    char *buf = exact(cases[i].text, len);
    const char *p = buf;
    double v = -1;

    assert_int_equal(parse_double(&p, buf + len, &v), cases[i].ok);
    assert_ptr_equal(p, buf + cases[i].consumed);
    if (cases[i].ok)
      assert_true(near(v, cases[i].value));
    else
      assert_true(v == -1);
    free(buf);
  }
  /* The fraction ends with the buffer: "3.14". */
  char *buf = exact("3.14159", 4);
  const char *p = buf;
  double v;
  assert_true(parse_double(&p, buf + 4, &v));
  assert_true(near(v, 3.14));
  assert_ptr_equal(p, buf + 4);
  free(buf);
}

static void test_word(void **state) {
  (void)state;
  const char *w;
  size_t n;
  char *buf;
  const char *p;

  buf = exact("  count: 5\n", 11);
  p = buf;
  assert_true(parse_word(&p, buf + 11, ":", &w, &n));
  assert_int_equal(n, 5);
  assert_memory_equal(w, "count", 5);
  assert_int_equal(*p, ':');
  /* Without stop characters the colon is part of the word. */
  p = buf;
  assert_true(parse_word(&p, buf + 11, NULL, &w, &n));
  assert_int_equal(n, 6);
  free(buf);

  /* Up to the end of the buffer. */
  buf = exact("Normal", 6);
  p = buf;
  assert_true(parse_word(&p, buf + 6, NULL, &w, &n));
  assert_int_equal(n, 6);
  assert_ptr_equal(p, buf + 6);
  free(buf);

  /* Nothing but blanks, a newline, or a stop character first: fails,
   * cursor kept. */
  static const char *const empties[] = {"   ", "\nword", ":x", ""};
  for (size_t i = 0; i < 4; i++) {
    size_t len = strlen(empties[i]);
    buf = exact(empties[i], len);
    p = buf;
    assert_false(parse_word(&p, buf + len, ":", &w, &n));
    assert_ptr_equal(p, buf);
    free(buf);
  }
}

static void test_literal(void **state) {
  (void)state;
  char *buf = exact("  Node 0, zone", 14);
  const char *p = buf;
  const char *end = buf + 14;

  assert_true(parse_literal(&p, end, "Node"));
  assert_ptr_equal(p, buf + 6);
  assert_false(parse_literal(&p, end, "zone"));
  assert_ptr_equal(p, buf + 6);
  uint64_t v;
  assert_true(parse_u64(&p, end, &v));
  assert_true(parse_literal(&p, end, ","));
  /* Longer than what is left. */
  assert_false(parse_literal(&p, end, "zones"));
  assert_true(parse_literal(&p, end, "zone"));
  assert_ptr_equal(p, end);
  assert_false(parse_literal(&p, end, "x"));
  assert_true(parse_literal(&p, end, ""));
  free(buf);
}

static void test_copy(void **state) {
  (void)state;
  char dst[8];

  assert_true(parse_copy(dst, sizeof(dst), "Normal", 6));
  assert_string_equal(dst, "Normal");
  /* cap - 1 characters fit with the NUL. */
  assert_true(parse_copy(dst, sizeof(dst), "HighMemX", 7));
  assert_string_equal(dst, "HighMem");
  /* One more would be cut: refused, dst untouched. */
  assert_false(parse_copy(dst, sizeof(dst), "HighMemXY", 8));
  assert_string_equal(dst, "HighMem");
  assert_false(parse_copy(dst, sizeof(dst), "a very long zone name", 21));
  assert_true(parse_copy(dst, sizeof(dst), "", 0));
  assert_string_equal(dst, "");
  assert_false(parse_copy(dst, 0, "", 0));
}

static void test_lines(void **state) {
  (void)state;
  char *buf = exact("a b\n\nlast", 9);
  const char *p = buf;
  const char *end = buf + 9;

  assert_ptr_equal(parse_line_end(p, end), buf + 3);
  parse_next_line(&p, end);
  assert_ptr_equal(p, buf + 4);
  assert_ptr_equal(parse_line_end(p, end), buf + 4); /* empty line */
  parse_next_line(&p, end);
  assert_ptr_equal(p, buf + 5);
  /* The last line has no newline: its end is the buffer's. */
  assert_ptr_equal(parse_line_end(p, end), end);
  parse_next_line(&p, end);
  assert_ptr_equal(p, end);
  parse_next_line(&p, end);
  assert_ptr_equal(p, end);
  assert_ptr_equal(parse_line_end(end, end), end);
  free(buf);

  /* Blanks are spaces and tabs, never the newline. */
  buf = exact(" \t \nx", 5);
  p = buf;
  parse_skip_blanks(&p, buf + 5);
  assert_ptr_equal(p, buf + 3);
  p = buf;
  parse_skip_blanks(&p, buf + 2);
  assert_ptr_equal(p, buf + 2);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_u64),  cmocka_unit_test(test_double),
      cmocka_unit_test(test_word), cmocka_unit_test(test_literal),
      cmocka_unit_test(test_copy), cmocka_unit_test(test_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
