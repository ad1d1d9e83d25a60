/*
 * The reachability tracker: pointstamp counts per location, and per input
 * port the counted multiset of times implied by every location's pointstamp
 * frontier through the build-time minimal path summaries.
 *
 * Invariant (after every propagate): for every input port P,
 *   implied[P] = sum over locations l, over elements t of frontier(points[l]),
 *                over minimal summaries s of the paths l ~> P (identity when
 *                l == P) with s(t) defined, of +1 at s(t)
 * and frontier(P) = min { t' : implied[P][t'] > 0 }.
 * Proof sketch: a live pointstamp (l, t) could result in t' at P iff
 * s(t) <= t' for some minimal s (the definition, as summaries are monotone
 * and every path summary dominates a minimal one); t is above some element
 * t0 of frontier(points[l]) and s(t0) <= s(t), so the minimal implied times
 * over the frontier elements equal those over all live pointstamps. Each
 * propagate keeps the invariant: gy_frontier_apply reports exactly the
 * elements that entered (+1) or left (-1) frontier(points[l]), and exactly
 * those terms are added to or removed from the implied multisets.
 *
 * Cost: a propagate visits only the locations updated since the last one,
 * and for each change of their frontiers only the inputs it reaches; the
 * touched inputs are kept in a list, never found by scanning.
 */
#include "progress/tracker.h"

#include <errno.h>
#include <stdio.h>

#include "progress/alloc.h"
#include "progress/frontier.h"

struct gy_tracker {
    const gy_topology_t *topo;
    uint32_t nlocs;
    struct gy_frontier *points;  /* per loc: pointstamp counts and their frontier */
    struct gy_frontier *implied; /* per loc, inputs only: implied times */
    uint32_t *dirty;             /* locs with buffered pointstamp updates */
    uint32_t ndirty;
    bool *is_dirty;
    uint32_t *touched;           /* input locs with buffered implied updates */
    uint32_t ntouched;
    bool *is_touched;
    uint32_t *changed;           /* input locs whose frontier changed in the last propagate */
    uint32_t nchanged;
    struct gy_changes scratch;   /* one frontier's changes */
    struct gy_changes scratch2;  /* an implied frontier's changes */
    int64_t nonzero;             /* distinct (loc, time) pointstamps with a nonzero count */
    char err[320];               /* first -EPROTO of the last propagate, or ""; 28 + 160 + 96 fit */
};

gy_tracker_t *gy_tracker_new(const gy_topology_t *topo)
{
    gy_tracker_t *tr = gy_calloc(1, sizeof(*tr));
    size_t n = gy_topology_num_locs(topo);

    if (!tr)
        return NULL;
    tr->topo = topo;
    tr->nlocs = (uint32_t)n;
    n = n ? n : 1;
    tr->points = gy_calloc(n, sizeof(*tr->points));
    tr->implied = gy_calloc(n, sizeof(*tr->implied));
    tr->dirty = gy_malloc(n * sizeof(*tr->dirty));
    tr->is_dirty = gy_calloc(n, sizeof(*tr->is_dirty));
    tr->touched = gy_malloc(n * sizeof(*tr->touched));
    tr->is_touched = gy_calloc(n, sizeof(*tr->is_touched));
    tr->changed = gy_malloc(n * sizeof(*tr->changed));
    gy_changes_init(&tr->scratch);
    gy_changes_init(&tr->scratch2);
    if (!tr->points || !tr->implied || !tr->dirty || !tr->is_dirty || !tr->touched ||
        !tr->is_touched || !tr->changed) {
        gy_tracker_free(tr);
        return NULL;
    }
    /* gy_frontier_init only zeroes fields, which calloc did. */
    return tr;
}

void gy_tracker_free(gy_tracker_t *tr)
{
    if (!tr)
        return;
    for (uint32_t l = 0; l < tr->nlocs; l++) {
        if (tr->points)
            gy_frontier_destroy(&tr->points[l]);
        if (tr->implied)
            gy_frontier_destroy(&tr->implied[l]);
    }
    gy_free(tr->points);
    gy_free(tr->implied);
    gy_free(tr->dirty);
    gy_free(tr->is_dirty);
    gy_free(tr->touched);
    gy_free(tr->is_touched);
    gy_free(tr->changed);
    gy_changes_destroy(&tr->scratch);
    gy_changes_destroy(&tr->scratch2);
    gy_free(tr);
}

int gy_tracker_update(gy_tracker_t *tr, uint32_t loc, const struct gy_time *t, int64_t delta)
{
    int rc;

    if (loc >= tr->nlocs || t->depth != gy_topology_loc_depth(tr->topo, loc))
        return -EINVAL;
    rc = gy_frontier_update(&tr->points[loc], t, delta);
    if (rc)
        return rc;
    if (!tr->is_dirty[loc]) {
        tr->is_dirty[loc] = true;
        tr->dirty[tr->ndirty++] = loc;
    }
    return 0;
}

