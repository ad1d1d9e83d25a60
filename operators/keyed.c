/*
 * distinct, min_by_key and reduce: thin users of the keyed engine
 * (keyed_engine.c), which routes records by key, keeps their per-time and
 * per-group state and applies complete times in gy_keep's order.
 *
 *   distinct    time state: the set of the time's distinct records;
 *               group state: the set of records emitted so far.
 *   min_by_key  time state: key -> least record of the time;
 *               group state: key -> least record so far.
 *   reduce      time state: the time's records, grouped by key at apply.
 *
 * Finished time states are cleared and kept for later times (a few, as in
 * stateful.c), so a steady stream of times stops allocating.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"

/* Spare time states kept per operator: enough for the times usually in
 * flight, few enough not to hoard memory. */
#define SPARES 8

/* ---- distinct ---- */

struct distinct {
    size_t rec_size;
    struct gy__rset spare[SPARES];
    uint32_t nspare;
};

static void distinct_free(void *arg)
{
    struct distinct *d = arg;

    for (uint32_t i = 0; i < d->nspare; i++)
        gy__rset_destroy(&d->spare[i]);
    gy_free(d);
}

/* Makes a zeroed time state a usable empty set. */
static void rset_ready(struct distinct *d, struct gy__rset *s)
{
    if (s->rec_size != 0)
        return;
    if (d->nspare > 0)
        *s = d->spare[--d->nspare];
    else
        gy__rset_init(s, d->rec_size);
}

static void rset_recycle(struct distinct *d, struct gy__rset *s)
{
    if (d->nspare < SPARES) {
        gy__rset_clear(s);
        d->spare[d->nspare++] = *s;
    } else {
        gy__rset_destroy(s);
    }
}

/* Per time: the first copy of a record goes out at once. */
static int distinct_time_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                                 gy_emit_t *emit, void *arg)
{
    struct distinct *d = arg;
    const unsigned char *rec = recs;

    (void)gs;
    (void)port;
    rset_ready(d, ts);
    for (uint32_t i = 0; i < n; i++, rec += d->rec_size) {
        int rc = gy__rset_add(ts, rec, gy__hash_bytes(rec, d->rec_size));
        if (rc < 0)
            return rc;
        if (rc == 1 && (rc = gy_emit(emit, rec)) != 0)
            return rc;
    }
    return 0;
}

static int distinct_time_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    (void)gs;
    (void)fresh;
    (void)emit;
    rset_recycle(arg, ts);
    return 0;
}

/* Across times: buffer the time's distinct records not already emitted
 * at an earlier time of the group. */
static int distinct_keep_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                                 gy_emit_t *emit, void *arg)
{
    struct distinct *d = arg;
    const unsigned char *rec = recs;

    (void)port;
    (void)emit;
    rset_ready(d, ts);
    for (uint32_t i = 0; i < n; i++, rec += d->rec_size) {
        uint64_t h = gy__hash_bytes(rec, d->rec_size);
        if (gs && gy__rset_has(gs, rec, h))
            continue;
        if (gy__rset_add(ts, rec, h) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int distinct_keep_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    struct distinct *d = arg;
    struct gy__rset *t = ts;
    int rc = 0;

    if (fresh)
        gy__rset_init(gs, d->rec_size);
    for (uint32_t i = 0; i < t->n && rc >= 0; i++) {
        const unsigned char *rec = t->recs + (size_t)i * d->rec_size;
        rc = gy__rset_add(gs, rec, t->hash[i]);
        if (rc == 1)
            rc = gy_emit(emit, rec);
    }
    rset_recycle(d, t);
    return rc < 0 ? rc : 0;
}

static void rset_free(void *s, void *arg)
{
    (void)arg;
    gy__rset_destroy(s);
}

gy_stream_t *gy_op_distinct(gy_stream_t *s, const char *name, gy_key_fn key, void *arg,
                            enum gy_keep keep)
{
    struct gy__keyed_spec spec = {
        .name = name ? name : "distinct", .keep = keep, .ninputs = 1,
        .pacts = {gy_pact_exchange(key, arg)}, .tstate_size = sizeof(struct gy__rset),
        .tfree = rset_free, .destroy = distinct_free,
    };
    struct distinct *d;

    if (!s)
        return NULL;
    if (!key) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': distinct needs a key", spec.name);
        return NULL;
    }
    d = gy_calloc(1, sizeof(*d));
    if (!d) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", spec.name);
        return NULL;
    }
    d->rec_size = gy_stream_rec_size(s);
    spec.out_size = d->rec_size;
    spec.arg = d;
    if (keep == GY_KEEP_TIME) {
        spec.on_records = distinct_time_records;
        spec.apply = distinct_time_apply;
    } else {
        spec.gstate_size = sizeof(struct gy__rset);
        spec.on_records = distinct_keep_records;
        spec.apply = distinct_keep_apply;
        spec.gfree = rset_free;
    }
    return gy__keyed_new(&s, &spec);
}

