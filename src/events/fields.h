/* The text of a notification: the event's message, then its key figures
 * as key=value pairs taken from its meta data.
 *
 * collectd's network plugin carries a notification's message but not its
 * meta data, so a central collectd learns of a kill or a crossing only
 * what the message says. The pairs make that part of it that a program
 * reads: "<message> | order=1 headroom_min_bytes=-1921024 ...".
 *
 * Reading it back: the pairs are what follows the last " | " (always
 * there, even when no pair is), separated by single spaces. A value is a
 * number, a plain word (letters, digits and
 * "._-/:+@"), or, for any other string, one in double quotes with every
 * byte outside printable ASCII and every space, '"', '\' and '|' written
 * \xNN: no value holds a space or " | ". The pairs always fit in the
 * message: the prose before them is cut first (ending in "..."), then
 * the last pairs of the event's list are left out. */
#ifndef LOWMEM_FIELDS_H
#define LOWMEM_FIELDS_H

#include <stddef.h>

#include "event.h"

/* Writes e's notification text into buf (cap bytes, at most
 * EVENT_MESSAGE_LEN); returns its length. */
size_t event_fields_text(const struct event *e, char *buf, size_t cap);

#endif
