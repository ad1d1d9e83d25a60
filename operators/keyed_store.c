/*
 * The stores of the keyed operators: a uint64 -> uint32 key index, time
 * ids, a bytewise record set, and two key -> records stores (chained for
 * join sides, contiguous per key for arrangements). All use open
 * addressing with linear probing over power-of-two tables kept at most
 * half full, and grow by doubling, so inserts are amortized O(1) and
 * nothing is allocated per record.
 */
#include <errno.h>
#include <string.h>

#include "operators/keyed_internal.h"
#include "progress/alloc.h"
#include "progress/hash.h"

#define TABLE_MIN 16u

uint64_t gy__hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = gy_fmix64(h ^ w) + 0x9e3779b97f4a7c15ULL;
    }
    if (n > 0) {
        uint64_t w = 0;
        memcpy(&w, b, n);
        h = gy_fmix64(h ^ w ^ ((uint64_t)n << 56));
    }
    return gy_fmix64(h);
}

/* ---- key index ---- */

void gy__kidx_init(struct gy__kidx *x)
{
    memset(x, 0, sizeof(*x));
}

void gy__kidx_destroy(struct gy__kidx *x)
{
    gy_free(x->keys);
    gy_free(x->vals);
    gy__kidx_init(x);
}

void gy__kidx_clear(struct gy__kidx *x)
{
    if (x->vals)
        memset(x->vals, 0xff, ((size_t)x->mask + 1) * sizeof(*x->vals));
    x->len = 0;
}

static uint32_t kidx_slot(const struct gy__kidx *x, uint64_t key)
{
    uint32_t i = (uint32_t)gy_fmix64(key) & x->mask;

    while (x->vals[i] != GY__NONE && x->keys[i] != key)
        i = (i + 1) & x->mask;
    return i;
}

uint32_t gy__kidx_find(const struct gy__kidx *x, uint64_t key)
{
    return x->len == 0 ? GY__NONE : x->vals[kidx_slot(x, key)];
}

static int kidx_grow(struct gy__kidx *x)
{
    struct gy__kidx n = {.mask = x->mask ? x->mask * 2 + 1 : TABLE_MIN - 1, .len = x->len};

    n.keys = gy_malloc(((size_t)n.mask + 1) * sizeof(*n.keys));
    n.vals = gy_malloc(((size_t)n.mask + 1) * sizeof(*n.vals));
    if (!n.keys || !n.vals) {
        gy_free(n.keys);
        gy_free(n.vals);
        return -ENOMEM;
    }
    memset(n.vals, 0xff, ((size_t)n.mask + 1) * sizeof(*n.vals));
    for (uint32_t i = 0; x->vals && i <= x->mask; i++) {
        uint32_t j;
        if (x->vals[i] == GY__NONE)
            continue;
        j = kidx_slot(&n, x->keys[i]);
        n.keys[j] = x->keys[i];
        n.vals[j] = x->vals[i];
    }
    gy__kidx_destroy(x);
    *x = n;
    return 0;
}

uint32_t *gy__kidx_put(struct gy__kidx *x, uint64_t key)
{
    uint32_t i;

    if (((size_t)x->len + 1) * 2 > (size_t)x->mask + 1 && kidx_grow(x) != 0)
        return NULL;
    i = kidx_slot(x, key);
    if (x->vals[i] == GY__NONE) {
        x->keys[i] = key;
        x->len++;
    }
    return &x->vals[i];
}

/* ---- time ids ---- */

void gy__tids_init(struct gy__tids *x)
{
    memset(x, 0, sizeof(*x));
    gy__tstore_init(&x->index, sizeof(uint32_t));
    x->last = GY__NONE;
}

void gy__tids_destroy(struct gy__tids *x)
{
    gy__tstore_destroy(&x->index);
    gy_free(x->times);
    gy__tids_init(x);
}

uint32_t gy__tids_get(struct gy__tids *x, const struct gy_time *t)
{
    void *times = x->times;
    size_t cap = x->cap;
    bool created;
    uint32_t *id;

    if (x->last != GY__NONE && gy_time_eq(&x->times[x->last], t))
        return x->last;
    if (gy_grow(&times, &cap, (size_t)x->n + 1, sizeof(*x->times)) != 0)
        return GY__NONE;
    x->times = times;
    x->cap = (uint32_t)cap;
    id = gy__tstore_get(&x->index, t, &created);
    if (!id)
        return GY__NONE;
    if (created) {
        *id = x->n;
        x->times[x->n++] = *t;
    }
    x->last = *id;
    return *id;
}

