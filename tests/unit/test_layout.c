/* Unit tests of the layout pass: which sparse products run transposed, the
 * Transposes it inserts and cancels, the shapes it leaves, and the values:
 * each graph is run before and after the pass by the op handlers' eval (a
 * transposed product by the contract documented in passes/layout.c) and the
 * outputs must agree. */
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
#include "passes/ops/ops.h"
#include "passes/passes.h"

enum { K = 12, N = 10, P = 6 };

static unsigned rng_state = 1;

static float rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void fill(float *p, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        p[i] = rnd();
}

/* --- graphs ------------------------------------------------------------------- */

/* x -> MatMul(W1) -> [Add bias] -> [Mul 0.5] -> [mid] -> MatMul(W2) -> y. */
typedef struct ffn_spec {
    int batched;         /* x is [2, M, K] rather than [M, K] */
    int64_t m;           /* rows */
    const char *mid;     /* an op between the products, or NULL */
    int bias;            /* Add of a constant [N] after the first product */
    int scale;           /* Mul by a one-value constant */
    int gelu;            /* Gelu as x * (1 + erf(x / sqrt 2)) / 2: x read twice */
    int hidden_output;   /* the first product's output is also a graph output */
    int gemm;            /* Gemm (transB = 1, C [N] / [1, P]) instead of MatMul */
    int sparse;          /* mark the products sparse */
} ffn_spec;

static int node_named(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return i;
    return -1;
}

static int count_op(const ir_graph *g, const char *op)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += strcmp(g->nodes[i].op, op) == 0;
    return n;
}

/* A product of x and a fresh random weight, N or P columns. */
static int product(ir_graph *g, const ffn_spec *s, const char *name, int x, int64_t k,
                   int64_t cols)
{
    float w[K * N], c[N];
    fill(w, k * cols);
    fill(c, cols);
    char wname[32], cname[32], yname[32];
    snprintf(wname, sizeof wname, "%s.w", name);
    snprintf(cname, sizeof cname, "%s.c", name);
    snprintf(yname, sizeof yname, "%s.y", name);
    ir_shape ys = g->tensors[x].shape;
    ys.dims[ys.rank - 1] = cols;
    int y = ib_tensor(g, yname, IR_FLOAT, ys.rank, ys.dims);
    if (!s->gemm) {
        const int64_t wd[] = {k, cols};
        int ins[] = {x, ib_const(g, wname, IR_FLOAT, 2, wd, w)};
        ib_node(g, "MatMul", name, ins, 2, &y, 1);
        return y;
    }
    const int64_t wd[] = {cols, k}, c1[] = {cols}, c2[] = {1, cols};
    int first = strcmp(name, "mm1") == 0;
    int ins[] = {x, ib_const(g, wname, IR_FLOAT, 2, wd, w),
                 ib_const(g, cname, IR_FLOAT, first ? 1 : 2, first ? c1 : c2, c)};
    int n = ib_node(g, "Gemm", name, ins, 3, &y, 1);
    ib_attr_int(g, n, "transB", 1);
    return y;
}

static int unary(ir_graph *g, const char *op, const char *name, int x)
{
    ir_shape t = g->tensors[x].shape; /* a copy: adding a tensor may move them */
    int y = ib_tensor(g, name, IR_FLOAT, t.rank, t.dims);
    int n = ib_node(g, op, name, &x, 1, &y, 1);
    if (strcmp(op, "Softmax") == 0)
        ib_attr_int(g, n, "axis", -1);
    return y;
}

static int binary_const(ir_graph *g, const char *op, const char *name, int x, int rank,
                        const int64_t *dims, const float *v)
{
    char cname[32];
    snprintf(cname, sizeof cname, "%s.c", name);
    ir_shape t = g->tensors[x].shape;
    int y = ib_tensor(g, name, IR_FLOAT, t.rank, t.dims);
    int ins[] = {x, ib_const(g, cname, IR_FLOAT, rank, dims, v)};
    ib_node(g, op, name, ins, 2, &y, 1);
    return y;
}

