/* Unit tests of the misc family (passes/ops/misc*.c): output shapes, the
 * Resize tables and Einsum plans the emitters share, evaluation on
 * constants, and the refusals with their reasons. The generated kernels are
 * checked by the ONNX backend cases of the conformance suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/ops/misc.h"
#include "passes/passes.h"

/* --- building and checking graphs -------------------------------------------------- */

static const ir_tensor *out(ir_graph *g, int n, int i) { return ir_node_out(g, &g->nodes[n], i); }

/* Inference fails and some message contains needle; frees g. */
static void expect_refused(ir_graph *g, const char *needle)
{
    assert_true(ib_refuses(g, needle));
    ir_graph_free(g);
}

static void expect_ints(const ir_tensor *t, const int64_t *want, int count)
{
    assert_non_null(t->data);
    assert_int_equal(ir_tensor_numel(t), count);
    for (int i = 0; i < count; i++)
        assert_int_equal(ir_data_get_int(t->dtype, t->data, i), want[i]);
}

static const int64_t d1[] = {1}, d2[] = {2}, d4[] = {4};

/* --- Resize / Upsample ---------------------------------------------------------------- */

static int resize_sizes(ir_graph *g, const int64_t *sizes, const char *mode)
{
    int64_t xd[4] = {1, 1, 2, 4};
    int x = ib_input(g, "x", IR_FLOAT, 4, xd);
    int s = ib_const(g, "sizes", IR_INT64, 1, d4, sizes);
    int n = ib_op(g, "Resize", (int[]){x, -1, -1, s}, 4, 1, NULL);
    ib_attr_string(g, n, "mode", mode);
    return n;
}

static void test_resize_shapes(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int n = resize_sizes(g, (const int64_t[]){1, 1, 3, 7}, "linear");
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){1, 1, 3, 7}));
    ir_graph_free(g);

    /* scales: floor(scale * input) */
    g = ib_graph(13);
    int64_t xd[4] = {1, 2, 5, 5};
    int x = ib_input(g, "x", IR_UINT8, 4, xd);
    float sc[4] = {1, 1, 0.6f, 2.5f};
    int s = ib_const(g, "scales", IR_FLOAT, 1, d4, sc);
    n = ib_op(g, "Resize", (int[]){x, -1, s}, 3, 1, NULL);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_UINT8, 4, (const int64_t[]){1, 2, 3, 12}));
    ir_graph_free(g);

    /* Upsample opset 7: scales attribute */
    g = ib_graph(7);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    n = ib_op(g, "Upsample", (int[]){x}, 1, 1, NULL);
    ib_attr_floats(g, n, "scales", 4, (const float[]){1, 1, 2, 3});
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){1, 2, 10, 15}));
    ir_graph_free(g);
}

