/*
 * Union-find (disjoint sets) over dense ids 0 .. n-1, with union by size and
 * path halving: near-constant amortized time per operation, and the size of
 * every set kept at its root (connected components need both the count of
 * sets and the largest one).
 *
 * Each element is one 8-byte node {parent, size}, so a union reads the
 * sizes of both roots from the cache lines the finds already touched.
 * Elements are only ever added (gy_uf_grow); a set cannot be split, so a
 * caller that must forget unions starts over with gy_uf_reset.
 *
 * Thread safety: single owner. A union-find belongs to one thread, which
 * alone calls every function on it; nothing inside is atomic.
 */
#ifndef GY_ALGORITHMS_UF_H
#define GY_ALGORITHMS_UF_H

#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"

/* gy_uf_union's answer when both elements were in one set already. */
#define GY_UF_NONE UINT32_MAX

/* The most elements a union-find holds: UINT32_MAX marks "no root". */
#define GY_UF_MAX ((uint32_t)(UINT32_MAX - 1))

struct gy_uf_node {
    uint32_t parent; /* parent[x] == x iff x is a root */
    uint32_t size;   /* at a root: elements in its set; elsewhere stale */
};

/* Embed it; pair gy_uf_init with gy_uf_destroy. */
struct gy_uf {
    struct gy_uf_node *node; /* [cap], the first n in use */
    uint32_t n;              /* elements: ids 0 .. n - 1 */
    size_t cap;
};

/* An empty union-find; allocates nothing. */
void gy_uf_init(struct gy_uf *uf);

/* Frees what uf holds and leaves it empty (init state). */
void gy_uf_destroy(struct gy_uf *uf);

/*
 * Adds singletons until uf holds n elements (no-op if it holds n already).
 * Returns 0, -EOVERFLOW past GY_UF_MAX or -ENOMEM (uf unchanged then).
 */
GY_NODISCARD int gy_uf_grow(struct gy_uf *uf, uint32_t n);

/* Makes every element a singleton again: O(n). */
void gy_uf_reset(struct gy_uf *uf);

/* The root of x's set (x < n). Halves the path on the way. */
static inline uint32_t gy_uf_find(struct gy_uf *uf, uint32_t x)
{
    struct gy_uf_node *nd = uf->node;

    while (nd[x].parent != x) {
        uint32_t p = nd[x].parent;
        nd[x].parent = nd[p].parent;
        x = nd[p].parent;
    }
    return x;
}

/* Links the roots ra != rb (smaller under larger); returns the new root. */
static inline uint32_t gy_uf_link(struct gy_uf *uf, uint32_t ra, uint32_t rb)
{
    struct gy_uf_node *nd = uf->node;

    if (nd[ra].size < nd[rb].size) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    nd[rb].parent = ra;
    nd[ra].size += nd[rb].size;
    return ra;
}

/* Merges the sets of a and b. Returns the merged set's root, or GY_UF_NONE
 * when they were one set already. */
static inline uint32_t gy_uf_union(struct gy_uf *uf, uint32_t a, uint32_t b)
{
    uint32_t ra = gy_uf_find(uf, a), rb = gy_uf_find(uf, b);

    return ra == rb ? GY_UF_NONE : gy_uf_link(uf, ra, rb);
}

/* Elements in the set rooted at root r. */
static inline uint32_t gy_uf_root_size(const struct gy_uf *uf, uint32_t r)
{
    return uf->node[r].size;
}

#endif
