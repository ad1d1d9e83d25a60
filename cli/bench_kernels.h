/*
 * What `gyre bench` can measure: each benchmark is a kernel that runs once
 * on W workers and says how long it took and how much it did, plus, where
 * one exists, a plain single-threaded baseline doing the same work (the
 * COST comparison). cli/cmd_bench.c runs every kernel call in a forked
 * child, so each call starts from a fresh process and its peak memory is its
 * own.
 *
 *   cc, tc    an algorithm (algorithms/algo.h) over an edge file or a
 *             generator spec, through gy_algo_run (cli/bench_kernels.c)
 *   exchange  R 8-byte records moved all-to-all by an exchange and counted
 *   barrier   R rounds of an empty loop driven by progress tracking alone
 *   loop      N records going ITERS times around a loop with an exchange
 *   ingest    an edge input read in parallel, exchanged by source, counted
 *             (the micro-benchmarks are in cli/bench_micro.c)
 *
 * Timing: kernel_s is the part that is compared across worker counts;
 * load_s is what precedes it and is reported beside it, never inside it.
 * Each kernel's `timed` text says exactly what both cover.
 *
 * Threads: the main thread of the process that runs the kernel.
 */
#ifndef GY_CLI_BENCH_KERNELS_H
#define GY_CLI_BENCH_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edgefile.h"
#include "graph/epochs.h"
#include "progress/compiler.h"

/* What one run is asked to do. */
struct gy_cli_bench_params {
    const char *input;           /* the kernel's input: a path, a generator spec, a size */
    uint32_t workers;            /* >= 1; ignored by baselines */
    bool no_pin;                 /* do not pin workers to cores */
    struct gy_edges_opts file;   /* graph inputs: format, columns */
    struct gy_epochs_cfg epochs; /* graph inputs: epochs by count or by event time */
    uint64_t max_open;           /* cc, tc: epochs read ahead of the results; 0 = default */
    bool stats;                  /* count per-operator statistics (runtime/stats.h), as
                                  * `gyre cc --stats` does: to measure what they cost */
};

/* What one run measured. */
struct gy_cli_bench_sample {
    double kernel_s;             /* the compared part, seconds */
    double load_s;               /* the part before it, seconds (not in kernel_s) */
    uint64_t items;              /* edges, records or rounds processed */
    uint64_t result;             /* what the run computed: the same for every W, else a bug */
};

/* Runs once. Returns 0, or -errno with one line in err. */
typedef int (*gy_cli_bench_fn)(const struct gy_cli_bench_params *p,
                               struct gy_cli_bench_sample *out, char *err, size_t errlen);

/* Checks an input before anything runs: 0, or -EINVAL with a line in err. */
typedef int (*gy_cli_bench_check_fn)(const char *input, char *err, size_t errlen);

struct gy_cli_bench_kind {
    const char *name;            /* "cc" */
    const char *help;            /* one line for --help */
    const char *unit;            /* what items counts: "edges", "records", "rounds" */
    const char *result;          /* what result is: "components", "triangles", ... */
    const char *timed;           /* what kernel_s and load_s cover, for the report */
    const char *default_input;   /* used when INPUT is omitted; NULL = INPUT required */
    bool graph;                  /* takes an edge input (file or generator spec) */
    gy_cli_bench_check_fn check; /* NULL: nothing to check up front */
    gy_cli_bench_fn run;         /* on W workers */
    gy_cli_bench_fn baseline;    /* one plain thread; NULL = none */
    const char *baseline_what;   /* what the baseline does, for the report */
};

/* The benchmark called name, or NULL. */
const struct gy_cli_bench_kind *gy_cli_bench_find(const char *name);

/* All benchmarks, *n of them, in the order --help lists them. */
const struct gy_cli_bench_kind *gy_cli_bench_all(size_t *n);

/* ---- kernels (cli/bench_micro.c, cli/bench_baseline.c) ---- */

int gy_cli_bench_exchange(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                          char *err, size_t errlen);
int gy_cli_bench_barrier(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                         char *err, size_t errlen);
int gy_cli_bench_loop(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                      char *err, size_t errlen);
int gy_cli_bench_ingest(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                        char *err, size_t errlen);

/* Input checks of the micro-benchmarks: a count, or N:ITERS for loop. */
int gy_cli_bench_check_count(const char *input, char *err, size_t errlen);
int gy_cli_bench_check_loop(const char *input, char *err, size_t errlen);

/* Single-threaded baselines over the edges held in memory (cli/bench_baseline.c). */
int gy_cli_baseline_cc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                       char *err, size_t errlen);
int gy_cli_baseline_tc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                       char *err, size_t errlen);
int gy_cli_baseline_ingest(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                           char *err, size_t errlen);

/*
 * A count with an optional decimal suffix: "250000", "250k", "64M", "2G"
 * (x 10^3, 10^6, 10^9). Returns false for anything else (and for 0).
 */
GY_NODISCARD bool gy_cli_bench_parse_count(const char *s, uint64_t *out);

#endif
