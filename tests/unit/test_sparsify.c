/* Unit tests of pass_sparsify and pass_fuse_residual: the cost model's
 * choices on both sides of its thresholds and under --sparse on|off, the
 * exact weight counts, the compact encoding decoded back against the dense
 * weights (Gemm's alpha, transB and beta * C included), which inputs a
 * sparse node reads, the residual fusion and its refusals, and a Conv +
 * Add + Relu compiled with sparse and with dense kernels, run, and compared
 * with the same computation done here in plain loops. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "codegen/codegen.h"
#include "ir_build.h"
#include "passes/ops/sparse.h"
#include "passes/passes.h"

/* --- graphs ------------------------------------------------------------------------ */

static uint32_t seed = 99;

static uint32_t next_random(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

/* A nonzero multiple of 0.5 in [-2, 2]: sums of products stay exact in float. */
static float nonzero_value(void)
{
    return (float)(1 + next_random() % 4) * (next_random() % 2 ? 0.5f : -0.5f);
}

/* count weights of which exactly nnz are nonzero, spread over the tensor
 * (i -> i * 7919 mod count is a permutation when count is no multiple of 7919). */
static float *weights_with(int64_t count, int64_t nnz)
{
    float *w = calloc((size_t)count, sizeof(float));
    assert_non_null(w);
    for (int64_t i = 0; i < count; i++)
        if (i * 7919 % count < nnz)
            w[i] = nonzero_value();
    return w;
}

static int fresh(ir_graph *g, const char *name)
{
    int t = ir_graph_add_tensor(g, name);
    assert_true(t >= 0);
    return t;
}

/* Conv of cin -> cout channels, kernel k x k with padding k / 2, over an
 * h x h image; nnz of its weights nonzero; with a bias or not. Returns the
 * node, and its output in *y. */
static int conv_layer(ir_graph *g, const char *name, int64_t cin, int64_t cout, int64_t k,
                      int64_t h, int64_t nnz, int bias, int *y)
{
    char tn[64];
    int64_t xd[] = {1, cin, h, h}, wd[] = {cout, cin, k, k};
    snprintf(tn, sizeof tn, "%s_x", name);
    int x = ib_input(g, tn, IR_FLOAT, 4, xd);
    float *wv = weights_with(cout * cin * k * k, nnz);
    snprintf(tn, sizeof tn, "%s_w", name);
    int ins[3] = {x, ib_const(g, tn, IR_FLOAT, 4, wd, wv), -1};
    free(wv);
    if (bias) {
        float *bv = weights_with(cout, cout);
        snprintf(tn, sizeof tn, "%s_b", name);
        ins[2] = ib_const(g, tn, IR_FLOAT, 1, &cout, bv);
        free(bv);
    }
    snprintf(tn, sizeof tn, "%s_y", name);
    *y = fresh(g, tn);
    int n = ib_node(g, "Conv", name, ins, bias ? 3 : 2, y, 1);
    int64_t pads[] = {k / 2, k / 2, k / 2, k / 2};
    ib_attr_ints(g, n, "pads", 4, pads);
    return n;
}

/* Gemm of an m x kk input and a kk x n weight (stored n x kk with transB),
 * nnz of it nonzero; c_dims: the rank-c_rank shape of C, or c_rank 0 for none. */
static int gemm_layer(ir_graph *g, int64_t m, int64_t kk, int64_t n, int64_t nnz, int trans_b,
                      float alpha, float beta, int c_rank, const int64_t *c_dims)
{
    int64_t xd[] = {m, kk}, wd[] = {trans_b ? n : kk, trans_b ? kk : n};
    int x = ib_input(g, "x", IR_FLOAT, 2, xd);
    float *wv = weights_with(kk * n, nnz);
    int ins[3] = {x, ib_const(g, "w", IR_FLOAT, 2, wd, wv), -1};
    free(wv);
    if (c_rank) {
        int64_t numel = 1;
        for (int i = 0; i < c_rank; i++)
            numel *= c_dims[i];
        float *cv = weights_with(numel, numel);
        ins[2] = ib_const(g, "c", IR_FLOAT, c_rank, c_dims, cv);
        free(cv);
    }
    int y = fresh(g, "y");
    int node = ib_node(g, "Gemm", "gemm", ins, c_rank ? 3 : 2, &y, 1);
    ib_attr_int(g, node, "transB", trans_b);
    ib_attr_float(g, node, "alpha", alpha);
    ib_attr_float(g, node, "beta", beta);
    ib_mark_output(g, y);
    return node;
}

static int matmul_layer(ir_graph *g, int64_t m, int64_t kk, int64_t n, int64_t nnz)
{
    int64_t xd[] = {m, kk}, wd[] = {kk, n};
    float *wv = weights_with(kk * n, nnz);
    int ins[2] = {ib_input(g, "x", IR_FLOAT, 2, xd), ib_const(g, "w", IR_FLOAT, 2, wd, wv)};
    free(wv);
    int y = fresh(g, "y");
    int node = ib_node(g, "MatMul", "mm", ins, 2, &y, 1);
    ib_mark_output(g, y);
    return node;
}

static void sparsify(ir_graph *g, sparse_mode mode)
{
    assert_true(ib_infer_ok(g));
    pass_options o = {.sparse = mode};
    diag d;
    diag_init(&d);
    assert_int_equal(pass_sparsify(g, &o, &d), 0);
    diag_free(&d);
}

/* --- the cost model ------------------------------------------------------------------- */

/* Whether a Conv (16 <- 32 channels, 3x3, h x h image) with nnz of its 4608
 * weights nonzero goes sparse by the cost model; checks the counts. */
static int conv_goes_sparse(int64_t h, int64_t nnz)
{
    ir_graph *g = ib_graph(13);
    int y, n = conv_layer(g, "conv", 32, 16, 3, h, nnz, 1, &y);
    ib_mark_output(g, y);
    sparsify(g, SPARSE_AUTO);
    assert_int_equal(g->nodes[n].weight_count, 4608);
    assert_int_equal(g->nodes[n].weight_nonzeros, nnz);
    int sparse = g->nodes[n].sparse != IR_SPARSE_NONE;
    ir_graph_free(g);
    return sparse;
}

/* Over 8 or more positions the sparse kernel pays below 0.9 * 14 / 40 =
 * 31.5% density (passes/sparsify.c's rates); over fewer, below 0.9 * 1.5 /
 * 40 = 3.375%. */
static void test_conv_cost_model(void **state)
{
    (void)state;
    assert_true(conv_goes_sparse(8, 461));   /* 10% */
    assert_false(conv_goes_sparse(8, 2765)); /* 60% */
    assert_true(conv_goes_sparse(8, 1451));  /* 31.49% */
    assert_false(conv_goes_sparse(8, 1452)); /* 31.51% */
    assert_true(conv_goes_sparse(3, 1451));  /* 9 positions: still blocks */
    assert_false(conv_goes_sparse(2, 461));  /* 4 positions, 10% */
    assert_true(conv_goes_sparse(2, 155));   /* 3.364% */
    assert_false(conv_goes_sparse(2, 156));  /* 3.385% */
    assert_true(conv_goes_sparse(1, 1));
}

/* The same for a Gemm over m rows (K 40, N 50: 2000 weights). One or two
 * rows run the dense one-row product, so sparse pays below 0.9 * 1.5 / 3 =
 * 45%; 3 to 7 rows as a Conv over few positions; 8 or more as over many. */
static int gemm_goes_sparse(int64_t m, int64_t nnz)
{
    ir_graph *g = ib_graph(13);
    int64_t cd[] = {50};
    int n = gemm_layer(g, m, 40, 50, nnz, 1, 1.0f, 1.0f, 1, cd);
    sparsify(g, SPARSE_AUTO);
    assert_int_equal(g->nodes[n].weight_count, 2000);
    assert_int_equal(g->nodes[n].weight_nonzeros, nnz);
    int sparse = g->nodes[n].sparse != IR_SPARSE_NONE;
    ir_graph_free(g);
    return sparse;
}

static void test_gemm_cost_model(void **state)
{
    (void)state;
    assert_true(gemm_goes_sparse(1, 800));   /* 40% */
    assert_true(gemm_goes_sparse(1, 899));   /* 44.95% */
    assert_false(gemm_goes_sparse(1, 901));  /* 45.05% */
    assert_true(gemm_goes_sparse(2, 899));
    assert_false(gemm_goes_sparse(2, 901));
    assert_false(gemm_goes_sparse(4, 200));  /* 10% over 4 rows */
    assert_true(gemm_goes_sparse(4, 67));    /* 3.35% */
    assert_false(gemm_goes_sparse(4, 68));   /* 3.4% */
    assert_true(gemm_goes_sparse(8, 629));   /* 31.45% */
    assert_false(gemm_goes_sparse(8, 631));  /* 31.55% */
    assert_false(gemm_goes_sparse(1, 2000)); /* dense weights */
}

/* MatMul reads its row count from the input's second last axis. */
static void test_matmul_cost_model(void **state)
{
    (void)state;
    static const struct {
        int64_t m, nnz;
        int sparse;
    } cases[] = {{1, 899, 1}, {1, 901, 0}, {16, 629, 1}, {16, 631, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ir_graph *g = ib_graph(13);
        int n = matmul_layer(g, cases[i].m, 40, 50, cases[i].nnz);
        sparsify(g, SPARSE_AUTO);
        assert_int_equal(g->nodes[n].weight_nonzeros, cases[i].nnz);
        assert_int_equal(g->nodes[n].sparse != IR_SPARSE_NONE, cases[i].sparse);
        ir_graph_free(g);
    }
}

/* --sparse on and off override the model; a Conv with groups has no sparse
 * kernel, so it stays dense even under --sparse on (and is not counted). */
static void test_forced(void **state)
{
    (void)state;
    for (int on = 0; on < 2; on++) {
        ir_graph *g = ib_graph(13);
        int y;
        int dense_w = conv_layer(g, "full", 32, 16, 3, 8, 4608, 1, &y);
        ib_mark_output(g, y);
        int sparse_w = conv_layer(g, "thin", 32, 16, 3, 8, 5, 0, &y);
        ib_mark_output(g, y);
        int64_t xd[] = {1, 4, 5, 5}, wd[] = {4, 2, 1, 1};
        float *wv = weights_with(8, 1);
        int ins[] = {ib_input(g, "gx", IR_FLOAT, 4, xd), ib_const(g, "gw", IR_FLOAT, 4, wd, wv)};
        free(wv);
        int gy = fresh(g, "gy");
        int grouped = ib_node(g, "Conv", "grouped", ins, 2, &gy, 1);
        ib_attr_int(g, grouped, "group", 2);
        ib_mark_output(g, gy);
        sparsify(g, on ? SPARSE_ON : SPARSE_OFF);
        assert_int_equal(g->nodes[dense_w].sparse, on ? IR_SPARSE_COMPACT : IR_SPARSE_NONE);
        assert_int_equal(g->nodes[sparse_w].sparse, on ? IR_SPARSE_COMPACT : IR_SPARSE_NONE);
        assert_int_equal(g->nodes[dense_w].weight_nonzeros, 4608);
        assert_int_equal(g->nodes[sparse_w].weight_nonzeros, 5);
        assert_int_equal(g->nodes[grouped].sparse, IR_SPARSE_NONE);
        /* Counted for the report, though it has no sparse kernel. */
        assert_int_equal(g->nodes[grouped].weight_count, 8);
        assert_int_equal(g->nodes[grouped].n_inputs, 2);
        ir_graph_free(g);
    }
}

/* --- the encoding ------------------------------------------------------------------------ */

static const void *const_data(ir_graph *g, int t, ir_dtype dt, int64_t numel)
{
    assert_true(t >= 0);
    const ir_tensor *x = &g->tensors[t];
    assert_non_null(x->data);
    assert_int_equal(x->dtype, dt);
    assert_int_equal(ir_tensor_numel(x), numel);
    return x->data;
}

/* Decodes sparse node ni's appended inputs into rows x cols (checking the
 * tensors' sizes and that every stored value is nonzero) and its bias (NULL
 * when it has none: then that input is absent). Returns the matrix. */
static float *decode(ir_graph *g, int ni, int64_t rows, int64_t cols, const float **bias)
{
    const ir_node *n = &g->nodes[ni];
    assert_int_equal(n->sparse, IR_SPARSE_COMPACT);
    int first = sparse_first_input(n);
    int64_t chunks = (cols + SPARSE_KC - 1) / SPARSE_KC, nnz = n->weight_nonzeros;
    const int64_t stored = nnz ? nnz : 1;
    const int32_t *seg =
        const_data(g, n->inputs[first + SPARSE_IN_SEG], IR_INT32, chunks * rows + 1);
    const uint8_t *index = const_data(g, n->inputs[first + SPARSE_IN_INDEX], IR_UINT8, stored);
    const float *value = const_data(g, n->inputs[first + SPARSE_IN_VALUE], IR_FLOAT, stored);
    int tb = n->inputs[first + SPARSE_IN_BIAS];
    *bias = tb >= 0 ? const_data(g, tb, IR_FLOAT, rows) : NULL;
    float *a = calloc((size_t)(rows * cols), sizeof(float));
    assert_non_null(a);
    assert_int_equal(seg[0], 0);
    assert_int_equal(seg[chunks * rows], nnz);
    for (int64_t ch = 0; ch < chunks; ch++)
        for (int64_t r = 0; r < rows; r++) {
            int64_t i = ch * rows + r;
            assert_true(seg[i] <= seg[i + 1]);
            for (int32_t e = seg[i]; e < seg[i + 1]; e++) {
                int64_t k = ch * SPARSE_KC + index[e];
                assert_true(k < cols && (e == seg[i] || index[e] > index[e - 1]));
                assert_true(value[e] != 0.0f);
                a[r * cols + k] = value[e];
            }
        }
    return a;
}

/* 30 input channels x 3x3 = 270 columns: two chunks. */
static void test_encoding_conv(void **state)
{
    (void)state;
    for (int with_bias = 0; with_bias < 2; with_bias++) {
        ir_graph *g = ib_graph(13);
        int y, ni = conv_layer(g, "conv", 30, 5, 3, 4, 400, with_bias, &y);
        ib_mark_output(g, y);
        sparsify(g, SPARSE_ON);
        const ir_node *n = &g->nodes[ni];
        assert_int_equal(n->weight_count, 1350);
        assert_int_equal(n->weight_nonzeros, 400);
        /* The absent bias stays an absent input 2; the encoding follows. */
        assert_int_equal(n->n_inputs, 3 + IR_SPARSE_INPUTS);
        assert_int_equal(sparse_first_input(n), 3);
        assert_int_equal(n->inputs[2] >= 0, with_bias);
        assert_int_equal(n->weight_bytes, 400 * 5 + (5 * 2 + 1) * 4 + (with_bias ? 5 * 4 : 0));
        const float *bias;
        float *a = decode(g, ni, 5, 270, &bias);
        const float *w = g->tensors[n->inputs[1]].data;
        assert_memory_equal(a, w, sizeof(float) * 1350);
        if (with_bias)
            assert_memory_equal(bias, g->tensors[n->inputs[2]].data, sizeof(float) * 5);
        else
            assert_null(bias);
        free(a);
        ir_graph_free(g);
    }
}

/* Gemm: A[r][k] = alpha * B'[k][r], bias[r] = beta * C (per column or one
 * value), B' = B or its transpose. K 300: two chunks. */
static void test_encoding_gemm(void **state)
{
    (void)state;
    enum { K = 300, N = 6 };
    static const int64_t per_column[] = {N}, row_of[] = {1, N}, scalar[] = {1};
    static const struct {
        int trans_b, c_rank;
        const int64_t *c_dims;
    } cases[] = {{0, 1, per_column}, {1, 2, row_of}, {1, 1, scalar}, {0, 0, NULL}};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        ir_graph *g = ib_graph(13);
        const int tb = cases[ci].trans_b;
        int ni = gemm_layer(g, 1, K, N, 500, tb, 2.0f, 0.5f, cases[ci].c_rank, cases[ci].c_dims);
        sparsify(g, SPARSE_ON);
        const ir_node *n = &g->nodes[ni];
        assert_int_equal(n->weight_nonzeros, 500);
        assert_int_equal(n->n_inputs, 3 + IR_SPARSE_INPUTS);
        const float *bias;
        float *a = decode(g, ni, N, K, &bias);
        const float *w = g->tensors[n->inputs[1]].data;
        for (int r = 0; r < N; r++)
            for (int k = 0; k < K; k++)
                assert_true(a[r * K + k] == 2.0f * w[tb ? r * K + k : k * N + r]);
        if (cases[ci].c_rank) {
            const float *c = g->tensors[n->inputs[2]].data;
            int scalar_c = cases[ci].c_dims == scalar;
            for (int r = 0; r < N; r++)
                assert_true(bias[r] == 0.5f * c[scalar_c ? 0 : r]);
        } else {
            assert_null(bias);
        }
        free(a);
        ir_graph_free(g);
    }
}

/* MatMul has two inputs of its own: the encoding starts at input 2. */
static void test_encoding_matmul(void **state)
{
    (void)state;
    enum { K = 20, N = 7 };
    ir_graph *g = ib_graph(13);
    int ni = matmul_layer(g, 3, K, N, 30);
    sparsify(g, SPARSE_ON);
    const ir_node *n = &g->nodes[ni];
    assert_int_equal(n->n_inputs, 2 + IR_SPARSE_INPUTS);
    assert_int_equal(sparse_first_input(n), 2);
    const float *bias;
    float *a = decode(g, ni, N, K, &bias);
    assert_null(bias);
    const float *w = g->tensors[n->inputs[1]].data;
    for (int r = 0; r < N; r++)
        for (int k = 0; k < K; k++)
            assert_true(a[r * K + k] == w[k * N + r]);
    free(a);
    ir_graph_free(g);
}

/* A weight matrix with no nonzeros at all still encodes (empty segments). */
static void test_encoding_empty(void **state)
{
    (void)state;
    ir_graph *g = ib_graph(13);
    int y, ni = conv_layer(g, "conv", 30, 5, 3, 4, 0, 1, &y);
    ib_mark_output(g, y);
    sparsify(g, SPARSE_AUTO);
    assert_int_equal(g->nodes[ni].weight_nonzeros, 0);
    const float *bias;
    float *a = decode(g, ni, 5, 270, &bias);
    for (int i = 0; i < 5 * 270; i++)
        assert_true(a[i] == 0.0f);
    free(a);
    ir_graph_free(g);
}

/* A sparse node reads x and the encoding, not the dense weights and bias
 * it keeps for its geometry; a dense node reads everything. */
static void test_reads_input(void **state)
{
    (void)state;
    for (int on = 0; on < 2; on++) {
        ir_graph *g = ib_graph(13);
        int y, ni = conv_layer(g, "conv", 8, 8, 1, 4, 6, 1, &y);
        ib_mark_output(g, y);
        sparsify(g, on ? SPARSE_ON : SPARSE_OFF);
        const ir_node *n = &g->nodes[ni];
        assert_int_equal(n->n_inputs, on ? 3 + IR_SPARSE_INPUTS : 3);
        for (int i = 0; i < n->n_inputs; i++)
            assert_int_equal(ir_node_reads_input(n, i), !on || i == 0 || i >= 3);
        ir_graph_free(g);
    }
}

/* --- residual fusion ------------------------------------------------------------------------ */

/* Conv(x) -> c; Neg(z) -> r; Add(c, r) (operands swapped with `swap`) ->
 * s; Relu(s) -> y. With `second_reader`, Sigmoid(c) is a graph output too.
 * Runs infer-shapes, fuse-activation, sparsify (mode) and fuse-residual. */
typedef struct residual_graph {
    ir_graph *g;
    int c, r, y;
} residual_graph;

static residual_graph residual_graph_make(int swap, int second_reader, sparse_mode mode)
{
    residual_graph rg;
    ir_graph *g = rg.g = ib_graph(13);
    conv_layer(g, "conv", 4, 6, 3, 5, 20, 1, &rg.c);
    int64_t zd[] = {1, 6, 5, 5};
    int z = ib_input(g, "z", IR_FLOAT, 4, zd);
    rg.r = fresh(g, "r");
    ib_node(g, "Neg", "neg", &z, 1, &rg.r, 1);
    int add_in[] = {swap ? rg.r : rg.c, swap ? rg.c : rg.r};
    int s = fresh(g, "s");
    ib_node(g, "Add", "add", add_in, 2, &s, 1);
    rg.y = fresh(g, "y");
    ib_node(g, "Relu", "relu", &s, 1, &rg.y, 1);
    ib_mark_output(g, rg.y);
    if (second_reader) {
        int y2 = fresh(g, "y2");
        ib_node(g, "Sigmoid", "sigmoid", &rg.c, 1, &y2, 1);
        ib_mark_output(g, y2);
    }
    assert_true(ib_infer_ok(g));
    pass_options o = {.sparse = mode};
    diag d;
    diag_init(&d);
    assert_int_equal(pass_fuse_activation(g, &d), 0);
    assert_int_equal(pass_eliminate_dead(g, &d), 0);
    assert_int_equal(pass_sparsify(g, &o, &d), 0);
    assert_int_equal(pass_fuse_residual(g, &d), 0);
    diag_free(&d);
    return rg;
}

static int find_node(const ir_graph *g, const char *op)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && strcmp(g->nodes[i].op, op) == 0)
            return i;
    return -1;
}

