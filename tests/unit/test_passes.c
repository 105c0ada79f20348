/* Unit tests of the graph passes that do not depend on any one operator
 * family: dead-node elimination, constant folding, BatchNormalization folding
 * (checked numerically against the unfused computation) and activation
 * fusion. Graphs are built directly in IR with known shapes. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/passes.h"

static unsigned rng_state = 1;

static float rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void fill(float *p, int64_t n, float lo_pos)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = lo_pos > 0 ? lo_pos + fabsf(rnd()) : rnd();
}

static int count_op(const ir_graph *g, const char *op)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += strcmp(g->nodes[i].op, op) == 0;
    return n;
}

/* --- eliminate-dead and fold-constants ---------------------------------------- */

static void test_eliminate_dead(void **state)
{
    (void)state;
    static const int64_t d[] = {4};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), a = ib_tensor(g, "a", IR_FLOAT, 1, d),
        b = ib_tensor(g, "b", IR_FLOAT, 1, d), unused = ib_tensor(g, "unused", IR_FLOAT, 1, d),
        unused2 = ib_tensor(g, "unused2", IR_FLOAT, 1, d), y = ib_tensor(g, "y", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    ib_node(g, "Relu", "keep1", &x, 1, &a, 1);
    ib_node(g, "Relu", "drop1", &a, 1, &unused, 1);
    ib_node(g, "Relu", "drop2", &unused, 1, &unused2, 1);
    ib_node(g, "Relu", "keep2", &a, 1, &b, 1);
    int two[] = {a, b};
    ib_node(g, "Add", "keep3", two, 2, &y, 1);
    ib_node(g, "Foo", "no_outputs", &y, 1, NULL, 0);
    ib_mark_output(g, y);
    diag dg;
    diag_init(&dg);
    assert_int_equal(pass_eliminate_dead(g, &dg), 0);
    assert_int_equal(g->n_nodes, 3);
    assert_string_equal(g->nodes[0].name, "keep1");
    assert_string_equal(g->nodes[1].name, "keep2");
    assert_string_equal(g->nodes[2].name, "keep3");
    assert_int_equal(g->tensors[y].producer, 2);
    assert_int_equal(g->tensors[unused].producer, -1);
    diag_free(&dg);
    ir_graph_free(g);
}

/* A node with several outputs lives while any of them is needed. */
static void test_eliminate_dead_multi_output(void **state)
{
    (void)state;
    static const int64_t d[] = {4};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), p = ib_tensor(g, "p", IR_FLOAT, 1, d),
        q = ib_tensor(g, "q", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    int outs[] = {p, q};
    ib_node(g, "Split", "split", &x, 1, outs, 2);
    ib_mark_output(g, q);
    diag dg;
    diag_init(&dg);
    assert_int_equal(pass_eliminate_dead(g, &dg), 0);
    assert_int_equal(g->n_nodes, 1);
    diag_free(&dg);
    ir_graph_free(g);
}

static void test_fold_constants(void **state)
{
    (void)state;
    static const int64_t d[] = {2};
    float v[2] = {1, 2};
    ir_graph *g = ir_graph_new();
    int c = ib_const(g, "c", IR_FLOAT, 1, d, v), folded = ib_const(g, "folded", IR_FLOAT, 1, d, v);
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), y = ib_tensor(g, "y", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    ib_node(g, "Relu", "constant_node", &c, 1, &folded, 1);
    int two[] = {x, folded};
    ib_node(g, "Add", "live", two, 2, &y, 1);
    ib_mark_output(g, y);
    diag dg;
    diag_init(&dg);
    assert_int_equal(pass_fold_constants(g, &dg), 0);
    assert_int_equal(g->n_nodes, 1);
    assert_string_equal(g->nodes[0].name, "live");
    assert_non_null(g->tensors[folded].data);
    diag_free(&dg);
    ir_graph_free(g);
}

/* --- fuse-batchnorm ----------------------------------------------------------- */

/* Direct convolution, stride 1, no padding, NCHW, batch 1, groups. */
static void conv_ref(const float *x, int C, int H, int W, const float *w, const float *b, int M,
                     int K, int groups, float *y)
{
    int OH = H - K + 1, OW = W - K + 1, cpg = C / groups, mpg = M / groups;
    for (int m = 0; m < M; m++) {
        int gi = m / mpg;
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                double acc = b ? b[m] : 0;
                for (int c = 0; c < cpg; c++)
                    for (int i = 0; i < K; i++)
                        for (int j = 0; j < K; j++)
                            acc += (double)x[((gi * cpg + c) * H + oh + i) * W + ow + j] *
                                   w[((m * cpg + c) * K + i) * K + j];
                y[(m * OH + oh) * OW + ow] = (float)acc;
            }
    }
}

static void bn_ref(float *y, int M, int64_t spatial, const float *s, const float *bias,
                   const float *mean, const float *var, float eps)
{
    for (int m = 0; m < M; m++)
        for (int64_t k = 0; k < spatial; k++) {
            float *v = &y[m * spatial + k];
            *v = (float)(((double)*v - mean[m]) / sqrt((double)var[m] + eps) * s[m] + bias[m]);
        }
}

static void assert_close(const float *got, const float *want, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!(fabsf(got[i] - want[i]) <= 1e-5f + 1e-4f * fabsf(want[i])))
            fail_msg("element %lld: got %.9g want %.9g", (long long)i, got[i], want[i]);
}

typedef struct bn_params {
    float s[8], b[8], mean[8], var[8];
    int bn_s, bn_b, bn_mean, bn_var;
} bn_params;

static void add_bn_params(ir_graph *g, bn_params *p, int M)
{
    int64_t dm[] = {M};
    fill(p->s, M, 0);
    fill(p->b, M, 0);
    fill(p->mean, M, 0);
    fill(p->var, M, 0.1f);
    p->bn_s = ib_const(g, "bn_scale", IR_FLOAT, 1, dm, p->s);
    p->bn_b = ib_const(g, "bn_bias", IR_FLOAT, 1, dm, p->b);
    p->bn_mean = ib_const(g, "bn_mean", IR_FLOAT, 1, dm, p->mean);
    p->bn_var = ib_const(g, "bn_var", IR_FLOAT, 1, dm, p->var);
}