static void test_resize_tables(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    /* nearest, half_pixel, round_prefer_floor, 2 -> 4: sources 0 0 1 1 */
    ir_graph *g = ib_graph(13);
    int n = resize_sizes(g, (const int64_t[]){1, 1, 2, 8}, "nearest");
    assert_true(ib_infer_ok(g));
    rs_plan p;
    assert_int_equal(rs_plan_build(g, &g->nodes[n], &p, &d), 0);
    assert_true(p.ax[0].identity && p.ax[1].identity && p.ax[2].identity);
    assert_int_equal(p.ax[3].taps, 1);
    assert_null(p.ax[3].w);
    static const int64_t want[8] = {0, 0, 1, 1, 2, 2, 3, 3};
    for (int o = 0; o < 8; o++)
        assert_int_equal(p.ax[3].idx[o], want[o]);
    rs_plan_free(&p);
    ir_graph_free(g);

    /* linear, align_corners, 4 -> 7: position 1 is 0.5 of the way 0 -> 1 */
    g = ib_graph(13);
    n = resize_sizes(g, (const int64_t[]){1, 1, 2, 7}, "linear");
    ib_attr_string(g, n, "coordinate_transformation_mode", "align_corners");
    assert_true(ib_infer_ok(g));
    assert_int_equal(rs_plan_build(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.ax[3].taps, 2);
    assert_int_equal(p.ax[3].idx[2], 0);
    assert_int_equal(p.ax[3].idx[3], 1);
    assert_true(p.ax[3].w[2] == 0.5 && p.ax[3].w[3] == 0.5);
    /* position 0 is exactly source 0: one tap of weight 1, padded with 0 */
    assert_true(p.ax[3].w[0] == 1.0 && p.ax[3].w[1] == 0.0);
    rs_plan_free(&p);
    ir_graph_free(g);
    diag_free(&d);
}

static void test_resize_refusals(void **state)
{
    (void)state;
    int64_t xd[4] = {1, 1, 4, 4};
    /* run-time scales decide the output shape */
    ir_graph *g = ib_graph(13);
    int x = ib_input(g, "x", IR_FLOAT, 4, xd), s = ib_input(g, "s", IR_FLOAT, 1, d4);
    ib_op(g, "Resize", (int[]){x, -1, s}, 3, 1, NULL);
    expect_refused(g, "must be known at compile time");

    /* tf_crop_and_resize with scales: versions disagree on the size */
    g = ib_graph(13);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    float roi[8] = {0, 0, 0, 0, 1, 1, 1, 1}, sc[4] = {1, 1, 2, 2};
    int r = ib_const(g, "roi", IR_FLOAT, 1, (const int64_t[]){8}, roi);
    s = ib_const(g, "s", IR_FLOAT, 1, d4, sc);
    int n = ib_op(g, "Resize", (int[]){x, r, s}, 3, 1, NULL);
    ib_attr_string(g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
    expect_refused(g, "give sizes");

    /* linear on integers */
    g = ib_graph(13);
    x = ib_input(g, "x", IR_INT32, 4, xd);
    s = ib_const(g, "s", IR_FLOAT, 1, d4, sc);
    n = ib_op(g, "Resize", (int[]){x, -1, s}, 3, 1, NULL);
    ib_attr_string(g, n, "mode", "linear");
    expect_refused(g, "float32, float64");

    /* antialias (opset 18) and tf_half_pixel_for_nn after opset 12 */
    g = ib_graph(18);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    s = ib_const(g, "s", IR_FLOAT, 1, d4, sc);
    n = ib_op(g, "Resize", (int[]){x, -1, s}, 3, 1, NULL);
    ib_attr_int(g, n, "antialias", 1);
    expect_refused(g, "antialias");
    g = ib_graph(13);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    s = ib_const(g, "s", IR_FLOAT, 1, d4, sc);
    n = ib_op(g, "Resize", (int[]){x, -1, s}, 3, 1, NULL);
    ib_attr_string(g, n, "coordinate_transformation_mode", "tf_half_pixel_for_nn");
    expect_refused(g, "not supported in opset 13");

    /* Upsample scales below 1; cubic in opset 10 */
    g = ib_graph(7);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    n = ib_op(g, "Upsample", (int[]){x}, 1, 1, NULL);
    ib_attr_floats(g, n, "scales", 4, (const float[]){1, 1, 0.5f, 1});
    expect_refused(g, "below 1");
    g = ib_graph(10);
    x = ib_input(g, "x", IR_FLOAT, 4, xd);
    s = ib_const(g, "s", IR_FLOAT, 1, d4, sc);
    n = ib_op(g, "Resize", (int[]){x, s}, 2, 1, NULL);
    ib_attr_string(g, n, "mode", "cubic");
    expect_refused(g, "mode 'cubic'");
}

/* --- TopK, Hardmax --------------------------------------------------------------------- */

static void test_topk(void **state)
{
    (void)state;
    /* ties keep index order: [1 3 3 2], k 3 -> 3 3 2 at 1 2 3 */
    ir_graph *g = ib_graph(11);
    float xv[4] = {1, 3, 3, 2};
    int64_t kv = 3;
    int x = ib_const(g, "x", IR_FLOAT, 1, d4, xv), k = ib_const(g, "k", IR_INT64, 1, d1, &kv);
    int n = ib_op(g, "TopK", (int[]){x, k}, 2, 2, NULL);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 1), IR_INT64, 1, (const int64_t[]){3}));
    expect_ints(out(g, n, 0), (const int64_t[]){3, 3, 2}, 3);
    expect_ints(out(g, n, 1), (const int64_t[]){1, 2, 3}, 3);
    ir_graph_free(g);

    /* opset 1: k is an attribute, no `largest` (always the largest) */
    g = ib_graph(1);
    x = ib_const(g, "x", IR_FLOAT, 1, d4, xv);
    n = ib_op(g, "TopK", (int[]){x}, 1, 2, NULL);
    ib_attr_int(g, n, "k", 2);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 1), (const int64_t[]){1, 2}, 2);
    ir_graph_free(g);

    g = ib_graph(11);
    x = ib_input(g, "x", IR_FLOAT, 1, d4);
    k = ib_input(g, "k", IR_INT64, 1, d1);
    ib_op(g, "TopK", (int[]){x, k}, 2, 2, NULL);
    expect_refused(g, "k ('k') must be known at compile time");

    g = ib_graph(11);
    kv = 5;
    x = ib_input(g, "x", IR_FLOAT, 1, d4);
    k = ib_const(g, "k", IR_INT64, 1, d1, &kv);
    ib_op(g, "TopK", (int[]){x, k}, 2, 2, NULL);
    expect_refused(g, "out of range");
}

