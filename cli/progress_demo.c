/*
 * `gyre progress-demo`: progress tracking on a small dataflow with a loop,
 * step by step, with no threads and no data: only the pointstamps that a
 * real run would produce, fed to a gy_tracker.
 *
 *   input -> enter -> body -> leave -> output -> probe
 *                      ^  \
 *                      |   feedback(+1)
 *                      +---/
 *
 * The input holds a capability at epoch 0 and sends one record; the record
 * goes around the loop for three iterations, (0, 0), (0, 1), (0, 2), then
 * leaves and reaches the probe. The input then advances to epoch 1, sends
 * one more record and closes; that record makes the same trip while the
 * frontiers follow it and empty out. After every step the table shows, per
 * operator, the minimal pointstamps at its ports and every input port's
 * frontier: the least times that could still arrive there.
 *
 * Each step's updates go to the tracker as one batch, as a worker would send
 * them: what the step created (+1) together with what it consumed (-1).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "progress/antichain.h"
#include "progress/time.h"
#include "progress/topology.h"
#include "progress/tracker.h"

#define ITERATIONS 3 /* times the record goes around the loop */

struct demo {
    gy_topology_t *topo;
    gy_tracker_t *tr;
    int input, enter, body, feedback, leave, output, probe; /* operator ids */
    int step;
};

/* One pointstamp change of a step. */
struct delta {
    uint32_t loc;
    struct gy_time t;
    int64_t d;
};

static struct gy_time at_epoch(uint64_t e)
{
    return gy_time_epoch(e);
}

static struct gy_time in_loop(uint64_t e, uint32_t i)
{
    struct gy_time t = gy_time_zero(1);
    t.epoch = e;
    t.iter[0] = i;
    return t;
}

static uint32_t in_loc(const struct demo *d, int op, uint32_t port)
{
    return gy_topology_input_loc(d->topo, (uint32_t)op, port);
}

static uint32_t out_loc(const struct demo *d, int op, uint32_t port)
{
    return gy_topology_output_loc(d->topo, (uint32_t)op, port);
}

/* ---- building the dataflow ---- */

static int add_ops(struct demo *d, int loop)
{
    gy_topology_t *t = d->topo;

    if ((d->input = gy_topology_add_op(t, "input", 0, 0, 1)) < 0)
        return d->input;
    if ((d->enter = gy_topology_add_enter(t, "enter", (uint32_t)loop)) < 0)
        return d->enter;
    /* body: input 0 from enter, input 1 from the feedback. */
    if ((d->body = gy_topology_add_op(t, "body", (uint32_t)loop, 2, 1)) < 0)
        return d->body;
    if ((d->feedback = gy_topology_add_feedback(t, "feedback", (uint32_t)loop, 1)) < 0)
        return d->feedback;
    if ((d->leave = gy_topology_add_leave(t, "leave", (uint32_t)loop)) < 0)
        return d->leave;
    if ((d->output = gy_topology_add_op(t, "output", 0, 1, 1)) < 0)
        return d->output;
    d->probe = gy_topology_add_op(t, "probe", 0, 1, 0);
    return d->probe < 0 ? d->probe : 0;
}

static int add_edges(struct demo *d)
{
    const int e[][4] = {
        {d->input, 0, d->enter, 0},  {d->enter, 0, d->body, 0},    {d->body, 0, d->feedback, 0},
        {d->feedback, 0, d->body, 1}, {d->body, 0, d->leave, 0},   {d->leave, 0, d->output, 0},
        {d->output, 0, d->probe, 0},
    };
    int rc;

    for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
        rc = gy_topology_add_edge(d->topo, (uint32_t)e[i][0], (uint32_t)e[i][1],
                                  (uint32_t)e[i][2], (uint32_t)e[i][3]);
        if (rc)
            return rc;
    }
    return 0;
}

static int build(struct demo *d)
{
    char err[256] = "";
    int loop, rc;

    d->topo = gy_topology_new();
    loop = d->topo ? gy_topology_add_scope(d->topo, 0) : -ENOMEM;
    rc = loop < 0 ? loop : add_ops(d, loop);
    if (rc == 0)
        rc = add_edges(d);
    if (rc == 0)
        rc = gy_topology_build(d->topo, err, sizeof(err));
    if (rc == 0 && (d->tr = gy_tracker_new(d->topo)) == NULL)
        rc = -ENOMEM;
    if (rc)
        fprintf(stderr, "gyre: progress-demo: cannot build the dataflow: %s\n",
                err[0] ? err : strerror(-rc));
    return rc;
}

