/*
 * Independent oracle tests for progress tracking: progress/topology.c (path
 * summaries) and progress/tracker.c (frontiers).
 *
 * Hundreds of seeded random dataflow graphs with nested loops are built; a few
 * random batches of pointstamp changes go through a tracker, and after each
 * batch every input port's frontier is compared with a brute-force oracle that
 * shares no code with the tracker. The oracle walks (location, timestamp)
 * states by single hops: an edge (identity), or one operator's own step, which
 * it applies itself (identity, +1 epoch, +1 iteration, enter = append 0,
 * leave = drop the innermost coordinate, feedback = +n on it) instead of
 * calling gy_summary_apply or gy_summary_compose.
 *
 * Hand-written cases check what random cases cannot: under a well-behaved
 * protocol frontiers never move backward, a negative pointstamp count is
 * reported as -EPROTO with a message, and a loop that does not advance time
 * is rejected with its operators named.
 *
 * A failing random case prints its seed and the batch; the seeds are the case
 * numbers, so a failure reproduces by itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/antichain.h"
#include "progress/summary.h"
#include "progress/time.h"
#include "progress/topology.h"
#include "progress/tracker.h"
#include "tests/support/rng.h"

/* 2000 graphs take about 0.2 s in release and 2 s under ASan (the oracle is
 * cheap), far inside the budget, and reach every operator kind at every depth. */
#define RANDOM_CASES   2000
#define MONOTONE_CASES 500

#define MAX_OPS    48   /* the generator aims at 30; open loops add a few */
#define MAX_PORTS  2
#define MAX_LOCS   (MAX_OPS * 2 * MAX_PORTS)
#define MAX_EDGES  (MAX_OPS * MAX_PORTS * 2)
#define MAX_SCOPES 32
#define MAX_LIVE   512
#define MAX_UPD    64
#define OSET_CAP   256  /* minimal times at one location; asserted, never hit */
#define OT_COORDS  (GY_MAX_DEPTH + 1)

/* Coordinates never get near this in a correct run: the oracle stops with a
 * failure instead of looping if a cycle that does not advance slipped in. */
#define COORD_GUARD 100000u

/* ---- the oracle's own timestamps: c[0] is the epoch, c[1..depth] the loops ---- */

struct otime {
    uint32_t depth;
    uint64_t c[OT_COORDS];
};

static bool ot_le(const struct otime *a, const struct otime *b)
{
    for (uint32_t j = 0; j <= a->depth; j++)
        if (a->c[j] > b->c[j])
            return false;
    return true;
}

static bool ot_eq(const struct otime *a, const struct otime *b)
{
    return a->depth == b->depth && ot_le(a, b) && ot_le(b, a);
}

static struct otime ot_from_gy(const struct gy_time *t)
{
    struct otime o = {.depth = t->depth};
    for (uint32_t j = 0; j <= t->depth; j++)
        o.c[j] = gy_time_coord(t, j);
    return o;
}

static struct gy_time ot_to_gy(const struct otime *o)
{
    struct gy_time t = gy_time_zero(o->depth);
    t.epoch = o->c[0];
    for (uint32_t j = 1; j <= o->depth; j++)
        t.iter[j - 1] = (uint32_t)o->c[j];
    return t;
}

static int ot_format(const struct otime *t, char *buf, size_t size)
{
    int n = snprintf(buf, size, "(%llu", (unsigned long long)t->c[0]);
    for (uint32_t j = 1; j <= t->depth && n >= 0 && (size_t)n < size; j++)
        n += snprintf(buf + n, size - (size_t)n, ", %llu", (unsigned long long)t->c[j]);
    if (n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ")");
    return n;
}

static struct otime random_time(uint64_t *r, uint32_t depth, uint32_t below)
{
    struct otime t = {.depth = depth};
    for (uint32_t j = 0; j <= depth; j++)
        t.c[j] = ts_rng_below(r, below);
    return t;
}

/* t plus 0..2 on one random coordinate: a time >= t. */
static struct otime ot_bump(uint64_t *r, const struct otime *t)
{
    struct otime u = *t;
    u.c[ts_rng_below(r, t->depth + 1)] += ts_rng_below(r, 3);
    return u;
}

/* ---- antichains of otimes ---- */

struct oset {
    uint32_t len;
    struct otime t[OSET_CAP];
};

static bool oset_contains(const struct oset *s, const struct otime *t)
{
    for (uint32_t i = 0; i < s->len; i++)
        if (ot_eq(&s->t[i], t))
            return true;
    return false;
}

static bool oset_dominates(const struct oset *s, const struct otime *t)
{
    for (uint32_t i = 0; i < s->len; i++)
        if (ot_le(&s->t[i], t))
            return true;
    return false;
}

/* Inserts t unless some element is <= t, dropping the elements >= t. */
static bool oset_insert(struct oset *s, const struct otime *t)
{
    uint32_t k = 0;

    if (oset_dominates(s, t))
        return false;
    for (uint32_t i = 0; i < s->len; i++)
        if (!ot_le(t, &s->t[i]))
            s->t[k++] = s->t[i];
    assert_true(k < OSET_CAP);
    s->t[k++] = *t;
    s->len = k;
    return true;
}

static bool oset_same(const struct oset *a, const struct oset *b)
{
    if (a->len != b->len)
        return false;
    for (uint32_t i = 0; i < a->len; i++)
        if (!oset_contains(b, &a->t[i]))
            return false;
    return true;
}

/* Equal as sets; a duplicate in the antichain is a mismatch too. */
static bool oset_matches(const struct oset *s, const struct gy_antichain *a)
{
    if (a->len != s->len)
        return false;
    for (uint32_t i = 0; i < a->len; i++) {
        struct otime t = ot_from_gy(&a->items[i]);
        if (!oset_contains(s, &t))
            return false;
        for (uint32_t j = 0; j < i; j++)
            if (gy_time_eq(&a->items[i], &a->items[j]))
                return false;
    }
    return true;
}

static void oset_format(const struct oset *s, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "{");
    for (uint32_t i = 0; i < s->len && n < size; i++) {
        n += (size_t)snprintf(buf + n, size - n, i ? ", " : "");
        if (n < size)
            n += (size_t)ot_format(&s->t[i], buf + n, size - n);
    }
    if (n < size)
        snprintf(buf + n, size - n, "}");
}

static void antichain_to_oset(const struct gy_antichain *a, struct oset *s)
{
    s->len = 0;
    for (uint32_t i = 0; i < a->len && i < OSET_CAP; i++)
        s->t[s->len++] = ot_from_gy(&a->items[i]);
}

/* ---- the model: what the test believes the dataflow is ---- */

enum op_kind { OP_PLAIN, OP_ENTER, OP_LEAVE, OP_FEEDBACK };

/* An ordinary operator's summary input -> output. */
enum sum_kind {
    SUM_NONE,  /* no path */
    SUM_IDENT, /* identity */
    SUM_EPOCH, /* +1 epoch */
    SUM_ITER,  /* +1 on the innermost loop coordinate (depth >= 1) */
    SUM_BOTH,  /* the antichain {+1 epoch, +1 iteration} */
};

struct model_op {
    enum op_kind kind;
    uint32_t scope;                 /* model scope; the loop's for boundary ops */
    uint32_t in_scope, out_scope;   /* model scopes of the ports */
    uint32_t nin, nout;
    uint32_t fb;                    /* feedback amount, 1..2 */
    bool delay;                     /* every summary advances: may feed back edges */
    enum sum_kind sum[MAX_PORTS][MAX_PORTS];
    uint32_t in_loc[MAX_PORTS], out_loc[MAX_PORTS];
};

struct model_edge {
    uint32_t src, sport, dst, dport;
};

