/*
 * `gyre convert` (any readable edge file to the binary .gyb format, or to a
 * text edge list) and `gyre gen` (a generator's edge stream to a file or
 * stdout). Argument parsing is done by hand, without getopt, so that the
 * commands keep no global state between calls.
 */
#include "cli/cmd_convert.h"
#include "cli/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "graph/edgefile.h"
#include "graph/gen.h"
#include "progress/alloc.h"

/* Edges per read/generate/write call: 65536 records = 2 MiB, enough to
 * amortize each call's cost while the buffer still sits in the cache. */
#define CHUNK 65536

static const char convert_help[] =
    "usage: gyre convert IN OUT [options]\n"
    "\n"
    "Reads the edge file IN (a text edge list, Matrix Market or gyre binary,\n"
    "each possibly gzip-compressed; - reads stdin) and writes it to OUT: as a\n"
    "text edge list if OUT ends in .txt or .txt.gz, else in the gyre binary\n"
    "format (.gyb). An OUT ending in .gz is gzip-compressed. Times and\n"
    "deletions are kept; a sign column is written only when the input deletes.\n"
    "\n"
    "options:\n"
    "  --format F        input format: auto (default), text, mtx or gyb\n"
    "  --time-column K   1-based column (>= 3) holding edge times (Matrix Market: 3)\n"
    "  --sign-column K   1-based column (>= 3) holding +1 (insert) or -1 (delete)\n"
    "  --skip-bad        skip bad input lines, report how many on stderr\n"
    "  -h, --help        show this help\n"
    "\n"
    "example:\n"
    "  gyre convert web-Google.txt.gz web-Google.gyb --time-column 3\n";

static const char gen_help[] =
    "usage: gyre gen rmat SCALE [--edgefactor K] [--seed S] [--no-scramble] [-o FILE]\n"
    "       gyre gen er N M [--seed S] [-o FILE]\n"
    "       gyre gen SPEC [-o FILE]\n"
    "\n"
    "Writes a synthetic edge stream, one \"u v\" line per edge, to stdout or FILE\n"
    "(a FILE ending in .gyb is written in the binary format, .gz compressed).\n"
    "  rmat   R-MAT/Kronecker with the Graph500 parameters a=0.57 b=0.19 c=0.19\n"
    "         d=0.05: 2^SCALE vertices, K * 2^SCALE edges (K = 16 by default),\n"
    "         vertex ids scrambled by a seeded bijection unless --no-scramble\n"
    "  er     Erdos-Renyi G(N, M): M edges drawn uniformly from the N(N-1)\n"
    "         ordered pairs of distinct vertices, with replacement\n"
    "  SPEC   rmat:SCALE[:EDGEFACTOR[:SEED]] or er:N:M[:SEED]\n"
    "The seed is 1 by default. Duplicates are kept in the stream (R-MAT also\n"
    "keeps self-loops); the same arguments always give the same edges.\n"
    "\n"
    "examples:\n"
    "  gyre gen rmat 16 --edgefactor 8 --seed 3 -o rmat16.gyb\n"
    "  gyre gen er 1000 5000 > er.txt\n"
    "  gyre gen rmat:20 | head\n";

GY_PRINTF(2, 3) static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "gyre %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see gyre %s --help)\n", cmd);
    return GY_EXIT_USAGE;
}

static int runtime_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "gyre %s: %s\n", cmd, msg);
    return GY_EXIT_RUNTIME;
}

/* A reader's or writer's message names its file ("path:LINE: ..." or
 * "path: ..."), so it is printed as it is: one line in the form compilers
 * use, which editors and scripts already know how to follow. */
