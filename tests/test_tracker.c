/*
 * Tests for progress/tracker on hand-traced dataflows: a simple loop run
 * step by step as operators would (capabilities, messages, consumption), a
 * loop with two feedback edges, nested loops inside epochs, an operator with
 * a "no path" summary, an epoch-delay cycle; the exact set of changed inputs
 * per propagate; negative counts (-EPROTO and the message); bad arguments;
 * clean failure under allocation failure injection.
 *
 * Expected frontiers were computed by hand from the dataflow's structure and
 * are written out as strings, sorted lexicographically.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/antichain.h"
#include "progress/summary.h"
#include "progress/topology.h"
#include "progress/tracker.h"

static struct gy_time tm(uint32_t depth, uint64_t e, uint32_t i1, uint32_t i2)
{
    struct gy_time t = gy_time_zero(depth);

    t.epoch = e;
    if (depth > 0)
        t.iter[0] = i1;
    if (depth > 1)
        t.iter[1] = i2;
    return t;
}

static void fmt_sorted(const struct gy_antichain *a, char *buf, size_t size)
{
    struct gy_antichain c;

    gy_antichain_init(&c);
    assert_int_equal(gy_antichain_copy(&c, a), 0);
    gy_antichain_sort(&c);
    gy_antichain_format(&c, buf, size);
    gy_antichain_destroy(&c);
}

static void expect_frontier(const gy_tracker_t *tr, uint32_t loc, const char *want)
{
    char buf[256];

    fmt_sorted(gy_tracker_frontier(tr, loc), buf, sizeof(buf));
    assert_string_equal(buf, want);
}

/* The changed inputs are exactly want[0..n), each once, in any order. */
static void expect_changed(const gy_tracker_t *tr, const uint32_t *want, uint32_t n)
{
    const uint32_t *locs;
    uint32_t got = gy_tracker_changed(tr, &locs);

    assert_int_equal(got, n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t found = 0;
        for (uint32_t j = 0; j < got; j++)
            found += locs[j] == want[i];
        assert_int_equal(found, 1);
    }
}

static void upd(gy_tracker_t *tr, uint32_t loc, struct gy_time t, int64_t d)
{
    assert_int_equal(gy_tracker_update(tr, loc, &t, d), 0);
}

static void propagate_ok(gy_tracker_t *tr)
{
    int rc = gy_tracker_propagate(tr);

    if (rc)
        print_message("propagate: %d %s\n", rc, gy_tracker_error(tr));
    assert_int_equal(rc, 0);
    assert_string_equal(gy_tracker_error(tr), "");
}

static void build_ok(gy_topology_t *t)
{
    char err[256];

    assert_non_null(t);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), 0);
}

static void edge(gy_topology_t *t, int a, uint32_t ap, int b, uint32_t bp)
{
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(gy_topology_add_edge(t, (uint32_t)a, ap, (uint32_t)b, bp), 0);
}

/* src -> enter -> body(in0) ; body -> fb(+1) -> body(in1) ; body -> leave -> sink. */
struct loop1 {
    gy_topology_t *t;
    uint32_t src_out, en_in, body_in0, body_in1, body_out, fb_in, lv_in, sink_in;
};