struct model {
    struct model_op ops[MAX_OPS];
    uint32_t nops;
    uint32_t scope_parent[MAX_SCOPES], scope_depth[MAX_SCOPES];
    uint32_t nscopes;
    struct model_edge edges[MAX_EDGES];
    uint32_t nedges;
    uint32_t nlocs;
    uint32_t loc_op[MAX_LOCS], loc_port[MAX_LOCS], loc_depth[MAX_LOCS];
    bool loc_out[MAX_LOCS];
};

struct gen {
    struct model *m;
    uint64_t *r;
    uint32_t max_depth; /* loop nesting, 0..3 */
    uint32_t budget;    /* operators aimed at */
};

static struct model_op *model_add(struct model *m, enum op_kind kind, uint32_t in_scope,
                                  uint32_t out_scope)
{
    struct model_op *x;

    assert_true(m->nops < MAX_OPS);
    x = &m->ops[m->nops++];
    memset(x, 0, sizeof(*x));
    x->kind = kind;
    x->in_scope = in_scope;
    x->out_scope = out_scope;
    x->scope = m->scope_depth[in_scope] > m->scope_depth[out_scope] ? in_scope : out_scope;
    x->nin = x->nout = 1;
    return x;
}

static enum sum_kind pick_summary(uint64_t *r, uint32_t depth, bool delay)
{
    uint32_t x = ts_rng_below(r, 100);

    if (delay) {
        if (x < 15)
            return SUM_NONE;
        if (depth == 0 || x < 50)
            return SUM_EPOCH;
        return x < 75 ? SUM_ITER : SUM_BOTH;
    }
    if (x < 60)
        return SUM_IDENT;
    if (x < 75)
        return SUM_NONE;
    if (x < 88 || depth == 0)
        return x < 88 ? SUM_EPOCH : SUM_IDENT;
    return x < 94 ? SUM_ITER : SUM_BOTH;
}

static void gen_plain(struct gen *g, uint32_t scope)
{
    struct model_op *x = model_add(g->m, OP_PLAIN, scope, scope);
    uint32_t depth = g->m->scope_depth[scope];

    x->nin = 1 + ts_rng_below(g->r, MAX_PORTS);
    x->nout = 1 + ts_rng_below(g->r, MAX_PORTS);
    x->delay = ts_rng_below(g->r, 8) == 0;
    for (uint32_t i = 0; i < x->nin; i++)
        for (uint32_t o = 0; o < x->nout; o++)
            x->sum[i][o] = pick_summary(g->r, depth, x->delay);
}

static void gen_block(struct gen *g, uint32_t scope, uint32_t items);

/*
 * A loop occupies one contiguous block of operator ids: its enters, its body,
 * its feedbacks, its leaves. Ordinary edges only go to higher ids, so the only
 * back edges are those out of feedback and delay operators (see gen_edges).
 */
static void gen_loop(struct gen *g, uint32_t parent)
{
    struct model *m = g->m;
    uint32_t loop = m->nscopes++;
    uint32_t n;

    assert_true(loop < MAX_SCOPES);
    m->scope_parent[loop] = parent;
    m->scope_depth[loop] = m->scope_depth[parent] + 1;
    n = 1 + ts_rng_below(g->r, 2);
    for (uint32_t k = 0; k < n; k++)
        model_add(m, OP_ENTER, parent, loop);
    gen_block(g, loop, 1 + ts_rng_below(g->r, 5));
    n = 1 + ts_rng_below(g->r, 2);
    for (uint32_t k = 0; k < n; k++)
        model_add(m, OP_FEEDBACK, loop, loop)->fb = 1 + ts_rng_below(g->r, 2);
    n = 1 + ts_rng_below(g->r, 2);
    for (uint32_t k = 0; k < n; k++)
        model_add(m, OP_LEAVE, loop, parent);
}

static void gen_block(struct gen *g, uint32_t scope, uint32_t items)
{
    for (uint32_t k = 0; k < items && g->m->nops < g->budget; k++) {
        bool room = g->budget - g->m->nops >= 6;
        if (room && g->m->scope_depth[scope] < g->max_depth && ts_rng_below(g->r, 3) == 0)
            gen_loop(g, scope);
        else
            gen_plain(g, scope);
    }
}

/* Whether output (j, q) may feed an input of operator i in scope s. */
static bool edge_allowed(const struct model *m, uint32_t j, uint32_t i, uint32_t s)
{
    const struct model_op *y = &m->ops[j];

    if (y->out_scope != s)
        return false;
    return j < i || y->kind == OP_FEEDBACK || y->delay;
}

static void gen_input_edges(struct model *m, uint64_t *r, uint32_t i, uint32_t port)
{
    struct model_edge cand[MAX_OPS * MAX_PORTS];
    uint32_t ncand = 0, want, x = ts_rng_below(r, 100);

    for (uint32_t j = 0; j < m->nops; j++) {
        if (!edge_allowed(m, j, i, m->ops[i].in_scope))
            continue;
        for (uint32_t q = 0; q < m->ops[j].nout; q++)
            cand[ncand++] = (struct model_edge){j, q, i, port};
    }
    want = x < 10 ? 0 : x < 75 ? 1 : 2;
    for (uint32_t k = 0; k < want && ncand > 0; k++) {
        uint32_t pick = ts_rng_below(r, ncand);
        assert_true(m->nedges < MAX_EDGES);
        m->edges[m->nedges++] = cand[pick];
        cand[pick] = cand[--ncand];
    }
}

/*
 * Why every cycle advances: inside one scope, contract each nested loop's
 * block to a point; ordinary edges then go forward, so a cycle whose
 * outermost scope is S needs a back edge at S's level, out of a feedback of S
 * (+n on S's coordinate) or a delay operator of S (+1 on the epoch or S's
 * coordinate). The cycle never leaves S, so that coordinate is never dropped,
 * and nothing on the cycle decreases it.
 */
static void gen_edges(struct model *m, uint64_t *r)
{
    for (uint32_t i = 0; i < m->nops; i++)
        for (uint32_t p = 0; p < m->ops[i].nin; p++)
            gen_input_edges(m, r, i, p);
}

static void model_generate(struct model *m, uint64_t *r)
{
    struct gen g = {.m = m, .r = r};

    memset(m, 0, sizeof(*m));
    m->nscopes = 1; /* the root: depth 0 */
    g.max_depth = ts_rng_below(r, 4);
    g.budget = 10 + ts_rng_below(r, 21);
    gen_block(&g, 0, 3 + ts_rng_below(r, 8));
    gen_edges(m, r);
}

/* ---- turning the model into a gy_topology ---- */

/* The summaries of an ordinary operator's pair, as gy_summary values. */
static uint32_t summary_items(enum sum_kind k, uint32_t depth, struct gy_summary out[2])
{
    uint32_t n = 0;

    if (k == SUM_IDENT)
        out[n++] = gy_summary_identity(depth);
    if (k == SUM_EPOCH || k == SUM_BOTH)
        out[n++] = gy_summary_epoch_delay(depth, 1);
    if (k == SUM_ITER || k == SUM_BOTH)
        out[n++] = gy_summary_feedback(depth, 1);
    return n;
}

/* 0, or -ENOMEM when an allocation failed (the sweep in test_..._oom). */
static int try_summary(gy_topology_t *topo, uint32_t op, uint32_t i, uint32_t o,
                       enum sum_kind k, uint32_t depth)
{
    struct gy_summaries s;
    struct gy_summary items[2];
    uint32_t n = summary_items(k, depth, items);
    int rc = 0;

    gy_summaries_init(&s);
    for (uint32_t j = 0; j < n && rc >= 0; j++) {
        rc = gy_summaries_insert(&s, &items[j]);
        assert_true(rc == 1 || rc == -ENOMEM);
    }
    if (rc >= 0)
        rc = gy_topology_set_summary(topo, op, i, o, &s);
    gy_summaries_destroy(&s);
    return rc < 0 ? rc : 0;
}