/* ---- min by key ---- */

struct minby {
    gy_key_fn key;
    void *arg;
    size_t rec_size;
    size_t val_offset;
    struct gy__ktab spare[SPARES];
    uint32_t nspare;
};

static void minby_free(void *arg)
{
    struct minby *m = arg;

    for (uint32_t i = 0; i < m->nspare; i++)
        gy__ktab_destroy(&m->spare[i]);
    gy_free(m);
}

/* a comes before b: a smaller value, or an equal value and smaller bytes. */
static bool minby_less(const struct minby *m, const void *a, const void *b)
{
    uint64_t va, vb;

    memcpy(&va, (const unsigned char *)a + m->val_offset, sizeof(va));
    memcpy(&vb, (const unsigned char *)b + m->val_offset, sizeof(vb));
    if (va != vb)
        return va < vb;
    return memcmp(a, b, m->rec_size) < 0;
}

/* Keeps rec in tab under key if it is the key's least. 1 if it was kept,
 * 0 if not, -ENOMEM. */
static int minby_offer(const struct minby *m, struct gy__ktab *tab, uint64_t key, const void *rec)
{
    bool fresh;
    void *slot = gy__ktab_upsert(tab, key, &fresh);

    if (!slot)
        return -ENOMEM;
    if (!fresh && !minby_less(m, rec, slot))
        return 0;
    memcpy(slot, rec, m->rec_size);
    return 1;
}

static int minby_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                         gy_emit_t *emit, void *arg)
{
    struct minby *m = arg;
    struct gy__ktab *tab = ts;
    const unsigned char *rec = recs;

    (void)gs;
    (void)port;
    (void)emit;
    if (tab->vstride == 0) { /* a fresh (zeroed) state */
        if (m->nspare > 0)
            *tab = m->spare[--m->nspare];
        else
            gy__ktab_init(tab, m->rec_size);
    }
    for (uint32_t i = 0; i < n; i++, rec += m->rec_size)
        if (minby_offer(m, tab, m->key(rec, m->arg), rec) < 0)
            return -ENOMEM;
    return 0;
}

/* Per time: the time's least record of every key. With group state: only
 * those that beat the key's least so far. */
static int minby_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    struct minby *m = arg;
    struct gy__ktab *tab = ts;
    int rc = 0;

    if (gs && fresh)
        gy__ktab_init(gs, m->rec_size);
    for (uint32_t i = 0; i < tab->len && rc >= 0; i++) {
        uint32_t s = tab->order[i];
        const void *rec = tab->vals + (size_t)s * tab->vstride;
        rc = gs ? minby_offer(m, gs, tab->keys[s], rec) : 1;
        if (rc == 1)
            rc = gy_emit(emit, rec);
    }
    if (m->nspare < SPARES) {
        gy__ktab_clear(tab);
        m->spare[m->nspare++] = *tab;
    } else {
        gy__ktab_destroy(tab);
    }
    return rc < 0 ? rc : 0;
}

static void ktab_free(void *tab, void *arg)
{
    (void)arg;
    gy__ktab_destroy(tab);
}

gy_stream_t *gy_op_min_by_key(gy_stream_t *s, const char *name, gy_key_fn key, void *arg,
                              size_t val_offset, enum gy_keep keep)
{
    struct gy__keyed_spec spec = {
        .name = name ? name : "min_by_key", .keep = keep, .ninputs = 1,
        .pacts = {gy_pact_exchange(key, arg)}, .tstate_size = sizeof(struct gy__ktab),
        .gstate_size = keep == GY_KEEP_TIME ? 0 : sizeof(struct gy__ktab),
        .on_records = minby_records, .apply = minby_apply, .tfree = ktab_free,
        .gfree = ktab_free, .destroy = minby_free,
    };
    struct minby *m;

    if (!s)
        return NULL;
    if (!key || val_offset + sizeof(uint64_t) > gy_stream_rec_size(s)) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': needs a key and a uint64_t value "
                                             "inside the %zu-byte record (offset %zu)",
                       spec.name, gy_stream_rec_size(s), val_offset);
        return NULL;
    }
    m = gy_calloc(1, sizeof(*m));
    if (!m) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", spec.name);
        return NULL;
    }
    *m = (struct minby){.key = key, .arg = arg, .rec_size = gy_stream_rec_size(s),
                        .val_offset = val_offset};
    spec.out_size = m->rec_size;
    spec.arg = m;
    return gy__keyed_new(&s, &spec);
}

