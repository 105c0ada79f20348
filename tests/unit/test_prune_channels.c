/* Unit tests of structured channel pruning (pass_prune_channels): exact
 * channel counts, the choice by filter L1 norm, consistency through
 * residual Adds, Concats, depthwise Convs, BatchNorm and Flatten/Reshape
 * into Gemm, groups left whole, a numerical check of a pruned 1x1 chain,
 * and whole models through the pipeline. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "ir_build.h"
#include "passes/passes.h"

static unsigned rng_state = 1;

static float rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* All-ones weights: filter norms are then the filter scales times the
 * filter size. */
static const float *ones(void)
{
    static float v[512];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = 1.0f;
    return v;
}

/* An activation whose shape inference sets. */
static int act(ir_graph *g, const char *name)
{
    int t = ir_graph_add_tensor(g, name);
    assert_true(t >= 0);
    return t;
}

static int input4(ir_graph *g, int c, int hw)
{
    int64_t d[] = {1, c, hw, hw};
    return ib_input(g, "x", IR_FLOAT, 4, d);
}

/* Conv `name` (weights name_w, bias name_b, output name_out) with k x k
 * kernels padded to keep the size; w NULL takes random weights, and
 * filter_scale (when given) multiplies filter m. */
static int conv(ir_graph *g, const char *name, int x, int cin, int cout, int k, int group,
                const float *w, const float *filter_scale)
{
    int64_t wd[] = {cout, cin / group, k, k}, bd[] = {cout};
    int64_t per = (cin / group) * k * k, n = cout * per;
    float *wv = malloc(sizeof(float) * (size_t)n), *bv = malloc(sizeof(float) * (size_t)cout);
    assert_non_null(wv);
    assert_non_null(bv);
    for (int64_t i = 0; i < n; i++)
        wv[i] = (w ? w[i] : rnd()) * (filter_scale ? filter_scale[i / per] : 1.0f);
    for (int m = 0; m < cout; m++)
        bv[m] = rnd();
    char buf[64];
    snprintf(buf, sizeof buf, "%s_w", name);
    int tw = ib_const(g, buf, IR_FLOAT, 4, wd, wv);
    snprintf(buf, sizeof buf, "%s_b", name);
    int tb = ib_const(g, buf, IR_FLOAT, 1, bd, bv);
    snprintf(buf, sizeof buf, "%s_out", name);
    int y = act(g, buf);
    int ins[] = {x, tw, tb};
    int node = ib_node(g, "Conv", name, ins, 3, &y, 1);
    if (group != 1)
        ib_attr_int(g, node, "group", group);
    if (k > 1) {
        int64_t pads[] = {k / 2, k / 2, k / 2, k / 2};
        ib_attr_ints(g, node, "pads", 4, pads);
    }
    free(wv);
    free(bv);
    return y;
}

static int op1(ir_graph *g, const char *op, int x, const char *name)
{
    int y = act(g, name);
    ib_node(g, op, name, &x, 1, &y, 1);
    return y;
}

static int op2(ir_graph *g, const char *op, int a, int b, const char *name)
{
    int y = act(g, name), ins[] = {a, b};
    ib_node(g, op, name, ins, 2, &y, 1);
    return y;
}

static const ir_node *node_named(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return &g->nodes[i];
    fail_msg("no node '%s'", name);
    return NULL;
}

static const ir_tensor *input_of(const ir_graph *g, const char *node, int slot)
{
    return &g->tensors[node_named(g, node)->inputs[slot]];
}

static void assert_dims(const ir_tensor *t, int rank, const int64_t *dims)
{
    assert_true(ib_has_shape(t, t->dtype, rank, dims));
}

/* Infers shapes, prunes the fraction f, returns the pass's result; the
 * log goes to log when given. */
static int prune(ir_graph *g, double f, FILE *log)
{
    static pass_options o;
    memset(&o, 0, sizeof o);
    o.prune_channels = f;
    o.log = log;
    assert_true(ib_infer_ok(g));
    diag d;
    diag_init(&d);
    int rc = pass_prune_channels(g, &o, &d);
    if (rc)
        diag_print(&d, stderr, "prune");
    diag_free(&d);
    return rc;
}

