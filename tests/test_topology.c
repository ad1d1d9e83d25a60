/*
 * Tests for progress/topology: location numbering, the minimal path
 * summaries of hand-analysed dataflows (a loop, a loop with two feedback
 * edges, nested loops, an epoch delay, an operator with a "no path"
 * summary), every build error (edges across scopes, summaries of the wrong
 * depth, cycles that do not advance, feedback 0, scopes too deep), and clean
 * failure under allocation failure injection at every allocation.
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
#include "progress/summary.h"
#include "progress/topology.h"

/* A summary by its fields (keep <= 2, at most one appended coordinate). */
static struct gy_summary sm(uint32_t keep, uint64_t e, uint32_t a0, uint32_t a1, uint32_t napp,
                            uint32_t v0)
{
    struct gy_summary s;

    memset(&s, 0, sizeof(s));
    s.keep = (uint8_t)keep;
    s.epoch_add = e;
    if (keep > 0)
        s.add[0] = a0;
    if (keep > 1)
        s.add[1] = a1;
    s.nappend = (uint8_t)napp;
    if (napp)
        s.append[0] = v0;
    return s;
}

static void print_paths(const struct gy_summaries *got, const struct gy_summary *want, uint32_t n)
{
    char buf[160];

    for (uint32_t i = 0; i < got->len; i++) {
        gy_summary_format(&got->items[i], buf, sizeof(buf));
        print_message("got  %s\n", buf);
    }
    for (uint32_t i = 0; i < n; i++) {
        gy_summary_format(&want[i], buf, sizeof(buf));
        print_message("want %s\n", buf);
    }
}

/* The path antichain out -> in is exactly want[0..n) (no path when n == 0). */
static void expect_path(const gy_topology_t *topo, uint32_t out, uint32_t in,
                        const struct gy_summary *want, uint32_t n)
{
    const struct gy_summaries *got = gy_topology_path(topo, out, in);

    if (n == 0) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t found = 0;
        for (uint32_t j = 0; j < got->len; j++)
            found += gy_summary_eq(&got->items[j], &want[i]);
        if (found != 1 || got->len != n)
            print_paths(got, want, n);
        assert_int_equal(found, 1);
    }
    assert_int_equal(got->len, n);
}

static void expect1(const gy_topology_t *topo, uint32_t out, uint32_t in, struct gy_summary s)
{
    expect_path(topo, out, in, &s, 1);
}

static uint32_t in_loc(const gy_topology_t *t, int op, uint32_t port)
{
    assert_true(op >= 0);
    return gy_topology_input_loc(t, (uint32_t)op, port);
}

static uint32_t out_loc(const gy_topology_t *t, int op, uint32_t port)
{
    assert_true(op >= 0);
    return gy_topology_output_loc(t, (uint32_t)op, port);
}

static void edge(gy_topology_t *t, int a, uint32_t ap, int b, uint32_t bp)
{
    assert_int_equal(gy_topology_add_edge(t, (uint32_t)a, ap, (uint32_t)b, bp), 0);
}

