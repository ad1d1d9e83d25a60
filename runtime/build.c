/*
 * Building a dataflow: validate the graph, hand it to progress/ as a
 * topology (which checks that every cycle advances time and computes path
 * summaries), wire the channels, and create the tracker with every worker's
 * initial capabilities.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

static int check_input(gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    const struct gy__slot *s = &df->slots[slot];
    const struct gy__inport *in = &s->in[port];
    const struct gy__slot *src;
    uint32_t want, got;

    if (!in->connected)
        return gy__df_report(df, "operator '%s' input %u is not connected", s->name, port);
    src = &df->slots[in->src_slot];
    want = gy__slot_input_scope(df, s);
    got = gy__slot_output_scope(df, src);
    if (want != got)
        return gy__df_report(df,
                         "operator '%s' input %u: the stream of '%s' lives in loop scope %u "
                         "(depth %u) but the input is in scope %u (depth %u); a stream crosses "
                         "a loop boundary only through enter or leave",
                         s->name, port, src->name, got, gy_dataflow_scope_depth(df, got), want,
                         gy_dataflow_scope_depth(df, want));
    if (s->kind != GY_SLOT_PLAIN && src->out[in->src_port].rec_size != s->out[0].rec_size)
        return gy__df_report(df, "loop operator '%s': input records of %zu bytes, output of %zu",
                         s->name, src->out[in->src_port].rec_size, s->out[0].rec_size);
    return 0;
}

static int check_graph(gy_dataflow_t *df)
{
    if (df->bad)
        return gy__df_report(df, "%s", df->why);
    for (uint32_t s = 0; s < df->nslots; s++)
        for (uint32_t p = 0; p < df->slots[s].nin; p++)
            if (check_input(df, s, p) != 0)
                return -EINVAL;
    return 0;
}

static int topo_add_slot(gy_topology_t *topo, const struct gy__slot *s)
{
    switch (s->kind) {
    case GY_SLOT_ENTER:
        return gy_topology_add_enter(topo, s->name, s->scope);
    case GY_SLOT_LEAVE:
        return gy_topology_add_leave(topo, s->name, s->scope);
    case GY_SLOT_FEEDBACK:
        return gy_topology_add_feedback(topo, s->name, s->scope, s->feedback_step);
    case GY_SLOT_PLAIN:
    default:
        return gy_topology_add_op(topo, s->name, s->scope, s->nin, s->nout);
    }
}

static int topo_add_summaries(gy_topology_t *topo, uint32_t id, const struct gy__slot *s)
{
    if (!s->summaries)
        return 0;
    for (uint32_t i = 0; i < s->nin; i++)
        for (uint32_t o = 0; o < s->nout; o++) {
            int rc = gy_topology_set_summary(topo, id, i, o, &s->summaries[i * s->nout + o]);
            if (rc != 0)
                return rc;
        }
    return 0;
}

static int topo_fill(gy_dataflow_t *df, gy_topology_t *topo)
{
    int rc;

    for (uint32_t sc = 1; sc < df->nscopes; sc++)
        if ((rc = gy_topology_add_scope(topo, df->scope_parent[sc])) < 0)
            return rc;
    for (uint32_t s = 0; s < df->nslots; s++) {
        if ((rc = topo_add_slot(topo, &df->slots[s])) < 0)
            return rc;
        if ((rc = topo_add_summaries(topo, (uint32_t)rc, &df->slots[s])) != 0)
            return rc;
    }
    for (uint32_t s = 0; s < df->nslots; s++)
        for (uint32_t p = 0; p < df->slots[s].nin; p++) {
            const struct gy__inport *in = &df->slots[s].in[p];
            if ((rc = gy_topology_add_edge(topo, in->src_slot, in->src_port, s, p)) != 0)
                return rc;
        }
    return 0;
}

static int build_topology(gy_dataflow_t *df)
{
    char err[512];
    int rc;

    df->topo = gy_topology_new();
    if (!df->topo)
        return gy__df_report(df, "out of memory");
    rc = topo_fill(df, df->topo);
    if (rc == 0)
        rc = gy_topology_build(df->topo, err, sizeof(err));
    else
        snprintf(err, sizeof(err), "cannot describe the graph: %s", strerror(-rc));
    if (rc != 0)
        return gy__df_report(df, "%s", err);
    return 0;
}

static int map_locations(gy_dataflow_t *df)
{
    uint32_t n = gy_topology_num_locs(df->topo);

    df->loc_slot = gy_calloc(n ? n : 1, sizeof(uint32_t));
    df->loc_port = gy_calloc(n ? n : 1, sizeof(uint32_t));
    if (!df->loc_slot || !df->loc_port)
        return -ENOMEM;
    for (uint32_t s = 0; s < df->nslots; s++) {
        struct gy__slot *sl = &df->slots[s];
        for (uint32_t p = 0; p < sl->nin; p++) {
            sl->in[p].loc = gy_topology_input_loc(df->topo, s, p);
            df->loc_slot[sl->in[p].loc] = s;
            df->loc_port[sl->in[p].loc] = p;
        }
        for (uint32_t p = 0; p < sl->nout; p++)
            sl->out[p].loc = gy_topology_output_loc(df->topo, s, p);
    }
    return 0;
}

static int add_pusher(gy_dataflow_t *df, uint32_t slot, uint32_t port)
{
    const struct gy__inport *in = &df->slots[slot].in[port];
    struct gy__outport *out = &df->slots[in->src_slot].out[in->src_port];
    void *p = out->pushers;
    size_t cap = out->npushers;
    struct gy__pusher *pu;

    if (gy_grow(&p, &cap, (size_t)out->npushers + 1, sizeof(*out->pushers)) != 0)
        return -ENOMEM;
    out->pushers = p;
    pu = &out->pushers[out->npushers];
    memset(pu, 0, sizeof(*pu));
    pu->open = gy_calloc(df->peers, sizeof(*pu->open));
    if (!pu->open)
        return -ENOMEM;
    out->npushers++;
    pu->pact = in->pact;
    pu->src_slot = in->src_slot;
    pu->slot = slot;
    pu->port = port;
    pu->loc = in->loc;
    return 0;
}

static int wire_channels(gy_dataflow_t *df)
{
    for (uint32_t s = 0; s < df->nslots; s++)
        for (uint32_t p = 0; p < df->slots[s].nin; p++)
            if (add_pusher(df, s, p) != 0)
                return -ENOMEM;
    return 0;
}

/* Every worker holds each initial capability, so each tracker starts with
 * peers counts of it; a worker's release later subtracts one everywhere. */
