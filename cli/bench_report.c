/*
 * `gyre bench` output (cli/bench_report.h): derived figures, the table,
 * CSV, JSON, and the SVG plot drawn by gnuplot fed a script on its stdin.
 */
#include "cli/bench_report.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char gy_cli_bench_csv_header[] =
    "algo,input,workers,cores,oversubscribed,reps,warmup,unit,items,time_s,time_min_s,"
    "time_max_s,load_s,throughput,speedup,efficiency,baseline_s,cost_ratio,cost_workers,"
    "peak_rss_mib,result";

const char gy_cli_bench_csv_stats_columns[] = ",stats_time_s,stats_overhead";

void gy_cli_bench_derive(struct gy_cli_bench_report *r)
{
    double t1 = NAN;

    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].workers == 1)
            t1 = r->rows[i].time_s;
    r->cost = 0;
    if (r->have_base) { /* the baseline has a throughput, none of the ratios */
        r->base.throughput = r->base.items / r->base.time_s;
        r->base.speedup = r->base.efficiency = r->base.cost_ratio = NAN;
    }
    for (size_t i = 0; i < r->nrows; i++) {
        struct gy_cli_bench_row *w = &r->rows[i];
        w->oversubscribed = w->workers > r->cores;
        w->throughput = w->items / w->time_s;
        w->speedup = t1 / w->time_s;
        w->efficiency = w->speedup / w->workers;
        w->cost_ratio = r->have_base ? w->time_s / r->base.time_s : NAN;
        w->stats_overhead = r->stats ? w->stats_time_s / w->time_s - 1 : NAN;
        if (r->have_base && r->cost == 0 && w->time_s < r->base.time_s)
            r->cost = w->workers;
    }
}

/* ---- table ---- */

/* A divisor and prefix that keep the largest throughput readable. */
static double unit_scale(const struct gy_cli_bench_report *r, const char **prefix)
{
    double top = r->have_base ? r->base.throughput : 0;

    for (size_t i = 0; i < r->nrows; i++)
        top = r->rows[i].throughput > top ? r->rows[i].throughput : top;
    *prefix = top >= 1e9 ? "G" : top >= 1e6 ? "M" : top >= 1e3 ? "K" : "";
    return top >= 1e9 ? 1e9 : top >= 1e6 ? 1e6 : top >= 1e3 ? 1e3 : 1;
}

/* A figure with its suffix, or "-" when it is missing (NAN), right-aligned in width. */
static void cell(FILE *out, int width, int decimals, const char *suffix, double x)
{
    char buf[32];

    if (isnan(x))
        snprintf(buf, sizeof(buf), "-");
    else
        snprintf(buf, sizeof(buf), "%.*f%s", decimals, x, suffix);
    fprintf(out, " %*s", width, buf);
}

static void print_row(FILE *out, const struct gy_cli_bench_row *w, double scale, bool base,
                      bool stats)
{
    char range[48];

    snprintf(range, sizeof(range), "(%.4f .. %.4f)", w->time_min_s, w->time_max_s);
    if (base)
        fprintf(out, "%8s", "base");
    else
        fprintf(out, "%8u", w->workers);
    fprintf(out, " %9.4f %-22s", w->time_s, range);
    cell(out, 11, 2, "", w->throughput / scale);
    cell(out, 8, 2, "x", base ? NAN : w->speedup);
    cell(out, 10, 0, "%", base ? NAN : 100 * w->efficiency);
    cell(out, 10, 2, "x", base ? NAN : w->cost_ratio);
    fprintf(out, " %8.4f %9.1f", w->load_s, w->peak_mib);
    if (stats) {
        cell(out, 9, 4, "", base ? NAN : w->stats_time_s);
        cell(out, 9, 1, "%", base ? NAN : 100 * w->stats_overhead);
    }
    if (w->oversubscribed && !base)
        fputs("  ! oversubscribed", out);
    fputc('\n', out);
}

static void print_cost(FILE *out, const struct gy_cli_bench_report *r)
{
    uint32_t maxw = r->nrows ? r->rows[r->nrows - 1].workers : 0;

    if (!r->have_base)
        fprintf(out, "COST: not measured (%s)\n", r->no_base);
    else if (r->cost != 0)
        fprintf(out, "COST: %u worker%s: the fewest measured that beat one plain thread "
                "(%.4f s)\n", r->cost, r->cost == 1 ? "" : "s", r->base.time_s);
    else
        fprintf(out, "COST: > %u workers: no measured worker count beats one plain thread "
                "(%.4f s)\n", maxw, r->base.time_s);
}

