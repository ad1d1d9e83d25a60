/*
 * The table of `gyre bench` benchmarks (cli/bench_kernels.h) and the kernel
 * shared by the graph algorithms: one gy_algo_run over the input.
 */
#include "cli/bench_kernels.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "algorithms/cc.h"
#include "algorithms/driver.h"
#include "algorithms/tc.h"
#include "cli/opts.h"

/* Fills cfg for one run of algo over p's input. */
static void algo_cfg(const struct gy_cli_bench_params *p, gy_algo_fn algo,
                     struct gy_algo_run_cfg *cfg)
{
    gy_algo_run_cfg_init(cfg);
    cfg->input.spec = p->input;
    cfg->input.file = p->file;
    cfg->input.epochs = p->epochs;
    cfg->workers = p->workers;
    cfg->no_pin = p->no_pin;
    cfg->max_open = p->max_open;
    cfg->stats = p->stats;
    cfg->algo = algo;
}

/*
 * The kernel of an algorithm: gy_algo_run's run_seconds, the dataflow from
 * the start of the workers to the last epoch's result, which includes
 * reading (parsing or generating) the input, since the workers stream it
 * while they compute. load is open_seconds: opening, splitting and
 * prefix-counting the input before the workers start.
 */
static int run_algo(const struct gy_cli_bench_params *p, gy_algo_fn algo, bool tc,
                    struct gy_cli_bench_sample *out, char *err, size_t errlen)
{
    struct gy_algo_run_cfg cfg;
    struct gy_algo_run_stats st;
    int rc;

    algo_cfg(p, algo, &cfg);
    rc = gy_algo_run(&cfg, &st, err, errlen);
    gy_stats_free(st.ops); /* made, as gyre cc --stats makes it, but not wanted here */
    if (rc != 0)
        return rc;
    out->kernel_s = st.run_seconds;
    out->load_s = st.open_seconds;
    out->items = st.edges;
    out->result = tc ? st.last.triangles : st.last.components;
    return 0;
}

static int bench_cc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                    char *err, size_t errlen)
{
    return run_algo(p, gy_cc, false, out, err, errlen);
}

static int bench_tc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                    char *err, size_t errlen)
{
    return run_algo(p, gy_tc, true, out, err, errlen);
}

/* What the kernel and load times cover, per kind of benchmark. */
#define TIMED_ALGO                                                                       \
    "kernel = the workers' dataflow from start to the last epoch's result, reading the " \
    "input included (the workers stream it); load = opening and splitting the input"
#define TIMED_MICRO                                                                      \
    "kernel = from the first worker starting to send to the last worker done; "         \
    "load = starting the threads and building the dataflow"
#define TIMED_INGEST                                                                     \
    "kernel = from the first worker starting to read to the last worker done; "         \
    "load = opening, splitting and prefix-counting the input, starting the threads"

static const struct gy_cli_bench_kind kinds[] = {
    {.name = "cc", .help = "connected components of an edge file or generator (gyre cc)",
     .unit = "edges", .result = "components", .timed = TIMED_ALGO, .graph = true,
     .run = bench_cc, .baseline = gy_cli_baseline_cc,
     .baseline_what = "union-find over the edges held in memory"},
    {.name = "tc", .help = "triangle count of an edge file or generator (gyre tc)",
     .unit = "edges", .result = "triangles", .timed = TIMED_ALGO, .graph = true,
     .run = bench_tc, .baseline = gy_cli_baseline_tc,
     .baseline_what = "degree-ordered sorted-adjacency intersection over the edges in memory"},
    {.name = "exchange", .help = "R 8-byte records all-to-all through an exchange (default 256M)",
     .unit = "records", .result = "records", .timed = TIMED_MICRO, .default_input = "256M",
     .check = gy_cli_bench_check_count, .run = gy_cli_bench_exchange},
    {.name = "barrier", .help = "R rounds of an empty loop: progress tracking alone (default 500k)",
     .unit = "rounds", .result = "rounds", .timed = TIMED_MICRO, .default_input = "500k",
     .check = gy_cli_bench_check_count, .run = gy_cli_bench_barrier},
    {.name = "loop",
     .help = "N records ITERS times around a loop with an exchange, N:ITERS (default 1M:50)",
     .unit = "records", .result = "records", .timed = TIMED_MICRO, .default_input = "1M:50",
     .check = gy_cli_bench_check_loop, .run = gy_cli_bench_loop},
    {.name = "ingest", .help = "an edge input read in parallel, exchanged by source, counted",
     .unit = "edges", .result = "edges", .timed = TIMED_INGEST, .graph = true,
     .run = gy_cli_bench_ingest, .baseline = gy_cli_baseline_ingest,
     .baseline_what = "one sequential read of the input, counting edges"},
};

const struct gy_cli_bench_kind *gy_cli_bench_all(size_t *n)
{
    *n = sizeof(kinds) / sizeof(kinds[0]);
    return kinds;
}

const struct gy_cli_bench_kind *gy_cli_bench_find(const char *name)
{
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        if (strcmp(kinds[k].name, name) == 0)
            return &kinds[k];
    return NULL;
}

bool gy_cli_bench_parse_count(const char *s, uint64_t *out)
{
    char digits[32];
    size_t n = strlen(s);
    uint64_t mul = 1, x;

    if (n == 0 || n >= sizeof(digits))
        return false;
    switch (s[n - 1]) {
    case 'k': case 'K': mul = 1000; break;
    case 'm': case 'M': mul = 1000000; break;
    case 'g': case 'G': mul = 1000000000; break;
    default: break;
    }
    memcpy(digits, s, n + 1);
    if (mul != 1)
        digits[--n] = '\0';
    if (!gy_cli_parse_u64(digits, &x) || x == 0 || x > UINT64_MAX / mul)
        return false;
    *out = x * mul;
    return true;
}

int gy_cli_bench_check_count(const char *input, char *err, size_t errlen)
{
    uint64_t n;

    if (gy_cli_bench_parse_count(input, &n))
        return 0;
    snprintf(err, errlen, "'%s' is not a count (digits with an optional k, M or G)", input);
    return -EINVAL;
}
