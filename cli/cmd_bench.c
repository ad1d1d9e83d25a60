/*
 * `gyre bench` (cli/cmd_bench.h): the command line, and the measurement
 * loop. Every run, warm-up and baseline included, is a forked child that
 * runs one kernel (cli/bench_kernels.h) and sends back what it measured
 * through a pipe; the parent reads the child's own peak memory from wait4.
 * So no run inherits another's heap, caches of the allocator or page
 * mappings, and peak memory is per run. The figures are derived and
 * printed by cli/bench_report.c.
 */
#include "cli/cmd_bench.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/support/measure.h"
#include "cli/bench_kernels.h"
#include "cli/bench_report.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define MAX_WORKERS 1024   /* a sanity bound on one --workers entry */
#define MAX_LIST 64        /* entries in --workers */
#define MAX_REPS 100       /* --reps and --warmup */
#define ERRLEN 512

enum {
    OPT_WORKERS, OPT_REPS, OPT_WARMUP, OPT_BATCH, OPT_WINDOW, OPT_LATENESS, OPT_TIME_COLUMN,
    OPT_SIGN_COLUMN, OPT_FORMAT, OPT_MAX_OPEN, OPT_CSV, OPT_PLOT, OPT_JSON, OPT_NO_BASELINE,
    OPT_NO_PIN, OPT_STATS, OPT_HELP,
};

