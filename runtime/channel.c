/*
 * Channels: filling batches per destination worker, sealing them (which
 * counts +1 at the consuming input), and publishing progress and data in
 * the order the protocol needs (runtime/worker.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

/* Constant-size copies for the common record sizes compile to moves. */
static inline void copy_rec(void *dst, const void *src, size_t size)
{
    switch (size) {
    case 8: memcpy(dst, src, 8); break;
    case 16: memcpy(dst, src, 16); break;
    case 24: memcpy(dst, src, 24); break;
    case 32: memcpy(dst, src, 32); break;
    default: memcpy(dst, src, size); break;
    }
}

/* Queues b at in, or appends its records to the batch queued last at b's
 * time when that one has room: returns true if merged (b is then free).
 * Exchanges split batches (k records become W batches of k / W) and a loop
 * would split them again at every hop, until per-batch costs and batch
 * memory dominate; regrouping where batches meet keeps them full. Records
 * of one time keep their order; across times there is none to keep. */
static bool enqueue(struct gy__inport *in, struct gy_batch *b)
{
    const uint32_t way = gy__merge_way(&b->time);
    const uint32_t cap = GY_BATCH_BYTES / b->rec_size;
    struct gy_batch *t = in->last[way];

    /* The table lost this time to another one: look for it, if b is small
     * enough to be worth it (a batch over half full rarely fits). */
    if ((!t || !gy_time_eq(&t->time, &b->time)) && b->count <= cap / 2) {
        t = NULL;
        for (struct gy_batch *c = in->queue.head; c; c = c->next)
            if (gy_time_eq(&c->time, &b->time))
                t = c;
    }
    if (t && gy_time_eq(&t->time, &b->time) && t->count + b->count <= cap) {
        memcpy(t->data + (size_t)t->count * b->rec_size, b->data,
               (size_t)b->count * b->rec_size);
        t->count += b->count;
        in->last[way] = t;
        return true;
    }
    gy_bqueue_push(&in->queue, b);
    in->last[way] = b;
    return false;
}

void gy__enqueue_remote(gy_dataflow_t *df, struct gy_batch *b)
{
    const uint32_t slot = df->loc_slot[b->loc];

    gy_dataflow_activate(df, slot);
    if (!enqueue(&df->slots[slot].in[df->loc_port[b->loc]], b))
        return;
    /* Its sender counted it (+1, already applied here): consumed now. */
    if (gy__record(df, &df->other, b->loc, &b->time, -1) != 0)
        df->failed = true;
    gy__batch_release(&df->w->pool, b);
}

/* Stats: a batch out of pu's producer, and, bound for a peer, data sent. */
static void count_sealed(gy_dataflow_t *df, const struct gy__pusher *pu, uint32_t dest,
                         const struct gy_batch *b)
{
    df->slots[pu->src_slot].st.batches_out++;
    if (dest != df->me) {
        df->w->st.data_batches++;
        df->w->st.data_bytes += (uint64_t)b->count * b->rec_size;
    }
}

/* Hands a full (or final) batch to its destination. Local batches go
 * straight to the input's queue (or into its last batch, uncounted);
 * remote ones wait in the outbox until the +1 that counts them has been
 * published. */
static int seal(gy_dataflow_t *df, struct gy__pusher *pu, uint32_t dest)
{
    struct gy_batch *b = pu->open[dest];

    pu->open[dest] = NULL;
    if (!b)
        return 0;
    if (b->count == 0) { /* opened ahead by an exchange, never filled */
        gy__batch_release(&df->w->pool, b);
        return 0;
    }
    b->dataflow = df->id;
    b->loc = pu->loc;
    if (GY_UNLIKELY(df->stats))
        count_sealed(df, pu, dest, b);
    if (dest == df->me) {
        gy_dataflow_activate(df, pu->slot);
        if (enqueue(&df->slots[pu->slot].in[pu->port], b)) {
            gy__batch_release(&df->w->pool, b);
            return 0;
        }
        return gy__record(df, &df->other, pu->loc, &b->time, 1);
    }
    gy_bqueue_push(&df->outbox[dest], b);
    df->outbox_dirty = true;
    df->w->pool.sent_remote++;
    return gy__record(df, &df->produced, pu->loc, &b->time, 1);
}

static struct gy_batch *open_batch(gy_dataflow_t *df, struct gy__pusher *pu, uint32_t dest,
                                   const struct gy_time *t, size_t rec_size)
{
    struct gy_batch *b = pu->open[dest];

    if (b && GY_LIKELY(gy_time_eq(&b->time, t)))
        return b;
    if (b && seal(df, pu, dest) != 0)
        return NULL;
    b = gy__pool_get_data(&df->w->pool);
    if (!b) {
        gy_worker_fail(df->w, "dataflow '%s': out of memory for a batch", df->name);
        return NULL;
    }
    b->time = *t;
    b->rec_size = (uint32_t)rec_size;
    pu->open[dest] = b;
    return b;
}

