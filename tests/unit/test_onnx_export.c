/* Unit tests of the ONNX exporter (--save-onnx): the transformed digits
 * model and small built graphs are exported, read back through the
 * frontend and compared (ops, attributes, shapes, bit-identical constants
 * of every element type); fused activations and residuals come back as
 * plain nodes; names stay distinct; the bytes are deterministic; what ONNX
 * cannot express is refused; files are written whole or not at all. */
#include <float.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "export/onnx_export.h"
#include "frontend/frontend.h"
#include "ir_build.h"
#include "passes/passes.h"

#define DIGITS SCNNC_SOURCE_DIR "/samples/digits/digits.onnx"

static void print_errors(const diag *d)
{
    for (int i = 0; i < d->n_errors; i++)
        fprintf(stderr, "error: %s\n", d->errors[i]);
}

static ir_graph *transformed_digits(void)
{
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    int rc = frontend_load_file(DIGITS, NULL, &g, &d);
    if (!rc)
        rc = pass_run_stage(g, PASS_STAGE_TRANSFORM, NULL, &d);
    print_errors(&d);
    assert_int_equal(rc, 0);
    diag_free(&d);
    return g;
}

/* Exports g and loads the bytes back; the bytes go to *bytes when asked. */
static ir_graph *round_trip(const ir_graph *g, unsigned char **bytes, size_t *len)
{
    diag d;
    diag_init(&d);
    unsigned char *buf;
    size_t n;
    int rc = onnx_export(g, &buf, &n, &d);
    ir_graph *back = NULL;
    if (!rc)
        rc = frontend_load_buffer(buf, n, NULL, NULL, &back, &d);
    print_errors(&d);
    assert_int_equal(rc, 0);
    diag_free(&d);
    if (bytes) {
        *bytes = buf;
        *len = n;
    } else {
        free(buf);
    }
    return back;
}

static const ir_tensor *named(const ir_graph *g, const char *name)
{
    int t = ir_graph_find_tensor(g, name);
    if (t < 0)
        fail_msg("no tensor '%s'", name);
    return &g->tensors[t];
}

static void assert_same_tensor(const ir_tensor *a, const ir_tensor *b)
{
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->has_shape, b->has_shape);
    assert_int_equal(a->dtype, b->dtype);
    assert_true(ir_shape_equal(&a->shape, &b->shape));
    assert_int_equal(a->data != NULL, b->data != NULL);
    if (a->data)
        assert_memory_equal(a->data, b->data, ir_tensor_bytes(a));
}

static const ir_node *nth_live(const ir_graph *g, int k)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && k-- == 0)
            return &g->nodes[i];
    return NULL;
}

static int live_nodes(const ir_graph *g)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += !g->nodes[i].dead;
    return n;
}

static void test_digits_round_trip(void **state)
{
    (void)state;
    ir_graph *g = transformed_digits();
    ir_graph *back = round_trip(g, NULL, NULL);
    diag d;
    diag_init(&d);
    assert_int_equal(pass_infer_shapes(back, &d), 0);
    diag_free(&d);
    assert_int_equal(back->opset, g->opset);
    assert_int_equal(live_nodes(back), live_nodes(g));
    for (int k = 0; k < live_nodes(g); k++) {
        const ir_node *a = nth_live(g, k), *b = nth_live(back, k);
        assert_string_equal(a->op, b->op);
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->n_attrs, b->n_attrs);
        for (int i = 0; i < a->n_inputs; i++)
            if (a->inputs[i] >= 0)
                assert_same_tensor(&g->tensors[a->inputs[i]],
                                   named(back, g->tensors[a->inputs[i]].name));
        for (int i = 0; i < a->n_outputs; i++)
            assert_same_tensor(&g->tensors[a->outputs[i]],
                               named(back, g->tensors[a->outputs[i]].name));
    }
    assert_int_equal(back->n_inputs, g->n_inputs);
    assert_int_equal(back->n_outputs, g->n_outputs);
    assert_string_equal(back->tensors[back->inputs[0]].name, g->tensors[g->inputs[0]].name);
    assert_string_equal(back->tensors[back->outputs[0]].name, g->tensors[g->outputs[0]].name);
    ir_graph_free(back);
    ir_graph_free(g);
}

