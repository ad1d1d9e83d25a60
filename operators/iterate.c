/*
 * gy_iterate: a loop built from operators/loop.h, a concat for the loop
 * variable and, when the loop is bounded, a "limit" operator on the
 * feedback path. Written with the public operator API only.
 */
#include "operators/iterate.h"

#include <stdio.h>

#include "operators/builtins.h"
#include "progress/alloc.h"

/* The limit's state: the iteration bound. */
struct limit {
    uint32_t max_iters;     /* >= 1: records returned at iteration max_iters - 1 stop here */
};

/* A batch shares one time, so the whole batch goes round again or none of it. */
static void limit_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    const struct limit *lim = state;

    (void)port;
    if ((uint64_t)gy_iterate_round(&cap->time) + 1 >= lim->max_iters)
        return;
    if (gy_op_give(op, 0, cap, recs, n) != 0)
        return; /* a failed send has failed the run */
}

/* Forwards what may go round again; NULL after failing the run. */
static gy_stream_t *limit_new(gy_stream_t *ret, const char *name, uint32_t max_iters)
{
    struct limit *lim = gy_malloc(sizeof(*lim));
    size_t rec_size = gy_stream_rec_size(ret);
    char opname[96];
    struct gy_op_spec spec = {
        .name = opname, .ninputs = 1, .noutputs = 1, .rec_sizes = &rec_size,
        .scope = gy_stream_scope(ret), .cb = {.on_input = limit_input, .destroy = gy_free},
        .state = lim,
    };
    gy_op_t *op;

    if (!lim) {
        gy_worker_fail(gy_dataflow_worker(gy_stream_dataflow(ret)),
                       "iterate '%s': out of memory", name);
        return NULL;
    }
    lim->max_iters = max_iters;
    snprintf(opname, sizeof(opname), "%s.limit", name);
    op = gy_op_new(gy_stream_dataflow(ret), &spec);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, ret, gy_pact_pipeline());
    return gy_op_output(op, 0);
}

/* The body's stream must be able to close the loop: present, inside this
 * loop, with the variable's record size. Fails the run otherwise. */
static int check_returned(gy_loop_t *l, gy_stream_t *var, gy_stream_t *ret, const char *name)
{
    gy_worker_t *w = gy_dataflow_worker(gy_stream_dataflow(var));

    /* NULL: the run has failed, or gy_dataflow_build fails it and says why
     * (a body that just returned NULL leaves the feedback unconnected). */
    if (!ret)
        return -1;
    if (gy_stream_scope(ret) != gy_loop_scope(l)) {
        gy_worker_fail(w, "iterate '%s': the body returned a stream of loop scope %u, not of the "
                          "loop's scope %u (take streams in and out only through the loop)",
                       name, gy_stream_scope(ret), gy_loop_scope(l));
        return -1;
    }
    if (gy_stream_rec_size(ret) != gy_stream_rec_size(var)) {
        gy_worker_fail(w, "iterate '%s': the body returned records of %zu bytes, the loop "
                          "carries %zu-byte records",
                       name, gy_stream_rec_size(ret), gy_stream_rec_size(var));
        return -1;
    }
    return 0;
}

/* enter + feedback, merged into the loop variable. */
static gy_stream_t *loop_variable(gy_loop_t *l, gy_stream_t *s, const char *name,
                                  gy_feedback_t **fb)
{
    gy_stream_t *back = NULL, *in;
    gy_stream_t *both[2];
    char opname[96];

    in = gy_loop_enter(l, s);
    *fb = in ? gy_loop_feedback(l, gy_stream_rec_size(s), 1, &back) : NULL;
    if (!in || !*fb)
        return NULL;
    both[0] = in;
    both[1] = back;
    snprintf(opname, sizeof(opname), "%s.var", name);
    return gy_op_concat(both, 2, opname);
}

gy_stream_t *gy_iterate(gy_stream_t *s, gy_iterate_fn body, void *arg, uint32_t max_iters,
                        const char *name)
{
    gy_loop_t *l;
    gy_feedback_t *fb = NULL;
    gy_stream_t *var, *ret, *again;

    if (!s)
        return NULL;
    name = name ? name : "iterate";
    l = gy_loop_new(gy_stream_dataflow(s), gy_stream_scope(s), name);
    if (!l || !(var = loop_variable(l, s, name, &fb)))
        return NULL;
    ret = body(l, var, arg);
    if (check_returned(l, var, ret, name) != 0)
        return NULL;
    again = max_iters > 0 ? limit_new(ret, name, max_iters) : ret;
    if (!again)
        return NULL;
    gy_feedback_connect(fb, again);
    return gy_loop_leave(l, ret);
}