/* ---- printing ---- */

static bool was_changed(const struct demo *d, uint32_t loc)
{
    const uint32_t *locs;
    uint32_t n = gy_tracker_changed(d->tr, &locs);

    for (uint32_t i = 0; i < n; i++)
        if (locs[i] == loc)
            return true;
    return false;
}

/* Appends "in0 {(0, 1)}" (or out0) to buf at *len, with mark after the port. */
static void append_port(char *buf, size_t size, size_t *len, bool out, uint32_t port,
                        const char *mark, const struct gy_antichain *a)
{
    char set[96];

    if (*len >= size)
        return;
    gy_antichain_format(a, set, sizeof(set));
    *len += (size_t)snprintf(buf + *len, size - *len, "%s%s%u%s %s", *len ? "  " : "",
                             out ? "out" : "in", port, mark, set);
}

/* One operator: its non-empty pointstamps, and every input's frontier. */
static void print_op(const struct demo *d, uint32_t op)
{
    char points[128] = "", frontiers[192] = "";
    size_t np = 0, nf = 0;

    for (uint32_t p = 0; p < gy_topology_op_ninputs(d->topo, op); p++) {
        uint32_t loc = gy_topology_input_loc(d->topo, op, p);
        const struct gy_antichain *a = gy_tracker_pointstamps(d->tr, loc);
        if (!gy_antichain_is_empty(a))
            append_port(points, sizeof(points), &np, false, p, "", a);
        append_port(frontiers, sizeof(frontiers), &nf, false, p,
                    was_changed(d, loc) ? "*" : "", gy_tracker_frontier(d->tr, loc));
    }
    for (uint32_t p = 0; p < gy_topology_op_noutputs(d->topo, op); p++) {
        const struct gy_antichain *a =
            gy_tracker_pointstamps(d->tr, gy_topology_output_loc(d->topo, op, p));
        if (!gy_antichain_is_empty(a))
            append_port(points, sizeof(points), &np, true, p, "", a);
    }
    printf("  %-9s %-22s %s\n", gy_topology_op_name(d->topo, op), points, frontiers);
}

static void print_table(const struct demo *d, const char *what)
{
    printf("\nstep %d: %s\n", d->step, what);
    printf("  %-9s %-22s %s\n", "operator", "pointstamps", "input frontiers (* = changed)");
    for (uint32_t op = 0; op < gy_topology_num_ops(d->topo); op++)
        print_op(d, op);
}

/* ---- stepping ---- */

static int step(struct demo *d, const char *what, const struct delta *ds, size_t n)
{
    int rc;

    for (size_t i = 0; i < n; i++) {
        rc = gy_tracker_update(d->tr, ds[i].loc, &ds[i].t, ds[i].d);
        if (rc)
            goto fail;
    }
    rc = gy_tracker_propagate(d->tr);
    if (rc)
        goto fail;
    d->step++;
    print_table(d, what);
    return 0;

fail:
    fprintf(stderr, "gyre: progress-demo: step '%s' failed: %s\n", what,
            rc == -EPROTO ? gy_tracker_error(d->tr) : strerror(-rc));
    return rc;
}

/* The input, holding a capability at epoch e, sends one record to enter. */
static int run_send(struct demo *d, uint64_t e)
{
    char what[96];
    const struct delta send[] = {{in_loc(d, d->enter, 0), at_epoch(e), +1}};

    snprintf(what, sizeof(what), "input sends a record at (%llu) to enter",
             (unsigned long long)e);
    return step(d, what, send, 1);
}

/* Iteration i: body consumes (e, i) and sends it around again, or out. */
static int run_iteration(struct demo *d, uint64_t e, uint32_t i)
{
    char what[96];
    bool last = i + 1 == ITERATIONS;
    const struct delta body[] = {
        {in_loc(d, d->body, i == 0 ? 0 : 1), in_loop(e, i), -1},
        {last ? in_loc(d, d->leave, 0) : in_loc(d, d->feedback, 0), in_loop(e, i), +1},
    };
    const struct delta back[] = {
        {in_loc(d, d->feedback, 0), in_loop(e, i), -1},
        {in_loc(d, d->body, 1), in_loop(e, i + 1), +1},
    };
    int rc;

    snprintf(what, sizeof(what), "body consumes (%llu, %u) and sends it to %s",
             (unsigned long long)e, i, last ? "leave" : "feedback");
    rc = step(d, what, body, 2);
    if (rc || last)
        return rc;
    snprintf(what, sizeof(what), "feedback returns it to body at (%llu, %u)",
             (unsigned long long)e, i + 1);
    return step(d, what, back, 2);
}

