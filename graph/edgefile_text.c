/*
 * Text edge lists: one edge per line, "u v", an optional leading "+"/"-"
 * token (insert/delete), optional further numeric columns of which one may
 * be the time (opts.time_column) and one the sign (opts.sign_column).
 * Comments start with '#' or '%', blank lines are skipped, separators are
 * runs of space, tab, comma and CR. docs/formats.md has the full grammar.
 *
 * Two paths. The fast one (gy__text_next) takes the lines of an ordinary
 * edge list, "u<separators>v[CR]LF" with ids of up to 15 digits, read
 * without a sign column (and, read with time_column 3, "u v t" lines whose
 * time has no sign and up to 15 digits): each number is read eight bytes at
 * a time (SWAR: a mask finds the first non-digit, three multiplies turn up
 * to eight digits into a number), with no per-line call and no branch per
 * digit.
 * Every other line (comments, blank lines, signs, extra columns, long ids,
 * errors, the last bytes of the file) goes through the general parser
 * (text_line, via gy__lines_next), which defines what every line means; the
 * fast path only ever accepts lines the general one reads the same way.
 */
#include <string.h>

#include "graph/edgefile_internal.h"

/* Why a text line is bad (struct gy__problem.why). */
enum {
    T_IDS = 1,      /* fewer than 2 vertex ids */
    T_ID_BAD,       /* an id that is not a decimal number */
    T_ID_NEG,       /* a negative id */
    T_ID_RANGE,     /* an id above UINT64_MAX */
    T_TIME_BAD,     /* the time column is not an integer */
    T_TIME_RANGE,   /* the time column does not fit int64 */
    T_SIGN_BAD,     /* the sign column is not +1 / -1 */
    T_NOT_NUM,      /* an ignored column that is not a number */
    T_TIME_MISSING, /* the line has no time column */
    T_SIGN_MISSING, /* the line has no sign column */
    T_SIGN_TWICE,   /* a "+"/"-" token on a file read with a sign column */
};

static const unsigned char *id_field(const unsigned char *p, const unsigned char *end, uint64_t *v,
                                     struct gy__problem *pb)
{
    enum gy__num st;
    const unsigned char *e = gy__scan_u64(p, end, v, &st);

    if (GY_LIKELY(st == GY__NUM_OK))
        return e;
    pb->why = st == GY__NUM_NEG ? T_ID_NEG : st == GY__NUM_RANGE ? T_ID_RANGE : T_ID_BAD;
    pb->tok = p;
    pb->len = (size_t)(e - p);
    return NULL;
}

/* Parses "[+|-] u v" from p (a line's first field); returns the position
 * after v and its separators, or NULL. *token tells if a +/- token led. */
static const unsigned char *line_ids(const unsigned char *p, const unsigned char *end,
                                     struct gy_edge *e, bool *token, struct gy__problem *pb)
{
    unsigned found = 0;

    e->sign = 1;
    *token = (*p == '+' || *p == '-') && (p + 1 == end || gy__is_term(p[1]));
    if (*token) {
        e->sign = *p == '-' ? -1 : 1;
        p = gy__skip_seps(p + 1, end);
    }
    if (!gy__at_eol(p, end)) {
        p = id_field(p, end, &e->u, pb);
        if (!p)
            return NULL;
        p = gy__skip_seps(p, end);
        found = 1;
    }
    if (found && !gy__at_eol(p, end)) {
        p = id_field(p, end, &e->v, pb);
        return p ? gy__skip_seps(p, end) : NULL;
    }
    pb->why = T_IDS;
    pb->found = found;
    pb->tok = NULL;
    return NULL;
}

static const unsigned char *sign_field(const unsigned char *p, const unsigned char *t,
                                       struct gy_edge *e, struct gy__problem *pb)
{
    size_t len = (size_t)(t - p);

    if ((len == 1 && p[0] == '1') || (len == 2 && p[0] == '+' && p[1] == '1'))
        e->sign = 1;
    else if (len == 2 && p[0] == '-' && p[1] == '1')
        e->sign = -1;
    else {
        pb->why = T_SIGN_BAD;
        return NULL;
    }
    return t;
}

/* Column col (>= 3) at p: the time, the sign, or a number to ignore. */
static const unsigned char *extra_field(const struct gy_edges_opts *o, unsigned col,
                                        const unsigned char *p, const unsigned char *end,
                                        struct gy_edge *e, struct gy__problem *pb)
{
    const unsigned char *t;
    enum gy__num st;

