/*
 * The iterate helper: a whole loop in one call, shaped like Naiad's Iterate
 * (and timely's feedback / branch_when idiom) over operators/loop.h.
 *
 *     gy_stream_t *out = gy_iterate(seeds, bfs_body, &ctx, 0, "bfs");
 *
 * builds
 *
 *               +------------------------------- leave --> out
 *               |
 *   s -> enter -+-> concat(var) -> body(...) -> ret -+
 *                       ^                             |
 *                       +-- feedback(+1) <-- limit <--+
 *
 * The loop variable `var` holds what enters at iteration 0 and what the
 * body returned at iteration i, again at iteration i + 1. The body is called
 * once, during construction: it builds operators inside the loop reading
 * `var` and returns the stream to feed back (records of the input's size,
 * in the loop's scope).
 *
 * What leaves: every record the body returns, at every iteration, leaves
 * the loop (at its outer time, the loop counter dropped) and is also fed
 * back. Records that enter are not in the output unless the body passes
 * them on. This is Naiad's Iterate: body(x) is both the next iteration's
 * input and part of the result, which suits fixpoints written as
 * "discoveries" (semi-naive evaluation: the output of a BFS body that
 * emits each vertex once, when first reached, is exactly the BFS result).
 * A body that wants to output something else calls gy_loop_leave(loop, ...)
 * itself on any stream of the loop and hands it out through arg; the
 * stream gy_iterate returns may then be left unconnected (records sent to
 * an unconnected output cost nothing).
 *
 * When a loop stops, per epoch (and per outer time, when nested):
 *  - by itself, as soon as the body returns nothing for that time: no
 *    record circulates, so progress tracking completes the loop's times,
 *    the output's frontier passes the epoch and probes downstream see it;
 *  - after max_iters iterations (0 = no limit): the body runs at
 *    iterations 0 .. max_iters - 1, and what it returns at iteration
 *    max_iters - 1 leaves but is not fed back (the limit sits on the
 *    feedback edge, as in Naiad's Iterate, so nothing the body produced is
 *    lost). So max_iters = k applies the body k times: a BFS body
 *    with k = 3 yields the vertices within 3 hops, a "rounds" body the
 *    values after each of the first k rounds, the k-th included.
 *
 * Many epochs may be in the loop at once; each finishes on its own.
 * gy_iterate nests: a body may call gy_iterate on a stream of its loop, up
 * to GY_MAX_DEPTH loops including the enclosing ones.
 *
 * Operators created (their names appear in error messages): the loop
 * `name` with its boundaries "name.enterN", "name.feedbackN" and
 * "name.leaveN", "name.var" (the concat), and "name.limit" when
 * max_iters > 0.
 *
 * Performance: the loop forwards records as they arrive. A body that
 * exchanges many records among workers should work per iteration (e.g.
 * gy_op_unary_notify, or a custom operator notified per time): exchanges
 * cut batches, and forwarding eagerly cuts them again at every iteration
 * (docs/loops.md, "Performance").
 *
 * Construction only: call on the worker's thread before gy_dataflow_build,
 * the same calls in the same order on every worker (SPMD). Returns the
 * output stream (in s's scope, freed with the dataflow), or NULL. As with
 * the built-ins, NULL means the run has failed, or gy_dataflow_build fails
 * it and names the reason: s NULL, nesting too deep, out of memory, a body
 * that returned NULL (its own reason, else "operator 'name.feedbackN'
 * input 0 is not connected"), or a body that returned a stream of another
 * scope or record size ("iterate 'name': the body returned ...").
 */
#ifndef GY_OPERATORS_ITERATE_H
#define GY_OPERATORS_ITERATE_H

#include <stdint.h>

#include "operators/loop.h"
#include "operators/op.h"
#include "progress/time.h"

/*
 * Builds the loop body inside loop from var (the loop variable) and returns
 * the stream to feed back and emit, or NULL after failing the run. Called
 * once, from gy_iterate, on the same thread. arg is gy_iterate's.
 */
typedef gy_stream_t *(*gy_iterate_fn)(gy_loop_t *loop, gy_stream_t *var, void *arg);

gy_stream_t *gy_iterate(gy_stream_t *s, gy_iterate_fn body, void *arg, uint32_t max_iters,
                        const char *name);

/* The innermost loop counter of t (t->depth >= 1): inside a gy_iterate body,
 * the iteration a record is in (0 for what entered). */
static inline uint32_t gy_iterate_round(const struct gy_time *t)
{
    return t->iter[t->depth - 1];
}

#endif
