#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"

#include "option.h"

#include <math.h>

#define ERROR_LOG(...) plugin_log(LOG_ERR, "lowmem plugin: " __VA_ARGS__)

const char *option_shown(const char *value, char *buf, size_t cap) {
  enum { SHOWN = 40 };

  if (strlen(value) <= SHOWN)
    return value;
  snprintf(buf, cap, "%.*s...", SHOWN, value);
  return buf;
}

int option_not_block(const oconfig_item_t *ci) {
  if (ci->children_num == 0)
    return 0;
  ERROR_LOG("%s is an option, not a block: write it on one line, as "
            "\"%s value\", without <%s> and </%s>.",
            ci->key, ci->key, ci->key, ci->key);
  return -1;
}

static bool one_of_type(const oconfig_item_t *ci, int type) {
  return ci->values_num == 1 && ci->values[0].type == type;
}

int option_string(const oconfig_item_t *ci, size_t max_len, const char *example,
                  char **dst) {
  char shown[64];

  if (option_not_block(ci) != 0)
    return -1;
  if (!one_of_type(ci, OCONFIG_TYPE_STRING)) {
    ERROR_LOG("%s takes one string in quotes, e.g. %s \"%s\".", ci->key,
              ci->key, example);
    return -1;
  }
  const char *v = ci->values[0].value.string;
  size_t len = strlen(v);
  if (len == 0) {
    ERROR_LOG("%s is empty: give a value in quotes, e.g. %s \"%s\".", ci->key,
              ci->key, example);
    return -1;
  }
  if (len > max_len) {
    ERROR_LOG("%s \"%s\" is %zu characters long; it takes at most %zu, e.g. "
              "%s \"%s\".",
              ci->key, option_shown(v, shown, sizeof(shown)), len, max_len,
              ci->key, example);
    return -1;
  }
  /* Its shape is right: collectd's helper only copies it now. */
  return cf_util_get_string(ci, dst) == 0 ? 0 : -1;
}

int option_boolean(const oconfig_item_t *ci, bool *out) {
  if (option_not_block(ci) != 0)
    return -1;
  /* collectd's helper would take "yes" in quotes too, as deprecated; a
   * string is refused here, as lowmem always did. */
  if (one_of_type(ci, OCONFIG_TYPE_BOOLEAN) &&
      cf_util_get_boolean(ci, out) == 0)
    return 0;
  ERROR_LOG("%s takes true or false, without quotes, e.g. %s true.", ci->key,
            ci->key);
  return -1;
}

int option_number(const oconfig_item_t *ci, double min, double max,
                  const char *unit, const char *example, double *out) {
  double v;

  if (option_not_block(ci) != 0)
    return -1;
  if (!one_of_type(ci, OCONFIG_TYPE_NUMBER) || cf_util_get_double(ci, &v) ||
      !(v >= min && v <= max)) {
    ERROR_LOG("%s takes one number of %s from %g to %g, e.g. %s %s.", ci->key,
              unit, min, max, ci->key, example);
    return -1;
  }
  *out = v;
  return 0;
}

bool option_value_whole(const oconfig_item_t *ci, int i, unsigned min,
                        unsigned max, unsigned *out) {
  if (i < 0 || i >= ci->values_num || ci->values[i].type != OCONFIG_TYPE_NUMBER)
    return false;
  double v = ci->values[i].value.number;
  if (!(v >= min && v <= max) || v != floor(v))
    return false;
  *out = (unsigned)v;
  return true;
}

bool option_value_string(const oconfig_item_t *ci, int i, size_t max_len,
                         const char **out) {
  if (i < 0 || i >= ci->values_num || ci->values[i].type != OCONFIG_TYPE_STRING)
    return false;
  const char *v = ci->values[i].value.string;
  size_t len = strlen(v);
  if (len == 0 || len > max_len)
    return false;
  *out = v;
  return true;
}

int option_whole(const oconfig_item_t *ci, unsigned min, unsigned max,
                 const char *example, unsigned *out) {
  if (option_not_block(ci) != 0)
    return -1;
  if (ci->values_num != 1 || !option_value_whole(ci, 0, min, max, out)) {
    ERROR_LOG("%s takes one whole number from %u to %u, e.g. %s %s.", ci->key,
              min, max, ci->key, example);
    return -1;
  }
  return 0;
}
