#!/usr/bin/env bash
# The standard benchmark suite (make bench), sized for a 2-core machine to
# finish in about 20 minutes:
#  1. every benchmark binary BUILD_DIR/bench/bench_* in turn (each prints its
#     own figures and ratios to its targets), then bench_cc and bench_tc
#     again at the large R-MAT scale (22: 67 M edge lines, a 1 GiB .gyb);
#  2. `gyre bench` at W = 1,2 for cc and tc over R-MAT graphs written once as
#     .gyb files into a temporary directory, for ingest over the larger one,
#     and for the exchange, barrier and loop micro-benchmarks.
# Step 2 writes bench/results/latest.csv (every row of every run),
# latest.txt (the machine, the command, every table) and latest.svg (drawn
# by scripts/plot.gp when gnuplot is installed; make deps installs it).
# Fails if any benchmark fails; the others still run.
#
# usage: scripts/bench.sh BUILD_DIR
# Knobs (environment): GY_BENCH_WORKERS (1,2), GY_BENCH_REPS (3),
# GY_BENCH_WARMUP (1), GY_BENCH_CC_SCALE (18: cc and ingest on rmat:18),
# GY_BENCH_TC_SCALE (16), GY_BENCH_BINARIES (1; 0 skips step 1),
# GY_BENCH_LARGE_SCALE (22; 0 skips the large runs of step 1).
set -uo pipefail
build=${1:?usage: bench.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 1
gyre=$build/gyre
results=$root/bench/results
workers=${GY_BENCH_WORKERS:-1,2}
reps=${GY_BENCH_REPS:-3}
warmup=${GY_BENCH_WARMUP:-1}
cc_scale=${GY_BENCH_CC_SCALE:-18}
large_scale=${GY_BENCH_LARGE_SCALE:-22}
tc_scale=${GY_BENCH_TC_SCALE:-16}
failed=()

# ---- 1. the benchmark binaries ----
if [ "${GY_BENCH_BINARIES:-1}" != 0 ]; then
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
    if [ "$large_scale" != 0 ]; then
        for b in bench_cc bench_tc; do
            echo "== $b at R-MAT scale $large_scale"
            GY_BENCH_SCALE=$large_scale "$build/bench/$b" ||
                failed+=("$b scale $large_scale (exit $?)")
        done
    fi
fi

# ---- 2. gyre bench ----
if [ ! -x "$gyre" ]; then
    echo "bench.sh: $gyre is missing; run 'make benches' first" >&2
    exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$results"

# The machine and the command, above the tables (the README quotes them).
{
    echo "# gyre bench suite: scripts/bench.sh (make bench), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
         "$(git -C "$root" diff --quiet 2>/dev/null || echo '(with local changes)')"
    echo "# machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)," \
         "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
         "$(uname -sr), $(gcc --version | head -1)"
    echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
} > "$tmp/latest.txt"

# The inputs: written once, read by every run (the .gyb name is what the
# CSV's input column shows, since the runs start in $tmp).
for s in "$cc_scale" "$tc_scale"; do
    [ -f "$tmp/rmat$s.gyb" ] && continue
    echo "== gyre gen rmat:$s -o rmat$s.gyb"
    (cd "$tmp" && "$gyre" gen "rmat:$s" -o "rmat$s.gyb") || failed+=("gyre gen rmat:$s")
done

suite=(
    "cc rmat$cc_scale.gyb"
    "tc rmat$tc_scale.gyb"
    "ingest rmat$cc_scale.gyb"
    "exchange 256M"
    "barrier 500k"
    "loop 1M:50"
)
n=0
for entry in "${suite[@]}"; do
    read -r algo input <<< "$entry"
    n=$((n + 1))
    cmd=(bench "$algo" "$input" --workers "$workers" --reps "$reps" --warmup "$warmup")
    echo "== gyre ${cmd[*]}"
    if (cd "$tmp" && "$gyre" "${cmd[@]}" --csv "$tmp/part$n.csv") > "$tmp/table$n.txt"; then
        { echo "\$ gyre ${cmd[*]}"; cat "$tmp/table$n.txt"; echo; } >> "$tmp/latest.txt"
    else
        failed+=("gyre ${cmd[*]} (exit $?)")
    fi
    cat "$tmp/table$n.txt"
done

# The cost of --stats, shown beside the plain runs (its extra columns stay
# out of the merged CSV, whose header is the same for every row).
cmd=(bench cc "rmat$cc_scale.gyb" --workers "$workers" --reps "$reps" --warmup "$warmup" --stats)
echo "== gyre ${cmd[*]}"
if (cd "$tmp" && "$gyre" "${cmd[@]}") > "$tmp/table_stats.txt"; then
    { echo "\$ gyre ${cmd[*]}"; cat "$tmp/table_stats.txt"; echo; } >> "$tmp/latest.txt"
else
    failed+=("gyre ${cmd[*]} (exit $?)")
fi
cat "$tmp/table_stats.txt"

# One CSV: the header once, then every run's rows in suite order.
parts=("$tmp"/part*.csv)
if [ -f "${parts[0]}" ]; then
    {
        head -n 1 "${parts[0]}"
        for i in $(seq 1 "$n"); do
            [ -f "$tmp/part$i.csv" ] && tail -n +2 "$tmp/part$i.csv"
        done
    } > "$results/latest.csv"
    cp "$tmp/latest.txt" "$results/latest.txt"
    echo "== wrote $results/latest.csv and latest.txt"
    if command -v gnuplot > /dev/null; then
        algos=$(tail -n +2 "$results/latest.csv" | cut -d, -f1 | uniq | tr '\n' ' ')
        gnuplot -e "csv='$results/latest.csv'; out='$results/latest.svg'; algos='$algos'" \
                -e "cores=$(nproc); subtitle='make bench, W = $workers, median of $reps runs'" \
                "$root/scripts/plot.gp" && echo "== wrote $results/latest.svg" \
            || failed+=("gnuplot scripts/plot.gp")
    else
        echo "bench.sh: gnuplot is not installed, so no latest.svg;" \
             "install it with 'make deps' (gnuplot-nox) and run again" >&2
        failed+=("plot (no gnuplot)")
    fi
fi

for f in "${failed[@]}"; do echo "FAILED: $f" >&2; done
[ ${#failed[@]} -eq 0 ]
