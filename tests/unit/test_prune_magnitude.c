/* Unit tests of magnitude pruning: exact zero counts per layer and under a
 * global threshold, the (|w|, position) tie rule, weights already zero,
 * --prune-layer overrides, --prune-skip, unknown names, MatMul weights,
 * shared weights, the log, and the digits sample through the TRANSFORM
 * stage. Graphs are built directly in IR and shape-inferred first. */
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

static unsigned rng_state = 7;

/* Nonzero, in [-scale, scale]. */
static float rnd(float scale)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    float v = (float)(((rng_state >> 8) & 0xffff) + 1) / 65536.0f;
    return (rng_state & 1 ? v : -v) * scale;
}

static void fill(float *p, int n, float scale)
{
    for (int i = 0; i < n; i++)
        p[i] = rnd(scale);
}

/* A float32 weight: Conv [rows, cols, 1, 1], Gemm/MatMul [rows (K), cols]. */
static int weight(ir_graph *g, const char *op, const char *name, int64_t rows, int64_t cols,
                  const float *data)
{
    int64_t dims[] = {rows, cols, 1, 1};
    return ib_const(g, name, IR_FLOAT, strcmp(op, "Conv") == 0 ? 4 : 2, dims, data);
}

/* A layer of op reading its own graph input and weight w; returns the node. */
static int layer(ir_graph *g, const char *op, const char *name, int w)
{
    const ir_shape *ws = &g->tensors[w].shape;
    char xname[64], yname[64];
    snprintf(xname, sizeof xname, "%s_x", name);
    snprintf(yname, sizeof yname, "%s_y", name);
    int x;
    if (strcmp(op, "Conv") == 0) {
        int64_t xd[] = {1, ws->dims[1], 2, 2};
        x = ib_input(g, xname, IR_FLOAT, 4, xd);
    } else {
        int64_t xd[] = {2, ws->dims[0]};
        x = ib_input(g, xname, IR_FLOAT, 2, xd);
    }
    int y = ir_graph_add_tensor(g, yname);
    assert_true(y >= 0);
    int ins[] = {x, w};
    int n = ib_node(g, op, name, ins, 2, &y, 1);
    ib_mark_output(g, y);
    return n;
}

static int add_layer(ir_graph *g, const char *op, const char *name, const char *wname,
                     int64_t rows, int64_t cols, const float *data)
{
    return layer(g, op, name, weight(g, op, wname, rows, cols, data));
}

static const float *data_of(const ir_graph *g, const char *tensor)
{
    int t = ir_graph_find_tensor(g, tensor);
    assert_true(t >= 0);
    return g->tensors[t].data;
}

static int64_t zeros(const float *p, int64_t n)
{
    int64_t z = 0;
    for (int64_t i = 0; i < n; i++)
        z += p[i] == 0.0f;
    return z;
}

static int64_t rounded(double s, int64_t n) { return (int64_t)(s * (double)n + 0.5); }

/* now is orig with some weights set to zero, exactly want_zeros of them
 * zero in all, and every weight zeroed is no larger than any kept. */
static void assert_pruned(const float *orig, const float *now, int64_t n, int64_t want_zeros)
{
    float max_zeroed = 0.0f, min_kept = INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (now[i] == 0.0f) {
            max_zeroed = fmaxf(max_zeroed, fabsf(orig[i]));
        } else {
            assert_true(now[i] == orig[i]);
            min_kept = fminf(min_kept, fabsf(orig[i]));
        }
    }
    assert_int_equal(zeros(now, n), want_zeros);
    assert_true(max_zeroed <= min_kept);
}

static int run(ir_graph *g, const pass_options *o, diag *d)
{
    assert_true(ib_infer_ok(g));
    diag_init(d);
    return pass_prune_magnitude(g, o, d);
}

/* --- per layer ---------------------------------------------------------------- */

static void test_per_layer_counts(void **state)
{
    (void)state;
    static const double sparsities[] = {0.0, 0.1, 0.25, 0.5, 0.55, 0.9, 0.97, 1.0};
    enum { CN = 6 * 7, GN = 5 * 6 };
    for (size_t s = 0; s < sizeof sparsities / sizeof sparsities[0]; s++) {
        float cw[CN], gw[GN];
        fill(cw, CN, 1.0f);
        fill(gw, GN, 3.0f);
        ir_graph *g = ib_graph(13);
        add_layer(g, "Conv", "conv", "conv_w", 6, 7, cw);
        add_layer(g, "Gemm", "gemm", "gemm_w", 5, 6, gw);
        pass_options o = {.prune = sparsities[s]};
        diag d;
        assert_int_equal(run(g, &o, &d), 0);
        assert_pruned(cw, data_of(g, "conv_w"), CN, rounded(sparsities[s], CN));
        assert_pruned(gw, data_of(g, "gemm_w"), GN, rounded(sparsities[s], GN));
        diag_free(&d);
        ir_graph_free(g);
    }
}

