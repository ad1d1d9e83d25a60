/*
 * Triangle counting internals shared by algorithms/tc*.c: the per-worker
 * state, the message record that travels through the loop's feedback, the
 * hashed neighbour sets, and the stage functions of each file.
 *
 * Stages: records sent while a worker processes iteration i of epoch e
 * arrive at (e, i + 1). Messages are applied as they arrive where their
 * effect does not depend on order, and buffered otherwise; a stage runs
 * once no record at or before (e, i) can still arrive. Stage 0 of epoch e
 * additionally waits until the counting stages of every earlier epoch are
 * finished everywhere (only the report may still be pending), so that only
 * one epoch at a time touches the neighbour sets.
 *
 *   delta epoch: 0 ingest and ship -> 1 decide and count -> 2 report
 *   full epoch:  0 ingest -> 1 decide, degrees -> 2 orient -> 3 count -> 4 report
 *   (an epoch that changes no edge runs as a delta epoch that counts nothing)
 *
 * Everything here belongs to one worker's operator and runs on that
 * worker's thread.
 */
#ifndef GY_ALGORITHMS_TC_INTERNAL_H
#define GY_ALGORITHMS_TC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "algorithms/tc.h"
#include "operators/op.h"
#include "progress/compiler.h"

/* Neighbour sets up to this capacity are plain arrays searched linearly:
 * eight ids are one cache line, cheaper to scan than to hash. */
#define TC_SMALL 8u
#define TC_NONE UINT32_MAX

/* An adjacency entry's meta word: the edge's multiplicity in the low 30
 * bits, the epoch's mark above. */
#define TC_MARK_SHIFT 30
#define TC_MULT_MAX ((1u << TC_MARK_SHIFT) - 1)

/* Full-strategy list entries: mark << 30 | remote << 29 | local index or owner. */
#define TC_INFO_REMOTE (1u << 29)
#define TC_INFO_INDEX (TC_INFO_REMOTE - 1)
#define TC_MAX_LOCAL TC_INFO_INDEX /* vertices one worker may own */

/* Vertices of at least this degree are heavy: every worker keeps their
 * degree as of the last epoch, so that both owners of a changed edge agree,
 * without a message, which endpoint ships its list. A light vertex's list
 * is short whichever endpoint ships. */
#define TC_HEAVY 32u

/* How an entry changed in the epoch being counted. */
enum tc_mark {
    TC_SAME = 0, /* present before and after */
    TC_INS = 1,  /* absent before, present after */
    TC_DEL = 2,  /* present before, absent after (removed once the epoch is counted) */
};

/* The iteration at which a stage runs. */
enum tc_stage {
    TC_INGEST = 0,
    TC_DECIDE = 1,
    TC_ORIENT = 2,     /* full only */
    TC_FCOUNT = 3,     /* full only */
    TC_DREPORT = 2,    /* report of a delta epoch */
    TC_FREPORT = 4,    /* report of a full epoch */
};

enum tc_mode {
    TC_MODE_NONE = 0, /* nothing changed: no counting */
    TC_MODE_DELTA,
    TC_MODE_FULL,
};

enum tc_kind {
    TC_K_STAT = 1,   /* -> 1: key = worker, a = inserted, b = deleted edges, c = votes full */
    TC_K_BAD,        /* -> 1: key = worker 0, a = u, b = v, c = line: earliest bad delete */
    TC_K_LIST,       /* -> 1 or 3: key = worker, a = src, b = neighbour, c = list length, mark */
    TC_K_QUERY,      /* -> 1: key = x, a = y, mark: count changed edge {x,y} with y's list */
    TC_K_DEG_FULL,   /* -> 2: key = worker, a = vertex, c = its degree */
    TC_K_PART_TRI,   /* -> report: key = worker 0, a = new, b = removed triangles */
    TC_K_PART_MISC,  /* -> report: key = worker 0, a = vertices named, b = bad deletes */
    TC_K_PART_ALL,   /* -> report: key = worker 0, a = triangles of the new graph (full) */
    TC_K_HEAVY,      /* -> report: key = worker, a = vertex, c = its degree now */
};

/* The one record of the feedback, exchanged by key (a vertex id, or
 * wkey[w] for worker w). */
