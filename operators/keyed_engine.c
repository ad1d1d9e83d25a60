/*
 * The keyed engine: per-time state, per-group state, and the order in
 * which complete times are applied (see enum gy_keep in keyed.h).
 *
 * Groups. With glen leading coordinates naming a group, a time t is
 * (P, S): group P, the rest S. A future time t' >= f for some element f of
 * an input frontier F. It can be in group P iff prefix(f) <= P (product
 * order; S' is unconstrained above f's rest). So
 *   - group P is done iff no f in F has prefix(f) <= P;
 *   - the least rest a future time of group P can have is rest(f) for such
 *     an f, so a complete time t may be applied once no such f has
 *     rest(f) <lex S: then every time of P before t (lexicographically) has
 *     arrived and been applied, and none can come.
 * For GY_KEEP_TIME (S empty) and GY_KEEP_ITERS (S = the innermost counter:
 * if rest(f) < S then (P, rest(f)) >= f is <= t, so t is not complete)
 * a complete time is always ready; only GY_KEEP_ALL inside loops waits.
 *
 * Capabilities. A time's first records ask for its notification, which
 * holds a capability at the time until it is delivered (complete). The
 * delivered time keeps its own copy of the capability in the waiting list
 * (sorted lexicographically); on_frontier, which runs after all of a run's
 * notifications, applies the waiting times that are ready, in order. Every
 * earlier time of the group is then either in the list before it or not
 * complete (and then some frontier element is <= it, so lexicographically
 * before t: t is not ready). Waiting never blocks what it waits for: a
 * capability at t holds back only times >= t, and the times t waits for
 * come lexicographically before t, so none of them is >= t.
 */
#include <errno.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"

/* ---- keep groups ---- */

uint32_t gy__keep_glen(enum gy_keep keep, uint32_t depth)
{
    switch (keep) {
    case GY_KEEP_TIME:
        return depth + 1;
    case GY_KEEP_ITERS:
        return depth;
    case GY_KEEP_ALL:
    default:
        return 0;
    }
}

struct gy_time gy__keep_group(const struct gy_time *t, uint32_t glen)
{
    struct gy_time g = gy_time_zero(glen ? glen - 1 : 0);

    if (glen == 0)
        return g;
    g.epoch = t->epoch;
    for (uint32_t j = 0; j + 1 < glen; j++)
        g.iter[j] = t->iter[j];
    return g;
}

/* f's first glen coordinates are <= g's. */
static bool prefix_le(const struct gy_time *f, const struct gy_time *g, uint32_t glen)
{
    for (uint32_t j = 0; j < glen; j++)
        if (gy_time_coord(f, j) > gy_time_coord(g, j))
            return false;
    return true;
}

/* f's coordinates from glen on are lexicographically < t's. */
static bool rest_lt(const struct gy_time *f, const struct gy_time *t, uint32_t glen)
{
    for (uint32_t j = glen; j <= t->depth; j++)
        if (gy_time_coord(f, j) != gy_time_coord(t, j))
            return gy_time_coord(f, j) < gy_time_coord(t, j);
    return false;
}

bool gy__keep_group_done(const gy_op_t *op, uint32_t nin, const struct gy_time *g, uint32_t glen)
{
    for (uint32_t p = 0; p < nin; p++) {
        const struct gy_antichain *F = gy_op_frontier(op, p);
        for (uint32_t i = 0; i < F->len; i++)
            if (prefix_le(&F->items[i], g, glen))
                return false;
    }
    return true;
}

bool gy__keep_ready(const gy_op_t *op, uint32_t nin, const struct gy_time *t, uint32_t glen)
{
    for (uint32_t p = 0; p < nin; p++) {
        const struct gy_antichain *F = gy_op_frontier(op, p);
        for (uint32_t i = 0; i < F->len; i++)
            if (prefix_le(&F->items[i], t, glen) && rest_lt(&F->items[i], t, glen))
                return false;
    }
    return true;
}

int gy__keep_check(gy_stream_t *s, const char *name, enum gy_keep keep)
{
    if (keep == GY_KEEP_TIME || keep == GY_KEEP_ITERS || keep == GY_KEEP_ALL)
        return 0;
    return gy_worker_fail(gy__stream_worker(s), "operator '%s': unknown gy_keep value %d", name,
                          (int)keep);
}

/* ---- the engine ---- */

/* A group's entry in the group store: its key, then the user's state
 * (16-byte aligned: the header is 32 bytes). */
struct ghead {
    struct gy_time key;
};

#define GHEAD_BYTES ((sizeof(struct ghead) + 15u) & ~(size_t)15u)

