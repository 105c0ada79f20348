/* Unit tests of the normalization and recurrent operator handlers: shape
 * inference, the refusals (each with its message), scratch and cost figures.
 * Graphs are built directly in IR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/ops/ops.h"

/* Runs the op's infer on node n; returns its result, messages in d. */
static int infer(ir_graph *g, int n, diag *d)
{
    const op_handler *h = op_find(g->nodes[n].op);
    assert_non_null(h);
    return h->infer(g, &g->nodes[n], d);
}

/* infer fails and one message contains `what`. */
static void expect_refused(ir_graph *g, int n, const char *what)
{
    diag d;
    diag_init(&d);
    assert_int_equal(infer(g, n, &d), -1);
    assert_true(ib_mentions(&d, what));
    diag_free(&d);
}

static void expect_ok(ir_graph *g, int n)
{
    diag d;
    diag_init(&d);
    int rc = infer(g, n, &d);
    for (int i = 0; i < d.n_errors; i++)
        print_error("message: %s\n", d.errors[i]);
    assert_int_equal(rc, 0);
    diag_free(&d);
}

static void expect_shape(const ir_graph *g, int t, int rank, const int64_t *dims)
{
    assert_true(ib_has_shape(&g->tensors[t], IR_FLOAT, rank, dims));
}

static int ftensor(ir_graph *g, const char *name, int rank, int64_t d0, int64_t d1, int64_t d2,
                   int64_t d3)
{
    const int64_t dims[] = {d0, d1, d2, d3};
    return ib_tensor(g, name, IR_FLOAT, rank, dims);
}

/* ---- LSTM / GRU / RNN ----------------------------------------------------------- */

/* An LSTM node: X [seq 5, batch 2, input 3] (or batch-first), hidden 4. */
typedef struct lstm_graph {
    ir_graph *g;
    int node, y, yh, yc;
} lstm_graph;

static lstm_graph make_lstm(int nd, int layout, int64_t hid_w)
{
    lstm_graph l;
    l.g = ir_graph_new();
    ir_graph *g = l.g;
    g->opset = 14;
    int x = layout ? ftensor(g, "X", 3, 2, 5, 3, 0) : ftensor(g, "X", 3, 5, 2, 3, 0);
    int w = ftensor(g, "W", 3, nd, 4 * hid_w, 3, 0), r = ftensor(g, "R", 3, nd, 16, 4, 0);
    int b = ftensor(g, "B", 2, nd, 32, 0, 0);
    l.y = ib_tensor(g, "Y", IR_UNDEFINED, 0, NULL);
    l.yh = ib_tensor(g, "Y_h", IR_UNDEFINED, 0, NULL);
    l.yc = ib_tensor(g, "Y_c", IR_UNDEFINED, 0, NULL);
    int ins[] = {x, w, r, b}, outs[] = {l.y, l.yh, l.yc};
    l.node = ib_node(g, "LSTM", "lstm", ins, 4, outs, 3);
    ib_attr_int(g, l.node, "hidden_size", 4);
    if (layout)
        ib_attr_int(g, l.node, "layout", 1);
    if (nd == 2)
        ib_attr_string(g, l.node, "direction", "bidirectional");
    return l;
}

static void test_lstm_shapes(void **state)
{
    (void)state;
    lstm_graph l = make_lstm(2, 0, 4);
    expect_ok(l.g, l.node);
    expect_shape(l.g, l.y, 4, (const int64_t[]){5, 2, 2, 4});
    expect_shape(l.g, l.yh, 3, (const int64_t[]){2, 2, 4});
    expect_shape(l.g, l.yc, 3, (const int64_t[]){2, 2, 4});
    const op_handler *h = op_find("LSTM");
    /* 10 steps x (W 2*16*3 + R 2*16*4) */
    assert_int_equal(h->macs(l.g, &l.g->nodes[l.node]), 10 * (96 + 128));
    h->select(l.g, &l.g->nodes[l.node]);
    assert_int_equal(l.g->nodes[l.node].scratch_bytes, 6 * 4 * (int64_t)sizeof(float));
    ir_graph_free(l.g);

    l = make_lstm(1, 1, 4);
    expect_ok(l.g, l.node);
    expect_shape(l.g, l.y, 4, (const int64_t[]){2, 5, 1, 4});
    expect_shape(l.g, l.yh, 3, (const int64_t[]){2, 1, 4});
    ir_graph_free(l.g);
}