static void print_warnings(FILE *out, const struct gy_cli_bench_report *r)
{
    bool one = false;

    for (size_t i = 0; i < r->nrows; i++) {
        if (!r->rows[i].oversubscribed)
            continue;
        fprintf(out, "warning: W=%u runs more workers than this machine's %u cores: workers "
                "share cores, so that row measures oversubscription, not scaling\n",
                r->rows[i].workers, r->cores);
    }
    for (size_t i = 0; i < r->nrows; i++)
        one = one || r->rows[i].workers == 1;
    /* Other work on the cores slows the runs unevenly; say so beside them. */
    if (r->load_before > r->cores / 2.0)
        fprintf(out, "warning: the load average was %.1f on %u cores before the runs: other "
                "work shared the cores, so the times are disturbed\n", r->load_before, r->cores);
    if (!one)
        fputs("note: no W=1 row, so no speedup or efficiency (add 1 to --workers)\n", out);
}

void gy_cli_bench_print_table(FILE *out, const struct gy_cli_bench_report *r)
{
    const char *prefix;
    double scale = unit_scale(r, &prefix);
    char tput[32];

    fprintf(out, "gyre bench %s %s: %llu %s a run, %u cores; median of %u run%s after %u "
            "warm-up%s, each run in its own process\n", r->kind->name, r->input,
            (unsigned long long)(r->nrows ? r->rows[0].items : 0), r->kind->unit, r->cores,
            r->reps, r->reps == 1 ? "" : "s", r->warmup, r->warmup == 1 ? "" : "s");
    fprintf(out, "  %s\n\n", r->kind->timed);
    snprintf(tput, sizeof(tput), "%s%s/s", prefix, r->kind->unit);
    fprintf(out, "%8s %9s %-22s %11s %8s %10s %10s %8s %9s", "workers", "kernel s",
            "(min .. max)", tput, "speedup", "efficiency", "COST ratio", "load s", "peak MiB");
    if (r->stats)
        fprintf(out, " %9s %9s", "--stats s", "overhead");
    fputc('\n', out);
    for (size_t i = 0; i < r->nrows; i++)
        print_row(out, &r->rows[i], scale, false, r->stats);
    if (r->have_base) {
        fprintf(out, "baseline, one plain thread: %s\n", r->kind->baseline_what);
        print_row(out, &r->base, scale, true, r->stats);
    }
    fputc('\n', out);
    fputs("speedup = t(1 worker) / t(W); efficiency = speedup / W; COST ratio = t(W) / "
          "t(baseline): how many times slower than one plain thread\n", out);
    if (r->stats)
        fputs("--stats s = the median kernel time with per-operator statistics on, of runs "
              "alternating with the plain ones; overhead = --stats s / kernel s - 1\n", out);
    print_cost(out, r);
    fprintf(out, "result: %llu %s at every worker count%s\n",
            (unsigned long long)(r->nrows ? r->rows[0].result : 0), r->kind->result,
            r->have_base ? " and in the baseline" : "");
    print_warnings(out, r);
}

/* ---- CSV ---- */

/* A CSV field: quoted (with doubled quotes) when it holds , " or a newline. */
static void csv_text(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* ",x" with enough digits to recompute the ratios, or "," when x is NAN. */
static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputc(',', f);
    else
        fprintf(f, ",%.9g", x);
}

static void csv_row(FILE *f, const struct gy_cli_bench_report *r, const struct gy_cli_bench_row *w)
{
    uint32_t maxw = r->rows[r->nrows - 1].workers;

    csv_text(f, r->kind->name);
    fputc(',', f);
    csv_text(f, r->input);
    fprintf(f, ",%u,%u,%d,%u,%u,%s,%llu", w->workers, r->cores, w->oversubscribed ? 1 : 0,
            r->reps, r->warmup, r->kind->unit, (unsigned long long)w->items);
    csv_num(f, w->time_s);
    csv_num(f, w->time_min_s);
    csv_num(f, w->time_max_s);
    csv_num(f, w->load_s);
    csv_num(f, w->throughput);
    csv_num(f, w->speedup);
    csv_num(f, w->efficiency);
    csv_num(f, r->have_base ? r->base.time_s : NAN);
    csv_num(f, w->cost_ratio);
    if (!r->have_base)
        fputc(',', f);
    else if (r->cost != 0)
        fprintf(f, ",%u", r->cost);
    else
        fprintf(f, ",>%u", maxw);
    fprintf(f, ",%.1f,%llu", w->peak_mib, (unsigned long long)w->result);
    if (r->stats) {
        csv_num(f, w->stats_time_s);
        csv_num(f, w->stats_overhead);
    }
    fputc('\n', f);
}

int gy_cli_bench_write_csv(const char *path, const struct gy_cli_bench_report *r, char *err,
                           size_t errlen)
{
    FILE *f = fopen(path, "w");
    int rc = 0;

    if (!f) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return rc;
    }
    fprintf(f, "%s%s\n", gy_cli_bench_csv_header,
            r->stats ? gy_cli_bench_csv_stats_columns : "");
    for (size_t i = 0; i < r->nrows; i++)
        csv_row(f, r, &r->rows[i]);
    if (ferror(f) | (fclose(f) != 0)) {
        rc = -EIO;
        snprintf(err, errlen, "%s: write failed", path);
    }
    return rc;
}

