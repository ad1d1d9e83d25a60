/* reach: BFS levels with gy_iterate and a hand-written fixpoint operator on a seeded random digraph
 * (-n vertices, out-degrees 0..2d). Epoch e asks for what root e * (n / r) reaches, all epochs in
 * flight at once. The body expands each (v, level) to v's out-neighbours; "visit" (gy_op_new), once
 * an (epoch, iteration) is complete, returns the vertices it owns that are new to the epoch: each
 * reachable vertex leaves the loop once. Checked against a sequential BFS, then printed per root
 * as vertex counts per level.                Usage: reach [-w W] [-n N] [-d D] [-r R] [-s seed] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/iterate.h"
#define NONE UINT32_MAX
struct rec { uint32_t v, d; };                       /* vertex v at level (distance) d */
struct pend { struct gy_time t; struct rec r; };     /* a record waiting for its time to complete */
struct visit { struct pend *p; size_t n, cap; uint32_t fresh[]; };   /* visit's state; fresh[n] */
static uint32_t opt[5] = {0, 2000, 3, 3, 1}, n, *level, *out;  /* -w -n -d -r -s; [roots][n] */

/* The graph, never stored: vertex u has degree(u) out-edges, to neighbour(u, 0..degree(u) - 1). */
static uint64_t mix(uint64_t x) { x *= 0x9e3779b97f4a7c15ULL; return x ^ (x >> 29); }
static uint32_t degree(uint32_t u) { return (uint32_t)(mix(opt[4] + u) % (2 * opt[2] + 1)); }
static uint32_t neighbour(uint32_t u, uint32_t k) { return mix(mix(opt[4] + u) + k) % n; }
static uint64_t by_vertex(const void *r, void *a) { return (void)a, ((const struct rec *)r)->v; }

/* The body's first operator: the roots themselves at iteration 0, and every out-neighbour. */
static int expand(const void *in, gy_emit_t *emit, void *arg)
{
    const struct rec *r = in;
    int rc = gy_iterate_round(gy_emit_time(emit)) == 0 ? gy_emit(emit, r) : 0;
    for (uint32_t k = 0; k < degree(r->v) && rc == 0; k++)
        rc = gy_emit(emit, &(struct rec){neighbour(r->v, k), r->d + 1});
    return (void)arg, rc;
}

/* Records at (epoch, iteration) t: keep them until t is complete, and ask to hear when it is. */
static void visit_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t cnt)
{
    struct visit *s = state;
    void *p = s->p;
    if (s->n + cnt > s->cap && !(p = realloc(s->p, (s->cap = 2 * (s->n + cnt)) * sizeof(*s->p))))
        return (void)gy_op_fail(op, "out of memory");
    for (const struct rec *r = (s->p = p, recs); cnt > 0; cnt--)
        s->p[s->n++] = (struct pend){cap->time, *r++};
    if (gy_op_notify_at(op, cap) != 0)
        return; /* the run has failed, with its message */
    (void)port;
}

/* t is complete. Take the least level offered to each vertex new to the epoch (one seen before
 * has a level <= t's iteration <= any offered now) and return the new ones at t: they leave the
 * loop, and the feedback brings them back at the next iteration to be expanded. */
static void visit_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct visit *s = state;
    uint32_t *lv = level + cap->time.epoch * n, nf = 0;
    size_t keep = 0;
    for (size_t k = 0; k < s->n; k++) {
        struct rec r = s->p[k].r;
        if (!gy_time_eq(&s->p[k].t, &cap->time))
            s->p[keep++] = s->p[k];
        else if (r.d < lv[r.v] && lv[r.v] == NONE)
            s->fresh[nf++] = r.v, lv[r.v] = r.d;
        else if (r.d < lv[r.v])
            lv[r.v] = r.d;
    }
    s->n = keep;
    for (uint32_t k = 0; k < nf; k++)
        if (gy_op_give(op, 0, cap, &(struct rec){s->fresh[k], lv[s->fresh[k]]}, 1) != 0)
            return;
}

