/*
 * Per-time stateful built-ins. gy__state_new is the engine: it keeps one
 * user state blob per timestamp in a per-time store, asks for a
 * notification the first time records of a time arrive, folds each batch
 * into that time's state, and finishes the state once the time is complete.
 * unary/binary_notify are thin users of it whose state is one record
 * buffer per input, recycled from time to time so that a steady stream of
 * epochs stops allocating.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"

struct state_op {
    struct gy_state_spec spec;
    struct gy__tstore times;
    unsigned char *stage;       /* emitter staging for finish */
    uint32_t max;
};

static void discard_one(void *tstate, void *arg)
{
    const struct state_op *so = arg;

    so->spec.discard(tstate, so->spec.arg);
}

static void state_op_free(void *state)
{
    struct state_op *so = state;

    if (so->spec.discard)
        gy__tstore_foreach(&so->times, discard_one, so);
    gy__tstore_destroy(&so->times);
    if (so->spec.destroy)
        so->spec.destroy(so->spec.arg);
    gy_free(so->stage);
    gy_free(so);
}

static void state_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct state_op *so = state;
    void *ts = gy__tstore_get_notified(&so->times, op, cap);
    int rc;

    if (!ts)
        return;
    rc = so->spec.on_records(ts, port, &cap->time, recs, n, so->spec.arg);
    if (rc != 0)
        gy__op_callback_failed(op, "on_records callback", rc);
}

static void state_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct state_op *so = state;
    void *ts = gy__tstore_find(&so->times, &cap->time);
    struct gy_emit e;
    int rc;

    if (!ts)
        return;
    gy__emit_init(&e, op, cap, so->stage, so->spec.out_size, so->max);
    rc = so->spec.finish(ts, &e, so->spec.arg);
    if (rc == 0)
        rc = gy__emit_flush(&e);
    gy__tstore_remove(&so->times, &cap->time);
    if (rc != 0)
        gy__op_callback_failed(op, "finish callback", rc);
}

static struct state_op *state_op_alloc(const struct gy_state_spec *spec)
{
    struct state_op *so = gy_calloc(1, sizeof(*so));

    if (!so)
        return NULL;
    so->spec = *spec;
    gy__tstore_init(&so->times, spec->state_size);
    so->stage = gy__stage_new(spec->out_size, &so->max);
    if (!so->stage) {
        gy_free(so);
        return NULL;
    }
    return so;
}

/* A zero size or a missing callback would only surface as a crash later. */
static int state_check(gy_stream_t *const *inputs, uint32_t n, const struct gy_state_spec *spec,
                       const char *name)
{
    gy_worker_t *w = gy__stream_worker(inputs[0]);

    if (spec->out_size == 0 || spec->state_size == 0 || !spec->on_records || !spec->finish)
        return gy_worker_fail(w, "operator '%s': state operator needs out_size, state_size, "
                                 "on_records and finish", name);
    if (n == 2 && gy_stream_scope(inputs[1]) != gy_stream_scope(inputs[0]))
        return gy_worker_fail(w, "operator '%s': input 1 is in loop scope %u, input 0 in %u",
                              name, gy_stream_scope(inputs[1]), gy_stream_scope(inputs[0]));
    return 0;
}

gy_stream_t *gy__state_new(gy_stream_t *const *inputs, uint32_t n, const struct gy_state_spec *spec)
{
    struct gy_op_spec os = {
        .name = spec->name ? spec->name : "state", .ninputs = n, .noutputs = 1,
        .rec_sizes = &spec->out_size,
        .cb = {.on_input = state_input, .on_notify = state_notify, .destroy = state_op_free},
    };
    gy_op_t *op;

    if (!inputs[0] || (n == 2 && !inputs[1]) || state_check(inputs, n, spec, os.name) != 0) {
        if (spec->destroy)
            spec->destroy(spec->arg);
        return NULL;
    }
    os.scope = gy_stream_scope(inputs[0]);
    os.state = state_op_alloc(spec);
    if (!os.state) {
        if (spec->destroy)
            spec->destroy(spec->arg);
        gy_worker_fail(gy__stream_worker(inputs[0]), "operator '%s': out of memory", os.name);
        return NULL;
    }
    op = gy_op_new(gy_stream_dataflow(inputs[0]), &os);
    if (!op)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        gy_op_connect(op, i, inputs[i], spec->pacts[i]);
    return gy_op_output(op, 0);
}

gy_stream_t *gy_op_unary_state(gy_stream_t *s, const struct gy_state_spec *spec)
{
    return gy__state_new(&s, 1, spec);
}

gy_stream_t *gy_op_binary_state(gy_stream_t *a, gy_stream_t *b, const struct gy_state_spec *spec)
{
    gy_stream_t *in[2] = {a, b};

    return gy__state_new(in, 2, spec);
}