static void test_deterministic(void **state)
{
    (void)state;
    unsigned char *a, *b;
    size_t na, nb;
    ir_graph *g1 = transformed_digits(), *g2 = transformed_digits();
    ir_graph *r1 = round_trip(g1, &a, &na), *r2 = round_trip(g2, &b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    ir_graph_free(r1);
    ir_graph_free(r2);
    ir_graph_free(g1);
    ir_graph_free(g2);
}

/* Five elements of type t with distinctive bit patterns. */
static void pattern(ir_dtype t, unsigned char *out)
{
    size_t size = ir_dtype_size(t);
    for (size_t i = 0; i < 5 * size; i++)
        out[i] = (unsigned char)(0x9d * (i + 1) + (unsigned)t);
    if (t == IR_BOOL)
        for (size_t i = 0; i < 5; i++)
            out[i] &= 1;
}

static void test_every_dtype_and_attribute(void **state)
{
    (void)state;
    static const ir_dtype types[] = {IR_FLOAT, IR_UINT8, IR_INT8, IR_UINT16, IR_INT16,
                                     IR_INT32, IR_INT64, IR_BOOL, IR_FLOAT16, IR_DOUBLE,
                                     IR_UINT32, IR_UINT64, IR_BFLOAT16};
    const int64_t d5[] = {5}, d23[] = {2, 3};
    ir_graph *g = ib_graph(13);
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        unsigned char data[5 * 8];
        pattern(types[i], data);
        char cname[32], yname[32];
        snprintf(cname, sizeof cname, "c_%s", ir_dtype_name(types[i]));
        snprintf(yname, sizeof yname, "y_%s", ir_dtype_name(types[i]));
        int c = ib_const(g, cname, types[i], 1, d5, data);
        int y = ib_tensor(g, yname, types[i], 1, d5);
        ib_node(g, "Identity", yname, &c, 1, &y, 1);
        ib_mark_output(g, y);
    }
    /* Every attribute type on one node (the exporter does not check ops). */
    int x = ib_input(g, "x", IR_FLOAT, 2, d23);
    int y = ib_tensor(g, "y", IR_FLOAT, 2, d23);
    int n = ib_node(g, "Custom", "custom", &x, 1, &y, 1);
    ib_mark_output(g, y);
    const int64_t ints[] = {3, -1, INT64_MAX};
    const float floats[] = {0.5f, -FLT_MAX};
    const char *const strings[] = {"a", "", "bc"};
    const int32_t tensor[] = {7, -8, 9, 10, 11, 12};
    ib_attr_float(g, n, "f", 1.25f);
    ib_attr_int(g, n, "i", -42);
    ib_attr_string(g, n, "s", "same_upper");
    ib_attr_ints(g, n, "ints", 3, ints);
    ib_attr_floats(g, n, "floats", 2, floats);
    ib_attr_strings(g, n, "strings", 3, strings);
    ib_attr_tensor(g, n, "t", IR_INT32, 2, d23, tensor);

    ir_graph *back = round_trip(g, NULL, NULL);
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].data || g->tensors[t].input_index >= 0)
            assert_same_tensor(&g->tensors[t], named(back, g->tensors[t].name));
    const ir_node *b = nth_live(back, live_nodes(back) - 1);
    assert_string_equal(b->op, "Custom");
    assert_int_equal(b->n_attrs, 7);
    assert_true(ir_attr_float(b, "f", 0) == 1.25f);
    assert_int_equal(ir_attr_int(b, "i", 0), -42);
    assert_string_equal(ir_attr_string(b, "s", ""), "same_upper");
    const ir_attr *a = ir_node_attr(b, "ints");
    assert_int_equal(a->type, IR_ATTR_INTS);
    assert_int_equal(a->count, 3);
    assert_memory_equal(a->ints, ints, sizeof ints);
    a = ir_node_attr(b, "floats");
    assert_int_equal(a->count, 2);
    assert_memory_equal(a->floats, floats, sizeof floats);
    a = ir_node_attr(b, "strings");
    assert_int_equal(a->count, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(a->strings[i], strings[i]);
    a = ir_node_attr(b, "t");
    assert_int_equal(a->type, IR_ATTR_TENSOR);
    assert_int_equal(a->tensor->dtype, IR_INT32);
    assert_int_equal(a->tensor->shape.rank, 2);
    assert_memory_equal(a->tensor->data, tensor, sizeof tensor);
    ir_graph_free(back);
    ir_graph_free(g);
}

