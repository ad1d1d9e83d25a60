/*
 * Flow control: a per-worker bound on the record batches a worker has made
 * and that are not consumed yet (cfg.channel_bytes), and the scheduling
 * that keeps a bounded worker within it without ever deadlocking. The full
 * argument is docs/flow-control.md; in short:
 *
 *  D = pool.data_live, the worker's data batches that exist: open at an
 *  output, in an outbox or mailbox, queued at an input, lent to a running
 *  operator, or consumed by another worker and not yet taken back. Over
 *  the bound means D >= flow_limit.
 *
 *  Rules while over the bound:
 *   R1 sources wait: gy_worker_wait_room steps the worker instead of
 *      letting gy_input_send give more;
 *   R2 an operator with outputs runs only to consume, at most a batch-full
 *      of records of one time per run, picked most downstream (highest
 *      rank) first and, within a slot, the oldest epoch then the most
 *      advanced loop counters first, so records finish the loop instead of
 *      piling up at early iterations; a run without input waits (it could
 *      only make more);
 *   R3 an operator without outputs always runs and consumes everything;
 *   R4 while L/2 + 2W of its batches are still undrained (outbox, peers'
 *      mailboxes), it runs no operator with outputs: no flooding a peer
 *      that is descheduled;
 *   R5 nothing else is held: no queue refuses a batch, so feedback edges
 *      never block and a loop can always drain.
 *
 *  No deadlock: R1 and R2 wait for D to fall, R4 for peers to dequeue,
 *  which every worker does at every step whatever its state. Every batch
 *  counted in D is either consumable by some worker's next step (R2, R3,
 *  mailboxes are drained every step) or about to become so (open batches
 *  are sealed at the end of the run or step, returns are reclaimed before D
 *  is read). So if no worker can make progress, no batch exists, every D
 *  is 0, no bound is reached, and nothing is held: the run is where an
 *  unbounded run would be. Waits step the worker, and a worker idle while
 *  held asks releasers and drainers to wake it (pool.xwant).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

/* Granted runs per dataflow step over the bound. Enough to carry a batch
 * through a loop body several times per step, few enough that the step
 * still drains the mailbox and publishes progress often. */
#define GY_FLOW_RUNS 64

#define NO_SLOT UINT32_MAX

/* ---- ranks ---- */

/* Raises slot s above every input's source but feedback; true if it moved. */
static bool raise_rank(gy_dataflow_t *df, struct gy__slot *s)
{
    bool moved = false;

    for (uint32_t p = 0; p < s->nin; p++) {
        const struct gy__slot *src = &df->slots[s->in[p].src_slot];
        if (src->kind != GY_SLOT_FEEDBACK && src->rank + 1 > s->rank) {
            s->rank = src->rank + 1;
            moved = true;
        }
    }
    return moved;
}

/* rank = longest path from a slot without inputs, ignoring the edges out of
 * feedback slots, so inside a loop the body ranks above enter and below
 * feedback and leave, and downstream means higher. A cycle that does not
 * pass a feedback slot (an epoch-delay operator) stops growing after
 * nslots passes; ranks only order work, any values are safe. */
int gy__flow_rank(gy_dataflow_t *df)
{
    bool changed = true;

    for (uint32_t s = 0; s < df->nslots; s++)
        df->slots[s].rank = 0;
    for (uint32_t pass = 0; changed && pass < df->nslots; pass++) {
        changed = false;
        for (uint32_t s = 0; s < df->nslots; s++)
            changed |= raise_rank(df, &df->slots[s]);
    }
    return 0;
}

/* ---- choosing and taking batches ---- */

static bool slot_has_input(const struct gy__slot *s)
{
    for (uint32_t p = 0; p < s->nin; p++)
        if (s->in[p].queue.len > 0)
            return true;
    return false;
}

/* Whether a batch at a should be consumed before one at b (same depth): the
 * older epoch first (it is nearer completion), then the larger loop
 * counters, outermost first (depth first: those records are nearest to
 * leaving the loop). */
