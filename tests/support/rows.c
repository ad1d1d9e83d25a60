/*
 * Test support: comparators, records, rows and the sink operator (see rows.h).
 */
#include "tests/support/rows.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/runtime.h"

int ts_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

int ts_cmp_pair(const void *a, const void *b)
{
    const struct ts_pair *x = a, *y = b;

    if (x->a != y->a)
        return (x->a > y->a) - (x->a < y->a);
    return (x->b > y->b) - (x->b < y->b);
}

size_t ts_sort_distinct(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    char *b = v;
    size_t k = 0;

    qsort(v, n, size, cmp);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || cmp(b + (k - 1) * size, b + i * size) != 0)
            memmove(b + k++ * size, b + i * size, size);
    return k;
}

uint64_t ts_u64_at(const void *rec, size_t off)
{
    uint64_t x;

    memcpy(&x, (const unsigned char *)rec + off, sizeof(x));
    return x;
}

uint64_t ts_key_first(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 0);
}

uint64_t ts_key_zero(const void *rec, void *arg)
{
    (void)rec;
    (void)arg;
    return 0;
}

void ts_rows_init(struct ts_rows *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

void ts_rows_destroy(struct ts_rows *r)
{
    free(r->v);
    pthread_mutex_destroy(&r->lock);
}

void ts_rows_reset(struct ts_rows *r)
{
    r->n = 0;
}

void ts_rows_push(struct ts_rows *r, const struct gy_time *t, uint32_t worker, const void *rec,
                  size_t size)
{
    struct ts_row *w;

    assert_true(size <= TS_ROW_MAX_REC);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        assert_non_null(r->v);
    }
    w = &r->v[r->n++];
    memset(w, 0, sizeof(*w));
    w->t = *t;
    w->worker = worker;
    w->size = (uint32_t)size;
    memcpy(w->rec, rec, size);
}

void ts_rows_push_epoch(struct ts_rows *r, uint64_t epoch, const void *rec, size_t size)
{
    struct gy_time t = gy_time_epoch(epoch);

    ts_rows_push(r, &t, 0, rec, size);
}

int ts_row_cmp(const void *a, const void *b)
{
    const struct ts_row *x = a, *y = b;
    int c = gy_time_cmp(&x->t, &y->t);

    if (c != 0)
        return c;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return memcmp(x->rec, y->rec, x->size);
}

static void row_print(const char *what, const struct ts_row *r)
{
    char t[96];

    gy_time_format(&r->t, t, sizeof(t));
    print_message("  %s: time %s worker %u, %u bytes:", what, t, r->worker, r->size);
    for (uint32_t i = 0; i < r->size; i++)
        print_message("%s%02x", i % 8 ? "" : " ", r->rec[i]);
    print_message("\n");
}

void ts_assert_rows_equal(struct ts_rows *got, struct ts_rows *want, const char *label,
                          uint32_t workers)
{
    size_t n = got->n < want->n ? got->n : want->n;

    qsort(got->v, got->n, sizeof(*got->v), ts_row_cmp);
    qsort(want->v, want->n, sizeof(*want->v), ts_row_cmp);
    for (size_t i = 0; i < n; i++)
        if (ts_row_cmp(&got->v[i], &want->v[i]) != 0) {
            row_print("got ", &got->v[i]);
            row_print("want", &want->v[i]);
            fail_msg("%s, %u workers: row %zu of %zu differs", label, workers, i, want->n);
        }
    if (got->n != want->n)
        fail_msg("%s, %u workers: %zu rows, want %zu", label, workers, got->n, want->n);
}

/* ---- sink ---- */

struct sink {
    struct ts_rows *out;
    size_t rec_size;
};

static void sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct sink *k = state;
    uint32_t me = gy_worker_index(gy_op_worker(op));

    (void)port;
    pthread_mutex_lock(&k->out->lock);
    for (uint32_t i = 0; i < n; i++)
        ts_rows_push(k->out, &cap->time, me, (const unsigned char *)recs + i * k->rec_size,
                     k->rec_size);
    pthread_mutex_unlock(&k->out->lock);
}

void ts_sink(gy_stream_t *s, struct ts_rows *out)
{
    struct sink *k;
    struct gy_op_spec spec = {.name = "sink", .ninputs = 1,
                              .cb = {.on_input = sink_input, .destroy = free}};
    gy_op_t *op;

    if (!s)
        return;
    k = malloc(sizeof(*k));
    assert_non_null(k);
    k->out = out;
    k->rec_size = gy_stream_rec_size(s);
    spec.scope = gy_stream_scope(s);
    spec.state = k;
    op = gy_op_new(gy_stream_dataflow(s), &spec);
    if (op)
        gy_op_connect(op, 0, s, gy_pact_pipeline());
}