static int imply(gy_tracker_t *tr, uint32_t input, const struct gy_time *t, int64_t delta)
{
    int rc = gy_frontier_update(&tr->implied[input], t, delta);

    if (rc == 0 && !tr->is_touched[input]) {
        tr->is_touched[input] = true;
        tr->touched[tr->ntouched++] = input;
    }
    return rc;
}

/* Adds delta at the image of t under every summary of every reach. */
static int imply_reach(gy_tracker_t *tr, const struct gy_reach *r, uint32_t n,
                       const struct gy_time *t, int64_t delta)
{
    struct gy_time u;
    int rc;

    for (uint32_t q = 0; q < n; q++) {
        const struct gy_summaries *ss = &r[q].summaries;
        for (uint32_t k = 0; k < ss->len; k++) {
            if (!gy_summary_apply(&ss->items[k], t, &u))
                continue; /* beyond every time: implies nothing */
            rc = imply(tr, r[q].input_loc, &u, delta);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* One change (+1/-1 at t) of the pointstamp frontier at loc. */
static int imply_change(gy_tracker_t *tr, uint32_t loc, const struct gy_time *t, int64_t delta)
{
    const struct gy_reach *r;
    uint32_t n;
    int rc;

    if (gy_topology_loc_is_output(tr->topo, loc)) {
        r = gy_topology_reach(tr->topo, loc, &n);
        return imply_reach(tr, r, n, t, delta);
    }
    rc = imply(tr, loc, t, delta);
    if (rc)
        return rc;
    r = gy_topology_input_reach(tr->topo, loc, &n);
    return imply_reach(tr, r, n, t, delta);
}

static void report_negative(gy_tracker_t *tr, uint32_t loc, const struct gy_time *t)
{
    char where[160], when[96];
    int64_t count = gy_changes_count(&tr->points[loc].counts, t);

    gy_topology_format_loc(tr->topo, loc, where, sizeof(where));
    gy_time_format(t, when, sizeof(when));
    snprintf(tr->err, sizeof(tr->err), "negative count %lld at %s, time %s", (long long)count,
             where, when);
}

/* Applies the pointstamp updates at one location and implies its frontier's changes. */
static int apply_points(gy_tracker_t *tr, uint32_t loc, int *proto)
{
    struct gy_frontier *f = &tr->points[loc];
    uint32_t before = f->counts.len;
    struct gy_time neg;
    int rc;

    gy_changes_clear(&tr->scratch);
    rc = gy_frontier_apply(f, &tr->scratch, &neg);
    if (rc == -ERANGE) {
        if (*proto == 0)
            report_negative(tr, loc, &neg);
        *proto = -EPROTO;
    } else if (rc) {
        return rc;
    }
    tr->nonzero += (int64_t)f->counts.len - before;
    for (uint32_t i = 0; i < tr->scratch.len; i++) {
        rc = imply_change(tr, loc, &tr->scratch.items[i].time, tr->scratch.items[i].delta);
        if (rc)
            return rc;
    }
    return 0;
}

/* Applies the implied updates of every touched input; records those whose frontier changed. */
static int apply_implied(gy_tracker_t *tr)
{
    int rc = 0;

    for (uint32_t i = 0; i < tr->ntouched; i++) {
        uint32_t p = tr->touched[i];
        tr->is_touched[p] = false;
        if (rc)
            continue;
        gy_changes_clear(&tr->scratch2);
        rc = gy_frontier_apply(&tr->implied[p], &tr->scratch2, NULL);
        if (rc == 0 && tr->scratch2.len > 0)
            tr->changed[tr->nchanged++] = p;
    }
    tr->ntouched = 0;
    return rc;
}

int gy_tracker_propagate(gy_tracker_t *tr)
{
    int proto = 0, rc = 0;

    tr->nchanged = 0;
    tr->err[0] = '\0';
    for (uint32_t i = 0; i < tr->ndirty; i++) {
        uint32_t loc = tr->dirty[i];
        tr->is_dirty[loc] = false;
        if (rc == 0)
            rc = apply_points(tr, loc, &proto);
    }
    tr->ndirty = 0;
    if (rc == 0)
        rc = apply_implied(tr);
    return rc ? rc : proto;
}

const struct gy_antichain *gy_tracker_frontier(const gy_tracker_t *tr, uint32_t input_loc)
{
    return gy_frontier_get(&tr->implied[input_loc]);
}

uint32_t gy_tracker_changed(const gy_tracker_t *tr, const uint32_t **locs)
{
    *locs = tr->changed;
    return tr->nchanged;
}

const struct gy_antichain *gy_tracker_pointstamps(const gy_tracker_t *tr, uint32_t loc)
{
    return gy_frontier_get(&tr->points[loc]);
}

bool gy_tracker_is_empty(const gy_tracker_t *tr)
{
    return tr->nonzero == 0;
}

const char *gy_tracker_error(const gy_tracker_t *tr)
{
    return tr->err;
}
