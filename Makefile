# gyre: plain Makefile. `make` builds build/libgyre.a and build/gyre (release, -O2).
# Modes: MODE=release (build/), debug (build/debug), asan, ubsan, tsan (build/<mode>).
# `make check` / `make demo` first run `make deps`, then re-enter make so that the
# pkg-config flags are read after the packages exist.

MODE ?= release
CC   ?= gcc

ifeq ($(MODE),release)
O        := build
MODEFLAGS := -O2 -g -DNDEBUG
else ifeq ($(MODE),debug)
O        := build/debug
MODEFLAGS := -O0 -g3 -DGY_DEBUG=2
else ifeq ($(MODE),asan)
O        := build/asan
MODEFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(MODE),ubsan)
O        := build/ubsan
MODEFLAGS := -O1 -g -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(MODE),tsan)
O        := build/tsan
MODEFLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
else
$(error unknown MODE '$(MODE)': use release, debug, asan, ubsan or tsan)
endif

WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
        -Wstrict-prototypes -Wformat=2 -Wundef -Wwrite-strings -Wcast-align \
        -Wnull-dereference -Wduplicated-cond -Wlogical-op -Wjump-misses-init

PKGS      := hwloc liburcu liburcu-cds zlib
TEST_PKGS := cmocka igraph
isystem    = $(patsubst -I%,-isystem %,$(1))
DEP_CFLAGS  := $(call isystem,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
DEP_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread -lm
TEST_CFLAGS := $(call isystem,$(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null))
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

CFLAGS  += $(WARN) $(MODEFLAGS) -pthread -I. $(DEP_CFLAGS) -MMD -MP
LDFLAGS += $(MODEFLAGS) -pthread

LIB_SRC   := $(wildcard progress/*.c runtime/*.c operators/*.c graph/*.c algorithms/*.c)
CLI_SRC   := $(wildcard cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
TSUP_SRC  := $(wildcard tests/support/*.c)
EX_SRC    := $(wildcard examples/*.c)
BENCH_SRC := $(wildcard bench/*.c)
BSUP_SRC  := $(wildcard bench/support/*.c)
# The single-threaded baselines (igraph-free), the counting sink and the measuring
# helpers: build/gyre links them too (`gyre bench`).
BASE_SRC  := bench/support/uf_baseline.c bench/support/tc_baseline.c bench/support/count_sink.c \
             bench/support/measure.c

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
LIB      := $(O)/libgyre.a
GYRE     := $(O)/gyre
TESTS    := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRC))
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%,$(EX_SRC))
BENCHES  := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC))

.PHONY: all deps check run-tests demo run-demo asan ubsan tsan debug bench run-bench \
        tests examples benches clean fuzz stress
.DEFAULT_GOAL := all
# Keep test, example and bench objects: they are not throwaway intermediates.
.SECONDARY:

all: $(LIB) $(GYRE) $(EXAMPLES)

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(O)/obj/tests/%.o: CFLAGS += $(TEST_CFLAGS)
$(O)/obj/bench/%.o: CFLAGS += $(TEST_CFLAGS)

$(LIB): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(GYRE): $(call obj,$(CLI_SRC) $(BASE_SRC)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/%: $(O)/obj/tests/%.o $(call obj,$(TSUP_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(DEP_LIBS)

$(O)/examples/%: $(O)/obj/examples/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/bench/%: $(O)/obj/bench/%.o $(call obj,$(BSUP_SRC)) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(DEP_LIBS)

tests: $(TESTS) $(GYRE) $(EXAMPLES)
examples: $(EXAMPLES)
benches: $(BENCHES) $(GYRE)

deps:
	@bash scripts/deps.sh

# The test runner prints cmocka's per-binary summaries, then one closing line.
run-tests: tests
	@GYRE_BUILD=$(O) bash scripts/run-tests.sh $(O)

check: deps
	@$(MAKE) --no-print-directory run-tests

asan:
	@$(MAKE) --no-print-directory MODE=asan check
ubsan:
	@$(MAKE) --no-print-directory MODE=ubsan check
tsan:
	@$(MAKE) --no-print-directory MODE=tsan TEST_FILTER="$(TSAN_TESTS)" check
debug:
	@$(MAKE) --no-print-directory MODE=debug all

demo: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: all
	@bash scripts/demo.sh $(O)

fuzz:
	@GYRE_DEPS_EXTRA=clang bash scripts/deps.sh
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

bench:
	@GYRE_DEPS_EXTRA=gnuplot-nox bash scripts/deps.sh
	@$(MAKE) --no-print-directory run-bench

run-bench: benches
	@bash scripts/bench.sh $(O)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
