/* Unit tests of the pooling and reduction families: output shapes for
 * pads / strides / dilations / ceil_mode / auto_pad, the window and divisor
 * arithmetic the emitters share, reduce axes and keepdims handling across
 * opsets, evaluation on constants, and the refusals with their reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/ops/pool_reduce.h"
#include "passes/passes.h"

/* --- building and checking graphs ------------------------------------------- */

/* A graph with one node `op` reading a float input of the given shape (and
 * optionally a second input t2), writing n_out outputs. */
typedef struct one_node {
    ir_graph *g;
    int node, x, y, y2;
} one_node;

static one_node make(const char *op, int64_t opset, ir_dtype dt, int rank, const int64_t *dims,
                     int in2, int n_out)
{
    one_node o;
    o.g = ib_graph(opset);
    o.x = ib_input(o.g, "x", dt, rank, dims);
    o.y = ir_graph_add_tensor(o.g, "y");
    o.y2 = n_out > 1 ? ir_graph_add_tensor(o.g, "indices") : -1;
    int ins[2] = {o.x, in2}, outs[2] = {o.y, o.y2};
    o.node = ib_node(o.g, op, "n", ins, in2 >= 0 ? 2 : 1, outs, n_out);
    ib_mark_output(o.g, o.y);
    return o;
}

static void expect_shape(const one_node *o, int t, int rank, const int64_t *dims)
{
    const ir_tensor *y = &o->g->tensors[t];
    assert_true(y->has_shape);
    assert_int_equal(y->shape.rank, rank);
    for (int i = 0; i < rank; i++)
        assert_int_equal(y->shape.dims[i], dims[i]);
}

static void expect_refused(one_node *o, const char *needle)
{
    assert_true(ib_refuses(o->g, needle));
    ir_graph_free(o->g);
}

static void expect_ok(one_node *o) { assert_true(ib_infer_ok(o->g)); }

/* --- pooling geometry --------------------------------------------------------- */

typedef struct pool_case {
    const char *op;
    int64_t in[2];
    int64_t k[2], s[2], d[2], pads[4];
    int ceil;
    const char *auto_pad;
    int64_t out[2], pb[2], pe[2];
} pool_case;

static void run_pool_case(const pool_case *c)
{
    int64_t dims[4] = {2, 3, c->in[0], c->in[1]};
    one_node o = make(c->op, 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, c->k);
    if (c->s[0])
        ib_attr_ints(o.g, o.node, "strides", 2, c->s);
    if (c->d[0])
        ib_attr_ints(o.g, o.node, "dilations", 2, c->d);
    ib_attr_ints(o.g, o.node, "pads", 4, c->pads);
    if (c->ceil)
        ib_attr_int(o.g, o.node, "ceil_mode", 1);
    if (c->auto_pad)
        ib_attr_string(o.g, o.node, "auto_pad", c->auto_pad);
    expect_ok(&o);
    int64_t want[4] = {2, 3, c->out[0], c->out[1]};
    expect_shape(&o, o.y, 4, want);
    pool_geom pg;
    diag d;
    diag_init(&d);
    assert_int_equal(pool_geometry(o.g, &o.g->nodes[o.node], &pg, &d), 0);
    assert_int_equal(pg.nsp, 2);
    assert_int_equal(pg.planes, 6);
    for (int a = 0; a < 2; a++) {
        assert_int_equal(pg.ax[a].pb, c->pb[a]);
        assert_int_equal(pg.ax[a].pe, c->pe[a]);
    }
    diag_free(&d);
    ir_graph_free(o.g);
}