/* Appends a run of records to one destination, a batch-full at a time. */
static int push_run(gy_dataflow_t *df, struct gy__outport *out, struct gy__pusher *pu,
                    uint32_t dest, const struct gy_time *t, const unsigned char *recs, uint32_t n)
{
    while (n > 0) {
        struct gy_batch *b = open_batch(df, pu, dest, t, out->rec_size);
        uint32_t room, k;
        if (!b)
            return -ECANCELED;
        room = out->batch_cap - b->count;
        k = n < room ? n : room;
        memcpy(b->data + (size_t)b->count * out->rec_size, recs, (size_t)k * out->rec_size);
        b->count += k;
        recs += (size_t)k * out->rec_size;
        n -= k;
        if (b->count == out->batch_cap && seal(df, pu, dest) != 0)
            return -ECANCELED;
    }
    return 0;
}

/* Where push_exchange writes the next record for one destination, and the
 * end of that destination's batch. Kept in locals, not in the batches'
 * count fields: the record copies are char stores that may alias a count,
 * so a count in memory is loaded and stored again for every record. */
struct cursor {
    unsigned char *at, *end;
};

#define CURSORS_MAX 64u /* peers routed through locals; more take the plain loop */

static bool cursor_open(gy_dataflow_t *df, struct gy__pusher *pu, uint32_t d,
                        const struct gy_time *t, const struct gy__outport *out, struct cursor *c)
{
    struct gy_batch *b = open_batch(df, pu, d, t, out->rec_size);

    if (!b)
        return false;
    c->at = b->data + (size_t)b->count * out->rec_size;
    c->end = b->data + (size_t)out->batch_cap * out->rec_size;
    return true;
}

/* Writes cursor d's position back into its batch's count. */
static void cursor_close(struct gy__pusher *pu, uint32_t d, const struct cursor *c, size_t rs)
{
    struct gy_batch *b = pu->open[d];

    b->count = (uint32_t)((size_t)(c->at - b->data) / rs);
}

/* Routes each record of size rs by key. Every destination's batch is
 * opened once per call, so the per-record path is a hash, a copy and a
 * pointer bump: no time comparison, no call unless a batch fills up.
 * push_exchange_cursors inlines it with a constant rs for the common
 * sizes, so the copy is a few vector moves instead of a switch per record. */
static inline __attribute__((always_inline)) int
route_cursors(gy_dataflow_t *df, struct gy__outport *out, struct gy__pusher *pu,
              const struct gy_time *t, const unsigned char *recs, uint32_t n, size_t rs)
{
    const gy_key_fn key = pu->pact.key;
    void *arg = pu->pact.key_arg;
    const uint32_t peers = df->peers;
    struct cursor cur[CURSORS_MAX];

    for (uint32_t d = 0; d < peers; d++)
        if (!cursor_open(df, pu, d, t, out, &cur[d]))
            return -ECANCELED;
    for (uint32_t i = 0; i < n; i++, recs += rs) {
        uint32_t d = gy__key_worker(key(recs, arg), peers);
        copy_rec(cur[d].at, recs, rs);
        cur[d].at += rs;
        if (GY_UNLIKELY(cur[d].at == cur[d].end)) {
            cursor_close(pu, d, &cur[d], rs);
            if (seal(df, pu, d) != 0 || !cursor_open(df, pu, d, t, out, &cur[d]))
                return -ECANCELED;
        }
    }
    for (uint32_t d = 0; d < peers; d++)
        cursor_close(pu, d, &cur[d], rs);
    return 0;
}

static int push_exchange_cursors(gy_dataflow_t *df, struct gy__outport *out,
                                 struct gy__pusher *pu, const struct gy_time *t,
                                 const unsigned char *recs, uint32_t n)
{
    switch (out->rec_size) {
    case 16: return route_cursors(df, out, pu, t, recs, n, 16);
    case 32: return route_cursors(df, out, pu, t, recs, n, 32);
    default: return route_cursors(df, out, pu, t, recs, n, out->rec_size);
    }
}

/* push_exchange_cursors for more than CURSORS_MAX peers: counts in memory. */
static int push_exchange_wide(gy_dataflow_t *df, struct gy__outport *out, struct gy__pusher *pu,
                              const struct gy_time *t, const unsigned char *recs, uint32_t n)
{
    const gy_key_fn key = pu->pact.key;
    void *arg = pu->pact.key_arg;
    const size_t rs = out->rec_size;
    const uint32_t cap = out->batch_cap, peers = df->peers;

    for (uint32_t d = 0; d < peers; d++)
        if (!open_batch(df, pu, d, t, rs))
            return -ECANCELED;
    for (uint32_t i = 0; i < n; i++, recs += rs) {
        uint32_t dest = gy__key_worker(key(recs, arg), peers);
        struct gy_batch *b = pu->open[dest];
        copy_rec(b->data + (size_t)b->count * rs, recs, rs);
        if (GY_UNLIKELY(++b->count == cap) &&
            (seal(df, pu, dest) != 0 || !open_batch(df, pu, dest, t, rs)))
            return -ECANCELED;
    }
    return 0;
}

