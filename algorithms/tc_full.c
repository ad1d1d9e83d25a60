/*
 * Triangle counting, full strategy: the forward algorithm over the union of
 * the graphs before and after the epoch, for bulk epochs.
 *
 * Edges are oriented from lower to higher in the degree order (tc_lower),
 * which bounds every vertex's out-list by sqrt(2m) and keeps hubs cheap.
 * Stage 1: every worker tells every other the degree of each vertex it
 * owns (one message per vertex and worker, rather than one per edge).
 * Stage 2: each owner of x keeps, of x's neighbours, those higher than x:
 * its out-list N+(x), sorted by id; N+(a) goes once to each other worker
 * owning some b in N+(a).
 * Stage 3: at the owner of b, each such a is merged with N+(b); every common
 * c closes triangle {a, b, c}, found exactly once. Its three edges' marks
 * say whether it is in the new graph (no TC_DEL), in the old one (no
 * TC_INS), both, or only one: a 27-bin histogram of mark triples, classified
 * at the end, keeps the merge loop free of branches on the marks. An epoch
 * without deletes only counts (every old triangle is still there, so the
 * new ones are the count minus the old total).
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "progress/alloc.h"

/* Tells every other worker the degree of local vertex xl. */
static int announce_degree(struct tc *tc, uint32_t xl)
{
    int rc = 0;

    for (uint32_t w = 0; w < tc->peers && rc == 0; w++) {
        struct tc_msg m = {.kind = TC_K_DEG_FULL, .c = tc->adj[xl].len};
        m.a = tc_vmap_orig(&tc->ids, xl);
        if (w != tc->me)
            rc = gy__tc_send_to(tc, w, &m);
    }
    return rc;
}

int gy__tc_full_degrees(struct tc *tc)
{
    int rc = 0;

    for (uint32_t xl = 0; xl < tc->ids.n && rc == 0 && tc->peers > 1; xl++)
        if (tc->adj[xl].len > 0)
            rc = announce_degree(tc, xl);
    return rc;
}

/* Stage 2 arrival: the degree of a vertex owned elsewhere. */
int gy__tc_on_full_degree(struct tc *tc, const struct tc_msg *m)
{
    return gy__tc_dmap_set(tc, &tc->cur.rdeg, m->a, m->c);
}

/* ---- stage 2: sorted out-lists ---- */

static void swap_entry(uint64_t *id, uint32_t *info, size_t i, size_t j)
{
    uint64_t t = id[i];
    uint32_t u = info[i];

    id[i] = id[j];
    id[j] = t;
    info[i] = info[j];
    info[j] = u;
}

static void insertion_sort(uint64_t *id, uint32_t *info, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t t = id[i];
        uint32_t u = info[i];
        size_t j = i;
        for (; j > 0 && id[j - 1] > t; j--) {
            id[j] = id[j - 1];
            info[j] = info[j - 1];
        }
        id[j] = t;
        info[j] = u;
    }
}

/* Hoare's partition around the middle element: returns k with [0, k) <=
 * pivot <= [k, n), 0 < k < n (the middle pivot keeps both parts non-empty). */
static size_t partition(uint64_t *id, uint32_t *info, size_t n)
{
    uint64_t pivot = id[n / 2];
    ptrdiff_t i = -1, j = (ptrdiff_t)n;

    for (;;) {
        while (id[++i] < pivot)
            ;
        while (id[--j] > pivot)
            ;
        if (i >= j)
            return (size_t)j + 1;
        swap_entry(id, info, (size_t)i, (size_t)j);
    }
}

/* Sorts an out-list by id (ids are distinct): quicksort recursing into the
 * smaller part, insertion sort below 16 entries. */
static void sort_list(uint64_t *id, uint32_t *info, size_t n)
{
    while (n > 16) {
        size_t left = partition(id, info, n);
        if (left < n - left) {
            sort_list(id, info, left);
            id += left, info += left, n -= left;
        } else {
            sort_list(id + left, info + left, n - left);
            n = left;
        }
    }
    insertion_sort(id, info, n);
}

/* Where y lives and its degree: *info gets TC_INFO_REMOTE | owner, or
 * its local index. */
static int locate(struct tc *tc, uint64_t y, uint32_t *info, uint32_t *deg)
{
    uint32_t owner = gy__tc_owner(tc, y), yl;

    if (owner != tc->me) {
        *info = TC_INFO_REMOTE | owner;
        if (gy__tc_dmap_get(&tc->cur.rdeg, y, deg))
            return 0;
    } else if (gy__tc_vmap_find(&tc->ids, y, &yl)) {
        *info = yl;
        *deg = tc->adj[yl].len;
        return 0;
    }
    return gy_op_fail(tc->op, "internal error: no degree for a neighbour");
}

