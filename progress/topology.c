/*
 * The dataflow graph for progress tracking, and its build-time closure: for
 * every output port O, the antichain of minimal path summaries to every
 * input port P it reaches; for every input port, the same through its own
 * operator (what the tracker uses for pointstamps at inputs).
 *
 * Closure. A worklist search per output O over states (P, S): S is the
 * summary of some path from O to input P. It starts at O's edges with the
 * identity; at P of operator X it composes S with X's internal summaries and
 * follows the edges of X's outputs. Per (O, P) an antichain keeps the
 * minimal summaries found; a state is expanded only if it entered the
 * antichain and is still in it when popped.
 *
 * Soundness of the pruning: composition is monotone in both arguments, so
 * every path that extends a dominated state is dominated by the same
 * extension of the state that dominates it. Termination: the summaries
 * inserted at one (O, P) form a sequence in which no element dominates a
 * later one; dominance restricted to one shape (keep, nappend) is a product
 * of orders on naturals, a well-quasi-order (Dickson), and there are finitely
 * many shapes, so every such sequence is finite.
 *
 * Cycles. Each cycle passes through some output O. When the search from O
 * inserts a summary S at an input of O's own operator, S composed with that
 * operator's internal summary back to O is a cycle summary C. If C does not
 * advance, build fails naming the operators on the path (parent links). If
 * any cycle through O does not advance, some inserted S' is <= its path
 * summary, and C' = S' then internal <= C is non-advancing too, so the check
 * at insertion finds it.
 */
#include "progress/topology.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"

struct scope {
    uint32_t parent; /* scope 0's parent is 0 */
    uint32_t depth;  /* loop coordinates of its times, 0..GY_MAX_DEPTH */
};

struct op {
    char *name;
    uint32_t scope;
    uint32_t ninputs;
    uint32_t noutputs;
    uint32_t first_loc;          /* inputs at first_loc + i, outputs after them */
    struct gy_summaries *summ;   /* [i * noutputs + o]; NULL when either count is 0 */
    uint32_t feedback_n;         /* n of a feedback op, else UINT32_MAX */
};

struct loc {
    uint32_t op;
    uint32_t port;
    uint32_t scope;
    bool is_output;
};

struct edge {
    uint32_t src; /* output loc */
    uint32_t dst; /* input loc */
};

struct reach_list {
    struct gy_reach *items;    /* sorted by input_loc */
    struct gy_summary *pool;   /* every items[i].summaries.items points into this block */
    uint32_t len;
};

struct gy_topology {
    struct scope *scopes;
    size_t nscopes, cap_scopes;
    struct op *ops;
    size_t nops, cap_ops;
    struct loc *locs;
    size_t nlocs, cap_locs;
    struct edge *edges;
    size_t nedges, cap_edges;
    bool built;
    uint32_t *adj_start;       /* CSR over locs: out edges of loc l at adj[adj_start[l]..[l+1]) */
    uint32_t *adj;
    struct reach_list *reach;  /* per loc: from an output, or from an input through its op */
};

/* State of the closure search from one output. */
struct state {
    uint32_t loc;    /* input loc reached */
    uint32_t parent; /* index of the state before, UINT32_MAX at the first edge */
    struct gy_summary s;
};

struct search {
    gy_topology_t *topo;
    struct gy_summaries *acc; /* per loc, only input locs used */
    uint32_t *touched;        /* input locs with a nonempty acc */
    uint32_t ntouched;
    bool *is_touched;
    struct state *states;
    size_t nstates, cap_states;
    char *err;
    size_t errlen;
};

/* Grows the array pointer at arrp; memcpy moves the pointer without type punning. */
#define GROW(arr, cap, need) grow_any((void *)&(arr), &(cap), (need), sizeof(*(arr)))

static int grow_any(void *arrp, size_t *cap, size_t need, size_t elem)
{
    void *p;
    int rc;

    memcpy(&p, arrp, sizeof(p));
    rc = gy_grow(&p, cap, need, elem);
    memcpy(arrp, &p, sizeof(p));
    return rc;
}

