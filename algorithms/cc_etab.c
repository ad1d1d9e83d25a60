/*
 * The edge table of connected components (cc_internal.h): packed dense
 * pairs with their forest flags in one 8-byte word per edge, open
 * addressing with linear probing, and a side table of copy counts for the
 * edges present more than once.
 *
 * The copies table also serves on its own (gy__cc_copies_*): the sorted
 * runs keep the surplus counts of their edges with 15 or more copies there.
 *
 * Deletion shifts later members of the probe run back into the hole
 * (Knuth's algorithm R), so there are no tombstones and a table under a
 * stream of inserts and deletes never degrades. Invariant (both tables):
 * len <= cap * 7 / 10, cap a power of two, so a miss stops after a few
 * probes.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

#define ETAB_MIN_BITS 10u
#define ETAB_MIN   (1u << ETAB_MIN_BITS)
#define COPIES_MIN 64u
#define HUGE_PAGE  ((size_t)2 << 20)

/* What lies before a table in its allocation: how it was made. Its size
 * keeps a small table behind it as aligned as calloc's block (16 bytes). */
struct table_head {
    size_t mapped; /* bytes mapped (gy_map), 0 when from gy_calloc */
    size_t pad;
};

void *gy__cc_table_alloc(size_t n, size_t size, void **raw)
{
    struct table_head *h;
    size_t bytes;
    char *p;

    *raw = NULL;
    if (size == 0 || n > (SIZE_MAX - 2 * HUGE_PAGE) / size)
        return NULL;
    bytes = n * size;
    if (bytes < 2 * HUGE_PAGE) {
        if (!(h = gy_calloc(1, sizeof(*h) + bytes)))
            return NULL;
        *raw = h;
        return h + 1;
    }
    /* The table starts at the first huge page boundary after the head. */
    if (!(h = gy_map(bytes + HUGE_PAGE)))
        return NULL;
    h->mapped = bytes + HUGE_PAGE;
    p = (char *)(((uintptr_t)(h + 1) + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
    /* Advice only: without transparent huge pages it changes nothing. */
    (void)madvise(p, bytes & ~(HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
    *raw = h;
    return p;
}

void gy__cc_table_free(void *raw)
{
    struct table_head *h = raw;

    if (h && h->mapped)
        gy_unmap(h, h->mapped);
    else
        gy_free(h);
}

static bool over_load(size_t len, size_t cap)
{
    return len > cap / 10 * 7;
}

/* ---- copies: key -> count, for edges present more than once ---- */

static size_t copies_probe(const struct gy__cc_copy *e, size_t cap, uint64_t k)
{
    size_t mask = cap - 1, i = gy_fmix64(k) & mask;

    while (e[i].key != 0 && e[i].key != k)
        i = (i + 1) & mask;
    return i;
}

static int copies_grow(struct gy__cc_copies *c)
{
    size_t cap = c->cap ? 2 * c->cap : COPIES_MIN;
    void *raw;
    struct gy__cc_copy *e = gy__cc_table_alloc(cap, sizeof(*e), &raw);

    if (!e)
        return -ENOMEM;
    for (size_t i = 0; i < c->cap; i++)
        if (c->e[i].key != 0)
            e[copies_probe(e, cap, c->e[i].key)] = c->e[i];
    gy__cc_table_free(c->raw);
    c->e = e;
    c->raw = raw;
    c->cap = cap;
    return 0;
}

static void copies_remove(struct gy__cc_copies *c, size_t hole)
{
    size_t mask = c->cap - 1;

    for (size_t i = (hole + 1) & mask; c->e[i].key != 0; i = (i + 1) & mask) {
        size_t home = gy_fmix64(c->e[i].key) & mask;
        /* Entry i may move back to the hole unless its home lies
         * cyclically in (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            c->e[hole] = c->e[i];
            hole = i;
        }
    }
    c->e[hole].key = 0;
    c->len--;
}

/* ---- the edge table ---- */

void gy__cc_etab_init(struct gy__cc_etab *t)
{
    memset(t, 0, sizeof(*t));
}

void gy__cc_etab_destroy(struct gy__cc_etab *t)
{
    gy__cc_table_free(t->raw);
    gy__cc_table_free(t->copies.raw);
    gy__cc_etab_init(t);
}

/* Moves the words of old[0 .. ocap) into t's new, empty table. Homes come
 * in nearly ascending order (top hash bits), so the writes stream. */
static void rehash(struct gy__cc_etab *t, const uint64_t *old, size_t ocap)
{
    size_t mask = t->cap - 1;

    for (size_t i = 0; i < ocap; i++) {
        size_t j;
        if (old[i] == 0)
            continue;
        for (j = gy__cc_etab_home_of(t, old[i] & GY__CC_KEY_MASK); t->slot[j] != 0;
             j = (j + 1) & mask)
            ;
        t->slot[j] = old[i];
    }
}

int gy__cc_etab_reserve(struct gy__cc_etab *t, size_t more)
{
    size_t cap = t->cap ? t->cap : ETAB_MIN, ocap = t->cap;
    unsigned shift = t->cap ? t->shift : 64 - ETAB_MIN_BITS;
    uint64_t *s, *old = t->slot;
    void *raw, *oraw = t->raw;

    while (over_load(t->len + more, cap)) {
        cap *= 2;
        shift--;
    }
    if (cap == t->cap)
        return 0;
    s = gy__cc_table_alloc(cap, sizeof(*s), &raw);
    if (!s)
        return -ENOMEM;
    t->slot = s;
    t->raw = raw;
    t->cap = cap;
    t->shift = shift;
    rehash(t, old, ocap);
    gy__cc_table_free(oraw);
    return 0;
}

void gy__cc_etab_remove(struct gy__cc_etab *t, uint64_t *s)
{
    size_t mask = t->cap - 1;
    size_t hole = (size_t)(s - t->slot);

    if (*s & GY__CC_MULTI) {
        struct gy__cc_copies *c = &t->copies;
        copies_remove(c, copies_probe(c->e, c->cap, *s & GY__CC_KEY_MASK));
    }
    for (size_t i = (hole + 1) & mask; t->slot[i] != 0; i = (i + 1) & mask) {
        size_t home = gy__cc_etab_home_of(t, t->slot[i] & GY__CC_KEY_MASK);
        /* Slot i may move back to the hole unless its home lies cyclically
         * in (hole, i]: then the hole is before its home. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            t->slot[hole] = t->slot[i];
            hole = i;
        }
    }
    t->slot[hole] = 0;
    t->len--;
}

int gy__cc_etab_add_copy(struct gy__cc_etab *t, uint64_t *s)
{
    struct gy__cc_copies *c = &t->copies;
    uint64_t key = *s & GY__CC_KEY_MASK;
    size_t i;

    if (*s & GY__CC_MULTI) {
        c->e[copies_probe(c->e, c->cap, key)].count++;
        return 0;
    }
    if ((c->cap == 0 || over_load(c->len + 1, c->cap)) && copies_grow(c) != 0)
        return -ENOMEM;
    i = copies_probe(c->e, c->cap, key);
    c->e[i] = (struct gy__cc_copy){key, 2};
    c->len++;
    *s |= GY__CC_MULTI;
    return 0;
}

uint64_t gy__cc_etab_drop_copy(struct gy__cc_etab *t, uint64_t *s)
{
    struct gy__cc_copies *c = &t->copies;
    size_t i;

    if (!(*s & GY__CC_MULTI))
        return 0;
    i = copies_probe(c->e, c->cap, *s & GY__CC_KEY_MASK);
    if (--c->e[i].count > 1)
        return c->e[i].count;
    copies_remove(c, i);
    *s &= ~GY__CC_MULTI;
    return 1;
}

uint64_t gy__cc_etab_copies(const struct gy__cc_etab *t, const uint64_t *s)
{
    const struct gy__cc_copies *c = &t->copies;

    if (!(*s & GY__CC_MULTI))
        return 1;
    return c->e[copies_probe(c->e, c->cap, *s & GY__CC_KEY_MASK)].count;
}

int gy__cc_etab_set_copies(struct gy__cc_etab *t, uint64_t *s, uint64_t n)
{
    struct gy__cc_copies *c = &t->copies;
    uint64_t key = *s & GY__CC_KEY_MASK;

    if (*s & GY__CC_MULTI) {
        size_t i = copies_probe(c->e, c->cap, key);
        if (n > 1) {
            c->e[i].count = n;
            return 0;
        }
        copies_remove(c, i);
        *s &= ~GY__CC_MULTI;
        return 0;
    }
    if (n <= 1)
        return 0;
    if (gy__cc_copies_add(c, key, n) != 0)
        return -ENOMEM;
    *s |= GY__CC_MULTI;
    return 0;
}

/* ---- a copies table on its own ---- */

uint64_t gy__cc_copies_get(const struct gy__cc_copies *c, uint64_t key)
{
    const struct gy__cc_copy *e;

    if (c->cap == 0)
        return 0;
    e = &c->e[copies_probe(c->e, c->cap, key)];
    return e->key == key ? e->count : 0; /* a removed entry leaves its count */
}

int gy__cc_copies_add(struct gy__cc_copies *c, uint64_t key, uint64_t n)
{
    size_t i;

    if ((c->cap == 0 || over_load(c->len + 1, c->cap)) && copies_grow(c) != 0)
        return -ENOMEM;
    i = copies_probe(c->e, c->cap, key);
    if (c->e[i].key == 0) {
        c->e[i] = (struct gy__cc_copy){key, 0};
        c->len++;
    }
    c->e[i].count += n;
    return 0;
}

void gy__cc_copies_destroy(struct gy__cc_copies *c)
{
    gy__cc_table_free(c->raw);
    memset(c, 0, sizeof(*c));
}
