# spyglass: one non-recursive GNU Makefile. See HACKING.md.
#   make            build ./spyglass
#   make test       install build deps if missing, then unit + functional tests, plain and ASan+UBSan
#                   side by side (scripts/test.sh)
#   make check      unit, web (the page's JavaScript: make webtest) and functional tests of the
#                   plain build
#   make asan       unit + functional tests of the ASan+UBSan build (build-asan/)
#   make lint       clang-format dry run, cppcheck, every header compiles on its own, the
#                   include graph follows the layers (scripts/layers.sh)
#   make fuzz       build the libFuzzer harnesses (clang) and run each briefly
#   make demo       profile the built-in demo workload, write demo-out/
#   WERROR=1        warnings are errors (CI)

CC       ?= gcc
BUILD    ?= build
SAN      ?= 0
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Isrc
WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla -Wpointer-arith
LDLIBS   := -lelf -ljansson -lz -lm -lpthread
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SAN),1)
CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# The CLI (cli.c, cli_*.c: argv, messages, exit codes) is linked into the binary, not into
# libcore.a; the core never calls it (scripts/layers.sh checks the includes).
CLI_SRC  := $(filter src/cli%.c,$(wildcard src/*.c))
CLI_OBJ  := $(CLI_SRC:src/%.c=$(BUILD)/%.o)
CORE_SRC := $(filter-out src/main.c $(CLI_SRC),$(wildcard src/*.c))
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/%.o)
# The report page's sources, embedded into a generated C file (scripts/embed.sh, web_assets.h);
# its one script is web/model.js (the model, unit-tested by node: make webtest) then report.js.
WEB      := web/report.html web/report.css web/model.js web/report.js
GEN_OBJ  := $(BUILD)/gen/web_assets.o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%.o)
# The CLI modules the unit tests call (test_cli_*.c), and what those call.
UNIT_CLI := $(addprefix $(BUILD)/,cli_common.o cli_export.o cli_msg.o cli_attach.o cli_signals.o)
BIN      := $(if $(filter build,$(BUILD)),spyglass,$(BUILD)/spyglass)

all: $(BIN)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/gen/web_assets.c: $(WEB) scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh $@ web_report_html=web/report.html web_report_css=web/report.css \
	  web_report_js=web/model.js+web/report.js

$(GEN_OBJ): $(BUILD)/gen/web_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/libcore.a: $(CORE_OBJ) $(GEN_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/main.o $(CLI_OBJ) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_OBJ) $(UNIT_CLI) $(BUILD)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/main.d $(GEN_OBJ:.o=.d)

deps:
	@scripts/deps.sh build

# Each runner's output is kept in $(BUILD)/*.log for scripts/summary.sh.
unit: $(BUILD)/unit-tests
	cd tests && ../$(BUILD)/unit-tests > ../$(BUILD)/unit.log 2>&1; rc=$$?; cat ../$(BUILD)/unit.log; exit $$rc

# The functional suites, SPYGLASS_TEST_JOBS at a time (default 2), longest first: each writes
# $(BUILD)/NAME.log ending in "N passed, N failed" and its time (scripts/functional.sh). All run
# even when one fails. FUNCTIONAL (NAME or NAME=SCRIPT:REGEX words) picks some.
FUNCTIONAL ?=
functional: $(BIN)
	@scripts/functional.sh $(BUILD) $(CURDIR)/$(BIN) $(FUNCTIONAL)

# The report page's JavaScript: node --check, eslint and node's test runner on the model
# (tests/web/, some tests against this build's binary); $(BUILD)/webtest.log for summary.sh.
webtest: $(BIN)
	@s=$$(date +%s); SPYGLASS=$(CURDIR)/$(BIN) scripts/webtest.sh > $(BUILD)/webtest.log 2>&1; \
	  rc=$$?; echo "# webtest: $$(($$(date +%s) - s)) s" >> $(BUILD)/webtest.log; \
	  cat $(BUILD)/webtest.log; exit $$rc

check: unit webtest functional

# The sanitized binary runs every suite, on one CPython of each layout the unwinder knows (see
# tests/functional/lib.sh, test_version); the plain run above covers every installed version.
ASAN_VERSIONS ?= ^3\.(7|8|11|12|14|15)\.
asan:
	SPYGLASS_TEST_VERSIONS='$(ASAN_VERSIONS)' $(MAKE) BUILD=build-asan SAN=1 check

# The functional suites of the ASan build on ASAN_VERSIONS (part of make test's ASan half).
asan-functional:
	SPYGLASS_TEST_VERSIONS='$(ASAN_VERSIONS)' $(MAKE) BUILD=build-asan SAN=1 functional

# Both builds on every CPU, then the plain and ASan halves side by side (scripts/test.sh).
test: deps
	@scripts/deps.sh test
	@scripts/test.sh

demo: deps $(BIN)
	scripts/demo.sh $(CURDIR)/$(BIN)

HDRS := $(wildcard src/*.h)
lint:
	@scripts/deps.sh lint
	clang-format --dry-run -Werror src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src tests/unit tests/fuzz
	@for h in $(HDRS); do \
	  echo "#include \"$$(basename $$h)\"" | $(CC) $(CPPFLAGS) $(WARN) -Werror -fsyntax-only -x c - || exit 1; \
	done; echo "headers: each compiles on its own"
	@scripts/layers.sh

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c

fuzz:
	@scripts/deps.sh fuzz
	scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz spyglass demo-out tests/out

.PHONY: all deps unit webtest functional check asan asan-functional test demo lint format fuzz clean