/* ---- record set ---- */

void gy__rset_init(struct gy__rset *s, size_t rec_size)
{
    memset(s, 0, sizeof(*s));
    s->rec_size = rec_size;
}

void gy__rset_destroy(struct gy__rset *s)
{
    gy_free(s->recs);
    gy_free(s->hash);
    gy_free(s->index);
    gy__rset_init(s, s->rec_size);
}

void gy__rset_clear(struct gy__rset *s)
{
    if (s->index)
        memset(s->index, 0, ((size_t)s->mask + 1) * sizeof(*s->index));
    s->n = 0;
}

/* The index slot holding rec, or the empty slot where it would go. */
static uint32_t rset_slot(const struct gy__rset *s, const void *rec, uint64_t hash)
{
    uint32_t i = (uint32_t)hash & s->mask;

    for (;; i = (i + 1) & s->mask) {
        uint32_t e = s->index[i];
        if (e == 0)
            return i;
        if (s->hash[e - 1] == hash &&
            memcmp(s->recs + (size_t)(e - 1) * s->rec_size, rec, s->rec_size) == 0)
            return i;
    }
}

static int rset_grow_index(struct gy__rset *s)
{
    uint32_t size = s->mask ? (s->mask + 1) * 2 : TABLE_MIN;
    uint32_t *idx = gy_calloc(size, sizeof(*idx));

    if (!idx)
        return -ENOMEM;
    gy_free(s->index);
    s->index = idx;
    s->mask = size - 1;
    for (uint32_t e = 0; e < s->n; e++) {
        uint32_t i = (uint32_t)s->hash[e] & s->mask;
        while (s->index[i] != 0)
            i = (i + 1) & s->mask;
        s->index[i] = e + 1;
    }
    return 0;
}

static int rset_grow_recs(struct gy__rset *s)
{
    void *recs = s->recs, *hash = s->hash;
    size_t cap = s->cap, cap2 = s->cap;

    if (gy_grow(&recs, &cap, (size_t)s->n + 1, s->rec_size) != 0)
        return -ENOMEM;
    s->recs = recs;
    if (gy_grow(&hash, &cap2, cap, sizeof(*s->hash)) != 0)
        return -ENOMEM; /* recs keeps its larger room; cap stays the old one */
    s->hash = hash;
    s->cap = (uint32_t)cap;
    return 0;
}

bool gy__rset_has(const struct gy__rset *s, const void *rec, uint64_t hash)
{
    return s->n > 0 && s->index[rset_slot(s, rec, hash)] != 0;
}

int gy__rset_add(struct gy__rset *s, const void *rec, uint64_t hash)
{
    uint32_t i;

    if (((size_t)s->n + 1) * 2 > (size_t)s->mask + 1 && rset_grow_index(s) != 0)
        return -ENOMEM;
    i = rset_slot(s, rec, hash);
    if (s->index[i] != 0)
        return 0;
    if (s->n == s->cap && rset_grow_recs(s) != 0)
        return -ENOMEM;
    memcpy(s->recs + (size_t)s->n * s->rec_size, rec, s->rec_size);
    s->hash[s->n] = hash;
    s->index[i] = ++s->n;
    return 1;
}

/* ---- chained key -> records ---- */

void gy__kchain_init(struct gy__kchain *c, size_t rec_size)
{
    memset(c, 0, sizeof(*c));
    c->rec_size = rec_size;
    gy__kidx_init(&c->head);
    gy__tids_init(&c->times);
}

void gy__kchain_destroy(struct gy__kchain *c)
{
    gy__kidx_destroy(&c->head);
    gy__tids_destroy(&c->times);
    gy_free(c->recs);
    gy_free(c->next);
    gy_free(c->tid);
    gy__kchain_init(c, c->rec_size);
}

