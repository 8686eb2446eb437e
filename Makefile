# The two entry points of the README: `make run` and `make test`. Both install what is missing and
# configure (Ninja + ccache) first. `make run` builds only the infermark binary and the tokenizer
# files its demo needs; `make test` builds everything, runs every test, lists skipped tests with
# their reasons, and then proves the repository needs nothing beside it (scripts/check-self-contained).
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: deps configure build build-run run test clean

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

clean:
	rm -rf build
