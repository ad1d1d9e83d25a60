/*
 * Aggregation by key per timestamp: gy_op_aggregate and gy_op_count.
 *
 * Two operators. "<name>.pre" combines, per input batch and worker, the
 * values of the records that share a key and sends (key, value) records
 * on at once: skewed keys (words, vertex degrees) then cross the exchange
 * once per batch instead of once per record. "<name>" receives them
 * exchanged by key, so each key is owned by one worker, combines them per
 * (time, key) in a key table that is part of the time's state, and emits
 * the table when the time is complete. Finished tables are cleared and
 * kept for the next times, so steady epochs allocate nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"

/* Spare key tables kept for the next times (see stateful.c's spares). */
#define AGG_SPARES 8

struct agg {
    struct gy_aggregate_spec spec;
    size_t in_size;             /* pre: input record bytes */
    size_t out_size;            /* 8 + val_size: (key, value) records */
    struct gy__ktab tab;        /* pre: the batch being combined */
    struct gy__ktab spare[AGG_SPARES];   /* final: cleared tables */
    uint32_t nspare;
    unsigned char *stage;       /* pre: emitter staging */
    uint32_t max;
    uint64_t *tmp;              /* one value, 8-byte aligned, for combine */
};

static void agg_free(void *arg)
{
    struct agg *a = arg;

    gy__ktab_destroy(&a->tab);
    for (uint32_t i = 0; i < a->nspare; i++)
        gy__ktab_destroy(&a->spare[i]);
    gy_free(a->stage);
    gy_free(a->tmp);
    gy_free(a);
}

/* Combines val into key's slot of t. */
static int fold(struct agg *a, struct gy__ktab *t, uint64_t key, const void *val)
{
    bool fresh;
    void *acc = gy__ktab_upsert(t, key, &fresh);

    if (!acc)
        return -ENOMEM;
    if (fresh) {
        memcpy(acc, val, a->spec.val_size);
    } else {
        memcpy(a->tmp, val, a->spec.val_size);
        a->spec.combine(acc, a->tmp, a->spec.arg);
    }
    return 0;
}

/* ---- the per-batch combiner ---- */

static int pre_fold_batch(struct agg *a, const unsigned char *rec, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++, rec += a->in_size) {
        bool fresh;
        uint64_t key = a->spec.key(rec, a->spec.arg);
        void *acc = gy__ktab_upsert(&a->tab, key, &fresh);
        if (!acc)
            return -ENOMEM;
        if (fresh) {
            a->spec.value(rec, acc, a->spec.arg);
        } else {
            a->spec.value(rec, a->tmp, a->spec.arg);
            a->spec.combine(acc, a->tmp, a->spec.arg);
        }
    }
    return 0;
}

static void pre_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    struct agg *a = state;
    struct gy_emit e;
    int rc;

    (void)port;
    rc = pre_fold_batch(a, recs, n);
    if (rc == 0) {
        gy__emit_init(&e, op, cap, a->stage, a->out_size, a->max);
        rc = gy__ktab_emit(&a->tab, &e);
        if (rc == 0)
            rc = gy__emit_flush(&e);
    }
    gy__ktab_clear(&a->tab);
    if (rc == -ENOMEM)
        gy_op_fail(op, "out of memory for the key table");
}

/* ---- the per-time aggregation ---- */

static uint64_t kv_key(const void *rec, void *arg)
{
    uint64_t k;

    (void)arg;
    memcpy(&k, rec, sizeof(k));
    return k;
}

static int agg_records(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                       uint32_t n, void *arg)
{
    struct agg *a = arg;
    struct gy__ktab *tab = tstate;
    const unsigned char *rec = recs;

    (void)port;
    (void)t;
    if (tab->vstride == 0) { /* a fresh (zeroed) state */
        if (a->nspare > 0)
            *tab = a->spare[--a->nspare];
        else
            gy__ktab_init(tab, a->spec.val_size);
    }
    for (uint32_t i = 0; i < n; i++, rec += a->out_size)
        if (fold(a, tab, kv_key(rec, NULL), rec + sizeof(uint64_t)) != 0)
            return -ENOMEM;
    return 0;
}

