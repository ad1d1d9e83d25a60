/*
 * Micro-benchmark of progress tracking (progress/topology.c, tracker.c):
 * pointstamp updates per second through gy_tracker_update and
 * gy_tracker_propagate, and the time gy_topology_build takes, on two graphs:
 *
 *  chain-100-loop  enter, op1..op98, feedback(+1), leave: a loop of 100
 *                  operators. op1 holds a capability that moves through
 *                  successive iterations; each round one message pointstamp
 *                  walks the whole chain, one hop (-1 here, +1 there) per
 *                  propagate, as a worker would report it.
 *  layered-1000    10 layers of 100 operators, each input fed by 3 random
 *                  operators of the layer before. Batches of 8 random
 *                  pointstamp adds and removes at random locations and epochs.
 *
 * Each workload runs for a fixed wall-clock budget (BUDGET_S) so that the
 * whole binary finishes in a few seconds on any machine. Prints figures only;
 * correctness is tests/test_tracker_oracle.c's job.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progress/time.h"
#include "progress/topology.h"
#include "progress/tracker.h"

#define BUDGET_S 2.0     /* seconds per workload */
#define CHAIN_OPS 98     /* ordinary operators inside the loop */
#define LAYERS 10
#define WIDTH 100
#define FANIN 3          /* edges into each operator of layers 1.. */
#define BATCH 8          /* updates per propagate in layered-1000 */
#define POOL 256         /* live pointstamps kept in layered-1000 */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_progress: %s failed: %s\n", what, strerror(rc < 0 ? -rc : rc));
    exit(1);
}

static void check(const char *what, int rc)
{
    if (rc < 0)
        die(what, rc);
}

/* Counts and times one workload. */
struct meter {
    uint64_t updates;
    uint64_t propagates;
    double propagate_s;
};

static void update(gy_tracker_t *tr, struct meter *m, uint32_t loc, const struct gy_time *t,
                   int64_t delta)
{
    check("gy_tracker_update", gy_tracker_update(tr, loc, t, delta));
    m->updates++;
}

static void propagate(gy_tracker_t *tr, struct meter *m)
{
    double t0 = now_s();

    check("gy_tracker_propagate", gy_tracker_propagate(tr));
    m->propagate_s += now_s() - t0;
    m->propagates++;
}

static void report(const char *name, const struct meter *m, double total_s)
{
    printf("progress %s: %.2f M updates/s (propagate: %.3f us/update, %.2f us/propagate; "
           "%llu updates in %.2f s)\n",
           name, (double)m->updates / total_s * 1e-6, m->propagate_s / (double)m->updates * 1e6,
           m->propagate_s / (double)m->propagates * 1e6, (unsigned long long)m->updates,
           total_s);
}

static gy_topology_t *build_or_die(gy_topology_t *topo, const char *name)
{
    char err[256] = "";
    double t0 = now_s();
    int rc = gy_topology_build(topo, err, sizeof(err));

    if (rc) {
        fprintf(stderr, "bench_progress: %s: build failed: %s\n", name, err);
        exit(1);
    }
    printf("progress %s: topology of %u operators, %u locations built in %.3f ms\n", name,
           gy_topology_num_ops(topo), gy_topology_num_locs(topo), (now_s() - t0) * 1e3);
    return topo;
}

/* ---- chain-100-loop ---- */

/* Op ids: 0 enter, 1..CHAIN_OPS the chain (op1 has a second input for the
 * feedback), CHAIN_OPS + 1 feedback, CHAIN_OPS + 2 leave. */
static gy_topology_t *chain_topology(void)
{
    gy_topology_t *topo = gy_topology_new();
    uint32_t fb = CHAIN_OPS + 1, leave = CHAIN_OPS + 2;
    int loop;

    if (!topo)
        die("gy_topology_new", -ENOMEM);
    check("add_scope", loop = gy_topology_add_scope(topo, 0));
    check("add_enter", gy_topology_add_enter(topo, "enter", (uint32_t)loop));
    for (uint32_t k = 1; k <= CHAIN_OPS; k++) {
        char name[16];
        snprintf(name, sizeof(name), "op%u", k);
        check("add_op", gy_topology_add_op(topo, name, (uint32_t)loop, k == 1 ? 2 : 1, 1));
        check("add_edge", gy_topology_add_edge(topo, k - 1, 0, k, 0));
    }
    check("add_feedback", gy_topology_add_feedback(topo, "feedback", (uint32_t)loop, 1));
    check("add_leave", gy_topology_add_leave(topo, "leave", (uint32_t)loop));
    check("add_edge", gy_topology_add_edge(topo, CHAIN_OPS, 0, fb, 0));
    check("add_edge", gy_topology_add_edge(topo, fb, 0, 1, 1));
    check("add_edge", gy_topology_add_edge(topo, CHAIN_OPS, 0, leave, 0));
    return build_or_die(topo, "chain-100-loop");
}