static void test_lstm_refusals(void **state)
{
    (void)state;
    lstm_graph l = make_lstm(1, 0, 5); /* W rows do not match hidden_size 4 */
    expect_refused(l.g, l.node, "input W 'W' has shape 1x20x3, expected 1x16x3");
    ir_graph_free(l.g);

    l = make_lstm(1, 0, 4);
    ib_attr_float(l.g, l.node, "clip", 3.0f);
    expect_refused(l.g, l.node, "'clip'");
    ir_graph_free(l.g);

    l = make_lstm(1, 0, 4);
    ib_attr_int(l.g, l.node, "input_forget", 1);
    expect_refused(l.g, l.node, "input_forget=1");
    ir_graph_free(l.g);

    l = make_lstm(1, 0, 4);
    static const char *const acts[] = {"Sigmoid", "LeakyRelu", "Tanh"};
    ib_attr_strings(l.g, l.node, "activations", 3, acts);
    expect_refused(l.g, l.node, "activation 'LeakyRelu' is not supported");
    ir_graph_free(l.g);

    l = make_lstm(2, 0, 4); /* bidirectional needs six names */
    ib_attr_strings(l.g, l.node, "activations", 3, acts);
    expect_refused(l.g, l.node, "3 function names per direction");
    ir_graph_free(l.g);

    l = make_lstm(1, 0, 4);
    ib_attr_string(l.g, l.node, "direction", "sideways");
    expect_refused(l.g, l.node, "direction 'sideways'");
    ir_graph_free(l.g);
}

/* sequence_lens: int32 [batch]; constant values within [0, seq]. */
static void test_rnn_sequence_lens(void **state)
{
    (void)state;
    static const int32_t bad[] = {5, 6};
    static const int64_t two[] = {2};
    ir_graph *g = ir_graph_new();
    g->opset = 14;
    int x = ftensor(g, "X", 3, 5, 2, 3, 0), w = ftensor(g, "W", 3, 1, 4, 3, 0),
        r = ftensor(g, "R", 3, 1, 4, 4, 0);
    int lens = ib_const(g, "lens", IR_INT32, 1, two, bad);
    int y = ib_tensor(g, "Y", IR_UNDEFINED, 0, NULL);
    int ins[] = {x, w, r, -1, lens};
    int n = ib_node(g, "RNN", "rnn", ins, 5, &y, 1);
    expect_refused(g, n, "sequence_lens[1] = 6 is outside [0, 5]");
    int lens64 = ib_tensor(g, "lens64", IR_INT64, 1, two);
    g->nodes[n].inputs[4] = lens64;
    expect_refused(g, n, "int32 expected");
    int lens_rt = ib_tensor(g, "lens_rt", IR_INT32, 1, two);
    g->nodes[n].inputs[4] = lens_rt;
    expect_ok(g, n);
    expect_shape(g, y, 4, (const int64_t[]){5, 1, 2, 4});
    const op_handler *h = op_find("RNN");
    h->select(g, &g->nodes[n]);
    assert_int_equal(g->nodes[n].scratch_bytes, 2 * 4 * (int64_t)sizeof(float));
    ir_graph_free(g);
}

