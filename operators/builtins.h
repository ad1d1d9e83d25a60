/*
 * gyre's built-in operators, each written with the public operator API
 * (operators/op.h) alone, exactly as a user would write them:
 *
 *   stateless    gy_op_map, gy_op_filter, gy_op_flat_map, gy_op_inspect
 *   routing      gy_op_exchange, gy_op_broadcast, gy_op_concat
 *   per time     gy_op_unary_state, gy_op_binary_state (user state per
 *                timestamp), gy_op_unary_notify, gy_op_binary_notify
 *                (records buffered per timestamp, handed over when complete)
 *   by key       gy_op_aggregate, gy_op_count
 *
 * Common contract:
 *  - Construction only: call on the worker's thread before
 *    gy_dataflow_build, the same calls in the same order on every worker
 *    (SPMD). Each returns the operator's output stream, which lives in the
 *    scope of its input(s) and is freed with the dataflow.
 *  - Each returns NULL when the operator could not be created; the run has
 *    then failed, or gy_dataflow_build fails it and names the reason. A NULL
 *    input stream gives a NULL output, so chains need one check at the end.
 *  - name may be NULL (a default per built-in); it appears in error messages
 *    as "operator 'name': ...".
 *  - Callbacks run on the owning worker's thread, inside the operator; the
 *    arg they get is the caller's and must outlive the dataflow unless a
 *    destroy callback says otherwise. A callback that returns a negative
 *    errno fails the run with "operator 'name': ...".
 *  - Records are copied in batches; nothing is allocated per record.
 *  - Per-time operators key their state by the full timestamp (epoch and
 *    loop counters), so they work with many epochs and iterations in flight
 *    and inside loops. Their output at time t is produced once no input can
 *    still receive data at or before t.
 */
#ifndef GY_OPERATORS_BUILTINS_H
#define GY_OPERATORS_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"
#include "progress/compiler.h"
#include "progress/time.h"
#include "runtime/dataflow.h"

/* ---- emitting records from a callback ---- */

/* An output session handed to callbacks: records given to it go out at its
 * time, copied into a staging buffer and sent a batch-full at a time. Valid
 * only during the callback it was passed to. */
typedef struct gy_emit gy_emit_t;

/* Sends one record (of the operator's output record size). Returns 0, or
 * -ECANCELED once the run failed (return it from the callback). */
GY_NODISCARD int gy_emit(gy_emit_t *e, const void *rec);
/* Sends n contiguous records. Returns as gy_emit. */
GY_NODISCARD int gy_emit_n(gy_emit_t *e, const void *recs, uint32_t n);
/* The time the records go out at. */
const struct gy_time *gy_emit_time(const gy_emit_t *e);

/* ---- stateless ---- */

/* Writes the output record for in into out (out_size bytes, uninitialized). */
typedef void (*gy_map_fn)(const void *in, void *out, void *arg);
/* True keeps the record. */
typedef bool (*gy_filter_fn)(const void *rec, void *arg);
/* Emits 0..k records for rec. Returns 0 or a negative errno. */
typedef int (*gy_flat_map_fn)(const void *rec, gy_emit_t *emit, void *arg);
/* Sees each record and its time; must not keep rec. */
typedef void (*gy_inspect_fn)(const struct gy_time *t, const void *rec, void *arg);

/* One out_size-byte record per input record, at the same time. */
gy_stream_t *gy_op_map(gy_stream_t *s, const char *name, size_t out_size, gy_map_fn fn,
                       void *arg);
/* The records for which pred holds, unchanged. */
gy_stream_t *gy_op_filter(gy_stream_t *s, const char *name, gy_filter_fn pred, void *arg);
/* Whatever fn emits, out_size bytes per record, at the input record's time. */
gy_stream_t *gy_op_flat_map(gy_stream_t *s, const char *name, size_t out_size,
                            gy_flat_map_fn fn, void *arg);
/* Calls fn on every record, then passes the records on unchanged. */
gy_stream_t *gy_op_inspect(gy_stream_t *s, const char *name, gy_inspect_fn fn, void *arg);

/* ---- routing ---- */

/* Sends each record to worker gy_key_worker(key(rec, arg), peers): records
 * with equal keys meet on one worker. */