static const struct gy_cli_opt options[] = {
    {OPT_WORKERS, 'w', "workers", "LIST", "worker counts, ascending, comma-separated (default:\n"
                                          "1, powers of two below the cores, the cores)"},
    {OPT_REPS, 'r', "reps", "N", "timed runs per worker count, median reported (default 3)"},
    {OPT_WARMUP, 0, "warmup", "N", "untimed runs before them (default 1)"},
    {OPT_BATCH, 0, "batch", "N", "graph inputs: N edge lines per epoch (default: the\n"
                                   "whole input is one epoch)"},
    {OPT_WINDOW, 0, "window", "T", "graph inputs: epochs are tumbling windows of width T\n"
                                   "on the time column (needs --time-column or a .gyb)"},
    {OPT_LATENESS, 0, "lateness", "B", "with --window: lines may come up to B late (default 0)"},
    {OPT_TIME_COLUMN, 0, "time-column", "K", "1-based column (>= 3) holding edge times"},
    {OPT_SIGN_COLUMN, 0, "sign-column", "K", "1-based column (>= 3) holding +1 or -1 (delete)"},
    {OPT_FORMAT, 0, "format", "F", "input format: auto (default), text, mtx or gyb"},
    {OPT_MAX_OPEN, 0, "max-open", "N", "cc, tc: epochs read ahead of the last result\n"
                                       "(default 4), as in gyre cc"},
    {OPT_CSV, 0, "csv", "FILE", "also write the figures to FILE, one row per worker count"},
    {OPT_PLOT, 0, "plot", "FILE.svg", "draw speedup and throughput against workers\n"
                                      "(needs gnuplot)"},
    {OPT_JSON, 0, "json", NULL, "print one JSON object instead of the table"},
    {OPT_NO_BASELINE, 0, "no-baseline", NULL, "skip the single-threaded baseline (no COST)"},
    {OPT_NO_PIN, 0, "no-pin", NULL, "do not pin workers to cores"},
    {OPT_STATS, 0, "stats", NULL, "also time each run with per-operator statistics on (as\n"
                                  "gyre cc --stats), alternating with the plain runs, and\n"
                                  "report their median and the overhead"},
    {OPT_HELP, 'h', "help", NULL, "show this help"},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

struct args {
    const struct gy_cli_bench_kind *kind;
    struct gy_cli_bench_params params;   /* input, file and epoch options; workers per run */
    uint32_t workers[MAX_LIST];
    size_t nworkers;
    unsigned reps, warmup;
    const char *csv, *plot;
    bool json, no_baseline, window, lateness, stats;
};

/* What a child sends back. */
struct child_msg {
    int rc;
    struct gy_cli_bench_sample s;
    char err[ERRLEN];
};

/* ---- help ---- */

static void help(FILE *out)
{
    size_t n;
    const struct gy_cli_bench_kind *k = gy_cli_bench_all(&n);

    fputs("usage: gyre bench ALGO [INPUT] [options]\n\n"
          "Runs ALGO on INPUT once per worker count (after warm-ups, several times, each run\n"
          "in its own process) and reports, per worker count: the median kernel time (with\n"
          "min and max), throughput, speedup over 1 worker, parallel efficiency, the COST\n"
          "ratio against one plain thread doing the same work, and peak memory (the run's\n"
          "ru_maxrss). COST is the fewest workers that beat that thread (McSherry et al.).\n"
          "Asking for more workers than cores is allowed and flagged in the table.\n\n"
          "What is timed: the kernel. Loading comes before it and is reported beside it,\n"
          "never inside it:\n"
          "  cc, tc   kernel = the workers' dataflow from start to the last epoch's result,\n"
          "           reading the input included (workers parse or generate it as they\n"
          "           stream it); load = opening the input and cutting it into ranges.\n"
          "           baseline: reading all edges into memory is load; mapping ids and the\n"
          "           algorithm are its kernel (so the baseline is not charged for parsing)\n"
          "  ingest   kernel = the parallel read; load = opening and prefix-counting;\n"
          "           baseline: one sequential read, all kernel\n"
          "  others   kernel = first worker starting to last worker done; load = threads\n"
          "           and dataflow construction; no baseline\n\n"
          "ALGO and INPUT:\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-9s %s\n", k[i].name, k[i].help);
    fputs("  INPUT of cc, tc, ingest: an edge file (text, Matrix Market, .gyb, gzipped) or a\n"
          "  generator spec rmat:SCALE[:EDGEFACTOR[:SEED]] or er:N:M[:SEED]. Counts take k, M\n"
          "  or G (x 10^3, 10^6, 10^9).\n\noptions:\n", out);
    gy_cli_opts_help(out, options, NOPTIONS);
    fputs("\nexamples:\n"
          "  gyre bench cc rmat:20 --workers 1,2 --plot scaling.svg\n"
          "  gyre bench tc web-Google.gyb --reps 5 --csv tc.csv\n"
          "  gyre bench barrier 1M --workers 1,2,4\n", out);
}

/* ---- arguments ---- */

/* "1,2,4" into a->workers: each in 1..MAX_WORKERS, strictly ascending. */
static bool parse_workers(const char *s, struct args *a)
{
    char item[24];

    a->nworkers = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        uint64_t w;
        if (n == 0 || n >= sizeof(item) || a->nworkers == MAX_LIST)
            return false;
        memcpy(item, s, n);
        item[n] = '\0';
        if (!gy_cli_parse_u64(item, &w) || w == 0 || w > MAX_WORKERS ||
            (a->nworkers > 0 && w <= a->workers[a->nworkers - 1]))
            return false;
        a->workers[a->nworkers++] = (uint32_t)w;
        s += n;
        if (*s == ',' && *++s == '\0')
            return false;
    }
    return a->nworkers > 0;
}

/* 1, 2, 4, ... below the cores, then the cores. */
static void default_workers(struct args *a)
{
    uint32_t cores = gy_runtime_cores();

    a->nworkers = 0;
    for (uint32_t w = 1; w < cores && a->nworkers < MAX_LIST - 1; w *= 2)
        a->workers[a->nworkers++] = w;
    a->workers[a->nworkers++] = cores;
}

static bool parse_format(const char *s, gy_edges_format_t *f)
{
    static const struct {
        const char *name;
        gy_edges_format_t f;
    } names[] = {{"auto", GY_EDGES_AUTO}, {"text", GY_EDGES_TEXT}, {"mtx", GY_EDGES_MTX},
                 {"gyb", GY_EDGES_BIN}};

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(s, names[k].name) == 0) {
            *f = names[k].f;
            return true;
        }
    return false;
}

/* A count option's value in [lo, hi]; false (after printing) otherwise. */
static bool option_u64(const char *name, const char *val, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (gy_cli_parse_u64(val, out) && *out >= lo && *out <= hi)
        return true;
    gy_cli_usage_error("bench", "--%s needs a number from %llu to %llu, not '%s'", name,
                       (unsigned long long)lo, (unsigned long long)hi, val);
    return false;
}

