/*
 * Dataflows: construction, channels, progress accounting and scheduling of
 * operator slots on one worker. See runtime/dataflow.h for the contract and
 * runtime/worker.c for the protocol argument.
 */
#include "runtime/dataflow.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"
#include "progress/topology.h"
#include "progress/tracker.h"
#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

#define NO_SLOT UINT32_MAX

uint32_t gy_key_worker(uint64_t key, uint32_t peers)
{
    /* Fast, and every worker computes the same owner for the same key. */
    return gy__key_worker(key, peers);
}

/* ---- small vectors ---- */

static int u32_push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    void *p = *v;
    size_t c = *cap;

    if (gy_grow(&p, &c, (size_t)*n + 1, sizeof(**v)) != 0)
        return -ENOMEM;
    *v = p;
    *cap = (uint32_t)c;
    (*v)[(*n)++] = x;
    return 0;
}

int gy__pvec_push(struct gy__pvec *v, uint32_t loc, const struct gy_time *t, int64_t delta)
{
    void *p = v->items;
    size_t c = v->cap;

    if (GY_UNLIKELY(v->len == v->cap)) {
        if (gy_grow(&p, &c, (size_t)v->len + 1, sizeof(*v->items)) != 0)
            return -ENOMEM;
        v->items = p;
        v->cap = (uint32_t)c;
    }
    v->items[v->len].loc = loc;
    v->items[v->len].pad_ = 0;
    v->items[v->len].time = *t;
    v->items[v->len].delta = delta;
    v->len++;
    return 0;
}

int gy__record(gy_dataflow_t *df, struct gy__pvec *v, uint32_t loc, const struct gy_time *t,
               int64_t delta)
{
    if (gy__pvec_push(v, loc, t, delta) != 0)
        return gy_worker_fail(df->w, "dataflow '%s': out of memory recording progress", df->name);
    return 0;
}

int gy__apply_updates(gy_dataflow_t *df, const struct gy_pupdate *u, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (gy_tracker_update(df->tracker, u[i].loc, &u[i].time, u[i].delta) != 0)
            return gy_worker_fail(df->w, "dataflow '%s': out of memory in progress", df->name);
        df->tracker_dirty = true;
    }
    return 0;
}

/* ---- failure ---- */

/* The one place a dataflow turns a failure into the run's message. */
static int df_vfail(gy_dataflow_t *df, const char *kind, const char *name, const char *fmt,
                    va_list ap)
{
    char msg[768];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    df->failed = true;
    return gy_worker_fail(df->w, "%s '%s': %s", kind, name, msg);
}

static int df_fail(gy_dataflow_t *df, const char *fmt, ...) GY_PRINTF(2, 3);

static int df_fail(gy_dataflow_t *df, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = df_vfail(df, "dataflow", df->name, fmt, ap);
    va_end(ap);
    return rc;
}

int gy_dataflow_vfail_slot(gy_dataflow_t *df, uint32_t slot, const char *fmt, va_list ap)
{
    return df_vfail(df, "operator", df->slots[slot].name, fmt, ap);
}

int gy_dataflow_fail_slot(gy_dataflow_t *df, uint32_t slot, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = gy_dataflow_vfail_slot(df, slot, fmt, ap);
    va_end(ap);
    return rc;
}

/* Remembers the first construction error; build reports it. */
static void df_bad(gy_dataflow_t *df, const char *fmt, ...) GY_PRINTF(2, 3);

static void df_bad(gy_dataflow_t *df, const char *fmt, ...)
{
    va_list ap;

    if (df->bad)
        return;
    df->bad = true;
    va_start(ap, fmt);
    vsnprintf(df->why, sizeof(df->why), fmt, ap);
    va_end(ap);
}

/* ---- creation ---- */

gy_dataflow_t *gy_dataflow_new(gy_worker_t *w, const char *name)
{
    gy_dataflow_t *df = gy_calloc(1, sizeof(*df));

    if (!df)
        return NULL;
    df->w = w;
    df->stats = w->rt->stats;
    df->peers = gy_worker_peers(w);
    df->me = gy_worker_index(w);
    df->running = NO_SLOT;
    df->quota_slot = NO_SLOT;
    df->name = strdup(name ? name : "dataflow");
    df->outbox = gy_calloc(df->peers, sizeof(*df->outbox));
    if (!df->name || !df->outbox || u32_push(&df->scope_parent, &df->nscopes, &df->cap_scopes, 0) ||
        gy__worker_register(w, df, &df->id) != 0) {
        free(df->name);
        gy_free(df->outbox);
        gy_free(df->scope_parent);
        gy_free(df);
        return NULL;
    }
    return df;
}

gy_worker_t *gy_dataflow_worker(const gy_dataflow_t *df)
{
    return df->w;
}

uint32_t gy_dataflow_scope_depth(const gy_dataflow_t *df, uint32_t scope)
{
    uint32_t d = 0;

    while (scope != 0) {
        scope = df->scope_parent[scope];
        d++;
    }
    return d;
}

