/*
 * Loops: iteration inside a dataflow. A loop is a scope one level deeper
 * than its parent: times inside carry one more coordinate, the iteration
 * counter. Streams cross the boundary only through enter (counter 0 is
 * appended) and leave (the counter is dropped). The loop variable is a
 * feedback edge: what is sent into it at (e, ..., i) comes out at
 * (e, ..., i + step). Because the feedback always advances the counter,
 * the progress tracker knows when an iteration, and a whole loop for an
 * epoch, is finished, with many epochs and iterations in flight at once.
 *
 *     gy_loop_t *l = gy_loop_new(df, 0, "bfs");
 *     gy_stream_t *back;
 *     gy_feedback_t *fb = gy_loop_feedback(l, sizeof(rec), 1, &back);
 *     gy_stream_t *in = gy_loop_enter(l, seeds);
 *     ... body reads `in` and `back`, produces `next` ...
 *     gy_feedback_connect(fb, next);
 *     gy_stream_t *out = gy_loop_leave(l, next);
 *
 * Construction only (before gy_dataflow_build), on the worker's thread.
 * Errors fail the run with a message naming the loop or the operators:
 * nesting too deep, or a stream of the wrong scope given to enter, leave or
 * gy_feedback_connect, at once; a feedback that does not advance, or a
 * stream used outside its scope by an operator, at gy_dataflow_build.
 * A NULL stream passes through as NULL (the run has failed already), as
 * with the built-ins, so chains need one check at the end.
 */
#ifndef GY_OPERATORS_LOOP_H
#define GY_OPERATORS_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"

typedef struct gy_loop gy_loop_t;
typedef struct gy_feedback gy_feedback_t;

/* A loop scope inside parent_scope (0 = the root). NULL after failing the run. */
gy_loop_t *gy_loop_new(gy_dataflow_t *df, uint32_t parent_scope, const char *name);
uint32_t gy_loop_scope(const gy_loop_t *l);

/* Brings a stream of the parent scope into the loop (counter 0). */
gy_stream_t *gy_loop_enter(gy_loop_t *l, gy_stream_t *outer);
/* Takes a stream of the loop out to the parent scope. */
gy_stream_t *gy_loop_leave(gy_loop_t *l, gy_stream_t *inner);

/* A feedback edge adding step (>= 1) to the counter; *out is its output,
 * usable inside the loop at once. Connect its input later. */
gy_feedback_t *gy_loop_feedback(gy_loop_t *l, size_t rec_size, uint32_t step, gy_stream_t **out);
void gy_feedback_connect(gy_feedback_t *fb, gy_stream_t *inner);

#endif
