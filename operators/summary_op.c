/*
 * gy_op_summary: two keyed-engine operators (keyed_engine.c).
 *
 * "<name>.fold" (pipeline, GY_KEEP_TIME) folds each worker's records of a
 * time into a blob; once the time is complete at this worker it sends the
 * blob on in chunk records: a 16-byte header (route, sender, index) and up
 * to CHUNK_PAYLOAD bytes of blob, so any blob size fits in batches.
 *
 * "<name>" (exchange by route) merges the blobs of a time as they come:
 * one-chunk blobs straight from the batch, larger ones once a sender's
 * chunks are all in (reassembled per sender; a sender's chunks of a time
 * may interleave with other senders'). Once the time is complete it emits
 * the result. Without carry, route = hash of the time and the keep mode is
 * GY_KEEP_TIME. With carry, route = 0 (one worker) and the keep mode is
 * GY_KEEP_ALL, whose group state is the running blob: the engine applies
 * times in lexicographic order, each merged into the running blob.
 *
 * Blobs are recycled through a few spares per operator, so steady epochs
 * stop allocating.
 */
#include "operators/summary.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"
#include "runtime/batch.h"

/* Chunk records are 4 KiB (4 per batch): big enough that the header is
 * noise, small enough not to pad a small blob's record much. A multiple
 * of 16 keeps payloads 16-byte aligned inside batches. */
#define CHUNK_PAYLOAD 4080u
#define SPARES 8

struct chunk_head {
    uint64_t route;             /* exchange key */
    uint32_t sender;            /* worker index of the fold that sent it */
    uint32_t index;             /* chunk number within the blob */
};

/* Reassembly of one sender's blob. */
struct part {
    unsigned char *buf;
    uint32_t got;               /* chunks copied in */
};

/* A time's state at the merge (at the fold only blob is used). */
struct mstate {
    void *blob;                 /* fold: the worker's summary; merge: merged so far */
    struct part *parts;         /* merge, multi-chunk blobs: [peers] */
    uint32_t open;              /* parts with some but not all chunks */
};

/* The merge's group state with carry. */
struct running {
    void *blob;                 /* the last emitted summary; NULL before the first */
};

struct sum {
    struct gy_summary_spec spec;
    size_t in_size;             /* fold: input record bytes */
    size_t chunk_size;          /* bytes per chunk record */
    uint32_t nchunks;           /* chunks per blob */
    uint32_t me, peers;
    void *spare[SPARES];
    uint32_t nspare;
    unsigned char *scratch;     /* one chunk record, to send or to realign */
};

static void sum_free(void *arg)
{
    struct sum *s = arg;

    for (uint32_t i = 0; i < s->nspare; i++)
        gy_free(s->spare[i]);
    gy_free(s->scratch);
    gy_free(s);
}

/* An empty summary (init'ed), from the spares if any. NULL on ENOMEM. */
static void *blob_new(struct sum *s, bool init)
{
    void *b = s->nspare > 0 ? s->spare[--s->nspare] : gy_malloc(s->spec.size);

    if (b && init) {
        if (s->spec.init)
            s->spec.init(b, s->spec.arg);
        else
            memset(b, 0, s->spec.size);
    }
    return b;
}

static void blob_recycle(struct sum *s, void *b)
{
    if (!b)
        return;
    if (s->nspare < SPARES)
        s->spare[s->nspare++] = b;
    else
        gy_free(b);
}

static void mstate_free(void *ts, void *arg)
{
    struct sum *s = arg;
    struct mstate *m = ts;

    gy_free(m->blob);
    for (uint32_t w = 0; m->parts && w < s->peers; w++)
        gy_free(m->parts[w].buf);
    gy_free(m->parts);
}

/* ---- fold ---- */

