/*
 * Triangle counting, stages 0 and 1 and the end of an epoch.
 *
 * Stage 0: every edge record reaches the owners of both its endpoints, and
 * each keeps the edge's multiplicity in its endpoint's neighbour set. Only
 * 0 <-> 1 transitions change the graph, and both owners see the same records
 * in the same order, so they find the same transitions without talking.
 * The records of one edge within an epoch are taken in input-line order
 * (inserts first on a tie), so "- u v" before "+ u v" in one epoch is a
 * delete of an absent edge, as it is when read sequentially; an epoch
 * without deletes here needs no order and skips the sort. The owner of the
 * smaller endpoint counts the changes and the bad deletes. Each worker then
 * votes for a strategy from its own share of changes and, when it votes
 * for the delta one, already ships its lists (tc_delta.c).
 *
 * Stage 1: every worker has every vote and count, and all pick the same
 * strategy. A bad delete fails the run here, naming the earliest line.
 *
 * The end of an epoch (gy__tc_finish) sends the counts to worker 0, clears
 * the marks and removes deleted entries, through the change log or, for
 * bulk epochs whose log would be too long, by scanning every set, and
 * announces the new degrees of heavy vertices to every worker.
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "progress/alloc.h"

/* Changes logged per epoch and worker (64 MiB of log); an epoch with more
 * is a bulk load, counted in full, whose sets are scanned instead. */
#define TC_LOG_MAX (1u << 22)

size_t gy__tc_log_max = TC_LOG_MAX;

/* A worker votes for the full recount when its changed entries, times the
 * workers, reach 1/TC_FULL_RATIO of the entries (two per edge) before the
 * epoch, plus TC_DELTA_MIN: a probe of the delta strategy costs a few
 * merge steps of the forward algorithm, which visits the whole graph. */
#define TC_FULL_RATIO 4u
#define TC_DELTA_MIN 64u

/* Records of an insert-only epoch from which bucketing them pays. */
#define TC_BULK_MIN (1u << 15)

static int log_change(struct tc *tc, uint32_t xl, uint64_t y, uint32_t mark)
{
    struct tc_cur *c = &tc->cur;
    struct tc_change *ch;

    if (c->log_over)
        return 0;
    if (c->log.n >= gy__tc_log_max) {
        c->log_over = true;
        return 0;
    }
    ch = gy__tc_push(tc, &c->log, sizeof(*ch));
    if (!ch)
        return -ENOMEM;
    ch->xl = xl;
    ch->y = y;
    ch->mark = mark;
    return 0;
}

/* A multiplicity past 30 bits (r->line is 0 in a bulk epoch, which drops lines). */
static int too_many(struct tc *tc, uint64_t x, uint64_t y, uint32_t line)
{
    if (line == 0)
        return gy_op_fail(tc->op, "%s: edge {%" PRIu64 ",%" PRIu64 "} inserted more than %u times",
                          tc->input_name, x, y, TC_MULT_MAX);
    return gy_op_fail(tc->op, "%s:%" PRIu32 ": edge {%" PRIu64 ",%" PRIu64
                      "} inserted more than %u times", tc->input_name, line, x, y, TC_MULT_MAX);
}

/* Line order of bad deletes; line 0 (unknown) sorts last. */
static uint64_t line_rank(uint32_t line)
{
    return line == 0 ? UINT64_MAX : line;
}

void gy__tc_bad_keep(struct tc_bad *into, uint64_t u, uint64_t v, uint32_t line)
{
    if (into->any && line_rank(into->line) <= line_rank(line))
        return;
    *into = (struct tc_bad){.u = u, .v = v, .line = line, .any = true};
}

/* A delete of an absent edge: skipped and counted, or kept to fail the run
 * in stage 1 with the earliest line of the epoch, the same message for
 * every worker count. */
static void bad_delete(struct tc *tc, const struct tc_rec *r)
{
    if (r->hi) /* the other owner counts it */
        return;
    if (tc->skip_bad)
        tc->cur.bad++;
    else
        gy__tc_bad_keep(&tc->cur.lbad, r->swapped ? r->y : r->x, r->swapped ? r->x : r->y,
                        r->line);
}

/* Worker 0, stage 1: fails the run if any worker found a bad delete. */
static int report_bad(struct tc *tc)
{
    const struct tc_bad *b = &tc->cur.gbad;
    gy_worker_t *w = gy_op_worker(tc->op);

    if (!b->any)
        return 0;
    if (b->line == 0)
        return gy_worker_fail(w, "%s: delete of edge {%" PRIu64 ",%" PRIu64 "} that is not present",
                              tc->input_name, b->u, b->v);
    return gy_worker_fail(w, "%s:%" PRIu32 ": delete of edge {%" PRIu64 ",%" PRIu64
                          "} that is not present", tc->input_name, b->line, b->u, b->v);
}

