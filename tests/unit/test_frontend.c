/* Unit tests of the ONNX frontend on models built in memory: tensor storage
 * forms for every element type, Constant nodes, symbolic dimensions,
 * model-local functions, external data and its confinement to the model's
 * folder, and the errors for malformed graphs. */
#include <limits.h>
#include <math.h>
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

#include "frontend/frontend.h"
#include "onnx_build.h"
#include "passes/passes.h"

static const int64_t d5[] = {5};
static const int64_t d4[] = {4};

/* Loads m from memory; returns the graph or NULL, leaving messages in d. */
static ir_graph *load(ob_model *m, const frontend_options *opt, diag *d)
{
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    ir_graph *g = NULL;
    int rc = frontend_load_buffer(buf, len, NULL, opt, &g, d);
    free(buf);
    if (rc)
        assert_null(g);
    return rc ? NULL : g;
}

/* Loading fails and some error contains `needle`. */
static void expect_error(ob_model *m, const char *needle)
{
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_null(g);
    int found = 0;
    for (int i = 0; i < d.n_errors; i++)
        found |= strstr(d.errors[i], needle) != NULL;
    if (!found) {
        for (int i = 0; i < d.n_errors; i++)
            fprintf(stderr, "error: %s\n", d.errors[i]);
        fail_msg("no error mentions '%s'", needle);
    }
    diag_free(&d);
}

static int has_text(char **list, int n, const char *needle)
{
    for (int i = 0; i < n; i++)
        if (strstr(list[i], needle))
            return 1;
    return 0;
}

static const ir_tensor *tensor(const ir_graph *g, const char *name)
{
    int t = ir_graph_find_tensor(g, name);
    assert_true(t >= 0);
    return &g->tensors[t];
}

/* Five elements of each type, chosen to exercise signs, ranges and the
 * 16-bit float bit patterns. */
static void sample_values(ir_dtype t, void *out)
{
    static const double v[5] = {0, 1, -2, 100, -128};
    for (int i = 0; i < 5; i++) {
        switch (t) {
        case IR_UINT8: case IR_BOOL: ((uint8_t *)out)[i] = (uint8_t)(i * 60 + (t == IR_BOOL ? 0 : 3)); break;
        case IR_UINT16: ((uint16_t *)out)[i] = (uint16_t)(i * 16000 + 7); break;
        case IR_UINT32: ((uint32_t *)out)[i] = 4000000000u - (uint32_t)i; break;
        case IR_UINT64: ((uint64_t *)out)[i] = UINT64_MAX - (uint64_t)i; break;
        case IR_INT64: ((int64_t *)out)[i] = i == 4 ? INT64_MIN : (int64_t)v[i] * 1000000000000LL; break;
        case IR_INT32: ((int32_t *)out)[i] = i == 4 ? INT32_MIN : (int32_t)v[i] * 1000000; break;
        default: ir_data_set_double(t, out, i, v[i] + 0.5); break;
        }
    }
    if (t == IR_BOOL)
        for (int i = 0; i < 5; i++)
            ((uint8_t *)out)[i] = (uint8_t)(i & 1);
}

static void test_every_dtype_raw_and_typed(void **state)
{
    (void)state;
    static const ir_dtype types[] = {IR_FLOAT, IR_UINT8,  IR_INT8,   IR_UINT16, IR_INT16,
                                     IR_INT32, IR_INT64,  IR_BOOL,   IR_FLOAT16, IR_DOUBLE,
                                     IR_UINT32, IR_UINT64, IR_BFLOAT16};
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        ir_dtype t = types[k];
        uint8_t values[40];
        sample_values(t, values);
        size_t bytes = 5 * ir_dtype_size(t);
        ob_model *m = ob_new(13);
        ob_initializer(m, ob_tensor_raw(m, "raw", t, 1, d5, values, bytes));
        ob_initializer(m, ob_tensor_typed(m, "typed", t, 1, d5, values));
        ob_output(m, "raw", t, 1, d5);
        ob_output(m, "typed", t, 1, d5);
        diag d;
        diag_init(&d);
        ir_graph *g = load(m, NULL, &d);
        if (!g)
            fail_msg("%s: %s", ir_dtype_name(t), d.n_errors ? d.errors[0] : "?");
        const ir_tensor *r = tensor(g, "raw"), *ty = tensor(g, "typed");
        assert_int_equal(r->dtype, t);
        assert_int_equal(ty->dtype, t);
        assert_int_equal(r->shape.rank, 1);
        assert_int_equal(r->shape.dims[0], 5);
        assert_memory_equal(r->data, values, bytes);
        if (memcmp(ty->data, values, bytes) != 0)
            fail_msg("typed storage of %s differs", ir_dtype_name(t));
        assert_int_equal(g->n_outputs, 2);
        assert_int_equal(g->n_nodes, 0);
        ir_graph_free(g);
        diag_free(&d);
        ob_free(m);
    }
}

