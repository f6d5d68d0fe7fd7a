#!/usr/bin/env bash
# ThreadSanitizer run of the tests whose code starts threads of its own: the
# pipeline (three-stage analyzed-video pass) and the worker pool. Not part of
# `make test` (a third build of the tree); run it after touching threads:
#   scripts/tsan-check.sh [build-dir]
set -euo pipefail
build=${1:-build-tsan}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$build/build.ninja" ] ||
    meson setup "$build" --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false
ninja -C "$build"
export TSAN_OPTIONS="halt_on_error=1 suppressions=$root/tests/tsan.supp"
export OMP_WAIT_POLICY=passive
meson test -C "$build" --print-errorlogs --suite pipeline
meson test -C "$build" --print-errorlogs test_lifecycle test_analysis
