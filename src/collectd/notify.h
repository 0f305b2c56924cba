/* An event (events/event.h) as a collectd notification: severity, the
 * identifier of the value it is about, the message and the meta data. */
#ifndef LOWMEM_NOTIFY_H
#define LOWMEM_NOTIFY_H

#include "events/event.h"

/* Dispatches e. Meta data collectd cannot add (it is out of memory) are
 * left out, said once. */
void notify_event(const struct event *e);

#endif