static int push_exchange(gy_dataflow_t *df, struct gy__outport *out, struct gy__pusher *pu,
                         const struct gy_time *t, const unsigned char *recs, uint32_t n)
{
    if (df->peers == 1)
        return push_run(df, out, pu, 0, t, recs, n);
    if (df->peers <= CURSORS_MAX)
        return push_exchange_cursors(df, out, pu, t, recs, n);
    return push_exchange_wide(df, out, pu, t, recs, n);
}

static int push(gy_dataflow_t *df, struct gy__outport *out, struct gy__pusher *pu,
                const struct gy_time *t, const unsigned char *recs, uint32_t n)
{
    switch (pu->pact.kind) {
    case GY_PACT_EXCHANGE:
        return push_exchange(df, out, pu, t, recs, n);
    case GY_PACT_BROADCAST:
        for (uint32_t d = 0; d < df->peers; d++)
            if (push_run(df, out, pu, d, t, recs, n) != 0)
                return -ECANCELED;
        return 0;
    case GY_PACT_PIPELINE:
    default:
        return push_run(df, out, pu, df->me, t, recs, n);
    }
}

static void mark_dirty(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];
    void *p = df->dirty;
    size_t cap = df->cap_dirty;

    if (s->dirty)
        return;
    if (gy_grow(&p, &cap, (size_t)df->ndirty + 1, sizeof(*df->dirty)) != 0) {
        gy_worker_fail(df->w, "dataflow '%s': out of memory", df->name);
        return;
    }
    df->dirty = p;
    df->cap_dirty = (uint32_t)cap;
    df->dirty[df->ndirty++] = slot;
    s->dirty = true;
}

int gy_dataflow_give(gy_dataflow_t *df, uint32_t slot, uint32_t port, const struct gy_time *t,
                     const void *recs, uint32_t n)
{
    struct gy__outport *out = &df->slots[slot].out[port];

    if (n == 0)
        return 0;
    if (GY_UNLIKELY(df->stats))
        df->slots[slot].st.records_out += n;
    for (uint32_t i = 0; i < out->npushers; i++)
        if (push(df, out, &out->pushers[i], t, recs, n) != 0)
            return -ECANCELED;
    if (df->running != slot)
        mark_dirty(df, slot);
    return 0;
}

/* ---- publication ---- */

static int cmp_update(const void *a, const void *b)
{
    const struct gy_pupdate *x = a, *y = b;

    if (x->loc != y->loc)
        return x->loc < y->loc ? -1 : 1;
    return gy_time_cmp(&x->time, &y->time);
}

/* Sorts, merges equal pointstamps, drops zeros, then puts every positive
 * update before every negative one: any prefix of the result that a peer
 * applies is then safe (never a -1 without the +1s of the same step). */
static void consolidate(struct gy__pvec *v)
{
    uint32_t n = 0, m = 0;
    struct gy_pupdate tmp;

    if (v->len == 0)
        return; /* items may be NULL, which qsort must not see */
    qsort(v->items, v->len, sizeof(*v->items), cmp_update);
    for (uint32_t i = 0; i < v->len; i++) {
        if (n > 0 && v->items[n - 1].loc == v->items[i].loc &&
            gy_time_eq(&v->items[n - 1].time, &v->items[i].time))
            v->items[n - 1].delta += v->items[i].delta;
        else
            v->items[n++] = v->items[i];
    }
    for (uint32_t i = 0; i < n; i++)
        if (v->items[i].delta != 0)
            v->items[m++] = v->items[i];
    n = 0;
    for (uint32_t i = 0; i < m; i++)
        if (v->items[i].delta > 0) {
            tmp = v->items[n];
            v->items[n++] = v->items[i];
            v->items[i] = tmp;
        }
    v->len = m;
}

static int append_all(struct gy__pvec *dst, const struct gy__pvec *src)
{
    for (uint32_t i = 0; i < src->len; i++)
        if (gy__pvec_push(dst, src->items[i].loc, &src->items[i].time, src->items[i].delta) != 0)
            return -ENOMEM;
    return 0;
}

/* Sends v to every other worker, in chunks of one batch. With stats on,
 * each batch carries when it was sent (one clock read for them all); the
 * time is returned in *sent_ns (left alone otherwise). */