    if (col == o->time_column) {
        t = gy__scan_i64(p, end, &e->time, &st);
        if (st == GY__NUM_OK)
            return t;
        pb->why = st == GY__NUM_RANGE ? T_TIME_RANGE : T_TIME_BAD;
        return NULL;
    }
    t = gy__token_end(p, end);
    if (col == o->sign_column)
        return sign_field(p, t, e, pb);
    if (gy__is_number(p, t))
        return t;
    pb->why = T_NOT_NUM;
    return NULL;
}

static const unsigned char *line_extra(const struct gy_edges_opts *o, const unsigned char *p,
                                       const unsigned char *end, struct gy_edge *e,
                                       struct gy__problem *pb)
{
    unsigned col;

    for (col = 3; !gy__at_eol(p, end); col++) {
        const unsigned char *s = p;
        p = extra_field(o, col, p, end, e, pb);
        if (!p) {
            pb->column = col;
            pb->tok = s;
            pb->len = (size_t)(gy__token_end(s, end) - s);
            return NULL;
        }
        p = gy__skip_seps(p, end);
    }
    pb->found = col - 1;
    pb->tok = NULL;
    if (o->time_column >= col || o->sign_column >= col) {
        pb->why = o->time_column >= col ? T_TIME_MISSING : T_SIGN_MISSING;
        pb->column = o->time_column >= col ? o->time_column : o->sign_column;
        return NULL;
    }
    return p;
}

/* Parses the edge line whose first field is at p; returns its end. */
static const unsigned char *text_line(const struct gy_edges *f, const unsigned char *p,
                                      const unsigned char *end, struct gy_edge *e,
                                      struct gy__problem *pb)
{
    const struct gy_edges_opts *o = &f->opts;
    bool token;

    p = line_ids(p, end, e, &token, pb);
    if (GY_UNLIKELY(!p))
        return NULL;
    e->time = 0;
    if (GY_LIKELY(gy__at_eol(p, end) && o->time_column == 0 && o->sign_column == 0))
        return p;
    if (token && o->sign_column != 0) {
        pb->why = T_SIGN_TWICE;
        pb->column = o->sign_column;
        pb->tok = NULL;
        return NULL;
    }
    return line_extra(o, p, end, e, pb);
}

static GY_NOINLINE void text_message(const struct gy_edges *f, uint64_t line,
                                     const struct gy__problem *pb, char *err, size_t errlen)
{
    char q[200];
    const char *t = pb->tok ? gy__quote(pb->tok, pb->len, q, sizeof q) : "";
    const char *p = f->path;
    unsigned c = pb->column;

    switch (pb->why) {
    case T_IDS:
        gy__errf(err, errlen, p, line, "expected 2 vertex ids, found %u", pb->found);
        break;
    case T_ID_BAD:
        gy__errf(err, errlen, p, line, "bad vertex id '%s'", t);
        break;
    case T_ID_NEG:
        gy__errf(err, errlen, p, line, "vertex id %s is negative", t);
        break;
    case T_ID_RANGE:
        gy__errf(err, errlen, p, line, "vertex id %s out of range", t);
        break;
    case T_TIME_BAD:
        gy__errf(err, errlen, p, line, "bad time '%s' in column %u", t, c);
        break;
    case T_TIME_RANGE:
        gy__errf(err, errlen, p, line, "time %s in column %u out of range", t, c);
        break;
    case T_SIGN_BAD:
        gy__errf(err, errlen, p, line, "bad sign '%s' in column %u: expected +1 or -1", t, c);
        break;
    case T_NOT_NUM:
        gy__errf(err, errlen, p, line, "column %u is not a number: '%s'", c, t);
        break;
    case T_TIME_MISSING:
    case T_SIGN_MISSING:
        gy__errf(err, errlen, p, line, "expected a %s in column %u, found %u columns",
                 pb->why == T_TIME_MISSING ? "time" : "sign", c, pb->found);
        break;
    default:
        gy__errf(err, errlen, p, line, "a leading + or - and a sign column (%u) on one line", c);
    }
}

const struct gy__syntax gy__text_syntax = {text_line, text_message};

/* ---- the fast path ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TEXT_FAST 1
#else
#define TEXT_FAST 0 /* the SWAR digit tricks below assume little-endian loads */
#endif

/* Bytes a fast line may read from its start: a 15-digit id and its
 * terminator need 16, twice, plus the separators between them (the loop
 * bounds those by FAST_MARGIN itself). */
#define FAST_MARGIN 64

#define ONES 0x0101010101010101ULL

static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t x;

    memcpy(&x, p, sizeof x);
    return x;
}

/* The high bit of each byte of x that is not an ASCII digit. Exact up to
 * and including the first such byte: the add and the subtract carry or
 * borrow only from a non-digit byte into the bytes after it. */
static inline uint64_t nondigits(uint64_t x)
{
    return (x | (x + ONES * (0x80 - ':')) | (x - ONES * '0')) & (ONES * 0x80);
}