gy_topology_t *gy_topology_new(void)
{
    gy_topology_t *topo = gy_calloc(1, sizeof(*topo));

    if (!topo)
        return NULL;
    if (GROW(topo->scopes, topo->cap_scopes, 1)) {
        gy_free(topo);
        return NULL;
    }
    topo->scopes[0] = (struct scope){.parent = 0, .depth = 0};
    topo->nscopes = 1;
    return topo;
}

static void free_reach(gy_topology_t *topo)
{
    if (topo->reach) {
        for (size_t l = 0; l < topo->nlocs; l++) {
            gy_free(topo->reach[l].items);
            gy_free(topo->reach[l].pool);
        }
    }
    gy_free(topo->reach);
    gy_free(topo->adj_start);
    gy_free(topo->adj);
    topo->reach = NULL;
    topo->adj_start = NULL;
    topo->adj = NULL;
}

static void free_op(struct op *o)
{
    size_t n = (size_t)o->ninputs * o->noutputs;

    if (o->summ)
        for (size_t k = 0; k < n; k++)
            gy_summaries_destroy(&o->summ[k]);
    gy_free(o->summ);
    gy_free(o->name);
}

void gy_topology_free(gy_topology_t *topo)
{
    if (!topo)
        return;
    free_reach(topo);
    for (size_t i = 0; i < topo->nops; i++)
        free_op(&topo->ops[i]);
    gy_free(topo->ops);
    gy_free(topo->locs);
    gy_free(topo->edges);
    gy_free(topo->scopes);
    gy_free(topo);
}

int gy_topology_add_scope(gy_topology_t *topo, uint32_t parent)
{
    if (topo->built || parent >= topo->nscopes)
        return -EINVAL;
    if (topo->scopes[parent].depth + 1 > GY_MAX_DEPTH || topo->nscopes >= INT_MAX)
        return -EINVAL;
    if (GROW(topo->scopes, topo->cap_scopes, topo->nscopes + 1))
        return -ENOMEM;
    topo->scopes[topo->nscopes] =
        (struct scope){.parent = parent, .depth = topo->scopes[parent].depth + 1};
    return (int)topo->nscopes++;
}

uint32_t gy_topology_scope_depth(const gy_topology_t *topo, uint32_t scope)
{
    return scope < topo->nscopes ? topo->scopes[scope].depth : 0;
}

uint32_t gy_topology_scope_parent(const gy_topology_t *topo, uint32_t scope)
{
    return scope < topo->nscopes ? topo->scopes[scope].parent : 0;
}

/* Internal summaries of a new op: the identity at depth for every pair. */
static int init_summaries(struct op *o, uint32_t depth)
{
    size_t n = (size_t)o->ninputs * o->noutputs;
    struct gy_summary id = gy_summary_identity(depth);

    if (n == 0)
        return 0;
    o->summ = gy_calloc(n, sizeof(*o->summ));
    if (!o->summ)
        return -ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (gy_summaries_insert(&o->summ[k], &id) < 0)
            return -ENOMEM;
    return 0;
}

static void add_locs(gy_topology_t *topo, uint32_t id)
{
    const struct op *o = &topo->ops[id];

    for (uint32_t i = 0; i < o->ninputs; i++)
        topo->locs[topo->nlocs++] = (struct loc){.op = id, .port = i, .scope = o->scope};
    for (uint32_t i = 0; i < o->noutputs; i++)
        topo->locs[topo->nlocs++] =
            (struct loc){.op = id, .port = i, .scope = o->scope, .is_output = true};
}