/* One option; false after printing a usage error. */
static bool take_option(int id, const char *val, struct args *a)
{
    uint64_t x = 0;

    switch (id) {
    case OPT_WORKERS:
        if (parse_workers(val, a))
            return true;
        gy_cli_usage_error("bench", "bad --workers '%s': give ascending worker counts from 1 "
                           "to %d, comma-separated, such as 1,2,4", val, MAX_WORKERS);
        return false;
    case OPT_REPS:
        return option_u64("reps", val, 1, MAX_REPS, &x) && ((a->reps = (unsigned)x), true);
    case OPT_WARMUP:
        return option_u64("warmup", val, 0, MAX_REPS, &x) && ((a->warmup = (unsigned)x), true);
    case OPT_BATCH:
        return option_u64("batch", val, 1, UINT64_MAX, &a->params.epochs.batch);
    case OPT_WINDOW:
        a->window = true;
        return option_u64("window", val, 1, UINT64_MAX, &a->params.epochs.width);
    case OPT_LATENESS:
        a->lateness = true;
        return option_u64("lateness", val, 0, UINT64_MAX, &a->params.epochs.bound);
    case OPT_TIME_COLUMN:
        return option_u64("time-column", val, 3, 1000000, &x) &&
               ((a->params.file.time_column = (unsigned)x), true);
    case OPT_SIGN_COLUMN:
        return option_u64("sign-column", val, 3, 1000000, &x) &&
               ((a->params.file.sign_column = (unsigned)x), true);
    case OPT_MAX_OPEN:
        return option_u64("max-open", val, 1, UINT64_MAX, &a->params.max_open);
    case OPT_FORMAT:
        if (parse_format(val, &a->params.file.format))
            return true;
        gy_cli_usage_error("bench", "unknown --format '%s' (auto, text, mtx or gyb)", val);
        return false;
    default:
        return false;
    }
}

/* Flags and output options; false if id is none of them. */
static bool take_flag(int id, const char *val, struct args *a)
{
    switch (id) {
    case OPT_CSV: a->csv = val; return true;
    case OPT_PLOT: a->plot = val; return true;
    case OPT_JSON: a->json = true; return true;
    case OPT_NO_BASELINE: a->no_baseline = true; return true;
    case OPT_NO_PIN: a->params.no_pin = true; return true;
    case OPT_STATS: a->stats = true; return true;
    default: return false;
    }
}

