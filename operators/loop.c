/*
 * Loop scopes over the runtime's boundary slots (enter, leave, feedback),
 * which rewrite timestamps and declare their path summaries to progress
 * tracking.
 */
#include "operators/loop.h"

#include <stdio.h>

#include "operators/op_internal.h"
#include "progress/alloc.h"

struct gy_loop {
    gy_dataflow_t *df;
    uint32_t scope;
    char name[64];
    uint32_t nboundaries;   /* for naming enter/leave/feedback operators */
};

struct gy_feedback {
    struct gy_stream out;   /* the feedback's output, inside the loop; first member */
    gy_loop_t *loop;
};

/* A boundary stream lives as long as the dataflow. obj_size >= sizeof(struct
 * gy_stream) leaves room for a handle that embeds the stream first. */
static struct gy_stream *boundary(gy_loop_t *l, enum gy_slot_kind kind, const char *what,
                                  size_t rec_size, uint32_t step, size_t obj_size)
{
    struct gy_stream *s = gy_malloc(obj_size);
    char name[96];
    int id;

    if (!s || gy_dataflow_own(l->df, s, gy_free) != 0) {
        if (!s)
            gy_worker_fail(gy_dataflow_worker(l->df), "loop '%s': out of memory", l->name);
        return NULL;
    }
    snprintf(name, sizeof(name), "%s.%s%u", l->name, what, l->nboundaries++);
    id = gy_dataflow_add_boundary(l->df, kind, name, l->scope, rec_size, step);
    if (id < 0)
        return NULL; /* refused (a feedback of step 0, say): gy_dataflow_build says why */
    *s = (struct gy_stream){l->df, (uint32_t)id, 0};
    return s;
}

gy_loop_t *gy_loop_new(gy_dataflow_t *df, uint32_t parent_scope, const char *name)
{
    gy_loop_t *l = gy_calloc(1, sizeof(*l));
    int scope;

    if (!l || gy_dataflow_own(df, l, gy_free) != 0) {
        if (!l)
            gy_worker_fail(gy_dataflow_worker(df), "loop '%s': out of memory", name);
        return NULL;
    }
    scope = gy_dataflow_add_scope(df, parent_scope);
    if (scope < 0) {
        gy_worker_fail(gy_dataflow_worker(df), "loop '%s': loops nest at most %d deep",
                       name ? name : "loop", GY_MAX_DEPTH);
        return NULL;
    }
    l->df = df;
    l->scope = (uint32_t)scope;
    snprintf(l->name, sizeof(l->name), "%s", name ? name : "loop");
    return l;
}

uint32_t gy_loop_scope(const gy_loop_t *l)
{
    return l->scope;
}

/* Streams cross a loop boundary only between the loop and its parent. The
 * runtime would reject a mismatch at build too, naming the boundary slot;
 * failing here names the loop and says which side was wrong. */
static int check_side(gy_loop_t *l, const gy_stream_t *s, uint32_t want, const char *what)
{
    uint32_t got = gy_stream_scope(s);

    if (got == want)
        return 0;
    return gy_worker_fail(gy_dataflow_worker(l->df),
                          "loop '%s' (scope %u, depth %u): %s takes a stream of scope %u "
                          "(depth %u), but the stream of '%s' is in scope %u (depth %u)",
                          l->name, l->scope, gy_dataflow_scope_depth(l->df, l->scope), what, want,
                          gy_dataflow_scope_depth(l->df, want),
                          gy_dataflow_slot_name(s->df, s->slot), got,
                          gy_dataflow_scope_depth(l->df, got));
}

gy_stream_t *gy_loop_enter(gy_loop_t *l, gy_stream_t *outer)
{
    struct gy_stream *s;

    if (!l || !outer ||
        check_side(l, outer, gy_dataflow_scope_parent(l->df, l->scope), "enter") != 0)
        return NULL;
    s = boundary(l, GY_SLOT_ENTER, "enter", gy_stream_rec_size(outer), 0, sizeof(*s));
    if (s)
        gy_dataflow_connect(l->df, outer->slot, outer->port, s->slot, 0, gy_pact_pipeline());
    return s;
}

gy_stream_t *gy_loop_leave(gy_loop_t *l, gy_stream_t *inner)
{
    struct gy_stream *s;

    if (!l || !inner || check_side(l, inner, l->scope, "leave") != 0)
        return NULL;
    s = boundary(l, GY_SLOT_LEAVE, "leave", gy_stream_rec_size(inner), 0, sizeof(*s));
    if (s)
        gy_dataflow_connect(l->df, inner->slot, inner->port, s->slot, 0, gy_pact_pipeline());
    return s;
}

gy_feedback_t *gy_loop_feedback(gy_loop_t *l, size_t rec_size, uint32_t step, gy_stream_t **out)
{
    struct gy_stream *s = NULL;
    gy_feedback_t *fb;

    if (l)
        s = boundary(l, GY_SLOT_FEEDBACK, "feedback", rec_size, step, sizeof(*fb));
    *out = s;
    if (!s)
        return NULL;
    fb = (gy_feedback_t *)s; /* out is its first member */
    fb->loop = l;
    return fb;
}

void gy_feedback_connect(gy_feedback_t *fb, gy_stream_t *inner)
{
    if (!fb || !inner || check_side(fb->loop, inner, fb->loop->scope, "its feedback") != 0)
        return;
    gy_dataflow_connect(fb->out.df, inner->slot, inner->port, fb->out.slot, 0, gy_pact_pipeline());
}