gy_stream_t *gy_op_exchange(gy_stream_t *s, const char *name, gy_key_fn key, void *arg);
/* A copy of every record to every worker. */
gy_stream_t *gy_op_broadcast(gy_stream_t *s, const char *name);
/* Merges n >= 1 streams of one record size and one scope into one stream;
 * streams is only read during the call. A mismatch fails the run; n = 0
 * returns NULL (there is no dataflow to fail). */
gy_stream_t *gy_op_concat(gy_stream_t *const *streams, uint32_t n, const char *name);

/* ---- state per timestamp ---- */

/*
 * An operator with one state blob per timestamp at which records arrived.
 * The blob (state_size bytes, 16-byte aligned) is zeroed when the first
 * records of a time arrive; on_records folds each batch into it; once no
 * input can still receive data at or before t, finish(t's state) emits the
 * results at t and releases whatever the state points to. Times finish in
 * an order compatible with the partial order (lexicographic among those
 * complete together). The state pointer is valid during one callback only.
 */
struct gy_state_spec {
    const char *name;
    size_t out_size;                  /* bytes per output record */
    size_t state_size;                /* bytes of state per timestamp (>= 1) */
    struct gy_pact pacts[2];          /* per input; gy_pact_pipeline() = stay local */
    /* Records arrived on input port at t. Returns 0 or a negative errno. */
    int (*on_records)(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                      uint32_t n, void *arg);
    /* t (= gy_emit_time(emit)) is complete. Returns 0 or a negative errno. */
    int (*finish)(void *tstate, gy_emit_t *emit, void *arg);
    /* Releases a state that never finished (the run failed). May be NULL. */
    void (*discard)(void *tstate, void *arg);
    /* Frees arg when the dataflow is freed (also if creation fails). May be NULL. */
    void (*destroy)(void *arg);
    void *arg;
};

/* One input; pacts[0] routes it. spec is only read during the call. */
gy_stream_t *gy_op_unary_state(gy_stream_t *s, const struct gy_state_spec *spec);
/* Two inputs of one scope (any record sizes); pacts[0] and pacts[1] route them. */
gy_stream_t *gy_op_binary_state(gy_stream_t *a, gy_stream_t *b, const struct gy_state_spec *spec);

/* All n >= 1 records that arrived at t (in arrival order), once t is
 * complete. recs is the operator's buffer: finish may reorder or modify it. */
typedef int (*gy_finish_fn)(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit,
                            void *arg);
/* Both inputs' records at t, as for gy_finish_fn; one side may be empty
 * (na or nb = 0, and then a or b is NULL), not both. */
typedef int (*gy_finish2_fn)(const struct gy_time *t, void *a, uint32_t na, void *b, uint32_t nb,
                             gy_emit_t *emit, void *arg);

/* Buffers the records of each time, routed by pact, and calls finish per
 * complete time at which records arrived. */
gy_stream_t *gy_op_unary_notify(gy_stream_t *s, const char *name, struct gy_pact pact,
                                size_t out_size, gy_finish_fn finish, void *arg);
gy_stream_t *gy_op_binary_notify(gy_stream_t *a, gy_stream_t *b, const char *name,
                                 struct gy_pact pact_a, struct gy_pact pact_b, size_t out_size,
                                 gy_finish2_fn finish, void *arg);

/* ---- by key ---- */

/*
 * Per time and key, combines the values of the records with that key and
 * emits one record per (time, key) once the time is complete: the uint64_t
 * key at offset 0, then val_size bytes of value (record size 8 + val_size).
 * The order of the records within a time is unspecified.
 *
 * Records are exchanged by key, so each key is combined on one worker; each
 * worker first combines what one input batch holds per key, so combine must
 * be associative and commutative. Value pointers passed to value and
 * combine are 8-byte aligned.
 */
struct gy_aggregate_spec {
    const char *name;
    gy_key_fn key;                                       /* the record's key */
    size_t val_size;                                     /* bytes of value, >= 1 */
    void (*value)(const void *rec, void *val, void *arg);          /* the record's value */
    void (*combine)(void *acc, const void *val, void *arg);        /* acc = acc + val */
    void *arg;                                           /* passed to key, value, combine */
};

gy_stream_t *gy_op_aggregate(gy_stream_t *s, const struct gy_aggregate_spec *spec);

/* gy_op_count's output record. */
struct gy_key_count {
    uint64_t key;
    uint64_t count;
};

/* Per time, the number of records per key: struct gy_key_count records. */
gy_stream_t *gy_op_count(gy_stream_t *s, const char *name, gy_key_fn key, void *arg);

#endif