static int fold_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                        gy_emit_t *emit, void *arg)
{
    struct sum *s = arg;
    struct mstate *m = ts;
    const unsigned char *rec = recs;

    (void)gs;
    (void)port;
    (void)emit;
    if (!m->blob && !(m->blob = blob_new(s, true)))
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++, rec += s->in_size) {
        int rc = s->spec.fold(m->blob, rec, s->spec.arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Sends the worker's summary of the time in chunks. */
static int fold_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    struct sum *s = arg;
    struct mstate *m = ts;
    struct chunk_head h = {
        .route = s->spec.carry ? 0 : gy_time_hash(gy_emit_time(emit)), .sender = s->me,
    };
    int rc = 0;

    (void)gs;
    (void)fresh;
    for (h.index = 0; h.index < s->nchunks && rc == 0; h.index++) {
        size_t off = (size_t)h.index * CHUNK_PAYLOAD;
        size_t len = s->spec.size - off < CHUNK_PAYLOAD ? s->spec.size - off : CHUNK_PAYLOAD;
        memset(s->scratch, 0, s->chunk_size);
        memcpy(s->scratch, &h, sizeof(h));
        memcpy(s->scratch + sizeof(h), (unsigned char *)m->blob + off, len);
        rc = gy_emit(emit, s->scratch);
    }
    blob_recycle(s, m->blob);
    m->blob = NULL;
    return rc;
}

/* ---- merge ---- */

static int merge_in(struct sum *s, struct mstate *m, const void *from)
{
    if (!m->blob) {
        if (!(m->blob = blob_new(s, false)))
            return -ENOMEM;
        memcpy(m->blob, from, s->spec.size); /* init is merge's identity */
        return 0;
    }
    return s->spec.merge(m->blob, from, s->spec.arg);
}

/* Copies one chunk of a multi-chunk blob; merges the blob once complete. */
static int merge_chunk(struct sum *s, struct mstate *m, const struct chunk_head *h,
                       const unsigned char *payload)
{
    struct part *p;
    size_t off = (size_t)h->index * CHUNK_PAYLOAD;
    size_t len = s->spec.size - off < CHUNK_PAYLOAD ? s->spec.size - off : CHUNK_PAYLOAD;
    int rc;

    if (h->sender >= s->peers || h->index >= s->nchunks)
        return -EPROTO;
    if (!m->parts && !(m->parts = gy_calloc(s->peers, sizeof(*m->parts))))
        return -ENOMEM;
    p = &m->parts[h->sender];
    if (!p->buf && !(p->buf = blob_new(s, false)))
        return -ENOMEM;
    if (p->got++ == 0)
        m->open++;
    memcpy(p->buf + off, payload, len);
    if (p->got < s->nchunks)
        return 0;
    rc = merge_in(s, m, p->buf);
    blob_recycle(s, p->buf);
    *p = (struct part){NULL, 0};
    m->open--;
    return rc;
}

static int merge_records(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                         gy_emit_t *emit, void *arg)
{
    struct sum *s = arg;
    const unsigned char *rec = recs;

    (void)gs;
    (void)port;
    (void)emit;
    for (uint32_t i = 0; i < n; i++, rec += s->chunk_size) {
        struct chunk_head h;
        const unsigned char *payload = rec + sizeof(h);
        int rc;
        memcpy(&h, rec, sizeof(h));
        if (((uintptr_t)payload & 15u) != 0) { /* keep blob pointers 16-byte aligned */
            memcpy(s->scratch, payload, s->chunk_size - sizeof(h));
            payload = s->scratch;
        }
        if (s->nchunks == 1)
            rc = merge_in(s, ts, payload);
        else
            rc = merge_chunk(s, ts, &h, payload);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int emit_blob(struct sum *s, void *blob, gy_emit_t *emit)
{
    return s->spec.emit ? s->spec.emit(blob, emit, s->spec.arg) : gy_emit(emit, blob);
}

/* With carry: folds the time's merged blob into the running one, which
 * the time's blob becomes if there is none yet. */
static int carry_in(struct sum *s, struct running *run, bool fresh, struct mstate *m)
{
    if (fresh || !run->blob) {
        run->blob = m->blob;
        m->blob = NULL;
        return 0;
    }
    return s->spec.merge(run->blob, m->blob, s->spec.arg);
}

static int merge_apply(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg)
{
    struct sum *s = arg;
    struct mstate *m = ts;
    struct running *run = gs;
    int rc;

    if (m->open > 0 || !m->blob)
        rc = -EPROTO; /* every chunk of a complete time has arrived: a bug */
    else if (!run)
        rc = emit_blob(s, m->blob, emit);
    else if ((rc = carry_in(s, run, fresh, m)) == 0)
        rc = emit_blob(s, run->blob, emit);
    blob_recycle(s, m->blob);
    m->blob = NULL;
    mstate_free(m, s);
    return rc;
}

static void running_free(void *gs, void *arg)
{
    (void)arg;
    gy_free(((struct running *)gs)->blob);
}

/* ---- construction ---- */

static struct sum *sum_new(const struct gy_summary_spec *spec, gy_stream_t *s)
{
    struct sum *x = gy_calloc(1, sizeof(*x));
    gy_worker_t *w = gy__stream_worker(s);
    size_t payload = spec->size < CHUNK_PAYLOAD ? spec->size : CHUNK_PAYLOAD;

    if (!x)
        return NULL;
    x->spec = *spec;
    x->in_size = gy_stream_rec_size(s);
    x->chunk_size = sizeof(struct chunk_head) + ((payload + 15u) & ~(size_t)15u);
    x->nchunks = (uint32_t)((spec->size + CHUNK_PAYLOAD - 1) / CHUNK_PAYLOAD);
    x->me = gy_worker_index(w);
    x->peers = gy_worker_peers(w);
    x->scratch = gy_malloc(x->chunk_size);
    if (!x->scratch) {
        gy_free(x);
        return NULL;
    }
    return x;
}

static uint64_t route_of(const void *rec, void *arg)
{
    struct chunk_head h;

    (void)arg;
    memcpy(&h, rec, sizeof(h));
    return h.route;
}

static int summary_check(gy_stream_t *s, const struct gy_summary_spec *spec, const char *name)
{
    gy_worker_t *w = gy__stream_worker(s);

    if (spec->size == 0 || !spec->fold || !spec->merge)
        return gy_worker_fail(w, "operator '%s': summary needs size, fold and merge", name);
    if (spec->size > UINT32_MAX)
        return gy_worker_fail(w, "operator '%s': summary of %zu bytes is too large", name,
                              spec->size);
    if (spec->emit ? spec->out_size == 0 : spec->size > GY_BATCH_BYTES)
        return gy_worker_fail(w, "operator '%s': %s", name,
                              spec->emit ? "emit needs out_size"
                                         : "a summary larger than a batch needs an emit callback");
    return 0;
}

gy_stream_t *gy_op_summary(gy_stream_t *s, const struct gy_summary_spec *spec)
{
    const char *name = spec->name ? spec->name : "summary";
    char fold_name[128];
    struct gy__keyed_spec fs = {
        .name = fold_name, .keep = GY_KEEP_TIME, .ninputs = 1, .pacts = {gy_pact_pipeline()},
        .tstate_size = sizeof(struct mstate), .on_records = fold_records, .apply = fold_apply,
        .tfree = mstate_free, .destroy = sum_free,
    };
    struct gy__keyed_spec ms = {
        .name = name, .keep = spec->carry ? GY_KEEP_ALL : GY_KEEP_TIME, .ninputs = 1,
        .pacts = {gy_pact_exchange(route_of, NULL)}, .tstate_size = sizeof(struct mstate),
        .gstate_size = spec->carry ? sizeof(struct running) : 0,
        .out_size = spec->emit ? spec->out_size : spec->size,
        .on_records = merge_records, .apply = merge_apply, .tfree = mstate_free,
        .gfree = running_free, .destroy = sum_free,
    };
    gy_stream_t *chunks;

    if (!s || summary_check(s, spec, name) != 0)
        return NULL;
    snprintf(fold_name, sizeof(fold_name), "%s.fold", name);
    fs.arg = sum_new(spec, s);
    ms.arg = fs.arg ? sum_new(spec, s) : NULL;
    if (!ms.arg) {
        if (fs.arg)
            sum_free(fs.arg);
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", name);
        return NULL;
    }
    fs.out_size = ((struct sum *)fs.arg)->chunk_size;
    chunks = gy__keyed_new(&s, &fs);
    if (!chunks) {
        sum_free(ms.arg);
        return NULL;
    }
    return gy__keyed_new(&chunks, &ms);
}
