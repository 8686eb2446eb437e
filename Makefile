# The two entry points of the README: `make run` and `make test`. Both install what is missing,
# configure and build (Ninja + ccache) first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: deps configure build run test clean

deps:
	@scripts/install-deps

configure: deps
	@cmake --preset $(PRESET) >/dev/null

# Also builds the Llama-3.1 tokenizer files (npm) that the demo model and tests use.
build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) --target all infermark_llama3_tokenizer

run: build
	$(BUILD_DIR)/apps/infermark/infermark run

test: build
	ctest --preset $(PRESET) -j $(JOBS)

clean:
	rm -rf build
