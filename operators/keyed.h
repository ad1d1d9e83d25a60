/*
 * Keyed stateful operators for iterative graph algorithms: distinct, join,
 * reduce and min-by-key, and arrangements (an indexed, exchange-partitioned
 * state that later operators on the same worker read in place).
 *
 *   gy_op_distinct        each distinct record once, per time or "first seen"
 *   gy_op_join            hash join of two streams on a key, per time or
 *                         accumulated across times (output at the join time)
 *   gy_op_reduce          per time and key, all the key's records to a user fn
 *   gy_op_min_by_key      per key the record with the least value field; the
 *                         accumulated variant emits only improvements
 *   gy_arrange            key -> records index, grown as records arrive
 *   gy_op_join_arranged   a stream joined against an arrangement, no copy
 *
 * Every operator here is keyed by a gy_key_fn and exchange-partitioned: a
 * record goes to worker gy_key_worker(key(rec, arg), peers), so equal keys
 * meet on one worker. They are built with the public operator API
 * (operators/op.h) and follow the common contract of operators/builtins.h:
 * construction only, on the worker's thread, before gy_dataflow_build, the
 * same calls on every worker; a NULL input gives a NULL output; NULL means
 * the run has failed (or gy_dataflow_build fails it, saying why); callbacks
 * run on the owning worker's thread and their arg must outlive the
 * dataflow; a callback returning a negative errno fails the run.
 *
 * ---- Which times share state: enum gy_keep ----
 *
 * A timestamp is (epoch, i1, ..., ik) under the product partial order.
 * "State kept across times" needs an order in which records are "first" or
 * "improve"; under a partial order that order must be chosen. gy_keep says
 * which times share one state and in which order they are applied:
 *
 *   GY_KEEP_TIME   one state per timestamp; times never see each other.
 *   GY_KEEP_ITERS  one state per outer time: every coordinate but the
 *                  innermost (the epoch and the enclosing loops' counters).
 *                  Within it, times are applied in the order of the
 *                  innermost counter: a record seen at (p, i) suppresses or
 *                  is improved on at (p, j) only for j > i. Different outer
 *                  times never see each other: (e, 3) does not suppress
 *                  (e + 1, 5). A group's state is freed once no time with
 *                  its outer coordinates can still arrive. Outside any loop
 *                  (depth 0) the only coordinate is the epoch and this is
 *                  GY_KEEP_ALL.
 *   GY_KEEP_ALL    one state for every time, applied in the lexicographic
 *                  order of timestamps (epoch first, then the outer loop's
 *                  counter, ...). Inside a loop this serializes epochs: a
 *                  time (e, i) is applied only once every time of an earlier
 *                  epoch is complete (a record seen anywhere in epoch e
 *                  suppresses it in epoch e + 1, whatever the iterations).
 *
 * Order-dependent operators (distinct and min-by-key with ITERS or ALL)
 * buffer each time's records (deduplicated or pre-reduced on arrival) and
 * apply them once the time is complete and every time before it in that
 * order is complete; the result at a time is then fixed and the same for
 * every worker count and batching. Per-time state is released when its
 * time is applied, group state when its group can receive nothing more.
 *
 * gy_op_join uses the product order itself (no choice needed): see there.
 */
#ifndef GY_OPERATORS_KEYED_H
#define GY_OPERATORS_KEYED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/builtins.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/time.h"
#include "runtime/dataflow.h"

enum gy_keep {
    GY_KEEP_TIME = 0,   /* state per timestamp */
    GY_KEEP_ITERS = 1,  /* per outer time, ordered by the innermost counter */
    GY_KEEP_ALL = 2,    /* one state, lexicographic time order */
};

/* ---- distinct ---- */

/*
 * Each distinct record once. Records are compared bytewise (all
 * gy_stream_rec_size bytes) and routed by key(rec, arg), so equal records
 * must have equal keys.
 *
 *  GY_KEEP_TIME   per time, each distinct record once, emitted as soon as
 *                 its first copy arrives (no buffering).
 *  GY_KEEP_ITERS  per outer time, a record is emitted at (p, i) for the
 *                 least i at which it arrives and never again for that p:
 *                 a BFS frontier inside a loop ("reached vertices").
 *  GY_KEEP_ALL    a record is emitted once ever, at the lexicographically
 *                 first time it arrives at ("distinct over all times so
 *                 far"; outside loops: at the first epoch it arrives in).
 *
 * Output: the input's record size and scope; order within a time unspecified.
 */
