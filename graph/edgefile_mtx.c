/*
 * Matrix Market coordinate files: the banner
 * "%%MatrixMarket matrix coordinate (pattern|real|integer) (general|symmetric)",
 * '%' comment lines, the size line "rows cols nnz", then nnz entry lines
 * "i j [value]" with 1-based indices. Entry (i, j) becomes edge u = i, v = j
 * (ids stay 1-based, as the file wrote them); a symmetric file stores each
 * edge once, and so the edge stream does too. Values are checked and
 * ignored, or become gy_edge.time when opts.time_column is 3.
 *
 * The entry count is checked at open by a quick scan of the whole file, so
 * that each range parses on its own and no worker needs another's count.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "graph/edgefile_internal.h"

/* Why an entry line is bad (struct gy__problem.why). */
enum {
    M_FIELDS = 1, /* wrong number of fields */
    M_ROW_BAD,    /* row index not a number */
    M_ROW_RANGE,  /* row index outside 1..rows */
    M_COL_BAD,    /* column index not a number */
    M_COL_RANGE,  /* column index outside 1..cols */
    M_VAL_BAD,    /* value is not a real / an integer */
    M_TIME_BAD,   /* value used as time is not an integer */
    M_TIME_RANGE, /* value used as time does not fit int64 */
};

static const char banner_need[] = "matrix coordinate pattern|real|integer general|symmetric";

static bool tok_is(const unsigned char *p, const unsigned char *e, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(e - p) == n && strncasecmp((const char *)p, word, n) == 0;
}

/* Checks banner word k (1..4) against what gyre reads. */
static bool banner_word(struct gy_edges *f, int k, const unsigned char *p, const unsigned char *e)
{
    switch (k) {
    case 1:
        return tok_is(p, e, "matrix");
    case 2:
        return tok_is(p, e, "coordinate");
    case 3:
        f->mtx.field = tok_is(p, e, "real") ? GY__MTX_REAL
                       : tok_is(p, e, "integer") ? GY__MTX_INTEGER : GY__MTX_PATTERN;
        return tok_is(p, e, "pattern") || tok_is(p, e, "real") || tok_is(p, e, "integer");
    default:
        return tok_is(p, e, "general") || tok_is(p, e, "symmetric");
    }
}

/* Reads line 1; *pp moves to the start of line 2. */
static int mtx_banner(struct gy_edges *f, const unsigned char **pp, char *err, size_t errlen)
{
    const unsigned char *p = *pp, *end = f->data + f->size, *t;
    char q[200];
    int k;

    t = gy__token_end(p, end);
    if (!tok_is(p, t, "%%MatrixMarket")) {
        gy__errf(err, errlen, f->path, 1, "missing %%%%MatrixMarket banner");
        return -EINVAL;
    }
    for (k = 1, p = gy__skip_seps(t, end); k <= 4; k++, p = gy__skip_seps(t, end)) {
        t = gy__token_end(p, end);
        if (p == t || !banner_word(f, k, p, t))
            break;
    }
    if (k <= 4 || !gy__at_eol(p, end)) {
        t = gy__token_end(p, end);
        gy__errf(err, errlen, f->path, 1, "unsupported Matrix Market banner at '%s': gyre reads '%s'",
                 p == t ? "(end of line)" : gy__quote(p, (size_t)(t - p), q, sizeof q), banner_need);
        return -EINVAL;
    }
    *pp = p < end ? p + 1 : p;
    return 0;
}

/* The number of the file's last line (a final newline ends it, it does not
 * start another). For messages about a missing end. */
static uint64_t last_line(const struct gy_edges *f)
{
    return gy__line_at(f, f->size) - (f->size > 0 && f->data[f->size - 1] == '\n');
}

