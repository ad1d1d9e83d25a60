/*
 * For algorithms/cc*.c only: the pieces of incremental connected components
 * (algorithms/cc.h) and the records that travel between its two operators.
 *
 *   edges --exchange by canonical pair--> cc.local (every worker)
 *         --exchange to worker 0-------> cc       (worker 0: the results)
 *
 * cc.local owns the edges whose canonical pair {min, max} hashes to its
 * worker: their multiplicities (in sorted runs, gy__cc_runs, until its
 * first delete, then in the edge table, gy__cc_etab), a union-find over
 * them and a spanning forest of them (the slots flagged TREE; a list of
 * links while in runs). Per epoch it sends only
 * what changed in that forest (links added and removed), the vertices it
 * saw first that no link names, and its counters. cc keeps the union of all
 * forests, a union-find and forest over it, and the global counts.
 *
 * Both operators hold one capability at the smallest epoch that can still
 * reach their input, and finish epochs in order once the input frontier has
 * passed them (gy__cc_pending buffers the records of open epochs).
 */
#ifndef GY_ALGORITHMS_CC_INTERNAL_H
#define GY_ALGORITHMS_CC_INTERNAL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/algo.h"
#include "algorithms/uf.h"
#include "operators/op.h"
#include "progress/compiler.h"
#include "progress/hash.h"

/* ---- the records ---- */

/* An edge update as cc.local buffers it: 24 bytes instead of gy_edge's 32. */
struct gy__cc_upd {
    uint64_t a, b;  /* the canonical pair: a = min(u, v), b = max(u, v) */
    uint32_t line;  /* the input line (gy_edge.line) */
    uint32_t flags; /* GY__CC_UPD_* */
};

#define GY__CC_UPD_DEL  1u /* a delete (sign -1) */
#define GY__CC_UPD_SWAP 2u /* the line read "b a" (for messages) */

/* What cc.local tells cc about one epoch. */
enum gy__cc_msg_kind {
    GY__CC_MSG_STATS,    /* n = change of distinct edges, a = deletes skipped */
    GY__CC_MSG_VERTEX,   /* a is named (and no link of this epoch names it) */
    GY__CC_MSG_LINK_DEL, /* the forest link {a, b} is gone (sent before it comes back) */
    GY__CC_MSG_LINK_ADD, /* {a, b} is a new forest link */
    GY__CC_MSG_BAD,      /* the first bad delete of the epoch here: "a b" at line */
};

struct gy__cc_msg {
    uint64_t a, b;
    int64_t n;
    uint32_t kind; /* enum gy__cc_msg_kind */
    uint32_t line;
};

_Static_assert(sizeof(struct gy__cc_upd) == 24, "gy__cc_upd is 24 bytes");
_Static_assert(sizeof(struct gy__cc_msg) == 32, "gy__cc_msg is 32 bytes");

/* What an operator keeps of gy_algo_opts: its own copies of the strings. */
struct gy__cc_conf {
    char *input_name;  /* for "INPUT:LINE: ..."; never NULL */
    char *labels_path; /* NULL = none */
    bool skip_bad_deletes;
};

/* Fills conf from opts. Returns 0 or -ENOMEM (conf then empty). */
GY_NODISCARD int gy__cc_conf_init(struct gy__cc_conf *conf, const struct gy_algo_opts *opts);
void gy__cc_conf_destroy(struct gy__cc_conf *conf);

/* ---- vertex map: original id -> dense id, in order of first sight ---- */

/* Ids below this are mapped through a direct table (4 bytes per id up to
 * the largest id seen, its untouched pages never resident); larger ids go
 * through a hash table. 2^26 ids = a 256 MiB table at most. */
#define GY__CC_DIRECT_MAX ((uint64_t)1 << 26)

struct gy__cc_vslot {
    uint64_t orig;
    uint32_t dense1; /* dense id + 1; 0 = empty slot */
};

