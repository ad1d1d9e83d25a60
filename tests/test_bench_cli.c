/*
 * End-to-end tests of `gyre bench` (cli/cmd_bench.c): each case runs the
 * built gyre binary ($GY_GYRE, else <dir of this test binary>/../gyre) in a
 * child process on a tiny input and checks what it wrote.
 *
 *  - The CSV has exactly the documented columns, and its figures agree with
 *    each other: throughput = items / time, speedup = t1 / tW, efficiency =
 *    speedup / W, COST ratio = tW / t_baseline, COST = the smallest W that
 *    beats the baseline; the component and triangle counts agree with
 *    igraph's on the same generated edges, and items with the generator's
 *    edge count.
 *  - More workers than cores is flagged in the table and the CSV.
 *  - An unknown benchmark and a bad --workers list are usage errors (exit 2)
 *    that say what is wrong.
 *  - --plot without gnuplot on PATH says so, exits 1, and still writes the
 *    CSV; with gnuplot it writes an SVG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <igraph.h>

#include "graph/gen.h"
#include "runtime/runtime.h"
#include "tests/support/proc.h"

#define TIMEOUT_S 60        /* a gyre run that takes longer is hung */
#define MAX_ROWS 8
#define MAX_COLS 32
#define LINE 4096

/* The columns the CSV must have, in order (cli/bench_report.h documents them). */
static const char *const csv_columns[] = {
    "algo", "input", "workers", "cores", "oversubscribed", "reps", "warmup", "unit", "items",
    "time_s", "time_min_s", "time_max_s", "load_s", "throughput", "speedup", "efficiency",
    "baseline_s", "cost_ratio", "cost_workers", "peak_rss_mib", "result",
};

#define NCOLS (sizeof(csv_columns) / sizeof(csv_columns[0]))

static char gyre[PATH_MAX + 16];

/* What one gyre run printed. */
struct run {
    int status;                 /* exit status; -1 if it did not exit normally */
    char out[1 << 14];
    char err[1 << 14];
};

/* The parsed CSV: rows of fields, by column index. */
struct csv {
    size_t nrows;
    char field[MAX_ROWS][MAX_COLS][128];
};

struct tmp {
    char dir[64];
    char csv[128];
    char svg[128];
};

/* ---- helpers ---- */

static void read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;

    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* Waits for pid, killing it after TIMEOUT_S. Returns its wait status. */
static int wait_bounded(pid_t pid)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    int status = 0;

    for (int i = 0; i < TIMEOUT_S * 100; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("gyre bench ran past %d s", TIMEOUT_S);
    return status;
}

/*
 * Runs `gyre bench ARGS...` (argv NULL-terminated, without "gyre bench")
 * with PATH set to path (NULL: inherited), capturing stdout and stderr.
 */