static bool sooner(const struct gy_time *a, const struct gy_time *b)
{
    if (a->epoch != b->epoch)
        return a->epoch < b->epoch;
    for (uint32_t d = 0; d < a->depth; d++)
        if (a->iter[d] != b->iter[d])
            return a->iter[d] > b->iter[d];
    return false;
}

/* Grants slot this run's batches: on the port holding the soonest batch,
 * the batches at that batch's time, in queue order, up to one batch-full of
 * records (the first always). Not all of the time: in a loop every record
 * of an iteration shares one time, so that would be breadth first. Not
 * just one batch: an exchange splits a batch in W parts at every hop, and
 * running them one by one would never let the outputs regroup. */
static void grant(gy_dataflow_t *df, uint32_t slot)
{
    const struct gy__slot *s = &df->slots[slot];
    const struct gy_batch *best = NULL;

    df->quota_slot = slot;
    df->quota_prev = NULL;
    df->quota_taken = false;
    df->quota_left = 0;
    for (uint32_t p = 0; p < s->nin; p++)
        for (const struct gy_batch *b = s->in[p].queue.head; b; b = b->next)
            if (!best || sooner(&b->time, &best->time)) {
                best = b;
                df->quota_port = p;
            }
    if (best) {
        df->quota_time = best->time;
        df->quota_left = GY_BATCH_BYTES / best->rec_size;
    }
}

/* The next granted batch, unlinked, or NULL. Only appends happen to the
 * queue while its slot runs, so quota_prev stays valid between calls. */
static struct gy_batch *take_granted(gy_dataflow_t *df, struct gy__inport *in)
{
    struct gy_bqueue *q = &in->queue;
    struct gy_batch *prev = df->quota_prev;
    struct gy_batch *b = prev ? prev->next : q->head;

    while (b && !gy_time_eq(&b->time, &df->quota_time)) {
        prev = b;
        b = b->next;
    }
    if (!b || (df->quota_taken && b->count > df->quota_left))
        return NULL;
    df->quota_left -= b->count < df->quota_left ? b->count : df->quota_left;
    df->quota_taken = true;
    if (prev)
        prev->next = b->next;
    else
        q->head = b->next;
    if (q->tail == b)
        q->tail = prev;
    q->len--;
    b->next = NULL;
    df->quota_prev = prev;
    gy__inport_forget(in, b);
    return b;
}

struct gy_batch *gy__flow_take(gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    struct gy__inport *in = &df->slots[slot].in[port];
    struct gy_bqueue *q = &in->queue;

    if (df->slots[slot].nout == 0)
        return gy__inport_pop(in); /* R3: a sink can only free memory */
    if (df->quota_slot == slot)
        return port == df->quota_port ? take_granted(df, in) : NULL;
    if (q->len == 0 || gy__flow_over(df->w))
        return NULL;
    return gy__inport_pop(in);
}

/* ---- running ---- */

/* Puts a slot taken but not run back in the active list (its flag still
 * says active), as a poll if it was taken as one. */
static void requeue(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];
    bool poll = s->taken_poll;

    s->active = false;
    s->taken_poll = false;
    if (poll)
        gy_dataflow_poll(df, slot);
    else
        gy_dataflow_activate(df, slot);
}

/* Under the bound: every active slot once, in creation order, as unbounded
 * workers do; but pops stop at the bound (gy__flow_take), a slot left with
 * input stays active, and once over, the rest wait for the next step.
 * Polls count as in run_active. */
static int run_under(gy_dataflow_t *df)
{
    uint32_t *list, i, real;
    uint32_t n = gy__take_active(df, &list, &real);

    if (n == 0)
        return 0;
    for (i = 0; i < n && !df->failed && !gy_worker_failed(df->w); i++) {
        if (gy__flow_over(df->w))
            break;
        gy__run_slot(df, list[i]);
        if (slot_has_input(&df->slots[list[i]]))
            gy_dataflow_activate(df, list[i]);
    }
    for (; i < n; i++)
        requeue(df, list[i]);
    return gy__round_did(df, real);
}

/* Index in the active list of the slot to run next over the bound, or -1:
 * a slot without outputs at once (R3), else (unless hold) the
 * highest-ranked slot with input (R2). Slots with outputs and no input
 * wait, and so do polls without input: they wait for an event, which a
 * run could not bring about (input activates a slot for work anyway). */
