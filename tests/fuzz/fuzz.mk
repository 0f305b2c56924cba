# The fuzz targets, built with a libFuzzer compiler. Not an automake file:
# `make fuzz` (Makefile.am) runs it with GNU make and passes
#   srcdir            the source tree
#   out               where objects and targets go (in the build tree)
#   FUZZ_CC           clang, or another compiler with -fsanitize=fuzzer
#   FUZZ_CPPFLAGS     the project's preprocessor flags (DEFS, AM_CPPFLAGS)
#   FUZZ_LIB_SOURCES  liblowmem's sources: every target links against them
#   FUZZ_LIBS         libraries (yajl, -lm); CMOCKA_LIBS for port_filter
#   FUZZ_TARGETS      the targets: tests/fuzz/fuzz_TARGET.c each
#   FIXTURES_DIR      tests/fixtures, for the unit test code port_filter uses
#   COLLECTD_CPPFLAGS where collectd's headers are, for the config target
#
# The library is compiled once, instrumented like the targets, into an
# archive: each target links only the objects it needs, so a target does
# not depend on the list of sources another target needs.

# ASan and UBSan as the sanitizer build has them; a finding stops the run.
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Wno-unused-parameter

OBJ = $(out)/obj
LIB = $(out)/liblowmem-fuzz.a
LIB_OBJS = $(patsubst %.c,$(OBJ)/%.o,$(filter %.c,$(FUZZ_LIB_SOURCES)))
BINS = $(addprefix $(out)/bin/,$(FUZZ_TARGETS))

# What a target needs besides its harness and the library.
extra_port_filter = $(OBJ)/tests/unit/fixture.o $(CMOCKA_LIBS)
CONFIG_OBJS = $(OBJ)/src/collectd/config.o $(OBJ)/src/collectd/option.o \
	$(OBJ)/tests/unit/collectd_stub.o
extra_config = $(CONFIG_OBJS)
# collectd's headers for the glue's code only: they would shadow lowmem's.
$(CONFIG_OBJS) $(OBJ)/tests/fuzz/fuzz_config.o: EXTRA_CPPFLAGS = $(COLLECTD_CPPFLAGS)

all: $(BINS)

$(OBJ)/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(EXTRA_CPPFLAGS) -I$(srcdir)/tests/fuzz \
	  -DFIXTURES_DIR='"$(FIXTURES_DIR)"' $(FUZZ_CFLAGS) \
	  -DFUZZ_LIBFUZZER -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

# The extra objects of every target are prerequisites of each (a few
# small files): a target's own list would need a second expansion.
$(out)/bin/%: $(OBJ)/tests/fuzz/fuzz_%.o $(LIB) $(OBJ)/tests/unit/fixture.o \
	$(if $(filter config,$(FUZZ_TARGETS)),$(CONFIG_OBJS))
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(extra_$*) $(LIB) \
	  $(FUZZ_LIBS) -o $@

.PHONY: all
.SECONDARY:
.DELETE_ON_ERROR:

-include $(LIB_OBJS:.o=.d) $(patsubst %,$(OBJ)/tests/fuzz/fuzz_%.d,$(FUZZ_TARGETS)) \
	$(wildcard $(OBJ)/tests/unit/*.d $(OBJ)/src/collectd/*.d)