static void test_scalar_and_empty_tensors(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    float one = 2.5f;
    ob_initializer(m, ob_tensor_raw(m, "scalar", IR_FLOAT, 0, NULL, &one, 4));
    int64_t zero_dims[] = {0, 3};
    ob_initializer(m, ob_tensor_raw(m, "empty", IR_FLOAT, 2, zero_dims, NULL, 0));
    ob_output(m, "scalar", IR_FLOAT, 0, NULL);
    ob_output(m, "empty", IR_FLOAT, 2, zero_dims);
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_non_null(g);
    assert_int_equal(tensor(g, "scalar")->shape.rank, 0);
    assert_true(*(float *)tensor(g, "scalar")->data == 2.5f);
    assert_int_equal(ir_tensor_numel(tensor(g, "empty")), 0);
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);
}

static void test_bad_tensor_sizes(void **state)
{
    (void)state;
    float v[5] = {1, 2, 3, 4, 5};
    ob_model *m = ob_new(13);
    ob_initializer(m, ob_tensor_raw(m, "short", IR_FLOAT, 1, d5, v, 16));
    ob_output(m, "short", IR_FLOAT, 1, d5);
    expect_error(m, "raw_data has 16 bytes but its shape needs 20");
    ob_free(m);

    m = ob_new(13);
    Onnx__TensorProto *t = ob_tensor_typed(m, "few", IR_FLOAT, 1, d4, v);
    t->dims[0] = 5; /* claims 5, holds 4 */
    ob_initializer(m, t);
    ob_output(m, "few", IR_FLOAT, 1, d5);
    expect_error(m, "holds 4 values but its shape needs 5");
    ob_free(m);

    m = ob_new(13);
    int64_t neg[] = {-3};
    ob_initializer(m, ob_tensor_raw(m, "neg", IR_FLOAT, 1, neg, v, 4));
    ob_output(m, "neg", IR_FLOAT, 1, d5);
    expect_error(m, "negative dimension");
    ob_free(m);

    m = ob_new(13);
    int64_t huge[] = {1LL << 40, 1LL << 40};
    ob_initializer(m, ob_tensor_raw(m, "huge", IR_FLOAT, 2, huge, v, 4));
    ob_output(m, "huge", IR_FLOAT, 1, d5);
    expect_error(m, "too large");
    ob_free(m);

    m = ob_new(13);
    ob_initializer(m, ob_tensor_raw(m, "str", IR_STRING, 1, d5, v, 5));
    ob_output(m, "str", IR_FLOAT, 1, d5);
    expect_error(m, "element type string is not supported");
    ob_free(m);

    m = ob_new(13);
    int64_t deep[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    ob_initializer(m, ob_tensor_raw(m, "deep", IR_FLOAT, 9, deep, v, 4));
    ob_output(m, "deep", IR_FLOAT, 1, d5);
    expect_error(m, "rank 9 exceeds");
    ob_free(m);
}

static void test_constant_nodes(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    int32_t iv[4] = {1, -2, 3, -4};
    Onnx__NodeProto *c1 = ob_node(m, "Constant", "c_tensor", "", "ct");
    ob_attr_tensor(m, c1, "value", ob_tensor_typed(m, NULL, IR_INT32, 1, d4, iv));
    Onnx__NodeProto *c2 = ob_node(m, "Constant", "c_float", "", "cf");
    ob_attr_float(m, c2, "value_float", 1.25f);
    Onnx__NodeProto *c3 = ob_node(m, "Constant", "c_ints", "", "cis");
    int64_t ints[3] = {7, -8, 9};
    ob_attr_ints(m, c3, "value_ints", ints, 3);
    Onnx__NodeProto *c4 = ob_node(m, "Constant", NULL, "", "ci");
    ob_attr_int(m, c4, "value_int", -42);
    Onnx__NodeProto *c5 = ob_node(m, "Constant", "c_floats", "", "cfs");
    float fl[2] = {0.5f, -0.25f};
    ob_attr_floats(m, c5, "value_floats", fl, 2);
    ob_output(m, "ct", IR_INT32, 1, d4);
    ob_output(m, "cf", IR_FLOAT, 0, NULL);
    ob_output(m, "cis", IR_INT64, 1, NULL);
    ob_output(m, "ci", IR_INT64, 0, NULL);
    ob_output(m, "cfs", IR_FLOAT, 1, NULL);
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_non_null(g);
    /* Constants become constant tensors, not nodes. */
    assert_int_equal(g->n_nodes, 0);
    assert_memory_equal(tensor(g, "ct")->data, iv, sizeof iv);
    assert_int_equal(tensor(g, "ct")->dtype, IR_INT32);
    assert_int_equal(tensor(g, "cf")->shape.rank, 0);
    assert_true(*(float *)tensor(g, "cf")->data == 1.25f);
    assert_int_equal(tensor(g, "cis")->shape.dims[0], 3);
    assert_memory_equal(tensor(g, "cis")->data, ints, sizeof ints);
    assert_int_equal(*(int64_t *)tensor(g, "ci")->data, -42);
    assert_int_equal(tensor(g, "ci")->dtype, IR_INT64);
    assert_memory_equal(tensor(g, "cfs")->data, fl, sizeof fl);
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);

    m = ob_new(13);
    Onnx__NodeProto *cs = ob_node(m, "Constant", "c_str", "", "s");
    ob_attr_string(m, cs, "value_string", "hello");
    ob_output(m, "s", IR_FLOAT, 0, NULL);
    expect_error(m, "'value_string' is not supported");
    ob_free(m);

    m = ob_new(13);
    Onnx__NodeProto *c2a = ob_node(m, "Constant", "two", "", "s");
    ob_attr_float(m, c2a, "value_float", 1);
    ob_attr_int(m, c2a, "value_int", 1);
    ob_output(m, "s", IR_FLOAT, 0, NULL);
    expect_error(m, "exactly one value attribute");
    ob_free(m);
}