static void build_ok(gy_topology_t *t)
{
    char err[256];
    int rc = gy_topology_build(t, err, sizeof(err));

    if (rc)
        print_message("build: %s\n", err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
}

static void test_topology_locations(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    int a, b;
    char buf[64];

    assert_non_null(t);
    a = gy_topology_add_op(t, "a", 0, 2, 1);
    b = gy_topology_add_op(t, "b", 0, 1, 3);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(gy_topology_num_ops(t), 2);
    assert_int_equal(gy_topology_num_locs(t), 7);
    /* Each op's inputs first, then its outputs, dense from 0. */
    assert_int_equal(in_loc(t, a, 0), 0);
    assert_int_equal(in_loc(t, a, 1), 1);
    assert_int_equal(out_loc(t, a, 0), 2);
    assert_int_equal(in_loc(t, b, 0), 3);
    assert_int_equal(out_loc(t, b, 2), 6);
    assert_false(gy_topology_loc_is_output(t, 1));
    assert_true(gy_topology_loc_is_output(t, 5));
    assert_int_equal(gy_topology_loc_op(t, 5), 1);
    assert_int_equal(gy_topology_loc_port(t, 5), 1);
    assert_int_equal(gy_topology_op_ninputs(t, 1), 1);
    assert_int_equal(gy_topology_op_noutputs(t, 1), 3);
    assert_string_equal(gy_topology_op_name(t, 1), "b");
    gy_topology_format_loc(t, 1, buf, sizeof(buf));
    assert_string_equal(buf, "op 'a' input 1");
    gy_topology_format_loc(t, 6, buf, sizeof(buf));
    assert_string_equal(buf, "op 'b' output 2");
    /* Default summaries: the identity at the op's depth for every pair. */
    expect_path(t, 2, 0, NULL, 0); /* unbuilt: no paths yet */
    assert_int_equal(gy_topology_summary(t, 1, 0, 2)->len, 1);
    assert_true(gy_summary_eq(&gy_topology_summary(t, 1, 0, 2)->items[0], &(struct gy_summary){0}));
    /* Bad ports and ops. */
    assert_int_equal(gy_topology_add_edge(t, 0, 1, 1, 0), -EINVAL);
    assert_int_equal(gy_topology_add_edge(t, 0, 0, 1, 1), -EINVAL);
    assert_int_equal(gy_topology_add_edge(t, 2, 0, 1, 0), -EINVAL);
    assert_int_equal(gy_topology_add_op(t, "c", 7, 1, 1), -EINVAL);
    assert_int_equal(gy_topology_add_op(t, NULL, 0, 1, 1), -EINVAL);
    build_ok(t);
    /* Built: immutable. */
    assert_int_equal(gy_topology_add_op(t, "c", 0, 1, 1), -EINVAL);
    assert_int_equal(gy_topology_add_edge(t, 0, 0, 1, 0), -EINVAL);
    assert_int_equal(gy_topology_add_scope(t, 0), -EINVAL);
    assert_int_equal(gy_topology_build(t, buf, sizeof(buf)), -EINVAL);
    gy_topology_free(t);
}

/* src -> enter -> body(in0) ; body -> fb(+1) -> body(in1) ; body -> leave -> sink. */
struct loop1 {
    gy_topology_t *t;
    int src, en, body, fb, lv, sink;
};

static void make_loop1(struct loop1 *g, uint32_t n)
{
    int scope;

    g->t = gy_topology_new();
    assert_non_null(g->t);
    scope = gy_topology_add_scope(g->t, 0);
    assert_int_equal(scope, 1);
    g->src = gy_topology_add_op(g->t, "src", 0, 0, 1);
    g->en = gy_topology_add_enter(g->t, "enter", 1);
    g->body = gy_topology_add_op(g->t, "body", 1, 2, 1);
    g->fb = gy_topology_add_feedback(g->t, "fb", 1, n);
    g->lv = gy_topology_add_leave(g->t, "leave", 1);
    g->sink = gy_topology_add_op(g->t, "sink", 0, 1, 0);
    edge(g->t, g->src, 0, g->en, 0);
    edge(g->t, g->en, 0, g->body, 0);
    edge(g->t, g->body, 0, g->fb, 0);
    edge(g->t, g->fb, 0, g->body, 1);
    edge(g->t, g->body, 0, g->lv, 0);
    edge(g->t, g->lv, 0, g->sink, 0);
}

static void test_topology_simple_loop(void **state)
{
    (void)state;
    struct loop1 g;
    gy_topology_t *t;
    uint32_t n;
    const struct gy_reach *r;

    make_loop1(&g, 1);
    t = g.t;
    build_ok(t);
    assert_int_equal(gy_topology_loc_depth(t, in_loc(t, g.en, 0)), 0);
    assert_int_equal(gy_topology_loc_depth(t, out_loc(t, g.en, 0)), 1);
    assert_int_equal(gy_topology_loc_depth(t, out_loc(t, g.lv, 0)), 0);
    /* From the source, depth 0. */
    expect1(t, out_loc(t, g.src, 0), in_loc(t, g.en, 0), sm(0, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, g.src, 0), in_loc(t, g.body, 0), sm(0, 0, 0, 0, 1, 0));
    expect1(t, out_loc(t, g.src, 0), in_loc(t, g.body, 1), sm(0, 0, 0, 0, 1, 1));
    expect1(t, out_loc(t, g.src, 0), in_loc(t, g.fb, 0), sm(0, 0, 0, 0, 1, 0));
    expect1(t, out_loc(t, g.src, 0), in_loc(t, g.sink, 0), sm(0, 0, 0, 0, 0, 0));
    /* From the body, depth 1: around the loop adds 1; the loop's entry is unreachable. */
    expect1(t, out_loc(t, g.body, 0), in_loc(t, g.fb, 0), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, g.body, 0), in_loc(t, g.body, 1), sm(1, 0, 1, 0, 0, 0));
    expect1(t, out_loc(t, g.body, 0), in_loc(t, g.lv, 0), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, g.body, 0), in_loc(t, g.sink, 0), sm(0, 0, 0, 0, 0, 0));
    expect_path(t, out_loc(t, g.body, 0), in_loc(t, g.body, 0), NULL, 0);
    expect_path(t, out_loc(t, g.body, 0), in_loc(t, g.en, 0), NULL, 0);
    /* A path ends at an input, before that input's operator acts: fb's own +1 is not on it. */
    expect1(t, out_loc(t, g.fb, 0), in_loc(t, g.fb, 0), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, g.fb, 0), in_loc(t, g.lv, 0), sm(1, 0, 0, 0, 0, 0));
    /* Reach is sorted by input loc and lists exactly the reachable inputs. */
    r = gy_topology_reach(t, out_loc(t, g.body, 0), &n);
    assert_int_equal(n, 4);
    for (uint32_t i = 1; i < n; i++)
        assert_true(r[i - 1].input_loc < r[i].input_loc);
    r = gy_topology_reach(t, out_loc(t, g.lv, 0), &n);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].input_loc, in_loc(t, g.sink, 0));
    /* Through an input's own operator: body.in1 -> body -> fb -> body.in1 adds 1. */
    r = gy_topology_input_reach(t, in_loc(t, g.body, 1), &n);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].input_loc, in_loc(t, g.body, 1)); /* locs 4, 6, 8, 10 */
    assert_int_equal(r[1].input_loc, in_loc(t, g.fb, 0));
    assert_int_equal(r[0].summaries.len, 1);
    assert_true(gy_summary_eq(&r[0].summaries.items[0], &(struct gy_summary){.keep = 1,
                                                                               .add = {1}}));
    assert_true(gy_summary_eq(&r[1].summaries.items[0], &(struct gy_summary){.keep = 1}));
    r = gy_topology_input_reach(t, in_loc(t, g.sink, 0), &n);
    assert_int_equal(n, 0);
    gy_topology_free(t);
}

