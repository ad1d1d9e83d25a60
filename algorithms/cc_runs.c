/*
 * The sorted runs of connected components (cc_internal.h): the edge set of
 * a worker that has seen no delete yet, as a few sorted arrays of counted
 * pair words instead of a hash table.
 *
 * Why: a hash table pays one cache miss per edge line, at random, in a
 * table of many times the cache (and doubles, and counts copies in a side
 * table); at R-MAT scale 20 that was most of cc's time. Here an epoch's
 * pairs are radix-sorted (a few streaming passes over the epoch), copies
 * are counted by comparing neighbours, the epoch's new pairs are found by
 * one ordered pass through each run (window counts where the epoch is
 * dense in the run, the run's fences where it is sparse), and they become
 * a run merged into the others like the digits of a binary counter: a run
 * is merged into the one before it while that one holds at most twice as
 * many epochs (absorbs()). Every access to the edges streams.
 *
 * A pair the runs hold already gets the epoch's copies added in place, so
 * the runs stay disjoint and a merge never meets equal words: it is a
 * branch-free select per word, in place, from the back, in the older run's
 * buffer, which is allocated with room for twice what it must hold (so a
 * run's buffer is replaced O(log) times); one freed buffer is kept for the
 * next run, so a steady stream of epochs stops faulting in fresh pages.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

/* Radix digits of at most 11 bits: 2048 counters (16 KiB) stay in L1 while
 * a pass scatters. Ids below 2^30 take at most 3 digits each, so 6 passes. */
#define DIGIT_MAX  11u
#define PASSES_MAX 6u
/* Below this many words insertion sort beats the radix passes' setup. */
#define SMALL 48u
/* A fence per 64 words (8 cache lines) from runs of 32 Ki words on: the
 * fences of a run are 1/64 of it, so those of millions of edges fit in the
 * L2 cache and a sparse lookup misses it about twice, in one block. */
#define FENCE     64u
#define FENCE_MIN ((size_t)1 << 15)

#define CMASK ((uint64_t)GY__CC_RUN_CMAX)

void gy__cc_runs_init(struct gy__cc_runs *r)
{
    memset(r, 0, sizeof(*r));
}

static void run_free(struct gy__cc_run *run)
{
    gy__cc_table_free(run->raw);
    gy_free(run->fence);
    memset(run, 0, sizeof(*run));
}

/* Rebuilds run's fences after it changed (none while it is short). */
static int run_fences(struct gy__cc_run *run)
{
    size_t nf = (run->len + FENCE - 1) / FENCE;
    void *p = run->fence;

    run->nfence = 0;
    if (run->len < FENCE_MIN)
        return 0;
    if (nf > run->cap_fence && gy_grow(&p, &run->cap_fence, nf, sizeof(*run->fence)) != 0)
        return -ENOMEM;
    run->fence = p;
    for (size_t k = 0; k < nf; k++)
        run->fence[k] = run->w[k * FENCE] & ~CMASK;
    run->nfence = nf;
    return 0;
}

void gy__cc_runs_destroy(struct gy__cc_runs *r)
{
    for (uint32_t i = 0; i < r->n; i++)
        run_free(&r->run[i]);
    run_free(&r->spare);
    gy__cc_copies_destroy(&r->extra);
    gy_free(r->hist);
    gy__cc_runs_init(r);
}

/* ---- sorting ---- */

struct digits {
    unsigned n;
    unsigned shift[PASSES_MAX], bits[PASSES_MAX];
};

/* The digits of a pair word under ids of idbits bits: db's, then da's, each
 * split into equal digits of at most DIGIT_MAX bits. */
static void plan(struct digits *d, unsigned idbits)
{
    unsigned per = (idbits + DIGIT_MAX - 1) / DIGIT_MAX, width = (idbits + per - 1) / per;

    d->n = 0;
    for (unsigned half = 0; half < 2; half++)
        for (unsigned lo = 0; lo < idbits; lo += width) {
            d->shift[d->n] = (half ? GY__CC_RUN_DA : GY__CC_RUN_DB) + lo;
            d->bits[d->n] = idbits - lo < width ? idbits - lo : width;
            d->n++;
        }
}

