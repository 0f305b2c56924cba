/* Reading one option of <Plugin lowmem>.
 *
 * collectd's cf_util_get_* convert a value but log in collectd's words
 * ("cf_util_get_string: The X option requires exactly one string
 * argument"), and take an empty or endless string, or a block, as well as
 * an option. These helpers check what they do not, then let them convert,
 * and on a wrong value log one "lowmem plugin: " line saying what was
 * expected, with the example the caller gives. Each returns 0, or -1 when
 * the value is wrong (logged).
 *
 * A block written for an option cannot always be told apart. On one line,
 * <SampleInterval 1></SampleInterval> is a syntax error of collectd's own
 * parser (liboconfig wants a line end after "<SampleInterval 1>"), and
 * collectd stops. Over two lines, with nothing or only comments inside,
 * it reaches a plugin exactly as the option SampleInterval 1 does: the
 * parser gives both the same key and values, no children (NULL, 0), no
 * parent and no position in the file. Only a block with an option inside
 * can be told apart, and is refused. */
#ifndef LOWMEM_OPTION_H
#define LOWMEM_OPTION_H

#include <stdbool.h>
#include <stddef.h>

struct oconfig_item_s;

/* An option, not a block with options inside. Logged when it is one. */
int option_not_block(const struct oconfig_item_s *ci);

/* One string in quotes, of 1 to max_len characters. *dst is replaced by a
 * copy (the old one freed). example: a value to show, without quotes
 * ("/proc"). */
int option_string(const struct oconfig_item_s *ci, size_t max_len,
                  const char *example, char **dst);

/* true or false, without quotes. */
int option_boolean(const struct oconfig_item_s *ci, bool *out);

/* One number from min to max. unit says what it counts ("seconds"),
 * example is shown as given ("0.1"). */
int option_number(const struct oconfig_item_s *ci, double min, double max,
                  const char *unit, const char *example, double *out);

/* One whole number from min to max. */
int option_whole(const struct oconfig_item_s *ci, unsigned min, unsigned max,
                 const char *example, unsigned *out);

/* A value of a list (Orders 0 1 3, Port 80 443): a whole number from min
 * to max. Not logged: the caller says what the list takes. */
bool option_value_whole(const struct oconfig_item_s *ci, int i, unsigned min,
                        unsigned max, unsigned *out);

/* A value of a list: a string of 1 to max_len characters. Not logged. */
bool option_value_string(const struct oconfig_item_s *ci, int i, size_t max_len,
                         const char **out);

/* The string to show of a value that is wrong: at most 40 characters of
 * it, then "..." (a 10,000-character value does not go to the log). */
const char *option_shown(const char *value, char *buf, size_t cap);

#endif