uint32_t gy_dataflow_scope_parent(const gy_dataflow_t *df, uint32_t scope)
{
    return df->scope_parent[scope];
}

int gy_dataflow_add_scope(gy_dataflow_t *df, uint32_t parent)
{
    if (parent >= df->nscopes) {
        df_bad(df, "loop scope %u has unknown parent scope %u", df->nscopes, parent);
        return -EINVAL;
    }
    if (gy_dataflow_scope_depth(df, parent) + 1 > GY_MAX_DEPTH) {
        df_bad(df, "loops nested deeper than %d", GY_MAX_DEPTH);
        return -EINVAL;
    }
    if (u32_push(&df->scope_parent, &df->nscopes, &df->cap_scopes, parent) != 0) {
        df_bad(df, "out of memory");
        return -ENOMEM;
    }
    return (int)df->nscopes - 1;
}

/* Scope of input / output ports by slot kind (loop boundaries straddle two). */
uint32_t gy__slot_input_scope(const gy_dataflow_t *df, const struct gy__slot *s)
{
    return s->kind == GY_SLOT_ENTER ? df->scope_parent[s->scope] : s->scope;
}

uint32_t gy__slot_output_scope(const gy_dataflow_t *df, const struct gy__slot *s)
{
    return s->kind == GY_SLOT_LEAVE ? df->scope_parent[s->scope] : s->scope;
}

static int slot_copy_summaries(struct gy__slot *s, const struct gy_summaries *src)
{
    uint32_t n = s->nin * s->nout;

    if (!src || n == 0)
        return 0;
    s->summaries = gy_calloc(n, sizeof(*s->summaries));
    if (!s->summaries)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        if (gy_summaries_copy(&s->summaries[i], &src[i]) != 0)
            return -ENOMEM;
    return 0;
}

static int slot_init(gy_dataflow_t *df, struct gy__slot *s, const struct gy_slot_spec *spec)
{
    memset(s, 0, sizeof(*s));
    s->name = strdup(spec->name ? spec->name : "operator");
    s->kind = spec->kind;
    s->scope = spec->scope;
    s->nin = spec->ninputs;
    s->nout = spec->noutputs;
    s->feedback_step = spec->feedback_step;
    if (spec->vt)
        s->vt = *spec->vt;
    s->ctx = spec->ctx;
    s->in = gy_calloc(s->nin ? s->nin : 1, sizeof(*s->in));
    s->out = gy_calloc(s->nout ? s->nout : 1, sizeof(*s->out));
    if (!s->name || !s->in || !s->out || slot_copy_summaries(s, spec->summaries) != 0)
        return -ENOMEM;
    for (uint32_t o = 0; o < s->nout; o++) {
        s->out[o].rec_size = spec->rec_sizes[o];
        if (s->out[o].rec_size == 0 || s->out[o].rec_size > GY_BATCH_BYTES) {
            df_bad(df, "operator '%s' output %u: record size %zu not in 1..%d", s->name, o,
                   s->out[o].rec_size, GY_BATCH_BYTES);
            return -EINVAL;
        }
        s->out[o].batch_cap = (uint32_t)(GY_BATCH_BYTES / s->out[o].rec_size);
    }
    return 0;
}

static int check_spec(gy_dataflow_t *df, const struct gy_slot_spec *spec)
{
    bool boundary = spec->kind != GY_SLOT_PLAIN;

    if (spec->scope >= df->nscopes) {
        df_bad(df, "operator '%s' is in unknown scope %u", spec->name, spec->scope);
        return -EINVAL;
    }
    if (boundary && (spec->scope == 0 || spec->ninputs != 1 || spec->noutputs != 1)) {
        df_bad(df, "loop operator '%s' needs a loop scope and one input and output", spec->name);
        return -EINVAL;
    }
    if (spec->kind == GY_SLOT_FEEDBACK && spec->feedback_step == 0) {
        df_bad(df, "feedback '%s' does not advance the loop counter (step 0): "
                   "the loop would never finish an iteration", spec->name);
        return -EINVAL;
    }
    return 0;
}

int gy_dataflow_add_slot(gy_dataflow_t *df, const struct gy_slot_spec *spec)
{
    void *p = df->slots;
    size_t cap = df->cap_slots;
    int rc;

    if (df->built) {
        df_bad(df, "operator '%s' added after the dataflow was built", spec->name);
        rc = -EINVAL;
        goto refuse;
    }
    if ((rc = check_spec(df, spec)) != 0)
        goto refuse;
    if (gy_grow(&p, &cap, (size_t)df->nslots + 1, sizeof(*df->slots)) != 0) {
        df_bad(df, "out of memory");
        rc = -ENOMEM;
        goto refuse;
    }
    df->slots = p;
    df->cap_slots = (uint32_t)cap;
    rc = slot_init(df, &df->slots[df->nslots], spec);
    df->nslots++; /* counted even on failure, so free releases what init made */
    if (rc != 0) {
        df_bad(df, "cannot create operator '%s': %s", spec->name, strerror(-rc));
        return rc;
    }
    return (int)df->nslots - 1;
refuse:
    if (spec->vt && spec->vt->destroy)
        spec->vt->destroy(spec->ctx);
    return rc;
}