static void conv_bn_case(int with_bias, int groups, int shared_weight)
{
    enum { C = 4, H = 5, W = 6, M = 6, K = 3, OH = H - K + 1, OW = W - K + 1 };
    float x[C * H * W], w[M * C * K * K], b[M];
    int64_t wdims[] = {M, C / groups, K, K};
    int64_t wn = M * (C / groups) * K * K;
    fill(x, C * H * W, 0);
    fill(w, wn, 0);
    fill(b, M, 0);
    float w_copy[sizeof w / sizeof w[0]];
    memcpy(w_copy, w, sizeof w);

    ir_graph *g = ir_graph_new();
    int64_t xd[] = {1, C, H, W}, yd[] = {1, M, OH, OW}, bd[] = {M};
    int tx = ib_tensor(g, "x", IR_FLOAT, 4, xd);
    ib_mark_input(g, tx);
    int tw = ib_const(g, "w", IR_FLOAT, 4, wdims, w);
    int tb = with_bias ? ib_const(g, "b", IR_FLOAT, 1, bd, b) : -1;
    int ty = ib_tensor(g, "conv_out", IR_FLOAT, 4, yd), tz = ib_tensor(g, "z", IR_FLOAT, 4, yd);
    bn_params p;
    add_bn_params(g, &p, M);
    int cin[] = {tx, tw, tb};
    int conv = ib_node(g, "Conv", "conv", cin, with_bias ? 3 : 2, &ty, 1);
    ib_attr_int(g, conv, "group", groups);
    int bin[] = {ty, p.bn_s, p.bn_b, p.bn_mean, p.bn_var};
    int bn = ib_node(g, "BatchNormalization", "bn", bin, 5, &tz, 1);
    ib_attr_float(g, bn, "epsilon", 1e-3f);
    ib_mark_output(g, tz);
    int other = -1;
    if (shared_weight) { /* a second conv reads the same weight: it must not change */
        other = ib_tensor(g, "other", IR_FLOAT, 4, yd);
        ib_node(g, "Conv", "conv2", cin, with_bias ? 3 : 2, &other, 1);
        ib_attr_int(g, g->n_nodes - 1, "group", groups);
        ib_mark_output(g, other);
    }

    float want[M * OH * OW], got[M * OH * OW];
    conv_ref(x, C, H, W, w, with_bias ? b : NULL, M, K, groups, want);
    bn_ref(want, M, OH * OW, p.s, p.b, p.mean, p.var, 1e-3f);

    diag d;
    diag_init(&d);
    assert_int_equal(pass_fuse_batchnorm(g, &d), 0);
    assert_int_equal(count_op(g, "BatchNormalization"), 0);
    const ir_node *c = &g->nodes[0];
    assert_string_equal(c->op, "Conv");
    assert_int_equal(c->outputs[0], tz);
    assert_int_equal(c->n_inputs, 3);
    assert_int_equal(g->tensors[tz].producer, 0);
    const ir_tensor *nw = &g->tensors[c->inputs[1]], *nb = &g->tensors[c->inputs[2]];
    assert_true(ir_shape_equal(&nw->shape, &g->tensors[tw].shape));
    assert_int_equal(ir_tensor_numel(nb), M);
    conv_ref(x, C, H, W, nw->data, nb->data, M, K, groups, got);
    assert_close(got, want, M * OH * OW);
    /* The original weight and bias are untouched (they may be shared). */
    assert_memory_equal(g->tensors[tw].data, w_copy, (size_t)wn * 4);
    if (with_bias)
        assert_memory_equal(g->tensors[tb].data, b, sizeof b);
    if (shared_weight) {
        assert_int_equal(g->nodes[1].inputs[1], tw);
        assert_int_equal(g->nodes[1].outputs[0], other);
    }
    diag_free(&d);
    ir_graph_free(g);
}

static void test_fuse_bn_conv(void **state)
{
    (void)state;
    conv_bn_case(1, 1, 0);
    conv_bn_case(0, 1, 0);
    conv_bn_case(1, 2, 0);
    conv_bn_case(0, 1, 1);
}

/* c is per column (shape [M]) or, with c_col, per row (shape [N, 1]). */
static void gemm_ref(const float *a, const float *b, const float *c, int c_col, int N, int K,
                     int M, int trans_b, float alpha, float beta, float *y)
{
    for (int n = 0; n < N; n++)
        for (int m = 0; m < M; m++) {
            double acc = 0;
            for (int k = 0; k < K; k++)
                acc += (double)a[n * K + k] * (trans_b ? b[m * K + k] : b[k * M + m]);
            y[n * M + m] = (float)(alpha * acc + (c ? beta * c[c_col ? n : m] : 0));
        }
}

typedef struct gemm_case {
    int trans_b, with_c, trans_a, c_col;
    float alpha, beta;
    int expect_fused;
} gemm_case;