struct gy__cc_vmap {
    uint32_t *direct;            /* [dcap]: dense id + 1 of orig, 0 = unmapped */
    void *draw;                  /* the allocation direct lies in (gy__cc_table_alloc) */
    size_t dcap;                 /* 0 or a power of two <= GY__CC_DIRECT_MAX */
    struct gy__cc_vslot *hslot;  /* [hcap], ids >= GY__CC_DIRECT_MAX */
    size_t hcap, hlen;           /* hcap 0 or a power of two; hlen <= hcap * 7 / 10 */
    uint64_t *orig;              /* [n]: dense -> original id */
    size_t ocap;
    uint32_t n;                  /* ids mapped: dense ids 0 .. n - 1 */
};

void gy__cc_vmap_init(struct gy__cc_vmap *m);
void gy__cc_vmap_destroy(struct gy__cc_vmap *m);
/* Slow paths of the inlines below. */
bool gy__cc_vmap_find_slow(const struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense);
GY_NODISCARD int gy__cc_vmap_map_slow(struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense);

/* True and *dense if orig is mapped. */
static inline bool gy__cc_vmap_find(const struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense)
{
    if (GY_LIKELY(orig < m->dcap)) {
        uint32_t d1 = m->direct[orig];
        *dense = d1 - 1;
        return d1 != 0;
    }
    return gy__cc_vmap_find_slow(m, orig, dense);
}

/* *dense of orig, mapping it if new. Returns 1 if new, 0 if known,
 * -ENOMEM or -EOVERFLOW (GY__CC_MAX_IDS ids mapped already; m unchanged). */
static inline int gy__cc_vmap_map(struct gy__cc_vmap *m, uint64_t orig, uint32_t *dense)
{
    if (GY_LIKELY(orig < m->dcap && m->direct[orig] != 0)) {
        *dense = m->direct[orig] - 1;
        return 0;
    }
    return gy__cc_vmap_map_slow(m, orig, dense);
}

/* ---- edge table: packed dense pair -> flags, and copies ---- */

/*
 * One 8-byte word per edge: the key (da << 32 | db, the canonical pair's
 * dense ids, each below 2^30) with flags in the four spare bits. 0 is an
 * empty slot (da != db, so no key is 0). Eight slots share a cache line,
 * and a table of E edges at most 70% full takes at most 2^ceil(log2(E /
 * 0.7)) * 8 bytes. Most edges have one copy; the few with more keep their
 * count in a side table (GY__CC_MULTI).
 */
#define GY__CC_ID_BITS  30
#define GY__CC_MAX_IDS  (((uint32_t)1 << GY__CC_ID_BITS) - 1) /* dense ids < this */
#define GY__CC_KEY_MASK ((uint64_t)GY__CC_MAX_IDS << 32 | GY__CC_MAX_IDS)
#define GY__CC_TREE     ((uint64_t)1 << 63) /* a link of the owner's spanning forest */
#define GY__CC_TREE_NEW ((uint64_t)1 << 62) /* became one this epoch (not yet sent) */
#define GY__CC_MULTI    ((uint64_t)1 << 31) /* more than one copy: see copies */

/* Copies of edges present more than once: key -> count (>= 2), key and
 * count side by side so a lookup misses the cache once. */
struct gy__cc_copy {
    uint64_t key;    /* 0 = empty */
    uint64_t count;
};

struct gy__cc_copies {
    struct gy__cc_copy *e; /* [cap] */
    size_t cap, len;       /* cap 0 or a power of two; len <= cap * 7 / 10 */
    void *raw;             /* the allocation e lies in (gy__cc_table_alloc) */
};

struct gy__cc_etab {
    uint64_t *slot;  /* [cap] words */
    size_t cap;      /* 0 or a power of two, 2^(64 - shift) */
    unsigned shift;  /* a key's home slot is its hash's top bits: gy_fmix64(key) >> shift */
    size_t len;      /* used slots, <= cap * 7 / 10 */
    void *raw;       /* the allocation slot lies in (gy__cc_table_alloc) */
    struct gy__cc_copies copies;
};

/*
 * Zeroed memory for a large randomly accessed table: aligned to 2 MiB and
 * advised onto transparent huge pages where the kernel allows, which cuts
 * the TLB misses of random probes and the page faults of a fresh table by
 * a factor of 512; pages are zero-filled on first touch (gy_map), never
 * cleared up front. Small tables come from gy_calloc. *raw gets what to pass
 * to gy__cc_table_free. NULL on ENOMEM.
 */