static void set_plain_summary(gy_topology_t *topo, uint32_t op, uint32_t i, uint32_t o,
                              enum sum_kind k, uint32_t depth)
{
    assert_int_equal(try_summary(topo, op, i, o, k, depth), 0);
}

static int try_add_plain(gy_topology_t *topo, const struct model *m, uint32_t i,
                         uint32_t scope)
{
    const struct model_op *x = &m->ops[i];
    uint32_t depth = m->scope_depth[x->scope];
    char name[32];
    int id, rc = 0;

    snprintf(name, sizeof(name), "op%u", i);
    id = gy_topology_add_op(topo, name, scope, x->nin, x->nout);
    for (uint32_t p = 0; id >= 0 && rc == 0 && p < x->nin; p++) {
        for (uint32_t o = 0; rc == 0 && o < x->nout; o++) {
            /* Leaving some identities to the default checks the default. */
            if (x->sum[p][o] != SUM_IDENT || (i + p + o) % 2)
                rc = try_summary(topo, (uint32_t)id, p, o, x->sum[p][o], depth);
        }
    }
    return rc ? rc : id;
}

/* The operator's id, or a negative errno (only -ENOMEM is expected). */
static int try_add_op(gy_topology_t *topo, const struct model *m, uint32_t i,
                      const uint32_t *ids)
{
    const struct model_op *x = &m->ops[i];
    char name[32];

    switch (x->kind) {
    case OP_PLAIN:
        return try_add_plain(topo, m, i, ids[x->scope]);
    case OP_ENTER:
        snprintf(name, sizeof(name), "enter%u", i);
        return gy_topology_add_enter(topo, name, ids[x->scope]);
    case OP_LEAVE:
        snprintf(name, sizeof(name), "leave%u", i);
        return gy_topology_add_leave(topo, name, ids[x->scope]);
    case OP_FEEDBACK:
        snprintf(name, sizeof(name), "feedback%u", i);
        return gy_topology_add_feedback(topo, name, ids[x->scope], x->fb);
    }
    return -EINVAL;
}

/* Adds the model's scopes, operators and edges to topo and builds it. */
static int try_build(const struct model *m, gy_topology_t *topo, char *err, size_t errlen)
{
    uint32_t ids[MAX_SCOPES] = {0};
    int rc = 0;

    for (uint32_t k = 1; k < m->nscopes && rc >= 0; k++) {
        rc = gy_topology_add_scope(topo, ids[m->scope_parent[k]]);
        if (rc < 0)
            break;
        ids[k] = (uint32_t)rc;
        assert_int_equal(gy_topology_scope_depth(topo, ids[k]), m->scope_depth[k]);
        assert_int_equal(gy_topology_scope_parent(topo, ids[k]), ids[m->scope_parent[k]]);
    }
    for (uint32_t i = 0; i < m->nops && rc >= 0; i++) {
        rc = try_add_op(topo, m, i, ids);
        if (rc >= 0)
            assert_int_equal(rc, (int)i);
    }
    for (uint32_t e = 0; e < m->nedges && rc >= 0; e++) {
        const struct model_edge *d = &m->edges[e];
        rc = gy_topology_add_edge(topo, d->src, d->sport, d->dst, d->dport);
    }
    return rc < 0 ? rc : gy_topology_build(topo, err, errlen);
}

static void map_loc(struct model *m, const gy_topology_t *topo, bool *seen, uint32_t op,
                    uint32_t port, bool out)
{
    struct model_op *x = &m->ops[op];
    uint32_t loc = out ? gy_topology_output_loc(topo, op, port)
                       : gy_topology_input_loc(topo, op, port);

    assert_true(loc < m->nlocs);
    assert_false(seen[loc]);
    seen[loc] = true;
    m->loc_op[loc] = op;
    m->loc_port[loc] = port;
    m->loc_out[loc] = out;
    m->loc_depth[loc] = m->scope_depth[out ? x->out_scope : x->in_scope];
    if (out)
        x->out_loc[port] = loc;
    else
        x->in_loc[port] = loc;
    assert_int_equal(gy_topology_loc_is_output(topo, loc), out);
    assert_int_equal(gy_topology_loc_op(topo, loc), op);
    assert_int_equal(gy_topology_loc_port(topo, loc), port);
    assert_int_equal(gy_topology_loc_depth(topo, loc), m->loc_depth[loc]);
}

/* Locations must be a bijection onto [0, num_locs) that agrees with the model. */
static void model_map_locs(struct model *m, const gy_topology_t *topo)
{
    bool seen[MAX_LOCS] = {false};
    uint32_t total = 0;

    m->nlocs = gy_topology_num_locs(topo);
    assert_true(m->nlocs <= MAX_LOCS);
    assert_int_equal(gy_topology_num_ops(topo), m->nops);
    for (uint32_t i = 0; i < m->nops; i++) {
        assert_int_equal(gy_topology_op_ninputs(topo, i), m->ops[i].nin);
        assert_int_equal(gy_topology_op_noutputs(topo, i), m->ops[i].nout);
        for (uint32_t p = 0; p < m->ops[i].nin; p++, total++)
            map_loc(m, topo, seen, i, p, false);
        for (uint32_t p = 0; p < m->ops[i].nout; p++, total++)
            map_loc(m, topo, seen, i, p, true);
    }
    assert_int_equal(total, m->nlocs);
}

static gy_topology_t *model_instantiate(struct model *m, uint64_t seed)
{
    gy_topology_t *topo = gy_topology_new();
    char err[256] = "";
    int rc;

    assert_non_null(topo);
    rc = try_build(m, topo, err, sizeof(err));
    if (rc != 0)
        fail_msg("seed %llu: build failed (%d): %s", (unsigned long long)seed, rc, err);
    model_map_locs(m, topo);
    return topo;
}

/* ---- the oracle ---- */

/*
 * One operator's own step from input `in` to output `out` applied to t, by
 * hand. Writes 0, 1 or 2 results (SUM_BOTH gives two incomparable ones).
 */
static uint32_t op_step(const struct model_op *x, uint32_t in, uint32_t out,
                        const struct otime *t, struct otime res[2])
{
    res[0] = res[1] = *t;
    switch (x->kind) {
    case OP_ENTER:
        res[0].c[++res[0].depth] = 0;
        return 1;
    case OP_LEAVE:
        res[0].c[res[0].depth--] = 0;
        return 1;
    case OP_FEEDBACK:
        res[0].c[t->depth] += x->fb;
        return 1;
    case OP_PLAIN:
        break;
    }
    switch (x->sum[in][out]) {
    case SUM_NONE:
        return 0;
    case SUM_IDENT:
        return 1;
    case SUM_EPOCH:
        res[0].c[0]++;
        return 1;
    case SUM_ITER:
        res[0].c[t->depth]++;
        return 1;
    case SUM_BOTH:
        res[0].c[0]++;
        res[1].c[t->depth]++;
        return 2;
    }
    return 0;
}

struct ostate {
    uint32_t loc;
    struct otime t;
};

/*
 * The minimal reachable times at every location. Keeping only minimal times
 * is exact, not an approximation: every hop is monotone (u <= v implies
 * hop(u) <= hop(v)), so whatever v reaches is dominated by what u reaches.
 * It terminates because each accepted insertion strictly grows the upward
 * closure of a location's set, and upward-closed sets of N^k cannot grow
 * forever (Dickson's lemma).
 */
struct oracle {
    struct oset at[MAX_LOCS];
    struct ostate *stack;
    uint32_t top, cap;
};

static struct oracle g_oracle[2];

