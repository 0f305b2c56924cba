#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"

#include "collectd_stub.h"

#include <stdarg.h>

enum { STUB_LINES = 64, STUB_LINE_LEN = 1024 };

static char lines[STUB_LINES][STUB_LINE_LEN];
static int levels[STUB_LINES];
static size_t nr_lines;

void plugin_log(int level, const char *format, ...) {
  va_list ap;

  if (nr_lines == STUB_LINES)
    return;
  va_start(ap, format);
  vsnprintf(lines[nr_lines], STUB_LINE_LEN, format, ap);
  va_end(ap);
  levels[nr_lines++] = level;
}

size_t stub_log_count(void) { return nr_lines; }
const char *stub_log_line(size_t i) { return i < nr_lines ? lines[i] : ""; }
int stub_log_level(size_t i) { return i < nr_lines ? levels[i] : -1; }
void stub_log_clear(void) { nr_lines = 0; }

size_t stub_log_matching(const char *needle) {
  size_t n = 0;
  for (size_t i = 0; i < nr_lines; i++)
    n += strstr(lines[i], needle) != NULL;
  return n;
}

char *sstrncpy(char *dest, const char *src, size_t n) {
  strncpy(dest, src, n);
  if (n > 0)
    dest[n - 1] = '\0';
  return dest;
}

char *sstrerror(int errnum, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s", strerror(errnum));
  return buf;
}

/* collectd's own, which logs in its words when the value does not fit. */
int cf_util_get_string(const oconfig_item_t *ci, char **ret_string) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING) {
    plugin_log(LOG_ERR,
               "cf_util_get_string: The %s option requires "
               "exactly one string argument.",
               ci->key);
    return -1;
  }
  char *s = strdup(ci->values[0].value.string);
  if (s == NULL)
    return -1;
  free(*ret_string);
  *ret_string = s;
  return 0;
}

int cf_util_get_double(const oconfig_item_t *ci, double *ret_value) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_NUMBER) {
    plugin_log(LOG_ERR,
               "cf_util_get_double: The %s option requires "
               "exactly one numeric argument.",
               ci->key);
    return -1;
  }
  *ret_value = ci->values[0].value.number;
  return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool) {
  if (ci->values_num != 1 || (ci->values[0].type != OCONFIG_TYPE_BOOLEAN &&
                              ci->values[0].type != OCONFIG_TYPE_STRING)) {
    plugin_log(LOG_ERR,
               "cf_util_get_boolean: The %s option requires "
               "exactly one boolean argument.",
               ci->key);
    return -1;
  }
  if (ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    *ret_bool = ci->values[0].value.boolean ? true : false;
    return 0;
  }
  const char *s = ci->values[0].value.string;
  if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
      strcasecmp(s, "on") == 0)
    *ret_bool = true;
  else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
           strcasecmp(s, "off") == 0)
    *ret_bool = false;
  else
    return -1;
  return 0;
}
