#!/usr/bin/env bash
# Runs every benchmark binary BUILD_DIR/bench/bench_* in turn and fails if any
# of them fails. usage: scripts/bench.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: bench.sh BUILD_DIR}
failed=()
found=0
for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    found=1
    echo "== $(basename "$b")"
    "$b" || failed+=("$(basename "$b") (exit $?)")
done
if [ "$found" -eq 0 ]; then
    echo "bench.sh: no benchmarks under $build/bench; run 'make benches' first" >&2
    exit 1
fi
for f in "${failed[@]}"; do echo "FAILED: $f" >&2; done
[ ${#failed[@]} -eq 0 ]