/*
 * What the random cases covered. The test fails if the generator degenerates
 * (no deep loops, no multi-element frontiers), since then it would prove little.
 */
struct coverage {
    uint64_t ops, locs, states, compared, multi, nonempty;
    uint32_t deepest;
    uint32_t kinds[4];
};

static struct coverage g_cov;

static void oracle_clear(struct oracle *o, uint32_t nlocs)
{
    for (uint32_t l = 0; l < nlocs; l++)
        o->at[l].len = 0;
    o->top = 0;
}

static void oracle_push(struct oracle *o, const struct model *m, uint32_t loc,
                        const struct otime *t)
{
    assert_int_equal(t->depth, m->loc_depth[loc]);
    for (uint32_t j = 0; j <= t->depth; j++)
        assert_true(t->c[j] < COORD_GUARD);
    if (!oset_insert(&o->at[loc], t))
        return;
    g_cov.states++;
    if (o->top == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 1024;
        o->stack = realloc(o->stack, o->cap * sizeof(*o->stack));
        assert_non_null(o->stack);
    }
    o->stack[o->top++] = (struct ostate){loc, *t};
}

static void oracle_hop(struct oracle *o, const struct model *m, uint32_t loc,
                       const struct otime *t)
{
    const struct model_op *x = &m->ops[m->loc_op[loc]];
    uint32_t port = m->loc_port[loc];
    struct otime res[2];

    if (m->loc_out[loc]) {
        for (uint32_t e = 0; e < m->nedges; e++) {
            const struct model_edge *d = &m->edges[e];
            if (d->src == m->loc_op[loc] && d->sport == port)
                oracle_push(o, m, m->ops[d->dst].in_loc[d->dport], t);
        }
        return;
    }
    for (uint32_t q = 0; q < x->nout; q++) {
        uint32_t n = op_step(x, port, q, t, res);
        for (uint32_t k = 0; k < n; k++)
            oracle_push(o, m, x->out_loc[q], &res[k]);
    }
}

static void oracle_drain(struct oracle *o, const struct model *m)
{
    while (o->top > 0) {
        struct ostate s = o->stack[--o->top];
        /* A state dominated since it was pushed has nothing new to offer. */
        if (oset_contains(&o->at[s.loc], &s.t))
            oracle_hop(o, m, s.loc, &s.t);
    }
}

static void oracle_free(void)
{
    for (int k = 0; k < 2; k++) {
        free(g_oracle[k].stack);
        g_oracle[k].stack = NULL;
        g_oracle[k].cap = g_oracle[k].top = 0;
    }
}

/* ---- live pointstamps, kept by the test ---- */

struct pstamp {
    uint32_t loc;
    struct otime t;
    int64_t count;
};

struct live {
    struct pstamp p[MAX_LIVE];
    uint32_t n;
};

struct upd {
    uint32_t loc;
    struct otime t;
    int64_t delta;
};

struct batch {
    struct upd u[MAX_UPD];
    uint32_t n;
};

static struct pstamp *live_find(struct live *lv, uint32_t loc, const struct otime *t)
{
    for (uint32_t i = 0; i < lv->n; i++)
        if (lv->p[i].loc == loc && ot_eq(&lv->p[i].t, t))
            return &lv->p[i];
    assert_true(lv->n < MAX_LIVE);
    lv->p[lv->n] = (struct pstamp){loc, *t, 0};
    return &lv->p[lv->n++];
}

static void live_compact(struct live *lv)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < lv->n; i++)
        if (lv->p[i].count != 0)
            lv->p[k++] = lv->p[i];
    lv->n = k;
}

static uint32_t live_positive(const struct live *lv)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < lv->n; i++)
        n += lv->p[i].count > 0;
    return n;
}

/* The index of the k-th pointstamp with a positive count (k < live_positive). */
static uint32_t live_nth(const struct live *lv, uint32_t k)
{
    uint32_t i = 0;

    for (; i < lv->n; i++)
        if (lv->p[i].count > 0 && k-- == 0)
            break;
    assert_true(i < lv->n);
    return i;
}

static void batch_add(struct batch *b, struct live *lv, uint32_t loc, const struct otime *t,
                      int64_t delta)
{
    struct pstamp *p = live_find(lv, loc, t);

    p->count += delta;
    assert_true(p->count >= 0);
    assert_true(b->n < MAX_UPD);
    b->u[b->n++] = (struct upd){loc, *t, delta};
}

/* Feeds the batch to the tracker in a random order: within one batch the
 * order must not matter, only the net count per pointstamp. */
static void batch_send(struct batch *b, uint64_t *r, gy_tracker_t *tr)
{
    for (uint32_t i = b->n; i > 1; i--) {
        uint32_t j = ts_rng_below(r, i);
        struct upd tmp = b->u[i - 1];
        b->u[i - 1] = b->u[j];
        b->u[j] = tmp;
    }
    for (uint32_t i = 0; i < b->n; i++) {
        struct gy_time t = ot_to_gy(&b->u[i].t);
        assert_int_equal(gy_tracker_update(tr, b->u[i].loc, &t, b->u[i].delta), 0);
    }
    b->n = 0;
}

static void oracle_from_live(struct oracle *o, const struct model *m, const struct live *lv)
{
    oracle_clear(o, m->nlocs);
    for (uint32_t i = 0; i < lv->n; i++)
        if (lv->p[i].count > 0)
            oracle_push(o, m, lv->p[i].loc, &lv->p[i].t);
    oracle_drain(o, m);
}

/* ---- comparing the tracker with the oracle ---- */

static void describe_loc(const gy_topology_t *topo, uint32_t loc, char *buf, size_t size)
{
    if (gy_topology_format_loc(topo, loc, buf, size) < 0)
        snprintf(buf, size, "loc %u", loc);
}

static void report_mismatch(const char *what, uint64_t seed, uint32_t step,
                            const gy_topology_t *topo, uint32_t loc, const struct oset *want,
                            const struct gy_antichain *got)
{
    char name[96], w[512], g[512];
    struct oset gs;

    describe_loc(topo, loc, name, sizeof(name));
    oset_format(want, w, sizeof(w));
    antichain_to_oset(got, &gs);
    oset_format(&gs, g, sizeof(g));
    fail_msg("seed %llu step %u: %s at %s (loc %u): expected %s, tracker has %s",
             (unsigned long long)seed, step, what, name, loc, w, g);
}

static void check_frontiers(const struct model *m, const gy_topology_t *topo,
                            const gy_tracker_t *tr, const struct oracle *o, uint64_t seed,
                            uint32_t step)
{
    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        const struct gy_antichain *a;
        if (m->loc_out[loc])
            continue;
        a = gy_tracker_frontier(tr, loc);
        if (!oset_matches(&o->at[loc], a))
            report_mismatch("frontier", seed, step, topo, loc, &o->at[loc], a);
        g_cov.compared++;
        g_cov.nonempty += a->len > 0;
        g_cov.multi += a->len > 1;
    }
}

/* gy_tracker_pointstamps: the minimal live times at each location itself. */
static void check_pointstamps(const struct model *m, const gy_topology_t *topo,
                              const gy_tracker_t *tr, const struct live *lv, uint64_t seed,
                              uint32_t step)
{
    static struct oset want;

    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        const struct gy_antichain *a = gy_tracker_pointstamps(tr, loc);
        want.len = 0;
        for (uint32_t i = 0; i < lv->n; i++)
            if (lv->p[i].loc == loc && lv->p[i].count > 0)
                oset_insert(&want, &lv->p[i].t);
        if (!oset_matches(&want, a))
            report_mismatch("pointstamps", seed, step, topo, loc, &want, a);
    }
    assert_int_equal(gy_tracker_is_empty(tr), live_positive(lv) == 0);
}