int gy_topology_add_op(gy_topology_t *topo, const char *name, uint32_t scope, uint32_t ninputs,
                       uint32_t noutputs)
{
    struct op o = {.scope = scope, .ninputs = ninputs, .noutputs = noutputs,
                   .first_loc = (uint32_t)topo->nlocs, .feedback_n = UINT32_MAX};
    size_t nlocs = topo->nlocs + (size_t)ninputs + noutputs;

    if (topo->built || !name || scope >= topo->nscopes || topo->nops >= INT_MAX ||
        nlocs >= INT_MAX)
        return -EINVAL;
    if (GROW(topo->ops, topo->cap_ops, topo->nops + 1) ||
        GROW(topo->locs, topo->cap_locs, nlocs))
        return -ENOMEM;
    o.name = gy_malloc(strlen(name) + 1);
    if (!o.name || init_summaries(&o, topo->scopes[scope].depth)) {
        free_op(&o);
        return -ENOMEM;
    }
    strcpy(o.name, name);
    topo->ops[topo->nops] = o;
    add_locs(topo, (uint32_t)topo->nops);
    return (int)topo->nops++;
}

int gy_topology_set_input_scope(gy_topology_t *topo, uint32_t op, uint32_t port, uint32_t scope)
{
    if (topo->built || op >= topo->nops || port >= topo->ops[op].ninputs ||
        scope >= topo->nscopes)
        return -EINVAL;
    topo->locs[topo->ops[op].first_loc + port].scope = scope;
    return 0;
}

int gy_topology_set_output_scope(gy_topology_t *topo, uint32_t op, uint32_t port, uint32_t scope)
{
    const struct op *o;

    if (topo->built || op >= topo->nops || port >= topo->ops[op].noutputs ||
        scope >= topo->nscopes)
        return -EINVAL;
    o = &topo->ops[op];
    topo->locs[o->first_loc + o->ninputs + port].scope = scope;
    return 0;
}

int gy_topology_set_summary(gy_topology_t *topo, uint32_t op, uint32_t input, uint32_t output,
                            const struct gy_summaries *s)
{
    struct gy_summaries fresh;
    struct op *o;

    if (topo->built || op >= topo->nops || input >= topo->ops[op].ninputs ||
        output >= topo->ops[op].noutputs)
        return -EINVAL;
    for (uint32_t i = 0; i < s->len; i++)
        if (gy_summary_out_depth(&s->items[i]) > GY_MAX_DEPTH)
            return -EINVAL;
    /* Re-inserting keeps only the minimal elements, whatever the caller passed. */
    gy_summaries_init(&fresh);
    for (uint32_t i = 0; i < s->len; i++) {
        if (gy_summaries_insert(&fresh, &s->items[i]) < 0) {
            gy_summaries_destroy(&fresh);
            return -ENOMEM;
        }
    }
    o = &topo->ops[op];
    gy_summaries_destroy(&o->summ[(size_t)input * o->noutputs + output]);
    o->summ[(size_t)input * o->noutputs + output] = fresh;
    return 0;
}

/* An op with one input and one output whose only summary is s. */
static int add_boundary(gy_topology_t *topo, const char *name, uint32_t scope, uint32_t in_scope,
                        uint32_t out_scope, struct gy_summary s)
{
    int id = gy_topology_add_op(topo, name, scope, 1, 1);

    if (id < 0)
        return id;
    /* The op exists now; these cannot fail on a valid id and scopes. */
    topo->locs[topo->ops[id].first_loc].scope = in_scope;
    topo->locs[topo->ops[id].first_loc + 1].scope = out_scope;
    topo->ops[id].summ[0].items[0] = s;
    return id;
}

int gy_topology_add_enter(gy_topology_t *topo, const char *name, uint32_t loop_scope)
{
    uint32_t parent;

    if (loop_scope == 0 || loop_scope >= topo->nscopes)
        return -EINVAL;
    parent = topo->scopes[loop_scope].parent;
    return add_boundary(topo, name, loop_scope, parent, loop_scope,
                        gy_summary_enter(topo->scopes[parent].depth));
}