/* The value of the k (1..8) digits in the low bytes of x (the first digit
 * in byte 0): shift them to the top, then combine pairs, quads, octets. */
static inline uint64_t digits_value(uint64_t x, unsigned k)
{
    uint64_t v = (x - ONES * '0') << (64 - 8 * k);

    v = v * 10 + (v >> 8);
    return ((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32)) +
            ((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32))) >> 32;
}

/* An id of 1 to 15 digits at p (p + 16 readable): its end, or NULL when the
 * field is no such id (the general path then decides what it is). */
static inline const unsigned char *fast_id(const unsigned char *p, uint64_t *out)
{
    static const uint64_t pow10[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    uint64_t x = load_le64(p), nd = nondigits(x), y;
    unsigned k;

    if (GY_LIKELY(nd != 0)) {
        k = (unsigned)__builtin_ctzll(nd) >> 3;
        if (k == 0)
            return NULL;
        *out = digits_value(x, k);
        return p + k;
    }
    y = load_le64(p + 8);
    nd = nondigits(y);
    if (nd == 0)
        return NULL; /* 16 digits or more */
    k = (unsigned)__builtin_ctzll(nd) >> 3;
    *out = digits_value(x, 8) * pow10[k] + (k ? digits_value(y, k) : 0);
    return p + 8 + k;
}

/* The next field after the end q of one: the position after a run of
 * separators, or NULL if there is none or it reaches lim. */
static inline const unsigned char *fast_next(const unsigned char *q, const unsigned char *lim)
{
    if (!q || !gy__is_sep(*q))
        return NULL;
    do
        q++;
    while (q < lim && gy__is_sep(*q));
    return q < lim ? q : NULL;
}

/* A plain line at p, "u v" or, timed, "u v t" with a time of up to 15
 * digits and no sign: returns the next line's start, or NULL. Nothing at or
 * past lim is looked at beyond a word load; lim + FAST_MARGIN is readable. */
static inline const unsigned char *fast_line(const unsigned char *p, const unsigned char *lim,
                                             bool timed, struct gy_edge *e)
{
    const unsigned char *q = fast_next(fast_id(p, &e->u), lim);
    uint64_t t = 0;

    if (!q || !(q = fast_id(q, &e->v)))
        return NULL;
    if (timed && (!(q = fast_next(q, lim)) || !(q = fast_id(q, &t))))
        return NULL;
    e->time = (int64_t)t;
    if (*q == '\n')
        return q + 1;
    return *q == '\r' && q[1] == '\n' ? q + 2 : NULL;
}

/* Parses plain lines from c->pos until cap, the range's end, lim, or a line
 * that needs the general path; returns how many. Inlined with timed a
 * constant, so each kind of file gets its own loop. */
static inline size_t fast_run(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines,
                              size_t cap, const unsigned char *lim, bool timed)
{
    const unsigned char *base = c->file->data, *p = base + c->pos, *q, *end = base + c->end;
    const unsigned char *stop = end < lim ? end : lim;
    uint64_t line = c->first_line + c->lines_done;
    size_t k = 0;

    for (; k < cap && p < stop; k++, p = q) {
        q = fast_line(p, lim, timed, &out[k]);
        if (GY_UNLIKELY(!q || q > end))
            break; /* (a range that ends inside a line ends that line) */
        out[k].sign = 1;
        out[k].line = gy__line32(line + k);
        if (lines)
            lines[k] = line + k;
    }
    c->pos = (size_t)(p - base);
    c->lines_done += k;
    c->edge_lines += k;
    return k;
}

int gy__text_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines, size_t cap,
                  size_t *n, char *err, size_t errlen)
{
    const struct gy_edges *f = c->file;
    const unsigned char *lim = f->data + (f->size > FAST_MARGIN ? f->size - FAST_MARGIN : 0);
    size_t k = 0, got;
    int rc = 0;

    if (!TEXT_FAST || f->opts.time_column > 3 || f->opts.sign_column != 0)
        return gy__lines_next(c, &gy__text_syntax, out, lines, cap, n, err, errlen);
    while (k < cap) {
        if (f->opts.time_column == 3)
            k += fast_run(c, out + k, lines ? lines + k : NULL, cap - k, lim, true);
        else
            k += fast_run(c, out + k, lines ? lines + k : NULL, cap - k, lim, false);
        if (k == cap || c->pos >= c->end)
            break;
        /* One edge the general way (it also steps over comments and blank
         * lines before it), then back to the fast loop. */
        rc = gy__lines_next(c, &gy__text_syntax, out + k, lines ? lines + k : NULL, 1, &got, err,
                            errlen);
        k += got;
        if (rc != 0 || got == 0)
            break;
    }
    *n = k;
    return rc;
}