static void run_bench(struct run *r, const struct tmp *t, const char *path, const char *const *args)
{
    char out[160], err[160];
    const char *argv[32] = {gyre, "bench"};
    size_t n = 2;
    pid_t pid;
    int status;

    snprintf(out, sizeof(out), "%s/stdout", t->dir);
    snprintf(err, sizeof(err), "%s/stderr", t->dir);
    for (; args[n - 2] && n < 31; n++)
        argv[n] = args[n - 2];
    argv[n] = NULL;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        if (path)
            setenv("PATH", path, 1);
        execv(gyre, (char *const *)argv);
        _exit(127);
    }
    status = wait_bounded(pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    read_file(out, r->out, sizeof(r->out));
    read_file(err, r->err, sizeof(r->err));
    if (r->status == 127)
        fail_msg("could not run %s (set GY_GYRE, or build it: make)", gyre);
}

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));

    if (!t)
        return -1;
    snprintf(t->dir, sizeof(t->dir), "/tmp/gy_bench_cli.XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->csv, sizeof(t->csv), "%s/bench.csv", t->dir);
    snprintf(t->svg, sizeof(t->svg), "%s/bench.svg", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    const char *names[] = {"stdout", "stderr", "bench.csv", "bench.svg", "bin"};
    char p[160];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", t->dir, names[i]);
        if (strcmp(names[i], "bin") == 0)
            rmdir(p);
        else
            unlink(p);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

/* Splits one CSV line (no quoted fields expected here) into fields. */
static size_t split(char *line, char fields[MAX_COLS][128])
{
    size_t n = 0;
    char *p = line;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < MAX_COLS) {
        size_t k = strcspn(p, ",");
        snprintf(fields[n++], 128, "%.*s", (int)k, p);
        if (p[k] == '\0')
            break;
        p += k + 1;
    }
    return n;
}

/* Reads path: the header must be exactly csv_columns; rows go into c. */
static void read_csv(const char *path, struct csv *c)
{
    char line[LINE], head[MAX_COLS][128];
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_int_equal(split(line, head), NCOLS);
    for (size_t k = 0; k < NCOLS; k++)
        assert_string_equal(head[k], csv_columns[k]);
    c->nrows = 0;
    while (c->nrows < MAX_ROWS && fgets(line, sizeof(line), f))
        assert_int_equal(split(line, c->field[c->nrows++]), NCOLS);
    fclose(f);
}

static size_t col(const char *name)
{
    for (size_t k = 0; k < NCOLS; k++)
        if (strcmp(csv_columns[k], name) == 0)
            return k;
    fail_msg("no column %s", name);
    return 0;
}

static double num(const struct csv *c, size_t row, const char *name)
{
    const char *s = c->field[row][col(name)];
    char *end;
    double x = strtod(s, &end);

    if (*s == '\0' || *end != '\0')
        fail_msg("row %zu, %s: '%s' is not a number", row, name, s);
    return x;
}

static void assert_close(double got, double want, const char *what)
{
    if (fabs(got - want) > 1e-6 * fabs(want) + 1e-12)
        fail_msg("%s: %.9g in the CSV, %.9g recomputed", what, got, want);
}

/* The generated stream of spec as an undirected igraph multigraph on the
 * spec's n vertices (ids are in [0, n)). */
static void igraph_of(const char *spec, igraph_t *graph)
{
    struct gy_gen_spec g;
    igraph_vector_int_t ev;
    char err[128];

    assert_int_equal(gy_gen_parse_spec(spec, &g, err, sizeof(err)), 0);
    igraph_vector_int_init(&ev, 2 * (igraph_integer_t)gy_gen_count(&g));
    for (uint64_t i = 0; i < gy_gen_count(&g); i++) {
        struct gy_edge e;
        gy_gen_edge(&g, i, &e);
        VECTOR(ev)[2 * i] = (igraph_integer_t)e.u;
        VECTOR(ev)[2 * i + 1] = (igraph_integer_t)e.v;
    }
    igraph_create(graph, &ev, (igraph_integer_t)g.n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&ev);
}

/* Connected components of the vertices that spec names, by igraph. */
static uint64_t igraph_components_of(const char *spec)
{
    igraph_vector_int_t deg;
    igraph_integer_t nc = 0, isolated = 0;
    igraph_t graph;

    igraph_of(spec, &graph);
    igraph_connected_components(&graph, NULL, NULL, &nc, IGRAPH_WEAK);
    /* A vertex no edge names does not exist for gyre (algorithms/algo.h). */
    igraph_vector_int_init(&deg, 0);
    igraph_degree(&graph, &deg, igraph_vss_all(), IGRAPH_ALL, IGRAPH_LOOPS);
    for (igraph_integer_t v = 0; v < igraph_vector_int_size(&deg); v++)
        isolated += VECTOR(deg)[v] == 0;
    igraph_vector_int_destroy(&deg);
    igraph_destroy(&graph);
    return (uint64_t)(nc - isolated);
}

/* Triangles of the simple graph that spec's stream makes, by igraph. */
static uint64_t igraph_triangles_of(const char *spec)
{
    igraph_vector_int_t tri;
    igraph_t graph;
    uint64_t n;

    igraph_of(spec, &graph);
    igraph_simplify(&graph, true, true, NULL);
    igraph_vector_int_init(&tri, 0);
    igraph_list_triangles(&graph, &tri);
    n = (uint64_t)igraph_vector_int_size(&tri) / 3;
    igraph_vector_int_destroy(&tri);
    igraph_destroy(&graph);
    return n;
}

/* ---- cases ---- */

/* The ratios of every row against the times they are made of. */
static void check_ratios(const struct csv *c)
{
    double t1 = num(c, 0, "time_s"), base = num(c, 0, "baseline_s");
    uint32_t cost = 0;
    char want[32];

    assert_int_equal((int)num(c, 0, "workers"), 1);
    for (size_t r = 0; r < c->nrows; r++) {
        double t = num(c, r, "time_s"), w = num(c, r, "workers");
        assert_true(t > 0);
        assert_true(num(c, r, "time_min_s") <= t && t <= num(c, r, "time_max_s"));
        assert_close(num(c, r, "throughput"), num(c, r, "items") / t, "throughput");
        assert_close(num(c, r, "speedup"), t1 / t, "speedup");
        assert_close(num(c, r, "efficiency"), t1 / t / w, "efficiency");
        assert_close(num(c, r, "cost_ratio"), t / base, "cost_ratio");
        assert_true(num(c, r, "peak_rss_mib") > 0);
        if (cost == 0 && t < base)
            cost = (uint32_t)w;
    }
    if (cost)
        snprintf(want, sizeof(want), "%u", cost);
    else
        snprintf(want, sizeof(want), ">%.0f", num(c, c->nrows - 1, "workers"));
    for (size_t r = 0; r < c->nrows; r++)
        assert_string_equal(c->field[r][col("cost_workers")], want);
}

static void test_bench_cli_csv_figures(void **state)
{
    const struct tmp *t = *state;
    const char *spec = "er:4000:3000";
    const char *args[] = {"cc", spec, "--workers", "1,2", "--reps", "2", "--warmup", "0",
                          "--csv", t->csv, NULL};
    static struct run r;
    static struct csv c;
    uint64_t components = igraph_components_of(spec);
    uint32_t cores = gy_runtime_cores();

    run_bench(&r, t, NULL, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    read_csv(t->csv, &c);
    assert_int_equal(c.nrows, 2);
    for (size_t i = 0; i < c.nrows; i++) {
        assert_string_equal(c.field[i][col("algo")], "cc");
        assert_string_equal(c.field[i][col("input")], spec);
        assert_string_equal(c.field[i][col("unit")], "edges");
        assert_int_equal((uint64_t)num(&c, i, "workers"), i + 1);
        assert_int_equal((uint64_t)num(&c, i, "cores"), cores);
        assert_int_equal((int)num(&c, i, "oversubscribed"), i + 1 > cores);
        assert_int_equal((int)num(&c, i, "reps"), 2);
        assert_int_equal((int)num(&c, i, "warmup"), 0);
        assert_int_equal((uint64_t)num(&c, i, "items"), 3000);
        assert_int_equal((uint64_t)num(&c, i, "result"), components);
    }
    check_ratios(&c);
    assert_non_null(strstr(r.out, "COST"));
    assert_non_null(strstr(r.out, "speedup"));
}

/* tc over R-MAT (duplicates and self-loops in the stream): gyre's count
 * at every W, and its baseline's (gyre bench fails if they differ), are
 * igraph's. */
static void test_bench_cli_tc_igraph(void **state)
{
    const struct tmp *t = *state;
    const char *spec = "rmat:9";
    const char *args[] = {"tc", spec, "--workers", "1,2", "--reps", "1", "--warmup", "0",
                          "--csv", t->csv, NULL};
    static struct run r;
    static struct csv c;
    uint64_t triangles = igraph_triangles_of(spec);

    run_bench(&r, t, NULL, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    read_csv(t->csv, &c);
    assert_int_equal(c.nrows, 2);
    for (size_t i = 0; i < c.nrows; i++) {
        assert_string_equal(c.field[i][col("algo")], "tc");
        assert_int_equal((uint64_t)num(&c, i, "items"), 16u << 9);
        assert_int_equal((uint64_t)num(&c, i, "result"), triangles);
    }
    check_ratios(&c);
    assert_non_null(strstr(r.out, "and in the baseline"));
}

static void test_bench_cli_oversubscribed(void **state)
{
    const struct tmp *t = *state;
    const char *args[] = {"cc", "er:300:400", "--workers", "1,3", "--reps", "1", "--warmup", "0",
                          "--no-baseline", "--csv", t->csv, NULL};
    static struct run r;
    static struct csv c;

    if (gy_runtime_cores() >= 3)
        skip();
    run_bench(&r, t, NULL, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    assert_non_null(strstr(r.out, "oversubscribed"));
    assert_non_null(strstr(r.out, "warning: W=3"));
    read_csv(t->csv, &c);
    assert_int_equal(c.nrows, 2);
    assert_string_equal(c.field[0][col("oversubscribed")], "0");
    assert_string_equal(c.field[1][col("oversubscribed")], "1");
}

static void test_bench_cli_unknown_algo(void **state)
{
    const struct tmp *t = *state;
    const char *args[] = {"nosuch", "er:10:10", NULL};
    static struct run r;

    run_bench(&r, t, NULL, args);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown benchmark 'nosuch'"));
    assert_non_null(strstr(r.err, " cc"));
    assert_string_equal(r.out, "");
}

static void test_bench_cli_bad_workers(void **state)
{
    const struct tmp *t = *state;
    const char *bad[] = {"1,,2", "0", "2,1", "1,1", "x", "1,2,", "", "-1"};
    static struct run r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *args[] = {"cc", "er:10:10", "--workers", bad[i], NULL};
        run_bench(&r, t, NULL, args);
        if (r.status != 2 || !strstr(r.err, "--workers"))
            fail_msg("--workers '%s': exit %d, stderr: %s", bad[i], r.status, r.err);
        assert_string_equal(r.out, "");
    }
}

static void test_bench_cli_plot_without_gnuplot(void **state)
{
    const struct tmp *t = *state;
    char bin[160];
    const char *args[] = {"barrier", "2000", "--workers", "1,2", "--reps", "1", "--warmup", "0",
                          "--csv", t->csv, "--plot", t->svg, NULL};
    static struct run r;
    static struct csv c;
    struct stat st;

    snprintf(bin, sizeof(bin), "%s/bin", t->dir); /* an empty PATH directory */
    assert_int_equal(mkdir(bin, 0755), 0);
    run_bench(&r, t, bin, args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "gnuplot is not installed"));
    assert_non_null(strstr(r.out, "rounds"));
    read_csv(t->csv, &c);
    assert_int_equal(c.nrows, 2);
    assert_int_equal((uint64_t)num(&c, 0, "result"), 2000);
    assert_int_not_equal(stat(t->svg, &st), 0);
}

/* gnuplot's path on PATH, or false. */
static bool have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char p[PATH_MAX];

    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(p, sizeof(p), "%.*s/gnuplot", (int)n, path);
        if (n > 0 && access(p, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static void test_bench_cli_plot_svg(void **state)
{
    const struct tmp *t = *state;
    const char *args[] = {"barrier", "2000", "--workers", "1,2", "--reps", "1", "--warmup", "0",
                          "--plot", t->svg, NULL};
    static struct run r;
    static char svg[1 << 16];

    if (!have_gnuplot())
        skip();
    run_bench(&r, t, NULL, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    read_file(t->svg, svg, sizeof(svg));
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "gyre bench barrier 2000"));
    assert_non_null(strstr(svg, "ideal"));
}

static void test_bench_cli_json(void **state)
{
    const struct tmp *t = *state;
    const char *args[] = {"barrier", "1000", "--workers", "1,2", "--reps", "1", "--warmup", "0",
                          "--json", NULL};
    static struct run r;
    size_t n = 0;

    run_bench(&r, t, NULL, args);
    if (r.status != 0)
        fail_msg("exit %d: %s", r.status, r.err);
    assert_int_equal(r.out[0], '{');
    assert_string_equal(r.out + strlen(r.out) - 2, "}\n");
    for (const char *p = r.out; (p = strstr(p, "\"workers\":")) != NULL; p++)
        n++;
    assert_int_equal(n, 2);
    assert_non_null(strstr(r.out, "\"baseline\":null"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bench_cli_csv_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_tc_igraph, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_oversubscribed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_unknown_algo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_bad_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_plot_without_gnuplot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_plot_svg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_cli_json, setup, teardown),
    };

    ts_gyre_path(gyre, sizeof(gyre));
    return cmocka_run_group_tests_name("bench_cli", tests, NULL, NULL);
}