static int agg_finish(void *tstate, gy_emit_t *emit, void *arg)
{
    struct agg *a = arg;
    struct gy__ktab *tab = tstate;
    int rc = gy__ktab_emit(tab, emit);

    if (a->nspare < AGG_SPARES) {
        gy__ktab_clear(tab);
        a->spare[a->nspare++] = *tab;
    } else {
        gy__ktab_destroy(tab);
    }
    return rc;
}

static void agg_discard(void *tstate, void *arg)
{
    (void)arg;
    gy__ktab_destroy(tstate);
}

/* ---- construction ---- */

static struct agg *agg_new(const struct gy_aggregate_spec *spec, size_t in_size, bool pre)
{
    struct agg *a = gy_calloc(1, sizeof(*a));

    if (!a)
        return NULL;
    a->spec = *spec;
    a->in_size = in_size;
    a->out_size = sizeof(uint64_t) + spec->val_size;
    gy__ktab_init(&a->tab, spec->val_size);
    a->tmp = gy_malloc((spec->val_size + 7) & ~(size_t)7);
    a->stage = pre ? gy__stage_new(a->out_size, &a->max) : NULL;
    if (!a->tmp || (pre && !a->stage)) {
        agg_free(a);
        return NULL;
    }
    return a;
}

static gy_stream_t *pre_new(gy_stream_t *s, const struct gy_aggregate_spec *spec, const char *name)
{
    struct gy_op_callbacks cb = {.on_input = pre_input, .destroy = agg_free};
    struct agg *a = agg_new(spec, gy_stream_rec_size(s), true);
    char pre_name[128];

    if (!a) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", name);
        return NULL;
    }
    snprintf(pre_name, sizeof(pre_name), "%s.pre", name);
    return gy__unary_new(s, pre_name, a->out_size, gy_pact_pipeline(), &cb, a);
}

gy_stream_t *gy_op_aggregate(gy_stream_t *s, const struct gy_aggregate_spec *spec)
{
    const char *name = spec->name ? spec->name : "aggregate";
    struct gy_state_spec ss = {
        .name = name, .out_size = sizeof(uint64_t) + spec->val_size,
        .state_size = sizeof(struct gy__ktab), .pacts = {gy_pact_exchange(kv_key, NULL)},
        .on_records = agg_records, .finish = agg_finish, .discard = agg_discard,
        .destroy = agg_free,
    };
    gy_stream_t *kv;

    if (!s)
        return NULL;
    if (spec->val_size == 0 || !spec->key || !spec->value || !spec->combine) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': aggregate needs val_size, key, "
                                             "value and combine", name);
        return NULL;
    }
    kv = pre_new(s, spec, name);
    if (!kv)
        return NULL;
    ss.arg = agg_new(spec, ss.out_size, false);
    if (!ss.arg) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", name);
        return NULL;
    }
    return gy_op_unary_state(kv, &ss);
}

/* ---- count ---- */

static void count_one(const void *rec, void *val, void *arg)
{
    const uint64_t one = 1;

    (void)rec;
    (void)arg;
    memcpy(val, &one, sizeof(one));
}

static void count_add(void *acc, const void *val, void *arg)
{
    (void)arg;
    *(uint64_t *)acc += *(const uint64_t *)val;
}

gy_stream_t *gy_op_count(gy_stream_t *s, const char *name, gy_key_fn key, void *arg)
{
    struct gy_aggregate_spec spec = {
        .name = name ? name : "count", .key = key, .val_size = sizeof(uint64_t),
        .value = count_one, .combine = count_add, .arg = arg,
    };

    return gy_op_aggregate(s, &spec);
}