static int binary(ir_graph *g, const char *op, const char *name, int a, int b)
{
    ir_shape t = g->tensors[a].shape;
    int y = ib_tensor(g, name, IR_FLOAT, t.rank, t.dims);
    int ins[] = {a, b};
    ib_node(g, op, name, ins, 2, &y, 1);
    return y;
}

static int gelu(ir_graph *g, int x)
{
    const float sqrt2 = 1.41421356f, one = 1, half = 0.5f;
    int e = unary(g, "Erf", "gelu.erf", binary_const(g, "Div", "gelu.div", x, 0, NULL, &sqrt2));
    int m = binary(g, "Mul", "gelu.mul", x, binary_const(g, "Add", "gelu.add", e, 0, NULL, &one));
    return binary_const(g, "Mul", "gelu.half", m, 0, NULL, &half);
}

static ir_graph *build_ffn(const ffn_spec *s)
{
    rng_state = 7; /* the same weights for the same spec */
    ir_graph *g = ib_graph(13);
    const int64_t xd[] = {2, s->m, K};
    int x = s->batched ? ib_input(g, "x", IR_FLOAT, 3, xd) : ib_input(g, "x", IR_FLOAT, 2, xd + 1);
    int h = product(g, s, "mm1", x, K, N);
    if (s->hidden_output)
        ib_mark_output(g, h);
    if (s->bias) {
        float b[N];
        fill(b, N);
        const int64_t bd[] = {N};
        h = binary_const(g, "Add", "bias", h, 1, bd, b);
    }
    if (s->scale) {
        const float half = 0.5f;
        h = binary_const(g, "Mul", "scale", h, 0, NULL, &half);
    }
    if (s->gelu)
        h = gelu(g, h);
    if (s->mid)
        h = unary(g, s->mid, "mid", h);
    ib_mark_output(g, product(g, s, "mm2", h, N, P));
    assert_true(ib_infer_ok(g));
    if (s->sparse) {
        g->nodes[node_named(g, "mm1")].sparse = IR_SPARSE_COMPACT;
        g->nodes[node_named(g, "mm2")].sparse = IR_SPARSE_COMPACT;
    }
    return g;
}

/* --- checks ------------------------------------------------------------------- */

/* A transposed product's shapes follow the contract of passes/layout.c. */
static int transposed_shapes_ok(ir_graph *g, const ir_node *n)
{
    const ir_shape *x = &ir_node_in(g, n, 0)->shape, *w = &ir_node_in(g, n, 1)->shape,
                   *y = &ir_node_out(g, n, 0)->shape;
    int r = x->rank, gemm = strcmp(n->op, "Gemm") == 0;
    int64_t k = w->dims[gemm && ir_attr_int(n, "transB", 0) ? 1 : 0];
    int64_t cols = w->dims[gemm && ir_attr_int(n, "transB", 0) ? 0 : 1];
    if (y->rank != r || x->dims[r - 2] != k || y->dims[r - 2] != cols ||
        y->dims[r - 1] != x->dims[r - 1])
        return 0;
    for (int a = 0; a < r - 2; a++)
        if (x->dims[a] != y->dims[a])
            return 0;
    return 1;
}

/* Nodes are in topological order, transposed products follow the contract
 * and every other node's shape inference gives the shapes it has. */
static int consistent(ir_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0 && g->tensors[n->inputs[k]].producer >= i) {
                fprintf(stderr, "node %s reads a later node's output\n", n->name);
                return 0;
            }
        if (n->transposed) {
            if (!transposed_shapes_ok(g, n)) {
                fprintf(stderr, "transposed node %s has inconsistent shapes\n", n->name);
                return 0;
            }
            continue;
        }
        ir_shape before = ir_node_out(g, n, 0)->shape;
        diag d;
        diag_init(&d);
        int rc = op_find(n->op)->infer(g, n, &d);
        diag_free(&d);
        if (rc || !ir_shape_equal(&before, &ir_node_out(g, n, 0)->shape)) {
            fprintf(stderr, "node %s: shape inference disagrees\n", n->name);
            return 0;
        }
    }
    return 1;
}