/* x -> conv1 (4 -> 8, 3x3) -> relu -> conv2 (8 -> 6) -> y */
static ir_graph *chain(const float *scale1)
{
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 5);
    int a = conv(g, "conv1", x, 4, 8, 3, 1, scale1 ? ones() : NULL, scale1);
    int r = op1(g, "Relu", a, "relu");
    ib_mark_output(g, conv(g, "conv2", r, 8, 6, 1, 1, NULL, NULL));
    return g;
}

static void test_chain_counts(void **state)
{
    (void)state;
    static const struct {
        double f;
        int64_t kept;
    } cases[] = {{0.5, 4}, {0.3, 6}, {0.25, 6}, {0.1, 8}, {1.0, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ir_graph *g = chain(NULL);
        assert_int_equal(prune(g, cases[i].f, NULL), 0);
        int64_t k = cases[i].kept;
        int64_t w1[] = {k, 4, 3, 3}, b1[] = {k}, w2[] = {6, k, 1, 1}, act1[] = {1, k, 5, 5},
                y[] = {1, 6, 5, 5};
        assert_dims(input_of(g, "conv1", 1), 4, w1);
        assert_dims(input_of(g, "conv1", 2), 1, b1);
        assert_dims(input_of(g, "conv2", 1), 4, w2);
        assert_dims(&g->tensors[node_named(g, "relu")->outputs[0]], 4, act1);
        assert_dims(&g->tensors[g->outputs[0]], 4, y);
        ir_graph_free(g);
    }
}

static void test_option_checks(void **state)
{
    (void)state;
    ir_graph *g = chain(NULL);
    static const int64_t w1[] = {8, 4, 3, 3};
    assert_int_equal(prune(g, 0.0, NULL), 0);
    assert_dims(input_of(g, "conv1", 1), 4, w1);
    assert_int_equal(prune(g, 1.5, NULL), -1);
    assert_int_equal(prune(g, -0.5, NULL), -1);
    ir_graph_free(g);
}

/* The filters of smallest L1 norm go (ties: lower index first), and the
 * kept filters and consumer columns are the original ones, in order. */
static void test_lowest_l1_removed(void **state)
{
    (void)state;
    static const float scale[8] = {5, -1, 3, 0.5f, 2, -7, 0.1f, 4};
    static const int kept[4] = {0, 2, 5, 7};
    ir_graph *g = chain(scale);
    int w1 = node_named(g, "conv1")->inputs[1], w2 = node_named(g, "conv2")->inputs[1];
    float old1[8 * 36], old2[6 * 8];
    memcpy(old1, g->tensors[w1].data, sizeof old1);
    memcpy(old2, g->tensors[w2].data, sizeof old2);
    assert_int_equal(prune(g, 0.5, NULL), 0);
    const float *n1 = input_of(g, "conv1", 1)->data, *n2 = input_of(g, "conv2", 1)->data;
    for (int j = 0; j < 4; j++) {
        assert_memory_equal(n1 + j * 36, old1 + kept[j] * 36, 36 * sizeof(float));
        for (int m = 0; m < 6; m++)
            assert_true(n2[m * 4 + j] == old2[m * 8 + kept[j]]);
    }
    ir_graph_free(g);

    /* Equal norms: the lower channels go first. */
    static const float equal[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    float ones[8 * 36];
    for (int i = 0; i < 8 * 36; i++)
        ones[i] = i % 2 ? 1.0f : -1.0f;
    g = ib_graph(13);
    int x = input4(g, 4, 5);
    int a = conv(g, "conv1", x, 4, 8, 3, 1, ones, equal);
    ib_mark_output(g, conv(g, "conv2", op1(g, "Relu", a, "relu"), 8, 6, 1, 1, NULL, NULL));
    const float *b_old = g->tensors[node_named(g, "conv1")->inputs[2]].data;
    float bias[8];
    memcpy(bias, b_old, sizeof bias);
    assert_int_equal(prune(g, 0.25, NULL), 0);
    const float *b_new = input_of(g, "conv1", 2)->data;
    for (int j = 0; j < 6; j++)
        assert_true(b_new[j] == bias[j + 2]);
    ir_graph_free(g);
}

/* Two convs feeding an Add share one group: the same channels go from
 * both, chosen by the sum of their filter norms. */
static void test_residual_add(void **state)
{
    (void)state;
    static const float s1[4] = {1, 2, 3, 4}, s2[4] = {10, 0.01f, 0.01f, 0.01f};
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 3);
    int a = conv(g, "c1", x, 4, 4, 1, 1, ones(), s1);
    int b = conv(g, "c2", x, 4, 4, 1, 1, ones(), s2);
    int e = op2(g, "Add", a, b, "add");
    int r = op1(g, "Relu", e, "relu");
    /* A second residual step inside the group: c3 reads and writes it. */
    int c = conv(g, "c3", r, 4, 4, 1, 1, NULL, NULL);
    int e2 = op2(g, "Add", c, r, "add2");
    ib_mark_output(g, conv(g, "c4", e2, 4, 3, 1, 1, NULL, NULL));
    float w3[16];
    memcpy(w3, g->tensors[node_named(g, "c3")->inputs[1]].data, sizeof w3);
    assert_int_equal(prune(g, 0.5, NULL), 0);
    /* Sums: 11 + c3, 2 + c3, 3 + c3, 4 + c3 with |c3 row| < 4: 1 and 2 go
     * unless c3 says otherwise; compute it. */
    double score[4];
    for (int c0 = 0; c0 < 4; c0++) {
        score[c0] = 4 * (s1[c0] + s2[c0]);
        for (int i = 0; i < 4; i++)
            score[c0] += fabs(w3[c0 * 4 + i]);
    }
    int keep[4] = {1, 1, 1, 1};
    for (int k = 0; k < 2; k++) {
        int lo = -1;
        for (int c0 = 0; c0 < 4; c0++)
            if (keep[c0] && (lo < 0 || score[c0] < score[lo]))
                lo = c0;
        keep[lo] = 0;
    }
    int kept[2], nk = 0;
    for (int c0 = 0; c0 < 4; c0++)
        if (keep[c0])
            kept[nk++] = c0;
    const float *n1 = input_of(g, "c1", 1)->data, *n2 = input_of(g, "c2", 1)->data,
                *n3 = input_of(g, "c3", 1)->data;
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < 4; i++) {
            assert_true(n1[j * 4 + i] == s1[kept[j]]);
            assert_true(n2[j * 4 + i] == s2[kept[j]]);
        }
        for (int i = 0; i < 2; i++) /* c3 is cut on both sides alike */
            assert_true(n3[j * 2 + i] == w3[kept[j] * 4 + kept[i]]);
    }
    static const int64_t w4[] = {3, 2, 1, 1}, sum[] = {1, 2, 3, 3};
    assert_dims(input_of(g, "c4", 1), 4, w4);
    assert_dims(&g->tensors[e2], 4, sum);
    ir_graph_free(g);
}

/* Concat of two convs, then a conv: its columns follow both pieces. */
static void test_concat(void **state)
{
    (void)state;
    static const float s1[4] = {4, 1, 3, 2}, s2[6] = {1, 6, 2, 5, 3, 4};
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 3);
    int a = conv(g, "c1", x, 4, 4, 1, 1, ones(), s1);
    int b = conv(g, "c2", x, 4, 6, 1, 1, ones(), s2);
    int ins[] = {a, b}, cat = act(g, "cat");
    int cn = ib_node(g, "Concat", "concat", ins, 2, &cat, 1);
    ib_attr_int(g, cn, "axis", 1);
    int r = op1(g, "Relu", cat, "relu");
    ib_mark_output(g, conv(g, "c3", r, 10, 2, 1, 1, NULL, NULL));
    float w3[2 * 10];
    memcpy(w3, g->tensors[node_named(g, "c3")->inputs[1]].data, sizeof w3);
    assert_int_equal(prune(g, 0.5, NULL), 0);
    /* c1 keeps 0, 2; c2 keeps 1, 3, 5: columns 0, 2, 5, 7, 9 of c3. */
    static const int cols[5] = {0, 2, 5, 7, 9};
    static const int64_t w3d[] = {2, 5, 1, 1}, catd[] = {1, 5, 3, 3};
    assert_dims(input_of(g, "c3", 1), 4, w3d);
    assert_dims(&g->tensors[cat], 4, catd);
    const float *n3 = input_of(g, "c3", 1)->data;
    for (int m = 0; m < 2; m++)
        for (int j = 0; j < 5; j++)
            assert_true(n3[m * 5 + j] == w3[m * 10 + cols[j]]);
    ir_graph_free(g);

    /* A Concat that is a graph output pins its pieces. */
    g = ib_graph(13);
    x = input4(g, 4, 3);
    a = conv(g, "c1", x, 4, 4, 1, 1, NULL, NULL);
    b = conv(g, "c2", x, 4, 6, 1, 1, NULL, NULL);
    int ins2[] = {a, b};
    cat = act(g, "cat");
    cn = ib_node(g, "Concat", "concat", ins2, 2, &cat, 1);
    ib_attr_int(g, cn, "axis", 1);
    ib_mark_output(g, cat);
    assert_int_equal(prune(g, 0.5, NULL), 0);
    static const int64_t c1d[] = {4, 4, 1, 1}, c2d[] = {6, 4, 1, 1};
    assert_dims(input_of(g, "c1", 1), 4, c1d);
    assert_dims(input_of(g, "c2", 1), 4, c2d);
    ir_graph_free(g);
}

/* conv -> relu -> depthwise 3x3 -> conv: the depthwise filters, bias and
 * group follow the channels the first conv keeps. */
static void test_depthwise(void **state)
{
    (void)state;
    static const float s1[8] = {8, 1, 7, 2, 6, 3, 5, 4};
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 4);
    int a = conv(g, "c1", x, 4, 8, 1, 1, ones(), s1);
    int r = op1(g, "Relu", a, "relu");
    int dw = conv(g, "dw", r, 8, 8, 3, 8, NULL, NULL);
    ib_mark_output(g, conv(g, "c2", dw, 8, 2, 1, 1, NULL, NULL));
    float wdw[8 * 9], bdw[8];
    memcpy(wdw, g->tensors[node_named(g, "dw")->inputs[1]].data, sizeof wdw);
    memcpy(bdw, g->tensors[node_named(g, "dw")->inputs[2]].data, sizeof bdw);
    assert_int_equal(prune(g, 0.5, NULL), 0);
    static const int kept[4] = {0, 2, 4, 6};
    static const int64_t wd[] = {4, 1, 3, 3}, c2d[] = {2, 4, 1, 1};
    assert_dims(input_of(g, "dw", 1), 4, wd);
    assert_dims(input_of(g, "c2", 1), 4, c2d);
    assert_int_equal(ir_attr_int(node_named(g, "dw"), "group", 0), 4);
    const float *nw = input_of(g, "dw", 1)->data, *nb = input_of(g, "dw", 2)->data;
    for (int j = 0; j < 4; j++) {
        assert_memory_equal(nw + j * 9, wdw + kept[j] * 9, 9 * sizeof(float));
        assert_true(nb[j] == bdw[kept[j]]);
    }
    ir_graph_free(g);
}

