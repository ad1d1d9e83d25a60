/*
 * The single-threaded baselines of `gyre bench` (cli/bench_kernels.h): what
 * one plain thread does with the same input, the yardstick of McSherry,
 * Isard and Murray's COST ("Scalability! But at what COST?", HotOS 2015).
 *
 *   cc      union-find (union by size, path halving) over the edges
 *           (bench/support/uf_baseline.h);
 *   tc      edges deduplicated by a radix sort, oriented from the endpoint
 *           of lower degree to the higher (ties by id), each out-list sorted,
 *           then |N+(u) ∩ N+(v)| summed over the oriented edges {u,v}
 *           (bench/support/tc_baseline.h);
 *   ingest  one sequential pass over the input, counting edges.
 *
 * The cc and tc kernels are the bench binaries' own (bench/support/), so
 * `gyre bench` and bench/bench_cc.c, bench/bench_tc.c measure against one
 * implementation. What is here is what the command adds: reading the input,
 * mapping its ids, timing.
 *
 * load is reading the edges into memory (parsing a file, or running the
 * generator); the kernel is everything after it, mapping the file's 64-bit
 * ids to dense ones included, since gyre's algorithms map ids too (the
 * bench binaries' R-MAT ids are dense already, so they skip it). The
 * baselines are written independently of algorithms/, so that their
 * results also cross-check gyre's. They handle inserts only: an input that
 * deletes edges has no baseline (-ENOTSUP).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/support/tc_baseline.h"
#include "bench/support/uf_baseline.h"
#include "cli/bench_kernels.h"
#include "graph/edgefile.h"
#include "graph/gen.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define CHUNK 65536                 /* edges read or generated per call */
#define EMPTY UINT32_MAX            /* an empty slot of the id table */

/* The edges in memory: u and v of edge i at uv[2i], uv[2i + 1]. */
struct edges {
    uint64_t *uv;                   /* NULL when count_only */
    size_t n, cap;                  /* edges read, uint64s uv has room for */
    bool count_only;                /* count the edges, keep none */
};

/* The file's ids to dense ids 0 .. n - 1, by open addressing with linear
 * probing; key and value share a slot, so a lookup misses the cache once. */
struct id_slot {
    uint64_t key;
    uint32_t val;                   /* EMPTY = free slot */
};

struct ids {
    struct id_slot *slot;           /* [mask + 1] */
    size_t mask;                    /* table size - 1, a power of two minus one */
    uint32_t n;                     /* ids mapped; kept <= (mask + 1) / 2 */
};

static bool is_generator(const char *spec)
{
    return strncmp(spec, "rmat:", 5) == 0 || strncmp(spec, "er:", 3) == 0;
}

/* ---- reading ---- */

static int add_edges(struct edges *e, const struct gy_edge *in, size_t n, char *err,
                     size_t errlen)
{
    if (!e->count_only && gy_grow((void **)&e->uv, &e->cap, 2 * (e->n + n),
                                  sizeof(uint64_t)) != 0) {
        snprintf(err, errlen, "out of memory holding %zu edges", e->n + n);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (in[i].sign < 0) {
            snprintf(err, errlen, "the input deletes edges; the baselines handle inserts only");
            return -ENOTSUP;
        }
        if (e->count_only)
            continue;
        e->uv[2 * (e->n + i)] = in[i].u;
        e->uv[2 * (e->n + i) + 1] = in[i].v;
    }
    e->n += n;
    return 0;
}

/* Adds every edge of p's input to e, reading CHUNK at a time through buf. */
static int for_each_chunk(const struct gy_cli_bench_params *p, struct edges *e, struct gy_edge *buf,
                          char *err, size_t errlen)
{
    struct gy_gen_spec g;
    gy_edges_t *f = NULL;
    struct gy_edges_cursor c;
    size_t n = 0;
    int rc;

    if (is_generator(p->input)) {
        if ((rc = gy_gen_parse_spec(p->input, &g, err, errlen)) != 0)
            return rc;
        for (uint64_t i = 0; rc == 0 && i < gy_gen_count(&g); i += n) {
            n = gy_gen_count(&g) - i < CHUNK ? (size_t)(gy_gen_count(&g) - i) : CHUNK;
            rc = gy_gen_range(&g, i, n, buf);
            rc = rc ? rc : add_edges(e, buf, n, err, errlen);
        }
        return rc;
    }
    if ((rc = gy_edges_open(p->input, &p->file, &f, err, errlen)) != 0)
        return rc;
    gy_edges_cursor_init(&c, f, gy_edges_all(f), 0);
    while ((rc = gy_edges_next(&c, buf, NULL, CHUNK, &n, err, errlen)) == 0 && n > 0)
        if ((rc = add_edges(e, buf, n, err, errlen)) != 0)
            break;
    gy_edges_close(f);
    return rc;
}