/* gy_tracker_changed lists exactly the inputs whose frontier differs, once each. */
static void check_changed(const struct model *m, const gy_tracker_t *tr,
                          const struct oracle *before, const struct oracle *after,
                          uint64_t seed, uint32_t step)
{
    bool reported[MAX_LOCS] = {false};
    const uint32_t *locs = NULL;
    uint32_t n = gy_tracker_changed(tr, &locs);

    for (uint32_t k = 0; k < n; k++) {
        assert_true(locs[k] < m->nlocs);
        assert_false(m->loc_out[locs[k]]);
        assert_false(reported[locs[k]]);
        reported[locs[k]] = true;
    }
    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        bool differs = !m->loc_out[loc] && !oset_same(&before->at[loc], &after->at[loc]);
        if (differs != reported[loc])
            fail_msg("seed %llu step %u: loc %u %s in gy_tracker_changed but its frontier %s",
                     (unsigned long long)seed, step, loc, reported[loc] ? "is" : "is not",
                     differs ? "changed" : "did not change");
    }
}

/* ---- path summaries against the oracle ---- */

/* Applies a path summary by hand, from its documented shape. */
static struct otime own_apply(const struct gy_summary *s, const struct otime *t)
{
    struct otime u = {.depth = (uint32_t)s->keep + s->nappend};

    assert_true(s->keep <= t->depth);
    assert_true(u.depth <= GY_MAX_DEPTH);
    u.c[0] = t->c[0] + s->epoch_add;
    for (uint32_t j = 0; j < s->keep; j++)
        u.c[j + 1] = t->c[j + 1] + s->add[j];
    for (uint32_t j = 0; j < s->nappend; j++)
        u.c[s->keep + 1 + j] = s->append[j];
    return u;
}

static bool summaries_match(const struct gy_summaries *s, const struct otime *t0,
                            const struct oset *want)
{
    static struct oset got;

    got.len = 0;
    for (uint32_t k = 0; s != NULL && k < s->len; k++) {
        struct otime u = own_apply(&s->items[k], t0);
        oset_insert(&got, &u);
    }
    return oset_same(&got, want);
}

/* Every output's reach and paths, applied to t0, give the oracle's frontiers. */
static void check_paths_from(const struct model *m, const gy_topology_t *topo,
                             struct oracle *o, uint32_t out, const struct otime *t0,
                             uint64_t seed)
{
    uint32_t n = 0, k = 0;
    const struct gy_reach *reach = gy_topology_reach(topo, out, &n);

    oracle_clear(o, m->nlocs);
    oracle_push(o, m, out, t0);
    oracle_drain(o, m);
    for (uint32_t p = 0; p < m->nlocs; p++) {
        const struct gy_summaries *s;
        bool listed;
        if (m->loc_out[p])
            continue;
        s = gy_topology_path(topo, out, p);
        listed = k < n && reach[k].input_loc == p;
        if (listed && !summaries_match(&reach[k].summaries, t0, &o->at[p]))
            fail_msg("seed %llu: reach %u -> %u disagrees with the oracle",
                     (unsigned long long)seed, out, p);
        k += listed;
        if ((s != NULL) != listed || !summaries_match(s, t0, &o->at[p]))
            fail_msg("seed %llu: path %u -> %u disagrees with the oracle (%s, %u oracle times)",
                     (unsigned long long)seed, out, p, s ? "path" : "no path", o->at[p].len);
    }
    /* Anything left was not a sorted list of input ports. */
    assert_int_equal(k, n);
}

static void check_paths(const struct model *m, const gy_topology_t *topo, uint64_t *r,
                        uint64_t seed)
{
    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        struct otime zero = {.depth = m->loc_depth[loc]};
        struct otime t0 = random_time(r, m->loc_depth[loc], 6);
        if (!m->loc_out[loc])
            continue;
        check_paths_from(m, topo, &g_oracle[0], loc, &zero, seed);
        check_paths_from(m, topo, &g_oracle[0], loc, &t0, seed);
    }
}

/* ---- random cases ---- */

static void remove_random(uint64_t *r, struct live *lv, struct batch *b)
{
    uint32_t n = live_positive(lv);
    struct pstamp p;

    if (n == 0)
        return;
    p = lv->p[live_nth(lv, ts_rng_below(r, n))];
    batch_add(b, lv, p.loc, &p.t, -(int64_t)(1 + ts_rng_below(r, (uint32_t)p.count)));
}

static void random_batch(uint64_t *r, const struct model *m, struct live *lv, struct batch *b)
{
    uint32_t nadd = 1 + ts_rng_below(r, 8), nrem = ts_rng_below(r, 6);

    for (uint32_t k = 0; k < nadd; k++) {
        uint32_t loc = ts_rng_below(r, m->nlocs);
        struct otime t = random_time(r, m->loc_depth[loc], 4);
        batch_add(b, lv, loc, &t, 1 + ts_rng_below(r, 3));
    }
    for (uint32_t k = 0; k < nrem; k++)
        remove_random(r, lv, b);
    if (ts_rng_below(r, 4) == 0) {
        /* A +2 and a -2 that cancel within the batch; shuffled, the -2 may come first. */
        uint32_t loc = ts_rng_below(r, m->nlocs);
        struct otime t = random_time(r, m->loc_depth[loc], 4);
        batch_add(b, lv, loc, &t, 2);
        batch_add(b, lv, loc, &t, -2);
    }
}

static void remove_all(struct live *lv, struct batch *b)
{
    for (uint32_t i = 0; i < lv->n; i++)
        if (lv->p[i].count > 0)
            batch_add(b, lv, lv->p[i].loc, &lv->p[i].t, -lv->p[i].count);
}

/* Propagates and checks everything against the oracle, then swaps prev and cur. */
static void propagate_and_check(const struct model *m, const gy_topology_t *topo,
                                gy_tracker_t *tr, const struct live *lv, struct oracle **prev,
                                struct oracle **cur, uint64_t seed, uint32_t step)
{
    struct oracle *tmp;
    int rc = gy_tracker_propagate(tr);

    if (rc != 0)
        fail_msg("seed %llu step %u: propagate returned %d (%s)", (unsigned long long)seed,
                 step, rc, gy_tracker_error(tr));
    oracle_from_live(*cur, m, lv);
    check_frontiers(m, topo, tr, *cur, seed, step);
    check_pointstamps(m, topo, tr, lv, seed, step);
    check_changed(m, tr, *prev, *cur, seed, step);
    tmp = *prev;
    *prev = *cur;
    *cur = tmp;
}

static void count_coverage(const struct model *m)
{
    g_cov.ops += m->nops;
    g_cov.locs += m->nlocs;
    for (uint32_t i = 0; i < m->nops; i++)
        g_cov.kinds[m->ops[i].kind]++;
    for (uint32_t k = 0; k < m->nscopes; k++)
        if (m->scope_depth[k] > g_cov.deepest)
            g_cov.deepest = m->scope_depth[k];
}

