# kinalyze — the two commands a new user needs:
#   make run    install missing Debian packages, build optimised, fetch the pose
#               models, and serve on 127.0.0.1:8080 with ./var as data directory
#   make test   same install step, sanitizer build, every test suite
# Also: make build (build/kinalyze only), make models, make bench, make format.

BUILD      ?= build
ASAN_BUILD ?= build-asan
DATA_DIR   ?= var
LISTEN     ?= 127.0.0.1:8080
MESON_SETUP = meson setup --reconfigure

.PHONY: all build run test deps test-deps models bench format clean

all: build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test

models:
	@scripts/fetch-models.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Db_ndebug=true

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@ln -sf src/cli/kinalyze $(BUILD)/kinalyze

run: build models
	@mkdir -p $(DATA_DIR)
	$(BUILD)/kinalyze serve --data-dir $(DATA_DIR) --listen $(LISTEN) --models-dir models

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debugoptimized --werror -Db_sanitize=address,undefined -Db_lundef=false

test: test-deps models $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@scripts/run-tests.sh $(ASAN_BUILD)

bench: build models
	@scripts/bench.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