static int broadcast(gy_dataflow_t *df, const struct gy__pvec *v, uint64_t *sent_ns)
{
    const uint32_t per = GY_BATCH_BYTES / sizeof(struct gy_pupdate);
    const uint64_t now = df->stats && v->len > 0 && df->peers > 1 ? gy__stats_clock() : 0;

    if (now != 0)
        *sent_ns = now;
    for (uint32_t d = 0; d < df->peers; d++) {
        if (d == df->me)
            continue;
        for (uint32_t off = 0; off < v->len; off += per) {
            struct gy_batch *b = gy__pool_get(&df->w->pool);
            uint32_t k = v->len - off < per ? v->len - off : per;
            if (!b)
                return -ENOMEM;
            b->kind = GY_BATCH_PROGRESS;
            b->dataflow = df->id;
            b->count = k;
            b->sent_ns = now;
            memcpy(b->data, &v->items[off], (size_t)k * sizeof(struct gy_pupdate));
            if (now != 0) {
                df->w->st.progress_batches++;
                df->w->st.progress_updates += k;
            }
            gy__worker_send(df->w, d, b);
        }
    }
    return 0;
}

int gy__flush_outbox(gy_dataflow_t *df)
{
    uint64_t sent_ns = 0; /* the +1s reach our own tracker at the step's end */

    if (!df->outbox_dirty)
        return 0;
    consolidate(&df->produced);
    if (broadcast(df, &df->produced, &sent_ns) != 0 ||
        append_all(&df->local, &df->produced) != 0)
        return gy_worker_fail(df->w, "dataflow '%s': out of memory sending progress", df->name);
    df->produced.len = 0;
    for (uint32_t d = 0; d < df->peers; d++) {
        struct gy_batch *b;
        while ((b = gy_bqueue_pop(&df->outbox[d])) != NULL)
            gy__worker_send(df->w, d, b);
    }
    df->outbox_dirty = false;
    return 0;
}

void gy__flush_slot(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];

    for (uint32_t o = 0; o < s->nout; o++)
        for (uint32_t i = 0; i < s->out[o].npushers; i++)
            for (uint32_t d = 0; d < df->peers; d++)
                if (s->out[o].pushers[i].open[d] && seal(df, &s->out[o].pushers[i], d) != 0)
                    return;
    s->dirty = false;
    if (!df->outbox_defer)
        gy__flush_outbox(df);
}

void gy__flush_dirty(gy_dataflow_t *df)
{
    while (df->ndirty > 0)
        gy__flush_slot(df, df->dirty[--df->ndirty]);
}

/* Stats: our own updates count as published when the step applies them
 * (sent_ns, if they were broadcast just now), for frontier-advance latency. */
static void stamp_local(gy_dataflow_t *df, uint64_t sent_ns)
{
    uint64_t t = sent_ns != 0 ? sent_ns : gy__stats_clock();

    if (df->pend_ns == 0 || t < df->pend_ns)
        df->pend_ns = t;
}

/* End of step: one consolidated batch of this step's updates to every
 * other worker, then the same updates (and those published early) to our
 * own tracker. Returns 1 if anything was published. */
int gy__publish(gy_dataflow_t *df)
{
    int any = df->produced.len || df->other.len || df->local.len;
    uint64_t sent_ns = 0;

    if (!any)
        return 0;
    if (append_all(&df->other, &df->produced) != 0)
        goto oom;
    df->produced.len = 0;
    if (df->peers > 1) {
        consolidate(&df->other);
        if (broadcast(df, &df->other, &sent_ns) != 0)
            goto oom;
    }
    if (GY_UNLIKELY(df->stats))
        stamp_local(df, sent_ns);
    if (gy__apply_updates(df, df->local.items, df->local.len) != 0 ||
        gy__apply_updates(df, df->other.items, df->other.len) != 0)
        return -ECANCELED;
    df->local.len = 0;
    df->other.len = 0;
    return 1;
oom:
    return gy_worker_fail(df->w, "dataflow '%s': out of memory publishing progress", df->name);
}

void gy__channels_release(gy_dataflow_t *df)
{
    struct gy__pool *pool = &df->w->pool;
    struct gy_batch *b;

    for (uint32_t s = 0; s < df->nslots; s++) {
        struct gy__slot *sl = &df->slots[s];
        for (uint32_t p = 0; p < sl->nin; p++)
            while ((b = gy__inport_pop(&sl->in[p])) != NULL)
                gy__batch_release(pool, b);
        for (uint32_t o = 0; o < sl->nout; o++)
            for (uint32_t i = 0; i < sl->out[o].npushers; i++)
                for (uint32_t d = 0; d < df->peers; d++)
                    if (sl->out[o].pushers[i].open[d])
                        gy__batch_release(pool, sl->out[o].pushers[i].open[d]);
    }
    for (uint32_t d = 0; d < df->peers; d++)
        while ((b = gy_bqueue_pop(&df->outbox[d])) != NULL)
            gy__batch_release(pool, b);
}
