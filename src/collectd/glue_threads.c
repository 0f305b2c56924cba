/* Hooks of the threads capability (see hooks.h). Not built yet: no-ops. */
#include "hooks.h"

int threads_glue_config(const oconfig_item_t *ci) { return 1; }

int threads_glue_init(const struct lowmem_context *ctx) { return 0; }

void threads_glue_read(const struct lowmem_context *ctx,
                    const struct sample *sample, double now) {}

void threads_glue_shutdown(void) {}