static void run_random_case(uint64_t seed)
{
    static struct model m;
    static struct live lv;
    static struct batch b;
    uint64_t r = seed * 0x2545f4914f6cdd1dull + 1;
    struct oracle *prev = &g_oracle[0], *cur = &g_oracle[1];
    gy_topology_t *topo;
    gy_tracker_t *tr;
    uint32_t nbatches, step;

    model_generate(&m, &r);
    topo = model_instantiate(&m, seed);
    count_coverage(&m);
    check_paths(&m, topo, &r, seed);
    tr = gy_tracker_new(topo);
    assert_non_null(tr);
    lv.n = b.n = 0;
    oracle_clear(prev, m.nlocs);
    nbatches = 3 + ts_rng_below(&r, 5);
    for (step = 0; step < nbatches; step++) {
        random_batch(&r, &m, &lv, &b);
        batch_send(&b, &r, tr);
        propagate_and_check(&m, topo, tr, &lv, &prev, &cur, seed, step);
        live_compact(&lv);
    }
    remove_all(&lv, &b);
    batch_send(&b, &r, tr);
    propagate_and_check(&m, topo, tr, &lv, &prev, &cur, seed, step);
    assert_true(gy_tracker_is_empty(tr));
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

static void test_tracker_oracle_random(void **state)
{
    (void)state;
    memset(&g_cov, 0, sizeof(g_cov));
    for (uint64_t seed = 0; seed < RANDOM_CASES; seed++)
        run_random_case(seed);
    oracle_free();
    print_message("%d graphs: %llu ops (%u enter, %u leave, %u feedback), %llu locations, "
                  "depth <= %u; %llu oracle states; %llu frontiers compared, %llu non-empty, "
                  "%llu with 2+ elements\n",
                  RANDOM_CASES, (unsigned long long)g_cov.ops, g_cov.kinds[OP_ENTER],
                  g_cov.kinds[OP_LEAVE], g_cov.kinds[OP_FEEDBACK],
                  (unsigned long long)g_cov.locs, g_cov.deepest,
                  (unsigned long long)g_cov.states, (unsigned long long)g_cov.compared,
                  (unsigned long long)g_cov.nonempty, (unsigned long long)g_cov.multi);
    assert_int_equal(g_cov.deepest, 3);
    assert_true(g_cov.nonempty > g_cov.compared / 4);
    assert_true(g_cov.multi > g_cov.compared / 20);
}

/* ---- frontiers only move forward ---- */

/* An operator consumes the message (loc, t) at one of its inputs and keeps a
 * capability at an output at the time its own step gives, if any. */
static void consume_message(uint64_t *r, const struct model *m, struct live *lv,
                            struct batch *b, const struct pstamp *p)
{
    const struct model_op *x = &m->ops[m->loc_op[p->loc]];
    uint32_t q = ts_rng_below(r, x->nout);
    struct otime t = p->t, res[2];
    uint32_t n = op_step(x, m->loc_port[p->loc], q, &t, res);

    batch_add(b, lv, p->loc, &t, -1);
    if (n > 0)
        batch_add(b, lv, x->out_loc[q], &res[ts_rng_below(r, n)], 1);
}

/* A capability at an output sends a message along one of its edges at a
 * time >= the capability's (edges are the identity). */
static void send_message(uint64_t *r, const struct model *m, struct live *lv, struct batch *b,
                         const struct pstamp *p)
{
    uint32_t op = m->loc_op[p->loc], port = m->loc_port[p->loc];
    uint32_t cand[MAX_EDGES], n = 0;
    struct otime t;

    for (uint32_t e = 0; e < m->nedges; e++)
        if (m->edges[e].src == op && m->edges[e].sport == port)
            cand[n++] = m->ops[m->edges[e].dst].in_loc[m->edges[e].dport];
    if (n == 0)
        return;
    t = ot_bump(r, &p->t);
    batch_add(b, lv, cand[ts_rng_below(r, n)], &t, 1);
}

/* One operator step that obeys the protocol: counts only go down, and what
 * goes up is could-result-in of something live at the start of the step. */
static void protocol_step(uint64_t *r, const struct model *m, struct live *lv,
                          struct batch *b)
{
    uint32_t n = live_positive(lv);
    struct pstamp p;
    struct otime t;

    if (n == 0)
        return;
    p = lv->p[live_nth(lv, ts_rng_below(r, n))];
    switch (ts_rng_below(r, 4)) {
    case 0: /* release or consume */
        batch_add(b, lv, p.loc, &p.t, -1);
        break;
    case 1: /* downgrade */
        t = ot_bump(r, &p.t);
        batch_add(b, lv, p.loc, &t, 1);
        batch_add(b, lv, p.loc, &p.t, -1);
        break;
    default:
        if (m->loc_out[p.loc])
            send_message(r, m, lv, b, &p);
        else
            consume_message(r, m, lv, b, &p);
        break;
    }
}

static void snapshot(const struct model *m, const gy_tracker_t *tr, struct oracle *o)
{
    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        const struct gy_antichain *a = gy_tracker_frontier(tr, loc);
        o->at[loc].len = 0;
        if (!m->loc_out[loc])
            antichain_to_oset(a, &o->at[loc]);
    }
}

/* Every element of every new frontier is >= some element of the old one. */
static void check_forward(const struct model *m, const gy_topology_t *topo,
                          const gy_tracker_t *tr, const struct oracle *old, uint64_t seed,
                          uint32_t step)
{
    for (uint32_t loc = 0; loc < m->nlocs; loc++) {
        const struct gy_antichain *a;
        if (m->loc_out[loc])
            continue;
        a = gy_tracker_frontier(tr, loc);
        for (uint32_t i = 0; i < a->len; i++) {
            struct otime t = ot_from_gy(&a->items[i]);
            if (!oset_dominates(&old->at[loc], &t))
                report_mismatch("frontier moved backward", seed, step, topo, loc,
                                &old->at[loc], a);
        }
    }
}

static void seed_pointstamps(uint64_t *r, const struct model *m, struct live *lv,
                             struct batch *b)
{
    uint32_t ncaps = 1 + ts_rng_below(r, 4), nmsgs = ts_rng_below(r, 4);

    for (uint32_t k = 0; k < ncaps + nmsgs; k++) {
        uint32_t loc = ts_rng_below(r, m->nlocs);
        struct otime t;
        /* Capabilities sit at outputs, messages at inputs. */
        while (m->loc_out[loc] != (k < ncaps))
            loc = (loc + 1) % m->nlocs;
        t = random_time(r, m->loc_depth[loc], 3);
        batch_add(b, lv, loc, &t, 1);
    }
}

static void run_monotone_case(uint64_t seed)
{
    static struct model m;
    static struct live lv;
    static struct batch b;
    uint64_t r = seed * 0x9e3779b97f4a7c15ull + 7;
    gy_topology_t *topo;
    gy_tracker_t *tr;

    model_generate(&m, &r);
    topo = model_instantiate(&m, seed);
    tr = gy_tracker_new(topo);
    assert_non_null(tr);
    lv.n = b.n = 0;
    seed_pointstamps(&r, &m, &lv, &b);
    batch_send(&b, &r, tr);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    snapshot(&m, tr, &g_oracle[0]);
    for (uint32_t step = 0; step < 40; step++) {
        protocol_step(&r, &m, &lv, &b);
        batch_send(&b, &r, tr);
        assert_int_equal(gy_tracker_propagate(tr), 0);
        check_forward(&m, topo, tr, &g_oracle[0], seed, step);
        snapshot(&m, tr, &g_oracle[0]);
        live_compact(&lv);
    }
    oracle_from_live(&g_oracle[1], &m, &lv);
    check_frontiers(&m, topo, tr, &g_oracle[1], seed, 40);
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

static void test_tracker_oracle_monotone(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < MONOTONE_CASES; seed++)
        run_monotone_case(seed);
    oracle_free();
}

/* ---- negative counts ---- */

/* "source_op" -> "sink_op", both in the root scope. */
static gy_topology_t *two_ops(void)
{
    gy_topology_t *topo = gy_topology_new();
    char err[256];

    assert_non_null(topo);
    assert_int_equal(gy_topology_add_op(topo, "source_op", 0, 1, 1), 0);
    assert_int_equal(gy_topology_add_op(topo, "sink_op", 0, 1, 1), 1);
    assert_int_equal(gy_topology_add_edge(topo, 0, 0, 1, 0), 0);
    assert_int_equal(gy_topology_build(topo, err, sizeof(err)), 0);
    return topo;
}