static void test_topology_two_feedbacks(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    int en, body, f1, f3, lv;

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
    expect1(t, out_loc(t, body, 0), in_loc(t, body, 1), sm(1, 0, 1, 0, 0, 0));
    expect1(t, out_loc(t, body, 0), in_loc(t, body, 2), sm(1, 0, 3, 0, 0, 0));
    /* From f3: its edge into body.in2, then the cheapest way around is +1 through f1. */
    expect1(t, out_loc(t, f3, 0), in_loc(t, body, 2), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, f3, 0), in_loc(t, body, 1), sm(1, 0, 1, 0, 0, 0));
    expect1(t, out_loc(t, f3, 0), in_loc(t, f3, 0), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, en, 0), in_loc(t, body, 2), sm(1, 0, 3, 0, 0, 0));
    gy_topology_free(t);
}

/*
 * src -> en1 -> A(in0) ; A -> en2 -> B(in0) ; B -> fb2(+1) -> B(in1) ;
 * B -> lv2 -> fb1(+1) -> A(in1) ; A -> lv1 -> sink. Scopes 0 > 1 > 2.
 */
static void test_topology_nested(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    int src, en1, a, en2, b, fb2, lv2, fb1, lv1, sink;
    struct gy_summary two[2];

    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    assert_int_equal(gy_topology_add_scope(t, 1), 2);
    assert_int_equal(gy_topology_scope_depth(t, 2), 2);
    assert_int_equal(gy_topology_scope_parent(t, 2), 1);
    src = gy_topology_add_op(t, "src", 0, 0, 1);
    en1 = gy_topology_add_enter(t, "en1", 1);
    a = gy_topology_add_op(t, "A", 1, 2, 1);
    en2 = gy_topology_add_enter(t, "en2", 2);
    b = gy_topology_add_op(t, "B", 2, 2, 1);
    fb2 = gy_topology_add_feedback(t, "fb2", 2, 1);
    lv2 = gy_topology_add_leave(t, "lv2", 2);
    fb1 = gy_topology_add_feedback(t, "fb1", 1, 1);
    lv1 = gy_topology_add_leave(t, "lv1", 1);
    sink = gy_topology_add_op(t, "sink", 0, 1, 0);
    edge(t, src, 0, en1, 0);
    edge(t, en1, 0, a, 0);
    edge(t, a, 0, en2, 0);
    edge(t, en2, 0, b, 0);
    edge(t, b, 0, fb2, 0);
    edge(t, fb2, 0, b, 1);
    edge(t, b, 0, lv2, 0);
    edge(t, lv2, 0, fb1, 0);
    edge(t, fb1, 0, a, 1);
    edge(t, a, 0, lv1, 0);
    edge(t, lv1, 0, sink, 0);
    build_ok(t);
    /* From B, (e, i, j): the inner loop gives (e, i, j+1); the outer one (e, i+1, 1). */
    two[0] = sm(2, 0, 0, 1, 0, 0);
    two[1] = sm(1, 0, 1, 0, 1, 1);
    expect_path(t, out_loc(t, b, 0), in_loc(t, b, 1), two, 2);
    expect1(t, out_loc(t, b, 0), in_loc(t, b, 0), sm(1, 0, 1, 0, 1, 0));
    two[0] = sm(2, 0, 0, 0, 0, 0);
    two[1] = sm(1, 0, 1, 0, 1, 0);
    expect_path(t, out_loc(t, b, 0), in_loc(t, fb2, 0), two, 2);
    expect_path(t, out_loc(t, b, 0), in_loc(t, lv2, 0), two, 2);
    expect1(t, out_loc(t, b, 0), in_loc(t, fb1, 0), sm(1, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, b, 0), in_loc(t, a, 1), sm(1, 0, 1, 0, 0, 0));
    expect1(t, out_loc(t, b, 0), in_loc(t, lv1, 0), sm(1, 0, 1, 0, 0, 0));
    expect1(t, out_loc(t, b, 0), in_loc(t, sink, 0), sm(0, 0, 0, 0, 0, 0));
    expect_path(t, out_loc(t, b, 0), in_loc(t, en1, 0), NULL, 0);
    /* From the source: (e) -> (e, 0, 0) at B's entry, (e, 0, 1) at the inner feedback. */
    {
        struct gy_summary s = {.nappend = 2, .append = {0, 1}};
        expect1(t, out_loc(t, src, 0), in_loc(t, b, 1), s);
    }
    gy_topology_free(t);
}