/* Every input is a graph input, a constant or made by an earlier node. */
static void assert_toposorted(const ir_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0)
                assert_true(g->tensors[t].producer < i);
        }
}

static void test_residual_fused(void **state)
{
    (void)state;
    for (int swap = 0; swap < 2; swap++) {
        residual_graph rg = residual_graph_make(swap, 0, SPARSE_ON);
        ir_graph *g = rg.g;
        assert_int_equal(g->n_nodes, 2);
        assert_int_equal(find_node(g, "Add"), -1);
        int ci = find_node(g, "Conv");
        assert_int_equal(ci, 1); /* after the Neg that makes its residual */
        const ir_node *n = &g->nodes[ci];
        assert_int_equal(n->act, IR_ACT_RELU);
        assert_int_equal(n->residual, 3 + IR_SPARSE_INPUTS);
        assert_int_equal(n->n_inputs, n->residual + 1);
        assert_int_equal(n->inputs[n->residual], rg.r);
        assert_int_equal(n->outputs[0], rg.y);
        assert_int_equal(sparse_first_input(n), 3);
        assert_true(ir_node_reads_input(n, n->residual));
        assert_false(ir_node_reads_input(n, 1));
        assert_toposorted(g);
        ir_graph_free(g);
    }
}

static void test_residual_not_fused(void **state)
{
    (void)state;
    static const struct {
        int second_reader;
        sparse_mode mode;
    } cases[] = {{1, SPARSE_ON}, {0, SPARSE_OFF}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        residual_graph rg = residual_graph_make(0, cases[i].second_reader, cases[i].mode);
        ir_graph *g = rg.g;
        int ci = find_node(g, "Conv"), ai = find_node(g, "Add");
        assert_true(ci >= 0 && ai >= 0);
        assert_int_equal(g->nodes[ci].residual, 0);
        assert_int_equal(g->nodes[ci].act, IR_ACT_NONE);
        assert_int_equal(g->nodes[ci].outputs[0], rg.c);
        assert_int_equal(g->nodes[ai].act, IR_ACT_RELU);
        assert_int_equal(g->nodes[ai].outputs[0], rg.y);
        ir_graph_free(g);
    }
}

