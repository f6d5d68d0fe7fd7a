#!/usr/bin/env bash
# Run every benchmark program the build produced (build/bench/bench_*), each
# printing its own figures. Record results in docs/BENCHMARKS.md with the
# command that produced them.
set -euo pipefail
build=${BUILD:-build}
shopt -s nullglob
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $b"
  "$b"
done