static ob_model *relu_model(const char *const *params, const int64_t *dims)
{
    ob_model *m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 2, dims, params);
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 2, dims);
    return m;
}

static void test_symbolic_dims(void **state)
{
    (void)state;
    const char *params[] = {"batch", NULL};
    const int64_t dims[] = {-1, 3};
    ob_model *m = relu_model(params, dims);
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_non_null(g);
    const ir_tensor *x = tensor(g, "x");
    assert_int_equal(x->shape.dims[0], 1);
    assert_int_equal(x->shape.dims[1], 3);
    assert_int_equal(d.n_warnings, 1);
    assert_non_null(strstr(d.warnings[0], "'batch'"));
    assert_non_null(strstr(d.warnings[0], "--dim"));
    ir_graph_free(g);
    diag_free(&d);

    frontend_dim fd[] = {{"other", 9}, {"batch", 4}};
    frontend_options opt = {.dims = fd, .n_dims = 2};
    diag_init(&d);
    g = load(m, &opt, &d);
    assert_non_null(g);
    assert_int_equal(tensor(g, "x")->shape.dims[0], 4);
    assert_int_equal(d.n_warnings, 0);
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);

    /* A dimension with neither a value nor a name. */
    const int64_t unknown[] = {2, -1};
    m = relu_model(NULL, unknown);
    diag_init(&d);
    g = load(m, NULL, &d);
    assert_non_null(g);
    assert_int_equal(tensor(g, "x")->shape.dims[1], 1);
    assert_true(has_text(d.warnings, d.n_warnings, "dimension 1 is unknown"));
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);
}