/* Equal magnitudes: the lower index goes first, whatever the sign. */
static void test_ties(void **state)
{
    (void)state;
    static const float w[] = {3, 1, -1, 2, 1, -1, 5, 4};
    static const float want[] = {3, 0, 0, 2, 0, -1, 5, 4};
    ir_graph *g = ib_graph(13);
    add_layer(g, "Gemm", "gemm", "gemm_w", 2, 4, w);
    pass_options o = {.prune = 3.0 / 8};
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    assert_memory_equal(data_of(g, "gemm_w"), want, sizeof want);
    diag_free(&d);
    ir_graph_free(g);
}

/* Zeros already there are among the smallest and stay zero. */
static void test_already_zero(void **state)
{
    (void)state;
    enum { N = 20 };
    float w[N];
    fill(w, N, 1.0f);
    static const int zero_at[] = {0, 3, 7, 8, 15, 19};
    for (size_t i = 0; i < sizeof zero_at / sizeof zero_at[0]; i++)
        w[zero_at[i]] = i % 2 ? -0.0f : 0.0f;
    static const double sparsities[] = {0.2, 0.3, 0.5, 1.0};
    static const int64_t want[] = {6, 6, 10, 20};
    for (int s = 0; s < 4; s++) {
        ir_graph *g = ib_graph(13);
        add_layer(g, "Conv", "conv", "conv_w", 4, 5, w);
        pass_options o = {.prune = sparsities[s]};
        diag d;
        assert_int_equal(run(g, &o, &d), 0);
        const float *now = data_of(g, "conv_w");
        assert_pruned(w, now, N, want[s]);
        for (size_t i = 0; i < sizeof zero_at / sizeof zero_at[0]; i++)
            assert_true(now[zero_at[i]] == 0.0f);
        diag_free(&d);
        ir_graph_free(g);
    }
}

static void test_matmul_weight(void **state)
{
    (void)state;
    enum { N = 6 * 4 };
    float w[N];
    fill(w, N, 1.0f);
    ir_graph *g = ib_graph(13);
    add_layer(g, "MatMul", "mm", "mm_w", 6, 4, w);
    pass_options o = {.prune = 0.75};
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    assert_pruned(w, data_of(g, "mm_w"), N, 18);
    diag_free(&d);
    ir_graph_free(g);
}

/* Nothing asked, or prune auto (another pass's): nothing changes. */
static void test_nothing_to_do(void **state)
{
    (void)state;
    enum { N = 12 };
    float w[N];
    fill(w, N, 1.0f);
    pass_options none = {.prune = 0}, automatic = {.prune = 0.5, .prune_auto = 1};
    const pass_options *cases[] = {&none, &automatic};
    for (int c = 0; c < 2; c++) {
        ir_graph *g = ib_graph(13);
        add_layer(g, "Conv", "conv", "conv_w", 3, 4, w);
        diag d;
        assert_int_equal(run(g, cases[c], &d), 0);
        assert_memory_equal(data_of(g, "conv_w"), w, sizeof w);
        diag_free(&d);
        ir_graph_free(g);
    }
}

/* --- global threshold ------------------------------------------------------------ */

static void test_global_threshold(void **state)
{
    (void)state;
    enum { SN = 8 * 5, LN = 6 * 10, TOTAL = SN + LN };
    float all[TOTAL]; /* small layer's weights, then large layer's */
    fill(all, SN, 0.5f);
    fill(all + SN, LN, 4.0f);
    static const double sparsities[] = {0.2, 0.4, 0.7, 0.9};
    for (int s = 0; s < 4; s++) {
        ir_graph *g = ib_graph(13);
        add_layer(g, "Conv", "small", "small_w", 8, 5, all);
        add_layer(g, "Gemm", "large", "large_w", 6, 10, all + SN);
        pass_options o = {.prune = sparsities[s], .prune_global = 1};
        diag d;
        assert_int_equal(run(g, &o, &d), 0);
        float now[TOTAL];
        memcpy(now, data_of(g, "small_w"), sizeof(float) * SN);
        memcpy(now + SN, data_of(g, "large_w"), sizeof(float) * LN);
        /* One threshold: exact over both layers together. */
        assert_pruned(all, now, TOTAL, rounded(sparsities[s], TOTAL));
        /* The layer of large weights keeps more than its share. */
        assert_true(zeros(now + SN, LN) < rounded(sparsities[s], LN));
        assert_true(zeros(now, SN) > rounded(sparsities[s], SN));
        diag_free(&d);
        ir_graph_free(g);
    }
}

/* Ties across layers: the earlier layer goes first. */
static void test_global_ties(void **state)
{
    (void)state;
    static const float a[] = {2, 1, 1, 2}, b[] = {1, 1, 1, 1};
    static const float want_a[] = {2, 0, 0, 2}, want_b[] = {0, 1, 1, 1};
    ir_graph *g = ib_graph(13);
    add_layer(g, "Gemm", "a", "a_w", 2, 2, a);
    add_layer(g, "MatMul", "b", "b_w", 2, 2, b);
    pass_options o = {.prune = 3.0 / 8, .prune_global = 1};
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    assert_memory_equal(data_of(g, "a_w"), want_a, sizeof want_a);
    assert_memory_equal(data_of(g, "b_w"), want_b, sizeof want_b);
    diag_free(&d);
    ir_graph_free(g);
}

/* --- overrides, skips and names ------------------------------------------------- */

/* Layers named by node or by weight name; per-layer and global modes. */
static void test_override_and_skip(void **state)
{
    (void)state;
    enum { N = 40 };
    float w1[N], w2[N], w3[N], w4[N];
    fill(w1, N, 1.0f);
    fill(w2, N, 1.0f);
    fill(w3, N, 1.0f);
    fill(w4, N, 8.0f);
    for (int global = 0; global < 2; global++) {
        ir_graph *g = ib_graph(13);
        add_layer(g, "Conv", "c1", "w1", 5, 8, w1);
        add_layer(g, "Conv", "c2", "w2", 5, 8, w2);
        add_layer(g, "Gemm", "c3", "w3", 5, 8, w3);
        add_layer(g, "MatMul", "c4", "w4", 5, 8, w4);
        pass_options o = {.prune = 0.5, .prune_global = global};
        o.layers[0] = (prune_layer){"c2", 0.1};
        o.layers[1] = (prune_layer){"w2", 0.75}; /* the later one wins */
        o.layers[2] = (prune_layer){"c4", 0.0};
        o.n_layers = 3;
        o.skip[0] = "w3";
        o.n_skip = 1;
        diag d;
        assert_int_equal(run(g, &o, &d), 0);
        assert_pruned(w1, data_of(g, "w1"), N, 20); /* alone in the global set */
        assert_pruned(w2, data_of(g, "w2"), N, 30);
        assert_memory_equal(data_of(g, "w3"), w3, sizeof w3);
        assert_memory_equal(data_of(g, "w4"), w4, sizeof w4);
        diag_free(&d);
        ir_graph_free(g);
    }
}

/* Overrides alone prune, with no --prune. */
static void test_override_only(void **state)
{
    (void)state;
    enum { N = 30 };
    float w1[N], w2[N];
    fill(w1, N, 1.0f);
    fill(w2, N, 1.0f);
    ir_graph *g = ib_graph(13);
    add_layer(g, "Conv", "c1", "w1", 5, 6, w1);
    add_layer(g, "Gemm", "c2", "w2", 5, 6, w2);
    pass_options o = {.n_layers = 1};
    o.layers[0] = (prune_layer){"c2", 0.4};
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    assert_memory_equal(data_of(g, "w1"), w1, sizeof w1);
    assert_pruned(w2, data_of(g, "w2"), N, 12);
    diag_free(&d);
    ir_graph_free(g);
}

/* Every unknown name is reported; a node that is not a layer with
 * constant weights is unknown too. Nothing is pruned. */
