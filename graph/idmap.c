/*
 * Id mapping (graph/idmap.h): an open-addressing table with linear probing
 * from original id to dense id, plus the dense -> original array.
 *
 * Each slot stores its key next to its dense id, so a probe touches one cache
 * line and never chases the reverse array. A slot is empty when its dense id
 * is UINT32_MAX; keys cannot mark emptiness since every u64 is a valid id.
 * Invariant: count <= cap * 7 / 10 (load factor 0.7, where linear probing
 * still averages a few probes per miss), cap is a power of two.
 */
#include "graph/idmap.h"

#include <assert.h>
#include <errno.h>

#include "progress/alloc.h"
#include "progress/hash.h"

#define EMPTY   UINT32_MAX
#define MIN_CAP 16u

struct slot {
    uint64_t key;   /* original id */
    uint32_t dense; /* EMPTY, or the key's dense id */
};

struct gy_idmap {
    struct slot *slots; /* cap entries */
    size_t cap;         /* power of two >= MIN_CAP */
    size_t count;       /* ids mapped; dense ids are 0 .. count - 1 */
    uint64_t *origs;    /* dense -> original, origs_cap >= count entries */
    size_t origs_cap;
};

/* murmur3's fmix64: every input bit reaches every output bit, so sequential ids spread. */
static inline size_t hash_id(uint64_t k)
{
    return (size_t)gy_fmix64(k);
}

static inline bool over_load(size_t count, size_t cap)
{
    return count > cap / 10 * 7;
}

static struct slot *slots_new(size_t cap)
{
    struct slot *s;

    if (cap > SIZE_MAX / sizeof(*s))
        return NULL;
    s = gy_malloc(cap * sizeof(*s));
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < cap; i++)
        s[i].dense = EMPTY;
    return s;
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *probe(struct slot *slots, size_t cap, uint64_t key)
{
    size_t mask = cap - 1;

    for (size_t i = hash_id(key) & mask;; i = (i + 1) & mask) {
        if (slots[i].dense == EMPTY || slots[i].key == key)
            return &slots[i];
    }
}

gy_idmap_t *gy_idmap_new(size_t expect)
{
    gy_idmap_t *map;
    void *origs = NULL;
    size_t cap = MIN_CAP;

    while (over_load(expect, cap) && cap < SIZE_MAX / 4)
        cap *= 2;
    map = gy_calloc(1, sizeof(*map));
    if (map == NULL)
        return NULL;
    map->slots = slots_new(cap);
    if (map->slots == NULL)
        goto fail_slots;
    map->cap = cap;
    if (expect > 0) {
        if (gy_grow(&origs, &map->origs_cap, expect, sizeof(uint64_t)) < 0)
            goto fail_origs;
        map->origs = origs;
    }
    return map;

fail_origs:
    gy_free(map->slots);
fail_slots:
    gy_free(map);
    return NULL;
}

void gy_idmap_free(gy_idmap_t *map)
{
    if (map == NULL)
        return;
    gy_free(map->slots);
    gy_free(map->origs);
    gy_free(map);
}

/* Doubles the table and reinserts every id. On -ENOMEM the map is unchanged. */
static GY_NOINLINE int rehash(gy_idmap_t *map)
{
    size_t cap = map->cap * 2;
    struct slot *slots;

    if (cap < map->cap)
        return -ENOMEM;
    slots = slots_new(cap);
    if (slots == NULL)
        return -ENOMEM;
    /* Reinsert from the reverse array: dense ids come for free, in order. */
    for (size_t d = 0; d < map->count; d++) {
        struct slot *s = probe(slots, cap, map->origs[d]);
        s->key = map->origs[d];
        s->dense = (uint32_t)d;
    }
    gy_free(map->slots);
    map->slots = slots;
    map->cap = cap;
    return 0;
}

/* Makes room for one more id in both arrays; the map stays valid on failure. */
static int reserve_one(gy_idmap_t *map)
{
    void *origs = map->origs;
    int rc;

    if (map->count >= GY_IDMAP_MAX_IDS)
        return -EOVERFLOW;
    rc = gy_grow(&origs, &map->origs_cap, map->count + 1, sizeof(uint64_t));
    if (rc < 0)
        return rc;
    map->origs = origs;
    if (over_load(map->count + 1, map->cap))
        return rehash(map);
    return 0;
}

int gy_idmap_map(gy_idmap_t *map, uint64_t orig, uint32_t *dense)
{
    struct slot *s = probe(map->slots, map->cap, orig);
    size_t cap = map->cap;
    int rc;

    if (s->dense != EMPTY) {
        *dense = s->dense;
        return 0;
    }
    rc = reserve_one(map);
    if (rc < 0)
        return rc;
    if (map->cap != cap) /* reserve_one rehashed, which moved every slot */
        s = probe(map->slots, map->cap, orig);
    s->key = orig;
    s->dense = (uint32_t)map->count;
    map->origs[map->count] = orig;
    *dense = (uint32_t)map->count++;
    return 1;
}

bool gy_idmap_find(const gy_idmap_t *map, uint64_t orig, uint32_t *dense)
{
    const struct slot *s = probe(map->slots, map->cap, orig);

    if (s->dense == EMPTY)
        return false;
    *dense = s->dense;
    return true;
}

uint64_t gy_idmap_orig(const gy_idmap_t *map, uint32_t d)
{
    assert(d < map->count);
    return map->origs[d];
}

size_t gy_idmap_count(const gy_idmap_t *map)
{
    return map->count;
}

const uint64_t *gy_idmap_origs(const gy_idmap_t *map)
{
    return map->origs;
}
