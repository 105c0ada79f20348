/* Unit tests of the reference evaluations (Conv, Gemm, MatMul, pools,
 * normalizations) and of the interpreter that runs them: the ONNX backend
 * test data's node cases (skipped when Debian's libonnx-testdata is not
 * installed), the digits sample and the small zoo models against their
 * committed test data, the refusal of an operator without evaluation, of
 * mismatched inputs, and the graph left as it was. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontend/frontend.h"
#include "ir_build.h"
#include "passes/interpret.h"
#include "passes/passes.h"

#define NODE_DATA "/usr/share/libonnx-testdata/data/node"
#define MAX_IO 8

/* Loads an .onnx file and infers its shapes (folding constants as it goes). */
static ir_graph *load_model(const char *path)
{
    ir_graph *g = NULL;
    diag d;
    diag_init(&d);
    int rc = frontend_load_file(path, NULL, &g, &d);
    if (rc == 0)
        rc = pass_infer_shapes(g, &d);
    if (rc)
        diag_print(&d, stderr, path);
    diag_free(&d);
    assert_int_equal(rc, 0);
    return g;
}

/* Reads DIR/KIND_0.pb, DIR/KIND_1.pb ... into vals; returns the count. */
static int load_values(const char *dir, const char *kind, ir_value *vals)
{
    int count = 0;
    for (; count < MAX_IO; count++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%d.pb", dir, kind, count);
        if (access(path, R_OK) != 0)
            break;
        diag d;
        diag_init(&d);
        int rc = frontend_load_tensor_file(path, &vals[count], &d);
        if (rc)
            diag_print(&d, stderr, path);
        diag_free(&d);
        assert_int_equal(rc, 0);
    }
    return count;
}

/* |got - want| <= 1e-4 + 1e-3 |want| everywhere (integers exactly). */
static int values_match(const char *what, const ir_value *got, const ir_value *want)
{
    if (got->dtype != want->dtype || !ir_shape_equal(&got->shape, &want->shape)) {
        fprintf(stderr, "%s: type or shape differs\n", what);
        return 0;
    }
    int is_float = ir_dtype_is_float(want->dtype);
    for (int64_t i = 0; i < ir_shape_numel(&want->shape); i++) {
        double a = ir_data_get_double(got->dtype, got->data, i);
        double b = ir_data_get_double(want->dtype, want->data, i);
        if (is_float ? !(fabs(a - b) <= 1e-4 + 1e-3 * fabs(b)) : a != b) {
            fprintf(stderr, "%s: element %lld is %.9g, expected %.9g\n", what, (long long)i, a, b);
            return 0;
        }
    }
    return 1;
}

/* Runs model on DIR's input_K.pb and compares with its output_K.pb. */
static void check_case(const char *model, const char *dir)
{
    ir_graph *g = load_model(model);
    ir_value in[MAX_IO] = {{0}}, want[MAX_IO] = {{0}}, got[MAX_IO] = {{0}};
    int n_in = load_values(dir, "input", in), n_out = load_values(dir, "output", want);
    assert_int_equal(n_in, g->n_inputs);
    assert_int_equal(n_out, g->n_outputs);
    diag d;
    diag_init(&d);
    int rc = ir_interpret(g, in, got, &d);
    if (rc)
        diag_print(&d, stderr, model);
    diag_free(&d);
    assert_int_equal(rc, 0);
    for (int i = 0; i < n_out; i++)
        assert_true(values_match(dir, &got[i], &want[i]));
    ir_interpret_free(in, n_in);
    ir_interpret_free(want, n_out);
    ir_interpret_free(got, n_out);
    ir_graph_free(g);
}

/* --- ONNX backend node cases ------------------------------------------------ */

static const char *const node_cases[] = {
    "test_basic_conv_with_padding", "test_basic_conv_without_padding",
    "test_conv_with_autopad_same", "test_conv_with_strides_and_asymmetric_padding",
    "test_conv_with_strides_no_padding", "test_conv_with_strides_padding",
    "test_gemm_all_attributes", "test_gemm_alpha", "test_gemm_beta",
    "test_gemm_default_matrix_bias", "test_gemm_default_no_bias", "test_gemm_default_scalar_bias",
    "test_gemm_default_single_elem_vector_bias", "test_gemm_default_vector_bias",
    "test_gemm_default_zero_bias", "test_gemm_transposeA", "test_gemm_transposeB",
    "test_matmul_2d", "test_matmul_3d", "test_matmul_4d",
    "test_maxpool_1d_default", "test_maxpool_2d_ceil", "test_maxpool_2d_default",
    "test_maxpool_2d_dilations", "test_maxpool_2d_pads", "test_maxpool_2d_precomputed_pads",
    "test_maxpool_2d_precomputed_same_upper", "test_maxpool_2d_precomputed_strides",
    "test_maxpool_2d_same_lower", "test_maxpool_2d_same_upper", "test_maxpool_2d_strides",
    "test_maxpool_2d_uint8", "test_maxpool_3d_default",
    "test_maxpool_with_argmax_2d_precomputed_pads",
    "test_maxpool_with_argmax_2d_precomputed_strides",
    "test_averagepool_1d_default", "test_averagepool_2d_ceil", "test_averagepool_2d_default",
    "test_averagepool_2d_pads", "test_averagepool_2d_pads_count_include_pad",
    "test_averagepool_2d_precomputed_pads",
    "test_averagepool_2d_precomputed_pads_count_include_pad",
    "test_averagepool_2d_precomputed_same_upper", "test_averagepool_2d_precomputed_strides",
    "test_averagepool_2d_same_lower", "test_averagepool_2d_same_upper",
    "test_averagepool_2d_strides", "test_averagepool_3d_default",
    "test_globalaveragepool", "test_globalaveragepool_precomputed", "test_globalmaxpool",
    "test_globalmaxpool_precomputed",
    "test_batchnorm_epsilon", "test_batchnorm_example",
    "test_instancenorm_epsilon", "test_instancenorm_example",
    "test_layer_normalization_2d_axis0", "test_layer_normalization_3d_axis1_epsilon",
    "test_layer_normalization_4d_axis_negative_2", "test_layer_normalization_default_axis",
    "test_softmax_axis_0", "test_softmax_axis_1", "test_softmax_axis_2",
    "test_softmax_default_axis", "test_softmax_example", "test_softmax_large_number",
    "test_softmax_negative_axis", "test_logsoftmax_axis_0", "test_logsoftmax_axis_2",
    "test_logsoftmax_default_axis", "test_logsoftmax_large_number",
};

static void test_node_cases(void **state)
{
    (void)state;
    if (access(NODE_DATA, R_OK) != 0)
        skip();
    int ran = 0;
    for (size_t i = 0; i < sizeof node_cases / sizeof node_cases[0]; i++) {
        char model[4096], dir[4096];
        snprintf(model, sizeof model, "%s/%s/model.onnx", NODE_DATA, node_cases[i]);
        snprintf(dir, sizeof dir, "%s/%s/test_data_set_0", NODE_DATA, node_cases[i]);
        if (access(model, R_OK) != 0)
            continue; /* not in this version of the test data */
        check_case(model, dir);
        ran++;
    }
    assert_true(ran > 0);
}

/* --- whole models ------------------------------------------------------------- */

static void test_digits(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/samples/digits/test_data_set_%d", SCNNC_SOURCE_DIR, i);
        check_case(SCNNC_SOURCE_DIR "/samples/digits/digits.onnx", dir);
    }
}

static void test_zoo(void **state)
{
    (void)state;
    static const char *const models[] = {"ad_autoencoder", "ds_cnn_kws", "mobilenet_v1_025_vww",
                                         "resnet8_cifar", "transformer_tiny_op13",
                                         "transformer_tiny_op17"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char model[4096], dir[4096];
        snprintf(model, sizeof model, "%s/samples/zoo/%s/model.onnx", SCNNC_SOURCE_DIR, models[i]);
        snprintf(dir, sizeof dir, "%s/samples/zoo/%s/test_data_set_0", SCNNC_SOURCE_DIR,
                 models[i]);
        check_case(model, dir);
    }
}

/* --- refusals and the graph left as it was ----------------------------------------- */

