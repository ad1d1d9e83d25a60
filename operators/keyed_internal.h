/*
 * For operators/keyed*.c and operators/summary.c only: the stores behind
 * the keyed operators and the engine that orders their per-time state.
 *
 *   keep groups    which times share state (enum gy_keep) and when a
 *                  group or a buffered time may be applied or freed
 *   gy__kidx       uint64 key -> uint32, open addressing, with lookup
 *   gy__tids       timestamp <-> dense time id, for stores that keep times
 *   gy__rset       a set of fixed-size records compared bytewise
 *   gy__kchain     key -> records with time ids, chained (join sides)
 *   gy__kmap       key -> records with time ids, contiguous per key
 *                  (arrangements: lookups hand out pointer + count)
 *   gy__keyed_new  the per-time, per-group, ordered state operator
 *
 * Everything here belongs to one operator, hence to one worker thread.
 */
#ifndef GY_OPERATORS_KEYED_INTERNAL_H
#define GY_OPERATORS_KEYED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/builtins_internal.h"
#include "operators/keyed.h"

#define GY__NONE UINT32_MAX

/* ---- keep groups ---- */

/* How many leading coordinates of a depth-`depth` time name its group:
 * depth + 1 (TIME), depth (ITERS), 0 (ALL). */
uint32_t gy__keep_glen(enum gy_keep keep, uint32_t depth);

/* The group of t: its first glen coordinates as a time of depth glen - 1
 * (glen >= 1), or the zero time of depth 0 for glen = 0 (the one group). */
struct gy_time gy__keep_group(const struct gy_time *t, uint32_t glen);

/* True iff none of op's nin inputs can still receive a time of group g. */
bool gy__keep_group_done(const gy_op_t *op, uint32_t nin, const struct gy_time *g, uint32_t glen);

/* True iff t, complete at op, may be applied: none of op's nin inputs can
 * still receive a time of t's group that comes before t
 * (lexicographically on the coordinates after the group's). */
bool gy__keep_ready(const gy_op_t *op, uint32_t nin, const struct gy_time *t, uint32_t glen);

/* 64-bit hash of n bytes, for record sets. */
uint64_t gy__hash_bytes(const void *p, size_t n);

/* ---- key index: uint64 -> uint32 ---- */

struct gy__kidx {
    uint64_t *keys;             /* [mask + 1] */
    uint32_t *vals;             /* [mask + 1]; GY__NONE = empty slot */
    uint32_t mask;              /* size - 1, size a power of two; 0 with no table yet */
    uint32_t len;               /* keys held, len * 2 <= size */
};

/* Pair with gy__kidx_destroy. An empty index allocates on first put. */
void gy__kidx_init(struct gy__kidx *x);
void gy__kidx_destroy(struct gy__kidx *x);
/* The value of key, or GY__NONE. */
uint32_t gy__kidx_find(const struct gy__kidx *x, uint64_t key);
/* The value slot of key, inserted as GY__NONE if absent. NULL on ENOMEM.
 * Valid until the next put. */
GY_NODISCARD uint32_t *gy__kidx_put(struct gy__kidx *x, uint64_t key);
/* Empties the index, keeping its memory. */
void gy__kidx_clear(struct gy__kidx *x);

/* ---- time ids ---- */

struct gy__tids {
    struct gy__tstore index;    /* time -> uint32_t id */
    struct gy_time *times;      /* [n] id -> time */
    uint32_t n, cap;
    uint32_t last;              /* the id found last (batches repeat times), or GY__NONE */
};

void gy__tids_init(struct gy__tids *x);
void gy__tids_destroy(struct gy__tids *x);
/* The id of t, assigned if new. GY__NONE on ENOMEM. */
uint32_t gy__tids_get(struct gy__tids *x, const struct gy_time *t);

/* ---- record set ---- */

struct gy__rset {
    unsigned char *recs;        /* [n] records, in insertion order */
    uint64_t *hash;             /* [n] their hashes */
    uint32_t *index;            /* [mask + 1] record + 1; 0 = empty */
    size_t rec_size;
    uint32_t n, cap, mask;      /* n * 2 <= mask + 1 */
};

void gy__rset_init(struct gy__rset *s, size_t rec_size);
void gy__rset_destroy(struct gy__rset *s);
/* Empties the set in O(capacity), keeping its memory. */
void gy__rset_clear(struct gy__rset *s);
/* Adds rec: 1 if it was new, 0 if present, -ENOMEM. */
GY_NODISCARD int gy__rset_add(struct gy__rset *s, const void *rec, uint64_t hash);
bool gy__rset_has(const struct gy__rset *s, const void *rec, uint64_t hash);