static int file_error(const char *msg)
{
    fprintf(stderr, "%s\n", msg);
    return GY_EXIT_RUNTIME;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Matches argv[*i] against the option `name` taking a value, as "--name V" or
 * "--name=V". Returns 1 with *val set and *i on the value, 0 if argv[*i] is
 * another option, -1 if the value is missing.
 */
static int take_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t k = strlen(name);

    if (strncmp(argv[*i], name, k) != 0)
        return 0;
    if (argv[*i][k] == '=') {
        *val = argv[*i] + k + 1;
        return 1;
    }
    if (argv[*i][k] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* ---- convert ----------------------------------------------------------- */

struct convert_args {
    const char *in, *out;
    struct gy_edges_opts opts;
};

static bool parse_format(const char *s, gy_edges_format_t *f)
{
    static const struct {
        const char *name;
        gy_edges_format_t f;
    } names[] = {{"auto", GY_EDGES_AUTO}, {"text", GY_EDGES_TEXT}, {"txt", GY_EDGES_TEXT},
                 {"mtx", GY_EDGES_MTX},   {"gyb", GY_EDGES_BIN},   {"bin", GY_EDGES_BIN}};

    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        if (strcmp(s, names[k].name) == 0) {
            *f = names[k].f;
            return true;
        }
    }
    return false;
}

/* Parses --time-column / --sign-column values: a column number >= 3. */
static int column_value(const char *opt, const char *val, unsigned *col)
{
    uint64_t k;

    if (!gy_cli_parse_u64(val, &k) || k < 3 || k > 1000000)
        return usage_error("convert", "%s wants a column number >= 3, not '%s'", opt, val);
    *col = (unsigned)k;
    return 0;
}

/* Handles one option at argv[*i]; returns 0 or an exit status. */
static int convert_option(int argc, char **argv, int *i, struct convert_args *a)
{
    const char *val = NULL;
    int m;

    if (strcmp(argv[*i], "--skip-bad") == 0) {
        a->opts.skip_bad = true;
        return 0;
    }
    if ((m = take_value(argc, argv, i, "--format", &val)) != 0) {
        if (m < 0 || !parse_format(val, &a->opts.format))
            return usage_error("convert", "--format wants auto, text, mtx or gyb");
        return 0;
    }
    if ((m = take_value(argc, argv, i, "--time-column", &val)) != 0)
        return m < 0 ? usage_error("convert", "--time-column needs a value")
                     : column_value("--time-column", val, &a->opts.time_column);
    if ((m = take_value(argc, argv, i, "--sign-column", &val)) != 0)
        return m < 0 ? usage_error("convert", "--sign-column needs a value")
                     : column_value("--sign-column", val, &a->opts.sign_column);
    return usage_error("convert", "unknown option '%s'", argv[*i]);
}

/* Fills a from argv; returns 0, or an exit status (-1 for --help, which exits 0). */
static int convert_parse(int argc, char **argv, struct convert_args *a)
{
    int npos = 0, rc;

    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if ((rc = convert_option(argc, argv, &i, a)) != 0)
                return rc;
        } else if (npos < 2) {
            *(npos++ == 0 ? &a->in : &a->out) = argv[i];
        } else {
            return usage_error("convert", "unexpected argument '%s'", argv[i]);
        }
    }
    if (npos < 2)
        return usage_error("convert", "needs an input and an output file");
    return 0;
}

/* Writing OUT while IN is mapped would truncate the bytes being read. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Copies every edge of f to w; returns 0 or -errno with the message in err. */
static int copy_edges(const gy_edges_t *f, gy_edges_writer_t *w, struct gy_edge *buf,
                      struct gy_edges_bad *bad, char *err, size_t errlen)
{
    struct gy_edges_cursor c;
    size_t n;
    int rc;

    gy_edges_cursor_init(&c, f, gy_edges_all(f), 0);
    while ((rc = gy_edges_next(&c, buf, NULL, CHUNK, &n, err, errlen)) == 0 && n > 0) {
        rc = gy_edges_writer_put(w, buf, n, err, errlen);
        if (rc != 0)
            return rc;
    }
    *bad = c.bad;
    return rc;
}

/*
 * The optional fields OUT must store. A text edge list reports that it may
 * delete (any line may start with "-"); when no line does, dropping the sign
 * column saves a third of every binary record, at the price of one extra
 * parse. A bad line is left for copy_edges to report.
 */
static unsigned needed_fields(const gy_edges_t *f, struct gy_edge *buf)
{
    unsigned fields = gy_edges_fields(f);
    struct gy_edges_cursor c;
    size_t n;

    if (!(fields & GY_EDGES_HAS_SIGN) || gy_edges_format(f) == GY_EDGES_BIN)
        return fields;
    gy_edges_cursor_init(&c, f, gy_edges_all(f), 0);
    while (gy_edges_next(&c, buf, NULL, CHUNK, &n, NULL, 0) == 0 && n > 0)
        for (size_t k = 0; k < n; k++)
            if (buf[k].sign != 1)
                return fields;
    return fields & ~GY_EDGES_HAS_SIGN;
}