void *gy__cc_table_alloc(size_t n, size_t size, void **raw);
void gy__cc_table_free(void *raw);

/* da, db < GY__CC_MAX_IDS. */
static inline uint64_t gy__cc_pair_key(uint32_t da, uint32_t db)
{
    return (uint64_t)da << 32 | db;
}

static inline uint32_t gy__cc_key_a(uint64_t w)
{
    return (uint32_t)(w >> 32) & GY__CC_MAX_IDS;
}

static inline uint32_t gy__cc_key_b(uint64_t w)
{
    return (uint32_t)w & GY__CC_MAX_IDS;
}

void gy__cc_etab_init(struct gy__cc_etab *t);
void gy__cc_etab_destroy(struct gy__cc_etab *t);
/* Room for `more` new keys: the next `more` upserts never rehash (slots
 * stay where they are until then, removals aside). Returns 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_etab_reserve(struct gy__cc_etab *t, size_t more);
/* Removes a used slot (backward-shift deletion keeps probes short); its
 * copies entry too, if any. */
void gy__cc_etab_remove(struct gy__cc_etab *t, uint64_t *s);
/* One more copy of the edge in slot s. Returns 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_etab_add_copy(struct gy__cc_etab *t, uint64_t *s);
/* One copy fewer; returns the copies left (the slot stays: the caller
 * removes it at 0, after reading its flags). */
uint64_t gy__cc_etab_drop_copy(struct gy__cc_etab *t, uint64_t *s);
/* Copies of the edge in slot s (>= 1). */
uint64_t gy__cc_etab_copies(const struct gy__cc_etab *t, const uint64_t *s);
/* Sets the copies of the edge in slot s to n >= 1. Returns 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_etab_set_copies(struct gy__cc_etab *t, uint64_t *s, uint64_t n);

/* A copies table on its own (the runs' surplus): key -> count, 0 if absent. */
uint64_t gy__cc_copies_get(const struct gy__cc_copies *c, uint64_t key);
/* Adds n > 0 to key's count. Returns 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_copies_add(struct gy__cc_copies *c, uint64_t key, uint64_t n);
void gy__cc_copies_destroy(struct gy__cc_copies *c);

/* Where key's probe starts. The top bits of the hash, not the low ones:
 * then the slots of a table are in hash order (but for the wrap-around),
 * and doubling it moves them in one nearly sequential pass. */
static inline size_t gy__cc_etab_home_of(const struct gy__cc_etab *t, uint64_t key)
{
    return (size_t)(gy_fmix64(key) >> t->shift);
}

/* The slot of key, or NULL. */
static inline uint64_t *gy__cc_etab_find(const struct gy__cc_etab *t, uint64_t key)
{
    size_t mask = t->cap - 1;

    if (t->cap == 0)
        return NULL;
    for (size_t i = gy__cc_etab_home_of(t, key);; i = (i + 1) & mask) {
        uint64_t *s = &t->slot[i];
        if ((*s & GY__CC_KEY_MASK) == key)
            return s;
        if (*s == 0)
            return NULL;
    }
}

/* The slot of key, claimed (one copy, no flags) if absent; *fresh says
 * which. The caller reserved room first (gy__cc_etab_reserve). */
static inline uint64_t *gy__cc_etab_upsert(struct gy__cc_etab *t, uint64_t key, bool *fresh)
{
    size_t mask = t->cap - 1;

    assert(key != 0 && (key & ~GY__CC_KEY_MASK) == 0); /* 0 marks an empty slot */
    for (size_t i = gy__cc_etab_home_of(t, key);; i = (i + 1) & mask) {
        uint64_t *s = &t->slot[i];
        if ((*s & GY__CC_KEY_MASK) == key) {
            *fresh = false;
            return s;
        }
        if (*s == 0) {
            *s = key;
            t->len++;
            *fresh = true;
            return s;
        }
    }
}

/* Where key's probe starts, for a prefetch ahead of the upsert. */
static inline const void *gy__cc_etab_home(const struct gy__cc_etab *t, uint64_t key)
{
    return &t->slot[gy__cc_etab_home_of(t, key)];
}