/* Skips comments after the banner and reads "rows cols nnz". */
static int mtx_size(struct gy_edges *f, const unsigned char **pp, char *err, size_t errlen)
{
    const unsigned char *p = *pp, *end = f->data + f->size, *nl;
    uint64_t line = 2, *dims[3] = {&f->mtx.rows, &f->mtx.cols, &f->mtx.nnz};
    enum gy__num st = GY__NUM_OK;

    for (p = gy__skip_seps(p, end); p < end && gy__skippable(p, end); p = gy__skip_seps(p, end)) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        p = nl + 1;
        line++;
    }
    if (gy__skippable(p, end)) {
        gy__errf(err, errlen, f->path, last_line(f), "missing size line 'rows cols nnz'");
        return -EINVAL;
    }
    for (int k = 0; k < 3 && st == GY__NUM_OK; k++) {
        st = gy__at_eol(p, end) ? GY__NUM_BAD : GY__NUM_OK;
        if (st == GY__NUM_OK)
            p = gy__skip_seps(gy__scan_u64(p, end, dims[k], &st), end);
    }
    if (st != GY__NUM_OK || !gy__at_eol(p, end)) {
        gy__errf(err, errlen, f->path, line, "bad size line: expected 'rows cols nnz'");
        return -EINVAL;
    }
    f->mtx.size_line = line;
    *pp = p < end ? p + 1 : p;
    return 0;
}

/* Compares the number of entry lines with the size line's nnz: a fast
 * count first; only a mismatch walks the lines to name the one at fault. */
static int mtx_count(struct gy_edges *f, char *err, size_t errlen)
{
    const unsigned char *p = f->data + f->begin, *end = f->data + f->size, *q;
    uint64_t n = 0, line = f->mtx.size_line + 1, newlines = 0;

    if (gy__count_text(f, f->begin, f->size, &newlines) == f->mtx.nnz)
        return 0;
    while (p < end) {
        q = gy__skip_seps(p, end);
        if (!gy__skippable(q, end) && ++n > f->mtx.nnz) {
            gy__errf(err, errlen, f->path, line, "more entries than the %llu declared on line %llu",
                     (unsigned long long)f->mtx.nnz, (unsigned long long)f->mtx.size_line);
            return -EINVAL;
        }
        q = memchr(q, '\n', (size_t)(end - q));
        if (!q)
            break;
        p = q + 1;
        line++;
    }
    if (n == f->mtx.nnz)
        return 0;
    gy__errf(err, errlen, f->path, last_line(f), "file ends after %llu of the %llu entries declared on line %llu",
             (unsigned long long)n, (unsigned long long)f->mtx.nnz,
             (unsigned long long)f->mtx.size_line);
    return -EINVAL;
}

int gy__mtx_open(struct gy_edges *f, char *err, size_t errlen)
{
    const unsigned char *p = f->data;
    int rc;

    rc = mtx_banner(f, &p, err, errlen);
    if (rc == 0)
        rc = mtx_size(f, &p, err, errlen);
    if (rc != 0)
        return rc;
    f->begin = (size_t)(p - f->data);
    if (f->opts.time_column != 0 && (f->opts.time_column != 3 || f->mtx.field == GY__MTX_PATTERN)) {
        gy__errf(err, errlen, f->path, 1, "time column %u: this Matrix Market file has %s",
                 f->opts.time_column,
                 f->mtx.field == GY__MTX_PATTERN ? "no value column" : "its value in column 3");
        return -EINVAL;
    }
    return mtx_count(f, err, errlen);
}

static const unsigned char *mtx_index(const unsigned char *p, const unsigned char *end,
                                      uint64_t max, uint64_t *v, int why_bad,
                                      struct gy__problem *pb)
{
    enum gy__num st;
    const unsigned char *e = gy__scan_u64(p, end, v, &st);

    if (GY_LIKELY(st == GY__NUM_OK && *v >= 1 && *v <= max))
        return e;
    pb->why = st == GY__NUM_BAD ? why_bad : why_bad + 1; /* the _RANGE code follows _BAD */
    pb->tok = p;
    pb->len = (size_t)(e - p);
    return NULL;
}