/* ---- notify: buffer the records of a time, hand them over when complete ---- */

/* Spare buffers kept for the next times: enough for the epochs and
 * iterations usually in flight, few enough not to hoard memory. */
#define NOTIFY_SPARES 8

struct recbuf {
    unsigned char *data;
    size_t n;                   /* records held */
    size_t bytes;               /* room; in bytes, as spares move between inputs */
};

struct notify {
    gy_finish_fn finish1;       /* unary */
    gy_finish2_fn finish2;      /* binary */
    void *arg;
    size_t in_size[2];
    struct recbuf spare[NOTIFY_SPARES];
    uint32_t nspare;
};

static void notify_free(void *arg)
{
    struct notify *nt = arg;

    for (uint32_t i = 0; i < nt->nspare; i++)
        gy_free(nt->spare[i].data);
    gy_free(nt);
}

static void recbuf_recycle(struct notify *nt, struct recbuf *b)
{
    if (b->data && nt->nspare < NOTIFY_SPARES) {
        b->n = 0;
        nt->spare[nt->nspare++] = *b;
    } else {
        gy_free(b->data);
    }
    memset(b, 0, sizeof(*b));
}

static int notify_records(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                          uint32_t n, void *arg)
{
    struct notify *nt = arg;
    struct recbuf *b = &((struct recbuf *)tstate)[port];
    size_t size = nt->in_size[port];
    void *data;

    (void)t;
    if (!b->data && nt->nspare > 0)
        *b = nt->spare[--nt->nspare];
    if (b->n + n > UINT32_MAX)
        return -EOVERFLOW; /* finish takes uint32_t counts */
    data = b->data;
    if (gy_grow(&data, &b->bytes, (b->n + n) * size, 1) != 0)
        return -ENOMEM;
    b->data = data;
    memcpy(b->data + b->n * size, recs, (size_t)n * size);
    b->n += n;
    return 0;
}

static int notify_finish(void *tstate, gy_emit_t *emit, void *arg)
{
    struct notify *nt = arg;
    struct recbuf *b = tstate;
    const struct gy_time *t = gy_emit_time(emit);
    int rc;

    if (nt->finish1)
        rc = nt->finish1(t, b[0].data, (uint32_t)b[0].n, emit, nt->arg);
    else
        rc = nt->finish2(t, b[0].data, (uint32_t)b[0].n, b[1].data, (uint32_t)b[1].n, emit,
                         nt->arg);
    recbuf_recycle(nt, &b[0]);
    recbuf_recycle(nt, &b[1]);
    return rc;
}

static void notify_discard(void *tstate, void *arg)
{
    struct recbuf *b = tstate;

    (void)arg;
    gy_free(b[0].data);
    gy_free(b[1].data);
}

static gy_stream_t *notify_new(gy_stream_t *const *in, uint32_t n, const char *name,
                               const struct gy_pact *pacts, size_t out_size, struct notify proto)
{
    struct gy_state_spec spec = {
        .name = name, .out_size = out_size, .state_size = 2 * sizeof(struct recbuf),
        .on_records = notify_records, .finish = notify_finish, .discard = notify_discard,
        .destroy = notify_free,
    };
    struct notify *nt;

    for (uint32_t i = 0; i < n; i++)
        if (!in[i])
            return NULL;
    nt = gy_malloc(sizeof(*nt));
    if (!nt) {
        gy_worker_fail(gy__stream_worker(in[0]), "operator '%s': out of memory", name);
        return NULL;
    }
    *nt = proto;
    for (uint32_t i = 0; i < n; i++) {
        nt->in_size[i] = gy_stream_rec_size(in[i]);
        spec.pacts[i] = pacts[i];
    }
    spec.arg = nt;
    return gy__state_new(in, n, &spec);
}

gy_stream_t *gy_op_unary_notify(gy_stream_t *s, const char *name, struct gy_pact pact,
                                size_t out_size, gy_finish_fn finish, void *arg)
{
    struct notify proto = {.finish1 = finish, .arg = arg};

    return notify_new(&s, 1, name ? name : "unary_notify", &pact, out_size, proto);
}

gy_stream_t *gy_op_binary_notify(gy_stream_t *a, gy_stream_t *b, const char *name,
                                 struct gy_pact pact_a, struct gy_pact pact_b, size_t out_size,
                                 gy_finish2_fn finish, void *arg)
{
    gy_stream_t *in[2] = {a, b};
    struct gy_pact pacts[2] = {pact_a, pact_b};
    struct notify proto = {.finish2 = finish, .arg = arg};

    return notify_new(in, 2, name ? name : "binary_notify", pacts, out_size, proto);
}