gy_stream_t *gy_op_distinct(gy_stream_t *s, const char *name, gy_key_fn key, void *arg,
                            enum gy_keep keep);

/* ---- join ---- */

/* Writes the output record for a pair (a from input a, b from input b)
 * into out (out_size bytes, uninitialized). */
typedef void (*gy_join_fn)(const void *a, const void *b, void *out, void *arg);

/*
 * A hash join of a and b on key_a(a) == key_b(b). Each matching pair
 * produces one output record made by join(a, b, out, arg), at the join of
 * the two records' times (the least upper bound: the max per coordinate):
 *
 *  GY_KEEP_TIME   a at t matches b at t only; output at t. Each side's
 *                 records of t are freed once both inputs have passed t.
 *  GY_KEEP_ITERS  a at (p, i) matches b at (p, j) for the same outer time p
 *                 and any i, j; output at (p, max(i, j)). State per outer
 *                 time, freed once both inputs have passed every (p, *).
 *  GY_KEEP_ALL    a at t1 matches b at t2 for any t1, t2; output at t1 v t2.
 *                 So the output at or before t holds every pair with both
 *                 times <= t in the product order: the standard incremental
 *                 join (edges arranged once, labels joined per iteration).
 *                 Both sides are kept until both inputs are complete.
 *
 * Every matching pair is produced exactly once, as soon as its second
 * record arrives (symmetric hash join): nothing waits for a time to
 * complete. Output order unspecified. Both inputs must be in one scope.
 */
struct gy_join_spec {
    const char *name;
    gy_key_fn key_a;            /* key of input a's records */
    gy_key_fn key_b;            /* key of input b's records */
    size_t out_size;            /* bytes per output record */
    gy_join_fn join;            /* makes an output record */
    enum gy_keep keep;
    void *arg;                  /* passed to key_a, key_b and join */
};

gy_stream_t *gy_op_join(gy_stream_t *a, gy_stream_t *b, const struct gy_join_spec *spec);

/* ---- reduce and min by key ---- */

/* All n >= 1 records with key key at the emitter's time, contiguous in the
 * operator's scratch buffer (fn may reorder or modify them); emits 0..k
 * records. Returns 0 or a negative errno. */
typedef int (*gy_reduce_fn)(uint64_t key, void *recs, uint32_t n, gy_emit_t *emit, void *arg);

/*
 * Per time and key, once the time is complete, calls reduce with every
 * record of that key at that time. Unlike gy_op_aggregate, reduce sees all
 * values at once, so it need not be associative (median, top-k, sort);
 * the order of the records it gets is unspecified.
 */
struct gy_reduce_spec {
    const char *name;
    gy_key_fn key;
    size_t out_size;            /* bytes per output record */
    gy_reduce_fn reduce;
    void *arg;                  /* passed to key and reduce */
};

gy_stream_t *gy_op_reduce(gy_stream_t *s, const struct gy_reduce_spec *spec);

/*
 * Per key, the record whose uint64_t value at byte offset val_offset is
 * least (ties: the bytewise smaller record), so results do not depend on
 * arrival order. Output: records of the input's size.
 *
 *  GY_KEEP_TIME   per time and key, the least record of that time, emitted
 *                 once the time is complete.
 *  GY_KEEP_ITERS, GY_KEEP_ALL
 *                 the least record so far (in gy_keep's order): at each
 *                 time, a key's least record of that time is emitted only
 *                 if it is smaller than the key's least of every earlier
 *                 time (or the key is new): min-label propagation, where
 *                 only improved labels go round the loop again.
 */
gy_stream_t *gy_op_min_by_key(gy_stream_t *s, const char *name, gy_key_fn key, void *arg,
                              size_t val_offset, enum gy_keep keep);

/* ---- arrangements ---- */

