/* Unit tests of the quantization family: output shapes and element types
 * of QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
 * QLinearMatMul, MatMulInteger, QLinearConv and ConvInteger; the kernel
 * plans the emitters share; evaluation of constant Quantize/Dequantize
 * (rounding half to even, saturation, NaN); the refusals with their
 * reasons; and the helper the generated code carries, written once. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/codegen.h"
#include "ir_build.h"
#include "passes/ops/quant.h"
#include "passes/passes.h"

/* --- building and checking graphs ---------------------------------------------- */

/* A one-value constant (rank 0) of type dt. */
static int scalar(ir_graph *g, const char *name, ir_dtype dt, double v)
{
    int t = ib_const(g, name, dt, 0, NULL, (const char[8]){0});
    ir_data_set_double(dt, g->tensors[t].data, 0, v);
    return t;
}

/* Shape inference refuses, with a message containing needle; frees g. */
static void expect_refused(ir_graph *g, const char *needle)
{
    assert_true(ib_refuses(g, needle));
    ir_graph_free(g);
}

static const int64_t d234[3] = {2, 3, 4}, d1[1] = {1}, d3[1] = {3}, d4[1] = {4};

/* --- QuantizeLinear / DequantizeLinear ---------------------------------------------- */

static void test_qdq_shapes(void **state)
{
    (void)state;
    int y[3];
    /* Per tensor without a zero point: uint8. */
    ir_graph *g = ib_graph(13);
    int ins[3] = {ib_input(g, "x", IR_FLOAT, 3, d234), scalar(g, "s", IR_FLOAT, 0.5), -1};
    ib_op(g, "QuantizeLinear", ins, 2, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_UINT8, 3, d234));
    quant_layout l;
    quant_layout_make(g, &g->nodes[0], &l);
    assert_int_equal(l.per_axis, 0);
    assert_int_equal(l.inner, 24);
    ir_graph_free(g);

    /* A 1-D scale of one value is per tensor too; an int8 zero point sets the type. */
    g = ib_graph(10);
    ins[0] = ib_input(g, "x", IR_FLOAT, 3, d234);
    ins[1] = ib_input(g, "s", IR_FLOAT, 1, d1);
    ins[2] = ib_input(g, "z", IR_INT8, 0, NULL);
    ib_op(g, "QuantizeLinear", ins, 3, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_INT8, 3, d234));
    ir_graph_free(g);

    /* Per channel of the last axis. */
    g = ib_graph(13);
    ins[0] = ib_input(g, "x", IR_FLOAT, 3, d234);
    ins[1] = ib_input(g, "s", IR_FLOAT, 1, d4);
    ins[2] = ib_input(g, "z", IR_UINT8, 1, d4);
    int n = ib_op(g, "QuantizeLinear", ins, 3, 1, y);
    ib_attr_int(g, n, "axis", -1);
    assert_true(ib_infer_ok(g));
    quant_layout_make(g, &g->nodes[n], &l);
    assert_int_equal(l.per_axis, 1);
    assert_int_equal(l.outer, 6);
    assert_int_equal(l.channels, 4);
    assert_int_equal(l.inner, 1);
    ir_graph_free(g);

    /* DequantizeLinear: float32 out, per channel of axis 1 by default. */
    g = ib_graph(13);
    ins[0] = ib_input(g, "x", IR_INT8, 3, d234);
    ins[1] = ib_input(g, "s", IR_FLOAT, 1, d3);
    ins[2] = ib_input(g, "z", IR_INT8, 1, d3);
    n = ib_op(g, "DequantizeLinear", ins, 3, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_FLOAT, 3, d234));
    quant_layout_make(g, &g->nodes[n], &l);
    assert_int_equal(l.outer, 2);
    assert_int_equal(l.channels, 3);
    assert_int_equal(l.inner, 4);
    ir_graph_free(g);

    /* int32 input with no zero point, or a constant zero one. */
    g = ib_graph(13);
    ins[0] = ib_input(g, "x", IR_INT32, 3, d234);
    ins[1] = scalar(g, "s", IR_FLOAT, 0.5);
    ins[2] = scalar(g, "z", IR_INT32, 0);
    ib_op(g, "DequantizeLinear", ins, 3, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_FLOAT, 3, d234));
    ir_graph_free(g);
}