static void make_loop1(struct loop1 *g)
{
    gy_topology_t *t = gy_topology_new();
    int src, en, body, fb, lv, sink;

    assert_non_null(t);
    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    src = gy_topology_add_op(t, "src", 0, 0, 1);
    en = gy_topology_add_enter(t, "enter", 1);
    body = gy_topology_add_op(t, "body", 1, 2, 1);
    fb = gy_topology_add_feedback(t, "fb", 1, 1);
    lv = gy_topology_add_leave(t, "leave", 1);
    sink = gy_topology_add_op(t, "sink", 0, 1, 0);
    edge(t, src, 0, en, 0);
    edge(t, en, 0, body, 0);
    edge(t, body, 0, fb, 0);
    edge(t, fb, 0, body, 1);
    edge(t, body, 0, lv, 0);
    edge(t, lv, 0, sink, 0);
    build_ok(t);
    *g = (struct loop1){
        .t = t,
        .src_out = gy_topology_output_loc(t, (uint32_t)src, 0),
        .en_in = gy_topology_input_loc(t, (uint32_t)en, 0),
        .body_in0 = gy_topology_input_loc(t, (uint32_t)body, 0),
        .body_in1 = gy_topology_input_loc(t, (uint32_t)body, 1),
        .body_out = gy_topology_output_loc(t, (uint32_t)body, 0),
        .fb_in = gy_topology_input_loc(t, (uint32_t)fb, 0),
        .lv_in = gy_topology_input_loc(t, (uint32_t)lv, 0),
        .sink_in = gy_topology_input_loc(t, (uint32_t)sink, 0),
    };
}

/* Steps 1-3: the source's capability, its first message, the message entering the loop. */
static void loop1_start(gy_tracker_t *tr, const struct loop1 *g)
{
    upd(tr, g->src_out, tm(0, 0, 0, 0), 1);
    propagate_ok(tr);
    assert_false(gy_tracker_is_empty(tr));
    expect_frontier(tr, g->en_in, "{(0)}");
    expect_frontier(tr, g->body_in0, "{(0, 0)}");
    expect_frontier(tr, g->body_in1, "{(0, 1)}");
    expect_frontier(tr, g->fb_in, "{(0, 0)}");
    expect_frontier(tr, g->lv_in, "{(0, 0)}");
    expect_frontier(tr, g->sink_in, "{(0)}");
    expect_changed(tr, (uint32_t[]){g->en_in, g->body_in0, g->body_in1, g->fb_in, g->lv_in,
                                    g->sink_in}, 6);
    /* src sends at (0) and downgrades to (1): the message holds every frontier. */
    upd(tr, g->en_in, tm(0, 0, 0, 0), 1);
    upd(tr, g->src_out, tm(0, 0, 0, 0), -1);
    upd(tr, g->src_out, tm(0, 1, 0, 0), 1);
    propagate_ok(tr);
    expect_changed(tr, NULL, 0);
    expect_frontier(tr, g->body_in0, "{(0, 0)}");
    /* enter forwards it to body at (0, 0). */
    upd(tr, g->en_in, tm(0, 0, 0, 0), -1);
    upd(tr, g->body_in0, tm(1, 0, 0, 0), 1);
    propagate_ok(tr);
    expect_changed(tr, (uint32_t[]){g->en_in}, 1);
    expect_frontier(tr, g->en_in, "{(1)}");
    expect_frontier(tr, g->body_in0, "{(0, 0)}");
    expect_frontier(tr, g->sink_in, "{(0)}");
}