struct tc_msg {
    uint64_t key;
    uint64_t a;
    uint64_t b;
    uint32_t c;
    uint8_t kind;
    uint8_t mark;
    uint16_t from; /* sending worker */
};
_Static_assert(sizeof(struct tc_msg) == 32, "tc_msg is a 32-byte record");

/* A vertex's neighbours. Array form (cap <= TC_SMALL): ids[0 .. len).
 * Hash form: cap is a power of two, linear probing, the vertex's own id
 * marks an empty slot (no vertex is its own neighbour), load <= 1/2. The
 * meta words follow the ids in the same block. */
struct tc_adj {
    uint64_t *ids;
    uint32_t len;  /* entries, those marked TC_DEL included */
    uint32_t cap;
    uint32_t sent; /* degree last announced as heavy (0: never) */
};

static inline uint32_t *tc_adj_meta(const struct tc_adj *a)
{
    return a->ids ? (uint32_t *)(a->ids + a->cap) : NULL;
}

/* Slots to scan when iterating: skip ids equal to the vertex itself. */
static inline uint32_t tc_adj_span(const struct tc_adj *a)
{
    return a->cap > TC_SMALL ? a->cap : a->len;
}

static inline uint32_t tc_meta_mark(uint32_t meta)
{
    return meta >> TC_MARK_SHIFT;
}

/* (deg(a), a) < (deg(b), b): the order that orients edges. */
static inline bool tc_lower(uint32_t deg_a, uint64_t a, uint32_t deg_b, uint64_t b)
{
    return deg_a < deg_b || (deg_a == deg_b && a < b);
}

/* The hash of vertex ids for the slots of neighbour sets and the buckets
 * of bulk epochs: Fibonacci hashing, whose top bits are well mixed (the
 * vertex map must mix differently, tc_vmap.c says why). */
static inline uint64_t tc_hash(uint64_t v)
{
    return v * 0x9e3779b97f4a7c15ULL;
}

struct tc_vslot {
    uint64_t key;
    uint32_t idx; /* TC_NONE: empty */
    uint32_t pad;
};

/* Vertices owned here -> dense local indices (tc_vmap.c). */
struct tc_vmap {
    struct tc_vslot *slots; /* [cap], cap a power of two, load <= 1/2 */
    uint64_t *origs;        /* [n] local index -> id */
    size_t cap, n, ocap;
};

static inline uint64_t tc_vmap_orig(const struct tc_vmap *m, uint32_t i)
{
    return m->origs[i];
}

/* A vertex -> degree map (tc_vmap.c). */
struct tc_dmap {
    struct tc_vmap ids;
    uint32_t *val;          /* [ids.n] */
    size_t cap;
};

/* One edge record of an epoch at the owner of its endpoint x. */
struct tc_rec {
    uint64_t x, y;
    uint32_t line;
    uint8_t del;     /* a delete */
    uint8_t swapped; /* the line named y first */
    uint8_t hi;      /* x is the larger endpoint (the other owner counts and reports) */
    uint8_t pad;
};

/* Edge records of one epoch waiting for stage 0. */
struct tc_ebuf {
    uint64_t epoch;
    struct tc_rec *r;
    size_t n, cap;
    bool has_del;
    bool used;
};

/* An entry marked this epoch: local vertex xl, neighbour y. */
struct tc_change {
    uint64_t y;
    uint32_t xl;
    uint32_t mark;
};

/* Delta: local xl ships its list to dest for changed edge {x, y}. */
struct tc_ship {
    uint64_t y;
    uint32_t xl;
    uint32_t dest; /* owner of y */
    uint32_t mark;
    uint32_t pad;
};

/* A received list entry: src's neighbour id with the mark of {src, id}. */
struct tc_lent {
    uint64_t src;
    uint64_t id;
    uint32_t len;
    uint32_t mark;
};

/* Delta: count changed edge {x, y} (x owned here) with y's list. */
struct tc_query {
    uint64_t x;
    uint64_t y;
    uint32_t xl; /* TC_NONE until resolved */
    uint32_t yl; /* local y, or TC_NONE when y's list came from elsewhere */
    uint32_t mark;
    uint32_t pad;
};

