# Fuzz targets (libFuzzer, clang) for every parser of outside bytes; `make fuzz` builds and runs
# each for FUZZ_SECONDS from the seed corpus in fuzz/corpus/<target>/.
FUZZ_CC      := clang
FUZZ_SECONDS ?= 20
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The libraries the server binds on first use (the Makefile's PKGS_DL): their headers only.
PKGS_DL      ?= libcurl libmicrohttpd libpq libmariadb
FUZZ_CFLAGS  := -std=c11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -Isrc \
                $(shell pkg-config --cflags jansson nettle yajl $(PKGS_DL)) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIBS    := $(shell pkg-config --libs jansson nettle yajl) -lm -pthread
FUZZ_SRC     := $(sort $(shell find src -name '*.c' ! -name main.c))
FUZZ_OBJ     := $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o)
TARGETS      := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
# The simulator's target links sim/ instead of src/; its main() is renamed out of libFuzzer's way.
SIM_FUZZ_SRC := $(sort $(wildcard sim/*.c))
SIM_FUZZ_OBJ := $(SIM_FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o)
$(SIM_FUZZ_OBJ): FUZZ_CFLAGS += -Isim -DSIM_DATA_DIR='"$(abspath data)"' -Dmain=sim_program_main

.PHONY: run
run: $(TARGETS:%=$(FUZZ_BUILD)/%)
	@set -e; for t in $(TARGETS); do \
	    name=$${t#fuzz_}; run=$(FUZZ_BUILD)/corpus-$$name; mkdir -p $$run; \
	    echo "== $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -artifact_prefix=$(FUZZ_BUILD)/ \
	        -print_final_stats=1 $$run fuzz/corpus/$$name 2>&1 | \
	        grep -E '^(stat::number_of_executed_units|#[0-9]+ *DONE|==[0-9]+==|SUMMARY|.*ERROR)' || true; \
	    test $${PIPESTATUS[0]} -eq 0 || { echo "fuzz: $$t found a crash"; exit 1; }; \
	done
	@echo "fuzz: no findings"

# -MMD -MP: an object is rebuilt when a header it includes changes (a struct that grew a member
# left stale objects reading the old layout: a crash that was the build's, not the code's). A
# static pattern rule, so that the objects are targets of their own, not intermediate files that
# make neither deletes nor remakes when missing.
$(FUZZ_OBJ) $(SIM_FUZZ_OBJ): $(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

-include $(FUZZ_OBJ:.o=.d) $(SIM_FUZZ_OBJ:.o=.d)

$(FUZZ_BUILD)/fuzz_sim_request: fuzz/fuzz_sim_request.c $(SIM_FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isim -DSIM_DATA_DIR='"$(abspath data)"' -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)
.SECONDARY:
