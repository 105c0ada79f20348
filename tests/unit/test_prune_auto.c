/* Unit tests of pass_prune_auto on the digits sample: the pruned model
 * stays within the error bound on the samples (checked by interpreting it
 * again), some layer gets pruned, both data layouts give the same result,
 * skips and fixed sparsities are honoured, the table is printed, and bad
 * data folders are refused with clear messages. */
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

#include "frontend/frontend.h"
#include "ir_build.h"
#include "passes/interpret.h"
#include "passes/passes.h"

#define DIGITS SCNNC_SOURCE_DIR "/samples/digits"
#define SETS 3
#define BOUND 0.25

static ir_graph *load_digits(void)
{
    ir_graph *g = NULL;
    diag d;
    diag_init(&d);
    int rc = frontend_load_file(DIGITS "/digits.onnx", NULL, &g, &d);
    if (rc == 0)
        rc = pass_infer_shapes(g, &d);
    diag_free(&d);
    assert_int_equal(rc, 0);
    return g;
}

static void load_input(int set, ir_value *v)
{
    char path[4096];
    snprintf(path, sizeof path, DIGITS "/test_data_set_%d/input_0.pb", set);
    diag d;
    diag_init(&d);
    assert_int_equal(frontend_load_tensor_file(path, v, &d), 0);
    diag_free(&d);
}

/* Max |pruned - unpruned| of the logits over the sample sets. */
static double error_against(ir_graph *pruned, ir_graph *dense)
{
    double err = 0.0;
    diag d;
    diag_init(&d);
    for (int i = 0; i < SETS; i++) {
        ir_value in = {0}, a = {0}, b = {0};
        load_input(i, &in);
        assert_int_equal(ir_interpret(pruned, &in, &a, &d), 0);
        assert_int_equal(ir_interpret(dense, &in, &b, &d), 0);
        for (int64_t k = 0; k < ir_shape_numel(&a.shape); k++) {
            double e = fabs(((float *)a.data)[k] - ((float *)b.data)[k]);
            err = e > err ? e : err;
        }
        ir_interpret_free(&in, 1);
        ir_interpret_free(&a, 1);
        ir_interpret_free(&b, 1);
    }
    diag_free(&d);
    return err;
}

static int64_t zeros_of(const ir_graph *g, const char *tensor)
{
    const ir_tensor *t = &g->tensors[ir_graph_find_tensor(g, tensor)];
    int64_t z = 0;
    for (int64_t i = 0; i < ir_tensor_numel(t); i++)
        z += ((const float *)t->data)[i] == 0.0f;
    return z;
}

static const char *const weights[] = {"onnx::Conv_27", "onnx::Conv_30", "classifier.weight"};

/* Runs the pass on digits with options o (data and bound filled in when
 * unset); returns the pruned graph, the table in log when given. */
static ir_graph *prune_digits(pass_options *o, FILE *log)
{
    ir_graph *g = load_digits();
    o->prune_auto = 1;
    o->data_dir = o->data_dir ? o->data_dir : DIGITS;
    o->max_error = o->max_error > 0 ? o->max_error : BOUND;
    o->log = log;
    diag d;
    diag_init(&d);
    int rc = pass_prune_auto(g, o, &d);
    if (rc)
        diag_print(&d, stderr, "prune auto");
    diag_free(&d);
    assert_int_equal(rc, 0);
    return g;
}

static void test_within_bound_and_pruned(void **state)
{
    (void)state;
    pass_options o = {0};
    FILE *log = tmpfile();
    assert_non_null(log);
    ir_graph *g = prune_digits(&o, log), *dense = load_digits();
    double err = error_against(g, dense);
    assert_true(err <= BOUND);
    int64_t zeros = 0, total = 0;
    for (int i = 0; i < 3; i++) {
        zeros += zeros_of(g, weights[i]);
        total += ir_tensor_numel(&g->tensors[ir_graph_find_tensor(g, weights[i])]);
        assert_int_equal(zeros_of(dense, weights[i]), 0);
    }
    /* Nontrivial: something pruned, not everything. */
    assert_true(zeros > 0);
    assert_true(zeros < total * 98 / 100);
    char text[4096] = {0};
    rewind(log);
    assert_true(fread(text, 1, sizeof text - 1, log) > 0);
    assert_non_null(strstr(text, "final error"));
    assert_non_null(strstr(text, "/features/features.3/Conv"));
    assert_non_null(strstr(text, "/classifier/Gemm"));
    fclose(log);
    ir_graph_free(g);
    ir_graph_free(dense);
}