static struct gy_time loop_time(uint64_t epoch, uint32_t iter)
{
    struct gy_time t = gy_time_zero(1);

    t.epoch = epoch;
    t.iter[0] = iter;
    return t;
}

/* One round at iteration i: op1 sends a message down the chain, which walks
 * to op98 hop by hop; then op1's capability moves on to iteration i + 1. */
static void chain_round(const gy_topology_t *topo, gy_tracker_t *tr, struct meter *m, uint32_t i)
{
    struct gy_time t = loop_time(0, i), next = loop_time(0, i + 1);
    uint32_t cap = gy_topology_output_loc(topo, 1, 0);

    update(tr, m, gy_topology_input_loc(topo, 2, 0), &t, +1);
    propagate(tr, m);
    for (uint32_t k = 2; k < CHAIN_OPS; k++) {
        update(tr, m, gy_topology_input_loc(topo, k, 0), &t, -1);
        update(tr, m, gy_topology_input_loc(topo, k + 1, 0), &t, +1);
        propagate(tr, m);
    }
    update(tr, m, gy_topology_input_loc(topo, CHAIN_OPS, 0), &t, -1);
    update(tr, m, cap, &next, +1);
    update(tr, m, cap, &t, -1);
    propagate(tr, m);
}

static void bench_chain(void)
{
    gy_topology_t *topo = chain_topology();
    gy_tracker_t *tr = gy_tracker_new(topo);
    struct gy_time t0 = loop_time(0, 0);
    struct meter m = {0};
    double start;
    uint32_t i = 0;

    if (!tr)
        die("gy_tracker_new", -ENOMEM);
    update(tr, &m, gy_topology_output_loc(topo, 1, 0), &t0, +1);
    propagate(tr, &m);
    start = now_s();
    m = (struct meter){0};
    while (now_s() - start < BUDGET_S)
        chain_round(topo, tr, &m, i++);
    report("chain-100-loop", &m, now_s() - start);
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

/* ---- layered-1000 ---- */

static gy_topology_t *layered_topology(uint64_t *seed)
{
    gy_topology_t *topo = gy_topology_new();

    if (!topo)
        die("gy_topology_new", -ENOMEM);
    for (uint32_t op = 0; op < LAYERS * WIDTH; op++) {
        char name[16];
        snprintf(name, sizeof(name), "l%u_%u", op / WIDTH, op % WIDTH);
        check("add_op", gy_topology_add_op(topo, name, 0, 1, 1));
        if (op < WIDTH)
            continue;
        for (uint32_t k = 0; k < FANIN; k++) {
            uint32_t src = (op / WIDTH - 1) * WIDTH + (uint32_t)(rng_next(seed) % WIDTH);
            check("add_edge", gy_topology_add_edge(topo, src, 0, op, 0));
        }
    }
    return build_or_die(topo, "layered-1000");
}

struct stamp {
    uint32_t loc;
    struct gy_time t;
};

/* Adds a random pointstamp, or removes a random live one when the pool is
 * full or by chance. Epochs drift upward so frontiers keep moving. */
static void layered_update(gy_tracker_t *tr, struct meter *m, struct stamp *pool, uint32_t *n,
                           uint32_t nlocs, uint64_t *seed)
{
    uint64_t r = rng_next(seed);

    if (*n == POOL || (*n > 0 && (r & 1))) {
        uint32_t k = (uint32_t)((r >> 1) % *n);
        update(tr, m, pool[k].loc, &pool[k].t, -1);
        pool[k] = pool[--*n];
        return;
    }
    pool[*n].loc = (uint32_t)((r >> 1) % nlocs);
    pool[*n].t = gy_time_epoch(m->updates / 1024 + (r >> 40) % 4);
    update(tr, m, pool[*n].loc, &pool[*n].t, +1);
    ++*n;
}

static void bench_layered(void)
{
    uint64_t seed = 42;
    gy_topology_t *topo = layered_topology(&seed);
    gy_tracker_t *tr = gy_tracker_new(topo);
    static struct stamp pool[POOL];
    struct meter m = {0};
    uint32_t n = 0, nlocs = gy_topology_num_locs(topo);
    double start = now_s();

    if (!tr)
        die("gy_tracker_new", -ENOMEM);
    while (now_s() - start < BUDGET_S) {
        for (uint32_t k = 0; k < BATCH; k++)
            layered_update(tr, &m, pool, &n, nlocs, &seed);
        propagate(tr, &m);
    }
    report("layered-1000", &m, now_s() - start);
    gy_tracker_free(tr);
    gy_topology_free(topo);
}

int main(void)
{
    bench_chain();
    bench_layered();
    return 0;
}