/* The positional arguments: ALGO, then INPUT. */
static int take_arg(const char *val, struct args *a)
{
    size_t n;
    const struct gy_cli_bench_kind *k;

    if (a->kind == NULL) {
        if ((a->kind = gy_cli_bench_find(val)) != NULL)
            return 0;
        fprintf(stderr, "gyre bench: unknown benchmark '%s'; known:", val);
        k = gy_cli_bench_all(&n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %s", k[i].name);
        fputs(" (see gyre bench --help)\n", stderr);
        return GY_EXIT_USAGE;
    }
    if (a->params.input == NULL) {
        a->params.input = val;
        return 0;
    }
    return gy_cli_usage_error("bench", "unexpected argument '%s'", val);
}

static bool is_gyb(const char *path)
{
    size_t n = strlen(path);

    return (n >= 4 && strcmp(path + n - 4, ".gyb") == 0) ||
           (n >= 7 && strcmp(path + n - 7, ".gyb.gz") == 0);
}

/* Checks what the options say together. Returns 0 or GY_EXIT_USAGE. */
static int check_args(struct args *a)
{
    char err[ERRLEN];

    if (a->kind == NULL)
        return gy_cli_usage_error("bench", "which benchmark? give ALGO");
    if (a->params.input == NULL && (a->params.input = a->kind->default_input) == NULL)
        return gy_cli_usage_error("bench", "%s needs an INPUT: an edge file or a generator "
                                  "spec such as rmat:20", a->kind->name);
    if (a->kind->check && a->kind->check(a->params.input, err, sizeof(err)) != 0)
        return gy_cli_usage_error("bench", "%s", err);
    if (a->window && a->params.epochs.batch != 0)
        return gy_cli_usage_error("bench", "--batch and --window are two ways to cut epochs; "
                                  "give one");
    if (a->lateness && !a->window)
        return gy_cli_usage_error("bench", "--lateness needs --window");
    if (a->window && a->params.file.time_column == 0 && !is_gyb(a->params.input) &&
        a->params.file.format != GY_EDGES_BIN)
        return gy_cli_usage_error("bench", "--window needs --time-column (only a .gyb file "
                                  "carries times without one)");
    a->params.epochs.mode = a->window ? GY_EPOCHS_TIME : GY_EPOCHS_COUNT;
    if (a->nworkers == 0)
        default_workers(a);
    return 0;
}

/* Returns -1 to go on, else the exit status (help printed, or a usage error). */
static int parse_args(int argc, char **argv, struct args *a)
{
    struct gy_cli_parser p;
    const char *val;
    int id, rc;

    memset(a, 0, sizeof(*a));
    a->reps = 3;
    a->warmup = 1;
    gy_cli_parser_init(&p, "bench", argc, argv, options, NOPTIONS);
    while ((id = gy_cli_parser_next(&p, &val)) != GY_CLI_END) {
        if (id == GY_CLI_ERROR)
            return GY_EXIT_USAGE;
        if (id == OPT_HELP) {
            help(stdout);
            return GY_EXIT_OK;
        }
        if (id == GY_CLI_ARG) {
            if ((rc = take_arg(val, a)) != 0)
                return rc;
        } else if (!take_flag(id, val, a) && !take_option(id, val, a)) {
            return GY_EXIT_USAGE;
        }
    }
    rc = check_args(a);
    return rc != 0 ? rc : -1;
}

/* ---- runs ---- */

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static size_t read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* The child: one run, its result down the pipe, and out. exit, not _exit,
 * so that a sanitizer's leak check covers the run (the parent flushed its
 * stdio before the fork, so nothing is written twice); the parent treats a
 * nonzero status as a failed run even after a result arrived. */
static _Noreturn void child(const struct gy_cli_bench_kind *k, bool base,
                            const struct gy_cli_bench_params *p, int fd)
{
    struct child_msg m;

    memset(&m, 0, sizeof(m));
    m.rc = (base ? k->baseline : k->run)(p, &m.s, m.err, sizeof(m.err));
    write_all(fd, &m, sizeof(m));
    close(fd);
    exit(0);
}