int gy_topology_add_leave(gy_topology_t *topo, const char *name, uint32_t loop_scope)
{
    if (loop_scope == 0 || loop_scope >= topo->nscopes)
        return -EINVAL;
    return add_boundary(topo, name, loop_scope, loop_scope, topo->scopes[loop_scope].parent,
                        gy_summary_leave(topo->scopes[loop_scope].depth));
}

int gy_topology_add_feedback(gy_topology_t *topo, const char *name, uint32_t loop_scope,
                             uint32_t n)
{
    int id;

    if (loop_scope == 0 || loop_scope >= topo->nscopes)
        return -EINVAL;
    id = add_boundary(topo, name, loop_scope, loop_scope, loop_scope,
                      gy_summary_feedback(topo->scopes[loop_scope].depth, n));
    if (id >= 0)
        topo->ops[id].feedback_n = n;
    return id;
}

int gy_topology_add_edge(gy_topology_t *topo, uint32_t src, uint32_t src_port, uint32_t dst,
                         uint32_t dst_port)
{
    if (topo->built || src >= topo->nops || dst >= topo->nops ||
        src_port >= topo->ops[src].noutputs || dst_port >= topo->ops[dst].ninputs ||
        topo->nedges >= UINT32_MAX - 1) /* the adjacency indexes edges with uint32_t */
        return -EINVAL;
    if (GROW(topo->edges, topo->cap_edges, topo->nedges + 1))
        return -ENOMEM;
    topo->edges[topo->nedges++] = (struct edge){
        .src = topo->ops[src].first_loc + topo->ops[src].ninputs + src_port,
        .dst = topo->ops[dst].first_loc + dst_port,
    };
    return 0;
}

static GY_PRINTF(3, 4) int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static uint32_t loc_depth(const gy_topology_t *topo, uint32_t loc)
{
    return topo->scopes[topo->locs[loc].scope].depth;
}

static uint32_t out_loc(const gy_topology_t *topo, uint32_t op, uint32_t port)
{
    return topo->ops[op].first_loc + topo->ops[op].ninputs + port;
}

static const struct gy_summaries *summ_of(const gy_topology_t *topo, uint32_t op, uint32_t in,
                                          uint32_t out)
{
    const struct op *o = &topo->ops[op];
    return &o->summ[(size_t)in * o->noutputs + out];
}

static int check_edges(const gy_topology_t *topo, char *err, size_t errlen)
{
    for (size_t e = 0; e < topo->nedges; e++) {
        const struct loc *a = &topo->locs[topo->edges[e].src], *b = &topo->locs[topo->edges[e].dst];
        if (a->scope != b->scope)
            return fail(err, errlen, "edge %s.out%u -> %s.in%u crosses scopes (%u -> %u)",
                        topo->ops[a->op].name, a->port, topo->ops[b->op].name, b->port,
                        a->scope, b->scope);
    }
    return 0;
}

/* Checks that every summary input i -> output k maps the input's depth to the output's. */
static int check_pair(const gy_topology_t *topo, uint32_t op, uint32_t i, uint32_t k, char *err,
                      size_t errlen)
{
    const struct gy_summaries *ss = summ_of(topo, op, i, k);
    uint32_t din = loc_depth(topo, topo->ops[op].first_loc + i);
    uint32_t dout = loc_depth(topo, out_loc(topo, op, k));

    for (uint32_t j = 0; j < ss->len; j++) {
        const struct gy_summary *s = &ss->items[j];
        if (s->keep > din || gy_summary_out_depth(s) != dout)
            return fail(err, errlen,
                        "op '%s' summary in%u -> out%u (keep %u, append %u) does not map "
                        "depth %u to depth %u",
                        topo->ops[op].name, i, k, s->keep, s->nappend, din, dout);
    }
    return 0;
}

static int check_op_summaries(const gy_topology_t *topo, uint32_t op, char *err, size_t errlen)
{
    int rc = 0;

    for (uint32_t i = 0; rc == 0 && i < topo->ops[op].ninputs; i++)
        for (uint32_t k = 0; rc == 0 && k < topo->ops[op].noutputs; k++)
            rc = check_pair(topo, op, i, k, err, errlen);
    return rc;
}

