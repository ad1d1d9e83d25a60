/*
 * For the built-in operators' files only (operators/emit.c, map.c,
 * exchange.c, stateful.c, aggregate.c): the emitter's layout, the per-time
 * store that keys operator state by timestamp, the open-addressing table of
 * values by uint64 key, and the shared constructor of per-time operators.
 * Everything here belongs to one operator, hence to one worker thread.
 */
#ifndef GY_OPERATORS_BUILTINS_INTERNAL_H
#define GY_OPERATORS_BUILTINS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/builtins.h"

/* Staging buffers hold this many bytes of records: as much as one runtime
 * batch, so a flush fills a batch and a batch's worth costs one give. */
#define GY__STAGE_BYTES 16384

/* ---- emitter ---- */

struct gy_emit {
    gy_op_t *op;
    const struct gy_cap *cap;   /* the time records go out at; held */
    unsigned char *buf;         /* staging, owned by the operator's state */
    size_t rec_size;
    uint32_t n;                 /* records staged, n <= max */
    uint32_t max;
    int rc;                     /* first send error; sticky */
};

/* A staging buffer of *max records of rec_size bytes. NULL on ENOMEM. */
GY_NODISCARD unsigned char *gy__stage_new(size_t rec_size, uint32_t *max);

/* Binds an emitter to (op, cap) over a staging buffer. */
void gy__emit_init(struct gy_emit *e, gy_op_t *op, const struct gy_cap *cap, unsigned char *buf,
                   size_t rec_size, uint32_t max);

/* Sends what is staged. Returns 0 or the sticky error. */
GY_NODISCARD int gy__emit_flush(struct gy_emit *e);

/* The next record slot to fill (staged on return), flushing first when the
 * buffer is full. NULL once a send failed. */
static inline void *gy__emit_slot(struct gy_emit *e)
{
    if (GY_UNLIKELY(e->n == e->max) && gy__emit_flush(e) != 0)
        return NULL;
    return e->buf + (size_t)e->n++ * e->rec_size;
}

/* Fails op with "what: strerror(-rc)" unless the run already failed (then
 * the first message stands). Returns rc. */
int gy__op_callback_failed(gy_op_t *op, const char *what, int rc);

/* The worker of a stream, to fail the run before an operator exists. */
static inline gy_worker_t *gy__stream_worker(const gy_stream_t *s)
{
    return gy_dataflow_worker(gy_stream_dataflow(s));
}

/* ---- per-time store: timestamp -> state blob ---- */

struct gy__tstore {
    unsigned char *slab;        /* [cap] entries of stride bytes: header, then state */
    size_t stride;              /* header + state_size, rounded up to 16 */
    uint32_t used;              /* entries ever handed out, used <= cap */
    uint32_t cap;
    uint32_t free_head;         /* free entries linked through their header; UINT32_MAX = none */
    uint32_t *index;            /* [mask + 1] open addressing, linear probing: entry + 1, 0 = empty */
    uint32_t mask;              /* index size - 1, a power of two minus one; 0 = no index yet */
    uint32_t live;              /* entries holding a time; live * 2 <= mask + 1 */
};

/* Pair with gy__tstore_destroy (which does not look inside the states). */
void gy__tstore_init(struct gy__tstore *ts, size_t state_size);
void gy__tstore_destroy(struct gy__tstore *ts);

/* The state of time t, created zeroed (*created = true) if t has none.
 * Valid until the next get or remove. NULL on ENOMEM. */
GY_NODISCARD void *gy__tstore_get(struct gy__tstore *ts, const struct gy_time *t, bool *created);
/* The state of t, or NULL. */
void *gy__tstore_find(struct gy__tstore *ts, const struct gy_time *t);
/* Forgets t's state (the caller has released what it points to). */
void gy__tstore_remove(struct gy__tstore *ts, const struct gy_time *t);
/* Calls fn on every live state, in no particular order (teardown). */
void gy__tstore_foreach(struct gy__tstore *ts, void (*fn)(void *tstate, void *arg), void *arg);
/* For an operator that finishes each time when notified: the state of
 * cap's time, and, when it is new, a notification at cap (which keeps the
 * capability until the time is complete). NULL after failing the run. */
void *gy__tstore_get_notified(struct gy__tstore *ts, gy_op_t *op, const struct gy_cap *cap);

/* ---- key table: uint64 key -> val_size-byte value ---- */

struct gy__ktab {
    uint64_t *keys;             /* [cap] */
    unsigned char *vals;        /* [cap] values of vstride bytes, 8-byte aligned */
    uint8_t *used;              /* [cap] 1 = slot holds a key */
    uint32_t *order;            /* [cap / 2] used slots in insertion order; len entries */
    size_t val_size;
    size_t vstride;             /* val_size rounded up to 8 */
    uint32_t cap;               /* a power of two; len * 2 <= cap */
    uint32_t len;
};

/* An empty table (allocates on first insert). Pair with gy__ktab_destroy. */
void gy__ktab_init(struct gy__ktab *t, size_t val_size);
void gy__ktab_destroy(struct gy__ktab *t);
/* Empties the table in O(len), keeping its memory. */
void gy__ktab_clear(struct gy__ktab *t);

/* The value slot of key; *fresh says it was just inserted (uninitialized).
 * Valid until the next upsert. NULL on ENOMEM. */
GY_NODISCARD void *gy__ktab_upsert(struct gy__ktab *t, uint64_t key, bool *fresh);

/* Emits every (key, value) as a record of 8 + val_size bytes, in insertion
 * order. Returns 0 or the emitter's error. */
GY_NODISCARD int gy__ktab_emit(const struct gy__ktab *t, gy_emit_t *emit);

/* ---- construction ---- */

/*
 * A one-input, one-output operator in s's scope: input connected to s with
 * pact, output records of out_size bytes, identity summary. Takes state
 * (destroy frees it, now on failure). Returns the output stream or NULL
 * after failing the run.
 */
gy_stream_t *gy__unary_new(gy_stream_t *s, const char *name, size_t out_size,
                           struct gy_pact pact, const struct gy_op_callbacks *cb, void *state);

/* ---- per-time operators ---- */

/* The operator behind gy_op_unary_state / gy_op_binary_state, n = 1 or 2. */
gy_stream_t *gy__state_new(gy_stream_t *const *inputs, uint32_t n, const struct gy_state_spec *spec);

#endif
