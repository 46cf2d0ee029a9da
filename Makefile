# The three user commands (README.md): `make`, `make demo`, `make test`.
# Each installs missing Debian packages first (cmake/install-deps.sh).
# Also: `make install PREFIX=dir`, `make package` (build/immune_*.deb),
# `make eval` (docs/evaluation.md), `make soak` and `make fuzz`
# (docs/reliability.md).
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19

.PHONY: all deps configure build test demo demo-live bench eval soak fuzz install package clean

all: build

deps:
	@bash cmake/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	bash examples/httpd/demo.sh $(BUILD)

# The second act: the running server vaccinated live, no rebuild (docs/live.md).
demo-live: build
	bash examples/httpd/demo-live.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

# The evaluation on real programs from Debian source packages (lighttpd,
# memcached, zlib, sqlite3): transparency, fault-injection campaigns,
# benchmarks; regenerates docs/evaluation.md. Takes about two hours.
eval: build
	bash eval/run.sh $(BUILD)

# Reliability (docs/reliability.md); `make test` runs a short version of each.
# soak: a million faulting requests to the demo server, a long fault storm,
# the runtime under ASan+UBSan and TSan (about 25 minutes).
soak: build
	bash tests/soak/run.sh $(BUILD)

# fuzz: every fuzzer for FUZZ_SECONDS, then the pass over STRESS_MODULES
# random modules and every lit and e2e source; failing modules are reduced
# to lit tests in $(BUILD)/tests/stress/reduced/ (about an hour).
FUZZ_SECONDS ?= 300
STRESS_MODULES ?= 5000
fuzz: build
	@status=0; \
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(BUILD) || status=1; \
	python3 tests/stress/stress.py $(BUILD) --count $(STRESS_MODULES) \
	  --e2e-sources --all-configs --reduce || status=1; \
	exit $$status

PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package, for `apt-get install ./build/immune_*.deb`.
package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)