static void test_gru(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    g->opset = 14;
    int x = ftensor(g, "X", 3, 5, 2, 3, 0), w = ftensor(g, "W", 3, 1, 12, 3, 0),
        r = ftensor(g, "R", 3, 1, 12, 4, 0), h0 = ftensor(g, "h0", 3, 1, 2, 4, 0);
    int y = ib_tensor(g, "Y", IR_UNDEFINED, 0, NULL), yh = ib_tensor(g, "Y_h", IR_UNDEFINED, 0, NULL);
    int ins[] = {x, w, r, -1, -1, h0}, outs[] = {y, yh};
    int n = ib_node(g, "GRU", "gru", ins, 6, outs, 2);
    ib_attr_int(g, n, "linear_before_reset", 1);
    expect_ok(g, n);
    expect_shape(g, yh, 3, (const int64_t[]){1, 2, 4});
    op_find("GRU")->select(g, &g->nodes[n]);
    assert_int_equal(g->nodes[n].scratch_bytes, 5 * 4 * (int64_t)sizeof(float));
    int bad_h0 = ftensor(g, "bad_h0", 3, 2, 1, 4, 0);
    g->nodes[n].inputs[5] = bad_h0;
    expect_refused(g, n, "initial_h 'bad_h0' has shape 2x1x4, expected 1x2x4");
    ib_attr_int(g, n, "input_forget", 0);
    expect_refused(g, n, "attribute 'input_forget' is not supported");
    ir_graph_free(g);
}

/* ---- normalization --------------------------------------------------------------- */

static int make_bn(ir_graph *g, int64_t channels, int *y)
{
    int x = ftensor(g, "x", 4, 2, 3, 4, 5);
    int p[4];
    static const char *const names[] = {"scale", "b", "mean", "var"};
    for (int i = 0; i < 4; i++)
        p[i] = ftensor(g, names[i], 1, channels, 0, 0, 0);
    *y = ib_tensor(g, "y", IR_UNDEFINED, 0, NULL);
    int ins[] = {x, p[0], p[1], p[2], p[3]};
    return ib_node(g, "BatchNormalization", "bn", ins, 5, y, 1);
}

static void test_batchnorm(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    g->opset = 15;
    int y;
    int n = make_bn(g, 3, &y);
    expect_ok(g, n);
    expect_shape(g, y, 4, (const int64_t[]){2, 3, 4, 5});
    ib_attr_int(g, n, "training_mode", 1);
    expect_refused(g, n, "training_mode=1");
    ir_graph_free(g);

    g = ir_graph_new();
    g->opset = 15;
    n = make_bn(g, 4, &y);
    expect_refused(g, n, "input scale 'scale' has 4 values, expected 3");
    ir_graph_free(g);

    /* Opset 6 with the statistics outputs: training. */
    g = ir_graph_new();
    g->opset = 6;
    n = make_bn(g, 3, &y);
    int outs[] = {y, ib_tensor(g, "m", IR_UNDEFINED, 0, NULL)};
    free(g->nodes[n].outputs);
    g->nodes[n].outputs = malloc(sizeof outs);
    assert_non_null(g->nodes[n].outputs);
    memcpy(g->nodes[n].outputs, outs, sizeof outs);
    g->nodes[n].n_outputs = 2;
    expect_refused(g, n, "training-mode output");
    ir_graph_free(g);
}

static void test_layernorm(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    g->opset = 17;
    int x = ftensor(g, "x", 3, 2, 5, 16, 0), s = ftensor(g, "s", 1, 16, 0, 0, 0),
        b = ftensor(g, "b", 2, 5, 16, 0, 0);
    int y = ib_tensor(g, "y", IR_UNDEFINED, 0, NULL), m = ib_tensor(g, "m", IR_UNDEFINED, 0, NULL),
        inv = ib_tensor(g, "inv", IR_UNDEFINED, 0, NULL);
    int ins[] = {x, s, b}, outs[] = {y, m, inv};
    int n = ib_node(g, "LayerNormalization", "ln", ins, 3, outs, 3);
    ib_attr_int(g, n, "axis", -2);
    expect_ok(g, n);
    expect_shape(g, y, 3, (const int64_t[]){2, 5, 16});
    expect_shape(g, m, 3, (const int64_t[]){2, 1, 1});
    expect_shape(g, inv, 3, (const int64_t[]){2, 1, 1});
    /* With axis -1, B [5, 16] is larger than the normalized dims. */
    g->nodes[n].attrs[0].i = -1;
    expect_refused(g, n, "B 'b' of shape 5x16 does not match");
    g->nodes[n].attrs[0].i = 3;
    expect_refused(g, n, "axis 3 is out of range for rank 3");
    g->nodes[n].attrs[0].i = 1;
    ib_attr_int(g, n, "stash_type", 11);
    expect_refused(g, n, "stash_type=11");
    ir_graph_free(g);
}