static char *read_all(FILE *f)
{
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

/* Groups that are graph outputs, or reach an op that mixes channels, keep
 * every channel; the log says why. */
static void test_groups_left_whole(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 3);
    int a = conv(g, "c1", x, 4, 8, 1, 1, NULL, NULL);
    ib_mark_output(g, a);
    ib_mark_output(g, conv(g, "c2", a, 8, 2, 1, 1, NULL, NULL));
    int b = conv(g, "c3", x, 4, 6, 1, 1, NULL, NULL);
    int sm = op1(g, "Softmax", b, "softmax");
    ib_mark_output(g, conv(g, "c4", sm, 6, 2, 1, 1, NULL, NULL));
    FILE *log = tmpfile();
    assert_non_null(log);
    assert_int_equal(prune(g, 0.5, log), 0);
    char *text = read_all(log);
    fclose(log);
    static const int64_t c1d[] = {8, 4, 1, 1}, c3d[] = {6, 4, 1, 1}, c4d[] = {2, 6, 1, 1};
    assert_dims(input_of(g, "c1", 1), 4, c1d);
    assert_dims(input_of(g, "c3", 1), 4, c3d);
    assert_dims(input_of(g, "c4", 1), 4, c4d);
    assert_non_null(strstr(text, "'c1_out' keeps its channels: graph output"));
    assert_non_null(strstr(text, "'c3_out' keeps its channels: operator not handled (Softmax"));
    free(text);
    ir_graph_free(g);
}

/* conv -> relu -> GlobalAveragePool -> Flatten, or ReduceMean -> Reshape
 * (whose explicit channel count follows), -> Gemm -> Relu -> MatMul. */
static void flatten_gemm_case(int use_reshape)
{
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 3);
    int a = conv(g, "c1", x, 4, 8, 1, 1, NULL, NULL);
    int r = op1(g, "Relu", a, "relu"), p = act(g, "gap");
    if (use_reshape) { /* global pooling written as ReduceMean */
        static const int64_t axes[] = {2, 3};
        ib_attr_ints(g, ib_node(g, "ReduceMean", "gap", &r, 1, &p, 1), "axes", 2, axes);
    } else {
        ib_node(g, "GlobalAveragePool", "gap", &r, 1, &p, 1);
    }
    int flat = act(g, "flat");
    if (use_reshape) {
        static const int64_t sd[] = {2}, target[] = {1, 8};
        int ins[] = {p, ib_const(g, "target", IR_INT64, 1, sd, target)};
        ib_node(g, "Reshape", "flatten", ins, 2, &flat, 1);
    } else {
        ib_node(g, "Flatten", "flatten", &p, 1, &flat, 1);
    }
    float b1[16 * 8], c1[16], b2[16 * 3];
    for (int i = 0; i < 16 * 8; i++)
        b1[i] = rnd();
    for (int i = 0; i < 16; i++)
        c1[i] = rnd();
    for (int i = 0; i < 16 * 3; i++)
        b2[i] = rnd();
    static const int64_t b1d[] = {16, 8}, c1d[] = {16}, b2d[] = {16, 3};
    int h = act(g, "hidden");
    int g1in[] = {flat, ib_const(g, "B1", IR_FLOAT, 2, b1d, b1),
                  ib_const(g, "C1", IR_FLOAT, 1, c1d, c1)};
    ib_attr_int(g, ib_node(g, "Gemm", "fc1", g1in, 3, &h, 1), "transB", 1);
    int hr = op1(g, "Relu", h, "fc1_relu"), y = act(g, "y");
    int g2in[] = {hr, ib_const(g, "B2", IR_FLOAT, 2, b2d, b2)};
    ib_node(g, "MatMul", "fc2", g2in, 2, &y, 1);
    ib_mark_output(g, y);
    assert_int_equal(prune(g, 0.25, NULL), 0);
    static const int64_t w1[] = {6, 4, 1, 1}, fb1[] = {12, 6}, fc1[] = {12}, fb2[] = {12, 3},
                         flatd[] = {1, 6}, yd[] = {1, 3};
    assert_dims(input_of(g, "c1", 1), 4, w1);
    assert_dims(input_of(g, "fc1", 1), 2, fb1);
    assert_dims(input_of(g, "fc1", 2), 1, fc1);
    assert_dims(input_of(g, "fc2", 1), 2, fb2);
    assert_dims(&g->tensors[flat], 2, flatd);
    assert_dims(&g->tensors[y], 2, yd);
    if (use_reshape) {
        const ir_tensor *s = input_of(g, "flatten", 1);
        assert_int_equal(((const int64_t *)s->data)[1], 6);
    }
    ir_graph_free(g);
}