/* A delete of an absent edge (without skip_bad_deletes). */
struct tc_bad {
    uint64_t u, v;
    uint32_t line;
    bool any;
};

/* A growable array. */
struct tc_vec {
    void *p;
    size_t n, cap;
};

/* Counts of one epoch on one worker. */
struct tc_counts {
    uint64_t new_t;
    uint64_t removed;
    uint64_t present; /* full only: triangles of the new graph */
};

/* A retained capability at a time with work to do. */
struct tc_pend {
    struct gy_cap cap;
};

/* The epoch being counted (only one at a time). */
struct tc_cur {
    enum tc_mode mode;
    uint64_t g_ins, g_del;  /* changed edges on all workers (STAT) */
    uint64_t g_full;        /* workers that voted for the full strategy */
    uint64_t l_ins, l_del;  /* changed edges found here in stage 0 */
    uint64_t bad;           /* deletes skipped here */
    struct tc_bad lbad;     /* the earliest bad delete here */
    struct tc_bad gbad;     /* worker 0: the earliest on any worker */
    struct tc_vec log;      /* struct tc_change */
    bool log_over;          /* log abandoned: scan the sets instead */
    struct tc_vec queries;  /* struct tc_query */
    struct tc_dmap rdeg;    /* full: degrees of vertices owned elsewhere */
    struct tc_vec *recv;    /* [peers] struct tc_lent per sender */
    struct tc_counts counts;
    /* full: out-lists, CSR over local vertices */
    uint64_t *off;          /* [nv + 1] */
    uint64_t *oid;
    uint32_t *oinfo;
    size_t nv;
};

/* Worker 0's sums for the epoch being reported, and the running totals. */
struct tc_totals {
    uint64_t new_t, removed, present, vnew, bad;
    bool full;
    bool derive;               /* a full epoch without deletes: new = present - old */
    uint64_t triangles, vertices, bad_deletes;
};

struct tc {
    gy_op_t *op;
    uint32_t me, peers;
    uint64_t *wkey;            /* [peers] a key gy_key_worker routes to each worker */
    enum gy_tc_strategy strategy;
    char *input_name;
    bool skip_bad;

    struct tc_vmap ids;        /* vertices owned here -> local index */
    struct tc_adj *adj;        /* [local index] */
    size_t adj_cap;
    size_t named_before;       /* vertices owned here when the epoch began */
    uint64_t edges;            /* distinct edges present on all workers */

    struct tc_dmap heavy;      /* heavy vertices anywhere -> degree after the last epoch */

    struct tc_pend *pend;
    size_t npend, cap_pend;
    struct tc_ebuf *eb;
    size_t neb, cap_eb;
    uint32_t rstage;           /* report stage of the last decided epoch */

    struct tc_msg *out;        /* messages staged for the feedback */
    uint32_t nout;
    const struct gy_cap *out_cap;

    struct tc_cur cur;
    struct tc_totals tot;
};

/* Messages staged before one gy_op_give. */
#define TC_OUT_BATCH 512u

/* ---- tc_vmap.c: owned vertices ---- */

/* v's index, added if new: 1 added, 0 found, -ENOMEM, -EOVERFLOW. */
GY_NODISCARD int gy__tc_vmap_map(struct tc_vmap *m, uint64_t v, uint32_t *idx);
bool gy__tc_vmap_find(const struct tc_vmap *m, uint64_t v, uint32_t *idx);
void gy__tc_vmap_free(struct tc_vmap *m);
/* d[v] = val. 0, or -ENOMEM after failing the run. */
GY_NODISCARD int gy__tc_dmap_set(struct tc *tc, struct tc_dmap *d, uint64_t v, uint32_t val);
bool gy__tc_dmap_get(const struct tc_dmap *d, uint64_t v, uint32_t *val);
void gy__tc_dmap_free(struct tc_dmap *d);

/* ---- tc_adj.c: neighbour sets ---- */

/* Slot of w in a (self is a's vertex; w != self), or TC_NONE. */
uint32_t gy__tc_adj_find(const struct tc_adj *a, uint64_t self, uint64_t w);
/* Adds w (absent) with meta; *slot gets its slot. 0 or -ENOMEM. */
GY_NODISCARD int gy__tc_adj_insert(struct tc_adj *a, uint64_t self, uint64_t w, uint32_t meta,
                                   uint32_t *slot);
