/*
 * gy_op_join: a symmetric hash join. Each worker keeps, per group of times
 * (enum gy_keep), both sides' records chained by key with their time ids.
 * A batch on one side at time t probes the other side's records of the
 * same key and group, emits join(a, b) at t v t2 for each record at t2,
 * then joins its own side. So every matching pair is produced once, by
 * whichever of its two records arrives second, and nothing waits for
 * completion: the lent capability at t is retained at each output time
 * (all >= t) for the batch and dropped after it.
 *
 * Output times per batch: one per distinct time id met on the other side,
 * memoized per batch (a generation stamp per time id), each with its own
 * staging buffer; with GY_KEEP_TIME there is only t itself.
 *
 * A group's sides are freed once no input can receive a time of the group
 * (gy__keep_group_done): at t's completion for GY_KEEP_TIME, at the outer
 * time's for GY_KEEP_ITERS, when both inputs end for GY_KEEP_ALL.
 */
#include <errno.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"

struct jgroup {
    struct gy_time key;
    struct gy__kchain side[2];
};

/* One output time of the current batch. */
struct jout {
    struct gy_cap cap;          /* held during the batch */
    struct gy_emit e;
    unsigned char *stage;       /* kept across batches */
    uint32_t max;
};

struct join {
    struct gy_join_spec spec;
    size_t in_size[2];
    size_t out_size;
    uint32_t glen;
    struct gy__tstore groups;   /* group -> struct jgroup */
    struct jout *outs;          /* [nouts] open in this batch; capouts have stages */
    size_t nouts, capouts;
    uint32_t *memo;             /* other side's time id -> outs index, if memo_gen matches */
    uint64_t *memo_gen;
    size_t capmemo;
    uint64_t gen;               /* the current batch */
    struct gy_time *done;       /* scratch: groups to release */
    size_t capdone;
};

static void jgroup_free(void *g, void *arg)
{
    struct jgroup *jg = g;

    (void)arg;
    gy__kchain_destroy(&jg->side[0]);
    gy__kchain_destroy(&jg->side[1]);
}

static void join_free(void *state)
{
    struct join *j = state;

    gy__tstore_foreach(&j->groups, jgroup_free, NULL);
    gy__tstore_destroy(&j->groups);
    for (size_t i = 0; i < j->capouts; i++)
        gy_free(j->outs[i].stage);
    gy_free(j->outs);
    gy_free(j->memo);
    gy_free(j->memo_gen);
    gy_free(j->done);
    gy_free(j);
}

/* Opens an output at time t for this batch (retained from the lent cap).
 * Returns its index or GY__NONE after failing the run. Pointers into outs
 * are valid until the next call. */
static uint32_t out_open(gy_op_t *op, struct join *j, const struct gy_cap *lent,
                         const struct gy_time *t)
{
    void *p = j->outs;
    size_t old = j->capouts;
    struct jout *o;

    for (size_t i = 0; i < j->nouts; i++)
        if (gy_time_eq(&j->outs[i].cap.time, t))
            return (uint32_t)i;
    if (gy_grow(&p, &j->capouts, j->nouts + 1, sizeof(*j->outs)) != 0)
        goto oom;
    j->outs = p;
    memset(&j->outs[old], 0, (j->capouts - old) * sizeof(*j->outs));
    /* The open emitters point at their capabilities, which may have moved. */
    for (size_t i = 0; i < j->nouts; i++)
        j->outs[i].e.cap = &j->outs[i].cap;
    o = &j->outs[j->nouts];
    if (!o->stage && !(o->stage = gy__stage_new(j->out_size, &o->max)))
        goto oom;
    if (gy_cap_retain(op, lent, t, &o->cap) != 0)
        return GY__NONE;
    gy__emit_init(&o->e, op, &o->cap, o->stage, j->out_size, o->max);
    return (uint32_t)j->nouts++;

oom:
    gy_op_fail(op, "out of memory for an output time");
    return GY__NONE;
}