/* ---- JSON ---- */

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_num(FILE *out, const char *key, double x)
{
    if (isnan(x))
        fprintf(out, ",\"%s\":null", key);
    else
        fprintf(out, ",\"%s\":%.9g", key, x);
}

static void json_row(FILE *out, const struct gy_cli_bench_row *w, bool stats)
{
    fprintf(out, "{\"workers\":%u,\"oversubscribed\":%s,\"items\":%llu", w->workers,
            w->oversubscribed ? "true" : "false", (unsigned long long)w->items);
    json_num(out, "time_s", w->time_s);
    json_num(out, "time_min_s", w->time_min_s);
    json_num(out, "time_max_s", w->time_max_s);
    json_num(out, "load_s", w->load_s);
    json_num(out, "throughput", w->throughput);
    json_num(out, "speedup", w->speedup);
    json_num(out, "efficiency", w->efficiency);
    json_num(out, "cost_ratio", w->cost_ratio);
    json_num(out, "peak_rss_mib", w->peak_mib);
    if (stats) {
        json_num(out, "stats_time_s", w->stats_time_s);
        json_num(out, "stats_overhead", w->stats_overhead);
    }
    fprintf(out, ",\"result\":%llu}", (unsigned long long)w->result);
}

static void json_head(FILE *out, const struct gy_cli_bench_report *r)
{
    fputs("{\"algo\":", out);
    json_str(out, r->kind->name);
    fputs(",\"input\":", out);
    json_str(out, r->input);
    fprintf(out, ",\"cores\":%u,\"reps\":%u,\"warmup\":%u", r->cores, r->reps, r->warmup);
    json_num(out, "load_before", r->load_before < 0 ? NAN : r->load_before);
    fputs(",\"unit\":", out);
    json_str(out, r->kind->unit);
    fputs(",\"result_of\":", out);
    json_str(out, r->kind->result);
    fputs(",\"timed\":", out);
    json_str(out, r->kind->timed);
}

void gy_cli_bench_print_json(FILE *out, const struct gy_cli_bench_report *r)
{
    json_head(out, r);
    fputs(",\"baseline\":", out);
    if (r->have_base) {
        json_row(out, &r->base, false);
        fputs(",\"baseline_what\":", out);
        json_str(out, r->kind->baseline_what);
        fprintf(out, r->cost ? ",\"cost_workers\":%u" : ",\"cost_workers\":null", r->cost);
    } else {
        fputs("null,\"no_baseline\":", out);
        json_str(out, r->no_base);
    }
    fputs(",\"rows\":[", out);
    for (size_t i = 0; i < r->nrows; i++) {
        if (i)
            fputc(',', out);
        json_row(out, &r->rows[i], r->stats);
    }
    fputs("]}\n", out);
}

/* ---- plot ---- */

