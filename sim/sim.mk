# opensips-mi-sim: the OpenSIPS MI simulator (sim/), included by the root Makefile.
SIM_SRC    := $(sort $(wildcard sim/*.c))
SIM_OBJ    := $(SIM_SRC:%.c=$(BUILD)/%.o)
SIM_BIN    := $(BUILD)/opensips-mi-sim
SIM_REPLAY := $(BUILD)/sim/tests/sim_replay
SIM_TESTS  := $(BUILD)/sim/tests/run-sim-tests

# The recordings and catalogues the simulator serves by default (--data overrides).
$(SIM_OBJ): CFLAGS += -DSIM_DATA_DIR='"$(abspath data)"'

$(SIM_BIN): $(SIM_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(SIM_REPLAY): sim/tests/sim_replay.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LDLIBS)

# UNIT_RUNS entries are run as single words: a wrapper carries this build's binaries.
$(SIM_TESTS): sim/tests/run.sh $(SIM_BIN) $(SIM_REPLAY)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec env SIM_BIN=%s SIM_REPLAY=%s SIM_DATA=%s %s "$$@"\n' \
	    $(abspath $(SIM_BIN)) $(abspath $(SIM_REPLAY)) $(abspath data) $(abspath sim/tests/run.sh) > $@
	chmod +x $@

# A real file target, renamed into place like opensips-mcp (the root Makefile says why).
opensips-mi-sim: $(SIM_BIN)
	cp $< $@.tmp && mv -f $@.tmp $@

all: opensips-mi-sim
ALL_BINS  += $(SIM_BIN) $(SIM_REPLAY) $(SIM_TESTS)
UNIT_RUNS += $(SIM_TESTS)