static void test_hardmax(void **state)
{
    (void)state;
    /* opset 11 flattens from the axis: one 1 per row of [2, 6] */
    ir_graph *g = ib_graph(11);
    float xv[12] = {0, 5, 1, 5, 2, 0, 9, 1, 1, 1, 1, 9};
    int x = ib_const(g, "x", IR_FLOAT, 3, (const int64_t[]){2, 3, 2}, xv);
    int n = ib_op(g, "Hardmax", (int[]){x}, 1, 1, NULL);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, 12);
    ir_graph_free(g);
    /* opset 13: along the last axis only */
    g = ib_graph(13);
    x = ib_const(g, "x", IR_FLOAT, 3, (const int64_t[]){2, 3, 2}, xv);
    n = ib_op(g, "Hardmax", (int[]){x}, 1, 1, NULL);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1}, 12);
    ir_graph_free(g);
}

/* --- CumSum, Trilu, ReverseSequence, OneHot ------------------------------------------- */

static void test_cumsum(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(14);
    int32_t xv[6] = {1, 2, 3, 4, 5, 6};
    int64_t ax = -1;
    int x = ib_const(g, "x", IR_INT32, 2, (const int64_t[]){2, 3}, xv);
    int a = ib_const(g, "a", IR_INT64, 0, NULL, &ax);
    int n = ib_op(g, "CumSum", (int[]){x, a}, 2, 1, NULL);
    ib_attr_int(g, n, "exclusive", 1);
    ib_attr_int(g, n, "reverse", 1);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){5, 3, 0, 11, 6, 0}, 6);
    ir_graph_free(g);

    /* a run-time axis is fine: the kernel branches on it */
    g = ib_graph(14);
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3});
    a = ib_input(g, "a", IR_INT32, 0, NULL);
    n = ib_op(g, "CumSum", (int[]){x, a}, 2, 1, NULL);
    assert_true(ib_infer_ok(g));
    assert_int_equal(misc_cumsum_axis(g, &g->nodes[n]), -1);
    ir_graph_free(g);

    g = ib_graph(14);
    ax = 2;
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3});
    a = ib_const(g, "a", IR_INT64, 0, NULL, &ax);
    ib_op(g, "CumSum", (int[]){x, a}, 2, 1, NULL);
    expect_refused(g, "axis 2 is out of range");
}

static void test_trilu(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(14);
    int64_t xv[6] = {1, 2, 3, 4, 5, 6}, k = -1;
    int x = ib_const(g, "x", IR_INT64, 2, (const int64_t[]){2, 3}, xv);
    int kt = ib_const(g, "k", IR_INT64, 0, NULL, &k);
    int n = ib_op(g, "Trilu", (int[]){x, kt}, 2, 1, NULL);
    ib_attr_int(g, n, "upper", 0);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){0, 0, 0, 4, 0, 0}, 6);
    ir_graph_free(g);

    g = ib_graph(14);
    x = ib_input(g, "x", IR_FLOAT, 1, d4);
    ib_op(g, "Trilu", (int[]){x}, 1, 1, NULL);
    expect_refused(g, "rank 2 or more");
}