/* A QuantizeLinear or DequantizeLinear graph of opset `opset`; x, scale
 * and zero point of the given types and shapes (zdt 0: no zero point). */
static ir_graph *qdq(const char *op, int64_t opset, ir_dtype xdt, ir_dtype sdt, int srank,
                     const int64_t *sdims, ir_dtype zdt, int zrank, const int64_t *zdims, int *n)
{
    ir_graph *g = ib_graph(opset);
    int ins[3] = {ib_input(g, "x", xdt, 3, d234), ib_input(g, "s", sdt, srank, sdims),
                  zdt ? ib_input(g, "z", zdt, zrank, zdims) : -1};
    int y[1];
    *n = ib_op(g, op, ins, zdt ? 3 : 2, 1, y);
    return g;
}

static void test_qdq_refusals(void **state)
{
    (void)state;
    int n;
    ir_graph *g = qdq("QuantizeLinear", 19, IR_FLOAT, IR_FLOAT16, 0, NULL, 0, 0, NULL, &n);
    expect_refused(g, "element type float16; only float32 is supported");

    g = qdq("QuantizeLinear", 10, IR_FLOAT, IR_FLOAT, 1, d3, 0, 0, NULL, &n);
    expect_refused(g, "a scale per channel needs opset 13");

    g = qdq("QuantizeLinear", 10, IR_FLOAT, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    ib_attr_int(g, n, "axis", 0);
    expect_refused(g, "attribute 'axis' is not part of opset 10");

    g = qdq("QuantizeLinear", 21, IR_FLOAT, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    ib_attr_int(g, n, "block_size", 2);
    expect_refused(g, "blocked quantization (block_size=2)");

    g = qdq("QuantizeLinear", 13, IR_FLOAT, IR_FLOAT, 1, d4, 0, 0, NULL, &n);
    expect_refused(g, "one value or a 1-D tensor of 3 values");

    g = qdq("QuantizeLinear", 13, IR_FLOAT, IR_FLOAT, 1, d3, IR_UINT8, 1, d4, &n);
    expect_refused(g, "must hold one value per value of the scale");

    g = qdq("QuantizeLinear", 13, IR_FLOAT, IR_FLOAT, 1, d3, 0, 0, NULL, &n);
    ib_attr_int(g, n, "axis", 3);
    expect_refused(g, "axis 3 is out of range for rank 3");

    g = qdq("QuantizeLinear", 21, IR_FLOAT, IR_FLOAT, 0, NULL, IR_INT16, 0, NULL, &n);
    expect_refused(g, "quantizing to int16 is not supported");

    g = qdq("QuantizeLinear", 21, IR_FLOAT, IR_FLOAT, 0, NULL, IR_UINT8, 0, NULL, &n);
    ib_attr_int(g, n, "output_dtype", IR_INT8);
    expect_refused(g, "output_dtype int8 differs from the zero point's type uint8");

    g = qdq("QuantizeLinear", 13, IR_INT32, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    expect_refused(g, "element type int32; only float32");

    g = qdq("QuantizeLinear", 13, IR_FLOAT, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    ib_attr_int(g, n, "keepdims", 1);
    expect_refused(g, "attribute 'keepdims' is not supported");

    g = qdq("DequantizeLinear", 13, IR_UINT16, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    expect_refused(g, "int8, uint8 and int32 are supported");

    g = qdq("DequantizeLinear", 13, IR_UINT8, IR_FLOAT, 0, NULL, IR_INT8, 0, NULL, &n);
    expect_refused(g, "must have the input's type uint8");

    g = qdq("DequantizeLinear", 13, IR_INT32, IR_FLOAT, 0, NULL, IR_INT32, 0, NULL, &n);
    expect_refused(g, "an int32 input takes no zero point");

    g = qdq("DequantizeLinear", 23, IR_INT8, IR_FLOAT, 0, NULL, 0, 0, NULL, &n);
    ib_attr_int(g, n, "output_dtype", IR_FLOAT16);
    expect_refused(g, "output_dtype float16 is not supported");
}

static void test_round_even(void **state)
{
    (void)state;
    static const float v[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 2.4999998f, 3.5000002f,
                              -7.75f, 4194303.5f};
    static const float want[] = {0, 2, 2, -0.0f, -2, -2, 2, 4, -8, 4194304.0f};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_true(quant_round_even(v[i]) == want[i]);
    /* Beyond 2^22 the result stays beyond it, on the same side. */
    assert_true(quant_round_even(1e9f) >= 4194304.0f);
    assert_true(quant_round_even(-1e9f) <= -4194304.0f);
    assert_true(quant_round_even(HUGE_VALF) == HUGE_VALF);
}

static void test_qdq_eval(void **state)
{
    (void)state;
    static const float x[9] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 300.0f, -300.0f, NAN};
    int64_t d9[1] = {9};
    int y[1];
    /* int8, zero point -1: round(x / 2) - 1, saturated; NaN at the low end. */
    ir_graph *g = ib_graph(13);
    int ins[3] = {ib_const(g, "x", IR_FLOAT, 1, d9, x), scalar(g, "s", IR_FLOAT, 0.5),
                  scalar(g, "z", IR_INT8, -1)};
    ib_op(g, "QuantizeLinear", ins, 3, 1, y);
    assert_true(ib_infer_ok(g));
    const int8_t *q = g->tensors[y[0]].data;
    assert_non_null(q);
    static const int8_t want8[9] = {0, 2, 4, -2, -4, -6, 127, -128, -128};
    for (int i = 0; i < 9; i++)
        assert_int_equal(q[i], want8[i]);
    ir_graph_free(g);

    /* uint8 per channel. */
    static const float xc[6] = {1.0f, 2.5f, -3.0f, 7.0f, 1000.0f, -2.0f};
    static const float sc[2] = {1.0f, 2.0f};
    static const uint8_t zc[2] = {10, 0};
    int64_t d23[2] = {2, 3}, d2[1] = {2};
    g = ib_graph(13);
    ins[0] = ib_const(g, "x", IR_FLOAT, 2, d23, xc);
    ins[1] = ib_const(g, "s", IR_FLOAT, 1, d2, sc);
    ins[2] = ib_const(g, "z", IR_UINT8, 1, d2, zc);
    int n = ib_op(g, "QuantizeLinear", ins, 3, 1, y);
    ib_attr_int(g, n, "axis", 0);
    assert_true(ib_infer_ok(g));
    const uint8_t *u = g->tensors[y[0]].data;
    static const uint8_t wantu[6] = {11, 12, 7, 4, 255, 0};
    for (int i = 0; i < 6; i++)
        assert_int_equal(u[i], wantu[i]);
    ir_graph_free(g);

    /* Dequantize int8 weights per channel: folded to floats. */
    static const int8_t w[6] = {-128, 0, 127, 5, -5, 3};
    static const int8_t zw[2] = {1, -2};
    g = ib_graph(13);
    ins[0] = ib_const(g, "w", IR_INT8, 2, d23, w);
    ins[1] = ib_const(g, "s", IR_FLOAT, 1, d2, sc);
    ins[2] = ib_const(g, "z", IR_INT8, 1, d2, zw);
    n = ib_op(g, "DequantizeLinear", ins, 3, 1, y);
    ib_attr_int(g, n, "axis", 0);
    assert_true(ib_infer_ok(g));
    const float *f = g->tensors[y[0]].data;
    static const float wantf[6] = {-129.0f, -1.0f, 126.0f, 14.0f, -6.0f, 10.0f};
    for (int i = 0; i < 6; i++)
        assert_true(f[i] == wantf[i]);
    ir_graph_free(g);
}

static void test_dynamic(void **state)
{
    (void)state;
    int y[3];
    ir_graph *g = ib_graph(11);
    int x = ib_input(g, "x", IR_FLOAT, 3, d234);
    ib_op(g, "DynamicQuantizeLinear", &x, 1, 3, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_UINT8, 3, d234));
    assert_true(ib_has_shape(&g->tensors[y[1]], IR_FLOAT, 0, NULL));
    assert_true(ib_has_shape(&g->tensors[y[2]], IR_UINT8, 0, NULL));
    ir_graph_free(g);

    g = ib_graph(11);
    x = ib_input(g, "x", IR_DOUBLE, 3, d234);
    ib_op(g, "DynamicQuantizeLinear", &x, 1, 3, y);
    expect_refused(g, "element type float64; only float32");
}

/* --- QLinearMatMul / MatMulInteger ---------------------------------------------------- */

/* QLinearMatMul of a (adt, shape ad) by b (bdt, shape bd), per-tensor
 * parameters except bs_n / bz_n values of b's scale / zero point (0: per
 * tensor) and az_n of a's zero point. */
static ir_graph *qlmm(ir_dtype adt, int ar, const int64_t *ad, ir_dtype bdt, int br,
                      const int64_t *bd, int az_n, int bs_n, int bz_n, ir_dtype ydt, int *y)
{
    ir_graph *g = ib_graph(13);
    int64_t an[1] = {az_n}, bsn[1] = {bs_n}, bzn[1] = {bz_n};
    int ins[8] = {ib_input(g, "a", adt, ar, ad),
                  scalar(g, "as", IR_FLOAT, 0.5),
                  az_n ? ib_input(g, "az", adt, 1, an) : scalar(g, "az", adt, 1),
                  ib_input(g, "b", bdt, br, bd),
                  bs_n ? ib_input(g, "bs", IR_FLOAT, 1, bsn) : scalar(g, "bs", IR_FLOAT, 0.25),
                  bz_n ? ib_input(g, "bz", bdt, 1, bzn) : scalar(g, "bz", bdt, 2),
                  scalar(g, "ys", IR_FLOAT, 0.125),
                  scalar(g, "yz", ydt, 3)};
    ib_op(g, "QLinearMatMul", ins, 8, 1, y);
    return g;
}

static void test_qmm_shapes(void **state)
{
    (void)state;
    int y[1];
    int64_t a4[4] = {2, 1, 3, 5}, b3[3] = {4, 5, 6}, y4[4] = {2, 4, 3, 6};
    ir_graph *g = qlmm(IR_UINT8, 4, a4, IR_INT8, 3, b3, 0, 6, 6, IR_INT8, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_INT8, 4, y4));
    qmm_plan p;
    qmm_plan_make(g, &g->nodes[0], &p);
    assert_int_equal(p.batches, 8);
    assert_int_equal(p.m, 3);
    assert_int_equal(p.kernel, QMM_K_AXPY); /* depth 5 */
    ir_graph_free(g);

    /* MatMulInteger with a vector for A: int32, the row axis dropped. */
    int64_t k5[1] = {5}, b53[2] = {5, 3}, n3[1] = {3};
    g = ib_graph(10);
    int ins[4] = {ib_input(g, "a", IR_UINT8, 1, k5), ib_input(g, "b", IR_INT8, 2, b53), -1, -1};
    ib_op(g, "MatMulInteger", ins, 2, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_INT32, 1, n3));
    ir_graph_free(g);

    /* Batches of A over one B fold into rows; deep enough for dot products. */
    int64_t a3[3] = {2, 4, 40}, b2[2] = {40, 1000}, y3[3] = {2, 4, 1000};
    g = ib_graph(10);
    ins[0] = ib_input(g, "a", IR_INT8, 3, a3);
    ins[1] = ib_input(g, "b", IR_INT8, 2, b2);
    ib_op(g, "MatMulInteger", ins, 2, 1, y);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_INT32, 3, y3));
    qmm_plan_make(g, &g->nodes[0], &p);
    assert_int_equal(p.batches, 1);
    assert_int_equal(p.m, 8);
    assert_int_equal(p.kernel, QMM_K_DOT);
    assert_int_equal(p.tile_cols, QCONV_TILE_BYTES / (2 * 40));
    assert_int_equal(p.scratch_bytes, p.bt_bytes + 2 * 40 * 2);
    assert_int_equal(pass_select_kernels(g, NULL), 0);
    assert_int_equal(g->nodes[0].kernel, QMM_K_DOT);
    assert_int_equal(g->nodes[0].scratch_bytes, p.scratch_bytes);
    ir_graph_free(g);
}

