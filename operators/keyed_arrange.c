/*
 * Arrangements and their built-in reader, gy_op_join_arranged.
 *
 * gy_arrange is an operator whose input is exchanged by key and whose
 * state is a gy__kmap: per key, the records (and their time ids) in one
 * contiguous block that doubles as it fills. Records are indexed as they
 * are popped, in the same callback, so by the time the arrangement's input
 * frontier has passed t (which counts the batches still in flight to any
 * worker's copy), every record at a time <= t is in this worker's index.
 * It never sends; its output stream carries only progress: with no
 * capability held, the output's frontier is the input's, so an operator
 * reading that stream is scheduled whenever the arrangement advances.
 *
 * Handles: the root handle lives in the operator's state; entered handles
 * (gy_arrange_enter) share the state and carry the progress stream into a
 * loop. All belong to the dataflow and die with it.
 *
 * Why readers may hold pointers: the index changes only inside the
 * arrange operator's callbacks, and one worker runs one operator callback
 * at a time; a slice read in another operator's callback cannot move
 * before that callback returns.
 */
#include <errno.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"

struct arr_state;

struct gy_arrangement {
    struct arr_state *st;
    gy_op_t *op;                /* the arrange operator */
    gy_stream_t *stream;        /* its progress stream, in this handle's scope */
};

struct arr_state {
    struct gy__kmap map;
    gy_key_fn key;
    void *arg;
    uint32_t depth;             /* of the arrangement's times */
    struct gy_arrangement root;
};

static void arr_free(void *state)
{
    struct arr_state *st = state;

    gy__kmap_destroy(&st->map);
    gy_free(st);
}

static void arr_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    struct arr_state *st = state;
    const unsigned char *rec = recs;
    uint32_t tid = gy__tids_get(&st->map.times, &cap->time);

    (void)port;
    if (tid == GY__NONE)
        goto oom;
    for (uint32_t i = 0; i < n; i++, rec += st->map.rec_size)
        if (gy__kmap_add(&st->map, st->key(rec, st->arg), rec, tid) != 0)
            goto oom;
    return;

oom:
    gy_op_fail(op, "out of memory for the arrangement");
}

gy_arrangement_t *gy_arrange(gy_stream_t *s, const char *name, gy_key_fn key, void *arg)
{
    struct gy_op_spec os = {
        .name = name ? name : "arrange", .ninputs = 1, .noutputs = 1,
        .cb = {.on_input = arr_input, .destroy = arr_free},
    };
    size_t rec_size;
    struct arr_state *st;
    gy_op_t *op;

    if (!s)
        return NULL;
    if (!key) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': arrange needs a key", os.name);
        return NULL;
    }
    rec_size = gy_stream_rec_size(s);
    st = gy_calloc(1, sizeof(*st));
    if (!st) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", os.name);
        return NULL;
    }
    gy__kmap_init(&st->map, rec_size);
    st->key = key;
    st->arg = arg;
    os.scope = gy_stream_scope(s);
    st->depth = gy_dataflow_scope_depth(gy_stream_dataflow(s), os.scope);
    os.rec_sizes = &rec_size;
    os.state = st;
    op = gy_op_new(gy_stream_dataflow(s), &os);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, s, gy_pact_exchange(key, arg));
    st->root = (struct gy_arrangement){st, op, gy_op_output(op, 0)};
    return &st->root;
}

gy_arrangement_t *gy_arrange_enter(gy_arrangement_t *arr, gy_loop_t *l)
{
    gy_dataflow_t *df;
    gy_arrangement_t *h;

    if (!arr || !l)
        return NULL;
    df = gy_op_dataflow(arr->op);
    h = gy_malloc(sizeof(*h));
    if (!h) {
        gy_worker_fail(gy_dataflow_worker(df), "operator '%s': out of memory",
                       gy_op_name(arr->op));
        return NULL;
    }
    if (gy_dataflow_own(df, h, gy_free) != 0)
        return NULL;
    *h = *arr;
    h->stream = gy_loop_enter(l, arr->stream);
    return h->stream ? h : NULL;
}

gy_stream_t *gy_arrange_stream(const gy_arrangement_t *arr)
{
    return arr ? arr->stream : NULL;
}