/* ---- reduce ---- */

/* A time's records, in arrival order. */
struct rbuf {
    unsigned char *data;
    size_t n;                   /* records */
    size_t bytes;               /* room */
};

/* A record's key and arrival index, sorted to group the time by key. */
struct kpos {
    uint64_t key;
    uint64_t pos;
};

struct reduce {
    struct gy_reduce_spec spec;
    size_t rec_size;
    struct kpos *order;         /* scratch, grown to the largest time */
    size_t caporder;
    unsigned char *grouped;     /* scratch: the time's records grouped by key */
    size_t capgrouped;          /* bytes */
    struct rbuf spare[SPARES];
    uint32_t nspare;
};

static void reduce_free(void *arg)
{
    struct reduce *r = arg;

    for (uint32_t i = 0; i < r->nspare; i++)
        gy_free(r->spare[i].data);
    gy_free(r->order);
    gy_free(r->grouped);
    gy_free(r);
}

static int reduce_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                          gy_emit_t *emit, void *arg)
{
    struct reduce *r = arg;
    struct rbuf *b = ts;
    void *data;

    (void)gs;
    (void)port;
    (void)emit;
    if (!b->data && r->nspare > 0)
        *b = r->spare[--r->nspare];
    if (b->n + n > UINT32_MAX)
        return -EOVERFLOW; /* reduce takes uint32_t counts */
    data = b->data;
    if (gy_grow(&data, &b->bytes, (b->n + n) * r->rec_size, 1) != 0)
        return -ENOMEM;
    b->data = data;
    memcpy(b->data + b->n * r->rec_size, recs, (size_t)n * r->rec_size);
    b->n += n;
    return 0;
}

static int kpos_cmp(const void *x, const void *y)
{
    const struct kpos *a = x, *b = y;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Copies b's records into r->grouped, sorted by key (stable). */
static int reduce_group(struct reduce *r, const struct rbuf *b)
{
    void *order = r->order, *grouped = r->grouped;

    if (gy_grow(&order, &r->caporder, b->n, sizeof(*r->order)) != 0)
        return -ENOMEM;
    r->order = order;
    if (gy_grow(&grouped, &r->capgrouped, b->n * r->rec_size, 1) != 0)
        return -ENOMEM;
    r->grouped = grouped;
    for (size_t i = 0; i < b->n; i++)
        r->order[i] = (struct kpos){r->spec.key(b->data + i * r->rec_size, r->spec.arg), i};
    qsort(r->order, b->n, sizeof(*r->order), kpos_cmp);
    for (size_t i = 0; i < b->n; i++)
        memcpy(r->grouped + i * r->rec_size, b->data + r->order[i].pos * r->rec_size,
               r->rec_size);
    return 0;
}

static int reduce_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    struct reduce *r = arg;
    struct rbuf *b = ts;
    int rc = reduce_group(r, b);

    (void)gs;
    (void)fresh;
    for (size_t i = 0; rc == 0 && i < b->n;) {
        size_t j = i;
        while (j < b->n && r->order[j].key == r->order[i].key)
            j++;
        rc = r->spec.reduce(r->order[i].key, r->grouped + i * r->rec_size, (uint32_t)(j - i),
                            emit, r->spec.arg);
        i = j;
    }
    if (b->data && r->nspare < SPARES) {
        b->n = 0;
        r->spare[r->nspare++] = *b;
    } else {
        gy_free(b->data);
    }
    return rc;
}

static void rbuf_free(void *ts, void *arg)
{
    (void)arg;
    gy_free(((struct rbuf *)ts)->data);
}

gy_stream_t *gy_op_reduce(gy_stream_t *s, const struct gy_reduce_spec *spec)
{
    struct gy__keyed_spec ks = {
        .name = spec->name ? spec->name : "reduce", .keep = GY_KEEP_TIME, .ninputs = 1,
        .pacts = {gy_pact_exchange(spec->key, spec->arg)}, .out_size = spec->out_size,
        .tstate_size = sizeof(struct rbuf), .on_records = reduce_records,
        .apply = reduce_apply, .tfree = rbuf_free, .destroy = reduce_free,
    };
    struct reduce *r;

    if (!s)
        return NULL;
    if (!spec->key || !spec->reduce || spec->out_size == 0) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': reduce needs key, reduce and "
                                             "out_size", ks.name);
        return NULL;
    }
    r = gy_calloc(1, sizeof(*r));
    if (!r) {
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", ks.name);
        return NULL;
    }
    r->spec = *spec;
    r->rec_size = gy_stream_rec_size(s);
    ks.arg = r;
    return gy__keyed_new(&s, &ks);
}