static void test_reverse_sequence(void **state)
{
    (void)state;
    /* batch_axis 0: rows reversed over their first len elements */
    ir_graph *g = ib_graph(10);
    float xv[6] = {1, 2, 3, 4, 5, 6};
    int64_t lens[2] = {3, 2};
    int x = ib_const(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3}, xv);
    int l = ib_const(g, "l", IR_INT64, 1, d2, lens);
    int n = ib_op(g, "ReverseSequence", (int[]){x, l}, 2, 1, NULL);
    ib_attr_int(g, n, "batch_axis", 0);
    ib_attr_int(g, n, "time_axis", 1);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){3, 2, 1, 5, 4, 6}, 6);
    ir_graph_free(g);

    g = ib_graph(10);
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3});
    l = ib_input(g, "l", IR_INT64, 1, (const int64_t[]){3});
    n = ib_op(g, "ReverseSequence", (int[]){x, l}, 2, 1, NULL);
    ib_attr_int(g, n, "batch_axis", 1);
    ib_attr_int(g, n, "time_axis", 1);
    expect_refused(g, "batch_axis and time_axis");
}

static void test_onehot(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(11);
    int64_t iv[3] = {0, -1, 7}, depth = 3, vals[2] = {5, 9};
    int i = ib_const(g, "i", IR_INT64, 1, (const int64_t[]){3}, iv);
    int dp = ib_const(g, "d", IR_INT64, 0, NULL, &depth);
    int v = ib_const(g, "v", IR_INT64, 1, d2, vals);
    int n = ib_op(g, "OneHot", (int[]){i, dp, v}, 3, 1, NULL);
    ib_attr_int(g, n, "axis", 0);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_INT64, 2, (const int64_t[]){3, 3}));
    /* depth rows, one column per index; 7 selects nothing */
    expect_ints(out(g, n, 0), (const int64_t[]){9, 5, 5, 5, 5, 5, 5, 9, 5}, 9);
    ir_graph_free(g);

    g = ib_graph(11);
    i = ib_input(g, "i", IR_INT64, 1, (const int64_t[]){3});
    dp = ib_input(g, "d", IR_INT64, 0, NULL);
    v = ib_const(g, "v", IR_INT64, 1, d2, vals);
    ib_op(g, "OneHot", (int[]){i, dp, v}, 3, 1, NULL);
    expect_refused(g, "depth ('d') must be known at compile time");
}

/* --- GatherND, ScatterND, ScatterElements ------------------------------------------- */

static void test_gather_nd(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){2, 3, 4, 5});
    int ind = ib_input(g, "i", IR_INT64, 3, (const int64_t[]){2, 6, 2});
    int n = ib_op(g, "GatherND", (int[]){x, ind}, 2, 1, NULL);
    ib_attr_int(g, n, "batch_dims", 1);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 3, (const int64_t[]){2, 6, 5}));
    ir_graph_free(g);

    g = ib_graph(13);
    int64_t iv[2] = {0, 3};
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3});
    ind = ib_const(g, "i", IR_INT64, 2, (const int64_t[]){1, 2}, iv);
    ib_op(g, "GatherND", (int[]){x, ind}, 2, 1, NULL);
    expect_refused(g, "index 3 is out of range");

    g = ib_graph(13);
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){2, 3});
    ind = ib_input(g, "i", IR_INT64, 2, (const int64_t[]){1, 3});
    ib_op(g, "GatherND", (int[]){x, ind}, 2, 1, NULL);
    expect_refused(g, "must be in [1, 2]");
}