/* gnuplot's path on PATH into buf, or false. */
static bool find_gnuplot(char *buf, size_t len)
{
    const char *path = getenv("PATH");

    while (path && *path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && (size_t)snprintf(buf, len, "%.*s/gnuplot", (int)n, path) < len &&
            access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

/* A gnuplot single-quoted string: quotes doubled. */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void gp_data(FILE *f, const struct gy_cli_bench_report *r, double scale)
{
    fputs("$d << EOD\n", f);
    for (size_t i = 0; i < r->nrows; i++)
        fprintf(f, "%u %.9g %.9g\n", r->rows[i].workers,
                isnan(r->rows[i].speedup) ? -1 : r->rows[i].speedup,
                r->rows[i].throughput / scale);
    fputs("EOD\n", f);
    fputs("set xlabel 'workers (W)'\nset grid\nset key below Left reverse\n"
          "set xtics (", f);
    for (size_t i = 0; i < r->nrows; i++)
        fprintf(f, "%s%u", i ? ", " : "", r->rows[i].workers);
    fprintf(f, ")\nset xrange [0.5:%u.5]\n", r->rows[r->nrows - 1].workers);
    if (r->rows[r->nrows - 1].oversubscribed)
        fprintf(f, "set object 1 rect from %u.5, graph 0 to graph 1, graph 1 behind "
                "fc rgb '#eeeeee' fs solid noborder\n"
                "set label 1 'W > %u cores' at %g, graph 0.95 center font ',10' "
                "tc rgb '#666666'\n", r->cores, r->cores,
                (r->cores + 1.0 + r->rows[r->nrows - 1].workers) / 2);
}

/* The throughput panel; on a log scale when the figures span more than 20x,
 * so that a slow line is not flattened against a fast baseline. */
static void gp_throughput(FILE *f, const struct gy_cli_bench_report *r, double scale,
                          const char *prefix)
{
    double lo = r->have_base ? r->base.throughput : INFINITY, hi = r->have_base ? lo : 0;
    bool logy;

    for (size_t i = 0; i < r->nrows; i++) {
        lo = r->rows[i].throughput < lo ? r->rows[i].throughput : lo;
        hi = r->rows[i].throughput > hi ? r->rows[i].throughput : hi;
    }
    logy = lo > 0 && hi / lo > 20;
    fprintf(f, "set title 'throughput'\nset ylabel '%s%s/s%s'\n%s\n", prefix, r->kind->unit,
            logy ? " (log scale)" : "", logy ? "set logscale y\nset yrange [*:*]"
                                              : "set yrange [0:*]");
    fputs("plot $d using 1:3 with linespoints lw 2.5 pt 7 ps 1.2 lc rgb '#d62728' "
          "title 'gyre'", f);
    if (r->have_base)
        fprintf(f, ", %.9g with lines dt 3 lw 2 lc rgb '#2ca02c' title 'one plain thread "
                "(baseline)'", r->base.throughput / scale);
}

static void gp_script(FILE *f, const char *path, const struct gy_cli_bench_report *r)
{
    const char *prefix;
    double scale = unit_scale(r, &prefix);
    uint32_t maxw = r->rows[r->nrows - 1].workers;
    bool speedup = !isnan(r->rows[0].speedup);

    fputs("set terminal svg size 1000,470 dynamic noenhanced font 'sans,13' background "
          "rgb 'white'\nset output ", f);
    gp_str(f, path);
    fputc('\n', f);
    gp_data(f, r, scale);
    fprintf(f, "set multiplot layout 1,%d title sprintf('gyre bench %s %%s: %u cores, median "
            "of %u run%s', input)\n", speedup ? 2 : 1, r->kind->name, r->cores, r->reps,
            r->reps == 1 ? "" : "s");
    if (speedup)
        fprintf(f, "set title 'speedup'\nset ylabel 't(1 worker) / t(W)'\nset yrange [0:%g]\n"
                "plot x with lines dt 2 lw 1.5 lc rgb '#888888' title 'ideal: speedup = W', "
                "$d using 1:2 with linespoints lw 2.5 pt 7 ps 1.2 lc rgb '#1f77b4' "
                "title 'gyre'\n", maxw * 1.15);
    gp_throughput(f, r, scale, prefix);
    fputs("\nunset multiplot\n", f);
}

/* Starts gnuplot reading its script from a pipe: its pid, and *wfd the
 * pipe's write end; -1 (errno set) if it could not start. */
static pid_t spawn_gnuplot(const char *exe, int *wfd)
{
    int fd[2];
    pid_t pid;

    if (pipe(fd) != 0)
        return -1;
    if ((pid = fork()) < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[0], 0);
        close(fd[0]);
        close(fd[1]);
        execl(exe, "gnuplot", "-", (char *)NULL);
        _exit(127);
    }
    close(fd[0]);
    *wfd = fd[1];
    return pid;
}

/* Writes the script to gnuplot's stdin and waits for it. */
static int run_gnuplot(const char *exe, const char *path, const struct gy_cli_bench_report *r,
                       char *err, size_t errlen)
{
    int fd = -1, status = 0;
    pid_t pid = spawn_gnuplot(exe, &fd);
    FILE *f;

    if (pid < 0) {
        snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
        return -EIO;
    }
    if ((f = fdopen(fd, "w")) != NULL) {
        fputs("input = ", f);
        gp_str(f, r->input);
        fputc('\n', f);
        gp_script(f, path, r);
        fclose(f);
    } else {
        close(fd);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    snprintf(err, errlen, "gnuplot failed drawing %s (%s %d)", path,
             WIFEXITED(status) ? "exit status" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return -EIO;
}

int gy_cli_bench_plot(const char *path, const struct gy_cli_bench_report *r, char *err,
                      size_t errlen)
{
    char exe[4096];
    void (*old)(int);
    int rc;

    if (!find_gnuplot(exe, sizeof(exe))) {
        snprintf(err, errlen, "cannot draw %s: gnuplot is not installed (not found on PATH); "
                 "install it (Debian: apt-get install gnuplot-nox) and run again", path);
        return -ENOENT;
    }
    if (r->nrows == 0) {
        snprintf(err, errlen, "cannot draw %s: no rows", path);
        return -EINVAL;
    }
    old = signal(SIGPIPE, SIG_IGN); /* a gnuplot that dies early must not kill us */
    rc = run_gnuplot(exe, path, r, err, errlen);
    signal(SIGPIPE, old);
    return rc;
}