static const unsigned char *mtx_value(const struct gy_edges *f, const unsigned char *p,
                                      const unsigned char *end, struct gy_edge *e,
                                      struct gy__problem *pb)
{
    const unsigned char *t = gy__token_end(p, end);
    enum gy__num st;

    pb->tok = p;
    pb->len = (size_t)(t - p);
    if (f->mtx.field == GY__MTX_INTEGER ? !gy__is_integer(p, t) : !gy__is_number(p, t)) {
        pb->why = M_VAL_BAD;
        return NULL;
    }
    if (f->opts.time_column != 3)
        return t;
    t = gy__scan_i64(p, end, &e->time, &st);
    if (st == GY__NUM_OK)
        return t;
    pb->why = st == GY__NUM_RANGE ? M_TIME_RANGE : M_TIME_BAD;
    return NULL;
}

static const unsigned char *fields_problem(const unsigned char *s, const unsigned char *end,
                                           struct gy__problem *pb)
{
    pb->why = M_FIELDS;
    pb->found = gy__count_fields(s, end);
    pb->tok = NULL;
    return NULL;
}

static const unsigned char *mtx_line(const struct gy_edges *f, const unsigned char *p,
                                     const unsigned char *end, struct gy_edge *e,
                                     struct gy__problem *pb)
{
    const unsigned char *s = p;

    e->time = 0;
    e->sign = 1;
    p = mtx_index(p, end, f->mtx.rows, &e->u, M_ROW_BAD, pb);
    if (!p)
        return NULL;
    p = gy__skip_seps(p, end);
    if (gy__at_eol(p, end))
        return fields_problem(s, end, pb);
    p = mtx_index(p, end, f->mtx.cols, &e->v, M_COL_BAD, pb);
    if (!p)
        return NULL;
    p = gy__skip_seps(p, end);
    if (f->mtx.field != GY__MTX_PATTERN) {
        if (gy__at_eol(p, end))
            return fields_problem(s, end, pb);
        p = mtx_value(f, p, end, e, pb);
        if (!p)
            return NULL;
        p = gy__skip_seps(p, end);
    }
    return gy__at_eol(p, end) ? p : fields_problem(s, end, pb);
}

static void mtx_message(const struct gy_edges *f, uint64_t line, const struct gy__problem *pb,
                        char *err, size_t errlen)
{
    char q[200];
    const char *t = pb->tok ? gy__quote(pb->tok, pb->len, q, sizeof q) : "";
    const char *p = f->path;
    bool pattern = f->mtx.field == GY__MTX_PATTERN;
    unsigned long long rows = f->mtx.rows, cols = f->mtx.cols;

    switch (pb->why) {
    case M_FIELDS:
        gy__errf(err, errlen, p, line, "expected %d fields (row col%s), found %u", pattern ? 2 : 3,
                 pattern ? "" : " value", pb->found);
        break;
    case M_ROW_BAD:
    case M_COL_BAD:
        gy__errf(err, errlen, p, line, "bad %s index '%s'", pb->why == M_ROW_BAD ? "row" : "column",
                 t);
        break;
    case M_ROW_RANGE:
    case M_COL_RANGE:
        gy__errf(err, errlen, p, line, "%s index %s out of range 1..%llu",
                 pb->why == M_ROW_RANGE ? "row" : "column", t, pb->why == M_ROW_RANGE ? rows : cols);
        break;
    case M_VAL_BAD:
        gy__errf(err, errlen, p, line, "bad %s value '%s'",
                 f->mtx.field == GY__MTX_INTEGER ? "integer" : "real", t);
        break;
    case M_TIME_BAD:
        gy__errf(err, errlen, p, line, "value '%s' is not an integer time", t);
        break;
    default:
        gy__errf(err, errlen, p, line, "time value %s out of range", t);
    }
}

const struct gy__syntax gy__mtx_syntax = {mtx_line, mtx_message};