static int64_t pick(const gy_dataflow_t *df, bool hold)
{
    int64_t best = -1;
    uint32_t best_rank = 0;

    for (uint32_t i = 0; i < df->nactive; i++) {
        const struct gy__slot *s = &df->slots[df->active[i]];
        if (s->poll && !slot_has_input(s))
            continue;
        if (s->nout == 0)
            return i;
        if (!hold && slot_has_input(s) && (best < 0 || s->rank > best_rank)) {
            best = i;
            best_rank = s->rank;
        }
    }
    return best;
}

/* One run over the bound: the picked slot, granted a batch-full. */
static bool run_over(gy_dataflow_t *df, bool hold)
{
    int64_t i = pick(df, hold);
    uint32_t slot;

    if (i < 0) {
        df->w->flow_holds += hold;
        df->w->flow_want = true;
        return false;
    }
    slot = df->active[i];
    df->active[i] = df->active[--df->nactive];
    df->slots[slot].active = false;
    if (df->slots[slot].nout > 0)
        grant(df, slot);
    gy__run_slot(df, slot);
    df->quota_slot = NO_SLOT;
    df->w->flow_runs++;
    if (slot_has_input(&df->slots[slot]))
        gy_dataflow_activate(df, slot);
    return true;
}

/* Over the bound, a worker stops producing while this many of its batches
 * wait in its outbox or in peers' mailboxes: a peer that is slow to drain
 * (descheduled, with more workers than cores) is not flooded, yet some stay
 * in flight, half the bound and two per peer (one feedback run sends up to
 * one per peer), so that workers need not take turns. */
static bool hold(gy_worker_t *w)
{
    uint64_t undrained;

    w->flow_seen_drained = atomic_load_explicit(&w->pool.xdrained, memory_order_seq_cst);
    undrained = w->pool.sent_remote - w->flow_seen_drained;
    return undrained > 0 && undrained >= w->flow_limit / 2 + 2 * (uint64_t)w->peers;
}

int gy__flow_run(gy_dataflow_t *df)
{
    int did = 0;

    if (!gy__flow_over(df->w))
        did = run_under(df);
    /* One progress message per peer for all the runs below, not per run. */
    df->outbox_defer = true;
    for (uint32_t k = 0; k < GY_FLOW_RUNS && gy__flow_over(df->w); k++) {
        if (df->failed || gy_worker_failed(df->w) || !run_over(df, hold(df->w)))
            break;
        did = 1;
    }
    df->outbox_defer = false;
    gy__flush_outbox(df);
    return did;
}

/* ---- the worker's side ---- */

size_t gy_runtime_batch_bytes(void)
{
    return sizeof(struct gy_batch);
}

bool gy_worker_bounded(const gy_worker_t *w)
{
    return gy__flow_bounded(w);
}

bool gy_worker_in_step(const gy_worker_t *w)
{
    return w->stepping;
}

void gy_worker_mem_stats(gy_worker_t *w, struct gy_worker_mem *out)
{
    const uint64_t fp = sizeof(struct gy_batch);

    gy__pool_reclaim(&w->pool);
    out->bound = w->rt->channel_bytes;
    out->data_bytes = w->pool.data_live * fp;
    out->data_peak = w->pool.data_peak * fp;
    out->pool_bytes = w->pool.allocated * fp;
    out->throttled_runs = w->flow_runs;
    out->waits = w->flow_waits;
    out->holds = w->flow_holds;
}

int gy_worker_wait_room(gy_worker_t *w)
{
    int rc;

    if (!gy__flow_bounded(w) || w->stepping)
        return 0;
    while (gy__flow_over(w)) {
        w->flow_waits++;
        rc = gy_worker_step(w);
        if (rc < 0)
            return -ECANCELED;
        if (rc == 0) {
            w->flow_want = true; /* what we wait for is a return */
            gy__worker_idle_wait(w);
        }
    }
    return gy_worker_failed(w) ? -ECANCELED : 0;
}
