#!/usr/bin/env bash
# Runs every test binary under BUILD/tests (or those named in TEST_FILTER),
# each under a timeout so that a hang fails instead of blocking, then prints
# one closing line with the totals of cmocka's per-binary summaries.
set -uo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
limit=${TEST_TIMEOUT:-600}
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1 ${UBSAN_OPTIONS:-}"
passed=0 failed=0 broken=()

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if [ -n "${TEST_FILTER:-}" ] && ! grep -qw -- "$name" <<<"$TEST_FILTER"; then continue; fi
    log=$(mktemp)
    timeout --foreground -k 10 "$limit" "$t" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    rm -f "$log"
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" -ne 0 ]; then
        broken+=("$name (exit $rc)")
        [ "$f" -eq 0 ] && failed=$((failed + 1))
    fi
done

echo
for b in "${broken[@]}"; do echo "FAILED: $b"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
