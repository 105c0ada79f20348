/* Drives a generated model (compiled with --name model) on ONNX test data:
 * reads DIR/input_N.pb, calls model_invoke, compares with DIR/output_N.pb.
 * Tolerance for floats: |got - want| <= 1e-4 + 1e-3 * |want|, NaN matches NaN;
 * integers and bools exactly. An output written past its expected size
 * fails too. Exit 0 on a match, 1 otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/frontend.h"

int model_invoke(const void *const inputs[], void *const outputs[]);

#define MAX_IO 64
/* Bytes checked after each output buffer, and the pattern they hold. */
#define GUARD 4096
#define POISON 0xA5

static int load_all(const char *dir, const char *kind, ir_value *vals, int *count)
{
    *count = 0;
    for (int i = 0; i < MAX_IO; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%d.pb", dir, kind, i);
        if (access(path, R_OK) != 0)
            break;
        diag d;
        diag_init(&d);
        if (frontend_load_tensor_file(path, &vals[i], &d)) {
            diag_print(&d, stderr, path);
            diag_free(&d);
            return -1;
        }
        diag_free(&d);
        (*count)++;
    }
    return 0;
}

static int close_enough(ir_dtype t, double got, double want)
{
    if (!ir_dtype_is_float(t) && t != IR_FLOAT16 && t != IR_BFLOAT16)
        return got == want;
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    double tol = 1e-4 + 1e-3 * fabs(want);
    if (t == IR_FLOAT16 || t == IR_BFLOAT16)
        tol = 1e-3 + 1e-2 * fabs(want); /* 16-bit floats: a few ulps */
    return fabs(got - want) <= tol;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST_DATA_DIR\n", argv[0]);
        return 2;
    }
    static ir_value in[MAX_IO], want[MAX_IO];
    int n_in, n_out;
    if (load_all(argv[1], "input", in, &n_in) || load_all(argv[1], "output", want, &n_out))
        return 2;
    const void *inputs[MAX_IO] = {0};
    void *outputs[MAX_IO] = {0};
    size_t out_bytes[MAX_IO];
    for (int i = 0; i < n_in; i++)
        inputs[i] = in[i].data;
    for (int i = 0; i < n_out; i++) {
        out_bytes[i] = (size_t)ir_shape_numel(&want[i].shape) * ir_dtype_size(want[i].dtype);
        outputs[i] = malloc(out_bytes[i] + GUARD);
        if (!outputs[i]) {
            printf("FAIL out of memory\n");
            return 2;
        }
        /* Poison, so that an output the model never writes cannot pass, and
         * a guard after it, so that writing more than expected is caught. */
        memset(outputs[i], POISON, out_bytes[i] + GUARD);
    }
    int rc = model_invoke(inputs, outputs);
    if (rc != 0) {
        printf("FAIL model_invoke returned %d\n", rc);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < n_out && !bad; i++)
        for (size_t k = 0; k < GUARD && !bad; k++)
            if (((const unsigned char *)outputs[i])[out_bytes[i] + k] != POISON) {
                printf("FAIL output %d: the model wrote past its %zu expected bytes\n", i,
                       out_bytes[i]);
                bad = 1;
            }
    for (int i = 0; i < n_out && !bad; i++) {
        int64_t n = ir_shape_numel(&want[i].shape);
        for (int64_t k = 0; k < n; k++) {
            double g = ir_data_get_double(want[i].dtype, outputs[i], k);
            double w = ir_data_get_double(want[i].dtype, want[i].data, k);
            if (!close_enough(want[i].dtype, g, w)) {
                printf("FAIL output %d element %lld of %lld: got %.9g expected %.9g\n", i,
                       (long long)k, (long long)n, g, w);
                bad = 1;
                break;
            }
        }
    }
    for (int i = 0; i < n_in; i++)
        free(in[i].data);
    for (int i = 0; i < n_out; i++) {
        free(want[i].data);
        free(outputs[i]);
    }
    if (!bad)
        printf("PASS\n");
    return bad;
}