static int convert_run(const struct convert_args *a)
{
    char err[GY_EDGES_ERRLEN] = "";
    gy_edges_writer_t *w = NULL;
    gy_edges_t *f = NULL;
    struct gy_edge *buf = NULL;
    struct gy_edges_bad bad = {0};
    gy_edges_format_t fmt;

    if (same_file(a->in, a->out))
        return runtime_error("convert", "IN and OUT are the same file");
    if (gy_edges_open(strcmp(a->in, "-") == 0 ? "/dev/stdin" : a->in, &a->opts, &f, err,
                      sizeof(err)) != 0)
        goto fail_open;
    buf = gy_malloc(CHUNK * sizeof(*buf));
    if (buf == NULL)
        goto fail_buf;
    fmt = has_suffix(a->out, ".txt") || has_suffix(a->out, ".txt.gz") ? GY_EDGES_TEXT
                                                                        : GY_EDGES_BIN;
    if (gy_edges_writer_open(a->out, fmt, needed_fields(f, buf), &w, err, sizeof(err)) != 0)
        goto fail_writer;
    if (copy_edges(f, w, buf, &bad, err, sizeof(err)) != 0)
        goto fail_copy;
    if (gy_edges_writer_close(w, err, sizeof(err)) != 0)
        goto fail_writer;
    if (bad.count > 0) {
        gy_edges_bad_format(&bad, a->in, err, sizeof(err));
        fprintf(stderr, "%s\n", err);
    }
    gy_free(buf);
    gy_edges_close(f);
    return 0;

fail_copy:
    gy_edges_writer_abort(w);
fail_writer:
    gy_free(buf);
fail_buf:
    gy_edges_close(f);
fail_open:
    /* Every failure above but gy_malloc's names its file in err. */
    return err[0] ? file_error(err) : runtime_error("convert", "out of memory");
}

int gy_cli_convert(int argc, char **argv)
{
    struct convert_args a;
    int rc = convert_parse(argc, argv, &a);

    if (rc < 0) {
        fputs(convert_help, stdout);
        return 0;
    }
    return rc != 0 ? rc : convert_run(&a);
}

/* ---- gen ----------------------------------------------------------------- */

struct gen_args {
    const char *pos[3];  /* positional arguments after the command */
    int npos;
    const char *edgefactor, *seed, *output;
    bool no_scramble;
};

static int gen_option(int argc, char **argv, int *i, struct gen_args *a)
{
    static const char *const names[] = {"--edgefactor", "--seed", "--output", "-o"};
    const char **slots[] = {&a->edgefactor, &a->seed, &a->output, &a->output};

    if (strcmp(argv[*i], "--no-scramble") == 0) {
        a->no_scramble = true;
        return 0;
    }
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        int m = take_value(argc, argv, i, names[k], slots[k]);
        if (m < 0)
            return usage_error("gen", "%s needs a value", names[k]);
        if (m > 0)
            return 0;
    }
    return usage_error("gen", "unknown option '%s'", argv[*i]);
}

static int gen_parse(int argc, char **argv, struct gen_args *a)
{
    int rc;

    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if ((rc = gen_option(argc, argv, &i, a)) != 0)
                return rc;
        } else if (a->npos < 3) {
            a->pos[a->npos++] = argv[i];
        } else {
            return usage_error("gen", "unexpected argument '%s'", argv[i]);
        }
    }
    if (a->npos == 0)
        return usage_error("gen", "needs a generator: rmat SCALE, er N M or a SPEC");
    return 0;
}

/* Checks that s is a plain number; names what it is otherwise. */
static int number_arg(const char *what, const char *s)
{
    uint64_t x;

    if (s != NULL && !gy_cli_parse_u64(s, &x))
        return usage_error("gen", "%s '%s' is not a non-negative decimal number", what, s);
    return 0;
}

