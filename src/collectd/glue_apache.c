/* Hooks of the apache capability (see hooks.h). Not built yet: no-ops. */
#include "hooks.h"

int apache_glue_config(const oconfig_item_t *ci) { return 1; }

int apache_glue_init(const struct lowmem_context *ctx) { return 0; }

void apache_glue_read(const struct lowmem_context *ctx,
                    const struct sample *sample, double now) {}

void apache_glue_shutdown(void) {}