/* Reads every edge of p's input into e; times it into *load_s. With
 * count_only, e keeps no edges, only their number (e->n). */
static int read_edges(const struct gy_cli_bench_params *p, struct edges *e, bool count_only,
                      double *load_s, char *err, size_t errlen)
{
    struct gy_edge *buf = gy_malloc(CHUNK * sizeof(*buf));
    double t0 = gy_now();
    int rc;

    memset(e, 0, sizeof(*e));
    e->count_only = count_only;
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rc = for_each_chunk(p, e, buf, err, errlen);
    *load_s = gy_now() - t0;
    gy_free(buf);
    return rc;
}

/* ---- ids ---- */

static inline size_t slot_of(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & mask;
}

static int ids_grow(struct ids *t)
{
    size_t size = t->slot ? 2 * (t->mask + 1) : 1024;
    struct id_slot *slot = gy_malloc(size * sizeof(*slot));

    if (!slot)
        return -ENOMEM;
    for (size_t i = 0; i < size; i++)
        slot[i].val = EMPTY;
    for (size_t i = 0; t->slot && i <= t->mask; i++) {
        size_t s = slot_of(t->slot[i].key, size - 1);
        if (t->slot[i].val == EMPTY)
            continue;
        while (slot[s].val != EMPTY)
            s = (s + 1) & (size - 1);
        slot[s] = t->slot[i];
    }
    gy_free(t->slot);
    t->slot = slot;
    t->mask = size - 1;
    return 0;
}

/* The dense id of key, a new one if unseen. Returns 0 or -ENOMEM/-EOVERFLOW. */
static int ids_map(struct ids *t, uint64_t key, uint32_t *dense)
{
    size_t s;

    if ((!t->slot || 2 * ((size_t)t->n + 1) > t->mask + 1) && ids_grow(t) != 0)
        return -ENOMEM;
    for (s = slot_of(key, t->mask); t->slot[s].val != EMPTY; s = (s + 1) & t->mask)
        if (t->slot[s].key == key) {
            *dense = t->slot[s].val;
            return 0;
        }
    if (t->n == EMPTY)
        return -EOVERFLOW;
    t->slot[s].key = key;
    *dense = t->slot[s].val = t->n++;
    return 0;
}

/* Replaces every id in e->uv by its dense id (stored in the low 32 bits);
 * *n receives the number of vertices. */
static int densify(struct edges *e, uint32_t *n, char *err, size_t errlen)
{
    struct ids t = {0};
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < 2 * e->n; i++) {
        uint32_t d = 0;
        rc = ids_map(&t, e->uv[i], &d);
        e->uv[i] = d;
    }
    *n = t.n;
    gy_free(t.slot);
    if (rc != 0)
        snprintf(err, errlen, "%s mapping vertex ids", rc == -ENOMEM ? "out of memory" :
                 "more than 2^32 - 1 vertices");
    return rc;
}

/* ---- cc, tc ---- */

/* The components of e's dense edges over n vertices. */
static int components(const struct edges *e, uint32_t n, uint64_t *count)
{
    struct uf_baseline_result r;
    int rc = uf_baseline_components_dense(e->uv, e->n, n, &r);

    if (rc == 0)
        *count = r.components;
    return rc;
}

static int triangles(const struct edges *e, uint32_t n, uint64_t *count)
{
    struct tc_baseline_times t;

    return tc_baseline_count_dense(e->uv, e->n, n, count, &t);
}

/* Reads p's input (load), then maps its ids and runs kernel (the timed part). */
static int run_baseline(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                        int (*kernel)(const struct edges *, uint32_t, uint64_t *), char *err,
                        size_t errlen)
{
    struct edges e;
    double t0;
    uint32_t n = 0;
    int rc = read_edges(p, &e, false, &out->load_s, err, errlen);

    t0 = gy_now();
    if (rc == 0)
        rc = densify(&e, &n, err, errlen);
    if (rc == 0 && (rc = kernel(&e, n, &out->result)) != 0)
        snprintf(err, errlen, "out of memory");
    out->kernel_s = gy_now() - t0;
    out->items = e.n;
    gy_free(e.uv);
    return rc;
}

int gy_cli_baseline_cc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                       char *err, size_t errlen)
{
    return run_baseline(p, out, components, err, errlen);
}

int gy_cli_baseline_tc(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                       char *err, size_t errlen)
{
    return run_baseline(p, out, triangles, err, errlen);
}

/* ---- ingest ---- */

int gy_cli_baseline_ingest(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                           char *err, size_t errlen)
{
    struct edges e;
    int rc = read_edges(p, &e, true, &out->kernel_s, err, errlen);

    out->load_s = 0;
    out->items = out->result = e.n;
    gy_free(e.uv);
    return rc;
}