/* One more copy of {x, y} at x (local index xl), when the epoch holds no
 * delete here: order does not matter. */
static int add_copy(struct tc *tc, uint32_t xl, uint64_t x, uint64_t y, uint32_t line)
{
    struct tc_adj *a = &tc->adj[xl];
    uint32_t s = gy__tc_adj_find(a, x, y);

    if (s != TC_NONE) {
        uint32_t *meta = tc_adj_meta(a);
        if ((meta[s] & TC_MULT_MAX) == TC_MULT_MAX)
            return too_many(tc, x, y, line);
        meta[s]++;
        return 0;
    }
    if (gy__tc_adj_insert(a, x, y, 1u | (uint32_t)TC_INS << TC_MARK_SHIFT, &s) != 0)
        return gy__tc_oom(tc);
    tc->cur.l_ins += x < y;
    return log_change(tc, xl, y, TC_INS);
}

static int ingest_insert(struct tc *tc, const struct tc_rec *r)
{
    uint32_t xl;
    int rc = gy__tc_name(tc, r->x, &xl);

    if (rc != 0 || r->x == r->y)
        return rc;
    return add_copy(tc, xl, r->x, r->y, r->line);
}

/* A bulk epoch without deletes: the records, reduced to (x, y), are first
 * bucketed by the top bits of tc_hash(x) (one counting-sort pass), so that
 * consecutive records meet the same few vertices, whose map slots and sets
 * then stay in cache: this halves the ingest of a bulk load. */
struct tc_pair {
    uint64_t x, y;
};

static struct tc_pair *bucket(struct tc *tc, struct tc_ebuf *b)
{
    unsigned bits = 64 - __builtin_clzll(b->n / 64 | 1);
    struct tc_pair *p = gy_malloc(b->n * sizeof(*p));
    size_t *cnt;

    bits = bits < 8 ? 8 : bits > 16 ? 16 : bits;
    cnt = gy_calloc(((size_t)1 << bits) + 1, sizeof(*cnt));
    if (!p || !cnt) {
        gy_free(p);
        gy_free(cnt);
        gy__tc_oom(tc);
        return NULL;
    }
    for (size_t i = 0; i < b->n; i++)
        cnt[(tc_hash(b->r[i].x) >> (64 - bits)) + 1]++;
    for (size_t k = 1; k <= ((size_t)1 << bits); k++)
        cnt[k] += cnt[k - 1];
    for (size_t i = 0; i < b->n; i++)
        p[cnt[tc_hash(b->r[i].x) >> (64 - bits)]++] = (struct tc_pair){b->r[i].x, b->r[i].y};
    gy_free(cnt);
    return p;
}

static int ingest_bulk(struct tc *tc, struct tc_ebuf *b)
{
    struct tc_pair *p = bucket(tc, b);
    uint64_t last = 0;
    uint32_t xl = TC_NONE;
    size_t n = b->n;
    int rc = p ? 0 : -ENOMEM;

    /* The records are in p now: give their memory back before the sets grow. */
    gy_free(b->r);
    b->r = NULL;
    b->cap = b->n = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (xl == TC_NONE || p[i].x != last)
            rc = gy__tc_name(tc, p[i].x, &xl);
        last = p[i].x;
        if (rc == 0 && p[i].x != p[i].y)
            rc = add_copy(tc, xl, p[i].x, p[i].y, 0);
    }
    gy_free(p);
    return rc;
}

/* Applies the net change of {x, y}: multiplicity before -> after. */
static int apply_group(struct tc *tc, uint32_t xl, const struct tc_rec *r, uint32_t s,
                       uint32_t before, uint32_t after)
{
    struct tc_adj *a = &tc->adj[xl];

    if (before > 0 && after > 0) {
        tc_adj_meta(a)[s] = after;
        return 0;
    }
    if (before > 0) {
        tc_adj_meta(a)[s] = (uint32_t)TC_DEL << TC_MARK_SHIFT;
        tc->cur.l_del += !r->hi;
        return log_change(tc, xl, r->y, TC_DEL);
    }
    if (after == 0) /* absent before and after */
        return 0;
    if (gy__tc_adj_insert(a, r->x, r->y, after | (uint32_t)TC_INS << TC_MARK_SHIFT, &s) != 0)
        return gy__tc_oom(tc);
    tc->cur.l_ins += !r->hi;
    return log_change(tc, xl, r->y, TC_INS);
}