static void test_graph_inputs(void **state)
{
    (void)state;
    /* An initializer listed as an input (old exporters) is a constant. */
    ob_model *m = ob_new(9);
    float w[4] = {1, 2, 3, 4};
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_input(m, "w", IR_FLOAT, 1, d4, NULL);
    ob_init_f32(m, "w", 1, d4, w);
    ob_node(m, "Add", "add", "x,w", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_non_null(g);
    assert_int_equal(g->n_inputs, 1);
    assert_int_equal(g->inputs[0], ir_graph_find_tensor(g, "x"));
    assert_non_null(tensor(g, "w")->data);
    assert_int_equal(tensor(g, "w")->input_index, -1);
    assert_int_equal(g->opset, 9);
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "listed twice");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, -1, NULL, NULL);
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "has no shape");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_STRING, 1, d4, NULL);
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "element type string is not supported");
    ob_free(m);

    m = ob_new(13);
    int64_t neg[] = {-1};
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL)->type->tensor_type->shape->dim[0]->dim_value = neg[0];
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "negative dimension");
    ob_free(m);
}

static void test_graph_structure_errors(void **state)
{
    (void)state;
    ob_model *m = relu_model(NULL, (const int64_t[]){2, 2});
    ob_output(m, "ghost", IR_FLOAT, 1, d4);
    expect_error(m, "graph output 'ghost' is not produced");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Add", "add", "x,nowhere", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "'nowhere' is not produced");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Add", "a1", "x,b", "a");
    ob_node(m, "Relu", "b1", "a", "b");
    ob_output(m, "b", IR_FLOAT, 1, d4);
    expect_error(m, "cycle");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Relu", "p1", "x", "y");
    ob_node(m, "Relu", "p2", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "produced by two nodes");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    expect_error(m, "no outputs");
    ob_free(m);

    /* Single assignment: nothing redefines an input, initializer or constant. */
    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Relu", "r", "x", "y");
    ob_node(m, "Relu", "back", "y", "x");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "output 'x' is already a graph input");
    ob_free(m);

    m = ob_new(13);
    float w[4] = {0};
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_init_f32(m, "w", 1, d4, w);
    ob_node(m, "Relu", "r", "x", "w");
    ob_output(m, "w", IR_FLOAT, 1, d4);
    expect_error(m, "output 'w' is already a graph input, an initializer");
    ob_free(m);

    m = ob_new(13);
    ob_init_f32(m, "w", 1, d4, w);
    ob_init_f32(m, "w", 1, d4, w);
    ob_output(m, "w", IR_FLOAT, 1, d4);
    expect_error(m, "initializer 'w' is listed twice");
    ob_free(m);

    m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_attr_float(m, ob_node(m, "Constant", "k", "", "x"), "value_float", 1);
    ob_output(m, "x", IR_FLOAT, 1, d4);
    expect_error(m, "its output 'x' is already a graph input");
    ob_free(m);

    m = relu_model(NULL, (const int64_t[]){2, 2});
    ob_proto(m)->opset_import[0]->domain = "com.other";
    expect_error(m, "imports no ai.onnx opset");
    ob_free(m);

    m = relu_model(NULL, (const int64_t[]){2, 2});
    ob_proto(m)->graph = NULL;
    expect_error(m, "has no graph");
    ob_free(m);
}

/* The operator check lists every unsupported operator in one report. */
static void test_every_unsupported_op_listed(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "NoSuchOpA", "first_bad", "x", "a");
    ob_node(m, "Relu", "fine", "a", "b");
    ob_node(m, "NoSuchOpB", "second_bad", "b", "c");
    Onnx__NodeProto *n = ob_node(m, "Relu", "foreign", "c", "d");
    n->domain = ob_str(m, "com.example");
    ob_node(m, "NoSuchOpC", NULL, "d", "e");
    ob_output(m, "e", IR_FLOAT, 1, d4);
    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    assert_non_null(g);
    assert_int_equal(pass_infer_shapes(g, &d), -1);
    assert_true(has_text(d.errors, d.n_errors, "node 'first_bad' (NoSuchOpA): operator is not supported"));
    assert_true(has_text(d.errors, d.n_errors, "node 'second_bad' (NoSuchOpB)"));
    assert_true(has_text(d.errors, d.n_errors, "domain 'com.example'"));
    assert_true(has_text(d.errors, d.n_errors, "(NoSuchOpC): operator is not supported"));
    assert_int_equal(d.n_errors, 4);
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);
}

static const ir_node *node_with_op(const ir_graph *g, const char *op, int nth)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].op, op) == 0 && nth-- == 0)
            return &g->nodes[i];
    return NULL;
}