/* --- end to end ------------------------------------------------------------------------------ */

static void write_file(const char *path, const void *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

/* y = Relu(Conv(x, w, b) + z) over batch images of cin x h x h, kernel
 * k x k with padding k / 2, as plain loops. */
typedef struct conv_case {
    int64_t batch, cin, cout, k, h;
    const float *x, *w, *b, *z;
} conv_case;

static void conv_add_relu(const conv_case *t, float *y)
{
    const int64_t h = t->h, p = t->k / 2;
    for (int64_t n = 0; n < t->batch; n++)
        for (int64_t o = 0; o < t->cout; o++)
            for (int64_t i = 0; i < h; i++)
                for (int64_t j = 0; j < h; j++) {
                    double acc = t->b[o];
                    for (int64_t c = 0; c < t->cin; c++)
                        for (int64_t u = 0; u < t->k; u++)
                            for (int64_t v = 0; v < t->k; v++) {
                                int64_t ii = i + u - p, jj = j + v - p;
                                if (ii >= 0 && ii < h && jj >= 0 && jj < h)
                                    acc += (double)t->w[((o * t->cin + c) * t->k + u) * t->k + v] *
                                           t->x[((n * t->cin + c) * h + ii) * h + jj];
                            }
                    int64_t at = ((n * t->cout + o) * h + i) * h + j;
                    acc += t->z[at];
                    y[at] = acc > 0 ? (float)acc : 0.0f;
                }
}

/* Compiles the graph of t with --sparse mode, runs it on t's x and z, and
 * returns its output (batch * cout * h * h floats, to free). */
/* kind: IR_SPARSE_NONE (--sparse off), COMPACT (on, no code budget) or
 * UNROLLED (on, a budget that holds the layer). */
static float *compile_and_run(const conv_case *t, ir_sparse kind, const char *dir)
{
    const int64_t xn = t->batch * t->cin * t->h * t->h, yn = t->batch * t->cout * t->h * t->h;
    ir_graph *g = ib_graph(13);
    int64_t xd[] = {t->batch, t->cin, t->h, t->h}, yd[] = {t->batch, t->cout, t->h, t->h};
    int64_t wd[] = {t->cout, t->cin, t->k, t->k}, bd[] = {t->cout};
    int cin[] = {ib_input(g, "x", IR_FLOAT, 4, xd), ib_const(g, "w", IR_FLOAT, 4, wd, t->w),
                 ib_const(g, "b", IR_FLOAT, 1, bd, t->b)};
    int z = ib_input(g, "z", IR_FLOAT, 4, yd);
    int c = fresh(g, "c"), s = fresh(g, "s"), y = fresh(g, "y");
    int conv = ib_node(g, "Conv", "conv", cin, 3, &c, 1);
    int64_t pads[] = {t->k / 2, t->k / 2, t->k / 2, t->k / 2};
    ib_attr_ints(g, conv, "pads", 4, pads);
    int add_in[] = {c, z};
    ib_node(g, "Add", "add", add_in, 2, &s, 1);
    ib_node(g, "Relu", "relu", &s, 1, &y, 1);
    ib_mark_output(g, y);

    sparse_mode mode = kind == IR_SPARSE_NONE ? SPARSE_OFF : SPARSE_ON;
    pass_options o = {.sparse = mode, .max_code_bytes = kind == IR_SPARSE_UNROLLED ? 1 << 20 : 0};
    diag d;
    diag_init(&d);
    int rc = pass_run_pipeline(g, &o, &d);
    ib_code code = {0};
    codegen_options co = {.prefix = "sp", .command_line = "test"};
    if (rc == 0)
        rc = codegen_emit(g, &co, &code.c, &code.h, &code.blob, &d);
    if (rc)
        diag_print(&d, stderr, "compile_and_run");
    assert_int_equal(rc, 0);
    diag_free(&d);
    /* Sparse: one node, the residual and the Relu folded in. */
    assert_int_equal(g->n_nodes, mode == SPARSE_ON ? 1 : 2);
    assert_int_equal(g->nodes[0].sparse, kind);

    char path[1200], cmd[4096];
    snprintf(path, sizeof path, "%s/sp.c", dir);
    write_file(path, code.c.s, code.c.len);
    snprintf(path, sizeof path, "%s/sp.h", dir);
    write_file(path, code.h.s, code.h.len);
    snprintf(path, sizeof path, "%s/in.bin", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(t->x, sizeof(float), (size_t)xn, f), (size_t)xn);
    assert_int_equal(fwrite(t->z, sizeof(float), (size_t)yn, f), (size_t)yn);
    fclose(f);
    cg_buf m = {0};
    cg_printf(&m,
              "#include <stdio.h>\n#include \"sp.h\"\n"
              "static float x[%lld], z[%lld], y[%lld];\n"
              "int main(void)\n{\n"
              "    const void *in[2] = {x, z};\n    void *out[1] = {y};\n"
              "    FILE *f = fopen(\"in.bin\", \"rb\");\n"
              "    if (!f || fread(x, sizeof x, 1, f) != 1 || fread(z, sizeof z, 1, f) != 1)\n"
              "        return 2;\n    fclose(f);\n"
              "    if (sp_invoke(in, out))\n        return 1;\n"
              "    f = fopen(\"out.bin\", \"wb\");\n"
              "    return !f || fwrite(y, sizeof y, 1, f) != 1 || fclose(f) != 0;\n}\n",
              (long long)xn, (long long)yn, (long long)yn);
    snprintf(path, sizeof path, "%s/main.c", dir);
    write_file(path, m.s, m.len);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && gcc -std=c99 -Wall -Wextra -pedantic -Werror -O1 sp.c main.c -o run "
             "-lm && ./run",
             dir);
    assert_int_equal(system(cmd), 0);
    float *out = malloc(sizeof(float) * (size_t)yn);
    assert_non_null(out);
    snprintf(path, sizeof path, "%s/out.bin", dir);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(out, sizeof(float), (size_t)yn + 1, f), (size_t)yn);
    fclose(f);
    cg_buf_free(&m);
    ib_code_free(&code);
    ir_graph_free(g);
    return out;
}