/* Builds the CSR adjacency output loc -> input locs. */
static int build_adj(gy_topology_t *topo)
{
    size_t n = topo->nlocs;

    topo->adj_start = gy_calloc(n + 2, sizeof(*topo->adj_start));
    topo->adj = gy_malloc((topo->nedges ? topo->nedges : 1) * sizeof(*topo->adj));
    if (!topo->adj_start || !topo->adj)
        return -ENOMEM;
    /* Count into [src + 2], prefix-sum, then place using [src + 1] as the cursor. */
    for (size_t e = 0; e < topo->nedges; e++)
        topo->adj_start[topo->edges[e].src + 2]++;
    for (size_t l = 2; l < n + 2; l++)
        topo->adj_start[l] += topo->adj_start[l - 1];
    for (size_t e = 0; e < topo->nedges; e++)
        topo->adj[topo->adj_start[topo->edges[e].src + 1]++] = topo->edges[e].dst;
    return 0;
}

static void search_destroy(struct search *sr)
{
    if (sr->acc)
        for (size_t l = 0; l < sr->topo->nlocs; l++)
            gy_summaries_destroy(&sr->acc[l]);
    gy_free(sr->acc);
    gy_free(sr->touched);
    gy_free(sr->is_touched);
    gy_free(sr->states);
}

static int search_init(struct search *sr, gy_topology_t *topo, char *err, size_t errlen)
{
    size_t n = topo->nlocs ? topo->nlocs : 1;

    *sr = (struct search){.topo = topo, .err = err, .errlen = errlen};
    sr->acc = gy_calloc(n, sizeof(*sr->acc));
    sr->touched = gy_malloc(n * sizeof(*sr->touched));
    sr->is_touched = gy_calloc(n, sizeof(*sr->is_touched));
    if (!sr->acc || !sr->touched || !sr->is_touched)
        return -ENOMEM;
    return 0;
}

/*
 * Reverses the parent chain that ends at idx (the search stops here, so the
 * links may be destroyed) and names the operators from the origin around.
 */
static int report_cycle(struct search *sr, uint32_t origin, uint32_t idx,
                        const struct gy_summary *c)
{
    const gy_topology_t *topo = sr->topo;
    uint32_t prev = UINT32_MAX, cur = idx;
    size_t n;
    char sbuf[160];

    while (cur != UINT32_MAX) {
        uint32_t next = sr->states[cur].parent;
        sr->states[cur].parent = prev;
        prev = cur;
        cur = next;
    }
    if (!sr->err || !sr->errlen)
        return -EINVAL;
    n = (size_t)snprintf(sr->err, sr->errlen, "cycle does not advance time: %s",
                         topo->ops[topo->locs[origin].op].name);
    for (cur = prev; cur != UINT32_MAX && n < sr->errlen; cur = sr->states[cur].parent)
        n += (size_t)snprintf(sr->err + n, sr->errlen - n, " -> %s",
                              topo->ops[topo->locs[sr->states[cur].loc].op].name);
    gy_summary_format(c, sbuf, sizeof(sbuf));
    if (n < sr->errlen)
        snprintf(sr->err + n, sr->errlen - n, " (summary %s)", sbuf);
    return -EINVAL;
}

/* If state idx is at an input of origin's own operator, checks the cycle it closes. */
static int check_cycle(struct search *sr, uint32_t origin, uint32_t idx)
{
    const gy_topology_t *topo = sr->topo;
    const struct loc *in = &topo->locs[sr->states[idx].loc], *out = &topo->locs[origin];
    const struct gy_summaries *ss;
    struct gy_summary c;

    if (in->op != out->op)
        return 0;
    ss = summ_of(topo, in->op, in->port, out->port);
    for (uint32_t j = 0; j < ss->len; j++)
        if (gy_summary_compose(&sr->states[idx].s, &ss->items[j], &c) &&
            !gy_summary_advances(&c))
            return report_cycle(sr, origin, idx, &c);
    return 0;
}

