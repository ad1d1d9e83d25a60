/*
 * The vertex map of connected components (cc_internal.h): original 64-bit
 * ids to dense ids in order of first sight, and back.
 *
 * Most inputs number their vertices from 0 with few gaps (SNAP files,
 * R-MAT), so ids below GY__CC_DIRECT_MAX are looked up in a direct table:
 * one load, no hashing, no probing. The table grows by doubling to cover
 * the largest such id seen; it is zero-filled on first touch, so pages
 * that no id touches stay unbacked. It comes from gy__cc_table_alloc (huge pages
 * where the kernel gives them): a lookup reads a page before the first id
 * on it is written, so each page is first the shared zero page, and the
 * write replaces it, a copy-on-write that flushes the TLB of every thread
 * of the process, an interrupt to the other workers; 2 MiB pages make
 * that 512 times rarer. Larger ids go to an open-addressing hash table
 * with linear probing. Both hand out dense ids from one counter.
 */
#include <errno.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "algorithms/uf.h"
#include "progress/alloc.h"

#define DIRECT_MIN 1024u
#define HASH_MIN   64u

void gy__cc_vmap_init(struct gy__cc_vmap *m)
{
    memset(m, 0, sizeof(*m));
}

void gy__cc_vmap_destroy(struct gy__cc_vmap *m)
{
    gy__cc_table_free(m->draw);
    gy_free(m->hslot);
    gy_free(m->orig);
    gy__cc_vmap_init(m);
}

static struct gy__cc_vslot *hash_probe(struct gy__cc_vslot *slot, size_t cap, uint64_t orig)
{
    size_t mask = cap - 1;

    for (size_t i = gy_fmix64(orig) & mask;; i = (i + 1) & mask)
        if (slot[i].dense1 == 0 || slot[i].orig == orig)
            return &slot[i];
}

bool gy__cc_vmap_find_slow(const struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense)
{
    const struct gy__cc_vslot *s;

    if (orig < GY__CC_DIRECT_MAX || m->hcap == 0)
        return false; /* a small id beyond the direct table was never seen */
    s = hash_probe(m->hslot, m->hcap, orig);
    *dense = s->dense1 - 1;
    return s->dense1 != 0;
}

/* Doubles the direct table until it covers orig. */
static int direct_cover(struct gy__cc_vmap *m, uint64_t orig)
{
    size_t cap = m->dcap ? m->dcap : DIRECT_MIN;
    uint32_t *t;
    void *raw;

    while (cap <= orig)
        cap *= 2;
    t = gy__cc_table_alloc(cap, sizeof(*t), &raw);
    if (!t)
        return -ENOMEM;
    if (m->dcap)
        memcpy(t, m->direct, m->dcap * sizeof(*t));
    gy__cc_table_free(m->draw);
    m->direct = t;
    m->draw = raw;
    m->dcap = cap;
    return 0;
}

/* Makes room for one more hashed id. */
static int hash_room(struct gy__cc_vmap *m)
{
    size_t cap = m->hcap ? m->hcap * 2 : HASH_MIN;
    struct gy__cc_vslot *t;

    if (m->hcap && m->hlen + 1 <= m->hcap / 10 * 7)
        return 0;
    t = gy_calloc(cap, sizeof(*t));
    if (!t)
        return -ENOMEM;
    for (size_t i = 0; i < m->hcap; i++)
        if (m->hslot[i].dense1 != 0)
            *hash_probe(t, cap, m->hslot[i].orig) = m->hslot[i];
    gy_free(m->hslot);
    m->hslot = t;
    m->hcap = cap;
    return 0;
}

/* Where orig's dense id + 1 lives, making room for it; NULL on ENOMEM. */
static uint32_t *cell_of(struct gy__cc_vmap *m, uint64_t orig)
{
    struct gy__cc_vslot *s;

    if (orig < GY__CC_DIRECT_MAX) {
        if (orig >= m->dcap && direct_cover(m, orig) != 0)
            return NULL;
        return &m->direct[orig];
    }
    if (hash_room(m) != 0)
        return NULL;
    s = hash_probe(m->hslot, m->hcap, orig);
    if (s->dense1 == 0) {
        s->orig = orig;
        m->hlen++; /* claimed now; the caller fills dense1 */
    }
    return &s->dense1;
}

int gy__cc_vmap_map_slow(struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense)
{
    uint32_t *cell;
    void *p = m->orig;

    if (gy__cc_vmap_find_slow(m, orig, dense))
        return 0;
    if (m->n >= GY__CC_MAX_IDS)
        return -EOVERFLOW;
    if (m->n >= m->ocap && gy_grow(&p, &m->ocap, (size_t)m->n + 1, sizeof(*m->orig)) != 0)
        return -ENOMEM;
    m->orig = p;
    cell = cell_of(m, orig);
    if (!cell)
        return -ENOMEM;
    m->orig[m->n] = orig;
    *dense = m->n++;
    *cell = *dense + 1;
    return 1;
}