static void test_flatten_gemm(void **state)
{
    (void)state;
    flatten_gemm_case(0);
    flatten_gemm_case(1);
}

/* A BatchNorm left unfolded and a per-channel Mul are sliced with the
 * channels; a weight another conv reads whole is copied, not changed. */
static void test_per_channel_and_shared(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int x = input4(g, 4, 3);
    int a = conv(g, "c1", x, 4, 4, 1, 1, NULL, NULL);
    float p[4][4], k[4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++)
            p[i][j] = 0.5f + fabsf(rnd());
        k[i] = rnd();
    }
    static const int64_t pd[] = {4}, kd[] = {4, 1, 1};
    int bn_in[5] = {a};
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "bn_p%d", i);
        bn_in[1 + i] = ib_const(g, name, IR_FLOAT, 1, pd, p[i]);
    }
    int bn = act(g, "bn");
    ib_node(g, "BatchNormalization", "bn", bn_in, 5, &bn, 1);
    int m = op2(g, "Mul", bn, ib_const(g, "k", IR_FLOAT, 3, kd, k), "mul");
    ib_mark_output(g, conv(g, "c2", m, 4, 2, 1, 1, NULL, NULL));
    /* c1b reads c1's weight and bias; its output is a graph output. */
    int ins[] = {x, node_named(g, "c1")->inputs[1], node_named(g, "c1")->inputs[2]};
    int other = act(g, "other");
    ib_node(g, "Conv", "c1b", ins, 3, &other, 1);
    ib_mark_output(g, other);
    int w_orig = ins[1];
    assert_int_equal(prune(g, 0.5, NULL), 0);
    static const int64_t half[] = {2}, kh[] = {2, 1, 1}, whole[] = {4, 4, 1, 1},
                         w1[] = {2, 4, 1, 1};
    for (int i = 1; i <= 4; i++)
        assert_dims(input_of(g, "bn", i), 1, half);
    assert_dims(input_of(g, "mul", 1), 3, kh);
    assert_dims(input_of(g, "c1", 1), 4, w1);
    assert_int_equal(node_named(g, "c1b")->inputs[1], w_orig);
    assert_dims(&g->tensors[w_orig], 4, whole);
    assert_int_not_equal(node_named(g, "c1")->inputs[1], w_orig);
    ir_graph_free(g);
}

/* 1x1 conv -> relu -> 1x1 conv on a 2x2 image: the pruned graph computes
 * what the original computes with the removed filters (and biases) zeroed. */
static void conv1x1(const float *x, int cin, int hw, const float *w, const float *b, int cout,
                    int relu, float *y)
{
    for (int m = 0; m < cout; m++)
        for (int p = 0; p < hw; p++) {
            double acc = b[m];
            for (int c = 0; c < cin; c++)
                acc += (double)w[m * cin + c] * x[c * hw + p];
            y[m * hw + p] = (float)(relu && acc < 0 ? 0 : acc);
        }
}