/* x -> Relu -> LRN -> y; LRN has no eval (if it gets one, pick another op). */
static ir_graph *graph_without_eval(int *x)
{
    ir_graph *g = ib_graph(13);
    static const int64_t dims[] = {1, 2, 1, 3};
    *x = ib_input(g, "x", IR_FLOAT, 4, dims);
    int r = ib_tensor(g, "r", IR_FLOAT, 4, dims), y = ib_tensor(g, "y", IR_FLOAT, 4, dims);
    ib_node(g, "Relu", "relu", x, 1, &r, 1);
    ib_attr_int(g, ib_node(g, "LRN", "lrn", &r, 1, &y, 1), "size", 1);
    ib_mark_output(g, y);
    assert_true(ib_infer_ok(g));
    return g;
}

static void test_refuses_op_without_eval(void **state)
{
    (void)state;
    int x;
    ir_graph *g = graph_without_eval(&x);
    float data[6] = {1, -2, 3, -4, 5, -6};
    ir_value in = {.dtype = IR_FLOAT, .shape = g->tensors[x].shape, .data = data}, out = {0};
    diag d;
    diag_init(&d);
    assert_int_equal(ir_interpret(g, &in, &out, &d), -1);
    assert_true(ib_mentions(&d, "node 'lrn' (LRN): cannot be interpreted"));
    assert_true(ib_mentions(&d, "no reference evaluation"));
    diag_free(&d);
    /* Nothing stays constant: not the input, not the Relu output. */
    for (int t = 0; t < g->n_tensors; t++)
        assert_null(g->tensors[t].data);
    ir_graph_free(g);
}

static void test_refuses_mismatched_input(void **state)
{
    (void)state;
    ir_graph *g = load_model(SCNNC_SOURCE_DIR "/samples/digits/digits.onnx");
    float data[64] = {0};
    ir_value in = {.dtype = IR_FLOAT, .shape = {.rank = 2, .dims = {8, 8}}, .data = data};
    ir_value out = {0};
    diag d;
    diag_init(&d);
    assert_int_equal(ir_interpret(g, &in, &out, &d), -1);
    assert_true(ib_mentions(&d, "the model expects float32 1x1x8x8"));
    diag_free(&d);
    ir_graph_free(g);
}

/* After a run every tensor holds data exactly when it did before, with the
 * same bytes, and a second run gives the same outputs. */
static void test_graph_left_as_it_was(void **state)
{
    (void)state;
    ir_graph *g = load_model(SCNNC_SOURCE_DIR "/samples/digits/digits.onnx");
    char *had = calloc((size_t)g->n_tensors, 1);
    assert_non_null(had);
    for (int t = 0; t < g->n_tensors; t++)
        had[t] = g->tensors[t].data != NULL;
    ir_value in[MAX_IO] = {{0}}, a = {0}, b = {0};
    load_values(SCNNC_SOURCE_DIR "/samples/digits/test_data_set_1", "input", in);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_interpret(g, in, &a, &d), 0);
    for (int t = 0; t < g->n_tensors; t++)
        assert_int_equal(g->tensors[t].data != NULL, had[t]);
    assert_int_equal(ir_interpret(g, in, &b, &d), 0);
    assert_memory_equal(a.data, b.data, ir_shape_numel(&a.shape) * sizeof(float));
    diag_free(&d);
    ir_interpret_free(in, 1);
    ir_interpret_free(&a, 1);
    ir_interpret_free(&b, 1);
    free(had);
    ir_graph_free(g);
}

/* The model with LSTM (rnn.c has no eval) is refused by name. */
static void test_refuses_lstm(void **state)
{
    (void)state;
    ir_graph *g = load_model(SCNNC_SOURCE_DIR "/samples/zoo/lstm_tagger/model.onnx");
    ir_value in[MAX_IO] = {{0}}, out[MAX_IO] = {{0}};
    int n_in =
        load_values(SCNNC_SOURCE_DIR "/samples/zoo/lstm_tagger/test_data_set_0", "input", in);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_interpret(g, in, out, &d), -1);
    assert_true(ib_mentions(&d, "(LSTM): cannot be interpreted"));
    diag_free(&d);
    ir_interpret_free(in, n_in);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_cases),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_zoo),
        cmocka_unit_test(test_refuses_op_without_eval),
        cmocka_unit_test(test_refuses_mismatched_input),
        cmocka_unit_test(test_graph_left_as_it_was),
        cmocka_unit_test(test_refuses_lstm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