static void test_scatter(void **state)
{
    (void)state;
    /* ScatterND add with a repeated index */
    ir_graph *g = ib_graph(16);
    float dv[4] = {1, 2, 3, 4}, uv[2] = {10, 20};
    int64_t iv[2] = {1, 1};
    int x = ib_const(g, "d", IR_FLOAT, 1, d4, dv);
    int ind = ib_const(g, "i", IR_INT64, 2, (const int64_t[]){2, 1}, iv);
    int u = ib_const(g, "u", IR_FLOAT, 1, d2, uv);
    int n = ib_op(g, "ScatterND", (int[]){x, ind, u}, 3, 1, NULL);
    ib_attr_string(g, n, "reduction", "add");
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){1, 32, 3, 4}, 4);
    ir_graph_free(g);

    /* max needs opset 18 */
    g = ib_graph(16);
    x = ib_input(g, "d", IR_FLOAT, 1, d4);
    ind = ib_input(g, "i", IR_INT64, 2, (const int64_t[]){2, 1});
    u = ib_input(g, "u", IR_FLOAT, 1, d2);
    n = ib_op(g, "ScatterND", (int[]){x, ind, u}, 3, 1, NULL);
    ib_attr_string(g, n, "reduction", "max");
    expect_refused(g, "reduction 'max' is not supported in opset 16");

    g = ib_graph(16);
    x = ib_input(g, "d", IR_FLOAT, 1, d4);
    ind = ib_input(g, "i", IR_INT64, 2, (const int64_t[]){2, 1});
    u = ib_input(g, "u", IR_FLOAT, 1, d4);
    ib_op(g, "ScatterND", (int[]){x, ind, u}, 3, 1, NULL);
    expect_refused(g, "updates have shape 4");

    /* ScatterElements along axis 1, negative index */
    g = ib_graph(13);
    float d2v[4] = {1, 2, 3, 4};
    int64_t i2[2] = {-1, 0};
    x = ib_const(g, "d", IR_FLOAT, 2, (const int64_t[]){2, 2}, d2v);
    ind = ib_const(g, "i", IR_INT64, 2, (const int64_t[]){2, 1}, i2);
    u = ib_const(g, "u", IR_FLOAT, 2, (const int64_t[]){2, 1}, uv);
    n = ib_op(g, "ScatterElements", (int[]){x, ind, u}, 3, 1, NULL);
    ib_attr_int(g, n, "axis", 1);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){1, 10, 20, 4}, 4);
    ir_graph_free(g);

    g = ib_graph(11);
    x = ib_input(g, "d", IR_FLOAT, 1, d4);
    ind = ib_input(g, "i", IR_INT64, 1, d2);
    u = ib_input(g, "u", IR_FLOAT, 1, d2);
    ib_op(g, "Scatter", (int[]){x, ind, u}, 3, 1, NULL);
    expect_refused(g, "removed in opset 11");
}

/* --- Einsum ------------------------------------------------------------------------------ */

static ir_graph *einsum(const char *eq, int n_in, const int *ranks, const int64_t (*dims)[4],
                        int *n)
{
    ir_graph *g = ib_graph(12);
    int ins[4];
    for (int k = 0; k < n_in; k++) {
        char name[4] = {'x', (char)('0' + k), 0};
        ins[k] = ib_input(g, name, IR_FLOAT, ranks[k], dims[k]);
    }
    *n = ib_op(g, "Einsum", ins, n_in, 1, NULL);
    ib_attr_string(g, *n, "equation", eq);
    return g;
}

static void test_einsum(void **state)
{
    (void)state;
    int n;
    /* batched matmul: loops b, i, j (summed), k innermost */
    ir_graph *g = einsum("bij, bjk -> bik", 2, (const int[]){3, 3},
                         (const int64_t[][4]){{5, 2, 3}, {5, 3, 4}}, &n);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 3, (const int64_t[]){5, 2, 4}));
    es_plan p;
    diag d;
    diag_init(&d);
    assert_int_equal(es_plan_build(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.n_labels, 4);
    assert_int_equal(p.order[p.n_labels - 1], 2); /* k, the last output label */
    assert_int_equal(p.ostride[2], 1);
    assert_int_equal(p.stride[1][2], 1); /* k in the second operand */
    assert_int_equal(p.stride[0][3], 1); /* j in the first */
    ir_graph_free(g);

    /* implicit output: labels seen once, in ASCII order (B before a) */
    g = einsum("aB,Bc", 2, (const int[]){2, 2}, (const int64_t[][4]){{2, 3}, {3, 4}}, &n);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 2, (const int64_t[]){2, 4}));
    ir_graph_free(g);

    /* ellipsis broadcast; diagonal */
    g = einsum("...ij,...jk->...ik", 2, (const int[]){4, 3},
               (const int64_t[][4]){{2, 1, 3, 4}, {6, 4, 5}}, &n);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){2, 6, 3, 5}));
    ir_graph_free(g);
    g = einsum("ii->i", 1, (const int[]){2}, (const int64_t[][4]){{3, 3}}, &n);
    assert_true(ib_infer_ok(g));
    assert_int_equal(es_plan_build(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.stride[0][0], 4); /* row + column stride */
    ir_graph_free(g);
    diag_free(&d);

    expect_refused(einsum("ij,jk->il", 2, (const int[]){2, 2},
                          (const int64_t[][4]){{2, 3}, {3, 4}}, &n),
                   "not in any input");
    expect_refused(einsum("ij,jk->ik", 2, (const int[]){2, 2},
                          (const int64_t[][4]){{2, 3}, {4, 4}}, &n),
                   "different extents");
    expect_refused(einsum("ij->i.j", 1, (const int[]){2}, (const int64_t[][4]){{2, 3}}, &n),
                   "cannot be parsed");
    expect_refused(einsum("ijk->ij", 1, (const int[]){2}, (const int64_t[][4]){{2, 3}}, &n),
                   "do not match its rank");
}