typedef struct gy_arrangement gy_arrangement_t;

/*
 * An arrangement: the stream's records, exchanged by key, indexed on each
 * worker by key in per-key contiguous arrays. Records are added as they
 * arrive (each with the time it arrived at), the index only grows, and
 * it lives as long as the dataflow. Readers on the same worker look keys
 * up in place, without copying.
 *
 * The safe rule for a reader working at time t (t of the arrangement's
 * depth or deeper, inside loops entered from the arrangement's scope):
 *  - wait until gy_arrange_complete(arr, t): then no record at a time <= t
 *    can still be added on any worker;
 *  - use only the records r of a slice with gy_arrange_visible(arr,
 *    tid(r), t): exactly the records at times <= t (the arrangement's time
 *    compared with t's leading coordinates).
 * Then the reader sees every record at times <= t and nothing else,
 * whatever the other times in flight.
 *
 * To be run when the arrangement advances, a reader connects the
 * arrangement's stream (gy_arrange_stream, or gy_arrange_enter's for
 * readers inside loops) to an input of its own, pipeline pact: no record
 * is ever sent on it, but its frontier is the arrangement's, so the reader
 * is scheduled when it moves. gy_op_join_arranged does exactly this.
 *
 * Returns the handle (freed with the dataflow) or NULL after failing the run.
 */
gy_arrangement_t *gy_arrange(gy_stream_t *s, const char *name, gy_key_fn key, void *arg);

/* A handle on the same arrangement for readers inside loop l, which must
 * be entered from the arrangement's scope (or from a loop already entered
 * with gy_arrange_enter). NULL after failing the run. */
gy_arrangement_t *gy_arrange_enter(gy_arrangement_t *arr, gy_loop_t *l);

/* The arrangement's progress stream (no records) in the handle's scope. */
gy_stream_t *gy_arrange_stream(const gy_arrangement_t *arr);

/* Records of one key: n records of rec_size bytes at recs (in the
 * arrangement's storage, read-only), tids[j] the time id of record j. */
struct gy_arrange_slice {
    const void *recs;
    const uint32_t *tids;
    uint32_t n;
    size_t rec_size;
};

/*
 * The records of key on this worker (all arrived so far, in arrival order).
 * Returns false (and n = 0) when there are none. Thread: the owning worker,
 * from inside an operator callback. The slice stays valid until that
 * callback returns: the arrangement changes only when its own operator
 * runs, never during another operator's callback on the same worker.
 * Only keys this worker owns (gy_key_worker) can be found here.
 */
bool gy_arrange_lookup(const gy_arrangement_t *arr, uint64_t key, struct gy_arrange_slice *out);

/* The time of a time id (the arrangement's depth). */
const struct gy_time *gy_arrange_time(const gy_arrangement_t *arr, uint32_t tid);

/* True iff the time of tid is <= t's leading coordinates (t at the
 * arrangement's depth or deeper). */
bool gy_arrange_visible(const gy_arrangement_t *arr, uint32_t tid, const struct gy_time *t);

/* True iff no record at a time <= t (leading coordinates) can still be
 * added to the arrangement, on any worker. */
bool gy_arrange_complete(const gy_arrangement_t *arr, const struct gy_time *t);

/*
 * Joins s against arr: each record r of s at t (routed by key(r, arg),
 * which must agree with the arrangement's key) meets every arranged record
 * x with the same key at a time <= t; join(r, x, out, arg) makes the
 * output record at t. x points into the arrangement's storage. A record is
 * joined as soon as the arrangement is complete at its time, at once if it
 * already is (the common case for edges arranged before the labels that
 * iterate over them), else buffered until then. s must be in the scope of
 * arr's handle (use gy_arrange_enter inside loops).
 */
struct gy_join_arranged_spec {
    const char *name;
    gy_key_fn key;              /* key of s's records */
    size_t out_size;
    gy_join_fn join;            /* join(stream record, arranged record, out, arg) */
    void *arg;
};

gy_stream_t *gy_op_join_arranged(gy_stream_t *s, gy_arrangement_t *arr,
                                 const struct gy_join_arranged_spec *spec);

#endif