static void run_layout(ir_graph *g)
{
    pass_options o = {0};
    diag d;
    diag_init(&d);
    int rc = pass_layout(g, &o, &d);
    diag_print(&d, stderr, "pass_layout");
    assert_int_equal(rc, 0);
    assert_false(diag_has_errors(&d));
    diag_free(&d);
}

/* Nodes (op, name, tensors, flags) and tensor count, one string. */
static char *describe(const ir_graph *g)
{
    size_t cap = 256 + (size_t)g->n_nodes * 256, used = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    used += (size_t)snprintf(s, cap, "%d tensors\n", g->n_tensors);
    for (int i = 0; i < g->n_nodes && used < cap; i++) {
        const ir_node *n = &g->nodes[i];
        used += (size_t)snprintf(s + used, cap - used, "%s %s t%d in", n->op, n->name,
                                 n->transposed);
        for (int k = 0; k < n->n_inputs && used < cap; k++)
            used += (size_t)snprintf(s + used, cap - used, " %d", n->inputs[k]);
        for (int k = 0; k < n->n_outputs && used < cap; k++)
            used += (size_t)snprintf(s + used, cap - used, " out %d", n->outputs[k]);
        if (used < cap)
            used += (size_t)snprintf(s + used, cap - used, "\n");
    }
    return s;
}

/* A second run of the pass changes nothing. */
static void assert_idempotent(ir_graph *g)
{
    char *before = describe(g);
    run_layout(g);
    char *after = describe(g);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* --- evaluation ------------------------------------------------------------------ */

/* Y^T[b, j, m] = alpha * sum_k W'[k, j] X^T[b, k, m] (+ beta * C[j]), as
 * passes/layout.c defines a transposed product. */
static void eval_transposed(ir_graph *g, ir_node *n)
{
    ir_tensor *x = ir_node_in(g, n, 0), *w = ir_node_in(g, n, 1), *c = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0);
    int r = x->shape.rank, gemm = strcmp(n->op, "Gemm") == 0;
    int tb = gemm && ir_attr_int(n, "transB", 0);
    float alpha = gemm ? ir_attr_float(n, "alpha", 1) : 1, beta = ir_attr_float(n, "beta", 1);
    int64_t k = x->shape.dims[r - 2], m = x->shape.dims[r - 1], cols = y->shape.dims[r - 2];
    int64_t batches = ir_tensor_numel(x) / (k * m);
    assert_int_equal(ir_tensor_set_const(y, IR_FLOAT, &y->shape), 0);
    const float *xv = x->data, *wv = w->data, *cv = c ? c->data : NULL;
    float *yv = y->data;
    for (int64_t b = 0; b < batches; b++)
        for (int64_t j = 0; j < cols; j++)
            for (int64_t i = 0; i < m; i++) {
                double acc = 0;
                for (int64_t q = 0; q < k; q++)
                    acc += (double)wv[tb ? j * k + q : q * cols + j] * xv[(b * k + q) * m + i];
                acc *= alpha;
                if (cv)
                    acc += beta * cv[ir_tensor_numel(c) == 1 ? 0 : j];
                yv[(b * cols + j) * m + i] = (float)acc;
            }
}

/* Runs g on input x and returns a copy of output `out`. */
static float *run_graph(ir_graph *g, const float *x, int out)
{
    ir_tensor *in = &g->tensors[g->inputs[0]];
    assert_int_equal(ir_tensor_set_const(in, IR_FLOAT, &in->shape), 0);
    memcpy(in->data, x, ir_tensor_bytes(in));
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        if (n->transposed) {
            eval_transposed(g, n);
            continue;
        }
        diag d;
        diag_init(&d);
        assert_int_equal(op_find(n->op)->eval(g, n, &d), 1);
        diag_free(&d);
    }
    ir_tensor *y = &g->tensors[g->outputs[out]];
    float *copy = malloc(ir_tensor_bytes(y));
    assert_non_null(copy);
    memcpy(copy, y->data, ir_tensor_bytes(y));
    return copy;
}