/* a -> d(+1 epoch) -> a closes a cycle at depth 0 that advances the epoch. */
static void test_topology_epoch_delay_cycle(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    struct gy_summaries s;
    struct gy_summary delay = gy_summary_epoch_delay(0, 1);
    int a, d;

    a = gy_topology_add_op(t, "a", 0, 1, 1);
    d = gy_topology_add_op(t, "delay", 0, 1, 1);
    gy_summaries_init(&s);
    assert_int_equal(gy_summaries_insert(&s, &delay), 1);
    assert_int_equal(gy_topology_set_summary(t, (uint32_t)d, 0, 0, &s), 0);
    gy_summaries_destroy(&s);
    edge(t, a, 0, d, 0);
    edge(t, d, 0, a, 0);
    build_ok(t);
    expect1(t, out_loc(t, a, 0), in_loc(t, d, 0), sm(0, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, a, 0), in_loc(t, a, 0), sm(0, 1, 0, 0, 0, 0));
    expect1(t, out_loc(t, d, 0), in_loc(t, d, 0), sm(0, 0, 0, 0, 0, 0));
    gy_topology_free(t);
}

/* x has two inputs and two outputs, but in0 cannot reach out1 (empty summary). */
static void test_topology_no_path_summary(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    struct gy_summaries empty;
    int s0, s1, x, k0, k1;

    s0 = gy_topology_add_op(t, "s0", 0, 0, 1);
    s1 = gy_topology_add_op(t, "s1", 0, 0, 1);
    x = gy_topology_add_op(t, "x", 0, 2, 2);
    k0 = gy_topology_add_op(t, "k0", 0, 1, 0);
    k1 = gy_topology_add_op(t, "k1", 0, 1, 0);
    gy_summaries_init(&empty);
    assert_int_equal(gy_topology_set_summary(t, (uint32_t)x, 0, 1, &empty), 0);
    assert_int_equal(gy_topology_summary(t, (uint32_t)x, 0, 1)->len, 0);
    edge(t, s0, 0, x, 0);
    edge(t, s1, 0, x, 1);
    edge(t, x, 0, k0, 0);
    edge(t, x, 1, k1, 0);
    build_ok(t);
    expect1(t, out_loc(t, s0, 0), in_loc(t, k0, 0), sm(0, 0, 0, 0, 0, 0));
    expect_path(t, out_loc(t, s0, 0), in_loc(t, k1, 0), NULL, 0);
    expect1(t, out_loc(t, s1, 0), in_loc(t, k0, 0), sm(0, 0, 0, 0, 0, 0));
    expect1(t, out_loc(t, s1, 0), in_loc(t, k1, 0), sm(0, 0, 0, 0, 0, 0));
    gy_topology_free(t);
}