/* The n records of one edge (sorted by line), when the epoch holds deletes. */
static int ingest_group(struct tc *tc, const struct tc_rec *r, size_t n)
{
    uint32_t xl, s, before, c;
    int rc = gy__tc_name(tc, r->x, &xl);

    if (rc != 0 || r->x == r->y)
        return rc;
    s = gy__tc_adj_find(&tc->adj[xl], r->x, r->y);
    before = s == TC_NONE ? 0 : tc_adj_meta(&tc->adj[xl])[s] & TC_MULT_MAX;
    c = before;
    for (size_t i = 0; i < n; i++) {
        if (!r[i].del && c == TC_MULT_MAX)
            return too_many(tc, r[i].x, r[i].y, r[i].line);
        if (!r[i].del)
            c++;
        else if (c > 0)
            c--;
        else
            bad_delete(tc, &r[i]);
    }
    return apply_group(tc, xl, r, s, before, c);
}

static int rec_cmp(const void *pa, const void *pb)
{
    const struct tc_rec *a = pa, *b = pb;

    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return (int)a->del - (int)b->del;
}

static bool same_edge(const struct tc_rec *a, const struct tc_rec *b)
{
    return a->x == b->x && a->y == b->y;
}

static bool vote_full(const struct tc *tc)
{
    uint64_t changed = tc->cur.log.n;

    if (tc->strategy != GY_TC_AUTO)
        return tc->strategy == GY_TC_FULL;
    return tc->cur.log_over ||
           changed * TC_FULL_RATIO * tc->peers >= 2 * tc->edges + TC_DELTA_MIN;
}

/* Tells every worker how many edges changed here and its vote, and worker
 * 0 the earliest bad delete. */
static int broadcast_stat(struct tc *tc, bool full)
{
    struct tc_bad *b = &tc->cur.lbad;
    struct tc_msg m = {.kind = TC_K_BAD, .a = b->u, .b = b->v, .c = b->line};
    int rc = b->any ? gy__tc_send_to(tc, 0, &m) : 0;

    for (uint32_t w = 0; w < tc->peers && rc == 0; w++) {
        struct tc_msg st = {.kind = TC_K_STAT, .a = tc->cur.l_ins, .b = tc->cur.l_del, .c = full};
        rc = gy__tc_send_to(tc, w, &st);
    }
    tc->cur.l_ins = tc->cur.l_del = 0;
    return rc;
}

int gy__tc_ingest(struct tc *tc, struct tc_ebuf *b)
{
    size_t i = 0, j;
    bool full;
    int rc = 0;

    if (b->has_del)
        qsort(b->r, b->n, sizeof(*b->r), rec_cmp);
    else if (b->n >= TC_BULK_MIN)
        rc = ingest_bulk(tc, b);
    while (rc == 0 && i < b->n) {
        if (!b->has_del) {
            rc = ingest_insert(tc, &b->r[i++]);
            continue;
        }
        for (j = i + 1; j < b->n && same_edge(&b->r[i], &b->r[j]); j++)
            ;
        rc = ingest_group(tc, &b->r[i], j - i);
        i = j;
    }
    full = vote_full(tc);
    if (rc == 0 && !full)
        rc = gy__tc_delta_ship(tc);
    return rc ? rc : broadcast_stat(tc, full);
}

int gy__tc_decide(struct tc *tc)
{
    struct tc_cur *c = &tc->cur;
    int rc;

    if (report_bad(tc) != 0)
        return -ECANCELED;
    c->mode = c->g_ins + c->g_del == 0 ? TC_MODE_NONE
              : c->g_full > 0          ? TC_MODE_FULL
                                       : TC_MODE_DELTA;
    tc->rstage = c->mode == TC_MODE_FULL ? TC_FREPORT : TC_DREPORT;
    tc->tot.derive = c->mode == TC_MODE_FULL && c->g_del == 0;
    tc->edges += c->g_ins;
    tc->edges -= c->g_del;
    if (c->mode == TC_MODE_FULL) {
        /* Lists some workers shipped before the vote are of no use. */
        gy__tc_lists_reset(tc);
        gy__tc_vec_reset(&c->queries, sizeof(struct tc_query));
        return gy__tc_full_degrees(tc);
    }
    rc = c->mode == TC_MODE_DELTA ? gy__tc_delta_count(tc) : 0;
    return rc ? rc : gy__tc_finish(tc);
}