static void test_function_inlining(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    ob_opset(m, "my.fn", 1);
    /* Scaled(a) = Relu(LeakyRelu(a, alpha = @alpha)), with a local temporary. */
    Onnx__FunctionProto *f = ob_function(m, "my.fn", "Scaled", "a", "b", "alpha");
    Onnx__NodeProto *lr = ob_fn_node(m, f, "LeakyRelu", "lr", "a", "tmp");
    ob_attr_ref(m, lr, "alpha", "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    ob_fn_node(m, f, "Relu", "r", "tmp", "b");
    /* Twice(a) = Scaled(Scaled(a)) without an alpha: nesting. */
    Onnx__FunctionProto *f2 = ob_function(m, "my.fn", "Twice", "a", "b", "");
    Onnx__NodeProto *inner = ob_fn_node(m, f2, "Scaled", "s1", "a", "mid");
    inner->domain = ob_str(m, "my.fn");
    inner = ob_fn_node(m, f2, "Scaled", "s2", "mid", "b");
    inner->domain = ob_str(m, "my.fn");

    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    Onnx__NodeProto *call = ob_node(m, "Scaled", "call1", "x", "y");
    call->domain = ob_str(m, "my.fn");
    ob_attr_float(m, call, "alpha", 0.3f);
    Onnx__NodeProto *call2 = ob_node(m, "Twice", "call2", "y", "z");
    call2->domain = ob_str(m, "my.fn");
    ob_output(m, "z", IR_FLOAT, 1, d4);

    diag d;
    diag_init(&d);
    ir_graph *g = load(m, NULL, &d);
    if (!g)
        fail_msg("%s", d.errors[0]);
    assert_int_equal(g->n_nodes, 6);
    const ir_node *first = node_with_op(g, "LeakyRelu", 0);
    assert_non_null(first);
    const ir_attr *a = ir_node_attr(first, "alpha");
    assert_non_null(a);
    assert_int_equal(a->type, IR_ATTR_FLOAT);
    assert_true(a->f == 0.3f);
    assert_int_equal(first->inputs[0], ir_graph_find_tensor(g, "x"));
    /* No value at the call site: the reference is dropped, the default applies. */
    assert_null(ir_node_attr(node_with_op(g, "LeakyRelu", 1), "alpha"));
    assert_null(ir_node_attr(node_with_op(g, "LeakyRelu", 2), "alpha"));
    /* The function's outputs are the caller's tensors. */
    int y = ir_graph_find_tensor(g, "y"), z = ir_graph_find_tensor(g, "z");
    assert_true(y >= 0 && z >= 0);
    assert_string_equal(g->nodes[g->tensors[y].producer].op, "Relu");
    assert_string_equal(g->nodes[g->tensors[z].producer].op, "Relu");
    assert_int_equal(g->tensors[z].producer, 5);
    /* Each inlined body has its own temporaries. */
    int tmps = 0;
    for (int i = 0; i < g->n_tensors; i++)
        if (strstr(g->tensors[i].name, "tmp"))
            tmps++;
    assert_int_equal(tmps, 3);
    /* No foreign-domain node is left. */
    for (int i = 0; i < g->n_nodes; i++)
        assert_string_equal(g->nodes[i].domain, "");
    ir_graph_free(g);
    diag_free(&d);
    ob_free(m);
}

static void test_recursive_function_refused(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    Onnx__FunctionProto *f = ob_function(m, "my.fn", "Forever", "a", "b", "");
    ob_fn_node(m, f, "Forever", "again", "a", "b")->domain = ob_str(m, "my.fn");
    ob_input(m, "x", IR_FLOAT, 1, d4, NULL);
    ob_node(m, "Forever", "call", "x", "y")->domain = ob_str(m, "my.fn");
    ob_output(m, "y", IR_FLOAT, 1, d4);
    expect_error(m, "functions nest deeper");
    ob_free(m);
}

/* --- external data ---------------------------------------------------------- */

static char tmp_root[1024];

static void make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && access(path, F_OK) != 0)
        fail_msg("cannot create %s", path);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static int setup_tmp(void **state)
{
    (void)state;
    make_dir(SCNNC_TEST_TMP);
    snprintf(tmp_root, sizeof tmp_root, "%s/frontend_XXXXXX", SCNNC_TEST_TMP);
    if (!mkdtemp(tmp_root))
        return -1;
    return 0;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes a model whose initializer w (16 floats) lives at `location`, and
 * loads it from dir/model.onnx. */
static int load_external(const char *dir, const char *location, int64_t offset, int64_t length,
                         ir_graph **g, diag *d)
{
    static const int64_t d16[] = {16};
    ob_model *m = ob_new(13);
    ob_initializer(m, ob_tensor_external(m, "w", IR_FLOAT, 1, d16, location, offset, length));
    ob_output(m, "w", IR_FLOAT, 1, d16);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    assert_int_equal(ob_write(m, path), 0);
    ob_free(m);
    return frontend_load_file(path, NULL, g, d);
}

static void expect_external_error(const char *dir, const char *location, int64_t offset,
                                  int64_t length, const char *needle)
{
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    assert_int_equal(load_external(dir, location, offset, length, &g, &d), -1);
    assert_null(g);
    if (!has_text(d.errors, d.n_errors, needle))
        fail_msg("location '%s': expected '%s', got '%s'", location, needle,
                 d.n_errors ? d.errors[0] : "(nothing)");
    diag_free(&d);
}

static void test_external_data(void **state)
{
    (void)state;
    char model_dir[PATH_MAX], sub[PATH_MAX], path[PATH_MAX + 32], outside[PATH_MAX + 32];
    snprintf(model_dir, sizeof model_dir, "%s/model", tmp_root);
    snprintf(sub, sizeof sub, "%s/model/sub", tmp_root);
    make_dir(model_dir);
    make_dir(sub);
    float w[20];
    for (int i = 0; i < 20; i++)
        w[i] = (float)i * 0.5f - 3.0f;
    snprintf(path, sizeof path, "%s/weights.bin", model_dir);
    write_file(path, w, sizeof w);
    snprintf(path, sizeof path, "%s/sub/w2.bin", model_dir);
    write_file(path, w, sizeof w);
    snprintf(outside, sizeof outside, "%s/outside.bin", tmp_root);
    write_file(outside, w, sizeof w);

    /* Read at an offset, with and without a length. */
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    assert_int_equal(load_external(model_dir, "weights.bin", 8, 64, &g, &d), 0);
    assert_memory_equal(tensor(g, "w")->data, w + 2, 64);
    ir_graph_free(g);
    assert_int_equal(load_external(model_dir, "sub/w2.bin", -1, -1, &g, &d), 0);
    assert_memory_equal(tensor(g, "w")->data, w, 64);
    ir_graph_free(g);
    /* A symbolic link that stays inside the folder is fine. */
    snprintf(path, sizeof path, "%s/inside_link.bin", model_dir);
    assert_int_equal(symlink("sub/w2.bin", path), 0);
    assert_int_equal(load_external(model_dir, "inside_link.bin", 0, -1, &g, &d), 0);
    ir_graph_free(g);
    assert_int_equal(d.n_errors, 0);
    diag_free(&d);

    /* Everything that could leave the folder is refused. */
    expect_external_error(model_dir, "../outside.bin", 0, -1, "leaves the model's folder");
    expect_external_error(model_dir, "sub/../../outside.bin", 0, -1, "leaves the model's folder");
    expect_external_error(model_dir, outside, 0, -1, "leaves the model's folder");
    expect_external_error(model_dir, "..", 0, -1, "leaves the model's folder");
    expect_external_error(model_dir, "c:\\x.bin", 0, -1, "leaves the model's folder");
    snprintf(path, sizeof path, "%s/escape_link.bin", model_dir);
    assert_int_equal(symlink("../outside.bin", path), 0);
    expect_external_error(model_dir, "escape_link.bin", 0, -1, "outside the model's folder");
    snprintf(path, sizeof path, "%s/subdir_link", model_dir);
    assert_int_equal(symlink(tmp_root, path), 0);
    expect_external_error(model_dir, "subdir_link/outside.bin", 0, -1,
                          "outside the model's folder");

    /* Sizes, offsets and missing files. */
    expect_external_error(model_dir, "weights.bin", 0, 12, "does not match");
    expect_external_error(model_dir, "weights.bin", 40, -1, "shorter than 64 bytes");
    expect_external_error(model_dir, "weights.bin", 1LL << 40, -1, "shorter than 64 bytes");
    expect_external_error(model_dir, "missing.bin", 0, -1, "cannot open");
    expect_external_error(model_dir, NULL, 0, -1, "without a location");
    expect_external_error(model_dir, "", 0, -1, "leaves the model's folder");
    expect_external_error(model_dir, "sub", 0, -1, "shorter than 64 bytes");

    /* From memory there is no folder: refused. */
    ob_model *m = ob_new(13);
    ob_initializer(m, ob_tensor_external(m, "w", IR_FLOAT, 1, d4, "weights.bin", 0, -1));
    ob_output(m, "w", IR_FLOAT, 1, d4);
    expect_error(m, "not read from a file");
    ob_free(m);
}

static void test_load_file_errors(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/does_not_exist.onnx", tmp_root);
    assert_int_equal(frontend_load_file(path, NULL, &g, &d), -1);
    assert_true(has_text(d.errors, d.n_errors, "cannot open"));
    diag_free(&d);
    diag_init(&d);
    assert_int_equal(frontend_load_file(tmp_root, NULL, &g, &d), -1);
    assert_true(has_text(d.errors, d.n_errors, "not a regular file"));
    diag_free(&d);
    diag_init(&d);
    snprintf(path, sizeof path, "%s/empty.onnx", tmp_root);
    write_file(path, "", 0);
    assert_int_equal(frontend_load_file(path, NULL, &g, &d), -1);
    assert_true(has_text(d.errors, d.n_errors, "is empty"));
    diag_free(&d);
    assert_null(g);
}

static void test_tensor_file(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    int16_t v[4] = {-1, 2, -300, 32767};
    Onnx__TensorProto *t = ob_tensor_typed(m, NULL, IR_INT16, 1, d4, v);
    size_t len = onnx__tensor_proto__get_packed_size(t);
    uint8_t *buf = malloc(len);
    onnx__tensor_proto__pack(t, buf);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/tensor.pb", tmp_root);
    write_file(path, buf, len);
    diag d;
    diag_init(&d);
    ir_value val;
    assert_int_equal(frontend_load_tensor_file(path, &val, &d), 0);
    assert_int_equal(val.dtype, IR_INT16);
    assert_int_equal(val.shape.dims[0], 4);
    assert_memory_equal(val.data, v, sizeof v);
    free(val.data);
    /* Truncated: refused with a message. */
    write_file(path, buf, len - 1);
    assert_int_equal(frontend_load_tensor_file(path, &val, &d), -1);
    assert_true(d.n_errors > 0);
    free(buf);
    diag_free(&d);
    ob_free(m);
}

/* Hand-encoded wire data: nesting beyond the limit is refused before the
 * unpacker recurses. GraphProto.node(1) -> NodeProto.attribute(5) ->
 * AttributeProto.g(6) -> GraphProto ... */
static void test_deep_nesting(void **state)
{
    (void)state;
    size_t cap = 1 << 16;
    uint8_t *a = malloc(cap), *b = malloc(cap);
    size_t len = 0;
    for (int level = 0; level < 200; level++) {
        /* wrap: a (a GraphProto) becomes attribute.g -> node.attribute -> graph.node */
        static const uint8_t tags[3] = {(6 << 3) | 2, (5 << 3) | 2, (1 << 3) | 2};
        for (int k = 0; k < 3; k++) {
            size_t n = 0;
            b[n++] = tags[k];
            size_t v = len;
            do {
                b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
                v >>= 7;
            } while (v);
            memcpy(b + n, a, len);
            len += n;
            uint8_t *t = a;
            a = b;
            b = t;
        }
    }
    /* ModelProto.graph (7) around it all */
    size_t n = 0;
    b[n++] = (7 << 3) | 2;
    size_t v = len;
    do {
        b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    memcpy(b + n, a, len);
    len += n;
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    assert_int_equal(frontend_load_buffer(b, len, NULL, NULL, &g, &d), -1);
    assert_true(has_text(d.errors, d.n_errors, "nest deeper"));
    diag_free(&d);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_dtype_raw_and_typed),
        cmocka_unit_test(test_scalar_and_empty_tensors),
        cmocka_unit_test(test_bad_tensor_sizes),
        cmocka_unit_test(test_constant_nodes),
        cmocka_unit_test(test_symbolic_dims),
        cmocka_unit_test(test_graph_inputs),
        cmocka_unit_test(test_graph_structure_errors),
        cmocka_unit_test(test_every_unsupported_op_listed),
        cmocka_unit_test(test_function_inlining),
        cmocka_unit_test(test_recursive_function_refused),
        cmocka_unit_test(test_external_data),
        cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_tensor_file),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