bool gy_arrange_lookup(const gy_arrangement_t *arr, uint64_t key, struct gy_arrange_slice *out)
{
    const struct gy__kmap *m = &arr->st->map;
    const struct gy__kblock *b = gy__kmap_find(m, key);

    out->rec_size = m->rec_size;
    out->recs = b ? b->data : NULL;
    out->tids = b ? gy__kblock_tids(m, b) : NULL;
    out->n = b ? b->n : 0;
    return out->n > 0;
}

const struct gy_time *gy_arrange_time(const gy_arrangement_t *arr, uint32_t tid)
{
    return &arr->st->map.times.times[tid];
}

/* a (of the arrangement's depth) <= t's leading coordinates. */
static bool leading_le(const struct gy_time *a, const struct gy_time *t)
{
    if (a->epoch > t->epoch)
        return false;
    for (uint32_t j = 0; j < a->depth; j++)
        if (a->iter[j] > t->iter[j])
            return false;
    return true;
}

bool gy_arrange_visible(const gy_arrangement_t *arr, uint32_t tid, const struct gy_time *t)
{
    return leading_le(gy_arrange_time(arr, tid), t);
}

bool gy_arrange_complete(const gy_arrangement_t *arr, const struct gy_time *t)
{
    struct gy_time lead = gy__keep_group(t, arr->st->depth + 1);

    return !gy_antichain_le(gy_op_frontier(arr->op, 0), &lead);
}

/* ---- join_arranged ---- */

/* Records of a time waiting for the arrangement to complete it. */
struct pend {
    struct gy_cap cap;          /* held until joined */
    unsigned char *data;
    size_t n, bytes;
};

struct jarr {
    struct gy_join_arranged_spec spec;
    gy_arrangement_t *arr;
    size_t in_size;
    struct pend *pend;
    size_t npend, cappend;
    unsigned char *stage;
    uint32_t max;
    uint64_t *vis_gen;          /* per arrangement time id: vis_gen == gen <=> vis valid */
    uint8_t *vis;               /* visible at the time being joined */
    size_t capvis;
    uint64_t gen;
};

static void jarr_free(void *state)
{
    struct jarr *j = state;

    for (size_t i = 0; i < j->npend; i++)
        gy_free(j->pend[i].data);
    gy_free(j->pend);
    gy_free(j->stage);
    gy_free(j->vis_gen);
    gy_free(j->vis);
    gy_free(j);
}

/* Whether arrangement time id tid is visible at the time being joined. */
static bool jarr_visible(struct jarr *j, uint32_t tid, const struct gy_time *t)
{
    if (j->vis_gen[tid] != j->gen) {
        j->vis_gen[tid] = j->gen;
        j->vis[tid] = gy_arrange_visible(j->arr, tid, t);
    }
    return j->vis[tid];
}

static int vis_reserve(struct jarr *j)
{
    size_t need = j->arr->st->map.times.n, cap = j->capvis, cap2 = j->capvis;
    void *gen = j->vis_gen, *vis = j->vis;

    if (need <= j->capvis)
        return 0;
    if (gy_grow(&gen, &cap, need, sizeof(*j->vis_gen)) != 0)
        return -ENOMEM;
    memset((uint64_t *)gen + j->capvis, 0, (cap - j->capvis) * sizeof(*j->vis_gen));
    j->vis_gen = gen;
    if (gy_grow(&vis, &cap2, cap, sizeof(*j->vis)) != 0)
        return -ENOMEM; /* vis_gen's new room is zeroed: never valid, so harmless */
    j->vis = vis;
    j->capvis = cap;
    return 0;
}

/* Joins n records at cap's time, complete at the arrangement. */
static int jarr_join(gy_op_t *op, struct jarr *j, const struct gy_cap *cap,
                     const unsigned char *rec, size_t n)
{
    struct gy_emit e;

    if (vis_reserve(j) != 0)
        return -ENOMEM;
    j->gen++;
    gy__emit_init(&e, op, cap, j->stage, j->spec.out_size, j->max);
    for (size_t i = 0; i < n; i++, rec += j->in_size) {
        struct gy_arrange_slice sl;
        const unsigned char *x;
        gy_arrange_lookup(j->arr, j->spec.key(rec, j->spec.arg), &sl);
        x = sl.recs;
        for (uint32_t k = 0; k < sl.n; k++, x += sl.rec_size) {
            void *slot;
            if (!jarr_visible(j, sl.tids[k], &cap->time))
                continue;
            if (!(slot = gy__emit_slot(&e)))
                return e.rc;
            j->spec.join(rec, x, slot, j->spec.arg);
        }
    }
    return gy__emit_flush(&e);
}

