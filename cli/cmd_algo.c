/*
 * `gyre cc` and `gyre tc`: parse the command line into a driver
 * configuration (algorithms/driver.h), run the algorithm over the input on
 * all cores, and print each epoch's result as it completes: a table row, or
 * with --json one JSON object per line. A summary line closes the run.
 *
 * Who prints what, and from which thread: results arrive on worker 0's
 * thread (the driver's report callback) and go to stdout; on a terminal, a
 * ticker thread rewrites one progress line on stderr while the run is long.
 * One mutex orders the two, so a row never lands inside the progress line.
 * The main thread prints the summary or the error after the run, once the
 * ticker has stopped.
 */
#include "cli/cmd_algo.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "algorithms/cc.h"
#include "algorithms/driver.h"
#include "algorithms/tc.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "graph/gen.h"
#include "runtime/runtime.h"
#include "runtime/stats.h"

/* More workers than this is a typing mistake, not a machine. */
#define MAX_WORKERS 4096
/* The progress line appears once a run has taken this long, and is redrawn
 * this often: fast enough to look alive, slow enough to cost nothing. */
#define PROGRESS_AFTER_S 1.0
#define PROGRESS_TICK_NS 250000000L

/* ---- the two commands ---------------------------------------------------- */

/* One column of the output: its JSON key, its table heading and width, and
 * where it lives in struct gy_graph_result. */
struct field {
    const char *key;
    const char *head;
    int width;
    size_t off;
};

#define FIELD(key, head, width, member) {key, head, width, offsetof(struct gy_graph_result, member)}

static const struct field cc_fields[] = {
    FIELD("epoch", "epoch", 7, epoch),
    FIELD("vertices", "vertices", 12, vertices),
    FIELD("edges", "edges", 12, edges),
    FIELD("components", "components", 12, components),
    FIELD("largest", "largest", 12, largest),
};

static const struct field tc_fields[] = {
    FIELD("epoch", "epoch", 7, epoch),
    FIELD("vertices", "vertices", 12, vertices),
    FIELD("edges", "edges", 12, edges),
    FIELD("triangles", "triangles", 14, triangles),
    FIELD("new_triangles", "new", 12, new_triangles),
    FIELD("removed_triangles", "removed", 12, removed_triangles),
};

/* Shown only with --skip-bad, when it can be nonzero. */
static const struct field bad_deletes_field =
    FIELD("bad_deletes", "bad deletes", 13, bad_deletes);

enum opt_id {
    OPT_HELP,
    OPT_WORKERS,
    OPT_BATCH,
    OPT_WINDOW,
    OPT_LATENESS,
    OPT_DROP_LATE,
    OPT_FORMAT,
    OPT_TIME_COLUMN,
    OPT_SIGN_COLUMN,
    OPT_SKIP_BAD,
    OPT_NO_PIN,
    OPT_MAX_OPEN,
    OPT_JSON,
    OPT_LABELS,
    OPT_STATS,
    OPT_TARGET_RATE,
};

/* The options both commands take; cc adds --labels. */
#define COMMON_OPTS                                                                                \
    {OPT_WORKERS, 'w', "workers", "N",                                                             \
     "worker threads: a number, or 0 or 'auto' for one per\n"                                      \
     "core (default: one per core)"},                                                              \
    {OPT_BATCH, 0, "batch", "N",                                                                   \
     "cut the input into epochs of N edge lines (default:\n"                                       \
     "the whole input is epoch 0)"},                                                               \
    {OPT_WINDOW, 0, "window", "T",                                                                 \
     "cut the input into tumbling event-time windows of\n"                                         \
     "width T on the time column (needs --time-column, or\n"                                       \
     "a .gyb file with times)"},                                                                   \
    {OPT_LATENESS, 0, "lateness", "B",                                                             \
     "with --window: accept a line up to B time units older\n"                                     \
     "than the latest time before it (default 0); an older\n"                                      \
     "line is an error"},                                                                          \
    {OPT_DROP_LATE, 0, "drop-late", NULL,                                                          \
     "with --window: drop and count late lines instead of\n"                                       \
     "failing"},                                                                                   \
    {OPT_FORMAT, 0, "format", "F", "input format: auto (default), text, mtx or gyb"},              \
    {OPT_TIME_COLUMN, 0, "time-column", "K",                                                       \
     "1-based column (>= 3) holding each edge's time"},                                            \
    {OPT_SIGN_COLUMN, 0, "sign-column", "K",                                                       \
     "1-based column (>= 3) holding +1 (insert) or -1\n"                                           \
     "(delete); without it a line may start with + or -"},                                         \
    {OPT_SKIP_BAD, 0, "skip-bad", NULL,                                                            \
     "skip bad lines and deletes of absent edges instead of\n"                                     \
     "failing; the summary counts them and names the first\n"                                      \
     "bad lines"},                                                                                 \
    {OPT_NO_PIN, 0, "no-pin", NULL, "do not pin worker threads to cores"},                         \
    {OPT_MAX_OPEN, 0, "max-open", "N",                                                             \
     "read at most N epochs ahead of the last result\n"                                            \
     "(default 4): bounds the memory held in flight"},                                             \
    {OPT_JSON, 0, "json", NULL,                                                                    \
     "print one JSON object per epoch, one per line, instead\n"                                    \
     "of the table; the summary line goes to stderr"},                                             \
    {OPT_STATS, 0, "stats", NULL,                                                                  \
     "after the results, per operator: records and batches\n"                                      \
     "in and out, busy time and rates; per worker: progress\n"                                     \
     "traffic and frontier-advance latency (with --json,\n"                                        \
     "one more line: a {\"stats\": ...} object)"},                                                 \
    {OPT_TARGET_RATE, 0, "target-rate", "R",                                                       \
     "with --stats (implied): estimate, DS2-style, the\n"                                          \
     "workers each operator needs to take R edges/s"}