static void touch(struct search *sr, uint32_t loc)
{
    if (!sr->is_touched[loc]) {
        sr->is_touched[loc] = true;
        sr->touched[sr->ntouched++] = loc;
    }
}

/* Follows the edges of output loc from with summary s (state parent before). */
static int push_edges(struct search *sr, uint32_t origin, uint32_t from,
                      const struct gy_summary *s, uint32_t parent)
{
    const gy_topology_t *topo = sr->topo;
    int rc;

    for (uint32_t e = topo->adj_start[from]; e < topo->adj_start[from + 1]; e++) {
        uint32_t p = topo->adj[e];
        rc = gy_summaries_insert(&sr->acc[p], s);
        if (rc <= 0) {
            if (rc < 0)
                return rc;
            continue;
        }
        touch(sr, p);
        if (GROW(sr->states, sr->cap_states, sr->nstates + 1) || sr->nstates >= UINT32_MAX - 1)
            return -ENOMEM;
        sr->states[sr->nstates] = (struct state){.loc = p, .parent = parent, .s = *s};
        rc = check_cycle(sr, origin, (uint32_t)sr->nstates++);
        if (rc)
            return rc;
    }
    return 0;
}

static bool still_present(const struct gy_summaries *a, const struct gy_summary *s)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (gy_summary_eq(&a->items[i], s))
            return true;
    return false;
}