/* --- Compress, NonZero, Unique, Det ------------------------------------------------------- */

static void test_data_dependent(void **state)
{
    (void)state;
    /* Compress: constant condition shorter than the axis */
    ir_graph *g = ib_graph(11);
    uint8_t cv[2] = {0, 1};
    int x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){3, 2});
    int c = ib_const(g, "c", IR_BOOL, 1, d2, cv);
    int n = ib_op(g, "Compress", (int[]){x, c}, 2, 1, NULL);
    ib_attr_int(g, n, "axis", 0);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 2, (const int64_t[]){1, 2}));
    ir_graph_free(g);

    g = ib_graph(11);
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){3, 2});
    c = ib_input(g, "c", IR_BOOL, 1, d2);
    ib_op(g, "Compress", (int[]){x, c}, 2, 1, NULL);
    expect_refused(g, "the output shape depends on its values");

    /* NonZero on a constant */
    g = ib_graph(13);
    int32_t nv[4] = {0, 7, 3, 0};
    x = ib_const(g, "x", IR_INT32, 2, (const int64_t[]){2, 2}, nv);
    n = ib_op(g, "NonZero", (int[]){x}, 1, 1, NULL);
    assert_true(ib_infer_ok(g));
    expect_ints(out(g, n, 0), (const int64_t[]){0, 1, 1, 0}, 4);
    ir_graph_free(g);

    g = ib_graph(13);
    x = ib_input(g, "x", IR_FLOAT, 1, d4);
    ib_op(g, "NonZero", (int[]){x}, 1, 1, NULL);
    expect_refused(g, "only constant inputs are supported");

    /* Unique, unsorted then sorted */
    float uv[6] = {2, 1, 1, 3, 4, 3};
    for (int sorted = 0; sorted < 2; sorted++) {
        g = ib_graph(11);
        x = ib_const(g, "x", IR_FLOAT, 1, (const int64_t[]){6}, uv);
        n = ib_op(g, "Unique", (int[]){x}, 1, 4, NULL);
        ib_attr_int(g, n, "sorted", sorted);
        assert_true(ib_infer_ok(g));
        if (sorted) {
            expect_ints(out(g, n, 0), (const int64_t[]){1, 2, 3, 4}, 4);
            expect_ints(out(g, n, 1), (const int64_t[]){1, 0, 3, 4}, 4);
            expect_ints(out(g, n, 2), (const int64_t[]){1, 0, 0, 2, 3, 2}, 6);
            expect_ints(out(g, n, 3), (const int64_t[]){2, 1, 2, 1}, 4);
        } else {
            expect_ints(out(g, n, 0), (const int64_t[]){2, 1, 3, 4}, 4);
            expect_ints(out(g, n, 2), (const int64_t[]){0, 1, 1, 2, 3, 2}, 6);
        }
        ir_graph_free(g);
    }

    /* Det */
    g = ib_graph(11);
    x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){4, 3, 3});
    n = ib_op(g, "Det", (int[]){x}, 1, 1, NULL);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 1, d4));
    ir_graph_free(g);
    g = ib_graph(11);
    x = ib_input(g, "x", IR_FLOAT, 2, (const int64_t[]){3, 2});
    ib_op(g, "Det", (int[]){x}, 1, 1, NULL);
    expect_refused(g, "square matrices");
}