struct keyed {
    struct gy__keyed_spec spec;
    uint32_t glen;              /* group = first glen coordinates */
    struct gy__tstore times;    /* time -> tstate */
    struct gy__tstore groups;   /* group -> ghead + gstate (gstate_size > 0 only) */
    struct gy_cap *wait;        /* complete times not applied yet, lexicographic, held */
    size_t nwait, capwait;
    struct gy_time *done;       /* scratch: groups to release */
    size_t capdone;
    unsigned char *stage;       /* emitter staging */
    uint32_t max;
};

static void *gstate_of(void *entry)
{
    return entry ? (unsigned char *)entry + GHEAD_BYTES : NULL;
}

static void tfree_one(void *ts, void *arg)
{
    struct keyed *k = arg;

    k->spec.tfree(ts, k->spec.arg);
}

static void gfree_one(void *entry, void *arg)
{
    struct keyed *k = arg;

    k->spec.gfree(gstate_of(entry), k->spec.arg);
}

static void keyed_free(void *state)
{
    struct keyed *k = state;

    if (k->spec.tfree)
        gy__tstore_foreach(&k->times, tfree_one, k);
    if (k->spec.gfree)
        gy__tstore_foreach(&k->groups, gfree_one, k);
    gy__tstore_destroy(&k->times);
    gy__tstore_destroy(&k->groups);
    if (k->spec.destroy)
        k->spec.destroy(k->spec.arg);
    gy_free(k->wait);
    gy_free(k->done);
    gy_free(k->stage);
    gy_free(k);
}

static void keyed_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct keyed *k = state;
    struct gy_time g = gy__keep_group(&cap->time, k->glen);
    void *ts = gy__tstore_get_notified(&k->times, op, cap);
    void *gs = k->spec.gstate_size ? gstate_of(gy__tstore_find(&k->groups, &g)) : NULL;
    struct gy_emit e;
    int rc;

    if (!ts)
        return;
    gy__emit_init(&e, op, cap, k->stage, k->spec.out_size, k->max);
    rc = k->spec.on_records(ts, gs, port, recs, n, &e, k->spec.arg);
    if (rc == 0)
        rc = gy__emit_flush(&e);
    if (rc != 0)
        gy__op_callback_failed(op, "on_records", rc);
}

/* Applies the complete, ready time of cap and forgets its state. */
static int apply_time(gy_op_t *op, struct keyed *k, const struct gy_cap *cap)
{
    void *ts = gy__tstore_find(&k->times, &cap->time);
    struct gy_time g = gy__keep_group(&cap->time, k->glen);
    struct ghead *h = NULL;
    bool fresh = false;
    struct gy_emit e;
    int rc;

    if (!ts)
        return 0;
    if (k->spec.gstate_size) {
        h = gy__tstore_get(&k->groups, &g, &fresh);
        if (!h)
            return gy_op_fail(op, "out of memory for the state of a group of times");
        h->key = g;
    }
    gy__emit_init(&e, op, cap, k->stage, k->spec.out_size, k->max);
    rc = k->spec.apply(ts, gstate_of(h), fresh, &e, k->spec.arg);
    if (rc == 0)
        rc = gy__emit_flush(&e);
    gy__tstore_remove(&k->times, &cap->time);
    return rc ? gy__op_callback_failed(op, "apply", rc) : 0;
}

/* Applies every waiting time that is ready, in lexicographic order. */
static void drain(gy_op_t *op, struct keyed *k)
{
    size_t i = 0;

    while (i < k->nwait) {
        struct gy_cap cap = k->wait[i];
        int rc;
        if (!gy__keep_ready(op, k->spec.ninputs, &cap.time, k->glen)) {
            i++;
            continue;
        }
        memmove(&k->wait[i], &k->wait[i + 1], (k->nwait - i - 1) * sizeof(*k->wait));
        k->nwait--;
        rc = apply_time(op, k, &cap);
        gy_cap_drop(op, &cap);
        if (rc != 0)
            return;
    }
}

/* Keeps a copy of the notification's capability in the waiting list. */
static int wait_add(gy_op_t *op, struct keyed *k, const struct gy_cap *cap)
{
    void *p = k->wait;
    size_t i = k->nwait;

    if (gy_grow(&p, &k->capwait, k->nwait + 1, sizeof(*k->wait)) != 0)
        return gy_op_fail(op, "out of memory for a waiting time");
    k->wait = p;
    while (i > 0 && gy_time_cmp(&k->wait[i - 1].time, &cap->time) > 0)
        i--;
    memmove(&k->wait[i + 1], &k->wait[i], (k->nwait - i) * sizeof(*k->wait));
    if (gy_cap_retain(op, cap, &cap->time, &k->wait[i]) != 0)
        return -ECANCELED;
    k->nwait++;
    return 0;
}

