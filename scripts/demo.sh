#!/usr/bin/env bash
# The gyre demo, run from a build directory (make demo / make run-demo pass build/ or
# build/<mode>): generates an R-MAT graph with `gyre gen`, streams it in epochs through
# `gyre cc` (connected components) and `gyre tc` (triangles) on all cores, printing each
# per-epoch table and its throughput line, then runs the loop demo (`gyre demo`).
#
# usage: scripts/demo.sh BUILD_DIR
# environment: DEMO_SCALE (R-MAT scale, default 18: 2^18 vertices, 16 * 2^18 = 4.2 M edge
# lines, about 30 s in all on 2 cores), DEMO_EPOCHS (default 10), DEMO_WORKERS (default:
# one per core), TMPDIR (where the graph file goes; it is removed at the end).
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
gyre="$build/gyre"
scale=${DEMO_SCALE:-18}
epochs=${DEMO_EPOCHS:-10}
workers=${DEMO_WORKERS:-auto}
if [ ! -x "$gyre" ]; then
    echo "demo.sh: $gyre not found; run 'make' first" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gyre-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
graph="$tmp/rmat$scale.gyb"
lines=$((16 << scale))                  # gyre gen's default edge factor is 16
batch=$(((lines + epochs - 1) / epochs))

echo "== gyre gen rmat $scale -o $graph"
TIMEFORMAT="wrote $lines edge lines in %R s"
time "$gyre" gen rmat "$scale" -o "$graph"

for algo in cc tc; do
    echo
    echo "== gyre $algo $graph --batch $batch -w $workers"
    "$gyre" "$algo" "$graph" --batch "$batch" -w "$workers"
done

echo
echo "== gyre demo"
"$gyre" demo