/* --- losses, GridSample, RoiAlign, MaxUnpool, DFT, STFT, windows ------------------------ */

static void test_losses(void **state)
{
    (void)state;
    for (int sce = 0; sce < 2; sce++) {
        const char *op = sce ? "SoftmaxCrossEntropyLoss" : "NegativeLogLikelihoodLoss";
        ir_graph *g = ib_graph(13);
        int x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){3, 5, 2});
        int t = ib_input(g, "t", IR_INT64, 2, (const int64_t[]){3, 2});
        int n = ib_op(g, op, (int[]){x, t}, 2, sce ? 2 : 1, NULL);
        ib_attr_string(g, n, "reduction", "none");
        assert_true(ib_infer_ok(g));
        assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 2, (const int64_t[]){3, 2}));
        if (sce)
            assert_true(ib_has_shape(out(g, n, 1), IR_FLOAT, 3, (const int64_t[]){3, 5, 2}));
        ir_graph_free(g);

        g = ib_graph(13);
        x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){3, 5, 2});
        t = ib_input(g, "t", IR_INT64, 2, (const int64_t[]){3, 2});
        n = ib_op(g, op, (int[]){x, t}, 2, 1, NULL);
        assert_true(ib_infer_ok(g)); /* mean by default: a scalar */
        assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 0, NULL));
        ir_graph_free(g);
    }
    ir_graph *g = ib_graph(13);
    int x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){3, 5, 2});
    int t = ib_input(g, "t", IR_INT64, 2, (const int64_t[]){3, 4});
    ib_op(g, "NegativeLogLikelihoodLoss", (int[]){x, t}, 2, 1, NULL);
    expect_refused(g, "target's shape does not match");
}

static void test_sampling_ops(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(16);
    int x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){1, 3, 5, 7});
    int gr = ib_input(g, "g", IR_FLOAT, 4, (const int64_t[]){1, 2, 4, 2});
    int n = ib_op(g, "GridSample", (int[]){x, gr}, 2, 1, NULL);
    ib_attr_string(g, n, "mode", "bicubic");
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){1, 3, 2, 4}));
    ir_graph_free(g);

    g = ib_graph(20); /* opset 20 names the modes linear/cubic */
    x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){1, 3, 5, 7});
    gr = ib_input(g, "g", IR_FLOAT, 4, (const int64_t[]){1, 2, 4, 2});
    n = ib_op(g, "GridSample", (int[]){x, gr}, 2, 1, NULL);
    ib_attr_string(g, n, "mode", "bilinear");
    expect_refused(g, "mode 'bilinear' is not supported in opset 20");

    g = ib_graph(16);
    x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){1, 3, 10, 10});
    int r = ib_input(g, "r", IR_FLOAT, 2, (const int64_t[]){5, 4});
    int bi = ib_input(g, "b", IR_INT64, 1, (const int64_t[]){5});
    n = ib_op(g, "RoiAlign", (int[]){x, r, bi}, 3, 1, NULL);
    ib_attr_int(g, n, "output_height", 3);
    ib_attr_int(g, n, "output_width", 2);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){5, 3, 3, 2}));
    ir_graph_free(g);

    g = ib_graph(16);
    x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){1, 3, 10, 10});
    r = ib_input(g, "r", IR_FLOAT, 2, (const int64_t[]){5, 4});
    bi = ib_input(g, "b", IR_INT64, 1, (const int64_t[]){5});
    n = ib_op(g, "RoiAlign", (int[]){x, r, bi}, 3, 1, NULL);
    ib_attr_string(g, n, "mode", "max");
    expect_refused(g, "mode 'max' is not supported");

    /* MaxUnpool: (in - 1) * stride + kernel - pads, or a larger output_shape */
    g = ib_graph(11);
    x = ib_input(g, "x", IR_FLOAT, 4, (const int64_t[]){1, 2, 3, 3});
    int ind = ib_input(g, "i", IR_INT64, 4, (const int64_t[]){1, 2, 3, 3});
    int64_t os[4] = {1, 2, 7, 8};
    int o = ib_const(g, "os", IR_INT64, 1, d4, os);
    n = ib_op(g, "MaxUnpool", (int[]){x, ind, o}, 3, 1, NULL);
    ib_attr_ints(g, n, "kernel_shape", 2, (const int64_t[]){2, 2});
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){1, 2, 7, 8}));
    ir_shape s0;
    misc_unpool_inferred(g, &g->nodes[n], &s0);
    assert_int_equal(s0.dims[2], 4);
    ir_graph_free(g);
}