/* ---- sorted runs: the edge set while a worker has seen no delete ---- */

/*
 * Until its first delete a worker keeps no per-edge hash table: an epoch's
 * canonical pairs are radix-sorted, their copies counted, looked up in a
 * few sorted runs of the earlier epochs' edges (a pair found there gets the
 * epoch's copies added in place; the others are the epoch's new edges) and
 * the new ones become a run, merged LSM-style: a run is merged into the one
 * before it while that one holds at most twice as many epochs (and is not
 * more than four times as long), so there are few runs and a word is
 * rewritten O(log(edges / epoch)) times. The runs hold disjoint sets of
 * pairs. Everything that grows with the edges streams; nothing of it is
 * probed at random. The first delete turns the runs into the edge table
 * for good (gy__cc_runs_to_etab). One worker owns a set of runs; nothing
 * inside is atomic.
 *
 * A run word is the dense pair with its copy count in the low bits,
 *     da << 34 | db << 4 | c,   1 <= c <= 15,
 * so words order like their pairs. A count that does not fit stays at 15
 * and the surplus goes to extra (pair key -> copies beyond the 15), which
 * only edges with 15 or more copies touch.
 */
#define GY__CC_RUN_CBITS 4u
#define GY__CC_RUN_CMAX  15u
#define GY__CC_RUN_DB    GY__CC_RUN_CBITS                  /* db's lowest bit */
#define GY__CC_RUN_DA    (GY__CC_RUN_CBITS + GY__CC_ID_BITS) /* da's lowest bit */
#define GY__CC_RUNS_MAX  64u

/* One sorted run: w[0 .. len) of a buffer of cap words and, once it is
 * long, its fences: the pair of every 64th word, a dense index that keeps
 * a sparse lookup (a small epoch against a big run) to a search in cached
 * fences and one block of the run, instead of a search through the run. */
struct gy__cc_run {
    uint64_t *w;
    size_t len, cap;
    void *raw;        /* the allocation w lies in (gy__cc_table_alloc) */
    uint64_t *fence;  /* [nfence]: fence[k] = w[64 k] without its count */
    size_t nfence, cap_fence; /* nfence 0 while the run is short */
    uint64_t adds;    /* epochs whose new pairs it holds (an epoch with none is not counted) */
};

struct gy__cc_runs {
    struct gy__cc_run run[GY__CC_RUNS_MAX]; /* oldest first */
    uint32_t n;
    struct gy__cc_run spare;      /* a buffer kept for the next run (len 0) */
    size_t last_m;                /* words of the last epoch added */
    struct gy__cc_copies extra;   /* pair key -> copies beyond the runs' counts */
    size_t *hist;                 /* radix histograms, allocated on first use */
};

static inline uint64_t gy__cc_run_word(uint32_t da, uint32_t db)
{
    return (uint64_t)da << GY__CC_RUN_DA | (uint64_t)db << GY__CC_RUN_DB;
}

static inline uint32_t gy__cc_run_a(uint64_t w)
{
    return (uint32_t)(w >> GY__CC_RUN_DA);
}

static inline uint32_t gy__cc_run_b(uint64_t w)
{
    return (uint32_t)(w >> GY__CC_RUN_DB) & GY__CC_MAX_IDS;
}

void gy__cc_runs_init(struct gy__cc_runs *r);
void gy__cc_runs_destroy(struct gy__cc_runs *r);

/*
 * Sorts the n words of a (pair words, count bits 0) by pair, LSD radix over
 * the bits that dense ids below 2^idbits use; tmp holds n words of scratch.
 * Returns a or tmp, whichever holds the result, or NULL on ENOMEM.
 */
uint64_t *gy__cc_runs_sort(struct gy__cc_runs *r, uint64_t *a, uint64_t *tmp, size_t n,
                           unsigned idbits);

/* Collapses equal pairs of the sorted w[0 .. n) into one word each with its
 * copy count (surplus into r's extra); *m gets the words left. 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_runs_count(struct gy__cc_runs *r, uint64_t *w, size_t n, size_t *m);

/*
 * Splits the counted, sorted e[0 .. *m): the copies of a pair some run
 * holds are added to it there; the words of the others (the new edges)
 * stay, in order, and *m gets how many. 0 or -ENOMEM.
 */