static void test_pool_shapes(void **state)
{
    (void)state;
    static const pool_case cases[] = {
        /* plain, strided, padded */
        {"MaxPool", {32, 32}, {2, 2}, {0}, {0}, {0}, 0, NULL, {31, 31}, {0, 0}, {0, 0}},
        {"MaxPool", {32, 32}, {5, 5}, {3, 3}, {0}, {0}, 0, NULL, {10, 10}, {0, 0}, {0, 0}},
        {"AveragePool", {28, 28}, {3, 3}, {0}, {0}, {2, 2, 2, 2}, 0, NULL, {30, 30}, {2, 2}, {2, 2}},
        /* asymmetric pads: begins then ends */
        {"MaxPool", {9, 8}, {3, 3}, {1, 2}, {0}, {0, 1, 2, 0}, 0, NULL, {9, 4}, {0, 1}, {2, 0}},
        /* ceil_mode: 4x4, k3 s2 gives 2; a last window starting in the end
         * padding is dropped (5, k2 s2 p1: 4 -> 3, as PyTorch) */
        {"MaxPool", {4, 4}, {3, 3}, {2, 2}, {0}, {0}, 1, NULL, {2, 2}, {0, 0}, {0, 0}},
        {"AveragePool", {5, 7}, {2, 3}, {2, 2}, {0}, {1, 1, 1, 1}, 1, NULL, {3, 4}, {1, 1}, {1, 1}},
        {"MaxPool", {5, 7}, {2, 3}, {2, 2}, {0}, {1, 1, 1, 1}, 0, NULL, {3, 4}, {1, 1}, {1, 1}},
        /* dilations: effective kernel (k-1)*d+1 */
        {"MaxPool", {1000, 1000}, {60, 80}, {10, 10}, {10, 10}, {10, 20, 10, 20}, 0, NULL,
         {43, 25}, {10, 20}, {10, 20}},
        {"MaxPool", {4, 4}, {2, 2}, {1, 1}, {2, 2}, {0}, 0, NULL, {2, 2}, {0, 0}, {0, 0}},
        /* auto_pad: SAME gives ceil(in / s), the odd pad after (UPPER) or
         * before (LOWER); VALID ignores pads */
        {"MaxPool", {5, 5}, {3, 3}, {2, 2}, {0}, {0}, 0, "SAME_UPPER", {3, 3}, {1, 1}, {1, 1}},
        {"AveragePool", {32, 32}, {2, 2}, {0}, {0}, {0}, 0, "SAME_UPPER", {32, 32}, {0, 0}, {1, 1}},
        {"AveragePool", {32, 32}, {2, 2}, {0}, {0}, {0}, 0, "SAME_LOWER", {32, 32}, {1, 1}, {0, 0}},
        {"MaxPool", {10, 9}, {3, 2}, {2, 2}, {0}, {1, 1, 1, 1}, 0, "VALID", {4, 4}, {0, 0}, {0, 0}},
        {"LpPool", {8, 9}, {3, 3}, {1, 2}, {0}, {1, 1, 1, 1}, 0, NULL, {8, 5}, {1, 1}, {1, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_pool_case(&cases[i]);
}

static void test_pool_windows(void **state)
{
    (void)state;
    /* in 8, k3 s2, pads 1/1, ceil_mode: 5 outputs; the last window (start
     * 7) has taps 7 (inside), 8 (padding), 9 (past the padding). */
    pool_axis a = {.in = 8, .out = 5, .k = 3, .s = 2, .d = 1, .pb = 1, .pe = 1};
    int64_t lo, hi;
    pool_taps(&a, 0, &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 3);
    pool_taps(&a, 4, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 1);
    assert_int_equal(pool_count(&a, 4, 0), 1);
    assert_int_equal(pool_count(&a, 4, 1), 2); /* PyTorch/onnxruntime divisor */
    assert_int_equal(pool_count(&a, 0, 1), 3);
    assert_int_equal(pool_count(&a, 0, 0), 2);
    /* Tap 0 reads inside for outputs 1..4, tap 2 for outputs 0..3. */
    pool_outputs_of_tap(&a, 0, &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 5);
    pool_outputs_of_tap(&a, 2, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 4);
    /* Dilation 3: taps of output 0 at -2, 1, 4. */
    pool_axis b = {.in = 5, .out = 2, .k = 3, .s = 1, .d = 3, .pb = 2, .pe = 0};
    pool_taps(&b, 0, &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 3);
}

static void test_pool_indices_and_globals(void **state)
{
    (void)state;
    int64_t dims[4] = {1, 2, 5, 5};
    one_node o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 2);
    int64_t k[2] = {2, 2}, s[2] = {2, 2};
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k);
    ib_attr_ints(o.g, o.node, "strides", 2, s);
    ib_attr_int(o.g, o.node, "storage_order", 1);
    expect_ok(&o);
    int64_t want[4] = {1, 2, 2, 2};
    expect_shape(&o, o.y2, 4, want);
    assert_int_equal(o.g->tensors[o.y2].dtype, IR_INT64);
    ir_graph_free(o.g);

    int64_t d5[5] = {2, 3, 4, 5, 6};
    o = make("GlobalAveragePool", 13, IR_FLOAT, 5, d5, -1, 1);
    expect_ok(&o);
    int64_t w5[5] = {2, 3, 1, 1, 1};
    expect_shape(&o, o.y, 5, w5);
    ir_graph_free(o.g);
}

static void test_pool_refusals(void **state)
{
    (void)state;
    int64_t dims[4] = {1, 1, 3, 3}, k2[2] = {2, 2}, k3[3] = {2, 2, 2};
    int64_t big_pads[4] = {2, 0, 0, 0}, neg_pads[4] = {-1, 0, 0, 0};
    one_node o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 1);
    expect_refused(&o, "'kernel_shape' is required");

    o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 3, k3);
    expect_refused(&o, "'kernel_shape' must hold 2 integers");

    o = make("AveragePool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_ints(o.g, o.node, "pads", 4, big_pads);
    expect_refused(&o, "lies entirely in the padding");

    o = make("AveragePool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_ints(o.g, o.node, "pads", 4, neg_pads);
    expect_refused(&o, "'pads' holds -1");

    o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_int(o.g, o.node, "ceil_mode", 1);
    ib_attr_string(o.g, o.node, "auto_pad", "SAME_UPPER");
    expect_refused(&o, "ceil_mode=1 with auto_pad=SAME_UPPER");

    o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_string(o.g, o.node, "auto_pad", "SAME");
    expect_refused(&o, "auto_pad 'SAME'");

    int64_t d5[5] = {1, 1, 4, 4, 4};
    o = make("MaxPool", 12, IR_FLOAT, 5, d5, -1, 2);
    ib_attr_ints(o.g, o.node, "kernel_shape", 3, k3);
    ib_attr_int(o.g, o.node, "storage_order", 1);
    expect_refused(&o, "storage_order=1");

    o = make("AveragePool", 12, IR_INT8, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    expect_refused(&o, "element type int8");

    int64_t d2[2] = {4, 4};
    o = make("MaxPool", 12, IR_FLOAT, 2, d2, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    expect_refused(&o, "rank 2");

    o = make("LpPool", 11, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_float(o.g, o.node, "p", 1.5f);
    expect_refused(&o, "exponent p = 1.5");

    o = make("MaxPool", 12, IR_FLOAT, 4, dims, -1, 1);
    ib_attr_ints(o.g, o.node, "kernel_shape", 2, k2);
    ib_attr_int(o.g, o.node, "dilation", 2);
    expect_refused(&o, "attribute 'dilation' is not supported");
}

/* --- reductions ----------------------------------------------------------------- */

static const int64_t d234[3] = {2, 3, 4};

static void test_reduce_axes_attr(void **state)
{
    (void)state;
    int64_t ax[2] = {0, -1};
    one_node o = make("ReduceMean", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 2, ax);
    expect_ok(&o);
    int64_t keep[3] = {1, 3, 1};
    expect_shape(&o, o.y, 3, keep);
    ir_graph_free(o.g);

    o = make("ReduceMax", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 2, ax);
    ib_attr_int(o.g, o.node, "keepdims", 0);
    expect_ok(&o);
    int64_t drop[1] = {3};
    expect_shape(&o, o.y, 1, drop);
    ir_graph_free(o.g);

    /* No axes: all of them; keepdims=0 leaves a scalar. */
    o = make("ReduceSumSquare", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_int(o.g, o.node, "keepdims", 0);
    expect_ok(&o);
    expect_shape(&o, o.y, 0, NULL);
    ir_graph_free(o.g);

    /* ReduceSum before opset 13 still takes the attribute. */
    int64_t one[1] = {1};
    o = make("ReduceSum", 11, IR_INT64, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 1, one);
    expect_ok(&o);
    int64_t w[3] = {2, 1, 4};
    expect_shape(&o, o.y, 3, w);
    assert_int_equal(o.g->tensors[o.y].dtype, IR_INT64);
    ir_graph_free(o.g);
}

/* A reduction of x [2, 3, 4] with an axes input: constant values, or a
 * run-time graph input of `count` elements when vals is NULL. */
static one_node make_axes_input(const char *op, int64_t opset, int count, const int64_t *vals)
{
    one_node o;
    o.g = ib_graph(opset);
    o.x = ib_input(o.g, "x", IR_FLOAT, 3, d234);
    int64_t n[1] = {count};
    int axes = vals ? ib_const(o.g, "axes", IR_INT64, 1, n, vals)
                    : ib_tensor(o.g, "axes", IR_INT64, 1, n);
    if (!vals)
        ib_mark_input(o.g, axes);
    o.y = ir_graph_add_tensor(o.g, "y");
    o.y2 = -1;
    int ins[2] = {o.x, axes};
    o.node = ib_node(o.g, op, "n", ins, 2, &o.y, 1);
    ib_mark_output(o.g, o.y);
    return o;
}

static void test_reduce_axes_input(void **state)
{
    (void)state;
    /* opset 18: axes from a constant input */
    int64_t ax[1] = {-2};
    one_node o = make_axes_input("ReduceL2", 18, 1, ax);
    ib_attr_int(o.g, o.node, "keepdims", 0);
    expect_ok(&o);
    int64_t w[2] = {2, 4};
    expect_shape(&o, o.y, 2, w);
    ir_graph_free(o.g);

    /* An empty axes input (shape [0]) is known without its value: with
     * noop_with_empty_axes the node copies, without it reduces all. */
    for (int noop = 0; noop < 2; noop++) {
        o = make_axes_input("ReduceSum", 13, 0, NULL);
        ib_attr_int(o.g, o.node, "noop_with_empty_axes", noop);
        expect_ok(&o);
        int64_t all[3] = {1, 1, 1};
        expect_shape(&o, o.y, 3, noop ? d234 : all);
        ir_graph_free(o.g);
    }

    /* A run-time axes input is refused. */
    o = make_axes_input("ReduceMean", 18, 1, NULL);
    expect_refused(&o, "must be a compile-time constant");
}

static void test_reduce_refusals(void **state)
{
    (void)state;
    int64_t dup[2] = {1, -2}, far[1] = {3}, one[1] = {1};
    one_node o = make("ReduceMean", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 2, dup);
    expect_refused(&o, "listed twice");

    o = make("ReduceMean", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 1, far);
    expect_refused(&o, "axis 3 is out of range");

    o = make("ReduceSum", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 1, one);
    expect_refused(&o, "an input since opset 13");

    o = make("ReduceMax", 18, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_ints(o.g, o.node, "axes", 1, one);
    expect_refused(&o, "an input since opset 18");

    o = make("ReduceL1", 18, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_int(o.g, o.node, "noop_with_empty_axes", 1);
    expect_refused(&o, "noop_with_empty_axes=1");

    o = make("ReduceLogSumExp", 13, IR_INT32, 3, d234, -1, 1);
    expect_refused(&o, "element type int32");

    o = make("ReduceMean", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_int(o.g, o.node, "keepdims", 2);
    expect_refused(&o, "'keepdims' must be 0 or 1");

    o = make("ArgMax", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_int(o.g, o.node, "axis", -4);
    expect_refused(&o, "axis -4 is out of range");
}

static void test_argmax_shapes(void **state)
{
    (void)state;
    one_node o = make("ArgMin", 13, IR_FLOAT, 3, d234, -1, 1);
    ib_attr_int(o.g, o.node, "axis", -2);
    ib_attr_int(o.g, o.node, "keepdims", 0);
    ib_attr_int(o.g, o.node, "select_last_index", 1);
    expect_ok(&o);
    int64_t w[2] = {2, 4};
    expect_shape(&o, o.y, 2, w);
    assert_int_equal(o.g->tensors[o.y].dtype, IR_INT64);
    ir_graph_free(o.g);

    o = make("ArgMax", 13, IR_INT32, 3, d234, -1, 1);
    expect_ok(&o);
    int64_t k[3] = {1, 3, 4};
    expect_shape(&o, o.y, 3, k);
    ir_graph_free(o.g);
}

/* Reductions of constants are computed at compile time. */
static void test_reduce_eval(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    g->opset = 13;
    int64_t n4[1] = {4}, shape_vals[4] = {2, 3, 4, 5}, d23[2] = {2, 3};
    float fv[6] = {1, 2, 3, 500, 500, 500};
    int c = ib_const(g, "shape", IR_INT64, 1, n4, shape_vals);
    int cf = ib_const(g, "f", IR_FLOAT, 2, d23, fv);
    int p = ir_graph_add_tensor(g, "p"), l = ir_graph_add_tensor(g, "l");
    int outs_p[1] = {p}, outs_l[1] = {l};
    int np_ = ib_node(g, "ReduceProd", "prod", &c, 1, outs_p, 1);
    ib_attr_int(g, np_, "keepdims", 0);
    int nl = ib_node(g, "ReduceLogSumExp", "lse", &cf, 1, outs_l, 1);
    int64_t ax[1] = {1};
    ib_attr_ints(g, nl, "axes", 1, ax);
    ib_mark_output(g, p);
    ib_mark_output(g, l);
    diag d;
    diag_init(&d);
    assert_int_equal(pass_infer_shapes(g, &d), 0);
    diag_free(&d);
    assert_non_null(g->tensors[p].data);
    assert_int_equal(g->tensors[p].shape.rank, 0);
    assert_int_equal(((const int64_t *)g->tensors[p].data)[0], 120);
    const float *lv = g->tensors[l].data;
    assert_non_null(lv);
    /* log(e^1 + e^2 + e^3) and, without overflow, 500 + log(3) */
    assert_float_equal(lv[0], 3.40760596f, 1e-5);
    assert_float_equal(lv[1], 501.098612f, 1e-3);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_shapes),
        cmocka_unit_test(test_pool_windows),
        cmocka_unit_test(test_pool_indices_and_globals),
        cmocka_unit_test(test_pool_refusals),
        cmocka_unit_test(test_reduce_axes_attr),
        cmocka_unit_test(test_reduce_axes_input),
        cmocka_unit_test(test_reduce_refusals),
        cmocka_unit_test(test_argmax_shapes),
        cmocka_unit_test(test_reduce_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