static void test_qmm_refusals(void **state)
{
    (void)state;
    int y[1];
    int64_t a2[2] = {4, 5}, b2[2] = {5, 6}, b6[2] = {6, 6};
    expect_refused(qlmm(IR_UINT8, 2, a2, IR_UINT8, 2, b2, 4, 0, 0, IR_UINT8, y),
                   "a_zero_point 'az' has shape 4; only one value (per tensor) is supported");
    expect_refused(qlmm(IR_UINT8, 2, a2, IR_UINT8, 2, b2, 0, 5, 0, IR_UINT8, y),
                   "one value or a 1-D tensor of 6 values");
    expect_refused(qlmm(IR_UINT8, 2, a2, IR_UINT8, 2, b6, 0, 0, 0, IR_UINT8, y),
                   "A has 5 columns, B 6 rows");
    expect_refused(qlmm(IR_FLOAT, 2, a2, IR_UINT8, 2, b2, 0, 0, 0, IR_UINT8, y),
                   "A 'a' has element type float32; only int8 and uint8");
    expect_refused(qlmm(IR_UINT8, 2, a2, IR_UINT8, 2, b2, 0, 0, 0, IR_INT32, y),
                   "the output zero point 'yz' has element type int32");

    ir_graph *g = ib_graph(10);
    int64_t ab[2] = {2, QUANT_MAX_DEPTH + 1}, bb[2] = {QUANT_MAX_DEPTH + 1, 2};
    int ins[4] = {ib_input(g, "a", IR_UINT8, 2, ab), ib_input(g, "b", IR_UINT8, 2, bb), -1, -1};
    ib_op(g, "MatMulInteger", ins, 2, 1, y);
    expect_refused(g, "could overflow the int32 sums");

    g = ib_graph(10);
    int64_t a3[3] = {3, 2, 5}, b3[3] = {2, 5, 6};
    ins[0] = ib_input(g, "a", IR_UINT8, 3, a3);
    ins[1] = ib_input(g, "b", IR_UINT8, 3, b3);
    ib_op(g, "MatMulInteger", ins, 2, 1, y);
    expect_refused(g, "the batch axes of A and B do not broadcast");

    g = ib_graph(10); /* QLinearMatMul needs every input */
    ins[0] = ib_input(g, "a", IR_UINT8, 2, a2);
    ins[1] = scalar(g, "as", IR_FLOAT, 1);
    int all[8] = {ins[0], ins[1], -1, ib_input(g, "b", IR_UINT8, 2, b2),
                  scalar(g, "bs", IR_FLOAT, 1), -1, scalar(g, "ys", IR_FLOAT, 1),
                  scalar(g, "yz", IR_UINT8, 0)};
    ib_op(g, "QLinearMatMul", all, 8, 1, y);
    expect_refused(g, "input 2 is missing");
}

