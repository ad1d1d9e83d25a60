/*
 * What `gyre bench` reports and how: the figures for each worker count
 * (cli/bench_report.c derives speedup, efficiency, throughput and COST from
 * the measured medians) and the four ways out: a table, CSV, JSON and a
 * gnuplot SVG.
 *
 * Definitions, with t_W the median kernel time at W workers and t_base the
 * baseline's median kernel time:
 *     throughput = items / t_W            speedup    = t_1 / t_W
 *     efficiency = speedup / W            COST ratio = t_W / t_base
 *     COST       = the smallest measured W with t_W < t_base
 *     --stats overhead = t_W(stats on) / t_W - 1, both medians of runs
 *                  that alternate, so that drift in the machine's load
 *                  falls on both
 * Speedup and efficiency need a W = 1 row; ratios need a baseline; what is
 * missing is NAN (an empty CSV field, "-" in the table, null in JSON).
 *
 * Main thread only; nothing here keeps state.
 */
#ifndef GY_CLI_BENCH_REPORT_H
#define GY_CLI_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/bench_kernels.h"
#include "progress/compiler.h"

/* One worker count's figures (or the baseline's, with workers = 1). */
struct gy_cli_bench_row {
    uint32_t workers;
    bool oversubscribed;         /* workers > cores */
    double time_s;               /* median kernel time */
    double time_min_s, time_max_s;
    double load_s;               /* median load time (not in time_s) */
    uint64_t items;              /* edges, records or rounds per run */
    double throughput;           /* items / time_s */
    double speedup;              /* t_1 / time_s, or NAN */
    double efficiency;           /* speedup / workers, or NAN */
    double cost_ratio;           /* time_s / baseline time, or NAN */
    double peak_mib;             /* largest ru_maxrss of its runs, MiB */
    uint64_t result;             /* what every run computed */
    /* --stats: the same runs with statistics on, alternating with the plain ones. */
    double stats_time_s;         /* their median kernel time, or NAN */
    double stats_min_s, stats_max_s;
    double stats_overhead;       /* stats_time_s / time_s - 1, or NAN */
};

struct gy_cli_bench_report {
    const struct gy_cli_bench_kind *kind;
    const char *input;
    uint32_t cores;              /* gy_runtime_cores() */
    double load_before;          /* 1-minute load average before the runs; < 0 unknown */
    unsigned reps, warmup;
    struct gy_cli_bench_row *rows; /* [nrows], ascending workers */
    size_t nrows;
    bool have_base;              /* base is filled in */
    struct gy_cli_bench_row base;
    const char *no_base;         /* why there is no baseline, when !have_base */
    uint32_t cost;               /* COST in workers; 0 when no W beats the baseline */
    bool stats;                  /* --stats: rows carry stats_* */
};

/* The CSV header line, without the newline. */
extern const char gy_cli_bench_csv_header[];
/* With --stats, the columns that follow it (from ","). */
extern const char gy_cli_bench_csv_stats_columns[];

/* Fills throughput, speedup, efficiency, cost_ratio and cost from the times. */
void gy_cli_bench_derive(struct gy_cli_bench_report *r);

/* The readable table, with its explanations and warnings. */
void gy_cli_bench_print_table(FILE *out, const struct gy_cli_bench_report *r);

/* One JSON object holding everything the table holds. */
void gy_cli_bench_print_json(FILE *out, const struct gy_cli_bench_report *r);

/* Writes the header and one line per row to path. Returns 0 or -errno with
 * one line in err. */
GY_NODISCARD int gy_cli_bench_write_csv(const char *path, const struct gy_cli_bench_report *r,
                                        char *err, size_t errlen);

/*
 * Draws speedup (with the ideal line y = W) and throughput (with the
 * baseline's) against W into the SVG file path, with gnuplot. Returns 0;
 * -ENOENT when gnuplot is not on PATH (err says so and how to get it); or
 * -errno with err when gnuplot could not run or failed.
 */
GY_NODISCARD int gy_cli_bench_plot(const char *path, const struct gy_cli_bench_report *r,
                                   char *err, size_t errlen);

#endif