/* Every pass's histogram in one read of a; np (= d->n) is a constant in
 * each caller below, so the pass loop unrolls. */
static inline __attribute__((always_inline)) void hist_n(size_t *h, const struct digits *d,
                                                         const uint64_t *a, size_t n, unsigned np)
{
    for (size_t i = 0; i < n; i++)
        for (unsigned p = 0; p < np; p++)
            h[(size_t)p << DIGIT_MAX | ((a[i] >> d->shift[p]) & ((1u << d->bits[p]) - 1))]++;
}

static void histograms(size_t *h, const struct digits *d, const uint64_t *a, size_t n)
{
    memset(h, 0, ((size_t)d->n << DIGIT_MAX) * sizeof(*h));
    if (d->n == 2)
        hist_n(h, d, a, n, 2);
    else if (d->n == 4)
        hist_n(h, d, a, n, 4);
    else
        hist_n(h, d, a, n, PASSES_MAX);
}

/* One stable pass by the digit at shift; false (nothing moved) when every
 * word has the same digit there. */
static bool scatter(size_t *h, unsigned shift, unsigned bits, const uint64_t *src, uint64_t *dst,
                    size_t n)
{
    size_t nb = (size_t)1 << bits, sum = 0;
    uint64_t mask = nb - 1;

    if (h[(src[0] >> shift) & mask] == n)
        return false;
    for (size_t b = 0; b < nb; b++) {
        size_t c = h[b];
        h[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        dst[h[(src[i] >> shift) & mask]++] = src[i];
    return true;
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

uint64_t *gy__cc_runs_sort(struct gy__cc_runs *r, uint64_t *a, uint64_t *tmp, size_t n,
                           unsigned idbits)
{
    struct digits d;

    if (n < SMALL) {
        insertion_sort(a, n);
        return a;
    }
    if (!r->hist && !(r->hist = gy_malloc(((size_t)PASSES_MAX << DIGIT_MAX) * sizeof(*r->hist))))
        return NULL;
    plan(&d, idbits ? idbits : 1);
    histograms(r->hist, &d, a, n);
    for (unsigned p = 0; p < d.n; p++)
        if (scatter(r->hist + ((size_t)p << DIGIT_MAX), d.shift[p], d.bits[p], a, tmp, n)) {
            uint64_t *t = a;
            a = tmp;
            tmp = t;
        }
    return a;
}

/* ---- counting copies ---- */

/* The pair key of the edge table (and of extra) for a run word. */
static uint64_t etab_key(uint64_t w)
{
    return gy__cc_pair_key(gy__cc_run_a(w), gy__cc_run_b(w));
}

/* *dst = the pair of w (count bits ignored) with c copies, the surplus over
 * GY__CC_RUN_CMAX into extra. */
static int put(struct gy__cc_runs *r, uint64_t *dst, uint64_t w, uint64_t c)
{
    w &= ~CMASK;
    if (GY_LIKELY(c <= GY__CC_RUN_CMAX)) {
        *dst = w | c;
        return 0;
    }
    *dst = w | GY__CC_RUN_CMAX;
    return gy__cc_copies_add(&r->extra, etab_key(w), c - GY__CC_RUN_CMAX);
}

int gy__cc_runs_count(struct gy__cc_runs *r, uint64_t *w, size_t n, size_t *m)
{
    size_t out = 0;

    for (size_t i = 0, j; i < n; i = j) {
        uint64_t x = w[i];
        for (j = i + 1; j < n && w[j] == x; j++)
            ;
        if (put(r, &w[out++], x, j - i) != 0)
            return -ENOMEM;
    }
    *m = out;
    return 0;
}

/* ---- the new pairs of an epoch ---- */

/* The first index >= j of the sorted w[0 .. n) whose word is >= x (x has
 * count bits 0, so that is its pair >= x's): exponential steps from j,
 * then a binary search: O(log gap). */
static size_t gallop(const uint64_t *w, size_t j, size_t n, uint64_t x)
{
    size_t lo = j, step = 1, hi;

    if (j >= n || w[j] >= x)
        return j;
    while (lo + step < n && w[lo + step] < x) {
        lo += step;
        step *= 2;
    }
    hi = lo + step < n ? lo + step : n; /* w[lo] < x <= w[hi] (or hi == n) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid] < x)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* How many of the win sorted words w[0 .. win) (win a multiple of 4) are
 * below x: independent compares and four sums, no branch to mispredict,
 * and the loads of a window's cache lines overlap their misses. */
static inline __attribute__((always_inline)) size_t count_below(const uint64_t *w, uint64_t x,
                                                                unsigned win)
{
    size_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;

    for (unsigned t = 0; t < win; t += 4) {
        c0 += w[t] < x;
        c1 += w[t + 1] < x;
        c2 += w[t + 2] < x;
        c3 += w[t + 3] < x;
    }
    return c0 + c1 + c2 + c3;
}

/*
 * gallop() when the answer is probably within a few windows of win words
 * from j: the words below x in a window are a prefix, so counting them
 * gives the answer, or moves on by a window; after four windows it
 * gallops. A branchy search costs a misprediction or three per lookup, and
 * a lookup per pair and run was most of an epoch's time.
 */
static inline __attribute__((always_inline)) size_t seek(const uint64_t *w, size_t j, size_t n,
                                                         uint64_t x, unsigned win)
{
    for (unsigned round = 0; round < 4 && win > 0 && j + win <= n; round++) {
        size_t c = count_below(w + j, x, win);
        j += c;
        if (GY_LIKELY(c < win))
            return j;
    }
    return gallop(w, j, n, x);
}

/* The first index of w[lo .. hi) whose word is >= x, or hi. */
static size_t lower_bound(const uint64_t *w, size_t lo, size_t hi, uint64_t x)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* gallop() through run's fences: the first fence >= x (from *k, where the
 * last lookup's ended) bounds the block of FENCE words that holds the
 * answer, counted (its 8 cache lines load in parallel; a binary search
 * waits for one miss after another). */
static size_t seek_fenced(const struct gy__cc_run *run, size_t *k, uint64_t x)
{
    size_t f = gallop(run->fence, *k, run->nfence, x);
    size_t lo = f > 0 ? (f - 1) * FENCE : 0, hi = f < run->nfence ? f * FENCE : run->len;

    *k = f;
    if (hi - lo != FENCE)
        return lower_bound(run->w, lo, hi, x);
    return lo + count_below(run->w + lo, x, FENCE);
}

/* Adds the copies of word e to the run word *w of the same pair. */
static int bump(struct gy__cc_runs *r, uint64_t *w, uint64_t e)
{
    return put(r, w, *w, (*w & CMASK) + (e & CMASK));
}

/* Moves the copies of the pairs of e[0 .. *n) that run holds into it and
 * keeps the others, in order; *n gets how many. Lookups seek through a
 * window of win words, or (win 0, sparse) through the fences if any. */
static inline __attribute__((always_inline)) int subtract_win(struct gy__cc_runs *r, uint64_t *e,
                                                              size_t *n, struct gy__cc_run *run,
                                                              unsigned win)
{
    uint64_t *w = run->w;
    size_t j = 0, k = 0, kept = 0;

    for (size_t i = 0; i < *n; i++) {
        uint64_t x = e[i] & ~CMASK;
        j = win == 0 && run->nfence ? seek_fenced(run, &k, x) : seek(w, j, run->len, x, win);
        if (j < run->len && (w[j] & ~CMASK) == x) {
            if (bump(r, &w[j], e[i]) != 0)
                return -ENOMEM;
            continue;
        }
        e[kept++] = e[i];
    }
    *n = kept;
    return 0;
}

/* subtract_win with a window of about twice the expected gap between the
 * run positions of consecutive pairs of e. */
static int subtract(struct gy__cc_runs *r, uint64_t *e, size_t *n, struct gy__cc_run *run)
{
    size_t gap = run->len / *n;

    if (gap < 2)
        return subtract_win(r, e, n, run, 4);
    if (gap < 4)
        return subtract_win(r, e, n, run, 8);
    if (gap < 32)
        return subtract_win(r, e, n, run, 16);
    if (gap < 96)
        return subtract_win(r, e, n, run, 32);
    return subtract_win(r, e, n, run, 0); /* sparse: fences, or gallop */
}

int gy__cc_runs_fresh(struct gy__cc_runs *r, uint64_t *e, size_t *m)
{
    for (uint32_t k = 0; k < r->n && *m > 0; k++)
        if (subtract(r, e, m, &r->run[k]) != 0)
            return -ENOMEM;
    return 0;
}

uint64_t gy__cc_runs_copies(const struct gy__cc_runs *r, uint64_t key)
{
    uint64_t x = gy__cc_run_word(gy__cc_key_a(key), gy__cc_key_b(key));

    for (uint32_t k = 0; k < r->n; k++) {
        const struct gy__cc_run *run = &r->run[k];
        size_t j = gallop(run->w, 0, run->len, x);
        if (j < run->len && (run->w[j] & ~CMASK) == x) /* the runs are disjoint */
            return (run->w[j] & CMASK) + gy__cc_copies_get(&r->extra, key);
    }
    return 0;
}

/* ---- merging ---- */

/* A buffer for at least need words: the spare if large enough, else a new
 * one with room to grow into (twice need). */
static int run_buffer(struct gy__cc_runs *r, struct gy__cc_run *out, size_t need)
{
    if (r->spare.cap >= need) {
        *out = r->spare;
        memset(&r->spare, 0, sizeof(r->spare));
        return 0;
    }
    memset(out, 0, sizeof(*out));
    out->w = gy__cc_table_alloc(2 * need, sizeof(*out->w), &out->raw);
    if (!out->w)
        return -ENOMEM;
    out->cap = 2 * need;
    return 0;
}

/* Keeps run's buffer as the spare when it is larger than the spare but not
 * more than a few epochs' worth (a big old buffer would only hold memory). */
static void run_release(struct gy__cc_runs *r, struct gy__cc_run *run)
{
    if (run->cap > r->spare.cap && run->cap <= 4 * r->last_m) {
        run_free(&r->spare);
        r->spare = *run;
        r->spare.len = r->spare.nfence = 0;
        memset(run, 0, sizeof(*run));
        return;
    }
    run_free(run);
}

/* Merges b[0 .. nb) into a, from the back, in a's buffer (which has room
 * for both). No unread word of a is overwritten: o - 1 >= i while j > 0. */
static void merge_back(struct gy__cc_run *a, const uint64_t *b, size_t nb)
{
    uint64_t *w = a->w;
    size_t i = a->len, j = nb, o = a->len + nb;

    while (j > 0 && i > 0) {
        uint64_t x = w[i - 1], y = b[j - 1];
        bool from_a = x > y; /* never equal: the pairs are disjoint */
        w[--o] = from_a ? x : y;
        i -= from_a;
        j -= !from_a;
    }
    memcpy(w, b, j * sizeof(*w)); /* what is left of b goes first (i == 0) */
    a->len += nb;
}

/* Merges a[0 .. na) and b[0 .. nb) into out. */
static void merge_fwd(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
    size_t i = 0, j = 0, o = 0;

    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        bool from_a = x < y;
        out[o++] = from_a ? x : y;
        i += from_a;
        j += !from_a;
    }
    memcpy(out + o, a + i, (na - i) * sizeof(*out));
    memcpy(out + o + na - i, b + j, (nb - j) * sizeof(*out));
}

/* Merges b[0 .. nb) into run a: in place when a's buffer has room, else
 * into a new one. */
static int merge_into(struct gy__cc_runs *r, struct gy__cc_run *a, const uint64_t *b, size_t nb)
{
    struct gy__cc_run out;

    if (a->len + nb <= a->cap) {
        merge_back(a, b, nb);
        return run_fences(a);
    }
    if (run_buffer(r, &out, a->len + nb) != 0)
        return -ENOMEM;
    merge_fwd(a->w, a->len, b, nb, out.w);
    out.len = a->len + nb;
    gy__cc_table_free(a->raw);
    gy_free(out.fence); /* a's fences serve the merged run */
    out.fence = a->fence;
    out.cap_fence = a->cap_fence;
    out.adds = a->adds;
    *a = out;
    return run_fences(a);
}

/* e[0 .. m) as a new newest run. */
static int push(struct gy__cc_runs *r, const uint64_t *e, size_t m)
{
    struct gy__cc_run *run = &r->run[r->n];

    assert(r->n < GY__CC_RUNS_MAX); /* gy__cc_runs_add merges before that */
    if (run_buffer(r, run, m) != 0)
        return -ENOMEM;
    memcpy(run->w, e, m * sizeof(*e));
    run->len = m;
    run->adds = 1;
    r->n++;
    return run_fences(run);
}

/*
 * Whether run a absorbs a newer run of b_adds epochs and b_len words: when
 * it holds at most twice as many epochs. Counted in epochs, not words, so
 * that every worker, holding about the same share of every epoch, merges
 * at the same epochs: by words, the share sizes' small differences decided
 * ties (one run twice another) differently per worker, one of them spent
 * an epoch rewriting its biggest run while the others ran out of input
 * and waited (a quarter of the W=2 run at R-MAT scale 22). The size guard
 * keeps a run far longer than b (a huge first epoch) from being rewritten
 * for small epochs; with epochs of about equal size the words of runs
 * that are due to merge are within about twice each other, far from it.
 */
static bool absorbs(const struct gy__cc_run *a, uint64_t b_adds, size_t b_len)
{
    return a->adds <= 2 * b_adds && a->len <= 4 * b_len;
}

/*
 * After every add each run holds more than twice the epochs of the next
 * newer one or more than four times its words, so there are few runs (a
 * full stack takes the epoch into its newest run), and a word is rewritten
 * only when its run at least about doubles: O(log(edges / epoch)) times.
 */
int gy__cc_runs_add(struct gy__cc_runs *r, const uint64_t *e, size_t m)
{
    int rc;

    if (m == 0)
        return 0;
    r->last_m = m;
    if (r->n > 0 && (r->n == GY__CC_RUNS_MAX || absorbs(&r->run[r->n - 1], 1, m))) {
        rc = merge_into(r, &r->run[r->n - 1], e, m);
        r->run[r->n - 1].adds++;
    } else {
        rc = push(r, e, m);
    }
    while (rc == 0 && r->n >= 2 &&
           absorbs(&r->run[r->n - 2], r->run[r->n - 1].adds, r->run[r->n - 1].len)) {
        struct gy__cc_run *b = &r->run[r->n - 1];
        rc = merge_into(r, &r->run[r->n - 2], b->w, b->len);
        r->run[r->n - 2].adds += b->adds;
        run_release(r, b);
        r->n--;
    }
    return rc;
}

/* ---- the switch to the edge table ---- */

/* Every word of run into t (a fresh slot each: the runs are disjoint). */
static int fill(const struct gy__cc_runs *r, const struct gy__cc_run *run, struct gy__cc_etab *t)
{
    for (size_t i = 0; i < run->len; i++) {
        uint64_t key = etab_key(run->w[i]), c = run->w[i] & CMASK;
        bool fresh;
        uint64_t *s = gy__cc_etab_upsert(t, key, &fresh);
        assert(fresh);
        if (c == GY__CC_RUN_CMAX)
            c += gy__cc_copies_get(&r->extra, key);
        if (c > 1 && gy__cc_etab_set_copies(t, s, c) != 0)
            return -ENOMEM;
    }
    return 0;
}

int gy__cc_runs_to_etab(struct gy__cc_runs *r, struct gy__cc_etab *t)
{
    size_t total = 0;

    for (uint32_t k = 0; k < r->n; k++)
        total += r->run[k].len;
    if (gy__cc_etab_reserve(t, total) != 0)
        return -ENOMEM;
    for (uint32_t k = 0; k < r->n; k++)
        if (fill(r, &r->run[k], t) != 0)
            return -ENOMEM;
    gy__cc_runs_destroy(r);
    return 0;
}
