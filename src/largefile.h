/* Every object of lowmem is compiled with this header first (Makefile.am:
 * -include), before any other.
 *
 * off_t must be 64 bits in all of them: on 32-bit systems a log file of
 * 2 GiB or more fails fstat() with EOVERFLOW otherwise, and a struct
 * holding an off_t would differ between the plugin's files, which include
 * collectd's config.h, and the core's, which do not. configure's
 * AC_SYS_LARGEFILE puts -D_FILE_OFFSET_BITS=64 on every compile where it
 * is needed (lowmem has no config header of its own, and collectd's
 * config.h does not define it); this check makes sure it did. */
#ifndef LOWMEM_LARGEFILE_H
#define LOWMEM_LARGEFILE_H

#include <sys/types.h>

_Static_assert(sizeof(off_t) == 8,
               "off_t is not 64 bits: configure with large file support "
               "(do not give --disable-largefile)");

#endif