/* Only queues the time: on_frontier applies it. The frontier says which
 * times can still arrive, not which complete ones are still queued for
 * delivery; once the operator's notifications of this run have all been
 * delivered (on_frontier comes after them), every complete time with state
 * is in the waiting list, and applying the list in order is safe. */
static void keyed_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    if (wait_add(op, state, cap) != 0)
        return; /* the run has failed */
}

struct collect {
    struct keyed *k;
    const gy_op_t *op;
    size_t n;
    int rc;
};

static void collect_done(void *entry, void *arg)
{
    struct collect *c = arg;
    struct ghead *h = entry;
    void *p = c->k->done;

    if (c->rc != 0 || !gy__keep_group_done(c->op, c->k->spec.ninputs, &h->key, c->k->glen))
        return;
    if (gy_grow(&p, &c->k->capdone, c->n + 1, sizeof(*c->k->done)) != 0) {
        c->rc = -ENOMEM;
        return;
    }
    c->k->done = p;
    c->k->done[c->n++] = h->key;
}

/* Frees the state of every group no input can receive times of. */
static void release_groups(gy_op_t *op, struct keyed *k)
{
    struct collect c = {k, op, 0, 0};

    if (k->groups.live == 0)
        return;
    gy__tstore_foreach(&k->groups, collect_done, &c);
    if (c.rc != 0) {
        gy_op_fail(op, "out of memory releasing groups of times");
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        void *entry = gy__tstore_find(&k->groups, &k->done[i]);
        if (k->spec.gfree)
            k->spec.gfree(gstate_of(entry), k->spec.arg);
        gy__tstore_remove(&k->groups, &k->done[i]);
    }
}

static void keyed_frontier(gy_op_t *op, void *state)
{
    struct keyed *k = state;

    if (k->nwait > 0)
        drain(op, k);
    if (!gy_worker_failed(gy_op_worker(op)))
        release_groups(op, k);
}

static struct keyed *keyed_alloc(const struct gy__keyed_spec *spec, uint32_t depth)
{
    struct keyed *k = gy_calloc(1, sizeof(*k));

    if (!k)
        return NULL;
    k->spec = *spec;
    k->glen = gy__keep_glen(spec->keep, depth);
    gy__tstore_init(&k->times, spec->tstate_size);
    gy__tstore_init(&k->groups, GHEAD_BYTES + spec->gstate_size);
    k->stage = gy__stage_new(spec->out_size, &k->max);
    if (!k->stage) {
        gy_free(k);
        return NULL;
    }
    return k;
}

/* A bad spec or mismatched inputs would only surface as a crash later. */
static int keyed_check(gy_stream_t *const *in, const struct gy__keyed_spec *spec)
{
    gy_worker_t *w = gy__stream_worker(in[0]);

    if (spec->out_size == 0 || spec->tstate_size == 0 || !spec->on_records || !spec->apply)
        return gy_worker_fail(w, "operator '%s': keyed operator needs out_size, tstate_size, "
                                 "on_records and apply", spec->name);
    if (spec->ninputs == 2 && gy_stream_scope(in[1]) != gy_stream_scope(in[0]))
        return gy_worker_fail(w, "operator '%s': input 1 is in loop scope %u, input 0 in %u",
                              spec->name, gy_stream_scope(in[1]), gy_stream_scope(in[0]));
    return gy__keep_check(in[0], spec->name, spec->keep);
}

gy_stream_t *gy__keyed_new(gy_stream_t *const *in, const struct gy__keyed_spec *spec)
{
    struct gy_op_spec os = {
        .name = spec->name, .ninputs = spec->ninputs, .noutputs = 1,
        .rec_sizes = &spec->out_size,
        .cb = {.on_input = keyed_input, .on_notify = keyed_notify,
               .on_frontier = keyed_frontier, .destroy = keyed_free},
    };
    gy_op_t *op;

    for (uint32_t i = 0; i < spec->ninputs; i++)
        if (!in[i])
            goto fail;
    if (keyed_check(in, spec) != 0)
        goto fail;
    os.scope = gy_stream_scope(in[0]);
    os.state = keyed_alloc(spec, gy_dataflow_scope_depth(gy_stream_dataflow(in[0]), os.scope));
    if (!os.state) {
        gy_worker_fail(gy__stream_worker(in[0]), "operator '%s': out of memory", spec->name);
        goto fail;
    }
    op = gy_op_new(gy_stream_dataflow(in[0]), &os);
    if (!op)
        return NULL;
    for (uint32_t i = 0; i < spec->ninputs; i++)
        gy_op_connect(op, i, in[i], spec->pacts[i]);
    return gy_op_output(op, 0);

fail:
    if (spec->destroy)
        spec->destroy(spec->arg);
    return NULL;
}