/* The record of epoch e leaves the loop and is consumed by the probe. */
static int run_exit(struct demo *d, uint64_t e)
{
    const struct delta leave[] = {
        {in_loc(d, d->leave, 0), in_loop(e, ITERATIONS - 1), -1},
        {in_loc(d, d->output, 0), at_epoch(e), +1},
    };
    const struct delta output[] = {
        {in_loc(d, d->output, 0), at_epoch(e), -1},
        {in_loc(d, d->probe, 0), at_epoch(e), +1},
    };
    const struct delta probe[] = {{in_loc(d, d->probe, 0), at_epoch(e), -1}};
    int rc = step(d, "leave drops the loop coordinate and sends it to output", leave, 2);

    if (rc == 0)
        rc = step(d, "output sends it to probe", output, 2);
    if (rc == 0)
        rc = step(d, "probe consumes it", probe, 1);
    return rc;
}

/* The record of epoch e, already at enter, goes around the loop and out. */
static int run_record(struct demo *d, uint64_t e)
{
    char what[96];
    const struct delta enter[] = {
        {in_loc(d, d->enter, 0), at_epoch(e), -1},
        {in_loc(d, d->body, 0), in_loop(e, 0), +1},
    };
    int rc;

    snprintf(what, sizeof(what), "enter moves it into the loop at (%llu, 0)",
             (unsigned long long)e);
    rc = step(d, what, enter, 2);
    for (uint32_t i = 0; rc == 0 && i < ITERATIONS; i++)
        rc = run_iteration(d, e, i);
    return rc ? rc : run_exit(d, e);
}

/*
 * Epoch 0 runs while the input still holds (0): every frontier stays at
 * epoch 0 until the input advances. The record of epoch 1 runs after the
 * input closed, so the frontiers follow it around the loop and empty out.
 */
static int run_epochs(struct demo *d)
{
    uint32_t cap = out_loc(d, d->input, 0);
    const struct delta hold[] = {{cap, at_epoch(0), +1}};
    const struct delta advance[] = {{cap, at_epoch(1), +1}, {cap, at_epoch(0), -1}};
    const struct delta close[] = {{cap, at_epoch(1), -1}};
    int rc = step(d, "input holds a capability at epoch 0", hold, 1);

    if (rc == 0)
        rc = run_send(d, 0);
    if (rc == 0)
        rc = run_record(d, 0);
    if (rc == 0)
        rc = step(d, "input advances to epoch 1: epoch 0 is complete everywhere", advance, 2);
    if (rc == 0)
        rc = run_send(d, 1);
    if (rc == 0)
        rc = step(d, "input closes: drops its capability", close, 1);
    return rc ? rc : run_record(d, 1);
}

static bool all_empty(const struct demo *d)
{
    for (uint32_t loc = 0; loc < gy_topology_num_locs(d->topo); loc++)
        if (!gy_topology_loc_is_output(d->topo, loc) &&
            !gy_antichain_is_empty(gy_tracker_frontier(d->tr, loc)))
            return false;
    return gy_tracker_is_empty(d->tr);
}

static int run(struct demo *d)
{
    int rc = run_epochs(d);

    if (rc)
        return rc;
    if (!all_empty(d)) {
        fprintf(stderr, "gyre: progress-demo: frontiers not empty after the input closed\n");
        return -EPROTO;
    }
    printf("\nall frontiers empty: dataflow complete\n");
    return 0;
}

int gy_cli_progress_demo(int argc, char **argv)
{
    struct demo d = {0};
    int rc;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: gyre progress-demo\n"
               "Walks a small dataflow with a loop through progress tracking and prints\n"
               "the pointstamps and every input's frontier after each step.\n");
        return GY_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "gyre: progress-demo: unexpected argument '%s'\n", argv[1]);
        return GY_EXIT_USAGE;
    }
    printf("dataflow: input -> enter -> body -> leave -> output -> probe, "
           "body -> feedback(+1) -> body\n");
    rc = build(&d);
    if (rc == 0)
        rc = run(&d);
    gy_tracker_free(d.tr);
    gy_topology_free(d.topo);
    return rc ? GY_EXIT_RUNTIME : GY_EXIT_OK;
}
