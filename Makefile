# The two entry points of the README: `make run` and `make test`. Both install what is missing and
# configure (Ninja + ccache) first. `make run` builds only the infermark binary and the tokenizer
# files its demo needs. `make test` builds everything, runs every test, lists skipped tests with
# their reasons, proves the repository needs nothing beside it (scripts/check-self-contained),
# runs the unit and integration tests under ASan+UBSan and the concurrency tests under TSan
# (`make sanitize`), and every fuzz target for FUZZ_SECONDS (`make fuzz`).
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 10

.PHONY: deps configure build build-run run test sanitize fuzz test-official clean

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) >/dev/null

# What the embedded default (`infermark run` with no options) needs: the binary and the Llama-3.1
# tokenizer files (made from the npm package llama3-tokenizer-js) for the demo model.
build-run: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target infermark infermark_llama3_tokenizer

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target all infermark_llama3_tokenizer

run: build-run
	$(BUILD_DIR)/apps/infermark/infermark run

test: build
	ctest --preset $(PRESET) -j $(JOBS)
	@scripts/ctest-skips $(BUILD_DIR)
	@JOBS=$(JOBS) scripts/check-self-contained $(PRESET)
	@$(MAKE) --no-print-directory sanitize
	@$(MAKE) --no-print-directory fuzz

# ASan+UBSan over the unit and integration tests, TSan over the tests marked CONCURRENCY.
sanitize: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target all infermark_llama3_tokenizer
	ctest --preset asan -j $(JOBS)
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target all infermark_llama3_tokenizer
	ctest --preset tsan -j $(JOBS)

# Every libFuzzer target (clang) for FUZZ_SECONDS seconds each, from its committed seed corpus.
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target infermark_fuzzers
	scripts/fuzz $(FUZZ_SECONDS)

# The tests labelled `official`, against MLPerf's own code, which the repository does not hold
# (docs/submission.md): MLPERF_LOADGEN_ROOT is a built official LoadGen, MLPERF_INFERENCE_DIR a
# checkout of mlcommons/inference. Built with INFERMARK_OFFICIAL_LOADGEN=ON in build/official, so
# a test that misses either fails instead of skipping.
test-official: deps
	@test -n "$(MLPERF_LOADGEN_ROOT)" -a -n "$(MLPERF_INFERENCE_DIR)" || \
	  { echo "make test-official needs MLPERF_LOADGEN_ROOT=... MLPERF_INFERENCE_DIR=..." >&2; exit 2; }
	@cmake --preset $(PRESET) -B build/official -DINFERMARK_OFFICIAL_LOADGEN=ON \
	  -DMLPERF_LOADGEN_ROOT="$(MLPERF_LOADGEN_ROOT)" -DMLPERF_INFERENCE_DIR="$(MLPERF_INFERENCE_DIR)" >/dev/null
	@cmake --build build/official -j $(JOBS) --target infermark infermark_llama3_tokenizer loadgen_official_test
	ctest --test-dir build/official -L '^official$$' --no-tests=error -j $(JOBS) --output-on-failure

clean:
	rm -rf build
