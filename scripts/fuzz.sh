#!/usr/bin/env bash
# Builds every libFuzzer target fuzz/fuzz_*.c with clang (fuzzer, address and
# undefined sanitizers) from the graph/*.c and progress/*.c sources plus
# fuzz/harness.c, then runs each for SECONDS (default 60), one after another.
#
#   scripts/fuzz.sh [SECONDS]            FUZZ_TARGETS="text gzip" to pick targets
#
# Seeds: fuzz/corpus/<target>/ (checked in, small) and tests/data/nasty/ if it
# exists; both are read only. New inputs go to fuzz/corpus-work/<target>/
# (ignored by git), crashes and their reproducers to build/fuzz/<target>-*.
# Reproduce one with: build/fuzz/fuzz_<target> build/fuzz/<target>-crash-...
# Exit status: 0 if no target crashed, 1 if any did, 2 if a build failed.
set -uo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
cc=${FUZZ_CC:-clang}
out=build/fuzz
targets=${FUZZ_TARGETS:-$(ls fuzz/fuzz_*.c 2>/dev/null | sed 's|fuzz/fuzz_\(.*\)\.c|\1|')}

if ! command -v "$cc" >/dev/null; then
    echo "fuzz: $cc not found; 'make fuzz' installs clang" >&2
    exit 2
fi
[ -n "$targets" ] || { echo "fuzz: no targets in fuzz/" >&2; exit 2; }
mkdir -p "$out"

cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Werror)
# The readers need only graph/ and progress/ (libc only). graph/ files that
# build on operators/ or runtime/ (the source operator) are left out: their
# layers would drag in threads, hwloc and liburcu, which no parser uses.
graph_srcs=()
for f in graph/*.c; do
    "$cc" -MM -std=c11 -D_GNU_SOURCE -I. "$f" | grep -qE '[ :](operators|runtime|algorithms)/' ||
        graph_srcs+=("$f")
done
srcs=("${graph_srcs[@]}" progress/*.c fuzz/harness.c)

crashed=() summary=()
for t in $targets; do
    bin=$out/fuzz_$t
    echo "fuzz: building $bin"
    if ! "$cc" "${cflags[@]}" "${srcs[@]}" "fuzz/fuzz_$t.c" -o "$bin" \
            -Wl,--gc-sections -lz -lm -pthread; then
        echo "fuzz: build of $t failed" >&2
        exit 2
    fi
    work=fuzz/corpus-work/$t
    mkdir -p "$work"
    seeds=()
    [ -d "fuzz/corpus/$t" ] && seeds+=("fuzz/corpus/$t")
    [ -d tests/data/nasty ] && seeds+=(tests/data/nasty)
    log=$out/$t.log
    echo "fuzz: running $t for ${secs}s (log: $log)"
    # -timeout: a single input taking 10 s is a hang; rss limit catches runaway allocation.
    "$bin" "$work" "${seeds[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$out/$t-" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ]; then
        crashed+=("$t")
        summary+=("$t: ${runs:-?} runs, CRASH (exit $rc): $(ls -t "$out/$t-"* 2>/dev/null | head -1)")
        grep -m3 -E 'ERROR|check failed|runtime error' "$log" | sed 's/^/    /'
    else
        summary+=("$t: ${runs:-?} runs, no crash")
    fi
done

echo
printf 'fuzz: %s\n' "${summary[@]}"
[ ${#crashed[@]} -eq 0 ]