GY_NODISCARD int gy__cc_runs_fresh(struct gy__cc_runs *r, uint64_t *e, size_t *m);

/* Adds the new edges' words e[0 .. m) (sorted, in no run) as the newest
 * run and merges runs as above. 0 or -ENOMEM. */
GY_NODISCARD int gy__cc_runs_add(struct gy__cc_runs *r, const uint64_t *e, size_t m);

/* Copies of the pair key (gy__cc_pair_key) that the runs hold. */
uint64_t gy__cc_runs_copies(const struct gy__cc_runs *r, uint64_t key);

/*
 * Moves every edge of the runs into the empty table t with its exact copy
 * count and no flags, and leaves r empty. 0 or -ENOMEM (then t may hold
 * part of the edges; r is left to destroy).
 */
GY_NODISCARD int gy__cc_runs_to_etab(struct gy__cc_runs *r, struct gy__cc_etab *t);

/* ---- records of the open epochs ---- */

/* One epoch's records. */
struct gy__cc_ebuf {
    uint64_t epoch;
    void *recs;
    size_t len, cap; /* in records */
    size_t marks;    /* records its owner counted (cc.local: the deletes) */
};

/* Emptied epoch buffers kept for reuse: as many as the driver keeps epochs
 * open by default (4), and one more. */
#define GY__CC_SPARES 5u

/* The open epochs' buffers in ascending epoch order, and emptied buffers
 * kept for reuse so that a steady stream of epochs stops allocating (and
 * faulting in fresh pages, and at W > 1 shooting down TLBs on free). */
struct gy__cc_pending {
    struct gy__cc_ebuf *ep;
    uint32_t n, cap;
    size_t rec_size;
    struct gy__cc_ebuf spare[GY__CC_SPARES]; /* recs of finished epochs */
    uint32_t nspare;
};

void gy__cc_pending_init(struct gy__cc_pending *p, size_t rec_size);
void gy__cc_pending_destroy(struct gy__cc_pending *p);
/* Room for n more records of epoch; returns where to write them (the
 * caller then owns them as part of the epoch) or NULL on ENOMEM. *buf gets
 * the epoch's buffer (valid until the next call). */
void *gy__cc_pending_reserve(struct gy__cc_pending *p, uint64_t epoch, size_t n,
                             struct gy__cc_ebuf **buf);
/* The oldest buffered epoch if it is below `before`, else NULL. */
struct gy__cc_ebuf *gy__cc_pending_first(struct gy__cc_pending *p, uint64_t before);
/* Drops the oldest epoch (after gy__cc_pending_first returned it). */
void gy__cc_pending_pop(struct gy__cc_pending *p);

/* The smallest epoch that can still reach input 0 of op; UINT64_MAX when none. */
uint64_t gy__cc_frontier_epoch(const gy_op_t *op);

/* Keeps *cap at epoch `to` (downgrading), or drops it when to is UINT64_MAX.
 * Returns 0 or -ECANCELED (the run has failed). */
GY_NODISCARD int gy__cc_cap_follow(gy_op_t *op, struct gy_cap *cap, uint64_t to);

/* ---- the operators ---- */

/* cc.local named name on a stream of struct gy_edge (it exchanges them by
 * canonical pair): a stream of struct gy__cc_msg. NULL after failing the run. */
gy_stream_t *gy__cc_local(gy_stream_t *edges, const char *name, const struct gy_algo_opts *opts);

/* cc named name on cc.local's messages (it sends them all to worker 0): a
 * stream of struct gy_graph_result. NULL after failing the run. */
gy_stream_t *gy__cc_global(gy_stream_t *msgs, const char *name, const struct gy_algo_opts *opts);

/* Writes "vertex label" lines for every vertex of m, ascending by original
 * id, label = the smallest original id in its set of uf. Returns 0 or
 * -errno (ENOMEM, or the write's errno). */
GY_NODISCARD int gy__cc_write_labels(const char *path, const struct gy__cc_vmap *m,
                                     struct gy_uf *uf);

#endif