/* A folder of .pb files holding the same inputs gives the same weights. */
static void test_pb_folder_layout(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/prune_auto_pb", SCNNC_TEST_TMP);
    mkdir(dir, 0755);
    for (int i = 0; i < SETS; i++) {
        char from[4096], to[4096 + 32];
        snprintf(from, sizeof from, DIGITS "/test_data_set_%d/input_0.pb", i);
        snprintf(to, sizeof to, "%s/sample_%d.pb", dir, i);
        FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
        assert_non_null(in);
        assert_non_null(out);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        fclose(out);
    }
    pass_options a = {0}, b = {.data_dir = dir};
    FILE *log = tmpfile();
    ir_graph *ga = prune_digits(&a, log), *gb = prune_digits(&b, log);
    fclose(log);
    for (int i = 0; i < 3; i++) {
        const ir_tensor *ta = &ga->tensors[ir_graph_find_tensor(ga, weights[i])];
        const ir_tensor *tb = &gb->tensors[ir_graph_find_tensor(gb, weights[i])];
        assert_memory_equal(ta->data, tb->data, ir_tensor_bytes(ta));
    }
    ir_graph_free(ga);
    ir_graph_free(gb);
}

/* --prune-skip leaves a layer dense; --prune-layer fixes one exactly. */
static void test_skip_and_fixed(void **state)
{
    (void)state;
    pass_options o = {.n_skip = 1, .n_layers = 1, .max_error = 1.0};
    o.skip[0] = "/classifier/Gemm";
    o.layers[0] = (prune_layer){.name = "onnx::Conv_30", .sparsity = 0.2};
    FILE *log = tmpfile();
    ir_graph *g = prune_digits(&o, log), *dense = load_digits();
    fclose(log);
    assert_int_equal(zeros_of(g, "classifier.weight"), 0);
    assert_int_equal(zeros_of(g, "onnx::Conv_30"), 230); /* 0.2 * 1152, rounded */
    assert_true(zeros_of(g, "onnx::Conv_27") > 0);
    assert_true(error_against(g, dense) <= 1.0);
    ir_graph_free(g);
    ir_graph_free(dense);
}

/* A fixed sparsity beyond the bound alone: a warning, the rest stays dense. */
static void test_fixed_beyond_bound(void **state)
{
    (void)state;
    ir_graph *g = load_digits();
    pass_options o = {.prune_auto = 1, .data_dir = DIGITS, .max_error = BOUND, .n_layers = 1};
    o.layers[0] = (prune_layer){.name = "/features/features.3/Conv", .sparsity = 0.5};
    FILE *log = tmpfile();
    o.log = log;
    diag d;
    diag_init(&d);
    assert_int_equal(pass_prune_auto(g, &o, &d), 0);
    assert_int_equal(d.n_warnings, 1);
    assert_non_null(strstr(d.warnings[0], "--prune-layer sparsities alone give error"));
    diag_free(&d);
    fclose(log);
    assert_int_equal(zeros_of(g, "onnx::Conv_30"), 576);
    assert_int_equal(zeros_of(g, "onnx::Conv_27"), 0);
    assert_int_equal(zeros_of(g, "classifier.weight"), 0);
    ir_graph_free(g);
}

static void expect_refusal(pass_options *o, const char *needle)
{
    ir_graph *g = load_digits();
    o->prune_auto = 1;
    o->max_error = BOUND;
    diag d;
    diag_init(&d);
    assert_int_equal(pass_prune_auto(g, o, &d), -1);
    assert_true(ib_mentions(&d, needle));
    diag_free(&d);
    /* The weights are left as they came. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(zeros_of(g, weights[i]), 0);
    ir_graph_free(g);
}

static void test_refusals(void **state)
{
    (void)state;
    pass_options none = {0};
    expect_refusal(&none, "needs sample inputs (--data DIR)");
    pass_options missing = {.data_dir = SCNNC_TEST_TMP "/no_such_folder"};
    expect_refusal(&missing, "cannot open the data folder");
    pass_options empty = {.data_dir = SCNNC_SOURCE_DIR "/docs"};
    expect_refusal(&empty, "no sample inputs in");
    /* Outputs (1 x 10) given as inputs. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/prune_auto_bad", SCNNC_TEST_TMP);
    mkdir(dir, 0755);
    char from[4096], to[4096 + 32];
    snprintf(from, sizeof from, DIGITS "/test_data_set_0/output_0.pb");
    snprintf(to, sizeof to, "%s/x.pb", dir);
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
    pass_options bad = {.data_dir = dir};
    expect_refusal(&bad, "holds float32 1x10, but model input 'image' is float32 1x1x8x8");
}

/* Without --prune auto the pass does nothing. */
static void test_off(void **state)
{
    (void)state;
    ir_graph *g = load_digits();
    pass_options o = {.max_error = BOUND, .data_dir = DIGITS};
    diag d;
    diag_init(&d);
    assert_int_equal(pass_prune_auto(g, &o, &d), 0);
    diag_free(&d);
    for (int i = 0; i < 3; i++)
        assert_int_equal(zeros_of(g, weights[i]), 0);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_bound_and_pruned),
        cmocka_unit_test(test_pb_folder_layout),
        cmocka_unit_test(test_skip_and_fixed),
        cmocka_unit_test(test_fixed_beyond_bound),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