static void test_tracker_simple_loop(void **state)
{
    (void)state;
    struct loop1 g;
    gy_tracker_t *tr;

    make_loop1(&g);
    tr = gy_tracker_new(g.t);
    assert_non_null(tr);
    assert_true(gy_tracker_is_empty(tr));
    loop1_start(tr, &g);
    /* body consumes it and sends (0, 0) to the feedback. */
    upd(tr, g.body_in0, tm(1, 0, 0, 0), -1);
    upd(tr, g.fb_in, tm(1, 0, 0, 0), 1);
    propagate_ok(tr);
    expect_changed(tr, (uint32_t[]){g.body_in0, g.lv_in}, 2);
    expect_frontier(tr, g.body_in0, "{(1, 0)}");
    expect_frontier(tr, g.fb_in, "{(0, 0)}");
    expect_frontier(tr, g.body_in1, "{(0, 1)}");
    expect_frontier(tr, g.lv_in, "{(0, 1), (1, 0)}");
    expect_frontier(tr, g.sink_in, "{(0)}");
    /* The feedback delivers (0, 1) to body.in1. */
    upd(tr, g.fb_in, tm(1, 0, 0, 0), -1);
    upd(tr, g.body_in1, tm(1, 0, 1, 0), 1);
    propagate_ok(tr);
    expect_changed(tr, (uint32_t[]){g.fb_in}, 1);
    expect_frontier(tr, g.fb_in, "{(0, 1), (1, 0)}");
    expect_frontier(tr, g.body_in1, "{(0, 1)}");
    /* body consumes it and sends nothing: epoch 0 is done everywhere. */
    upd(tr, g.body_in1, tm(1, 0, 1, 0), -1);
    propagate_ok(tr);
    expect_changed(tr, (uint32_t[]){g.body_in1, g.fb_in, g.lv_in, g.sink_in}, 4);
    expect_frontier(tr, g.body_in1, "{(1, 1)}");
    expect_frontier(tr, g.fb_in, "{(1, 0)}");
    expect_frontier(tr, g.lv_in, "{(1, 0)}");
    expect_frontier(tr, g.sink_in, "{(1)}");
    /* The pointstamps themselves: the source's one capability at (1). */
    assert_int_equal(gy_tracker_pointstamps(tr, g.src_out)->len, 1);
    assert_int_equal(gy_tracker_pointstamps(tr, g.src_out)->items[0].epoch, 1);
    assert_true(gy_antichain_is_empty(gy_tracker_pointstamps(tr, g.body_in1)));
    /* The source finishes: nothing can arrive anywhere. */
    upd(tr, g.src_out, tm(0, 1, 0, 0), -1);
    propagate_ok(tr);
    expect_changed(tr, (uint32_t[]){g.en_in, g.body_in0, g.body_in1, g.fb_in, g.lv_in,
                                    g.sink_in}, 6);
    expect_frontier(tr, g.sink_in, "{}");
    expect_frontier(tr, g.body_in1, "{}");
    assert_true(gy_tracker_is_empty(tr));
    assert_true(gy_antichain_is_empty(gy_tracker_pointstamps(tr, g.src_out)));
    gy_tracker_free(tr);
    gy_topology_free(g.t);
}