/* ---- end of the epoch ---- */

static void unmark(struct tc_adj *a, uint64_t self, uint32_t s)
{
    uint32_t *meta = tc_adj_meta(a);

    if (tc_meta_mark(meta[s]) == TC_DEL)
        gy__tc_adj_remove(a, self, s);
    else
        meta[s] &= TC_MULT_MAX;
}

static void sweep_log(struct tc *tc)
{
    const struct tc_change *ch = tc->cur.log.p;

    for (size_t i = 0; i < tc->cur.log.n; i++) {
        struct tc_adj *a = &tc->adj[ch[i].xl];
        uint64_t self = tc_vmap_orig(&tc->ids, ch[i].xl);
        uint32_t s = gy__tc_adj_find(a, self, ch[i].y);
        if (s != TC_NONE)
            unmark(a, self, s);
    }
}

/* Clears the marks of one set and removes its deleted entries. A removal
 * pulls later entries of the probe run back into slot i, so slot i is looked
 * at again; entries pulled from the wrapped-around start were seen already. */
static void sweep_set(struct tc_adj *a, uint64_t self)
{
    uint32_t *meta = tc_adj_meta(a);

    for (uint32_t i = 0; i < tc_adj_span(a);) {
        uint32_t mark = tc_meta_mark(meta[i]);
        if (a->ids[i] != self && mark == TC_DEL) {
            gy__tc_adj_remove(a, self, i);
            continue;
        }
        meta[i] &= TC_MULT_MAX;
        i++;
    }
}

static void cleanup(struct tc *tc)
{
    if (tc->cur.log_over) {
        for (size_t v = 0; v < tc->ids.n; v++)
            sweep_set(&tc->adj[v], tc_vmap_orig(&tc->ids, (uint32_t)v));
    } else {
        sweep_log(tc);
    }
}

/* Announces vertex xl's degree to every worker if it is heavy now or was
 * announced before, and changed since. */
static int announce(struct tc *tc, uint32_t xl)
{
    struct tc_adj *a = &tc->adj[xl];
    int rc = 0;

    if (a->len == a->sent || (a->len < TC_HEAVY && a->sent == 0))
        return 0;
    a->sent = a->len;
    for (uint32_t w = 0; w < tc->peers && rc == 0; w++) {
        struct tc_msg m = {.kind = TC_K_HEAVY, .c = a->len};
        m.a = tc_vmap_orig(&tc->ids, xl);
        rc = gy__tc_send_to(tc, w, &m);
    }
    return rc;
}

static int announce_heavy(struct tc *tc)
{
    const struct tc_change *ch = tc->cur.log.p;
    int rc = 0;

    if (tc->cur.log_over) {
        for (size_t v = 0; v < tc->ids.n && rc == 0; v++)
            rc = announce(tc, (uint32_t)v);
        return rc;
    }
    for (size_t i = 0; i < tc->cur.log.n && rc == 0; i++)
        rc = announce(tc, ch[i].xl);
    return rc;
}

static int send_counts(struct tc *tc)
{
    struct tc_cur *c = &tc->cur;
    struct tc_msg m = {.kind = TC_K_PART_TRI, .a = c->counts.new_t, .b = c->counts.removed};
    int rc = gy__tc_send_to(tc, 0, &m);

    m = (struct tc_msg){.kind = TC_K_PART_MISC, .b = c->bad};
    m.a = tc->ids.n - tc->named_before;
    if (rc == 0)
        rc = gy__tc_send_to(tc, 0, &m);
    m = (struct tc_msg){.kind = TC_K_PART_ALL, .a = c->counts.present};
    if (rc == 0 && c->mode == TC_MODE_FULL)
        rc = gy__tc_send_to(tc, 0, &m);
    return rc;
}

int gy__tc_finish(struct tc *tc)
{
    struct tc_cur *c = &tc->cur;
    int rc = send_counts(tc);

    cleanup(tc);
    if (rc == 0)
        rc = announce_heavy(tc);
    gy__tc_vec_reset(&c->log, sizeof(struct tc_change));
    gy__tc_vec_reset(&c->queries, sizeof(struct tc_query));
    gy__tc_lists_reset(tc);
    gy__tc_full_free(tc);
    c->log_over = false;
    c->mode = TC_MODE_NONE;
    c->g_ins = c->g_del = c->g_full = c->bad = 0;
    c->lbad.any = c->gbad.any = false;
    c->counts = (struct tc_counts){0};
    tc->named_before = tc->ids.n;
    return rc;
}
