/*
 * The `gyre bench` command (cli/cmd_bench.c): runs a graph algorithm or a
 * micro-benchmark once per worker count, with warm-ups and repetitions,
 * each run in a forked child, against a single-threaded baseline, and
 * reports time, throughput, speedup, efficiency, COST and peak memory as a
 * table, CSV, JSON and an SVG plot.
 *
 * Takes the command's own argv (argv[0] is "bench") and returns the process
 * exit status: GY_EXIT_OK; GY_EXIT_USAGE for a bad command line (an unknown
 * benchmark, a bad --workers list, ...); GY_EXIT_RUNTIME when a run failed,
 * when runs disagree on the result (a bug: no figures are printed then),
 * or when an output (CSV, plot) could not be written. Every error is one
 * line on stderr; progress lines go to stderr, the report to stdout.
 * Main thread only; keeps no global state, so it may be called again.
 */
#ifndef GY_CLI_CMD_BENCH_H
#define GY_CLI_CMD_BENCH_H

/* gyre bench ALGO [INPUT] [--workers 1,2,...] [--reps N] [--warmup N] [--csv F] [--plot F.svg] */
int gy_cli_bench(int argc, char **argv);

#endif