/* The output for a pair with the other side's time id tid. */
static struct jout *out_for(gy_op_t *op, struct join *j, const struct gy_cap *lent,
                            const struct gy__kchain *other, uint32_t tid)
{
    struct gy_time t;
    uint32_t o;

    if (j->memo_gen[tid] == j->gen)
        return &j->outs[j->memo[tid]];
    t = gy_time_join(&lent->time, &other->times.times[tid]);
    o = out_open(op, j, lent, &t);
    if (o == GY__NONE)
        return NULL;
    j->memo[tid] = o;
    j->memo_gen[tid] = j->gen;
    return &j->outs[o];
}

/* Sends what the batch staged and drops its output capabilities. */
static int outs_close(gy_op_t *op, struct join *j)
{
    int rc = 0;

    for (size_t i = 0; i < j->nouts; i++) {
        int r = gy__emit_flush(&j->outs[i].e);
        rc = rc ? rc : r;
        gy_cap_drop(op, &j->outs[i].cap);
    }
    j->nouts = 0;
    return rc;
}

/* Room for one memo entry per time id of the other side. */
static int memo_reserve(struct join *j, uint32_t ntimes)
{
    void *memo = j->memo, *gen = j->memo_gen;
    size_t cap = j->capmemo, cap2 = j->capmemo;

    if (ntimes <= j->capmemo)
        return 0;
    if (gy_grow(&memo, &cap, ntimes, sizeof(*j->memo)) != 0)
        return -ENOMEM;
    j->memo = memo;
    if (gy_grow(&gen, &cap2, cap, sizeof(*j->memo_gen)) != 0)
        return -ENOMEM;
    memset((uint64_t *)gen + j->capmemo, 0, (cap - j->capmemo) * sizeof(*j->memo_gen));
    j->memo_gen = gen;
    j->capmemo = cap;
    return 0;
}

/* Emits rec (of side p) joined with every record of the other side with
 * the same key. */
static int probe(gy_op_t *op, struct join *j, const struct gy_cap *lent, uint32_t p,
                 const struct gy__kchain *other, uint64_t key, const void *rec)
{
    for (uint32_t i = gy__kidx_find(&other->head, key); i != GY__NONE; i = other->next[i]) {
        struct jout *o = out_for(op, j, lent, other, other->tid[i]);
        void *slot = o ? gy__emit_slot(&o->e) : NULL;
        const void *b = gy__kchain_rec(other, i);
        if (!slot)
            return -ECANCELED;
        if (p == 0)
            j->spec.join(rec, b, slot, j->spec.arg);
        else
            j->spec.join(b, rec, slot, j->spec.arg);
    }
    return 0;
}

/* The group of t, created with empty sides if new. NULL on ENOMEM. */
static struct jgroup *group_of(struct join *j, const struct gy_time *t)
{
    struct gy_time g = gy__keep_group(t, j->glen);
    bool created;
    struct jgroup *jg = gy__tstore_get(&j->groups, &g, &created);

    if (jg && created) {
        jg->key = g;
        gy__kchain_init(&jg->side[0], j->in_size[0]);
        gy__kchain_init(&jg->side[1], j->in_size[1]);
    }
    return jg;
}

static int join_batch(gy_op_t *op, struct join *j, uint32_t p, const struct gy_cap *cap,
                      const unsigned char *rec, uint32_t n)
{
    struct jgroup *jg = group_of(j, &cap->time);
    struct gy__kchain *mine, *other;
    gy_key_fn key = p == 0 ? j->spec.key_a : j->spec.key_b;
    uint32_t tid;

    if (!jg)
        return -ENOMEM;
    mine = &jg->side[p];
    other = &jg->side[1 - p];
    tid = gy__tids_get(&mine->times, &cap->time);
    if (tid == GY__NONE || memo_reserve(j, other->times.n) != 0)
        return -ENOMEM;
    j->gen++;
    for (uint32_t i = 0; i < n; i++, rec += j->in_size[p]) {
        uint64_t k = key(rec, j->spec.arg);
        int rc = probe(op, j, cap, p, other, k, rec);
        if (rc != 0)
            return rc;
        if (gy__kchain_add(mine, k, rec, tid) != 0)
            return -ENOMEM;
    }
    return 0;
}

