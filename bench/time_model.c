/* Times a generated model (compiled with --name model) on ONNX test data and
 * checks it against reference outputs from the same run (ONNX Runtime's).
 *
 * usage: time_model IN_DIR REF_DIR RUNS [WEIGHTS.bin]
 *   IN_DIR/input_K.pb are the inputs, REF_DIR/output_K.pb the expected
 *   outputs. WEIGHTS.bin: the blob of a model compiled with --weights-file,
 *   bound with model_bind_weights() before the first run.
 * Prints one line:
 *   "scnnc: median X ms, min Y ms over N runs; max abs error E (K mismatches)"
 * Exit status: 0 all outputs within 1e-4 + 1e-3 |ref|, 1 some are not, 2 error.
 *
 * The first run is a warm-up (page faults on the weights and the arena) and is
 * the one checked; the N timed runs follow. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frontend/frontend.h"

int model_invoke(const void *const inputs[], void *const outputs[]);
/* Only models compiled with --weights-file define it; weak so that one driver
 * links with both kinds (gcc and clang support the attribute on ELF). */
void model_bind_weights(const void *weights) __attribute__((weak));

#define MAX_IO 16

static int load(const char *dir, const char *kind, ir_value *v, int *n)
{
    *n = 0;
    for (int i = 0; i < MAX_IO; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%d.pb", dir, kind, i);
        if (access(path, R_OK))
            break;
        diag d;
        diag_init(&d);
        int rc = frontend_load_tensor_file(path, &v[i], &d);
        diag_print(&d, stderr, path);
        diag_free(&d);
        if (rc)
            return -1;
        (*n)++;
    }
    return 0;
}

/* Reads the whole weights blob into memory aligned as the model requires. */
static void *load_blob(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *buf = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    /* An empty blob (every weight unrolled into code) still needs a
     * pointer to bind. */
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = aligned_alloc(64, ((size_t)size + 63) / 64 * 64 + 64);
        if (buf && size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5)
        return fprintf(stderr, "usage: %s IN_DIR REF_DIR RUNS [WEIGHTS.bin]\n", argv[0]), 2;
    int runs = atoi(argv[3]);
    if (runs < 1 || runs > 100000)
        return fprintf(stderr, "time_model: RUNS must be 1..100000\n"), 2;
    if (argc == 5) {
        if (!model_bind_weights)
            return fprintf(stderr, "time_model: this model was not compiled with --weights-file\n"), 2;
        void *blob = load_blob(argv[4]);
        if (!blob)
            return fprintf(stderr, "time_model: cannot read %s\n", argv[4]), 2;
        model_bind_weights(blob);
    }
    static ir_value in[MAX_IO], ref[MAX_IO];
    int n_in, n_out;
    if (load(argv[1], "input", in, &n_in) || load(argv[2], "output", ref, &n_out))
        return 2;
    if (!n_out)
        return fprintf(stderr, "time_model: no %s/output_0.pb\n", argv[2]), 2;
    const void *inputs[MAX_IO];
    void *outputs[MAX_IO];
    for (int i = 0; i < n_in; i++)
        inputs[i] = in[i].data;
    for (int i = 0; i < n_out; i++) {
        /* 8 bytes per element covers every element type the model may output. */
        outputs[i] = calloc((size_t)ir_shape_numel(&ref[i].shape) + 16, 8);
        if (!outputs[i])
            return fprintf(stderr, "time_model: out of memory\n"), 2;
    }
    if (model_invoke(inputs, outputs))
        return fprintf(stderr, "time_model: the model returned an error (weights not bound?)\n"), 2;
    double max_err = 0;
    long bad = 0;
    for (int i = 0; i < n_out; i++)
        for (int64_t k = 0; k < ir_shape_numel(&ref[i].shape); k++) {
            double g = ir_data_get_double(ref[i].dtype, outputs[i], k);
            double w = ir_data_get_double(ref[i].dtype, ref[i].data, k);
            double e = fabs(g - w);
            if (e > max_err || e != e)
                max_err = e;
            if (!(e <= 1e-4 + 1e-3 * fabs(w)))
                bad++;
        }
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t)
        return fprintf(stderr, "time_model: out of memory\n"), 2;
    for (int r = 0; r < runs; r++) {
        double t0 = now_ms();
        model_invoke(inputs, outputs);
        t[r] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    /* Same median as bench/ort/run.js: the mean of the middle two when even. */
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("scnnc: median %.3f ms, min %.3f ms over %d runs; max abs error %.3g (%ld mismatches)\n",
           median, t[0], runs, max_err, bad);
    return bad ? 1 : 0;
}