/* Why a child ended without a result, into err. */
static int child_died(int status, char *err, size_t errlen)
{
    if (WIFSIGNALED(status))
        snprintf(err, errlen, "the run was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(err, errlen, "the run exited with status %d before reporting",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return -ECHILD;
}

/* One run in a forked child; *peak_mib is the child's ru_maxrss. */
static int run_child(const struct gy_cli_bench_kind *k, bool base,
                     const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *s,
                     double *peak_mib, char *err, size_t errlen)
{
    struct child_msg m;
    struct rusage ru;
    int fd[2], status = 0;
    size_t got;
    pid_t pid;

    fflush(NULL);
    if (pipe(fd) != 0) {
        snprintf(err, errlen, "cannot start a run: %s", strerror(errno));
        return -EIO;
    }
    if ((pid = fork()) < 0) {
        snprintf(err, errlen, "cannot start a run: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -EIO;
    }
    if (pid == 0) {
        close(fd[0]);
        child(k, base, p, fd[1]);
    }
    close(fd[1]);
    got = read_all(fd[0], &m, sizeof(m));
    close(fd[0]);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    if (got != sizeof(m) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return child_died(status, err, errlen);
    if (m.rc != 0) {
        snprintf(err, errlen, "%s", m.err);
        return m.rc;
    }
    *s = m.s;
    *peak_mib = ru.ru_maxrss / 1024.0; /* Linux reports KiB */
    return 0;
}

static double median(double *x, unsigned n)
{
    bench_sort_doubles(x, n);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* Prints the progress line of one row on stderr: its kernel times. */
static void progress(const struct args *a, bool base, uint32_t w, const double *t,
                     const double *st)
{
    char who[32];

    if (base)
        snprintf(who, sizeof(who), "baseline");
    else
        snprintf(who, sizeof(who), "W=%u", w);
    fprintf(stderr, "gyre bench: %s %s:", a->kind->name, who);
    for (unsigned i = 0; i < a->reps; i++)
        fprintf(stderr, " %.4f", t[i]);
    if (st) {
        fputs(" s; with --stats:", stderr);
        for (unsigned i = 0; i < a->reps; i++)
            fprintf(stderr, " %.4f", st[i]);
    }
    fputs(" s\n", stderr);
}

/* Checks that run j computed what the first did: anything else is a bug. */
static int same_result(const struct args *a, const struct gy_cli_bench_row *row,
                       const struct gy_cli_bench_sample *s, char *err, size_t errlen)
{
    if (s->result == row->result && s->items == row->items)
        return 0;
    snprintf(err, errlen, "runs disagree: one computed %llu %s over %llu %s, another %llu "
             "over %llu: a bug, so no figures", (unsigned long long)row->result,
             a->kind->result, (unsigned long long)row->items, a->kind->unit,
             (unsigned long long)s->result, (unsigned long long)s->items);
    return -EPROTO;
}

/* The times of one row's runs. */
struct times {
    double t[MAX_REPS], load[MAX_REPS], st[MAX_REPS];  /* st: with --stats */
};

/* One run of rep i (a warm-up while i < warmup) into row and tm; with
 * stats, the run with statistics on. Checks it computed what the first did. */
static int one_run(const struct args *a, bool base, bool stats, unsigned i,
                   const struct gy_cli_bench_params *p, struct gy_cli_bench_row *row,
                   struct times *tm, char *err, size_t errlen)
{
    struct gy_cli_bench_params q = *p;
    struct gy_cli_bench_sample s = {0};
    double peak = 0;
    int rc;

    q.stats = stats;
    if ((rc = run_child(a->kind, base, &q, &s, &peak, err, errlen)) != 0 || i < a->warmup)
        return rc;
    if (i == a->warmup && !stats)
        row->items = s.items, row->result = s.result;
    if ((rc = same_result(a, row, &s, err, errlen)) != 0)
        return rc;
    if (stats) {
        tm->st[i - a->warmup] = s.kernel_s;
        return 0;
    }
    tm->t[i - a->warmup] = s.kernel_s;
    tm->load[i - a->warmup] = s.load_s;
    row->peak_mib = peak > row->peak_mib ? peak : row->peak_mib;
    return 0;
}

/* Warm-ups, then the timed runs at w workers (or of the baseline) into row.
 * With --stats, each plain run has a twin with statistics on, the pair run
 * in alternating order, so that a drift in the machine's load falls on both. */
static int measure(const struct args *a, bool base, uint32_t w, struct gy_cli_bench_row *row,
                   char *err, size_t errlen)
{
    struct gy_cli_bench_params p = a->params;
    bool twin = a->stats && !base;
    struct times tm;
    int rc = 0;

    p.workers = w;
    memset(row, 0, sizeof(*row));
    row->workers = w;
    for (unsigned i = 0; i < a->warmup + a->reps && rc == 0; i++) {
        /* Every other timed rep runs the stats twin first; the first plain
         * run sets what every other run must compute. */
        bool first = twin && i > a->warmup && (i - a->warmup) % 2 == 1;
        if (first)
            rc = one_run(a, base, true, i, &p, row, &tm, err, errlen);
        if (rc == 0)
            rc = one_run(a, base, false, i, &p, row, &tm, err, errlen);
        if (rc == 0 && twin && !first)
            rc = one_run(a, base, true, i, &p, row, &tm, err, errlen);
    }
    if (rc != 0)
        return rc;
    progress(a, base, w, tm.t, twin ? tm.st : NULL);
    row->time_s = median(tm.t, a->reps);  /* sorts t */
    row->time_min_s = tm.t[0];
    row->time_max_s = tm.t[a->reps - 1];
    row->load_s = median(tm.load, a->reps);
    row->stats_time_s = twin ? median(tm.st, a->reps) : NAN;
    row->stats_min_s = twin ? tm.st[0] : NAN;
    row->stats_max_s = twin ? tm.st[a->reps - 1] : NAN;
    return 0;
}

/* The baseline row, or why there is none (not an error: COST is then left out). */
static int measure_base(const struct args *a, struct gy_cli_bench_report *r, char *why,
                        size_t whylen)
{
    char err[ERRLEN - 64];

    r->have_base = false;
    r->no_base = why;
    if (a->kind->baseline == NULL)
        snprintf(why, whylen, "%s has no single-threaded baseline", a->kind->name);
    else if (a->no_baseline)
        snprintf(why, whylen, "--no-baseline");
    else if (measure(a, true, 1, &r->base, err, sizeof(err)) != 0)
        snprintf(why, whylen, "the baseline failed: %s", err);
    else
        r->have_base = true;
    if (!r->have_base || r->base.result == r->rows[0].result)
        return 0;
    fprintf(stderr, "gyre bench: %s: the baseline computed %llu %s, gyre %llu: one of them has "
            "a bug, so no figures\n", a->kind->name, (unsigned long long)r->base.result,
            a->kind->result, (unsigned long long)r->rows[0].result);
    return GY_EXIT_RUNTIME;
}

/* Every worker count in turn. Returns 0 or the exit status. */
static int measure_rows(const struct args *a, struct gy_cli_bench_report *r)
{
    char err[ERRLEN];

    for (size_t i = 0; i < a->nworkers; i++) {
        if (measure(a, false, a->workers[i], &r->rows[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "gyre bench: %s W=%u: %s\n", a->kind->name, a->workers[i], err);
            return GY_EXIT_RUNTIME;
        }
        r->nrows = i + 1;
        if (i == 0 || (r->rows[i].result == r->rows[0].result &&
                       r->rows[i].items == r->rows[0].items))
            continue;
        fprintf(stderr, "gyre bench: %s: W=%u computed %llu %s, W=%u %llu: results depend on "
                "the worker count, a bug, so no figures\n", a->kind->name, a->workers[0],
                (unsigned long long)r->rows[0].result, a->kind->result, a->workers[i],
                (unsigned long long)r->rows[i].result);
        return GY_EXIT_RUNTIME;
    }
    return 0;
}

/* ---- output ---- */

/* The table or JSON, the CSV, then the plot. Returns the exit status. */
static int report(const struct args *a, const struct gy_cli_bench_report *r)
{
    char err[ERRLEN];
    int status = GY_EXIT_OK;

    if (a->json)
        gy_cli_bench_print_json(stdout, r);
    else
        gy_cli_bench_print_table(stdout, r);
    fflush(stdout);
    if (a->csv && gy_cli_bench_write_csv(a->csv, r, err, sizeof(err)) != 0) {
        fprintf(stderr, "gyre bench: %s\n", err);
        status = GY_EXIT_RUNTIME;
    }
    if (a->plot && gy_cli_bench_plot(a->plot, r, err, sizeof(err)) != 0) {
        fprintf(stderr, "gyre bench: %s%s\n", err,
                a->csv && status == GY_EXIT_OK ? " (the table and the CSV are complete)"
                                               : " (the table is complete)");
        status = GY_EXIT_RUNTIME;
    }
    return status;
}

int gy_cli_bench(int argc, char **argv)
{
    struct args a;
    struct gy_cli_bench_report r;
    char why[ERRLEN];
    int rc = parse_args(argc, argv, &a);

    if (rc >= 0)
        return rc;
    memset(&r, 0, sizeof(r));
    r.kind = a.kind;
    r.input = a.params.input;
    r.cores = gy_runtime_cores();
    if (getloadavg(&r.load_before, 1) != 1)
        r.load_before = -1;
    r.reps = a.reps;
    r.warmup = a.warmup;
    r.stats = a.stats;
    r.rows = gy_calloc(a.nworkers, sizeof(*r.rows));
    if (r.rows == NULL) {
        fputs("gyre bench: out of memory\n", stderr);
        return GY_EXIT_RUNTIME;
    }
    rc = measure_rows(&a, &r);
    if (rc == 0)
        rc = measure_base(&a, &r, why, sizeof(why));
    if (rc == 0) {
        gy_cli_bench_derive(&r);
        rc = report(&a, &r);
    }
    gy_free(r.rows);
    return rc;
}
