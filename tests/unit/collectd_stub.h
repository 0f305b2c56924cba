/* What the unit tests of lowmem's collectd glue (config.c, option.c,
 * complain.c) need of collectd: plugin_log, which keeps the lines for the
 * test to look at, and cf_util_get_*, sstrncpy and sstrerror as collectd
 * 5.12 has them (src/daemon/configfile.c, src/utils/common/common.c). */
#ifndef LOWMEM_TEST_COLLECTD_STUB_H
#define LOWMEM_TEST_COLLECTD_STUB_H

#include <stddef.h>

/* Lines logged since the last stub_log_clear(), newest last. */
size_t stub_log_count(void);
const char *stub_log_line(size_t i);
int stub_log_level(size_t i);
/* Lines containing needle. */
size_t stub_log_matching(const char *needle);
void stub_log_clear(void);

#endif