/* Builds the "rmat:..." / "er:..." text for the positional form. */
static int gen_spec_text(const struct gen_args *a, char *spec, size_t len)
{
    const char *seed = a->seed ? a->seed : "1";
    bool rmat = strcmp(a->pos[0], "rmat") == 0;

    if (!rmat && strcmp(a->pos[0], "er") != 0)
        return usage_error("gen", "unknown generator '%s' (rmat or er)", a->pos[0]);
    if (a->npos != (rmat ? 2 : 3))
        return usage_error("gen", "%s", rmat ? "rmat takes one number, SCALE"
                                               : "er takes two numbers, N and M");
    if (!rmat && a->edgefactor)
        return usage_error("gen", "--edgefactor applies to rmat only");
    if (number_arg(rmat ? "SCALE" : "N", a->pos[1]) || number_arg("M", a->pos[2]) ||
        number_arg("--edgefactor", a->edgefactor) || number_arg("--seed", a->seed))
        return GY_EXIT_USAGE;
    if (rmat)
        snprintf(spec, len, "rmat:%s:%s:%s", a->pos[1], a->edgefactor ? a->edgefactor : "16",
                 seed);
    else
        snprintf(spec, len, "er:%s:%s:%s", a->pos[1], a->pos[2], seed);
    return 0;
}

static int gen_resolve(const struct gen_args *a, struct gy_gen_spec *spec)
{
    char text[256], err[256];
    int rc;

    if (strchr(a->pos[0], ':') != NULL) {
        if (a->npos > 1 || a->edgefactor || a->seed)
            return usage_error("gen", "a SPEC takes no further arguments or --edgefactor/--seed");
        snprintf(text, sizeof(text), "%s", a->pos[0]);
    } else if ((rc = gen_spec_text(a, text, sizeof(text))) != 0) {
        return rc;
    }
    if (gy_gen_parse_spec(text, spec, err, sizeof(err)) != 0)
        return usage_error("gen", "%s", err);
    if (a->no_scramble && spec->kind != GY_GEN_RMAT)
        return usage_error("gen", "--no-scramble applies to rmat only");
    spec->scramble = spec->scramble && !a->no_scramble;
    return 0;
}

/* Text to stdout, formatted by the writer's own line formatter: printf
 * would dominate the run time. */
static int gen_stdout(const struct gy_gen_spec *spec, struct gy_edge *buf)
{
    char *out = gy_malloc((size_t)CHUNK * GY_EDGES_TEXT_LINE_MAX);
    uint64_t m = gy_gen_count(spec);
    int rc = 0;

    if (out == NULL)
        return runtime_error("gen", "out of memory");

    for (uint64_t first = 0; first < m; first += CHUNK) {
        size_t n = m - first < CHUNK ? (size_t)(m - first) : CHUNK;
        char *p = out;
        if (gy_gen_range(spec, first, n, buf) != 0)
            abort(); /* first + n <= m by construction */
        for (size_t k = 0; k < n; k++)
            p += gy_edges_text_line(&buf[k], 0, p);
        if (fwrite(out, 1, (size_t)(p - out), stdout) != (size_t)(p - out))
            break;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = runtime_error("gen", strerror(errno ? errno : EIO));
    gy_free(out);
    return rc;
}

static int gen_file(const struct gy_gen_spec *spec, struct gy_edge *buf, const char *path)
{
    char err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;
    uint64_t m = gy_gen_count(spec);

    if (gy_edges_writer_open(path, GY_EDGES_AUTO, 0, &w, err, sizeof(err)) != 0)
        return file_error(err);
    for (uint64_t first = 0; first < m; first += CHUNK) {
        size_t n = m - first < CHUNK ? (size_t)(m - first) : CHUNK;
        if (gy_gen_range(spec, first, n, buf) != 0)
            abort(); /* first + n <= m by construction */
        if (gy_edges_writer_put(w, buf, n, err, sizeof(err)) != 0) {
            gy_edges_writer_abort(w);
            return file_error(err);
        }
    }
    if (gy_edges_writer_close(w, err, sizeof(err)) != 0)
        return file_error(err);
    return 0;
}

int gy_cli_gen(int argc, char **argv)
{
    struct gen_args a;
    struct gy_gen_spec spec;
    struct gy_edge *buf;
    int rc = gen_parse(argc, argv, &a);

    if (rc < 0) {
        fputs(gen_help, stdout);
        return 0;
    }
    if (rc != 0 || (rc = gen_resolve(&a, &spec)) != 0)
        return rc;
    buf = gy_malloc(CHUNK * sizeof(*buf));
    if (buf == NULL)
        return runtime_error("gen", "out of memory");
    rc = a.output && strcmp(a.output, "-") != 0 ? gen_file(&spec, buf, a.output)
                                                : gen_stdout(&spec, buf);
    gy_free(buf);
    return rc;
}