static int add_initial_capabilities(gy_dataflow_t *df)
{
    for (uint32_t i = 0; i < df->ninitial; i++) {
        const struct gy__slot *s = &df->slots[df->initial[i].slot];
        for (uint32_t o = 0; o < s->nout; o++) {
            int rc = gy_tracker_update(df->tracker, s->out[o].loc, &df->initial[i].time,
                                       (int64_t)df->peers);
            if (rc != 0)
                return rc;
        }
    }
    df->tracker_dirty = true;
    return 0;
}

int gy_dataflow_build(gy_dataflow_t *df)
{
    if (df->built)
        return 0;
    if (check_graph(df) != 0 || build_topology(df) != 0)
        return -EINVAL;
    if (map_locations(df) != 0 || wire_channels(df) != 0 || gy__flow_rank(df) != 0)
        return gy__df_report(df, "out of memory wiring channels");
    df->tracker = gy_tracker_new(df->topo);
    if (!df->tracker || add_initial_capabilities(df) != 0)
        return gy__df_report(df, "out of memory creating the progress tracker");
    df->built = true;
    gy__worker_replay_early(df->w, df->id);
    if (gy__propagate(df) != 0)
        return -ECANCELED;
    for (uint32_t s = 0; s < df->nslots; s++)
        gy_dataflow_activate(df, s);
    return 0;
}