/* Softmax: opset < 13 flattens at axis (no scratch); >= 13 is one axis. */
static void test_softmax(void **state)
{
    (void)state;
    for (int opset = 11; opset <= 13; opset += 2) {
        ir_graph *g = ir_graph_new();
        g->opset = opset;
        int x = ftensor(g, "x", 3, 2, 3, 4, 0), y = ib_tensor(g, "y", IR_UNDEFINED, 0, NULL);
        int n = ib_node(g, "Softmax", "sm", &x, 1, &y, 1);
        ib_attr_int(g, n, "axis", 1);
        expect_ok(g, n);
        expect_shape(g, y, 3, (const int64_t[]){2, 3, 4});
        op_find("Softmax")->select(g, &g->nodes[n]);
        assert_int_equal(g->nodes[n].scratch_bytes, opset < 13 ? 0 : 2 * 4 * (int64_t)sizeof(float));
        g->nodes[n].attrs[0].i = -4;
        expect_refused(g, n, "axis -4 is out of range");
        ir_graph_free(g);
    }
}

static void test_mvn_lrn_instancenorm(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    g->opset = 8;
    int x = ftensor(g, "x", 4, 2, 3, 4, 5), y = ib_tensor(g, "y", IR_UNDEFINED, 0, NULL);
    int n = ib_node(g, "MeanVarianceNormalization", "mvn", &x, 1, &y, 1);
    expect_refused(g, n, "opset 8");
    g->opset = 13;
    expect_ok(g, n);
    op_find("MeanVarianceNormalization")->select(g, &g->nodes[n]);
    assert_int_equal(g->nodes[n].scratch_bytes, 2 * 3 * (int64_t)sizeof(float));
    static const int64_t dup[] = {1, -3};
    ib_attr_ints(g, n, "axes", 2, dup);
    expect_refused(g, n, "listed twice");

    int l = ib_node(g, "LRN", "lrn", &x, 1, &y, 1);
    expect_refused(g, l, "'size' is required");
    ib_attr_int(g, l, "size", 3);
    expect_ok(g, l);
    op_find("LRN")->select(g, &g->nodes[l]);
    assert_int_equal(g->nodes[l].scratch_bytes, 20 * (int64_t)sizeof(float));

    int sc = ftensor(g, "sc", 1, 3, 0, 0, 0), bi = ftensor(g, "bi", 1, 2, 0, 0, 0);
    int ins[] = {x, sc, bi};
    int in = ib_node(g, "InstanceNormalization", "in", ins, 3, &y, 1);
    expect_refused(g, in, "input B 'bi' has 2 values, expected 3");
    int x2 = ftensor(g, "x2", 2, 2, 3, 0, 0);
    g->nodes[in].inputs[0] = x2;
    g->nodes[in].inputs[2] = sc;
    expect_refused(g, in, "rank >= 3");
    int xi = ib_tensor(g, "xi", IR_INT32, 4, (const int64_t[]){2, 3, 4, 5});
    g->nodes[in].inputs[0] = xi;
    expect_refused(g, in, "float32 only");
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lstm_shapes),   cmocka_unit_test(test_lstm_refusals),
        cmocka_unit_test(test_rnn_sequence_lens), cmocka_unit_test(test_gru),
        cmocka_unit_test(test_batchnorm),     cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_softmax),       cmocka_unit_test(test_mvn_lrn_instancenorm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