/* Removes the entry in slot. */
void gy__tc_adj_remove(struct tc_adj *a, uint64_t self, uint32_t slot);
void gy__tc_adj_free(struct tc_adj *a);

/* ---- tc.c: plumbing ---- */

/* Local index of v, naming it if new. 0 or a negative errno (the run failed). */
GY_NODISCARD int gy__tc_name(struct tc *tc, uint64_t v, uint32_t *vl);
/* Sends m to the owner of m->key at the current stage: handled here at
 * once when that is this worker, else staged for the feedback. 0 or -errno. */
GY_NODISCARD int gy__tc_send(struct tc *tc, struct tc_msg *m);
/* Sends to worker w. */
GY_NODISCARD int gy__tc_send_to(struct tc *tc, uint32_t w, struct tc_msg *m);
/* Applies one arrived message. 0 or -errno (the run failed). */
GY_NODISCARD int gy__tc_handle(struct tc *tc, const struct tc_msg *m);
/* Appends one zeroed element of size bytes; NULL after failing the run. */
void *gy__tc_push(struct tc *tc, struct tc_vec *v, size_t size);
/* Empties v, freeing its memory when it grew big. */
void gy__tc_vec_reset(struct tc_vec *v, size_t size);
uint32_t gy__tc_owner(const struct tc *tc, uint64_t v);
/* v's degree as of the last epoch if heavy then, else 0 (the same on every worker). */
uint32_t gy__tc_heavy_degree(const struct tc *tc, uint64_t v);
/* Fails the run: out of memory. Returns -ENOMEM. */
int gy__tc_oom(struct tc *tc);

/* ---- tc_ingest.c: stages 0 and 1, end of epoch ---- */

/* Changes logged per epoch and worker before the log is abandoned.
 * TC_LOG_MAX; tests lower it (before a run) to reach the scanning paths. */
extern size_t gy__tc_log_max;

GY_NODISCARD int gy__tc_ingest(struct tc *tc, struct tc_ebuf *b);
/* Keeps the earlier of *into and the bad delete (u, v, line). */
void gy__tc_bad_keep(struct tc_bad *into, uint64_t u, uint64_t v, uint32_t line);
/* Stage 1: picks the epoch's strategy and runs its first step. */
GY_NODISCARD int gy__tc_decide(struct tc *tc);
/* After counting: partial counts to worker 0, heavy degrees to all,
 * marks and deleted entries dropped. */
GY_NODISCARD int gy__tc_finish(struct tc *tc);

/* ---- tc_delta.c: per changed edge ---- */

/* Stage 0: ships lists for the changed edges whose local endpoint is lower. */
GY_NODISCARD int gy__tc_delta_ship(struct tc *tc);
/* Stage 1: counts the queries. */
GY_NODISCARD int gy__tc_delta_count(struct tc *tc);
GY_NODISCARD int gy__tc_on_query(struct tc *tc, const struct tc_msg *m);

/* ---- tc_full.c: forward algorithm over the whole graph ---- */

GY_NODISCARD int gy__tc_full_degrees(struct tc *tc);
GY_NODISCARD int gy__tc_on_full_degree(struct tc *tc, const struct tc_msg *m);
GY_NODISCARD int gy__tc_full_orient(struct tc *tc);
GY_NODISCARD int gy__tc_full_count(struct tc *tc);
void gy__tc_full_free(struct tc *tc);

/* ---- tc_lists.c: neighbour lists that crossed workers ---- */

GY_NODISCARD int gy__tc_on_list(struct tc *tc, const struct tc_msg *m);
/* Sends the entries of local vertex xl's set to worker dest. */
GY_NODISCARD int gy__tc_ship_set(struct tc *tc, uint32_t xl, uint32_t dest);
/* Calls fn(tc, entries, n, arg) for each received list; fails the run
 * when a list did not arrive whole and in one piece. */
GY_NODISCARD int gy__tc_each_list(struct tc *tc,
                                  int (*fn)(struct tc *tc, const struct tc_lent *l, size_t n,
                                            void *arg),
                                  void *arg);
/* Forgets the received lists. */
void gy__tc_lists_reset(struct tc *tc);

#endif