static void gemm_bn_case(const gemm_case *gc)
{
    enum { N = 4, K = 5, M = 4 }; /* N == M lets a [N, 1] bias pass for a [M] one */
    float a[N * K], bw[K * M], c[M];
    fill(a, N * K, 0);
    fill(bw, K * M, 0);
    fill(c, M, 0);
    ir_graph *g = ir_graph_new();
    int64_t ad[] = {N, K}, bd[] = {gc->trans_b ? M : K, gc->trans_b ? K : M}, cd[] = {M, 1},
            yd[] = {N, M};
    int ta = ib_tensor(g, "a", IR_FLOAT, 2, ad);
    ib_mark_input(g, ta);
    int tb = ib_const(g, "b", IR_FLOAT, 2, bd, bw);
    int tc = gc->with_c ? ib_const(g, "c", IR_FLOAT, gc->c_col ? 2 : 1, cd, c) : -1;
    int ty = ib_tensor(g, "gemm_out", IR_FLOAT, 2, yd), tz = ib_tensor(g, "z", IR_FLOAT, 2, yd);
    bn_params p;
    add_bn_params(g, &p, M);
    int gin[] = {ta, tb, tc};
    int gemm = ib_node(g, "Gemm", "gemm", gin, gc->with_c ? 3 : 2, &ty, 1);
    ib_attr_int(g, gemm, "transB", gc->trans_b);
    ib_attr_int(g, gemm, "transA", gc->trans_a);
    ib_attr_float(g, gemm, "alpha", gc->alpha);
    ib_attr_float(g, gemm, "beta", gc->beta);
    int bin[] = {ty, p.bn_s, p.bn_b, p.bn_mean, p.bn_var};
    ib_node(g, "BatchNormalization", "bn", bin, 5, &tz, 1);
    ib_mark_output(g, tz);

    diag d;
    diag_init(&d);
    assert_int_equal(pass_fuse_batchnorm(g, &d), 0);
    assert_int_equal(count_op(g, "BatchNormalization"), gc->expect_fused ? 0 : 1);
    if (gc->expect_fused) {
        float want[N * M], got[N * M];
        /* BatchNorm over [N, M] has channels on axis 1: per column. */
        gemm_ref(a, bw, gc->with_c ? c : NULL, gc->c_col, N, K, M, gc->trans_b, gc->alpha,
                 gc->beta, want);
        for (int n = 0; n < N; n++)
            for (int m = 0; m < M; m++) {
                float *v = &want[n * M + m];
                *v = (float)(((double)*v - p.mean[m]) / sqrt((double)p.var[m] + 1e-5) * p.s[m] +
                             p.b[m]);
            }
        const ir_node *n = &g->nodes[0];
        assert_int_equal(n->outputs[0], tz);
        gemm_ref(a, g->tensors[n->inputs[1]].data, g->tensors[n->inputs[2]].data, 0, N, K, M,
                 (int)ir_attr_int(n, "transB", 0), ir_attr_float(n, "alpha", 1),
                 ir_attr_float(n, "beta", 1), got);
        assert_close(got, want, N * M);
    }
    diag_free(&d);
    ir_graph_free(g);
}