/* --- QLinearConv / ConvInteger ------------------------------------------------------------- */

/* QLinearConv of x (u8, shape xd) by constant-shaped w (s8, shape wd), with
 * w_scale of ws_n values (0: one), a bias of bias_n values (0: none). */
static ir_graph *qlconv(int rank, const int64_t *xd, const int64_t *wd, int ws_n, int bias_n,
                        ir_dtype bias_dt, int *node_index, int *y)
{
    ir_graph *g = ib_graph(13);
    int64_t wsn[1] = {ws_n}, bn[1] = {bias_n};
    int ins[9] = {ib_input(g, "x", IR_UINT8, rank, xd),
                  scalar(g, "xs", IR_FLOAT, 0.5),
                  scalar(g, "xz", IR_UINT8, 128),
                  ib_input(g, "w", IR_INT8, rank, wd),
                  ws_n ? ib_input(g, "ws", IR_FLOAT, 1, wsn) : scalar(g, "ws", IR_FLOAT, 0.25),
                  scalar(g, "wz", IR_INT8, 0),
                  scalar(g, "ys", IR_FLOAT, 0.125),
                  scalar(g, "yz", IR_UINT8, 3),
                  bias_n ? ib_input(g, "b", bias_dt, 1, bn) : -1};
    *node_index = ib_op(g, "QLinearConv", ins, bias_n ? 9 : 8, 1, y);
    return g;
}