/* Composes state idx with its operator's internal summaries and follows the outputs. */
static int expand(struct search *sr, uint32_t origin, uint32_t idx)
{
    const gy_topology_t *topo = sr->topo;
    struct state st = sr->states[idx]; /* copied: push_edges may move the array */
    const struct loc *in = &topo->locs[st.loc];
    struct gy_summary s2;
    int rc;

    for (uint32_t o = 0; o < topo->ops[in->op].noutputs; o++) {
        const struct gy_summaries *ss = summ_of(topo, in->op, in->port, o);
        for (uint32_t j = 0; j < ss->len; j++) {
            if (!gy_summary_compose(&st.s, &ss->items[j], &s2))
                continue; /* overflow: this path leads nowhere */
            rc = push_edges(sr, origin, out_loc(topo, in->op, o), &s2, idx);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/*
 * Copies the accumulated antichains into topo->reach[loc], sorted by input
 * loc, all summaries in one block (two allocations per location, not one per
 * reachable input), and empties the accumulators, keeping their buffers.
 */
static int collect(struct search *sr, uint32_t loc)
{
    struct reach_list *r = &sr->topo->reach[loc];
    size_t total = 0, off = 0;

    if (sr->ntouched == 0)
        return 0;
    qsort(sr->touched, sr->ntouched, sizeof(*sr->touched), cmp_u32);
    for (uint32_t i = 0; i < sr->ntouched; i++)
        total += sr->acc[sr->touched[i]].len;
    r->items = gy_malloc(sr->ntouched * sizeof(*r->items));
    r->pool = gy_malloc(total * sizeof(*r->pool));
    if (!r->items || !r->pool)
        return -ENOMEM;
    for (uint32_t i = 0; i < sr->ntouched; i++) {
        struct gy_summaries *a = &sr->acc[sr->touched[i]];
        memcpy(r->pool + off, a->items, a->len * sizeof(*a->items));
        r->items[i].input_loc = sr->touched[i];
        r->items[i].summaries = (struct gy_summaries){r->pool + off, a->len, a->len};
        off += a->len;
        a->len = 0;
        sr->is_touched[sr->touched[i]] = false;
    }
    r->len = sr->ntouched;
    sr->ntouched = 0;
    return 0;
}

/* The closure from one output loc. */
static int search_output(struct search *sr, uint32_t origin)
{
    struct gy_summary id = gy_summary_identity(loc_depth(sr->topo, origin));
    int rc;

    sr->nstates = 0;
    rc = push_edges(sr, origin, origin, &id, UINT32_MAX);
    for (size_t head = 0; rc == 0 && head < sr->nstates; head++) {
        const struct state *st = &sr->states[head];
        if (still_present(&sr->acc[st->loc], &st->s))
            rc = expand(sr, origin, (uint32_t)head);
    }
    return rc ? rc : collect(sr, origin);
}

/* Inserts first then each path summary of every reach in r. */
static int add_composed(struct search *sr, const struct gy_summary *first,
                        const struct reach_list *r)
{
    struct gy_summary s;

    for (uint32_t q = 0; q < r->len; q++) {
        const struct gy_summaries *path = &r->items[q].summaries;
        for (uint32_t k = 0; k < path->len; k++) {
            if (!gy_summary_compose(first, &path->items[k], &s))
                continue; /* overflow: this path leads nowhere */
            if (gy_summaries_insert(&sr->acc[r->items[q].input_loc], &s) < 0)
                return -ENOMEM;
            touch(sr, r->items[q].input_loc);
        }
    }
    return 0;
}

/* Paths from input loc p through its operator: internal summary, then reach of the output. */
static int search_input(struct search *sr, uint32_t p)
{
    const gy_topology_t *topo = sr->topo;
    const struct loc *in = &topo->locs[p];
    int rc;

    for (uint32_t o = 0; o < topo->ops[in->op].noutputs; o++) {
        const struct gy_summaries *ss = summ_of(topo, in->op, in->port, o);
        for (uint32_t j = 0; j < ss->len; j++) {
            rc = add_composed(sr, &ss->items[j], &topo->reach[out_loc(topo, in->op, o)]);
            if (rc)
                return rc;
        }
    }
    return collect(sr, p);
}

/* A feedback op that does not advance its coordinate is a cycle that cannot advance. */
static int check_feedback(const gy_topology_t *topo, char *err, size_t errlen)
{
    for (size_t i = 0; i < topo->nops; i++) {
        const struct op *o = &topo->ops[i];
        if (o->feedback_n == UINT32_MAX)
            continue;
        for (uint32_t j = 0; j < o->summ[0].len; j++)
            if (!gy_summary_advances(&o->summ[0].items[j]))
                return fail(err, errlen, "cycle does not advance time: feedback '%s' adds %u",
                            o->name, o->feedback_n);
    }
    return 0;
}

static int validate(const gy_topology_t *topo, char *err, size_t errlen)
{
    int rc = check_edges(topo, err, errlen);

    for (size_t i = 0; rc == 0 && i < topo->nops; i++)
        rc = check_op_summaries(topo, (uint32_t)i, err, errlen);
    return rc;
}

/* Every output's closure first: the input searches read them. */
static int compute_reach(gy_topology_t *topo, struct search *sr)
{
    int rc = 0;

    for (size_t l = 0; rc == 0 && l < topo->nlocs; l++)
        if (topo->locs[l].is_output)
            rc = search_output(sr, (uint32_t)l);
    for (size_t l = 0; rc == 0 && l < topo->nlocs; l++)
        if (!topo->locs[l].is_output)
            rc = search_input(sr, (uint32_t)l);
    return rc;
}

int gy_topology_build(gy_topology_t *topo, char *err, size_t errlen)
{
    struct search sr;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (topo->built)
        return fail(err, errlen, "topology already built");
    rc = validate(topo, err, errlen);
    if (rc)
        return rc;
    rc = search_init(&sr, topo, err, errlen);
    if (rc == 0)
        rc = build_adj(topo);
    if (rc == 0) {
        topo->reach = gy_calloc(topo->nlocs ? topo->nlocs : 1, sizeof(*topo->reach));
        rc = topo->reach ? compute_reach(topo, &sr) : -ENOMEM;
    }
    if (rc == 0)
        rc = check_feedback(topo, err, errlen);
    search_destroy(&sr);
    if (rc == -ENOMEM && err && errlen)
        snprintf(err, errlen, "out of memory");
    if (rc) {
        free_reach(topo);
        return rc;
    }
    topo->built = true;
    return 0;
}

uint32_t gy_topology_num_ops(const gy_topology_t *topo)
{
    return (uint32_t)topo->nops;
}

uint32_t gy_topology_num_locs(const gy_topology_t *topo)
{
    return (uint32_t)topo->nlocs;
}

const char *gy_topology_op_name(const gy_topology_t *topo, uint32_t op)
{
    return op < topo->nops ? topo->ops[op].name : "?";
}

uint32_t gy_topology_op_ninputs(const gy_topology_t *topo, uint32_t op)
{
    return op < topo->nops ? topo->ops[op].ninputs : 0;
}

uint32_t gy_topology_op_noutputs(const gy_topology_t *topo, uint32_t op)
{
    return op < topo->nops ? topo->ops[op].noutputs : 0;
}

uint32_t gy_topology_input_loc(const gy_topology_t *topo, uint32_t op, uint32_t port)
{
    return topo->ops[op].first_loc + port;
}

uint32_t gy_topology_output_loc(const gy_topology_t *topo, uint32_t op, uint32_t port)
{
    return out_loc(topo, op, port);
}

bool gy_topology_loc_is_output(const gy_topology_t *topo, uint32_t loc)
{
    return topo->locs[loc].is_output;
}

uint32_t gy_topology_loc_op(const gy_topology_t *topo, uint32_t loc)
{
    return topo->locs[loc].op;
}

uint32_t gy_topology_loc_port(const gy_topology_t *topo, uint32_t loc)
{
    return topo->locs[loc].port;
}

uint32_t gy_topology_loc_depth(const gy_topology_t *topo, uint32_t loc)
{
    return loc_depth(topo, loc);
}

const struct gy_summaries *gy_topology_summary(const gy_topology_t *topo, uint32_t op,
                                               uint32_t input, uint32_t output)
{
    if (op >= topo->nops || input >= topo->ops[op].ninputs || output >= topo->ops[op].noutputs)
        return NULL;
    return summ_of(topo, op, input, output);
}

static const struct gy_reach *reach_of(const gy_topology_t *topo, uint32_t loc, uint32_t *n)
{
    if (!topo->built || loc >= topo->nlocs) {
        *n = 0;
        return NULL;
    }
    *n = topo->reach[loc].len;
    return topo->reach[loc].items;
}

const struct gy_reach *gy_topology_reach(const gy_topology_t *topo, uint32_t output_loc,
                                         uint32_t *n)
{
    if (output_loc < topo->nlocs && !topo->locs[output_loc].is_output) {
        *n = 0;
        return NULL;
    }
    return reach_of(topo, output_loc, n);
}

const struct gy_reach *gy_topology_input_reach(const gy_topology_t *topo, uint32_t input_loc,
                                               uint32_t *n)
{
    if (input_loc < topo->nlocs && topo->locs[input_loc].is_output) {
        *n = 0;
        return NULL;
    }
    return reach_of(topo, input_loc, n);
}

const struct gy_summaries *gy_topology_path(const gy_topology_t *topo, uint32_t output_loc,
                                            uint32_t input_loc)
{
    uint32_t n, lo = 0, hi;
    const struct gy_reach *r = gy_topology_reach(topo, output_loc, &n);

    hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r[mid].input_loc == input_loc)
            return &r[mid].summaries;
        if (r[mid].input_loc < input_loc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int gy_topology_format_loc(const gy_topology_t *topo, uint32_t loc, char *buf, size_t size)
{
    const struct loc *l;

    if (loc >= topo->nlocs)
        return snprintf(buf, size, "loc %u (invalid)", loc);
    l = &topo->locs[loc];
    return snprintf(buf, size, "op '%s' %s %u", topo->ops[l->op].name,
                    l->is_output ? "output" : "input", l->port);
}