/* Every output of the transformed graph equals the untransformed one's. */
static void assert_same_values(const ffn_spec *s, ir_graph *transformed)
{
    ir_graph *ref = build_ffn(s);
    const ir_tensor *in = &ref->tensors[ref->inputs[0]];
    int64_t nx = ir_tensor_numel(in);
    float *x = malloc(sizeof(float) * (size_t)nx);
    assert_non_null(x);
    fill(x, nx);
    assert_int_equal(transformed->n_outputs, ref->n_outputs);
    for (int o = 0; o < ref->n_outputs; o++) {
        float *want = run_graph(ref, x, o), *got = run_graph(transformed, x, o);
        const ir_tensor *y = &ref->tensors[ref->outputs[o]];
        const ir_tensor *yt = &transformed->tensors[transformed->outputs[o]];
        assert_true(ir_shape_equal(&y->shape, &yt->shape));
        for (int64_t i = 0; i < ir_tensor_numel(y); i++)
            assert_true(fabsf(want[i] - got[i]) <= 1e-5f + 1e-5f * fabsf(want[i]));
        free(want);
        free(got);
    }
    free(x);
    ir_graph_free(ref);
}

/* --- tests ------------------------------------------------------------------------ */

static void test_relu_between_products(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .mid = "Relu", .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    assert_int_equal(count_op(g, "Transpose"), 2);
    const ir_node *mm1 = &g->nodes[node_named(g, "mm1")], *mm2 = &g->nodes[node_named(g, "mm2")];
    const ir_node *relu = &g->nodes[node_named(g, "mid")];
    assert_true(mm1->transposed && mm2->transposed);
    static const int64_t xt[] = {K, 16}, ht[] = {N, 16}, yt[] = {P, 16};
    assert_true(ib_has_shape(ir_node_in(g, mm1, 0), IR_FLOAT, 2, xt));
    assert_true(ib_has_shape(ir_node_out(g, relu, 0), IR_FLOAT, 2, ht));
    assert_true(ib_has_shape(ir_node_out(g, mm2, 0), IR_FLOAT, 2, yt));
    /* The products meet the Relu directly; Transposes only at the ends. */
    assert_int_equal(relu->inputs[0], mm1->outputs[0]);
    assert_int_equal(mm2->inputs[0], relu->outputs[0]);
    assert_string_equal(g->nodes[g->tensors[mm1->inputs[0]].producer].name, "mm1/layout_in");
    assert_string_equal(g->nodes[g->tensors[g->outputs[0]].producer].name, "mm2/layout_out");
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

/* The same through the whole pipeline, sparsify appending the encoding to
 * the products (which the candidates' test once mistook for extra inputs)
 * and the Relu fused into the first product. */
static void test_through_pipeline(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .mid = "Relu"};
    ir_graph *g = build_ffn(&s);
    pass_options o = {.sparse = SPARSE_ON};
    diag d;
    diag_init(&d);
    assert_int_equal(pass_run_pipeline(g, &o, &d), 0);
    diag_free(&d);
    const ir_node *mm1 = &g->nodes[node_named(g, "mm1")], *mm2 = &g->nodes[node_named(g, "mm2")];
    assert_int_equal(mm1->sparse, IR_SPARSE_COMPACT);
    assert_true(mm1->transposed && mm2->transposed);
    assert_int_equal(mm1->act, IR_ACT_RELU);
    assert_int_equal(count_op(g, "Transpose"), 2);
    ir_graph_free(g);
}