/* Grows the three parallel arrays to room for one more record. */
static int kchain_reserve(struct gy__kchain *c)
{
    size_t cap = c->cap ? (size_t)c->cap * 2 : TABLE_MIN;
    void *recs, *next, *tid;

    if (c->n < c->cap)
        return 0;
    if (cap > UINT32_MAX - 1)
        return -ENOMEM;
    recs = gy_realloc(c->recs, cap * c->rec_size);
    if (recs)
        c->recs = recs;
    next = recs ? gy_realloc(c->next, cap * sizeof(*c->next)) : NULL;
    if (next)
        c->next = next;
    tid = next ? gy_realloc(c->tid, cap * sizeof(*c->tid)) : NULL;
    if (!tid)
        return -ENOMEM; /* what did grow stays, cap stays the old one */
    c->tid = tid;
    c->cap = (uint32_t)cap;
    return 0;
}

int gy__kchain_add(struct gy__kchain *c, uint64_t key, const void *rec, uint32_t tid)
{
    uint32_t *head;

    if (kchain_reserve(c) != 0)
        return -ENOMEM;
    head = gy__kidx_put(&c->head, key);
    if (!head)
        return -ENOMEM;
    memcpy(c->recs + (size_t)c->n * c->rec_size, rec, c->rec_size);
    c->next[c->n] = *head;
    c->tid[c->n] = tid;
    *head = c->n++;
    return 0;
}

/* ---- contiguous key -> records ---- */

void gy__kmap_init(struct gy__kmap *m, size_t rec_size)
{
    memset(m, 0, sizeof(*m));
    m->rec_size = rec_size;
    gy__kidx_init(&m->index);
    gy__tids_init(&m->times);
}

void gy__kmap_destroy(struct gy__kmap *m)
{
    for (uint32_t i = 0; i < m->nblocks; i++)
        gy_free(m->blocks[i].data);
    gy_free(m->blocks);
    gy__kidx_destroy(&m->index);
    gy__tids_destroy(&m->times);
    gy__kmap_init(m, m->rec_size);
}

const struct gy__kblock *gy__kmap_find(const struct gy__kmap *m, uint64_t key)
{
    uint32_t b = gy__kidx_find(&m->index, key);

    return b == GY__NONE ? NULL : &m->blocks[b];
}

/* Doubles a full block, moving records and time ids to their new places.
 * A key's first block holds 4 records: most keys of a graph have few. */
static int kblock_grow(const struct gy__kmap *m, struct gy__kblock *b)
{
    uint32_t cap = b->cap ? b->cap * 2 : 4;
    unsigned char *data;

    if (b->cap > UINT32_MAX / 2)
        return -ENOMEM;
    data = gy_malloc(gy__kblock_tid_offset(m->rec_size, cap) + (size_t)cap * sizeof(uint32_t));
    if (!data)
        return -ENOMEM;
    if (b->n > 0) {
        memcpy(data, b->data, (size_t)b->n * m->rec_size);
        memcpy(data + gy__kblock_tid_offset(m->rec_size, cap), gy__kblock_tids(m, b),
               (size_t)b->n * sizeof(uint32_t));
    }
    gy_free(b->data);
    b->data = data;
    b->cap = cap;
    return 0;
}

/* The block of key, created empty if new. NULL on ENOMEM. */
static struct gy__kblock *kmap_block(struct gy__kmap *m, uint64_t key)
{
    void *blocks = m->blocks;
    size_t cap = m->capblocks;
    uint32_t *slot;

    if (gy_grow(&blocks, &cap, (size_t)m->nblocks + 1, sizeof(*m->blocks)) != 0)
        return NULL;
    m->blocks = blocks;
    m->capblocks = (uint32_t)cap;
    slot = gy__kidx_put(&m->index, key);
    if (!slot)
        return NULL;
    if (*slot == GY__NONE) {
        *slot = m->nblocks;
        memset(&m->blocks[m->nblocks++], 0, sizeof(*m->blocks));
    }
    return &m->blocks[*slot];
}

int gy__kmap_add(struct gy__kmap *m, uint64_t key, const void *rec, uint32_t tid)
{
    struct gy__kblock *b = kmap_block(m, key);

    if (!b || (b->n == b->cap && kblock_grow(m, b) != 0))
        return -ENOMEM;
    memcpy(b->data + (size_t)b->n * m->rec_size, rec, m->rec_size);
    ((uint32_t *)(void *)(b->data + gy__kblock_tid_offset(m->rec_size, b->cap)))[b->n++] = tid;
    return 0;
}