static void test_tracker_two_feedbacks(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    gy_tracker_t *tr;
    int en, body, f1, f3, lv;
    uint32_t in1, in2, out, f1_in, f3_in, lv_in;

    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    en = gy_topology_add_enter(t, "enter", 1);
    body = gy_topology_add_op(t, "body", 1, 3, 1);
    f1 = gy_topology_add_feedback(t, "f1", 1, 1);
    f3 = gy_topology_add_feedback(t, "f3", 1, 3);
    lv = gy_topology_add_leave(t, "leave", 1);
    edge(t, en, 0, body, 0);
    edge(t, body, 0, f1, 0);
    edge(t, body, 0, f3, 0);
    edge(t, f1, 0, body, 1);
    edge(t, f3, 0, body, 2);
    edge(t, body, 0, lv, 0);
    build_ok(t);
    in1 = gy_topology_input_loc(t, (uint32_t)body, 1);
    in2 = gy_topology_input_loc(t, (uint32_t)body, 2);
    out = gy_topology_output_loc(t, (uint32_t)body, 0);
    f1_in = gy_topology_input_loc(t, (uint32_t)f1, 0);
    f3_in = gy_topology_input_loc(t, (uint32_t)f3, 0);
    lv_in = gy_topology_input_loc(t, (uint32_t)lv, 0);
    tr = gy_tracker_new(t);
    assert_non_null(tr);
    upd(tr, out, tm(1, 0, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, in1, "{(0, 1)}");
    expect_frontier(tr, in2, "{(0, 3)}");
    /* Messages at f3 (0, 5) and f1 (0, 2); body's capability goes. */
    upd(tr, f3_in, tm(1, 0, 5, 0), 1);
    upd(tr, f1_in, tm(1, 0, 2, 0), 1);
    upd(tr, out, tm(1, 0, 0, 0), -1);
    propagate_ok(tr);
    /* in1: f1 gives (0, 3); f3 then f1 would give (0, 9). in2: f3 (0, 8) vs f1 then f3 (0, 6). */
    expect_frontier(tr, in1, "{(0, 3)}");
    expect_frontier(tr, in2, "{(0, 6)}");
    expect_frontier(tr, lv_in, "{(0, 3)}");
    expect_frontier(tr, f3_in, "{(0, 3)}");
    expect_changed(tr, (uint32_t[]){in1, in2, lv_in, f1_in, f3_in}, 5);
    /* The f1 message is consumed: f3's message alone. */
    upd(tr, f1_in, tm(1, 0, 2, 0), -1);
    propagate_ok(tr);
    expect_frontier(tr, in1, "{(0, 9)}");
    expect_frontier(tr, in2, "{(0, 8)}");
    expect_frontier(tr, f1_in, "{(0, 8)}");
    expect_frontier(tr, f3_in, "{(0, 5)}");
    gy_tracker_free(tr);
    gy_topology_free(t);
}

/*
 * src -> en1 -> A(in0) ; A -> en2 -> B(in0) ; B -> fb2(+1) -> B(in1) ;
 * B -> lv2 -> fb1(+1) -> A(in1) ; A -> lv1 -> sink. Scopes 0 > 1 > 2.
 */
struct nested {
    gy_topology_t *t;
    int src, en1, a, en2, b, fb2, lv2, fb1, lv1, sink;
};

static void make_nested(struct nested *g)
{
    gy_topology_t *t = gy_topology_new();

    assert_non_null(t);
    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    assert_int_equal(gy_topology_add_scope(t, 1), 2);
    g->t = t;
    g->src = gy_topology_add_op(t, "src", 0, 0, 1);
    g->en1 = gy_topology_add_enter(t, "en1", 1);
    g->a = gy_topology_add_op(t, "A", 1, 2, 1);
    g->en2 = gy_topology_add_enter(t, "en2", 2);
    g->b = gy_topology_add_op(t, "B", 2, 2, 1);
    g->fb2 = gy_topology_add_feedback(t, "fb2", 2, 1);
    g->lv2 = gy_topology_add_leave(t, "lv2", 2);
    g->fb1 = gy_topology_add_feedback(t, "fb1", 1, 1);
    g->lv1 = gy_topology_add_leave(t, "lv1", 1);
    g->sink = gy_topology_add_op(t, "sink", 0, 1, 0);
    edge(t, g->src, 0, g->en1, 0);
    edge(t, g->en1, 0, g->a, 0);
    edge(t, g->a, 0, g->en2, 0);
    edge(t, g->en2, 0, g->b, 0);
    edge(t, g->b, 0, g->fb2, 0);
    edge(t, g->fb2, 0, g->b, 1);
    edge(t, g->b, 0, g->lv2, 0);
    edge(t, g->lv2, 0, g->fb1, 0);
    edge(t, g->fb1, 0, g->a, 1);
    edge(t, g->a, 0, g->lv1, 0);
    edge(t, g->lv1, 0, g->sink, 0);
    build_ok(t);
}

static uint32_t nin(const struct nested *g, int op, uint32_t port)
{
    return gy_topology_input_loc(g->t, (uint32_t)op, port);
}

static void test_tracker_nested(void **state)
{
    (void)state;
    struct nested g;
    gy_tracker_t *tr;
    uint32_t b_out, src_out;

    make_nested(&g);
    src_out = gy_topology_output_loc(g.t, (uint32_t)g.src, 0);
    b_out = gy_topology_output_loc(g.t, (uint32_t)g.b, 0);
    tr = gy_tracker_new(g.t);
    assert_non_null(tr);
    /* B holds (0, 0, 5): the inner loop gives (0, 0, 6), the outer one (0, 1, 1). */
    upd(tr, b_out, tm(2, 0, 0, 5), 1);
    propagate_ok(tr);
    expect_frontier(tr, nin(&g, g.b, 1), "{(0, 0, 6), (0, 1, 1)}");
    expect_frontier(tr, nin(&g, g.b, 0), "{(0, 1, 0)}");
    expect_frontier(tr, nin(&g, g.a, 1), "{(0, 1)}");
    expect_frontier(tr, nin(&g, g.sink, 0), "{(0)}");
    /* The source's epoch 1 adds (1, 0, 1), incomparable with both. */
    upd(tr, src_out, tm(0, 1, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, nin(&g, g.b, 1), "{(0, 0, 6), (0, 1, 1), (1, 0, 1)}");
    expect_frontier(tr, nin(&g, g.b, 0), "{(0, 1, 0), (1, 0, 0)}");
    /* fb1.in (0, 0), A.in1 (0, 1) and the sink (0) already cover what epoch 1 implies. */
    expect_changed(tr, (uint32_t[]){nin(&g, g.en1, 0), nin(&g, g.a, 0), nin(&g, g.en2, 0),
                                    nin(&g, g.b, 0), nin(&g, g.b, 1), nin(&g, g.fb2, 0),
                                    nin(&g, g.lv2, 0), nin(&g, g.lv1, 0)}, 8);
    expect_frontier(tr, nin(&g, g.sink, 0), "{(0)}");
    expect_frontier(tr, nin(&g, g.a, 1), "{(0, 1)}");
    expect_frontier(tr, nin(&g, g.fb1, 0), "{(0, 0)}");
    /* B moves on to (0, 1, 0): the epoch-0 work is now one outer iteration later. */
    upd(tr, b_out, tm(2, 0, 0, 5), -1);
    upd(tr, b_out, tm(2, 0, 1, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, nin(&g, g.b, 1), "{(0, 1, 1), (1, 0, 1)}");
    expect_frontier(tr, nin(&g, g.b, 0), "{(0, 2, 0), (1, 0, 0)}");
    expect_frontier(tr, nin(&g, g.a, 1), "{(0, 2), (1, 1)}");
    upd(tr, b_out, tm(2, 0, 1, 0), -1);
    upd(tr, src_out, tm(0, 1, 0, 0), -1);
    propagate_ok(tr);
    expect_frontier(tr, nin(&g, g.b, 1), "{}");
    expect_frontier(tr, nin(&g, g.sink, 0), "{}");
    assert_true(gy_tracker_is_empty(tr));
    gy_tracker_free(tr);
    gy_topology_free(g.t);
}

/* x has two inputs and two outputs, but in0 cannot reach out1 (empty summary). */
static void test_tracker_no_path(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    gy_tracker_t *tr;
    struct gy_summaries empty;
    int x, k0, k1;
    uint32_t x0, x1, k0_in, k1_in;

    x = gy_topology_add_op(t, "x", 0, 2, 2);
    k0 = gy_topology_add_op(t, "k0", 0, 1, 0);
    k1 = gy_topology_add_op(t, "k1", 0, 1, 0);
    gy_summaries_init(&empty);
    assert_int_equal(gy_topology_set_summary(t, (uint32_t)x, 0, 1, &empty), 0);
    edge(t, x, 0, k0, 0);
    edge(t, x, 1, k1, 0);
    build_ok(t);
    x0 = gy_topology_input_loc(t, (uint32_t)x, 0);
    x1 = gy_topology_input_loc(t, (uint32_t)x, 1);
    k0_in = gy_topology_input_loc(t, (uint32_t)k0, 0);
    k1_in = gy_topology_input_loc(t, (uint32_t)k1, 0);
    tr = gy_tracker_new(t);
    assert_non_null(tr);
    upd(tr, x0, tm(0, 3, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, x0, "{(3)}");
    expect_frontier(tr, k0_in, "{(3)}");
    expect_frontier(tr, k1_in, "{}");
    expect_changed(tr, (uint32_t[]){x0, k0_in}, 2);
    upd(tr, x1, tm(0, 5, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, k0_in, "{(3)}");
    expect_frontier(tr, k1_in, "{(5)}");
    expect_changed(tr, (uint32_t[]){x1, k1_in}, 2);
    gy_tracker_free(tr);
    gy_topology_free(t);
}

/* src -> a(in0) ; a -> d(+1 epoch) -> a(in1): an epoch-delay cycle. */
static void test_tracker_epoch_delay(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    gy_tracker_t *tr;
    struct gy_summaries s;
    struct gy_summary delay = gy_summary_epoch_delay(0, 1);
    int src, a, d;
    uint32_t src_out, a0, a1, d_in;

    src = gy_topology_add_op(t, "src", 0, 0, 1);
    a = gy_topology_add_op(t, "a", 0, 2, 1);
    d = gy_topology_add_op(t, "delay", 0, 1, 1);
    gy_summaries_init(&s);
    assert_int_equal(gy_summaries_insert(&s, &delay), 1);
    assert_int_equal(gy_topology_set_summary(t, (uint32_t)d, 0, 0, &s), 0);
    gy_summaries_destroy(&s);
    edge(t, src, 0, a, 0);
    edge(t, a, 0, d, 0);
    edge(t, d, 0, a, 1);
    build_ok(t);
    src_out = gy_topology_output_loc(t, (uint32_t)src, 0);
    a0 = gy_topology_input_loc(t, (uint32_t)a, 0);
    a1 = gy_topology_input_loc(t, (uint32_t)a, 1);
    d_in = gy_topology_input_loc(t, (uint32_t)d, 0);
    tr = gy_tracker_new(t);
    assert_non_null(tr);
    upd(tr, src_out, tm(0, 0, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, a0, "{(0)}");
    expect_frontier(tr, d_in, "{(0)}");
    expect_frontier(tr, a1, "{(1)}");
    /* A message at the delay (4); the source closes. */
    upd(tr, d_in, tm(0, 4, 0, 0), 1);
    upd(tr, src_out, tm(0, 0, 0, 0), -1);
    propagate_ok(tr);
    expect_frontier(tr, a0, "{}");
    expect_frontier(tr, d_in, "{(4)}");
    expect_frontier(tr, a1, "{(5)}");
    expect_changed(tr, (uint32_t[]){a0, d_in, a1}, 3);
    /* The message arrives at a as (5) and a holds a capability at (5). */
    upd(tr, d_in, tm(0, 4, 0, 0), -1);
    upd(tr, a1, tm(0, 5, 0, 0), 1);
    propagate_ok(tr);
    expect_frontier(tr, d_in, "{(5)}");
    expect_frontier(tr, a1, "{(5)}");
    expect_changed(tr, (uint32_t[]){d_in}, 1);
    upd(tr, a1, tm(0, 5, 0, 0), -1);
    propagate_ok(tr);
    assert_true(gy_tracker_is_empty(tr));
    expect_frontier(tr, a1, "{}");
    gy_tracker_free(tr);
    gy_topology_free(t);
}

static void test_tracker_negative(void **state)
{
    (void)state;
    struct loop1 g;
    gy_tracker_t *tr;

    make_loop1(&g);
    tr = gy_tracker_new(g.t);
    assert_non_null(tr);
    upd(tr, g.body_in0, tm(1, 3, 1, 0), -1);
    assert_int_equal(gy_tracker_propagate(tr), -EPROTO);
    assert_string_equal(gy_tracker_error(tr),
                        "negative count -1 at op 'body' input 0, time (3, 1)");
    assert_false(gy_tracker_is_empty(tr));
    expect_frontier(tr, g.body_in0, "{}");
    /* The bad update stays counted: repaying it makes the tracker consistent again. */
    upd(tr, g.body_in0, tm(1, 3, 1, 0), 1);
    propagate_ok(tr);
    assert_true(gy_tracker_is_empty(tr));
    /* Live counts elsewhere keep working alongside a negative one. */
    upd(tr, g.src_out, tm(0, 2, 0, 0), 1);
    upd(tr, g.fb_in, tm(1, 0, 0, 0), -2);
    assert_int_equal(gy_tracker_propagate(tr), -EPROTO);
    assert_string_equal(gy_tracker_error(tr), "negative count -2 at op 'fb' input 0, time (0, 0)");
    expect_frontier(tr, g.sink_in, "{(2)}");
    upd(tr, g.fb_in, tm(1, 0, 0, 0), 2);
    propagate_ok(tr);
    expect_frontier(tr, g.sink_in, "{(2)}");
    gy_tracker_free(tr);
    gy_topology_free(g.t);
}

static void test_tracker_bad_args(void **state)
{
    (void)state;
    struct loop1 g;
    gy_tracker_t *tr;
    struct gy_time deep = tm(2, 0, 0, 0), shallow = tm(0, 0, 0, 0);

    make_loop1(&g);
    tr = gy_tracker_new(g.t);
    assert_non_null(tr);
    assert_int_equal(gy_tracker_update(tr, g.body_in0, &deep, 1), -EINVAL);
    assert_int_equal(gy_tracker_update(tr, g.body_in0, &shallow, 1), -EINVAL);
    assert_int_equal(gy_tracker_update(tr, gy_topology_num_locs(g.t), &shallow, 1), -EINVAL);
    /* Rejected updates leave no trace. */
    propagate_ok(tr);
    expect_changed(tr, NULL, 0);
    assert_true(gy_tracker_is_empty(tr));
    gy_tracker_free(tr);
    gy_topology_free(g.t);
}

/* Creation, updates and a propagate with allocation n failing; 0 on success. */
static int run_failing(const struct loop1 *g, long n, gy_tracker_t **out)
{
    struct gy_time t0 = tm(0, 0, 0, 0), t1 = tm(1, 0, 0, 0);
    gy_tracker_t *tr;
    int rc;

    gy_alloc_fail_after(n);
    tr = gy_tracker_new(g->t);
    *out = tr;
    if (!tr)
        return -ENOMEM;
    rc = gy_tracker_update(tr, g->src_out, &t0, 1);
    if (rc == 0)
        rc = gy_tracker_update(tr, g->fb_in, &t1, 1);
    if (rc == 0)
        rc = gy_tracker_propagate(tr);
    return rc;
}

static void test_tracker_alloc_failure(void **state)
{
    (void)state;
    struct loop1 g;
    gy_tracker_t *tr = NULL;
    int rc = -ENOMEM;
    long n;

    make_loop1(&g);
    for (n = 1; rc != 0; n++) {
        assert_true(n < 100000);
        rc = run_failing(&g, n, &tr);
        gy_alloc_fail_after(0);
        assert_true(rc == 0 || rc == -ENOMEM);
        if (rc)
            gy_tracker_free(tr);
    }
    assert_true(n > 10);
    expect_frontier(tr, g.sink_in, "{(0)}");
    expect_frontier(tr, g.lv_in, "{(0, 0)}");
    expect_frontier(tr, g.body_in1, "{(0, 1)}");
    gy_tracker_free(tr);
    gy_topology_free(g.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tracker_simple_loop),
        cmocka_unit_test(test_tracker_two_feedbacks),
        cmocka_unit_test(test_tracker_nested),
        cmocka_unit_test(test_tracker_no_path),
        cmocka_unit_test(test_tracker_epoch_delay),
        cmocka_unit_test(test_tracker_negative),
        cmocka_unit_test(test_tracker_bad_args),
        cmocka_unit_test(test_tracker_alloc_failure),
    };
    return cmocka_run_group_tests_name("tracker", tests, NULL, NULL);
}