static const struct gy_cli_opt cc_opts[] = {
    COMMON_OPTS,
    {OPT_LABELS, 0, "labels", "FILE",
     "when the stream ends, write one \"vertex label\" line\n"
     "per vertex to FILE, the label being the smallest\n"
     "vertex id in its component"},
    {OPT_HELP, 'h', "help", NULL, "show this help"},
};

static const struct gy_cli_opt tc_opts[] = {
    COMMON_OPTS,
    {OPT_HELP, 'h', "help", NULL, "show this help"},
};

/* What differs between `gyre cc` and `gyre tc`. */
struct algo_cmd {
    const char *name;
    gy_algo_fn fn;
    const char *summary;             /* the help's first paragraph */
    const char *examples;
    const struct field *fields;
    size_t nfields;
    const struct gy_cli_opt *opts;
    size_t nopts;
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct algo_cmd cc_cmd = {
    .name = "cc",
    .fn = gy_cc,
    .summary =
        "Connected components of an undirected graph streamed in epochs. After\n"
        "each epoch it prints the vertices and distinct edges present so far,\n"
        "the number of components (an isolated vertex is one) and the size of\n"
        "the largest.\n",
    .examples = "  gyre cc rmat:20 -w 2 --batch 1000000\n"
                "  gyre cc web-Google.txt.gz --json > cc.jsonl\n"
                "  gyre cc events.txt --time-column 3 --window 3600 --lateness 60 --drop-late\n"
                "  gyre cc graph.mtx --labels labels.txt --skip-bad\n"
                "  gyre cc rmat:20 -w 2 --stats --target-rate 50M\n",
    .fields = cc_fields,
    .nfields = ARRAY_LEN(cc_fields),
    .opts = cc_opts,
    .nopts = ARRAY_LEN(cc_opts),
};

static const struct algo_cmd tc_cmd = {
    .name = "tc",
    .fn = gy_tc,
    .summary =
        "Triangles of an undirected graph streamed in epochs. After each epoch it\n"
        "prints the vertices and distinct edges present so far, the triangles\n"
        "present, and how many the epoch added and removed.\n",
    .examples = "  gyre tc rmat:18 --batch 500000\n"
                "  gyre tc er:100000:1000000:7 -w auto --json\n"
                "  gyre tc stream.txt --sign-column 3 --batch 10000 --skip-bad\n",
    .fields = tc_fields,
    .nfields = ARRAY_LEN(tc_fields),
    .opts = tc_opts,
    .nopts = ARRAY_LEN(tc_opts),
};

static void print_help(const struct algo_cmd *c)
{
    printf("usage: gyre %s FILE|SPEC [options]\n\n%s\n", c->name, c->summary);
    fputs("FILE is a text edge list (\"u v\" per line), a Matrix Market file or a\n"
          "gyre binary file (.gyb), each possibly gzip-compressed; - reads stdin.\n"
          "SPEC generates the edges instead: rmat:SCALE[:EDGEFACTOR[:SEED]]\n"
          "(R-MAT, 2^SCALE vertices, EDGEFACTOR * 2^SCALE edges, 16 by default)\n"
          "or er:N:M[:SEED] (Erdos-Renyi, M edges on N vertices).\n"
          "The graph is simple: duplicate edges count once, a self-loop only\n"
          "names its vertex, \"- u v\" deletes an edge. Epoch e's result covers\n"
          "every edge up to and including epoch e.\n\noptions:\n",
          stdout);
    gy_cli_opts_help(stdout, c->opts, c->nopts);
    printf("\nexamples:\n%s", c->examples);
    fputs("\nExit status: 0 on success, 1 if the run failed (unreadable or bad input),\n"
          "2 for a bad command line.\n",
          stdout);
}

/* ---- parsing ------------------------------------------------------------- */

struct args {
    struct gy_algo_run_cfg cfg;
    const char *input;
    double target_rate;              /* --target-rate; 0: none */
    bool json;
    bool have_batch, have_window, have_lateness;
};

/* Sentinel parse result: --help was asked for. */
#define PARSE_HELP (-1)

static int number_value(const char *cmd, int id, const char *val, uint64_t min, uint64_t max,
                        uint64_t *out)
{
    static const char *const names[] = {
        [OPT_BATCH] = "--batch",         [OPT_WINDOW] = "--window",
        [OPT_LATENESS] = "--lateness",   [OPT_TIME_COLUMN] = "--time-column",
        [OPT_SIGN_COLUMN] = "--sign-column", [OPT_MAX_OPEN] = "--max-open",
    };

    if (gy_cli_parse_u64(val, out) && *out >= min && *out <= max)
        return 0;
    if (max == UINT64_MAX)
        return gy_cli_usage_error(cmd, "%s wants a whole number >= %llu, not '%s'", names[id],
                                  (unsigned long long)min, val);
    return gy_cli_usage_error(cmd, "%s wants a whole number from %llu to %llu, not '%s'",
                              names[id], (unsigned long long)min, (unsigned long long)max, val);
}

static int workers_value(const char *cmd, const char *val, uint32_t *out)
{
    uint64_t w;

    if (strcmp(val, "auto") == 0) {
        *out = gy_runtime_cores();
        return 0;
    }
    if (!gy_cli_parse_u64(val, &w) || w > MAX_WORKERS)
        return gy_cli_usage_error(cmd, "--workers wants 0 to %d or 'auto', not '%s'",
                                  MAX_WORKERS, val);
    *out = w == 0 ? gy_runtime_cores() : (uint32_t)w;
    return 0;
}

static int format_value(const char *cmd, const char *val, gy_edges_format_t *out)
{
    static const struct {
        const char *name;
        gy_edges_format_t f;
    } names[] = {{"auto", GY_EDGES_AUTO}, {"text", GY_EDGES_TEXT}, {"txt", GY_EDGES_TEXT},
                 {"mtx", GY_EDGES_MTX},   {"gyb", GY_EDGES_BIN},   {"bin", GY_EDGES_BIN}};

    for (size_t k = 0; k < ARRAY_LEN(names); k++) {
        if (strcmp(val, names[k].name) == 0) {
            *out = names[k].f;
            return 0;
        }
    }
    return gy_cli_usage_error(cmd, "--format wants auto, text, mtx or gyb, not '%s'", val);
}

/* Columns are bounded only to keep the numbers sane: no edge list has a
 * million columns. */
static int column_value(const char *cmd, int id, const char *val, unsigned *out)
{
    uint64_t k;
    int rc = number_value(cmd, id, val, 3, 1000000, &k);

    *out = (unsigned)k;
    return rc;
}

/* Handles an option that takes a number; returns 0 or an exit status. */
static int number_option(const char *cmd, int id, const char *val, struct args *a)
{
    struct gy_algo_run_cfg *c = &a->cfg;

    switch (id) {
    case OPT_BATCH:
        a->have_batch = true;
        return number_value(cmd, id, val, 1, UINT64_MAX, &c->input.epochs.batch);
    case OPT_WINDOW:
        a->have_window = true;
        c->input.epochs.mode = GY_EPOCHS_TIME;
        return number_value(cmd, id, val, 1, UINT64_MAX, &c->input.epochs.width);
    case OPT_LATENESS:
        a->have_lateness = true;
        return number_value(cmd, id, val, 0, UINT64_MAX, &c->input.epochs.bound);
    case OPT_TIME_COLUMN:
        return column_value(cmd, id, val, &c->input.file.time_column);
    case OPT_SIGN_COLUMN:
        return column_value(cmd, id, val, &c->input.file.sign_column);
    default: /* OPT_MAX_OPEN */
        return number_value(cmd, id, val, 1, UINT64_MAX, &c->max_open);
    }
}

/* A rate: a positive number ("2500000", "2.5e6"), optionally followed by
 * k, M or G (x 10^3, 10^6, 10^9). */
static int rate_value(const char *cmd, const char *val, double *out)
{
    char *end = NULL;
    double x;

    errno = 0;
    x = strtod(val, &end);
    if (end != val && *end != '\0' && end[1] == '\0' && strchr("kKmMgG", *end)) {
        x *= *end == 'k' || *end == 'K' ? 1e3 : *end == 'g' || *end == 'G' ? 1e9 : 1e6;
        end++;
    }
    if (end == val || *end != '\0' || errno != 0 || !isfinite(x) || x <= 0)
        return gy_cli_usage_error(cmd, "--target-rate wants a positive number of edges per "
                                       "second (such as 5000000, 5e6 or 5M), not '%s'", val);
    *out = x;
    return 0;
}

/* Handles one option; returns 0 or an exit status. */
static int one_option(const char *cmd, int id, const char *val, struct args *a)
{
    switch (id) {
    case OPT_WORKERS:
        return workers_value(cmd, val, &a->cfg.workers);
    case OPT_FORMAT:
        return format_value(cmd, val, &a->cfg.input.file.format);
    case OPT_DROP_LATE:
        a->cfg.input.epochs.drop_late = true;
        return 0;
    case OPT_SKIP_BAD:
        a->cfg.input.file.skip_bad = true;
        a->cfg.opts.skip_bad_deletes = true;
        return 0;
    case OPT_NO_PIN:
        a->cfg.no_pin = true;
        return 0;
    case OPT_JSON:
        a->json = true;
        return 0;
    case OPT_LABELS:
        a->cfg.opts.labels_path = val;
        return 0;
    case OPT_STATS:
        a->cfg.stats = true;
        return 0;
    case OPT_TARGET_RATE:
        a->cfg.stats = true;
        return rate_value(cmd, val, &a->target_rate);
    default:
        return number_option(cmd, id, val, a);
    }
}

static bool is_generator(const char *spec)
{
    return strncmp(spec, "rmat:", 5) == 0 || strncmp(spec, "er:", 3) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A generator spec must parse, and it has no columns and no times. */
static int check_generator(const char *cmd, const struct args *a)
{
    const struct gy_edges_opts *f = &a->cfg.input.file;
    struct gy_gen_spec spec;
    char err[256];

    if (gy_gen_parse_spec(a->input, &spec, err, sizeof(err)) != 0)
        return gy_cli_usage_error(cmd, "bad generator spec '%s': %s", a->input, err);
    if (a->have_window)
        return gy_cli_usage_error(cmd, "--window needs times, and generated edges have none");
    if (f->format != GY_EDGES_AUTO || f->time_column || f->sign_column)
        return gy_cli_usage_error(cmd, "--format, --time-column and --sign-column apply to "
                                       "files, not to generator specs");
    return 0;
}

/* Combinations the options cannot express; returns 0 or an exit status. */
static int check_args(const char *cmd, struct args *a)
{
    const struct gy_edges_opts *f = &a->cfg.input.file;
    const struct gy_epochs_cfg *e = &a->cfg.input.epochs;
    bool gyb = f->format == GY_EDGES_BIN || ends_with(a->input, ".gyb") ||
               ends_with(a->input, ".gyb.gz");

    if (a->have_batch && a->have_window)
        return gy_cli_usage_error(cmd, "--batch and --window are two ways to cut epochs; "
                                       "give one");
    if ((a->have_lateness || e->drop_late) && !a->have_window)
        return gy_cli_usage_error(cmd, "--lateness and --drop-late need --window");
    if (f->time_column && f->time_column == f->sign_column)
        return gy_cli_usage_error(cmd, "--time-column and --sign-column name the same column");
    if (is_generator(a->input))
        return check_generator(cmd, a);
    if (a->have_window && !f->time_column && !gyb)
        return gy_cli_usage_error(cmd, "--window needs --time-column (only a .gyb file "
                                       "carries times without one)");
    if (strcmp(a->input, "-") == 0)
        a->input = "/dev/stdin";
    return 0;
}

/* Fills a from argv. Returns 0, PARSE_HELP, or an exit status. */
static int parse_args(const struct algo_cmd *c, int argc, char **argv, struct args *a)
{
    struct gy_cli_parser p;
    const char *val = NULL;
    int id, rc;

    memset(a, 0, sizeof(*a));
    gy_algo_run_cfg_init(&a->cfg);
    a->cfg.workers = gy_runtime_cores();
    gy_cli_parser_init(&p, c->name, argc, argv, c->opts, c->nopts);
    while ((id = gy_cli_parser_next(&p, &val)) != GY_CLI_END) {
        if (id == GY_CLI_ERROR)
            return GY_EXIT_USAGE;
        if (id == OPT_HELP)
            return PARSE_HELP;
        if (id == GY_CLI_ARG && a->input != NULL)
            return gy_cli_usage_error(c->name, "unexpected argument '%s'", val);
        if (id == GY_CLI_ARG)
            a->input = val;
        else if ((rc = one_option(c->name, id, val, a)) != 0)
            return rc;
    }
    if (a->input == NULL)
        return gy_cli_usage_error(c->name, "needs an input: a FILE or a generator SPEC");
    rc = check_args(c->name, a);
    a->cfg.input.spec = a->input;
    a->cfg.algo = c->fn;
    return rc;
}

/* ---- output -------------------------------------------------------------- */

/*
 * The state the report callback (worker 0), the ticker and the main thread
 * share. The fields above `mu` are set before the run starts and only read
 * after; the fields below it are read and written with mu held. Stdout and
 * stderr are written with mu held too, until out_finish.
 */
struct out {
    const struct algo_cmd *cmd;
    const struct args *args;
    double t0;                       /* gy_now() when the command started */
    bool progress;                   /* stderr is a terminal: run the ticker */
    bool ticker_started;
    pthread_t ticker;
    pthread_mutex_t mu;
    pthread_cond_t wake;             /* signalled to stop the ticker */
    bool stop;                       /* the ticker should exit */
    bool shown;                      /* a progress line is on the screen */
    bool header_done;                /* the table header is printed */
    uint64_t results;                /* epochs reported so far */
    struct gy_graph_result last;     /* the latest of them */
    int write_errno;                 /* stdout failed with this; 0 if fine */
};

static uint64_t field_value(const struct field *f, const struct gy_graph_result *r)
{
    uint64_t v;

    memcpy(&v, (const char *)r + f->off, sizeof(v));
    return v;
}

/* The table header, once, before the first row (or the end of an empty run). */
static void print_header(struct out *o)
{
    const struct algo_cmd *c = o->cmd;

    if (o->header_done || o->args->json)
        return;
    o->header_done = true;
    for (size_t k = 0; k < c->nfields; k++)
        printf("%*s", c->fields[k].width, c->fields[k].head);
    if (o->args->cfg.opts.skip_bad_deletes)
        printf("%*s", bad_deletes_field.width, bad_deletes_field.head);
    printf("%10s\n", "seconds");
}

static void print_row(struct out *o, const struct gy_graph_result *r, double seconds)
{
    const struct algo_cmd *c = o->cmd;

    print_header(o);
    for (size_t k = 0; k < c->nfields; k++)
        printf("%*llu", c->fields[k].width, (unsigned long long)field_value(&c->fields[k], r));
    if (o->args->cfg.opts.skip_bad_deletes)
        printf("%*llu", bad_deletes_field.width, (unsigned long long)r->bad_deletes);
    printf("%10.3f\n", seconds);
}

static void print_json(const struct out *o, const struct gy_graph_result *r, double seconds)
{
    const struct algo_cmd *c = o->cmd;

    for (size_t k = 0; k < c->nfields; k++)
        printf("%s\"%s\":%llu", k ? "," : "{", c->fields[k].key,
               (unsigned long long)field_value(&c->fields[k], r));
    if (o->args->cfg.opts.skip_bad_deletes)
        printf(",\"%s\":%llu", bad_deletes_field.key, (unsigned long long)r->bad_deletes);
    printf(",\"seconds\":%.6f}\n", seconds);
}

/* Erases the progress line. mu held. */
static void clear_progress(struct out *o)
{
    if (o->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        o->shown = false;
    }
}

/* Draws the progress line in place of the last one. mu held. */
static void draw_progress(struct out *o)
{
    double s = gy_now() - o->t0;

    if (o->results == 0)
        fprintf(stderr, "\r\033[K%s: running, %.1f s", o->cmd->name, s);
    else
        fprintf(stderr, "\r\033[K%s: %llu epochs done (epoch %llu: %llu edges), %.1f s",
                o->cmd->name, (unsigned long long)o->results,
                (unsigned long long)o->last.epoch, (unsigned long long)o->last.edges, s);
    fflush(stderr);
    o->shown = true;
}

/* The driver's report callback, on worker 0's thread. */
static int report(const struct gy_graph_result *r, double seconds, void *arg)
{
    struct out *o = arg;
    int rc = 0;

    pthread_mutex_lock(&o->mu);
    clear_progress(o);
    if (o->args->json)
        print_json(o, r, seconds);
    else
        print_row(o, r, seconds);
    /* Flush per epoch: a reader of the stream sees each result as it comes. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        o->write_errno = errno ? errno : EIO;
        rc = -1;
    }
    o->results++;
    o->last = *r;
    pthread_mutex_unlock(&o->mu);
    return rc;
}

/* ---- the progress line --------------------------------------------------- */

static void *ticker_main(void *arg)
{
    struct out *o = arg;
    struct timespec at;

    pthread_mutex_lock(&o->mu);
    while (!o->stop) {
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_nsec += PROGRESS_TICK_NS;
        if (at.tv_nsec >= 1000000000L) {
            at.tv_sec++;
            at.tv_nsec -= 1000000000L;
        }
        /* A timeout, a wake-up and a spurious return all just redraw. */
        (void)pthread_cond_timedwait(&o->wake, &o->mu, &at);
        if (!o->stop && gy_now() - o->t0 > PROGRESS_AFTER_S)
            draw_progress(o);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

/* Sets up o; the ticker runs only when stderr is a terminal. */
static int out_init(struct out *o, const struct algo_cmd *c, const struct args *a)
{
    pthread_condattr_t ca;
    int rc;

    memset(o, 0, sizeof(*o));
    o->cmd = c;
    o->args = a;
    o->t0 = gy_now();
    o->progress = isatty(STDERR_FILENO) == 1;
    if ((rc = pthread_condattr_init(&ca)) != 0)
        return -rc;
    /* The ticker's deadlines are CLOCK_MONOTONIC, like gy_now(). */
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&o->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return -rc;
    if ((rc = pthread_mutex_init(&o->mu, NULL)) != 0) {
        pthread_cond_destroy(&o->wake);
        return -rc;
    }
    /* Without a ticker there is just no progress line: not worth failing for. */
    o->ticker_started = o->progress && pthread_create(&o->ticker, NULL, ticker_main, o) == 0;
    return 0;
}

/* Stops the ticker and erases its line; after this only the main thread prints. */
static void out_finish(struct out *o)
{
    pthread_mutex_lock(&o->mu);
    o->stop = true;
    pthread_cond_signal(&o->wake);
    pthread_mutex_unlock(&o->mu);
    if (o->ticker_started)
        pthread_join(o->ticker, NULL);
    clear_progress(o);
    pthread_cond_destroy(&o->wake);
    pthread_mutex_destroy(&o->mu);
}

/* ---- running --------------------------------------------------------------- */

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* "; path: skipped 3 bad lines (...)" and the other counts of what was skipped. */
static void append_skips(char *buf, size_t len, const struct gy_algo_run_stats *st,
                         const char *name)
{
    size_t n = strlen(buf);
    char bad[GY_EDGES_ERRLEN];

    if (st->bad.count > 0 && n < len) {
        gy_edges_bad_format(&st->bad, name, bad, sizeof(bad));
        n += (size_t)snprintf(buf + n, len - n, "; %s", bad);
    }
    if (st->dropped_late > 0 && n < len)
        n += (size_t)snprintf(buf + n, len - n, "; dropped %llu late line%s",
                              (unsigned long long)st->dropped_late, plural(st->dropped_late));
    if (st->last.bad_deletes > 0 && n < len)
        snprintf(buf + n, len - n, "; skipped %llu delete%s of absent edges",
                 (unsigned long long)st->last.bad_deletes, plural(st->last.bad_deletes));
}

/* One line: edges read, epochs, seconds, edges/s, and what was skipped. On
 * stdout after the table; on stderr with --json, which keeps stdout JSON. */
static void print_summary(const struct out *o, const struct gy_algo_run_stats *st)
{
    const struct args *a = o->args;
    double secs = st->open_seconds + st->run_seconds;
    char line[1024];

    snprintf(line, sizeof(line),
             "%s: %llu edges read in %llu epoch%s on %u worker%s, %.3f s (input %.3f s), "
             "%.0f edges/s",
             o->cmd->name, (unsigned long long)st->edges, (unsigned long long)st->epochs,
             plural(st->epochs), a->cfg.workers, plural(a->cfg.workers), secs,
             st->open_seconds, secs > 0 ? (double)st->edges / secs : 0.0);
    append_skips(line, sizeof(line), st, a->input);
    fprintf(a->json ? stderr : stdout, "%s\n", line);
}

/* ---- --stats --------------------------------------------------------------- */

/* x with a k, M or G suffix in 7 characters or so, or "-" when x is NAN. */
static const char *si(char *buf, size_t len, double x)
{
    if (isnan(x))
        snprintf(buf, len, "-");
    else if (x >= 1e9)
        snprintf(buf, len, "%.2fG", x / 1e9);
    else if (x >= 1e6)
        snprintf(buf, len, "%.2fM", x / 1e6);
    else if (x >= 1e3)
        snprintf(buf, len, "%.2fk", x / 1e3);
    else
        snprintf(buf, len, "%.1f", x);
    return buf;
}

/* A duration in us or ms, whichever reads better. */
static const char *dur(char *buf, size_t len, double s)
{
    if (s < 1e-3)
        snprintf(buf, len, "%.1f us", s * 1e6);
    else
        snprintf(buf, len, "%.2f ms", s * 1e3);
    return buf;
}

static int cmp_busy(const void *a, const void *b)
{
    const struct gy_stats_total *x = *(const struct gy_stats_total *const *)a;
    const struct gy_stats_total *y = *(const struct gy_stats_total *const *)b;

    return (x->busy_s < y->busy_s) - (x->busy_s > y->busy_s);
}

/* The totals, busiest first, in a new array (NULL on ENOMEM). */
static const struct gy_stats_total **by_busy(const gy_stats_t *s)
{
    size_t n = gy_stats_ntotals(s);
    const struct gy_stats_total **v = malloc((n ? n : 1) * sizeof(*v));

    for (size_t i = 0; v && i < n; i++)
        v[i] = gy_stats_total(s, i);
    if (v)
        qsort(v, n, sizeof(*v), cmp_busy);
    return v;
}

/* Its index among the totals (for gy_stats_ds2). */
static size_t total_index(const gy_stats_t *s, const struct gy_stats_total *t)
{
    return (size_t)(t - gy_stats_total(s, 0));
}

static void print_op_row(const struct gy_stats_total *t)
{
    char a[16], b[16];

    printf("  %-20.20s %12llu %12llu %10llu %11llu %8llu %9.4f %6.1f%% %11s %11s\n", t->name,
           (unsigned long long)t->records_in, (unsigned long long)t->records_out,
           (unsigned long long)t->batches_in, (unsigned long long)t->batches_out,
           (unsigned long long)t->runs, t->busy_s, isnan(t->busy_frac) ? 0 : 100 * t->busy_frac,
           si(a, sizeof(a), t->rate_in), si(b, sizeof(b), t->rate_out));
}

static void print_worker_row(const struct gy_stats_worker *w)
{
    double wall = w->wall_s > 0 ? w->wall_s : 1;
    char m[24], x[24];

    printf("  %6u %8.4f %6.1f%% %6.1f%% %8llu %9llu %9llu %9.1f %9llu %10s %10s %9llu %9.1f\n",
           w->worker, w->wall_s, 100 * w->busy_s / wall, 100 * w->wait_s / wall,
           (unsigned long long)w->steps, (unsigned long long)w->progress_batches,
           (unsigned long long)w->progress_updates, w->progress_bytes / 1024.0,
           (unsigned long long)w->frontier_advances, dur(m, sizeof(m), w->advance_mean_s),
           dur(x, sizeof(x), w->advance_max_s), (unsigned long long)w->data_batches,
           w->data_bytes / 1024.0);
}

/* The per-operator table, busiest first, then the per-worker one. */
static void print_stats_tables(const gy_stats_t *s, const struct gy_stats_total **v)
{
    uint32_t nw = gy_stats_workers(s);

    printf("\nstats: per operator, summed over %u worker%s, by busy time (busy %% of the "
           "workers' wall time; rates per busy second of one instance)\n", nw, plural(nw));
    printf("  %-20s %12s %12s %10s %11s %8s %9s %7s %11s %11s\n", "operator", "records in",
           "records out", "batches in", "batches out", "runs", "busy s", "busy", "in/busy-s",
           "out/busy-s");
    for (size_t i = 0; i < gy_stats_ntotals(s); i++)
        print_op_row(v[i]);
    printf("stats: per worker: progress sent to peers, frontier advances (latency: from "
           "publishing the oldest update applied to the frontier moving), data sent to peers\n");
    printf("  %6s %8s %7s %7s %8s %9s %9s %9s %9s %10s %10s %9s %9s\n", "worker", "wall s",
           "busy", "wait", "steps", "progress", "updates", "KiB", "advances", "mean", "max",
           "data", "KiB");
    for (uint32_t w = 0; w < nw; w++)
        print_worker_row(gy_stats_worker(s, w));
}

/* The DS2 table and the recommendation line. */
static void print_ds2(const gy_stats_t *s, const struct gy_stats_total **v, double rate)
{
    const struct gy_stats_total *worst = NULL;
    uint32_t most = 0;
    char a[16], b[16];

    printf("DS2 estimate for %.6g edges/s out of the source, from this one run's observed "
           "rates and selectivities (an estimate, not a measurement):\n", rate);
    printf("  %-20s %11s %11s %10s\n", "operator", "need in/s", "per inst/s", "instances");
    for (size_t i = 0; i < gy_stats_ntotals(s); i++) {
        struct gy_stats_ds2 d;
        gy_stats_ds2(s, total_index(s, v[i]), rate, &d);
        if (d.instances > most)
            most = d.instances, worst = v[i];
        printf("  %-20.20s %11s %11s %10u\n", v[i]->name, si(a, sizeof(a), d.need_in),
               si(b, sizeof(b), d.capacity), d.instances);
    }
    if (worst)
        printf("recommended parallelism: %u worker%s for %.6g edges/s (bottleneck: '%s'); "
               "an estimate from one run on %u worker%s\n", most, plural(most), rate,
               worst->name, gy_stats_workers(s), plural(gy_stats_workers(s)));
    else
        printf("recommended parallelism: none: no operator was busy, so there is no rate to "
               "scale\n");
}

/* A JSON string (names are ours, but escape them anyway). */
static void json_str(const char *str)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

/* ",\"key\":x", or null for NAN (JSON has no NaN). */
static void json_num(const char *key, double x)
{
    if (isnan(x))
        printf(",\"%s\":null", key);
    else
        printf(",\"%s\":%.9g", key, x);
}

static void json_op(const struct gy_stats_total *t)
{
    fputs("{\"dataflow\":", stdout);
    json_str(t->dataflow);
    fputs(",\"name\":", stdout);
    json_str(t->name);
    printf(",\"slot\":%u,\"instances\":%u,\"records_in\":%llu,\"records_out\":%llu,"
           "\"batches_in\":%llu,\"batches_out\":%llu,\"runs\":%llu", t->slot, t->instances,
           (unsigned long long)t->records_in, (unsigned long long)t->records_out,
           (unsigned long long)t->batches_in, (unsigned long long)t->batches_out,
           (unsigned long long)t->runs);
    json_num("busy_s", t->busy_s);
    json_num("busy_frac", t->busy_frac);
    json_num("rate_in", t->rate_in);
    json_num("rate_out", t->rate_out);
    json_num("selectivity", t->selectivity);
}

static void json_worker(const struct gy_stats_worker *w)
{
    printf("{\"worker\":%u", w->worker);
    json_num("wall_s", w->wall_s);
    json_num("busy_s", w->busy_s);
    json_num("wait_s", w->wait_s);
    printf(",\"steps\":%llu,\"progress_batches\":%llu,\"progress_updates\":%llu,"
           "\"progress_bytes\":%llu,\"frontier_advances\":%llu", (unsigned long long)w->steps,
           (unsigned long long)w->progress_batches, (unsigned long long)w->progress_updates,
           (unsigned long long)w->progress_bytes, (unsigned long long)w->frontier_advances);
    json_num("advance_mean_s", w->advance_mean_s);
    json_num("advance_max_s", w->advance_max_s);
    printf(",\"data_batches\":%llu,\"data_bytes\":%llu}", (unsigned long long)w->data_batches,
           (unsigned long long)w->data_bytes);
}

/* The operators, each with its DS2 estimate when a target rate was given. */
static void json_ops(const gy_stats_t *s, const struct gy_stats_total **v, double rate)
{
    struct gy_stats_ds2 d;

    for (size_t i = 0; i < gy_stats_ntotals(s); i++) {
        fputs(i ? "," : "", stdout);
        json_op(v[i]);
        if (rate > 0) {
            gy_stats_ds2(s, total_index(s, v[i]), rate, &d);
            json_num("need_in", d.need_in);
            json_num("capacity", d.capacity);
            printf(",\"instances_needed\":%u", d.instances);
        }
        putchar('}');
    }
}

/* One line: {"stats":{...}}, operators busiest first. */
static void print_stats_json(const gy_stats_t *s, const struct gy_stats_total **v, double rate)
{
    struct gy_stats_ds2 d;
    uint32_t most = 0;

    printf("{\"stats\":{\"workers\":%u,\"operators\":[", gy_stats_workers(s));
    json_ops(s, v, rate);
    fputs("],\"per_worker\":[", stdout);
    for (uint32_t w = 0; w < gy_stats_workers(s); w++) {
        fputs(w ? "," : "", stdout);
        json_worker(gy_stats_worker(s, w));
    }
    putchar(']');
    if (rate > 0) {
        for (size_t i = 0; i < gy_stats_ntotals(s); i++) {
            gy_stats_ds2(s, i, rate, &d);
            most = d.instances > most ? d.instances : most;
        }
        json_num("target_rate", rate);
        printf(",\"recommended_parallelism\":%u", most);
    }
    fputs("}}\n", stdout);
}

/* --stats: the tables (or the JSON line) on stdout, after the summary. */
static int print_stats(const struct args *a, const gy_stats_t *s)
{
    const struct gy_stats_total **v = by_busy(s);

    if (!v)
        return -ENOMEM;
    if (a->json) {
        print_stats_json(s, v, a->target_rate);
    } else {
        print_stats_tables(s, v);
        if (a->target_rate > 0)
            print_ds2(s, v, a->target_rate);
    }
    free(v);
    return 0;
}

static int run(const struct algo_cmd *c, struct args *a)
{
    struct gy_algo_run_stats st;
    struct out o;
    char err[GY_EDGES_ERRLEN + 128];
    int rc;

    if ((rc = out_init(&o, c, a)) != 0) {
        fprintf(stderr, "gyre %s: %s\n", c->name, strerror(-rc));
        return GY_EXIT_RUNTIME;
    }
    a->cfg.report = report;
    a->cfg.arg = &o;
    rc = gy_algo_run(&a->cfg, &st, err, sizeof(err));
    out_finish(&o);
    if (rc != 0 && o.write_errno != 0)
        snprintf(err, sizeof(err), "writing the results: %s", strerror(o.write_errno));
    if (rc != 0) {
        fflush(stdout);
        fprintf(stderr, "gyre %s: %s\n", c->name, err);
        return GY_EXIT_RUNTIME;
    }
    print_header(&o);
    print_summary(&o, &st);
    if (st.ops && print_stats(a, st.ops) != 0)
        fprintf(stderr, "gyre %s: out of memory printing the statistics\n", c->name);
    gy_stats_free(st.ops);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gyre %s: writing the results: %s\n", c->name, strerror(errno));
        return GY_EXIT_RUNTIME;
    }
    return GY_EXIT_OK;
}

static int algo_main(const struct algo_cmd *c, int argc, char **argv)
{
    struct args a;
    int rc = parse_args(c, argc, argv, &a);

    if (rc == PARSE_HELP) {
        print_help(c);
        return GY_EXIT_OK;
    }
    return rc != 0 ? rc : run(c, &a);
}

int gy_cli_cc(int argc, char **argv)
{
    return algo_main(&cc_cmd, argc, argv);
}

int gy_cli_tc(int argc, char **argv)
{
    return algo_main(&tc_cmd, argc, argv);
}