void gy_dataflow_connect(gy_dataflow_t *df, uint32_t src, uint32_t src_port, uint32_t dst,
                         uint32_t dst_port, struct gy_pact pact)
{
    struct gy__inport *in;

    if (src >= df->nslots || dst >= df->nslots || src_port >= df->slots[src].nout ||
        dst_port >= df->slots[dst].nin) {
        df_bad(df, "connection %u.%u -> %u.%u names no such port", src, src_port, dst, dst_port);
        return;
    }
    in = &df->slots[dst].in[dst_port];
    if (in->connected) {
        df_bad(df, "operator '%s' input %u is connected twice (merge streams with concat)",
               df->slots[dst].name, dst_port);
        return;
    }
    if (pact.kind == GY_PACT_EXCHANGE && !pact.key) {
        df_bad(df, "operator '%s' input %u: exchange without a key function", df->slots[dst].name,
               dst_port);
        return;
    }
    in->connected = true;
    in->src_slot = src;
    in->src_port = src_port;
    in->pact = pact;
}

void gy_dataflow_initial_capability(gy_dataflow_t *df, uint32_t slot, const struct gy_time *t)
{
    void *p = df->initial;
    size_t cap = df->cap_initial;

    if (gy_grow(&p, &cap, (size_t)df->ninitial + 1, sizeof(*df->initial)) != 0) {
        df_bad(df, "out of memory");
        return;
    }
    df->initial = p;
    df->cap_initial = (uint32_t)cap;
    df->initial[df->ninitial].slot = slot;
    df->initial[df->ninitial].time = *t;
    df->ninitial++;
}

/* ---- accessors ---- */

uint32_t gy_dataflow_slot_ninputs(const gy_dataflow_t *df, uint32_t slot)
{
    return df->slots[slot].nin;
}

uint32_t gy_dataflow_slot_noutputs(const gy_dataflow_t *df, uint32_t slot)
{
    return df->slots[slot].nout;
}

uint32_t gy_dataflow_slot_scope(const gy_dataflow_t *df, uint32_t slot)
{
    return df->slots[slot].scope;
}

size_t gy_dataflow_output_rec_size(const gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    return df->slots[slot].out[port].rec_size;
}

uint32_t gy_dataflow_output_batch_records(const gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    return df->slots[slot].out[port].batch_cap;
}

uint32_t gy_dataflow_output_scope(const gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    (void)port;
    return gy__slot_output_scope(df, &df->slots[slot]);
}

const char *gy_dataflow_slot_name(const gy_dataflow_t *df, uint32_t slot)
{
    return df->slots[slot].name;
}

bool gy__dataflow_is_built(const gy_dataflow_t *df)
{
    return df->built;
}

const struct gy_antichain *gy_dataflow_frontier(const gy_dataflow_t *df, uint32_t slot,
                                                uint32_t port)
{
    return gy_tracker_frontier(df->tracker, df->slots[slot].in[port].loc);
}

bool gy_dataflow_has_input(const gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    return df->slots[slot].in[port].queue.len > 0;
}

void gy_dataflow_activate(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];

    if (s->active) {
        /* Polled, now work too: in the list (poll), or taken from it and
         * not run yet (taken_poll, which flow.c's requeue reads). */
        if (s->poll) {
            s->poll = false;
            df->npoll--;
        }
        s->taken_poll = false;
        return;
    }
    if (u32_push(&df->active, &df->nactive, &df->cap_active, slot) != 0) {
        df_fail(df, "out of memory activating '%s'", s->name);
        return;
    }
    s->active = true;
}

/* A poll joins the active list like any activation; only its counting
 * differs (gy__round_did), so the order of runs is unchanged. */
void gy_dataflow_poll(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];

    if (s->active)
        return; /* already due to run, as a poll or for work */
    if (u32_push(&df->active, &df->nactive, &df->cap_active, slot) != 0) {
        df_fail(df, "out of memory activating '%s'", s->name);
        return;
    }
    s->active = true;
    s->poll = true;
    df->npoll++;
}

bool gy_dataflow_complete(const gy_dataflow_t *df)
{
    /* Pending activations matter too: an operator without outputs holds no
     * pointstamp for its notifications, yet must run once more to deliver
     * them after the last frontier change. */
    return df->built && !df->tracker_dirty && df->produced.len == 0 && df->other.len == 0 &&
           df->local.len == 0 && df->nactive == 0 && df->ndirty == 0 &&
           gy_tracker_is_empty(df->tracker);
}

int gy__df_report(gy_dataflow_t *df, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    df_vfail(df, "dataflow", df->name, fmt, ap);
    va_end(ap);
    return -EINVAL;
}