static void test_topology_error_crossing(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    char err[256];
    int a, b;

    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    a = gy_topology_add_op(t, "a", 0, 0, 1);
    b = gy_topology_add_op(t, "b", 1, 2, 0);
    edge(t, a, 0, b, 1);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "edge a.out0 -> b.in1 crosses scopes (0 -> 1)");
    /* Unbuilt after a failure: reach answers nothing. */
    expect_path(t, out_loc(t, a, 0), in_loc(t, b, 1), NULL, 0);
    gy_topology_free(t);
}

static void test_topology_error_summary_depth(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    struct gy_summaries s;
    struct gy_summary en = gy_summary_enter(0);
    char err[256];
    int a;

    a = gy_topology_add_op(t, "a", 0, 1, 1);
    gy_summaries_init(&s);
    assert_int_equal(gy_summaries_insert(&s, &en), 1);
    assert_int_equal(gy_topology_set_summary(t, (uint32_t)a, 0, 0, &s), 0);
    gy_summaries_destroy(&s);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "op 'a' summary in0 -> out0"));
    assert_non_null(strstr(err, "does not map depth 0 to depth 0"));
    gy_topology_free(t);
    /* A port moved to another scope without fixing its summary: keep 1 > depth 0. */
    t = gy_topology_new();
    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    a = gy_topology_add_op(t, "b", 1, 1, 1);
    assert_int_equal(gy_topology_set_input_scope(t, (uint32_t)a, 0, 0), 0);
    assert_int_equal(gy_topology_set_input_scope(t, (uint32_t)a, 1, 0), -EINVAL);
    assert_int_equal(gy_topology_set_output_scope(t, (uint32_t)a, 0, 9), -EINVAL);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "op 'b' summary in0 -> out0 (keep 1, append 0)"));
    gy_topology_free(t);
}

static void test_topology_error_cycle(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    char err[256];
    int a, b, c;

    a = gy_topology_add_op(t, "a", 0, 1, 1);
    b = gy_topology_add_op(t, "b", 0, 1, 1);
    c = gy_topology_add_op(t, "c", 0, 1, 1);
    edge(t, a, 0, b, 0);
    edge(t, b, 0, c, 0);
    edge(t, c, 0, a, 0);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "cycle does not advance time: a -> b -> c -> a (summary keep 0 +(0))");
    gy_topology_free(t);
}

/* Out of a loop and back in: the loop coordinate resets and nothing advances. */
static void test_topology_error_cycle_through_loop(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    char err[256];
    int x, en, body, lv;

    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    x = gy_topology_add_op(t, "x", 0, 1, 1);
    en = gy_topology_add_enter(t, "enter", 1);
    body = gy_topology_add_op(t, "body", 1, 1, 1);
    lv = gy_topology_add_leave(t, "leave", 1);
    edge(t, x, 0, en, 0);
    edge(t, en, 0, body, 0);
    edge(t, body, 0, lv, 0);
    edge(t, lv, 0, x, 0);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "cycle does not advance time: x -> enter -> body -> leave -> x "
                             "(summary keep 0 +(0))");
    gy_topology_free(t);
}