static void test_numeric_equivalence(void **state)
{
    (void)state;
    enum { CI = 3, CM = 5, CO = 2, HW = 4 };
    ir_graph *g = ib_graph(13);
    int x = input4(g, CI, 2);
    int a = conv(g, "c1", x, CI, CM, 1, 1, NULL, NULL);
    ib_mark_output(g, conv(g, "c2", op1(g, "Relu", a, "relu"), CM, CO, 1, 1, NULL, NULL));
    float w1[CM * CI], b1[CM], w2[CO * CM], b2[CO], in[CI * HW];
    memcpy(w1, input_of(g, "c1", 1)->data, sizeof w1);
    memcpy(b1, input_of(g, "c1", 2)->data, sizeof b1);
    memcpy(w2, input_of(g, "c2", 1)->data, sizeof w2);
    memcpy(b2, input_of(g, "c2", 2)->data, sizeof b2);
    for (int i = 0; i < CI * HW; i++)
        in[i] = rnd();
    assert_int_equal(prune(g, 0.4, NULL), 0); /* floor(2.0): two filters go */
    const ir_tensor *pw1 = input_of(g, "c1", 1), *pb1 = input_of(g, "c1", 2),
                    *pw2 = input_of(g, "c2", 1), *pb2 = input_of(g, "c2", 2);
    int kept = (int)pw1->shape.dims[0];
    assert_int_equal(kept, CM - 2);
    float mid[CM * HW], got[CO * HW], want[CO * HW];
    conv1x1(in, CI, HW, pw1->data, pb1->data, kept, 1, mid);
    conv1x1(mid, kept, HW, pw2->data, pb2->data, CO, 0, got);
    /* Zero the two filters of smallest L1 norm in the original. */
    for (int k = 0; k < 2; k++) {
        int lo = -1;
        double lo_norm = 0;
        for (int m = 0; m < CM; m++) {
            double norm = 0;
            for (int c = 0; c < CI; c++)
                norm += fabs(w1[m * CI + c]);
            if (norm > 0 && (lo < 0 || norm < lo_norm)) {
                lo = m;
                lo_norm = norm;
            }
        }
        memset(w1 + lo * CI, 0, sizeof(float) * CI);
        b1[lo] = 0;
    }
    conv1x1(in, CI, HW, w1, b1, CM, 1, mid);
    conv1x1(mid, CM, HW, w2, b2, CO, 0, want);
    for (int i = 0; i < CO * HW; i++)
        assert_true(fabsf(got[i] - want[i]) <= 1e-5f + 1e-5f * fabsf(want[i]));
    ir_graph_free(g);
}

static int64_t weight_elements(const ir_graph *g)
{
    int64_t n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0 && g->tensors[t].data && g->tensors[t].dtype == IR_FLOAT)
                n += ir_tensor_numel(&g->tensors[t]);
        }
    return n;
}

/* The whole pipeline on a model, unpruned and pruned by half: both
 * succeed, the graph outputs keep their shapes, the weights shrink. */
static void model_case(const char *path)
{
    int64_t sizes[2];
    ir_shape outs[2];
    for (int pass = 0; pass < 2; pass++) {
        ir_graph *g = NULL;
        diag d;
        diag_init(&d);
        if (frontend_load_file(path, NULL, &g, &d)) {
            diag_print(&d, stderr, path);
            fail_msg("cannot load %s", path);
        }
        static pass_options o;
        memset(&o, 0, sizeof o);
        o.prune_channels = pass ? 0.5 : 0.0;
        int rc = pass_run_pipeline(g, &o, &d);
        if (rc)
            diag_print(&d, stderr, path);
        assert_int_equal(rc, 0);
        sizes[pass] = weight_elements(g);
        outs[pass] = g->tensors[g->outputs[0]].shape;
        diag_free(&d);
        ir_graph_free(g);
    }
    assert_true(ir_shape_equal(&outs[0], &outs[1]));
    assert_true(sizes[1] < sizes[0] * 0.6);
}

static void test_model_resnet8(void **state)
{
    (void)state;
    model_case(SCNNC_SOURCE_DIR "/samples/zoo/resnet8_cifar/model.onnx");
}

static void test_model_resnet18(void **state)
{
    (void)state;
    static const char path[] = "/tmp/scnnc-zoo/resnet18/model.onnx";
    FILE *f = fopen(path, "rb");
    if (!f)
        skip();
    fclose(f);
    model_case(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_counts),
        cmocka_unit_test(test_option_checks),
        cmocka_unit_test(test_lowest_l1_removed),
        cmocka_unit_test(test_residual_add),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_depthwise),
        cmocka_unit_test(test_groups_left_whole),
        cmocka_unit_test(test_flatten_gemm),
        cmocka_unit_test(test_per_channel_and_shared),
        cmocka_unit_test(test_numeric_equivalence),
        cmocka_unit_test(test_model_resnet8),
        cmocka_unit_test(test_model_resnet18),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