/* ---- key -> records, chained (appends O(1), no per-key allocation) ---- */

struct gy__kchain {
    struct gy__kidx head;       /* key -> newest record of the key */
    unsigned char *recs;        /* [n] records */
    uint32_t *next;             /* [n] older record of the same key, GY__NONE ends */
    uint32_t *tid;              /* [n] time ids in times */
    struct gy__tids times;
    size_t rec_size;
    uint32_t n, cap;
};

void gy__kchain_init(struct gy__kchain *c, size_t rec_size);
void gy__kchain_destroy(struct gy__kchain *c);
/* Appends rec under key at time id tid. 0 or -ENOMEM. */
GY_NODISCARD int gy__kchain_add(struct gy__kchain *c, uint64_t key, const void *rec, uint32_t tid);

static inline const void *gy__kchain_rec(const struct gy__kchain *c, uint32_t i)
{
    return c->recs + (size_t)i * c->rec_size;
}

/* ---- key -> records, contiguous per key ---- */

struct gy__kblock {
    unsigned char *data;        /* [cap] records, then (4-aligned) [cap] uint32_t time ids */
    uint32_t n, cap;
};

struct gy__kmap {
    struct gy__kidx index;      /* key -> block */
    struct gy__kblock *blocks;  /* [nblocks] */
    uint32_t nblocks, capblocks;
    struct gy__tids times;
    size_t rec_size;
};

void gy__kmap_init(struct gy__kmap *m, size_t rec_size);
void gy__kmap_destroy(struct gy__kmap *m);
/* Appends rec under key at time id tid. 0 or -ENOMEM. */
GY_NODISCARD int gy__kmap_add(struct gy__kmap *m, uint64_t key, const void *rec, uint32_t tid);
/* The block of key, or NULL. */
const struct gy__kblock *gy__kmap_find(const struct gy__kmap *m, uint64_t key);

/* Where a block of cap records keeps its time ids: after the records,
 * rounded up to 4 bytes. */
static inline size_t gy__kblock_tid_offset(size_t rec_size, uint32_t cap)
{
    return ((size_t)cap * rec_size + 3u) & ~(size_t)3u;
}

static inline const uint32_t *gy__kblock_tids(const struct gy__kmap *m, const struct gy__kblock *b)
{
    return (const uint32_t *)(const void *)(b->data + gy__kblock_tid_offset(m->rec_size, b->cap));
}

/* ---- the keyed engine ---- */

/*
 * A one- or two-input operator with state per time (tstate, zeroed when a
 * time's first records arrive) and optionally per group of times
 * (gstate, zeroed when the group's first time is applied). Each batch is
 * folded into its time's state by on_records, which may emit at the
 * batch's time. Once a time is complete and ready (gy__keep_ready: every
 * earlier time of its group applied), apply() combines its state with its
 * group's, emits at the time and releases what tstate points to. Times of
 * one group are applied in order. A group is released (gfree) once no
 * input can receive its times.
 */
struct gy__keyed_spec {
    const char *name;
    enum gy_keep keep;
    uint32_t ninputs;           /* 1 or 2 */
    struct gy_pact pacts[2];
    size_t out_size;
    size_t tstate_size;         /* >= 1 */
    size_t gstate_size;         /* 0: no group state (gs is NULL) */
    /* gs is the group's state if it exists yet, else NULL. */
    int (*on_records)(void *ts, void *gs, uint32_t port, const void *recs, uint32_t n,
                      gy_emit_t *emit, void *arg);
    /* fresh: gs was just created (zeroed). */
    int (*apply)(void *ts, void *gs, bool fresh, gy_emit_t *emit, void *arg);
    void (*tfree)(void *ts, void *arg);     /* a time never applied (teardown); may be NULL */
    void (*gfree)(void *gs, void *arg);     /* may be NULL */
    void (*destroy)(void *arg);             /* frees arg, also if creation fails; may be NULL */
    void *arg;
};

/* Builds the operator; in[0..ninputs) in one scope. spec is copied. Returns
 * the output stream or NULL after failing the run (arg destroyed). */
gy_stream_t *gy__keyed_new(gy_stream_t *const *in, const struct gy__keyed_spec *spec);

/* Fails the run for a bad gy_keep value and returns NULL-able -EINVAL. */
int gy__keep_check(gy_stream_t *s, const char *name, enum gy_keep keep);

#endif