/* Appends N+(x), sorted, at oid/oinfo[*k ..]. */
static int out_list(struct tc *tc, uint32_t xl, uint64_t *k)
{
    struct tc_cur *c = &tc->cur;
    const struct tc_adj *a = &tc->adj[xl];
    const uint32_t *meta = tc_adj_meta(a);
    uint64_t x = tc_vmap_orig(&tc->ids, xl), first = *k;

    for (uint32_t i = 0; i < tc_adj_span(a); i++) {
        uint32_t info = 0, deg = 0;
        if (a->ids[i] == x)
            continue;
        if (locate(tc, a->ids[i], &info, &deg) != 0)
            return -ECANCELED;
        if (!tc_lower(a->len, x, deg, a->ids[i]))
            continue;
        c->oid[*k] = a->ids[i];
        c->oinfo[(*k)++] = tc_meta_mark(meta[i]) << TC_MARK_SHIFT | info;
    }
    sort_list(c->oid + first, c->oinfo + first, *k - first);
    return 0;
}

/* The out-lists as CSR over local vertices: off[v] .. off[v + 1]. Each
 * edge lies in one out-list, so half the entries of the sets bound them. */
static int build_csr(struct tc *tc)
{
    struct tc_cur *c = &tc->cur;
    size_t nv = tc->ids.n;
    uint64_t entries = 0, k = 0;
    int rc = 0;

    for (size_t v = 0; v < nv; v++)
        entries += tc->adj[v].len;
    c->nv = nv;
    c->off = gy_calloc(nv + 1, sizeof(*c->off));
    c->oid = gy_malloc((entries + 1) * sizeof(*c->oid));
    c->oinfo = gy_malloc((entries + 1) * sizeof(*c->oinfo));
    if (!c->off || !c->oid || !c->oinfo)
        return gy__tc_oom(tc);
    for (uint32_t xl = 0; xl < nv && rc == 0; xl++) {
        rc = out_list(tc, xl, &k);
        c->off[xl + 1] = k;
    }
    return rc;
}

/* Ships N+(a) (local index al) to every other worker owning one of its
 * entries. seen[w] == al + 1 marks w as served for this a. */
static int ship_out(struct tc *tc, uint32_t al, uint64_t *seen)
{
    const struct tc_cur *c = &tc->cur;
    uint64_t b = c->off[al], e = c->off[al + 1];
    int rc = 0;

    for (uint64_t k = b; k < e && rc == 0; k++) {
        uint32_t dest = c->oinfo[k] & TC_INFO_INDEX;
        if (!(c->oinfo[k] & TC_INFO_REMOTE) || seen[dest] == (uint64_t)al + 1)
            continue;
        seen[dest] = (uint64_t)al + 1;
        for (uint64_t j = b; j < e && rc == 0; j++) {
            struct tc_msg m = {.b = c->oid[j], .c = (uint32_t)(e - b), .kind = TC_K_LIST};
            m.a = tc_vmap_orig(&tc->ids, al);
            m.mark = (uint8_t)(c->oinfo[j] >> TC_MARK_SHIFT);
            rc = gy__tc_send_to(tc, dest, &m);
        }
    }
    return rc;
}

int gy__tc_full_orient(struct tc *tc)
{
    uint64_t *seen;
    int rc = build_csr(tc);

    if (rc != 0 || tc->peers == 1)
        return rc;
    seen = gy_calloc(tc->peers, sizeof(*seen));
    if (!seen)
        return gy__tc_oom(tc);
    for (uint32_t al = 0; al < tc->cur.nv && rc == 0; al++)
        rc = ship_out(tc, al, seen);
    gy_free(seen);
    return rc;
}

/* ---- stage 3: merges ---- */

/* What the merges add up: without deletes in the epoch only the triangles
 * of the new graph are counted (worker 0 derives the new ones from the
 * running total, since the old triangles are all still there); with
 * deletes, a histogram of the marks of the three edges. */
struct tc_merge {
    bool marks;
    uint64_t plain;
    uint64_t hist[27];
};

/* |a ∩ b| of two sorted lists, without branches on the data. */
static uint64_t merge_count(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0;
    uint64_t c = 0;

    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        c += x == y;
        i += x <= y;
        j += y <= x;
    }
    return c;
}

/* Adds every common id of a[0 .. na) and b[0 .. nb) (both sorted) to the
 * histogram of (mark ab, mark ac, mark bc). */