/* Buffers n records of cap's time until the arrangement completes it. */
static int jarr_hold(gy_op_t *op, struct jarr *j, const struct gy_cap *cap, const void *recs,
                     uint32_t n)
{
    struct pend *p = NULL;
    void *v = j->pend;

    for (size_t i = 0; i < j->npend && !p; i++)
        if (gy_time_eq(&j->pend[i].cap.time, &cap->time))
            p = &j->pend[i];
    if (!p) {
        if (gy_grow(&v, &j->cappend, j->npend + 1, sizeof(*j->pend)) != 0)
            return -ENOMEM;
        j->pend = v;
        p = &j->pend[j->npend];
        memset(p, 0, sizeof(*p));
        if (gy_cap_retain(op, cap, &cap->time, &p->cap) != 0)
            return -ECANCELED;
        j->npend++;
    }
    v = p->data;
    if (gy_grow(&v, &p->bytes, (p->n + n) * j->in_size, 1) != 0)
        return -ENOMEM;
    p->data = v;
    memcpy(p->data + p->n * j->in_size, recs, (size_t)n * j->in_size);
    p->n += n;
    return 0;
}

static void jarr_report(gy_op_t *op, int rc)
{
    if (rc == -ENOMEM)
        gy_op_fail(op, "out of memory joining against the arrangement");
    else if (rc != 0)
        gy__op_callback_failed(op, "sending joined records", rc);
}

static void jarr_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct jarr *j = state;

    if (port != 0)
        return; /* the arrangement's progress stream carries no records */
    if (gy_arrange_complete(j->arr, &cap->time))
        jarr_report(op, jarr_join(op, j, cap, recs, n));
    else
        jarr_report(op, jarr_hold(op, j, cap, recs, n));
}

/* Joins the held times the arrangement has completed. */
static void jarr_frontier(gy_op_t *op, void *state)
{
    struct jarr *j = state;
    size_t i = 0;

    while (i < j->npend) {
        struct pend p = j->pend[i];
        int rc;
        if (!gy_arrange_complete(j->arr, &p.cap.time)) {
            i++;
            continue;
        }
        j->pend[i] = j->pend[--j->npend];
        rc = jarr_join(op, j, &p.cap, p.data, p.n);
        gy_free(p.data);
        gy_cap_drop(op, &p.cap);
        if (rc != 0) {
            jarr_report(op, rc);
            return;
        }
    }
}

static int jarr_check(gy_stream_t *s, const gy_arrangement_t *arr,
                      const struct gy_join_arranged_spec *spec, const char *name)
{
    gy_worker_t *w = gy__stream_worker(s);

    if (!spec->key || !spec->join || spec->out_size == 0)
        return gy_worker_fail(w, "operator '%s': join_arranged needs key, join and out_size",
                              name);
    if (gy_stream_scope(s) != gy_stream_scope(arr->stream))
        return gy_worker_fail(w, "operator '%s': the stream is in loop scope %u, the "
                                 "arrangement's handle in %u (use gy_arrange_enter)",
                              name, gy_stream_scope(s), gy_stream_scope(arr->stream));
    return 0;
}

gy_stream_t *gy_op_join_arranged(gy_stream_t *s, gy_arrangement_t *arr,
                                 const struct gy_join_arranged_spec *spec)
{
    const char *name = spec->name ? spec->name : "join_arranged";
    struct gy_op_spec os = {
        .name = name, .ninputs = 2, .noutputs = 1, .rec_sizes = &spec->out_size,
        .cb = {.on_input = jarr_input, .on_frontier = jarr_frontier, .destroy = jarr_free},
    };
    struct jarr *j;
    gy_op_t *op;

    if (!s || !arr || jarr_check(s, arr, spec, name) != 0)
        return NULL;
    j = gy_calloc(1, sizeof(*j));
    if (j)
        j->stage = gy__stage_new(spec->out_size, &j->max);
    if (!j || !j->stage) {
        gy_free(j);
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", name);
        return NULL;
    }
    j->spec = *spec;
    j->arr = arr;
    j->in_size = gy_stream_rec_size(s);
    os.scope = gy_stream_scope(s);
    os.state = j;
    op = gy_op_new(gy_stream_dataflow(s), &os);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, s, gy_pact_exchange(spec->key, spec->arg));
    gy_op_connect(op, 1, arr->stream, gy_pact_pipeline());
    return gy_op_output(op, 0);
}
