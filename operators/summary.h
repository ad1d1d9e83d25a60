/*
 * The summary operator: per-worker folds combined across workers, per
 * timestamp, fired by progress (never by a timer). The shape of streaming
 * union-find and of every graph summary (degree histograms, sketches,
 * component forests, running counts):
 *
 *   records at t --fold--> this worker's summary of t     (every worker)
 *                --once t is complete here: sent to one worker-->
 *                --merge--> the summary of t over all workers
 *                --once t is complete there: emitted at t-->
 *
 * A summary is a fixed-size blob of `size` bytes that holds no pointers
 * (it travels between workers as bytes). It may be larger than a batch:
 * blobs travel in chunks and are reassembled before merging.
 *
 * Results do not depend on the number of workers or on batching iff
 * init/fold/merge form a commutative monoid action: merge is associative
 * and commutative with init as its identity, and folding records into two
 * summaries and merging them equals folding all records into one.
 * (Union-find forests, counts, sums, min/max, histograms all qualify; the
 * test suite checks union-find with and without carry.)
 *
 * Which times: a summary is produced for each time (epoch, and loop
 * counters inside loops) at which some worker received records; a time
 * with no records anywhere has no summary (there is no capability to send
 * one with).
 *
 * carry (running totals): the summary of t starts from the merged summary
 * emitted last, before t, and adds t's merged summary to it:
 *     S(t) = merge(S(previous), merge over workers of fold(records at t)).
 * "Previous" is in the lexicographic order of times (outside loops: the
 * previous epoch that had records). Carried summaries are merged on one
 * worker (gy_key_worker(0, peers)), and times are merged in that order:
 * a time is emitted once it is complete and no earlier time can still
 * arrive (for times inside loops this serializes epochs, as GY_KEEP_ALL
 * does in keyed.h). Without carry, times are spread over workers by a
 * hash of the time and are independent.
 *
 * Operators created: "<name>.fold" (every worker, no exchange) and
 * "<name>" (the merge). Construction contract, NULL results and callback
 * errors as in operators/builtins.h.
 */
#ifndef GY_OPERATORS_SUMMARY_H
#define GY_OPERATORS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/builtins.h"
#include "operators/op.h"

struct gy_summary_spec {
    const char *name;
    size_t size;                /* bytes per summary blob, >= 1 */
    /* Writes the empty summary (merge's identity). NULL: all zero bytes. */
    void (*init)(void *blob, void *arg);
    /* Folds one record into a summary. Returns 0 or a negative errno. */
    int (*fold)(void *blob, const void *rec, void *arg);
    /* into = merge(into, from). Returns 0 or a negative errno. */
    int (*merge)(void *into, const void *from, void *arg);
    /*
     * Emits the merged summary of emit's time as records of out_size bytes
     * (a count, (vertex, component) pairs, ...). It may modify the blob
     * (canonicalize, compress paths); with carry, the modified blob is
     * what the next time starts from. Returns 0 or a negative errno.
     * NULL: the blob itself is the one output record (out_size is ignored
     * and size must be at most GY_BATCH_BYTES).
     */
    int (*emit)(void *blob, gy_emit_t *emit, void *arg);
    size_t out_size;            /* bytes per output record when emit is set */
    bool carry;                 /* running totals (see above) */
    void *arg;                  /* passed to every callback */
};

/* Summaries of s per time; see above. Blob pointers passed to the
 * callbacks are 16-byte aligned. spec is only read during the call. */
gy_stream_t *gy_op_summary(gy_stream_t *s, const struct gy_summary_spec *spec);

#endif