static void merge_marks(const uint64_t *a, const uint32_t *ainfo, size_t na, const uint64_t *b,
                        const uint32_t *binfo, size_t nb, uint32_t mab, uint64_t *hist)
{
    size_t i = 0, j = 0;

    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        if (x == y)
            hist[mab * 9 + (ainfo[i] >> TC_MARK_SHIFT) * 3 + (binfo[j] >> TC_MARK_SHIFT)]++;
        i += x <= y;
        j += y <= x;
    }
}

/* Merges N+(a) with N+(b) for every b in it owned here (local index via
 * info, or looked up when the list came from elsewhere). */
static int merge_list(struct tc *tc, const uint64_t *id, const uint32_t *info, size_t n,
                      bool local, struct tc_merge *m)
{
    const struct tc_cur *c = &tc->cur;

    for (size_t k = 0; k < n; k++) {
        uint32_t bl = info[k] & TC_INFO_INDEX;
        const uint64_t *bid;
        size_t nb;
        if (local && (info[k] & TC_INFO_REMOTE))
            continue;
        if (!local && gy__tc_owner(tc, id[k]) != tc->me)
            continue;
        if (!local && !gy__tc_vmap_find(&tc->ids, id[k], &bl))
            return gy_op_fail(tc->op, "internal error: out-list entry not owned here");
        bid = c->oid + c->off[bl];
        nb = c->off[bl + 1] - c->off[bl];
        if (m->marks)
            merge_marks(id, info, n, bid, c->oinfo + c->off[bl], nb, info[k] >> TC_MARK_SHIFT,
                        m->hist);
        else
            m->plain += merge_count(id, n, bid, nb);
    }
    return 0;
}

struct tc_fullarg {
    struct tc_merge *m;
    struct tc_vec id, info; /* the received list as parallel arrays */
};

static int merge_received(struct tc *tc, const struct tc_lent *l, size_t n, void *arg)
{
    struct tc_fullarg *f = arg;
    void *pi = f->id.p, *pm = f->info.p;
    uint64_t *id;
    uint32_t *info;

    if (n > f->id.cap && gy_grow(&pi, &f->id.cap, n, sizeof(*id)) != 0)
        return gy__tc_oom(tc);
    f->id.p = pi;
    if (n > f->info.cap && gy_grow(&pm, &f->info.cap, n, sizeof(*info)) != 0)
        return gy__tc_oom(tc);
    f->info.p = pm;
    id = pi;
    info = pm;
    for (size_t k = 0; k < n; k++) {
        id[k] = l[k].id;
        info[k] = l[k].mark << TC_MARK_SHIFT;
    }
    return merge_list(tc, id, info, n, false, f->m);
}

/* Histogram of mark triples -> new, removed and present triangles. */
static void classify(struct tc *tc, const struct tc_merge *m)
{
    if (!m->marks) {
        tc->cur.counts.present = m->plain;
        return;
    }
    for (uint32_t h = 0; h < 27; h++) {
        uint32_t k[3] = {h / 9, h / 3 % 3, h % 3};
        bool ins = k[0] == TC_INS || k[1] == TC_INS || k[2] == TC_INS;
        bool del = k[0] == TC_DEL || k[1] == TC_DEL || k[2] == TC_DEL;
        if (!del)
            tc->cur.counts.present += m->hist[h];
        if (ins && !del)
            tc->cur.counts.new_t += m->hist[h];
        if (del && !ins)
            tc->cur.counts.removed += m->hist[h];
    }
}

int gy__tc_full_count(struct tc *tc)
{
    const struct tc_cur *c = &tc->cur;
    struct tc_merge m = {.marks = c->g_del > 0};
    struct tc_fullarg f = {.m = &m};
    int rc = 0;

    for (size_t al = 0; al < c->nv && rc == 0; al++)
        rc = merge_list(tc, c->oid + c->off[al], c->oinfo + c->off[al], c->off[al + 1] - c->off[al],
                        true, &m);
    if (rc == 0)
        rc = gy__tc_each_list(tc, merge_received, &f);
    gy_free(f.id.p);
    gy_free(f.info.p);
    if (rc == 0)
        classify(tc, &m);
    return rc;
}

void gy__tc_full_free(struct tc *tc)
{
    gy__tc_dmap_free(&tc->cur.rdeg);
    gy_free(tc->cur.off);
    gy_free(tc->cur.oid);
    gy_free(tc->cur.oinfo);
    tc->cur.off = NULL;
    tc->cur.oid = NULL;
    tc->cur.oinfo = NULL;
    tc->cur.nv = 0;
}
