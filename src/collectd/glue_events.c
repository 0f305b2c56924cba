/* Hooks of the events capability (see hooks.h). Not built yet: no-ops. */
#include "hooks.h"

int events_glue_config(const oconfig_item_t *ci) { return 1; }

int events_glue_init(const struct lowmem_context *ctx) { return 0; }

void events_glue_read(const struct lowmem_context *ctx,
                    const struct sample *sample, double now) {}

void events_glue_shutdown(void) {}