static void test_spectral(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(17);
    int x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){2, 10, 1});
    int64_t len = 6;
    int l = ib_const(g, "l", IR_INT64, 0, NULL, &len);
    int n = ib_op(g, "DFT", (int[]){x, l}, 2, 1, NULL);
    ib_attr_int(g, n, "onesided", 1);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 3, (const int64_t[]){2, 4, 2}));
    ir_graph_free(g);

    g = ib_graph(17);
    x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){2, 10, 2});
    n = ib_op(g, "DFT", (int[]){x}, 1, 1, NULL);
    ib_attr_int(g, n, "onesided", 1);
    expect_refused(g, "onesided needs a real forward transform");

    g = ib_graph(17);
    x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){2, 10, 1});
    l = ib_input(g, "l", IR_INT64, 0, NULL);
    ib_op(g, "DFT", (int[]){x, l}, 2, 1, NULL);
    expect_refused(g, "dft_length must be known at compile time");

    /* STFT: frames (128 - 16) / 8 + 1, onesided bins 16 / 2 + 1 */
    g = ib_graph(17);
    x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){1, 128, 1});
    int64_t step = 8, fl = 16;
    int st = ib_const(g, "st", IR_INT64, 0, NULL, &step);
    int f = ib_const(g, "fl", IR_INT64, 0, NULL, &fl);
    n = ib_op(g, "STFT", (int[]){x, st, -1, f}, 4, 1, NULL);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(out(g, n, 0), IR_FLOAT, 4, (const int64_t[]){1, 15, 9, 2}));
    ir_graph_free(g);

    g = ib_graph(17);
    x = ib_input(g, "x", IR_FLOAT, 3, (const int64_t[]){1, 128, 1});
    st = ib_input(g, "st", IR_INT64, 0, NULL);
    f = ib_const(g, "fl", IR_INT64, 0, NULL, &fl);
    ib_op(g, "STFT", (int[]){x, st, -1, f}, 4, 1, NULL);
    expect_refused(g, "frame_step must be known at compile time");

    /* windows fold: a symmetric Hann window of 3 is 0, 1, 0 */
    g = ib_graph(17);
    int64_t size = 3;
    int sz = ib_const(g, "s", IR_INT64, 0, NULL, &size);
    n = ib_op(g, "HannWindow", (int[]){sz}, 1, 1, NULL);
    ib_attr_int(g, n, "periodic", 0);
    assert_true(ib_infer_ok(g));
    const ir_tensor *y = out(g, n, 0);
    assert_non_null(y->data);
    assert_true(((const float *)y->data)[0] < 1e-7f && ((const float *)y->data)[1] == 1.0f);
    ir_graph_free(g);

    g = ib_graph(17);
    sz = ib_input(g, "s", IR_INT64, 0, NULL);
    ib_op(g, "HammingWindow", (int[]){sz}, 1, 1, NULL);
    expect_refused(g, "the size must be known at compile time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize_shapes),   cmocka_unit_test(test_resize_tables),
        cmocka_unit_test(test_resize_refusals), cmocka_unit_test(test_topk),
        cmocka_unit_test(test_hardmax),         cmocka_unit_test(test_cumsum),
        cmocka_unit_test(test_trilu),           cmocka_unit_test(test_reverse_sequence),
        cmocka_unit_test(test_onehot),          cmocka_unit_test(test_gather_nd),
        cmocka_unit_test(test_scatter),         cmocka_unit_test(test_einsum),
        cmocka_unit_test(test_data_dependent),  cmocka_unit_test(test_losses),
        cmocka_unit_test(test_sampling_ops),    cmocka_unit_test(test_spectral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