/* Ops of the live nodes, joined by spaces, into buf. */
static const char *op_list(const ir_graph *g, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
                                    g->nodes[i].op);
    return buf;
}

/* y1 = Clip(Conv(x, w1) + r, 0, 6); y = Relu(Conv(y1, w2)) as fused
 * nodes of the given opset, with y1's name also taken by a constant. */
static ir_graph *fused_graph(int64_t opset)
{
    const int64_t dx[] = {1, 2, 3, 3}, dy[] = {1, 4, 3, 3}, dw1[] = {4, 2, 1, 1},
                  dw2[] = {4, 4, 1, 1};
    float w1[8], w2[16];
    for (int i = 0; i < 16; i++)
        w2[i] = (float)(i % 5) - 2.0f;
    for (int i = 0; i < 8; i++)
        w1[i] = 0.25f * (float)i;
    ir_graph *g = ib_graph(opset);
    int x = ib_input(g, "x", IR_FLOAT, 4, dx);
    int r = ib_input(g, "r", IR_FLOAT, 4, dy);
    int cw1 = ib_const(g, "w", IR_FLOAT, 4, dw1, w1);
    int cw2 = ib_const(g, "w", IR_FLOAT, 4, dw2, w2); /* same name: must be renamed */
    int y1 = ib_tensor(g, "y1", IR_FLOAT, 4, dy);
    int y = ib_tensor(g, "y", IR_FLOAT, 4, dy);
    int in1[] = {x, cw1, -1, r}, in2[] = {y1, cw2};
    int n1 = ib_node(g, "Conv", "conv1", in1, 4, &y1, 1);
    int n2 = ib_node(g, "Conv", "conv2", in2, 2, &y, 1);
    g->nodes[n1].residual = 3;
    g->nodes[n1].act = IR_ACT_CLIP;
    g->nodes[n1].act_min = 0.0f;
    g->nodes[n1].act_max = 6.0f;
    g->nodes[n2].act = IR_ACT_RELU;
    ib_mark_output(g, y);
    return g;
}

static void test_fused_activation_and_residual(void **state)
{
    (void)state;
    for (int opset = 9; opset <= 13; opset += 4) {
        ir_graph *g = fused_graph(opset);
        ir_graph *back = round_trip(g, NULL, NULL);
        char ops[256];
        assert_string_equal(op_list(back, ops, sizeof ops), "Conv Add Clip Conv Relu");
        diag d;
        diag_init(&d);
        int rc = pass_infer_shapes(back, &d);
        print_errors(&d);
        assert_int_equal(rc, 0);
        diag_free(&d);
        const ir_node *conv = nth_live(back, 0), *add = nth_live(back, 1),
                      *clip = nth_live(back, 2);
        /* The residual left Conv's inputs (and the absent bias with it). */
        assert_int_equal(conv->n_inputs, 2);
        assert_string_equal(back->tensors[conv->outputs[0]].name, "y1/scnnc_op");
        assert_int_equal(add->inputs[0], conv->outputs[0]);
        assert_string_equal(back->tensors[add->inputs[1]].name, "r");
        assert_string_equal(back->tensors[add->outputs[0]].name, "y1/scnnc_preact");
        assert_string_equal(back->tensors[clip->outputs[0]].name, "y1");
        if (opset >= 11) {
            assert_int_equal(clip->n_inputs, 3);
            assert_true(*(const float *)back->tensors[clip->inputs[1]].data == 0.0f);
            assert_true(*(const float *)back->tensors[clip->inputs[2]].data == 6.0f);
        } else {
            assert_int_equal(clip->n_inputs, 1);
            assert_true(ir_attr_float(clip, "min", -1) == 0.0f);
            assert_true(ir_attr_float(clip, "max", -1) == 6.0f);
        }
        const int64_t dy[] = {1, 4, 3, 3};
        assert_true(ib_has_shape(named(back, "y1"), IR_FLOAT, 4, dy));
        assert_true(ib_has_shape(named(back, "y"), IR_FLOAT, 4, dy));
        assert_true(ib_has_shape(named(back, "y/scnnc_preact"), IR_FLOAT, 4, dy));
        /* Both weights survive under distinct names, bit for bit. */
        const ir_tensor *w1 = &back->tensors[conv->inputs[1]];
        const ir_tensor *w2 = &back->tensors[nth_live(back, 3)->inputs[1]];
        assert_string_equal(w1->name, "w");
        assert_string_equal(w2->name, "w_1");
        assert_memory_equal(w1->data, g->tensors[g->nodes[0].inputs[1]].data, 8 * sizeof(float));
        assert_memory_equal(w2->data, g->tensors[g->nodes[1].inputs[1]].data, 16 * sizeof(float));
        ir_graph_free(back);
        ir_graph_free(g);
    }
}