static void test_bias_and_scale_between_products(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .bias = 1, .scale = 1, .mid = "Relu", .sparse = 1};
    ir_graph *g = build_ffn(&s);
    int old_bias = ir_graph_find_tensor(g, "bias.c");
    run_layout(g);
    assert_int_equal(count_op(g, "Transpose"), 2);
    const ir_node *add = &g->nodes[node_named(g, "bias")];
    static const int64_t col[] = {N, 1}, row[] = {N}, ht[] = {N, 16};
    assert_true(ib_has_shape(ir_node_in(g, add, 1), IR_FLOAT, 2, col));
    assert_true(ib_has_shape(ir_node_out(g, add, 0), IR_FLOAT, 2, ht));
    /* A new constant: the old one (which others might read) is untouched. */
    assert_int_not_equal(add->inputs[1], old_bias);
    assert_true(ib_has_shape(&g->tensors[old_bias], IR_FLOAT, 1, row));
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

static void test_hidden_output_keeps_transpose(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .mid = "Relu", .hidden_output = 1, .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    const ir_tensor *h = &g->tensors[ir_graph_find_tensor(g, "mm1.y")];
    static const int64_t hd[] = {16, N};
    assert_true(ib_has_shape(h, IR_FLOAT, 2, hd));
    assert_true(h->output_index >= 0);
    assert_string_equal(g->nodes[h->producer].op, "Transpose");
    assert_true(g->nodes[node_named(g, "mm1")].transposed);
    /* The Relu still runs transposed: one Transpose in, one per output. */
    assert_int_equal(count_op(g, "Transpose"), 3);
    assert_int_equal(g->nodes[node_named(g, "mm2")].inputs[0],
                     g->nodes[node_named(g, "mid")].outputs[0]);
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

/* Gelu reads its input twice: the whole element-wise region moves. */
static void test_gelu_between_products(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .bias = 1, .gelu = 1, .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    assert_int_equal(count_op(g, "Transpose"), 2);
    static const int64_t ht[] = {N, 16};
    assert_true(ib_has_shape(ir_node_out(g, &g->nodes[node_named(g, "gelu.mul")], 0), IR_FLOAT, 2,
                             ht));
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

static void test_untouched(void **state)
{
    (void)state;
    const ffn_spec cases[] = {
        {.m = 4, .mid = "Relu", .sparse = 1}, /* too few rows */
        {.m = 16, .mid = "Relu"},             /* dense */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ir_graph *g = build_ffn(&cases[c]);
        char *before = describe(g);
        run_layout(g);
        char *after = describe(g);
        assert_string_equal(before, after);
        assert_int_equal(count_op(g, "Transpose"), 0);
        free(before);
        free(after);
        ir_graph_free(g);
    }
}

static void test_batched(void **state)
{
    (void)state;
    const ffn_spec s = {.batched = 1, .m = 16, .mid = "Relu", .bias = 1, .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    assert_int_equal(count_op(g, "Transpose"), 2);
    for (int i = 0; i < g->n_nodes; i++) {
        if (strcmp(g->nodes[i].op, "Transpose") != 0)
            continue;
        const ir_attr *perm = ir_node_attr(&g->nodes[i], "perm");
        assert_non_null(perm);
        assert_int_equal(perm->count, 3);
        assert_true(perm->ints[0] == 0 && perm->ints[1] == 2 && perm->ints[2] == 1);
    }
    static const int64_t xt[] = {2, K, 16};
    assert_true(ib_has_shape(ir_node_in(g, &g->nodes[node_named(g, "mm1")], 0), IR_FLOAT, 3, xt));
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

static void test_softmax_stops_push(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .scale = 1, .mid = "Softmax", .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    /* Nothing cancels: in and out around each product. */
    assert_int_equal(count_op(g, "Transpose"), 4);
    const ir_node *sm = &g->nodes[node_named(g, "mid")], *mul = &g->nodes[node_named(g, "scale")];
    static const int64_t hd[] = {16, N};
    assert_true(ib_has_shape(ir_node_in(g, sm, 0), IR_FLOAT, 2, hd));
    /* The chain as a whole does not qualify: the Mul stays in ONNX layout. */
    assert_true(ib_has_shape(ir_node_in(g, mul, 0), IR_FLOAT, 2, hd));
    assert_string_equal(g->nodes[g->tensors[mul->inputs[0]].producer].op, "Transpose");
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

static void test_gemm(void **state)
{
    (void)state;
    const ffn_spec s = {.m = 16, .mid = "Tanh", .gemm = 1, .sparse = 1};
    ir_graph *g = build_ffn(&s);
    run_layout(g);
    assert_int_equal(count_op(g, "Transpose"), 2);
    assert_true(g->nodes[node_named(g, "mm1")].transposed);
    assert_true(g->nodes[node_named(g, "mm2")].transposed);
    assert_true(consistent(g));
    assert_idempotent(g);
    assert_same_values(&s, g);
    ir_graph_free(g);
}

/* Gemm with a C per row or a transposed A is not a candidate. */
static void test_gemm_refused(void **state)
{
    (void)state;
    static const int64_t xd[] = {16, K}, wd[] = {K, N}, cd[] = {16, N};
    float w[K * N], c[16 * N];
    fill(w, K * N);
    fill(c, 16 * N);
    ir_graph *g = ib_graph(13);
    int x = ib_input(g, "x", IR_FLOAT, 2, xd);
    int ins[] = {x, ib_const(g, "w", IR_FLOAT, 2, wd, w), ib_const(g, "c", IR_FLOAT, 2, cd, c)};
    ib_op(g, "Gemm", ins, 3, 1, NULL);
    assert_true(ib_infer_ok(g));
    g->nodes[0].sparse = IR_SPARSE_COMPACT;
    run_layout(g);
    assert_int_equal(g->n_nodes, 1);
    assert_false(g->nodes[0].transposed);
    ir_graph_free(g);
}

/* Transposes that were in the graph cancel too, unless a graph output
 * needs the tensor between them. */
static void test_existing_pair(void **state)
{
    (void)state;
    static const int64_t xd[] = {3, 5}, td[] = {5, 3}, swap[] = {1, 0};
    for (int keep_middle = 0; keep_middle < 2; keep_middle++) {
        ir_graph *g = ib_graph(13);
        int x = ib_input(g, "x", IR_FLOAT, 2, xd);
        int a = ib_tensor(g, "a", IR_FLOAT, 2, td), b = ib_tensor(g, "b", IR_FLOAT, 2, xd);
        int y = ib_tensor(g, "y", IR_FLOAT, 2, xd);
        ib_attr_ints(g, ib_node(g, "Transpose", "t1", &x, 1, &a, 1), "perm", 2, swap);
        ib_attr_ints(g, ib_node(g, "Transpose", "t2", &a, 1, &b, 1), "perm", 2, swap);
        ib_node(g, "Relu", "relu", &b, 1, &y, 1);
        if (keep_middle)
            ib_mark_output(g, a);
        ib_mark_output(g, y);
        assert_true(ib_infer_ok(g));
        run_layout(g);
        assert_int_equal(count_op(g, "Transpose"), keep_middle);
        assert_int_equal(g->nodes[node_named(g, "relu")].inputs[0], x);
        assert_true(consistent(g));
        assert_idempotent(g);
        ir_graph_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relu_between_products),
        cmocka_unit_test(test_through_pipeline),
        cmocka_unit_test(test_bias_and_scale_between_products),
        cmocka_unit_test(test_hidden_output_keeps_transpose),
        cmocka_unit_test(test_gelu_between_products),
        cmocka_unit_test(test_untouched),
        cmocka_unit_test(test_batched),
        cmocka_unit_test(test_softmax_stops_push),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_gemm_refused),
        cmocka_unit_test(test_existing_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
