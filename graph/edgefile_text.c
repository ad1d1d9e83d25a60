/*
 * Text edge lists: one edge per line, "u v", an optional leading "+"/"-"
 * token (insert/delete), optional further numeric columns of which one may
 * be the time (opts.time_column) and one the sign (opts.sign_column).
 * Comments start with '#' or '%', blank lines are skipped, separators are
 * runs of space, tab, comma and CR. docs/formats.md has the full grammar.
 *
 * The hot path per line is: skip separators, two digit loops, one check for
 * the line's end. Everything unusual (extra columns, errors) is off that path.
 */
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
    e->line = 0;
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