static float *small_values(int64_t n)
{
    float *p = malloc(sizeof(float) * (size_t)n);
    assert_non_null(p);
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)((int)(next_random() % 9) - 4) * 0.5f;
    return p;
}

/* 3x3 with padding (im2col bands) and 1x1 over two images (the input read
 * in place, image by image), each with about 70% of the weights zero; a
 * 7x7 output (49 positions: a second, overlapping block), dense, compact
 * and unrolled. */
static void test_end_to_end(void **state)
{
    (void)state;
    char dir[1024];
    mkdir(SCNNC_TEST_TMP, 0755);
    snprintf(dir, sizeof dir, "%s/sparsify_XXXXXX", SCNNC_TEST_TMP);
    assert_non_null(mkdtemp(dir));
    static const int64_t shapes[][5] = {{1, 3, 4, 3, 6}, {2, 40, 8, 1, 7}, {1, 5, 6, 3, 7}};
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        conv_case t = {.batch = shapes[si][0], .cin = shapes[si][1], .cout = shapes[si][2],
                       .k = shapes[si][3], .h = shapes[si][4]};
        const int64_t wn = t.cout * t.cin * t.k * t.k, yn = t.batch * t.cout * t.h * t.h;
        float *x = small_values(t.batch * t.cin * t.h * t.h), *z = small_values(yn);
        float *w = weights_with(wn, wn * 3 / 10), *b = small_values(t.cout);
        t.x = x, t.w = w, t.b = b, t.z = z;
        float *want = malloc(sizeof(float) * (size_t)yn);
        assert_non_null(want);
        conv_add_relu(&t, want);
        int positive = 0;
        for (int64_t i = 0; i < yn; i++)
            positive += want[i] > 0.0f;
        assert_true(positive > 0 && positive < yn); /* the Relu matters */
        static const ir_sparse kinds[] = {IR_SPARSE_NONE, IR_SPARSE_COMPACT, IR_SPARSE_UNROLLED};
        for (int on = 0; on < 3; on++) {
            float *got = compile_and_run(&t, kinds[on], dir);
            for (int64_t i = 0; i < yn; i++)
                if (got[i] != want[i])
                    fail_msg("shape %zu, kernel %d: y[%lld] = %g, expected %g", si, on,
                             (long long)i, (double)got[i], (double)want[i]);
            free(got);
        }
        free(x);
        free(z);
        free(w);
        free(b);
        free(want);
    }
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Unrolled within the budget, the layer with the most positions first. */
static void test_unroll_budget(void **state)
{
    (void)state;
    int64_t budgets[] = {0, 0, 1 << 20};
    for (int b = 0; b < 3; b++) {
        ir_graph *g = ib_graph(13);
        int y;
        int big = conv_layer(g, "big", 32, 16, 3, 18, 200, 0, &y); /* 16x16 positions */
        ib_mark_output(g, y);
        int small = conv_layer(g, "small", 32, 16, 3, 6, 200, 0, &y); /* 4x4 */
        ib_mark_output(g, y);
        assert_true(ib_infer_ok(g));
        if (b == 1) {
            /* Room for the big layer's code only. */
            sparse_view v;
            assert_int_equal(sparse_view_make(g, &g->nodes[big], &v), 0);
            budgets[1] = sparse_unrolled_bytes(v.rows, 200, 256);
        }
        pass_options o = {.sparse = SPARSE_ON, .max_code_bytes = budgets[b]};
        diag d;
        diag_init(&d);
        assert_int_equal(pass_sparsify(g, &o, &d), 0);
        diag_free(&d);
        ir_sparse want_big = b ? IR_SPARSE_UNROLLED : IR_SPARSE_COMPACT;
        ir_sparse want_small = b == 2 ? IR_SPARSE_UNROLLED : IR_SPARSE_COMPACT;
        assert_int_equal(g->nodes[big].sparse, want_big);
        assert_int_equal(g->nodes[small].sparse, want_small);
        assert_true(g->nodes[big].code_bytes + g->nodes[small].code_bytes <= budgets[b]);
        if (want_big == IR_SPARSE_UNROLLED) {
            assert_int_equal(g->nodes[big].weight_bytes, 0); /* in the code */
            assert_false(ir_node_reads_input(&g->nodes[big], g->nodes[big].n_inputs - 2));
        }
        ir_graph_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_cost_model),   cmocka_unit_test(test_gemm_cost_model),
        cmocka_unit_test(test_matmul_cost_model), cmocka_unit_test(test_forced),
        cmocka_unit_test(test_encoding_conv),     cmocka_unit_test(test_encoding_gemm),
        cmocka_unit_test(test_encoding_matmul),   cmocka_unit_test(test_encoding_empty),
        cmocka_unit_test(test_reads_input),       cmocka_unit_test(test_residual_fused),
        cmocka_unit_test(test_residual_not_fused), cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_unroll_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