static void update(gy_tracker_t *tr, uint32_t loc, uint64_t epoch, int64_t delta)
{
    struct gy_time t = gy_time_epoch(epoch);
    assert_int_equal(gy_tracker_update(tr, loc, &t, delta), 0);
}

static void expect_eproto(gy_tracker_t *tr, const char *op_name)
{
    const char *msg;

    assert_int_equal(gy_tracker_propagate(tr), -EPROTO);
    msg = gy_tracker_error(tr);
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    if (strstr(msg, op_name) == NULL)
        fail_msg("error message does not name '%s': \"%s\"", op_name, msg);
}

static void test_tracker_oracle_negative_count(void **state)
{
    gy_topology_t *topo = two_ops();
    gy_tracker_t *tr = gy_tracker_new(topo);
    uint32_t src_out = gy_topology_output_loc(topo, 0, 0);
    uint32_t sink_in = gy_topology_input_loc(topo, 1, 0);

    (void)state;
    assert_non_null(tr);
    assert_string_equal(gy_tracker_error(tr), "");
    /* A message consumed that was never sent. */
    update(tr, sink_in, 3, -1);
    expect_eproto(tr, "sink_op");
    /* The bad update was counted: sending it now balances the books. */
    update(tr, sink_in, 3, 1);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    assert_true(gy_tracker_is_empty(tr));
    assert_int_equal(gy_tracker_frontier(tr, sink_in)->len, 0);
    /* A capability held twice and released three times. */
    update(tr, src_out, 5, 2);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    assert_int_equal(gy_tracker_frontier(tr, sink_in)->len, 1);
    update(tr, src_out, 5, -3);
    expect_eproto(tr, "source_op");
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

/* Counts are per time: -1 at (4) is not paid for by +1 at (5), even though the
 * location's total is zero. A -1 before a +1 in one batch is fine. */
static void test_tracker_oracle_negative_per_time(void **state)
{
    gy_topology_t *topo = two_ops();
    gy_tracker_t *tr = gy_tracker_new(topo);
    uint32_t src_out = gy_topology_output_loc(topo, 0, 0);
    uint32_t sink_in = gy_topology_input_loc(topo, 1, 0);
    struct gy_time five = gy_time_epoch(5);

    (void)state;
    assert_non_null(tr);
    update(tr, src_out, 4, -1);
    update(tr, src_out, 4, 1);
    update(tr, src_out, 5, 1);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    assert_int_equal(gy_tracker_frontier(tr, sink_in)->len, 1);
    assert_true(gy_time_eq(&gy_tracker_frontier(tr, sink_in)->items[0], &five));
    update(tr, sink_in, 4, -1);
    update(tr, sink_in, 5, 1);
    expect_eproto(tr, "sink_op");
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

/* ---- cycles that do not advance time ---- */

static int build_expect(gy_topology_t *topo, char *err, size_t size)
{
    int rc;

    err[0] = '\0';
    rc = gy_topology_build(topo, err, size);
    assert_null(strchr(err, '\n'));
    return rc;
}

static void expect_names(const char *err, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(err, names[i]) == NULL)
            fail_msg("cycle message does not name '%s': \"%s\"", names[i], err);
}

/* alpha_op <-> beta_op in the root; beta's summary is `beta`. */
static int two_cycle(enum sum_kind beta, char *err, size_t size)
{
    gy_topology_t *topo = gy_topology_new();
    int rc;

    assert_non_null(topo);
    assert_int_equal(gy_topology_add_op(topo, "alpha_op", 0, 1, 1), 0);
    assert_int_equal(gy_topology_add_op(topo, "beta_op", 0, 1, 1), 1);
    assert_int_equal(gy_topology_add_edge(topo, 0, 0, 1, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 1, 0, 0, 0), 0);
    set_plain_summary(topo, 1, 0, 0, beta, 0);
    rc = build_expect(topo, err, size);
    gy_topology_free(topo);
    return rc;
}

/* relay_op -> into_loop -> body_op -> out_of_loop -> relay_op: a round trip
 * through a loop without the parent's feedback; relay's summary is `relay`. */
static int loop_round_trip(enum sum_kind relay, char *err, size_t size)
{
    gy_topology_t *topo = gy_topology_new();
    int loop, rc;

    assert_non_null(topo);
    loop = gy_topology_add_scope(topo, 0);
    assert_true(loop >= 1);
    assert_int_equal(gy_topology_add_op(topo, "relay_op", 0, 1, 1), 0);
    assert_int_equal(gy_topology_add_enter(topo, "into_loop", (uint32_t)loop), 1);
    assert_int_equal(gy_topology_add_op(topo, "body_op", (uint32_t)loop, 1, 1), 2);
    assert_int_equal(gy_topology_add_leave(topo, "out_of_loop", (uint32_t)loop), 3);
    for (uint32_t op = 0; op < 4; op++)
        assert_int_equal(gy_topology_add_edge(topo, op, 0, (op + 1) % 4, 0), 0);
    set_plain_summary(topo, 0, 0, 0, relay, 0);
    rc = build_expect(topo, err, size);
    gy_topology_free(topo);
    return rc;
}

/* Inside a loop with a proper feedback, p_op <-> q_op without one. */
static int inner_cycle(char *err, size_t size)
{
    gy_topology_t *topo = gy_topology_new();
    int loop, rc;

    assert_non_null(topo);
    loop = gy_topology_add_scope(topo, 0);
    assert_true(loop >= 1);
    assert_int_equal(gy_topology_add_enter(topo, "into_loop", (uint32_t)loop), 0);
    assert_int_equal(gy_topology_add_op(topo, "p_op", (uint32_t)loop, 2, 1), 1);
    assert_int_equal(gy_topology_add_op(topo, "q_op", (uint32_t)loop, 1, 2), 2);
    assert_int_equal(gy_topology_add_feedback(topo, "fb_op", (uint32_t)loop, 1), 3);
    assert_int_equal(gy_topology_add_edge(topo, 0, 0, 1, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 1, 0, 2, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 2, 0, 3, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 3, 0, 1, 1), 0);
    assert_int_equal(gy_topology_add_edge(topo, 2, 1, 1, 1), 0);
    rc = build_expect(topo, err, size);
    gy_topology_free(topo);
    return rc;
}

static void test_tracker_oracle_cycle_rejected(void **state)
{
    static const char *const two[] = {"alpha_op", "beta_op"};
    static const char *const trip[] = {"relay_op", "into_loop", "body_op", "out_of_loop"};
    static const char *const inner[] = {"p_op", "q_op"};
    char err[512];

    (void)state;
    assert_int_equal(two_cycle(SUM_IDENT, err, sizeof(err)), -EINVAL);
    expect_names(err, two, 2);
    assert_int_equal(loop_round_trip(SUM_IDENT, err, sizeof(err)), -EINVAL);
    expect_names(err, trip, 4);
    assert_int_equal(inner_cycle(err, sizeof(err)), -EINVAL);
    expect_names(err, inner, 2);
}

/* The same shapes become legal once something on the cycle advances time,
 * or once an operator has no path from input to output. */
static void test_tracker_oracle_cycle_accepted(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(two_cycle(SUM_EPOCH, err, sizeof(err)), 0);
    assert_int_equal(two_cycle(SUM_NONE, err, sizeof(err)), 0);
    assert_int_equal(loop_round_trip(SUM_EPOCH, err, sizeof(err)), 0);
    assert_int_equal(loop_round_trip(SUM_NONE, err, sizeof(err)), 0);
}

/* A feedback of +0 is refused when added, or refused at build with its name. */
static void test_tracker_oracle_feedback_zero(void **state)
{
    gy_topology_t *topo = gy_topology_new();
    char err[512];
    int loop, fb;

    (void)state;
    assert_non_null(topo);
    loop = gy_topology_add_scope(topo, 0);
    assert_true(loop >= 1);
    assert_int_equal(gy_topology_add_op(topo, "spin_op", (uint32_t)loop, 1, 1), 0);
    fb = gy_topology_add_feedback(topo, "zero_fb", (uint32_t)loop, 0);
    if (fb >= 0) {
        assert_int_equal(gy_topology_add_edge(topo, 0, 0, (uint32_t)fb, 0), 0);
        assert_int_equal(gy_topology_add_edge(topo, (uint32_t)fb, 0, 0, 0), 0);
        assert_int_equal(build_expect(topo, err, sizeof(err)), -EINVAL);
        expect_names(err, (const char *const[]){"zero_fb"}, 1);
    } else {
        assert_int_equal(fb, -EINVAL);
    }
    gy_topology_free(topo);
}

/* ---- coordinates that overflow ---- */

/*
 * enter -> body -> feedback(+1) -> body, body -> leave -> delay(+1 epoch) ->
 * sink. A message at the delay at epoch UINT64_MAX, or at the feedback at
 * iteration UINT32_MAX, has no successor time there: the path leads nowhere
 * (gy_summary_apply's overflow rule), so it holds back only its own input and
 * the inputs reached without crossing the overflowing step.
 *
 * Not asserted: what the feedback message implies past `leave`. The composed
 * summary "feedback +1, then leave" drops the coordinate that overflowed, so
 * the tracker implies (1) at sink where single hops imply nothing. That is
 * conservative (it only holds a frontier back) and needs 2^32 iterations.
 */
static gy_topology_t *overflow_topology(void)
{
    gy_topology_t *topo = gy_topology_new();
    char err[256];
    int loop;

    assert_non_null(topo);
    loop = gy_topology_add_scope(topo, 0);
    assert_true(loop >= 1);
    assert_int_equal(gy_topology_add_enter(topo, "enter", (uint32_t)loop), 0);
    assert_int_equal(gy_topology_add_op(topo, "body", (uint32_t)loop, 2, 1), 1);
    assert_int_equal(gy_topology_add_feedback(topo, "fb", (uint32_t)loop, 1), 2);
    assert_int_equal(gy_topology_add_leave(topo, "leave", (uint32_t)loop), 3);
    assert_int_equal(gy_topology_add_op(topo, "delay", 0, 1, 1), 4);
    assert_int_equal(gy_topology_add_op(topo, "sink", 0, 1, 0), 5);
    set_plain_summary(topo, 4, 0, 0, SUM_EPOCH, 0);
    assert_int_equal(gy_topology_add_edge(topo, 0, 0, 1, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 1, 0, 2, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 2, 0, 1, 1), 0);
    assert_int_equal(gy_topology_add_edge(topo, 1, 0, 3, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 3, 0, 4, 0), 0);
    assert_int_equal(gy_topology_add_edge(topo, 4, 0, 5, 0), 0);
    assert_int_equal(gy_topology_build(topo, err, sizeof(err)), 0);
    return topo;
}

static uint32_t frontier_len(const gy_topology_t *topo, const gy_tracker_t *tr, uint32_t op,
                             uint32_t port)
{
    return gy_tracker_frontier(tr, gy_topology_input_loc(topo, op, port))->len;
}

static void test_tracker_oracle_overflow(void **state)
{
    gy_topology_t *topo = overflow_topology();
    gy_tracker_t *tr = gy_tracker_new(topo);
    struct gy_time inner = gy_time_zero(1), last = gy_time_epoch(UINT64_MAX);
    uint32_t fb_in = gy_topology_input_loc(topo, 2, 0);
    uint32_t delay_in = gy_topology_input_loc(topo, 4, 0);

    (void)state;
    assert_non_null(tr);
    assert_int_equal(gy_tracker_update(tr, delay_in, &last, 1), 0);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    assert_int_equal(frontier_len(topo, tr, 4, 0), 1);
    assert_int_equal(frontier_len(topo, tr, 5, 0), 0);
    assert_int_equal(gy_tracker_update(tr, delay_in, &last, -1), 0);
    inner.iter[0] = UINT32_MAX;
    assert_int_equal(gy_tracker_update(tr, fb_in, &inner, 1), 0);
    assert_int_equal(gy_tracker_propagate(tr), 0);
    assert_int_equal(frontier_len(topo, tr, 2, 0), 1);
    assert_int_equal(frontier_len(topo, tr, 1, 0), 0);
    assert_int_equal(frontier_len(topo, tr, 1, 1), 0);
    assert_int_equal(frontier_len(topo, tr, 3, 0), 0);
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

/* ---- allocation failures ---- */

/* Builds m and pushes a few batches through a tracker; every step may fail
 * only with -ENOMEM, and whatever was built is freed on the way out. */
static int oom_attempt(const struct model *m)
{
    gy_topology_t *topo = gy_topology_new();
    gy_tracker_t *tr = NULL;
    uint64_t r = 12345;
    char err[256];
    int rc = topo ? try_build(m, topo, err, sizeof(err)) : -ENOMEM;

    if (rc == 0 && (tr = gy_tracker_new(topo)) == NULL)
        rc = -ENOMEM;
    for (uint32_t round = 0; round < 3 && rc == 0; round++) {
        /* Three pointstamps at one location, propagated, then taken away. */
        uint32_t loc = ts_rng_below(&r, m->nlocs);
        for (int64_t delta = 1; delta >= -1 && rc == 0; delta -= 2) {
            for (uint64_t e = 0; e < 3 && rc == 0; e++) {
                struct otime t = {.depth = m->loc_depth[loc], .c = {e}};
                struct gy_time g = ot_to_gy(&t);
                rc = gy_tracker_update(tr, loc, &g, delta);
            }
            if (rc == 0)
                rc = gy_tracker_propagate(tr);
        }
    }
    gy_tracker_free(tr);
    gy_topology_free(topo);
    assert_true(rc == 0 || rc == -ENOMEM);
    return rc;
}

/* Fails the 1st, 2nd, ... allocation of a whole build-and-track run (densely
 * at first, then with growing strides) until a run needs no more than that. */
static void test_tracker_oracle_oom(void **state)
{
    static struct model m;
    gy_topology_t *topo;
    long n = 1, tried = 0;
    int rc;

    (void)state;
    for (uint64_t seed = 0; seed < 4; seed++) {
        uint64_t r = seed * 7919 + 3;
        model_generate(&m, &r);
        topo = model_instantiate(&m, seed); /* fills the model's locations */
        gy_topology_free(topo);
        for (n = 1, rc = -ENOMEM; rc == -ENOMEM; n += n < 300 ? 1 : n / 16) {
            gy_alloc_fail_after(n);
            rc = oom_attempt(&m);
            gy_alloc_fail_after(0);
            tried++;
        }
        assert_int_equal(rc, 0);
    }
    print_message("%ld allocation failure points over 4 graphs\n", tried);
    /* Fewer would mean the runs allocate almost nothing: the sweep proved little. */
    assert_true(tried > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_oracle_random),
        cmocka_unit_test(test_tracker_oracle_monotone),
        cmocka_unit_test(test_tracker_oracle_negative_count),
        cmocka_unit_test(test_tracker_oracle_negative_per_time),
        cmocka_unit_test(test_tracker_oracle_cycle_rejected),
        cmocka_unit_test(test_tracker_oracle_cycle_accepted),
        cmocka_unit_test(test_tracker_oracle_feedback_zero),
        cmocka_unit_test(test_tracker_oracle_overflow),
        cmocka_unit_test(test_tracker_oracle_oom),
    };
    return cmocka_run_group_tests_name("tracker_oracle", tests, NULL, NULL);
}