/* A Clip fused without bounds keeps them absent. */
static void test_unbounded_clip(void **state)
{
    (void)state;
    ir_graph *g = fused_graph(13);
    g->nodes[0].act_min = -FLT_MAX;
    g->nodes[0].act_max = 6.0f;
    ir_graph *back = round_trip(g, NULL, NULL);
    const ir_node *clip = nth_live(back, 2);
    assert_string_equal(clip->op, "Clip");
    assert_int_equal(clip->n_inputs, 3);
    assert_int_equal(clip->inputs[1], -1);
    ir_graph_free(back);
    ir_graph_free(g);
}

/* Intermediate names step aside for names the graph already has, and an
 * unnamed tensor gets one. */
static void test_name_collisions(void **state)
{
    (void)state;
    ir_graph *g = fused_graph(13);
    const int64_t d1[] = {1};
    float one = 1.0f;
    int taken = ib_const(g, "y1/scnnc_op", IR_FLOAT, 1, d1, &one);
    int unnamed = ib_const(g, "", IR_FLOAT, 1, d1, &one);
    int z = ib_tensor(g, "z", IR_FLOAT, 1, d1);
    int ins[] = {taken, unnamed};
    ib_node(g, "Add", "add", ins, 2, &z, 1);
    ib_mark_output(g, z);
    ir_graph *back = round_trip(g, NULL, NULL);
    assert_string_equal(back->tensors[nth_live(back, 0)->outputs[0]].name, "y1/scnnc_op_1");
    const ir_node *add = nth_live(back, live_nodes(back) - 1);
    assert_string_equal(back->tensors[add->inputs[0]].name, "y1/scnnc_op");
    assert_true(back->tensors[add->inputs[1]].name[0] != 0);
    ir_graph_free(back);
    ir_graph_free(g);
}

static void expect_refusal(const ir_graph *g, const char *needle)
{
    diag d;
    diag_init(&d);
    unsigned char *buf = (unsigned char *)"";
    size_t len = 1;
    assert_int_equal(onnx_export(g, &buf, &len, &d), -1);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_true(ib_mentions(&d, needle));
    diag_free(&d);
}

static void test_refusals(void **state)
{
    (void)state;
    ir_graph *g = fused_graph(13);
    g->nodes[1].transposed = 1;
    expect_refusal(g, "transposed");
    ir_graph_free(g);

    g = fused_graph(13);
    free(g->nodes[1].domain);
    g->nodes[1].domain = ir_strdup("com.example");
    expect_refusal(g, "com.example");
    ir_graph_free(g);

    g = fused_graph(13);
    ib_attr_int(g, 1, "body", 0);
    g->nodes[1].attrs[0].type = IR_ATTR_GRAPH;
    expect_refusal(g, "'body'");
    ir_graph_free(g);

    g = fused_graph(13);
    g->tensors[g->outputs[0]].has_shape = 0;
    expect_refusal(g, "no known type");
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits_round_trip),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_every_dtype_and_attribute),
        cmocka_unit_test(test_fused_activation_and_residual),
        cmocka_unit_test(test_unbounded_clip),
        cmocka_unit_test(test_name_collisions),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