static void test_topology_error_feedback_zero(void **state)
{
    (void)state;
    struct loop1 g;
    char err[256];
    gy_topology_t *t;
    int en, fb;

    make_loop1(&g, 0);
    assert_int_equal(gy_topology_build(g.t, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "cycle does not advance time: body -> fb -> body "
                             "(summary keep 1 +(0,0))");
    gy_topology_free(g.t);
    /* A feedback of 0 on no cycle at all is rejected too. */
    t = gy_topology_new();
    assert_int_equal(gy_topology_add_scope(t, 0), 1);
    en = gy_topology_add_enter(t, "enter", 1);
    fb = gy_topology_add_feedback(t, "fb", 1, 0);
    edge(t, en, 0, fb, 0);
    assert_int_equal(gy_topology_build(t, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "cycle does not advance time: feedback 'fb' adds 0");
    gy_topology_free(t);
}

static void test_topology_error_depth(void **state)
{
    (void)state;
    gy_topology_t *t = gy_topology_new();
    int s = 0;

    for (int d = 1; d <= GY_MAX_DEPTH; d++) {
        s = gy_topology_add_scope(t, (uint32_t)s);
        assert_int_equal(s, d);
        assert_int_equal(gy_topology_scope_depth(t, (uint32_t)s), (uint32_t)d);
    }
    assert_int_equal(gy_topology_add_scope(t, (uint32_t)s), -EINVAL);
    assert_int_equal(gy_topology_add_scope(t, 99), -EINVAL);
    /* Boundary helpers need a loop scope. */
    assert_int_equal(gy_topology_add_enter(t, "e", 0), -EINVAL);
    assert_int_equal(gy_topology_add_leave(t, "l", 42), -EINVAL);
    assert_int_equal(gy_topology_add_feedback(t, "f", 0, 1), -EINVAL);
    gy_topology_free(t);
}

/* The nested-loop dataflow built with allocation n failing; 0 on success. */
static int build_nested_failing(long n, gy_topology_t **out)
{
    static const char *names[] = {"src", "en1", "A", "en2", "B", "fb2", "lv2", "fb1", "lv1"};
    static const int from[] = {0, 1, 2, 3, 4, 5, 4, 6, 7, 2, 8};
    static const int fport[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const int to[] = {1, 2, 3, 4, 5, 4, 6, 7, 2, 8, 9};
    static const int tport[] = {0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0};
    gy_topology_t *t;
    char err[128];
    int rc = 0;

    gy_alloc_fail_after(n);
    t = gy_topology_new();
    if (!t)
        return -ENOMEM;
    if (gy_topology_add_scope(t, 0) < 0 || gy_topology_add_scope(t, 1) < 0)
        rc = -ENOMEM;
    for (int i = 0; rc == 0 && i < 9; i++) {
        int id;
        if (i == 1 || i == 3)
            id = gy_topology_add_enter(t, names[i], i == 1 ? 1 : 2);
        else if (i == 5 || i == 7)
            id = gy_topology_add_feedback(t, names[i], i == 5 ? 2 : 1, 1);
        else if (i == 6 || i == 8)
            id = gy_topology_add_leave(t, names[i], i == 6 ? 2 : 1);
        else
            id = gy_topology_add_op(t, names[i], i == 0 ? 0 : (i == 2 ? 1 : 2), i == 0 ? 0 : 2, 1);
        rc = id < 0 ? id : 0;
    }
    if (rc == 0 && gy_topology_add_op(t, "sink", 0, 1, 0) < 0)
        rc = -ENOMEM;
    for (int e = 0; rc == 0 && e < 11; e++)
        rc = gy_topology_add_edge(t, (uint32_t)from[e], (uint32_t)fport[e], (uint32_t)to[e],
                                  (uint32_t)tport[e]);
    if (rc == 0) {
        rc = gy_topology_build(t, err, sizeof(err));
        if (rc == -ENOMEM)
            assert_string_equal(err, "out of memory");
    }
    *out = t;
    return rc;
}

static void test_topology_alloc_failure(void **state)
{
    (void)state;
    gy_topology_t *t = NULL;
    long n;
    int rc = -ENOMEM;

    /* Fail allocation 1, 2, 3, ... until the whole construction succeeds. */
    for (n = 1; rc != 0; n++) {
        assert_true(n < 100000);
        rc = build_nested_failing(n, &t);
        gy_alloc_fail_after(0);
        assert_true(rc == 0 || rc == -ENOMEM);
        if (rc)
            gy_topology_free(t);
    }
    /* Many allocation points were exercised, and the survivor is correct. */
    assert_true(n > 30);
    expect1(t, gy_topology_output_loc(t, 4, 0), gy_topology_input_loc(t, 2, 1),
            sm(1, 0, 1, 0, 0, 0));
    gy_topology_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topology_locations),
        cmocka_unit_test(test_topology_simple_loop),
        cmocka_unit_test(test_topology_two_feedbacks),
        cmocka_unit_test(test_topology_nested),
        cmocka_unit_test(test_topology_epoch_delay_cycle),
        cmocka_unit_test(test_topology_no_path_summary),
        cmocka_unit_test(test_topology_error_crossing),
        cmocka_unit_test(test_topology_error_summary_depth),
        cmocka_unit_test(test_topology_error_cycle),
        cmocka_unit_test(test_topology_error_cycle_through_loop),
        cmocka_unit_test(test_topology_error_feedback_zero),
        cmocka_unit_test(test_topology_error_depth),
        cmocka_unit_test(test_topology_alloc_failure),
    };
    return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