static void join_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct join *j = state;
    int rc = join_batch(op, j, port, cap, recs, n);
    int rc2 = outs_close(op, j);

    if (rc == -ENOMEM)
        gy_op_fail(op, "out of memory for the join's state");
    else if (rc == 0 && rc2 != 0)
        gy__op_callback_failed(op, "sending joined records", rc2);
}

struct collect {
    struct join *j;
    const gy_op_t *op;
    size_t n;
    int rc;
};

static void collect_done(void *g, void *arg)
{
    struct collect *c = arg;
    struct jgroup *jg = g;
    void *p = c->j->done;

    if (c->rc != 0 || !gy__keep_group_done(c->op, 2, &jg->key, c->j->glen))
        return;
    if (gy_grow(&p, &c->j->capdone, c->n + 1, sizeof(*c->j->done)) != 0) {
        c->rc = -ENOMEM;
        return;
    }
    c->j->done = p;
    c->j->done[c->n++] = jg->key;
}

/* Frees the groups no input can receive times of any more. */
static void join_frontier(gy_op_t *op, void *state)
{
    struct join *j = state;
    struct collect c = {j, op, 0, 0};

    if (j->groups.live == 0)
        return;
    gy__tstore_foreach(&j->groups, collect_done, &c);
    if (c.rc != 0) {
        gy_op_fail(op, "out of memory releasing the join's state");
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        jgroup_free(gy__tstore_find(&j->groups, &j->done[i]), NULL);
        gy__tstore_remove(&j->groups, &j->done[i]);
    }
}

static int join_check(gy_stream_t *a, gy_stream_t *b, const struct gy_join_spec *spec,
                      const char *name)
{
    gy_worker_t *w = gy__stream_worker(a);

    if (!spec->key_a || !spec->key_b || !spec->join || spec->out_size == 0)
        return gy_worker_fail(w, "operator '%s': join needs key_a, key_b, join and out_size",
                              name);
    if (gy_stream_scope(a) != gy_stream_scope(b))
        return gy_worker_fail(w, "operator '%s': input b is in loop scope %u, input a in %u",
                              name, gy_stream_scope(b), gy_stream_scope(a));
    return gy__keep_check(a, name, spec->keep);
}

gy_stream_t *gy_op_join(gy_stream_t *a, gy_stream_t *b, const struct gy_join_spec *spec)
{
    const char *name = spec->name ? spec->name : "join";
    struct gy_op_spec os = {
        .name = name, .ninputs = 2, .noutputs = 1, .rec_sizes = &spec->out_size,
        .cb = {.on_input = join_input, .on_frontier = join_frontier, .destroy = join_free},
    };
    struct join *j;
    gy_op_t *op;

    if (!a || !b || join_check(a, b, spec, name) != 0)
        return NULL;
    j = gy_calloc(1, sizeof(*j));
    if (!j) {
        gy_worker_fail(gy__stream_worker(a), "operator '%s': out of memory", name);
        return NULL;
    }
    j->spec = *spec;
    j->in_size[0] = gy_stream_rec_size(a);
    j->in_size[1] = gy_stream_rec_size(b);
    j->out_size = spec->out_size;
    os.scope = gy_stream_scope(a);
    j->glen = gy__keep_glen(spec->keep, gy_dataflow_scope_depth(gy_stream_dataflow(a), os.scope));
    gy__tstore_init(&j->groups, sizeof(struct jgroup));
    os.state = j;
    op = gy_op_new(gy_stream_dataflow(a), &os);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, a, gy_pact_exchange(spec->key_a, spec->arg));
    gy_op_connect(op, 1, b, gy_pact_exchange(spec->key_b, spec->arg));
    return gy_op_output(op, 0);
}
