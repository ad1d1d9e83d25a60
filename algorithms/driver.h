/*
 * Runs one graph algorithm (algorithms/algo.h) over an edge input on W
 * workers: the shared driver behind `gyre cc|tc`, the benchmarks and the
 * algorithm tests.
 *
 * Every worker builds the same dataflow: its edge source (graph/source.h)
 * -> the algorithm -> a probe. Worker 0 hands each epoch's result to the
 * report callback as soon as the probe shows the epoch complete, in epoch
 * order, with the seconds since the run started. The source reads at most
 * max_open epochs ahead of the last completed one, so memory in flight is
 * bounded by a few epochs, not by the file.
 *
 * Threads: call from the main thread. report runs on worker 0's thread
 * (the other workers keep running meanwhile); it must not block for long.
 */
#ifndef GY_ALGORITHMS_DRIVER_H
#define GY_ALGORITHMS_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/algo.h"
#include "graph/source.h"
#include "progress/compiler.h"
#include "runtime/stats.h"

/* Called once per epoch; a nonzero return fails the run with "report failed". */
typedef int (*gy_algo_report_fn)(const struct gy_graph_result *r, double seconds, void *arg);

struct gy_algo_run_cfg {
    struct gy_edge_input_cfg input;  /* spec (path or generator), format, epochs */
    uint32_t workers;                /* >= 1 */
    bool no_pin;                     /* do not pin workers to cores */
    uint64_t max_open;               /* epochs read ahead of the results; 0 = 4 */
    gy_algo_fn algo;
    struct gy_algo_opts opts;        /* input_name is filled in by the driver when NULL */
    gy_algo_report_fn report;        /* may be NULL */
    void *arg;
    bool stats;                      /* count per operator and progress traffic
                                      * (runtime/stats.h); see gy_algo_run_stats.ops */
};

/* What the run read and how long it took. */
struct gy_algo_run_stats {
    uint64_t lines;                  /* edge lines in the input */
    uint64_t edges;                  /* edge records streamed (all workers) */
    uint64_t epochs;                 /* results reported */
    uint64_t dropped_late;           /* late lines dropped (drop_late) */
    struct gy_edges_bad bad;         /* bad lines skipped (skip_bad), first line numbers */
    struct gy_graph_result last;     /* the last epoch's result (zero if none) */
    double open_seconds;             /* preparing the input (split, prefix counts) */
    double run_seconds;              /* the dataflow, from start to the last result */
    /* With cfg.stats, after a successful run: the per-operator and
     * per-worker statistics (runtime/stats.h), which the caller frees with
     * gy_stats_free. NULL otherwise. */
    gy_stats_t *ops;
};

/* Zero/defaults: one worker, whole input as one epoch. */
void gy_algo_run_cfg_init(struct gy_algo_run_cfg *cfg);

/*
 * Runs cfg->algo over cfg->input. Returns 0, or -errno with one line in err
 * ("path:LINE: ...", "operator 'cc': ...", ...). stats may be NULL (then
 * cfg->stats counts for nothing: the snapshot is freed at once).
 */
GY_NODISCARD int gy_algo_run(const struct gy_algo_run_cfg *cfg, struct gy_algo_run_stats *stats,
                             char *err, size_t errlen);

#endif
