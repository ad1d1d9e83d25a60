/* topk: per epoch, the k keys with the largest total value, from "epoch key value" lines on stdin
 * (epochs in order). gy_op_aggregate sums the values per (epoch, key) on the key's worker; a custom
 * operator (gy_op_new) gathers the sums on one worker and prints each epoch's k best as "epoch key
 * total" lines, largest first, ties by smaller key.       Usage: topk [-w workers] [-k k] < lines
 */
#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"

struct rec { uint64_t epoch, key, value; };    /* an input line */
struct kv { uint64_t key, total; };            /* gy_op_aggregate's output record */
struct cand { uint64_t v[3]; };    /* epoch, ~total, key, big-endian: memcmp sorts best first */
struct topk { struct cand *c; size_t n; };     /* the custom operator's state */
static struct rec *recs;                       /* the input, read before the run */
static uint32_t nrecs, k = 3;

static uint64_t rec_key(const void *r, void *a) { return (void)a, ((const struct rec *)r)->key; }
static uint64_t one_key(const void *r, void *a) { return (void)r, (void)a, 0; }
static void value(const void *r, void *v, void *a) { (void)a, memcpy(v, &((const struct rec *)r)->value, 8); }
static void add(void *s, const void *v, void *a) { (void)a, *(uint64_t *)s += *(const uint64_t *)v; }
static int order(const void *a, const void *b) { return memcmp(a, b, sizeof(struct cand)); }

/* Sums arrive at an epoch: keep them, and ask to hear when the epoch is complete. */
static void topk_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *in, uint32_t n)
{
    struct topk *s = state;
    struct cand *c = NULL;
    if (gy_op_notify_at(op, cap) != 0 || !(c = realloc(s->c, (s->n + n) * sizeof(*c)))) {
        gy_op_fail(op, "out of memory"); /* if the run failed already, its message stands */
        return;
    }
    for (const struct kv *p = in; n > 0; n--, p++)
        c[s->n++] = (struct cand){{htobe64(cap->time.epoch), htobe64(~p->total), htobe64(p->key)}};
    s->c = c, (void)port;
}

/* An epoch is complete (so are those before it): print its k best, forget the rest of it. */
static void topk_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct topk *s = state;
    size_t m = 0;
    qsort(s->c, s->n, sizeof(*s->c), order);
    for (; m < s->n && be64toh(s->c[m].v[0]) == cap->time.epoch; m++)
        if (m < k)
            printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", cap->time.epoch, be64toh(s->c[m].v[2]),
                   ~be64toh(s->c[m].v[1]));
    memmove(s->c, s->c + m, (s->n -= m) * sizeof(*s->c));
    (void)op;
}

static void topk_free(void *state) { free(((struct topk *)state)->c), free(state); }

static int worker(gy_worker_t *w, void *arg)
{
    struct gy_aggregate_spec sum = {.name = "sum", .key = rec_key, .val_size = sizeof(uint64_t),
                                    .value = value, .combine = add};
    struct gy_op_spec spec = {.name = "topk", .ninputs = 1, .state = calloc(1, sizeof(struct topk)),
        .cb = {.on_input = topk_input, .on_notify = topk_notify, .destroy = topk_free}};
    gy_dataflow_t *df = gy_dataflow_new(w, "topk");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "records", sizeof(struct rec), &s) : NULL;
    gy_op_t *op = (s = gy_op_aggregate(s, &sum)) && spec.state ? gy_op_new(df, &spec)
                                                               : (free(spec.state), NULL);
    if (!op || (gy_op_connect(op, 0, s, gy_pact_exchange(one_key, NULL)), gy_dataflow_build(df)))
        return -1;
    for (size_t j = gy_worker_index(w); j < nrecs; j += gy_worker_peers(w))
        if (gy_input_advance_to(in, recs[j].epoch) != 0 || gy_input_send(in, &recs[j], 1) != 0)
            return -1;
    gy_input_close(in);
    return (void)arg, gy_worker_run(w);
}

int main(int argc, char **argv)
{
    struct gy_runtime_config cfg;
    struct rec r;
    char err[512];
    int i = 1, c;
    gy_runtime_config_init(&cfg);
    for (; i + 1 < argc && (!strcmp(argv[i], "-w") || !strcmp(argv[i], "-k")); i += 2)
        *(argv[i][1] == 'w' ? &cfg.workers : &k) = (uint32_t)strtoul(argv[i + 1], NULL, 10);
    while ((c = scanf("%" SCNu64 "%" SCNu64 "%" SCNu64, &r.epoch, &r.key, &r.value)) == 3 &&
           (nrecs == 0 || r.epoch >= recs[nrecs - 1].epoch) &&
           (recs = realloc(recs, (nrecs + 1) * sizeof(r))) != NULL)
        recs[nrecs++] = r;
    if (c != EOF || i != argc)
        return fprintf(stderr, "usage: topk [-w workers] [-k k] < \"epoch key value\" lines, "
                               "epochs in order\n"), 2;
    if (gy_runtime_run(&cfg, worker, NULL, err, sizeof(err)) != 0)
        return fprintf(stderr, "topk: %s\n", err), 1;
    free(recs);
    return 0;
}