static void test_fuse_bn_gemm(void **state)
{
    (void)state;
    static const gemm_case cases[] = {
        {.trans_b = 0, .with_c = 1, .alpha = 1, .beta = 1, .expect_fused = 1},
        {.trans_b = 1, .with_c = 1, .alpha = 1, .beta = 1, .expect_fused = 1},
        {.trans_b = 1, .with_c = 0, .alpha = 1, .beta = 0.5f, .expect_fused = 1},
        {.trans_b = 0, .with_c = 0, .alpha = 1, .beta = 1, .expect_fused = 1},
        {.trans_b = 0, .with_c = 1, .alpha = 2, .beta = 1, .expect_fused = 0},
        {.trans_b = 0, .with_c = 1, .alpha = 1, .beta = 0.5f, .expect_fused = 0},
        {.trans_b = 0, .with_c = 1, .trans_a = 1, .alpha = 1, .beta = 1, .expect_fused = 0},
        /* a bias broadcast along rows is not a per-channel bias */
        {.trans_b = 0, .with_c = 1, .c_col = 1, .alpha = 1, .beta = 1, .expect_fused = 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        gemm_bn_case(&cases[i]);
}

/* Cases where folding would be wrong: the conv output has another reader or is
 * a graph output, the BatchNorm runs in training mode or has more outputs. */
static void test_fuse_bn_refusals(void **state)
{
    (void)state;
    for (int variant = 0; variant < 4; variant++) {
        enum { C = 2, M = 2 };
        ir_graph *g = ir_graph_new();
        int64_t xd[] = {1, C, 3, 3}, yd[] = {1, M, 3, 3}, wd[] = {M, C, 1, 1}, md[] = {M};
        float w[M * C] = {1, 2, 3, 4};
        int tx = ib_tensor(g, "x", IR_FLOAT, 4, xd);
        ib_mark_input(g, tx);
        int tw = ib_const(g, "w", IR_FLOAT, 4, wd, w);
        int ty = ib_tensor(g, "y", IR_FLOAT, 4, yd), tz = ib_tensor(g, "z", IR_FLOAT, 4, yd);
        int tm = ib_tensor(g, "running_mean", IR_FLOAT, 1, md);
        bn_params p;
        add_bn_params(g, &p, M);
        int cin[] = {tx, tw};
        ib_node(g, "Conv", "conv", cin, 2, &ty, 1);
        int bin[] = {ty, p.bn_s, p.bn_b, p.bn_mean, p.bn_var}, bouts[] = {tz, tm};
        int bn = ib_node(g, "BatchNormalization", "bn", bin, 5, bouts, variant == 2 ? 2 : 1);
        ib_mark_output(g, tz);
        if (variant == 0) { /* y read by a second node */
            int other = ib_tensor(g, "other", IR_FLOAT, 4, yd);
            ib_node(g, "Relu", "reader", &ty, 1, &other, 1);
            ib_mark_output(g, other);
        } else if (variant == 1) {
            ib_mark_output(g, ty);
        } else if (variant == 2) {
            ib_mark_output(g, tm);
        } else {
            ib_attr_int(g, bn, "training_mode", 1);
        }
        diag d;
        diag_init(&d);
        assert_int_equal(pass_fuse_batchnorm(g, &d), 0);
        if (count_op(g, "BatchNormalization") != 1)
            fail_msg("variant %d was fused", variant);
        diag_free(&d);
        ir_graph_free(g);
    }
}

/* --- fuse-activation ---------------------------------------------------------- */

typedef struct act_graph {
    ir_graph *g;
    int x, y, z, act;
} act_graph;

/* x -> producer -> y -> act_op -> z */
static act_graph act_case(const char *producer, const char *act_op, ir_dtype dt)
{
    static const int64_t d[] = {8};
    act_graph a;
    a.g = ir_graph_new();
    a.x = ib_tensor(a.g, "x", dt, 1, d);
    ib_mark_input(a.g, a.x);
    a.y = ib_tensor(a.g, "y", dt, 1, d);
    a.z = ib_tensor(a.g, "z", dt, 1, d);
    int two[] = {a.x, a.x};
    ib_node(a.g, producer, "producer", two, 2, &a.y, 1);
    a.act = ib_node(a.g, act_op, "act", &a.y, 1, &a.z, 1);
    ib_mark_output(a.g, a.z);
    return a;
}

static void test_fuse_relu(void **state)
{
    (void)state;
    static const char *const fusable[] = {"Conv", "Gemm", "MatMul", "Add"};
    for (int i = 0; i < 4; i++) {
        act_graph a = act_case(fusable[i], "Relu", IR_FLOAT);
        diag d;
        diag_init(&d);
        assert_int_equal(pass_fuse_activation(a.g, &d), 0);
        assert_int_equal(a.g->n_nodes, 1);
        assert_int_equal(a.g->nodes[0].act, IR_ACT_RELU);
        assert_int_equal(a.g->nodes[0].outputs[0], a.z);
        assert_int_equal(a.g->tensors[a.z].producer, 0);
        diag_free(&d);
        ir_graph_free(a.g);
    }
    /* Not fusable: another producer, a non-float type. */
    static const struct { const char *op; ir_dtype dt; } no[] = {
        {"Mul", IR_FLOAT}, {"Sub", IR_FLOAT}, {"Add", IR_INT32}};
    for (int i = 0; i < 3; i++) {
        act_graph a = act_case(no[i].op, "Relu", no[i].dt);
        diag d;
        diag_init(&d);
        assert_int_equal(pass_fuse_activation(a.g, &d), 0);
        assert_int_equal(a.g->n_nodes, 2);
        assert_int_equal(a.g->nodes[0].act, IR_ACT_NONE);
        diag_free(&d);
        ir_graph_free(a.g);
    }
}

static void test_fuse_relu_refusals(void **state)
{
    (void)state;
    static const int64_t d[] = {8};
    for (int variant = 0; variant < 3; variant++) {
        act_graph a = act_case("Conv", "Relu", IR_FLOAT);
        if (variant == 0) { /* y has another reader */
            int w = ib_tensor(a.g, "w", IR_FLOAT, 1, d);
            ib_node(a.g, "Relu", "other", &a.y, 1, &w, 1);
            ib_mark_output(a.g, w);
        } else if (variant == 1) { /* y is a graph output */
            ib_mark_output(a.g, a.y);
        } else { /* producer already has an activation */
            a.g->nodes[0].act = IR_ACT_RELU;
        }
        diag dg;
        diag_init(&dg);
        assert_int_equal(pass_fuse_activation(a.g, &dg), 0);
        assert_int_equal(count_op(a.g, "Relu"), variant == 0 ? 2 : 1);
        assert_int_equal(a.g->tensors[a.z].producer >= 0, 1);
        assert_string_equal(a.g->nodes[a.g->tensors[a.z].producer].op, "Relu");
        diag_free(&dg);
        ir_graph_free(a.g);
    }
}

static void test_fuse_clip(void **state)
{
    (void)state;
    static const int64_t scalar[] = {0};
    /* opset < 11: bounds as attributes */
    act_graph a = act_case("Conv", "Clip", IR_FLOAT);
    ib_attr_float(a.g, a.act, "min", 0.0f);
    ib_attr_float(a.g, a.act, "max", 6.0f);
    diag d;
    diag_init(&d);
    assert_int_equal(pass_fuse_activation(a.g, &d), 0);
    assert_int_equal(a.g->n_nodes, 1);
    assert_int_equal(a.g->nodes[0].act, IR_ACT_CLIP);
    assert_true(a.g->nodes[0].act_min == 0.0f);
    assert_true(a.g->nodes[0].act_max == 6.0f);
    ir_graph_free(a.g);

    /* opset >= 11: constant inputs, max absent */
    a = act_case("Gemm", "Clip", IR_FLOAT);
    float lo = -1.5f;
    int tlo = ib_const(a.g, "lo", IR_FLOAT, 0, scalar, &lo);
    ir_node *clip = &a.g->nodes[a.act];
    int *in = realloc(clip->inputs, sizeof(int) * 3);
    assert_non_null(in);
    clip->inputs = in;
    clip->inputs[1] = tlo;
    clip->inputs[2] = -1;
    clip->n_inputs = 3;
    assert_int_equal(pass_fuse_activation(a.g, &d), 0);
    assert_int_equal(a.g->n_nodes, 1);
    assert_true(a.g->nodes[0].act_min == -1.5f);
    assert_true(a.g->nodes[0].act_max == FLT_MAX);
    ir_graph_free(a.g);

    /* A bound computed at run time cannot be fused. */
    a = act_case("Conv", "Clip", IR_FLOAT);
    clip = &a.g->nodes[a.act];
    in = realloc(clip->inputs, sizeof(int) * 2);
    assert_non_null(in);
    clip->inputs = in;
    clip->inputs[1] = a.x;
    clip->n_inputs = 2;
    assert_int_equal(pass_fuse_activation(a.g, &d), 0);
    assert_int_equal(a.g->n_nodes, 2);
    ir_graph_free(a.g);

    /* min > max: ONNX gives max everywhere; the fused form would not. */
    a = act_case("Conv", "Clip", IR_FLOAT);
    ib_attr_float(a.g, a.act, "min", 2.0f);
    ib_attr_float(a.g, a.act, "max", 1.0f);
    assert_int_equal(pass_fuse_activation(a.g, &d), 0);
    assert_int_equal(a.g->n_nodes, 2);
    ir_graph_free(a.g);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eliminate_dead),
        cmocka_unit_test(test_eliminate_dead_multi_output),
        cmocka_unit_test(test_fold_constants),
        cmocka_unit_test(test_fuse_bn_conv),
        cmocka_unit_test(test_fuse_bn_gemm),
        cmocka_unit_test(test_fuse_bn_refusals),
        cmocka_unit_test(test_fuse_relu),
        cmocka_unit_test(test_fuse_relu_refusals),
        cmocka_unit_test(test_fuse_clip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