static void test_unknown_names(void **state)
{
    (void)state;
    enum { N = 12 };
    float w[N];
    fill(w, N, 1.0f);
    ir_graph *g = ib_graph(13);
    add_layer(g, "Conv", "conv", "conv_w", 3, 4, w);
    int x = ir_graph_find_tensor(g, "conv_x"), r = ir_graph_add_tensor(g, "r");
    ib_node(g, "Relu", "relu", &x, 1, &r, 1);
    ib_mark_output(g, r);
    pass_options o = {.prune = 0.5, .n_layers = 2, .n_skip = 2};
    o.layers[0] = (prune_layer){"nope", 0.5};
    o.layers[1] = (prune_layer){"conv", 0.5};
    o.skip[0] = "conv_w";
    o.skip[1] = "relu";
    diag d;
    assert_int_equal(run(g, &o, &d), -1);
    assert_int_equal(d.n_errors, 2);
    assert_true(ib_mentions(&d, "--prune-layer 'nope'"));
    assert_true(ib_mentions(&d, "--prune-skip 'relu'"));
    assert_memory_equal(data_of(g, "conv_w"), w, sizeof w);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_bad_sparsity(void **state)
{
    (void)state;
    float w[4] = {1, 2, 3, 4};
    ir_graph *g = ib_graph(13);
    add_layer(g, "Conv", "conv", "conv_w", 2, 2, w);
    pass_options o = {.prune = 1.5, .n_layers = 1};
    o.layers[0] = (prune_layer){"conv", -0.1};
    diag d;
    assert_int_equal(run(g, &o, &d), -1);
    assert_true(ib_mentions(&d, "--prune 1.5"));
    assert_true(ib_mentions(&d, "--prune-layer conv=-0.1"));
    diag_free(&d);
    ir_graph_free(g);
}

/* A weight read by two layers is pruned once, by the first's setting
 * (naming the second is still a known name). */
static void test_shared_weight(void **state)
{
    (void)state;
    enum { N = 20 };
    float w[N];
    fill(w, N, 1.0f);
    ir_graph *g = ib_graph(13);
    int tw = weight(g, "Conv", "w", 4, 5, w);
    layer(g, "Conv", "first", tw);
    layer(g, "Conv", "second", tw);
    pass_options o = {.prune = 0.5, .prune_global = 1, .n_layers = 1};
    o.layers[0] = (prune_layer){"second", 0.9};
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    assert_pruned(w, data_of(g, "w"), N, 10);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_log(void **state)
{
    (void)state;
    enum { N = 40 };
    float w1[N], w2[N];
    fill(w1, N, 1.0f);
    fill(w2, N, 1.0f);
    ir_graph *g = ib_graph(13);
    add_layer(g, "Conv", "c1", "w1", 5, 8, w1);
    add_layer(g, "Gemm", "c2", "w2", 5, 8, w2);
    FILE *log = tmpfile();
    assert_non_null(log);
    pass_options o = {.prune = 0.75, .log = log, .n_skip = 1};
    o.skip[0] = "c2";
    diag d;
    assert_int_equal(run(g, &o, &d), 0);
    char text[512] = {0};
    rewind(log);
    size_t len = fread(text, 1, sizeof text - 1, log);
    fclose(log);
    assert_true(len > 0);
    assert_string_equal(text, "prune-magnitude c1 (Conv): sparsity 0.7500, 30/40 zeros\n");
    diag_free(&d);
    ir_graph_free(g);
}

/* --- the digits sample ----------------------------------------------------------- */

typedef struct layer_count {
    char name[128];
    int64_t numel, zeros_before;
} layer_count;

static void test_digits_transform(void **state)
{
    (void)state;
    ir_graph *g = NULL;
    diag d;
    diag_init(&d);
    assert_int_equal(frontend_load_file(SCNNC_SOURCE_DIR "/samples/digits/digits.onnx", NULL, &g, &d),
                     0);
    layer_count counts[8];
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *nd = &g->nodes[i];
        if (strcmp(nd->op, "Conv") && strcmp(nd->op, "Gemm"))
            continue;
        assert_true(n < 8);
        const ir_tensor *w = &g->tensors[nd->inputs[1]];
        snprintf(counts[n].name, sizeof counts[n].name, "%s", w->name);
        counts[n].numel = ir_tensor_numel(w);
        counts[n].zeros_before = zeros(w->data, counts[n].numel);
        n++;
    }
    assert_int_equal(n, 3);
    pass_options o = {.prune = 0.9};
    assert_int_equal(pass_run_stage(g, PASS_STAGE_TRANSFORM, &o, &d), 0);
    int seen = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *nd = &g->nodes[i];
        if (strcmp(nd->op, "Conv") && strcmp(nd->op, "Gemm"))
            continue;
        const ir_tensor *w = &g->tensors[nd->inputs[1]];
        for (int c = 0; c < n; c++)
            if (strcmp(counts[c].name, w->name) == 0) {
                int64_t want = rounded(0.9, counts[c].numel);
                if (want < counts[c].zeros_before)
                    want = counts[c].zeros_before;
                assert_int_equal(zeros(w->data, counts[c].numel), want);
                seen++;
            }
    }
    assert_int_equal(seen, 3);
    diag_free(&d);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_layer_counts),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_already_zero),
        cmocka_unit_test(test_matmul_weight),
        cmocka_unit_test(test_nothing_to_do),
        cmocka_unit_test(test_global_threshold),
        cmocka_unit_test(test_global_ties),
        cmocka_unit_test(test_override_and_skip),
        cmocka_unit_test(test_override_only),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_bad_sparsity),
        cmocka_unit_test(test_shared_weight),
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_digits_transform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