static void visit_free(void *state) { free(((struct visit *)state)->p), free(state); }
static gy_stream_t *body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    size_t size = sizeof(struct rec);
    struct visit *st = calloc(1, sizeof(*st) + n * sizeof(uint32_t));
    struct gy_op_spec spec = {.name = "visit", .ninputs = 1, .noutputs = 1, .rec_sizes = &size,
        .scope = gy_loop_scope(loop), .state = st,      /* owned by the operator from here on */
        .cb = {.on_input = visit_input, .on_notify = visit_notify, .destroy = visit_free}};
    gy_stream_t *cand = gy_op_flat_map(var, "expand", size, expand, arg);
    gy_op_t *op = st && cand ? gy_op_new(gy_stream_dataflow(var), &spec) : (free(st), NULL);
    if (!op)       /* the run has failed, or gy_dataflow_build will say why */
        return NULL;
    gy_op_connect(op, 0, cand, gy_pact_exchange(by_vertex, NULL));
    return gy_op_output(op, 0);
}

/* What leaves the loop: each reachable vertex once, at its root's epoch, on its owner. */
static void collect(const struct gy_time *t, const void *r, void *arg)
{
    uint32_t *o = &out[t->epoch * n + ((const struct rec *)r)->v];
    *o = *o == NONE ? ((const struct rec *)r)->d : NONE - 1, (void)arg;  /* NONE - 1: twice */
}

static int worker(gy_worker_t *w, void *arg)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "reach");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "roots", sizeof(struct rec), &s) : NULL;
    s = gy_op_inspect(gy_iterate(s, body, NULL, 0, "bfs"), "collect", collect, NULL);
    if (!df || gy_dataflow_build(df) != 0 || !in || !s)  /* build names any construction error */
        return -ECANCELED;
    for (uint32_t e = 0; e < opt[3]; e++)
        if ((e % gy_worker_peers(w) == gy_worker_index(w) &&
             gy_input_send(in, &(struct rec){e * (n / opt[3]), 0}, 1) != 0) ||
            gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    gy_input_close(in);
    return (void)arg, gy_worker_run(w);
}

/* A sequential BFS from root e (lv all NONE, queue n slots), compared with what left the loop. */
static int check_and_print(uint32_t e, uint32_t *lv, uint32_t *queue)
{
    uint32_t head = 0, tail = 1, root = e * (n / opt[3]);
    for (lv[root] = 0, queue[0] = root; head < tail; head++)
        for (uint32_t v = queue[head], k = 0, u; k < degree(v); k++)
            if (lv[u = neighbour(v, k)] == NONE)
                lv[u] = lv[v] + 1, queue[tail++] = u;
    if (memcmp(out + (size_t)e * n, lv, n * sizeof(*lv)) != 0)
        return fprintf(stderr, "reach: root %u: the loop and a sequential BFS differ\n", root), -1;
    printf("root %u: %u of %u vertices reachable, per level:", root, tail, n);
    for (uint32_t j = 0, c = 1; j < tail; j++, c++)     /* the queue is in level order */
        if (j + 1 == tail || lv[queue[j + 1]] != lv[queue[j]])
            printf(" %u", c), c = 0;
    return printf("\n"), 0;
}

int main(int argc, char **argv)
{
    struct gy_runtime_config cfg;
    char err[512], *end = NULL, *o;
    int i = 1, rc = 0;
    for (; i + 1 < argc && argv[i][0] == '-' && (o = strchr("wndrs", argv[i][1])) && *o; i += 2)
        opt[o - "wndrs"] = (uint32_t)strtoul(argv[i + 1], &end, 10);
    if (i != argc || (end && *end) || (n = opt[1]) == 0 || opt[3] == 0 || opt[3] > n)
        return fprintf(stderr, "usage: reach [-w W] [-n N] [-d D] [-r R <= N] [-s S]\n"), 2;
    gy_runtime_config_init(&cfg), cfg.workers = opt[0];
    if (!(level = malloc(((size_t)2 * opt[3] + 1) * n * 4)))  /* level, out, a BFS queue */
        return fprintf(stderr, "reach: out of memory\n"), 1;
    memset(level, 0xff, (size_t)2 * opt[3] * n * 4), out = level + (size_t)opt[3] * n;
    if (gy_runtime_run(&cfg, worker, NULL, err, sizeof(err)) != 0)
        return fprintf(stderr, "reach: %s\n", err), 1;
    for (uint32_t e = 0; e < opt[3] && rc == 0; e++)   /* level[] is free again: reuse it */
        rc = check_and_print(e, memset(level, 0xff, (size_t)n * 4), out + (size_t)opt[3] * n);
    return free(level), rc ? 1 : (printf("all %u roots agree with a sequential BFS\n", opt[3]), 0);
}