static void test_qconv_shapes(void **state)
{
    (void)state;
    int y[1], n;
    static const int64_t pads[4] = {1, 1, 1, 1}, strides[2] = {2, 2};
    int64_t xd[4] = {1, 4, 9, 9}, wd[4] = {8, 2, 3, 3}, yd[4] = {1, 8, 5, 5};
    ir_graph *g = qlconv(4, xd, wd, 8, 8, IR_INT32, &n, y);
    ib_attr_int(g, n, "group", 2);
    ib_attr_ints(g, n, "pads", 4, pads);
    ib_attr_ints(g, n, "strides", 2, strides);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_UINT8, 4, yd));
    qconv_plan p;
    diag d;
    diag_init(&d);
    assert_int_equal(qconv_plan_make(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.taps, 18);
    assert_int_equal(p.kernel, QCONV_K_DOT);
    assert_int_equal(p.rows, 5);
    assert_int_equal(p.row_len, 5);
    assert_int_equal(p.tile_rows, 5); /* 18 x 25 int16 fit in a tile */
    assert_int_equal(p.scratch_bytes, p.col_bytes + 2 * 18 * 2);
    assert_true(p.cg.has_bias);
    diag_free(&d);
    ir_graph_free(g);

    /* ConvInteger, 1-D, SAME_UPPER, stride 2: int32; few taps: AXPY. */
    int64_t x3[3] = {2, 3, 10}, w3[3] = {4, 3, 3}, y3[3] = {2, 4, 5};
    static const int64_t s1[1] = {2};
    g = ib_graph(10);
    int ins[4] = {ib_input(g, "x", IR_UINT8, 3, x3), ib_input(g, "w", IR_UINT8, 3, w3),
                  scalar(g, "xz", IR_UINT8, 3), -1};
    n = ib_op(g, "ConvInteger", ins, 3, 1, y);
    ib_attr_string(g, n, "auto_pad", "SAME_UPPER");
    ib_attr_ints(g, n, "strides", 1, s1);
    assert_true(ib_infer_ok(g));
    assert_true(ib_has_shape(&g->tensors[y[0]], IR_INT32, 3, y3));
    diag_init(&d);
    assert_int_equal(qconv_plan_make(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.kernel, QCONV_K_AXPY);
    assert_int_equal(p.p3[2], 0); /* total padding 1: after (UPPER) */
    assert_int_equal(p.e3[2], 1);
    assert_int_equal(p.scratch_bytes, p.col_bytes + p.tile * 4);
    diag_free(&d);
    ir_graph_free(g);

    /* Rows that do not fit one tile: the largest divisor that does. */
    int64_t xb[4] = {1, 64, 30, 30}, wb[4] = {16, 64, 3, 3};
    g = qlconv(4, xb, wb, 0, 0, IR_INT32, &n, y);
    assert_true(ib_infer_ok(g));
    diag_init(&d);
    assert_int_equal(qconv_plan_make(g, &g->nodes[n], &p, &d), 0);
    assert_int_equal(p.rows, 28);
    assert_true(p.tile_rows >= 1 && p.rows % p.tile_rows == 0);
    assert_true(p.tile_rows == 1 || p.taps * p.tile * 2 <= QCONV_TILE_BYTES);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_qconv_refusals(void **state)
{
    (void)state;
    int y[1], n;
    int64_t xd[4] = {1, 4, 6, 6}, wd[4] = {8, 4, 3, 3};
    expect_refused(qlconv(4, xd, wd, 0, 8, IR_FLOAT, &n, y),
                   "the bias 'b' must be an int32 vector of 8 values");
    expect_refused(qlconv(4, xd, wd, 0, 7, IR_INT32, &n, y),
                   "must be an int32 vector of 8 values");
    expect_refused(qlconv(4, xd, wd, 3, 0, IR_INT32, &n, y),
                   "w_scale 'ws' has shape 3; one value or a 1-D tensor of 8 values");

    ir_graph *g = qlconv(4, xd, wd, 0, 0, IR_INT32, &n, y);
    ib_attr_int(g, n, "group", 3);
    expect_refused(g, "group 3 must divide the input channels (4)");

    static const int64_t ks[2] = {2, 2};
    g = qlconv(4, xd, wd, 0, 0, IR_INT32, &n, y);
    ib_attr_ints(g, n, "kernel_shape", 2, ks);
    expect_refused(g, "kernel_shape says 2 on spatial axis 0, the weights 3");

    g = qlconv(4, xd, wd, 0, 0, IR_INT32, &n, y);
    ib_attr_string(g, n, "auto_pad", "SAME");
    expect_refused(g, "auto_pad 'SAME' is not supported");

    g = qlconv(4, xd, wd, 0, 0, IR_INT32, &n, y);
    ib_attr_int(g, n, "alpha", 1);
    expect_refused(g, "attribute 'alpha' is not supported");

    static const int64_t huge[4] = {INT64_MAX, 0, 0, 0};
    g = qlconv(4, xd, wd, 0, 0, IR_INT32, &n, y);
    ib_attr_ints(g, n, "pads", 4, huge);
    expect_refused(g, "attribute 'pads' holds 9223372036854775807; at most");

    int64_t x2[2] = {4, 6}, w2[2] = {8, 4};
    expect_refused(qlconv(2, x2, w2, 0, 0, IR_INT32, &n, y), "input of rank 2 is not supported");

    int64_t xbig[4] = {1, 4000, 3, 3}, wbig[4] = {1, 4000, 3, 3};
    expect_refused(qlconv(4, xbig, wbig, 0, 0, IR_INT32, &n, y),
                   "36000 taps per output");

    /* ConvInteger: x's zero point is per tensor. */
    g = ib_graph(10);
    int ins[4] = {ib_input(g, "x", IR_UINT8, 4, xd), ib_input(g, "w", IR_UINT8, 4, wd),
                  ib_input(g, "xz", IR_UINT8, 1, d4), -1};
    ib_op(g, "ConvInteger", ins, 3, 1, y);
    expect_refused(g, "x_zero_point 'xz' has shape 4; only one value");

    g = ib_graph(10);
    ins[2] = -1;
    ins[0] = ib_input(g, "x", IR_UINT8, 4, xd);
    ins[1] = ib_input(g, "w", IR_INT16, 4, wd);
    ib_op(g, "ConvInteger", ins, 2, 1, y);
    expect_refused(g, "the weights 'w' has element type int16");
}

/* --- generated code ----------------------------------------------------------------------- */

static int count(const char *s, const char *needle)
{
    int c = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        c++;
    return c;
}

/* x -> QLinearConv (bias) -> QLinearConv (bias) -> DequantizeLinear, with
 * constant weights; the wrap-around helper is written once, before use. */
static void test_codegen_helpers(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int64_t xd[4] = {1, 4, 5, 5}, wd[4] = {4, 4, 3, 3}, b4[1] = {4};
    int8_t w[144];
    int32_t bias[4] = {5, -5, 100, 0};
    for (int i = 0; i < 144; i++)
        w[i] = (int8_t)(i % 17 - 8);
    int x = ib_input(g, "x", IR_UINT8, 4, xd), t = x, y[1];
    static const int64_t pads[4] = {1, 1, 1, 1};
    for (int k = 0; k < 2; k++) {
        int ins[9] = {t,
                      scalar(g, "xs", IR_FLOAT, 0.5),
                      scalar(g, "xz", IR_UINT8, 128),
                      ib_const(g, "w", IR_INT8, 4, wd, w),
                      scalar(g, "ws", IR_FLOAT, 0.25),
                      scalar(g, "wz", IR_INT8, 0),
                      scalar(g, "ys", IR_FLOAT, 0.125),
                      scalar(g, "yz", IR_UINT8, 3),
                      ib_const(g, "b", IR_INT32, 1, b4, bias)};
        int outs[1] = {ir_graph_add_tensor(g, k ? "c2" : "c1")};
        int n = ib_node(g, "QLinearConv", k ? "conv2" : "conv1", ins, 9, outs, 1);
        ib_attr_ints(g, n, "pads", 4, pads);
        t = outs[0];
    }
    int dq[2] = {t, scalar(g, "s", IR_FLOAT, 0.125)};
    ib_op(g, "DequantizeLinear", dq, 2, 1, y);
    ib_code code;
    assert_int_equal(ib_compile(g, "qt", &code), 0);
    assert_int_equal(count(code.c.s, "static int32_t scnn_q_i32("), 1);
    assert_true(strstr(code.c.s, "static int32_t scnn_q_i32(") <
                strstr(code.c.s, "scnn_q_i32((uint32_t)"));
    assert_int_equal(count(code.c.s, "k0_qlinearconv("), 2); /* definition and call */
    assert_int_equal(count(code.c.s, "k1_qlinearconv("), 2);
    /* Constant per-tensor parameters are baked. */
    assert_true(count(code.c.s, "const int32_t xz = 128;") == 2);
    ib_code_free(&code);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qdq_shapes),    cmocka_unit_test(test_qdq_refusals),
        cmocka_unit_test(test_round_even),    cmocka_unit_test(test_qdq_eval),
        cmocka_unit_test(test_dynamic),       cmocka_unit_test(test_qmm_shapes),
        cmocka_unit_test(test_qmm_refusals),  cmocka_unit_test(test_qconv_shapes),
        cmocka_unit_test(test_qconv_refusals), cmocka_unit_test(test_codegen_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
