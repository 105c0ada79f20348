/* Unit tests of runtime/spmm_f32.c, the sparse kernel generated code
 * carries, compiled here as it stands: scnn_spmm_f32 against a plain
 * product over the nonzeros of A in double precision. Column counts reach
 * the 32-wide blocks, the 8-wide blocks and the one-column path; K spans
 * several chunks; with and without bias and residual, under ReLU and Clip,
 * with NaNs, with column steps other than 1 and with rows of A that are
 * all zero. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/spmm_f32.c"
#include "passes/ops/sparse.h"

/* --- data ---------------------------------------------------------------------- */

static uint32_t seed = 4321;

static uint32_t next_random(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

/* Small integers and halves: products and sums stay exact in float, so the
 * kernel must match the reference exactly whatever its order of sums. */
static float next_value(void) { return (float)((int)(next_random() % 9) - 4) * 0.5f; }

static float *floats(size_t n, float fill)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = fill;
    return p;
}

/* rows x k, about a quarter nonzero; every fifth row (from row 3) all zero. */
static float *sparse_matrix(int rows, int k)
{
    float *a = floats((size_t)rows * (size_t)k, 0.0f);
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < k && r % 5 != 3; j++)
            if (next_random() % 4 == 0)
                a[(size_t)r * (size_t)k + (size_t)j] =
                    (float)(1 + next_random() % 4) * (next_random() % 2 ? 0.5f : -0.5f);
    return a;
}

/* The compact form the kernel reads (passes/ops/sparse.h describes it). */
typedef struct encoded {
    int32_t *seg;
    uint8_t *index;
    float *value;
    int chunks;
} encoded;

static void encode(const float *a, int rows, int k, encoded *e)
{
    e->chunks = (k + SCNN_SPMM_KC - 1) / SCNN_SPMM_KC;
    e->seg = malloc(sizeof(int32_t) * ((size_t)e->chunks * (size_t)rows + 1));
    e->index = malloc((size_t)rows * (size_t)k + 1);
    e->value = floats((size_t)rows * (size_t)k, 0.0f);
    assert_true(e->seg && e->index);
    int32_t n = 0;
    for (int ch = 0; ch < e->chunks; ch++)
        for (int r = 0; r < rows; r++) {
            e->seg[ch * rows + r] = n;
            for (int j = ch * SCNN_SPMM_KC; j < k && j < (ch + 1) * SCNN_SPMM_KC; j++)
                if (a[(size_t)r * (size_t)k + (size_t)j] != 0.0f) {
                    e->index[n] = (uint8_t)(j - ch * SCNN_SPMM_KC);
                    e->value[n++] = a[(size_t)r * (size_t)k + (size_t)j];
                }
        }
    e->seg[e->chunks * rows] = n;
}

static void encoded_free(encoded *e)
{
    free(e->seg);
    free(e->index);
    free(e->value);
}

/* --- one product ----------------------------------------------------------------- */

enum { WITH_BIAS = 1, WITH_RESIDUAL = 2, WITH_NAN = 4 };
enum { CLAMP_NONE, CLAMP_RELU, CLAMP_CLIP };

typedef struct spmm_case {
    int rows, k, cols;
    int b_cs, c_cs, r_cs; /* column steps of B, C and the residual; b_cs 0:
                             B[k][j] = X[j][k], as a MatMul over few rows
                             reads its activations */
    int flags;            /* WITH_* */
    int clamp;            /* CLAMP_* */
} spmm_case;

/* What C outside the product holds before and after. */
#define UNTOUCHED 77.0f

static int same(float want, float got) { return want == got || (isnan(want) && isnan(got)); }

/* Runs one product and compares every element of C (and that the gaps of a
 * strided C are left alone). Returns the number of NaNs in the result. */
static int check_case(const spmm_case *t)
{
    const int rows = t->rows, k = t->k, cols = t->cols;
    float *a = sparse_matrix(rows, k);
    encoded e;
    encode(a, rows, k, &e);

    /* Each leading dimension has a spare element, so that rows never touch. */
    const ptrdiff_t b_cs = t->b_cs ? t->b_cs : k, ldb = t->b_cs ? (ptrdiff_t)cols * t->b_cs + 1 : 1;
    const ptrdiff_t ldc = (ptrdiff_t)cols * t->c_cs + 2, ldr = (ptrdiff_t)cols * t->r_cs + 1;
    const ptrdiff_t b_size = t->b_cs ? k * ldb : (ptrdiff_t)k * cols;
    float *b = floats((size_t)b_size, 0.0f), *c = floats((size_t)(rows * ldc), UNTOUCHED);
    float *bias = floats((size_t)rows, 0.0f), *res = floats((size_t)(rows * ldr), 0.0f);
    for (ptrdiff_t i = 0; i < b_size; i++)
        b[i] = next_value();
    for (int r = 0; r < rows; r++)
        bias[r] = next_value();
    for (ptrdiff_t i = 0; i < rows * ldr; i++)
        res[i] = next_value();
    if (t->flags & WITH_NAN) {
        /* A NaN in B where row 0 has a nonzero, another anywhere in B, one in
         * the residual and one in the bias. */
        for (int j = 0; j < k; j++)
            if (a[j] != 0.0f) {
                b[j * ldb + (cols / 2) * b_cs] = NAN;
                break;
            }
        ptrdiff_t kr = next_random() % (uint32_t)k, jr = next_random() % (uint32_t)cols;
        b[kr * ldb + jr * b_cs] = NAN;
        res[(rows - 1) * ldr + (ptrdiff_t)(cols - 1) * t->r_cs] = NAN;
        bias[rows / 2] = NAN;
    }

    float lo = -HUGE_VALF, hi = HUGE_VALF;
    if (t->clamp == CLAMP_RELU)
        lo = 0.0f;
    else if (t->clamp == CLAMP_CLIP)
        lo = -3.0f, hi = 5.5f;
    const int has_bias = (t->flags & WITH_BIAS) != 0, has_res = (t->flags & WITH_RESIDUAL) != 0;
    scnn_spmm s = {.rows = rows, .cols = cols, .chunks = e.chunks, .seg = e.seg,
                   .index = e.index, .value = e.value, .bias = has_bias ? bias : NULL,
                   .b = b, .ldb = ldb, .b_cs = b_cs, .c = c, .ldc = ldc, .c_cs = t->c_cs,
                   .residual = has_res ? res : NULL, .ldr = ldr, .r_cs = t->r_cs,
                   .lo = lo, .hi = hi};
    scnn_spmm_f32(&s);

    int nans = 0;
    for (int r = 0; r < rows; r++)
        for (ptrdiff_t i = 0; i < ldc; i++) {
            float got = c[r * ldc + i];
            if (i % t->c_cs != 0 || i / t->c_cs >= cols) {
                if (got != UNTOUCHED)
                    fail_msg("C[%d] gap %td overwritten (%g)", r, i, (double)got);
                continue;
            }
            ptrdiff_t j = i / t->c_cs;
            /* The zeros of A are skipped, as the kernel skips them: a NaN in
             * B reaches C only through a nonzero. */
            double acc = has_bias ? bias[r] : 0.0;
            for (int q = 0; q < k; q++)
                if (a[(size_t)r * (size_t)k + (size_t)q] != 0.0f)
                    acc += (double)a[(size_t)r * (size_t)k + (size_t)q] * b[q * ldb + j * b_cs];
            if (has_res)
                acc += res[r * ldr + j * t->r_cs];
            float want = (float)acc;
            want = want < lo ? lo : want;
            want = want > hi ? hi : want;
            if (!same(want, got))
                fail_msg("rows %d k %d cols %d: C[%d][%td] = %g, expected %g", rows, k, cols, r, j,
                         (double)got, (double)want);
            nans += isnan(got) != 0;
        }
    free(a);
    encoded_free(&e);
    free(b);
    free(c);
    free(bias);
    free(res);
    return nans;
}

/* --- tests ------------------------------------------------------------------------ */

static void test_sizes_match_compiler(void **state)
{
    (void)state;
    assert_int_equal(SPARSE_KC, SCNN_SPMM_KC);
    assert_int_equal(SPARSE_W, SCNN_SPMM_W);
}

static const int column_counts[] = {1, 7, 8, 31, 32, 33, 49, 100};
static const int ks[] = {1, 5, 255, 256, 257, 300, 600};

/* Unit steps: the block paths and the columns left over after them. */
static void test_columns_and_chunks(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < sizeof column_counts / sizeof column_counts[0]; ci++)
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            spmm_case t = {.rows = 11, .k = ks[ki], .cols = column_counts[ci], .b_cs = 1,
                           .c_cs = 1, .r_cs = 1, .flags = (int)(ci + ki) % 2 ? WITH_BIAS : 0};
            check_case(&t);
        }
}

static void test_bias_residual_clamp(void **state)
{
    (void)state;
    for (int flags = 0; flags < 4; flags++)
        for (int clamp = CLAMP_NONE; clamp <= CLAMP_CLIP; clamp++)
            for (size_t ci = 0; ci < sizeof column_counts / sizeof column_counts[0]; ci++) {
                spmm_case t = {.rows = 9, .k = 300, .cols = column_counts[ci], .b_cs = 1,
                               .c_cs = 1, .r_cs = 1, .flags = flags, .clamp = clamp};
                check_case(&t);
            }
}

/* NaNs in B, the bias and the residual reach C and survive the clamps. */
static void test_nan_passes(void **state)
{
    (void)state;
    for (int clamp = CLAMP_NONE; clamp <= CLAMP_CLIP; clamp++)
        for (size_t ci = 0; ci < sizeof column_counts / sizeof column_counts[0]; ci++) {
            spmm_case t = {.rows = 8, .k = 600, .cols = column_counts[ci], .b_cs = 1, .c_cs = 1,
                           .r_cs = 1, .flags = WITH_BIAS | WITH_RESIDUAL | WITH_NAN,
                           .clamp = clamp};
            assert_true(check_case(&t) >= 3);
        }
}

/* Any column step other than 1 (B, C or the residual) takes the one-column
 * path for every column; {0, ...}: B read as a MatMul's activations. */
static void test_strided(void **state)
{
    (void)state;
    static const int steps[][3] = {{2, 1, 1}, {1, 3, 1}, {1, 1, 2},
                                   {3, 5, 4}, {0, 1, 1}, {0, 2, 1}};
    for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++)
        for (size_t ci = 0; ci < sizeof column_counts / sizeof column_counts[0]; ci++) {
            spmm_case t = {.rows = 7, .k = 300, .cols = column_counts[ci], .b_cs = steps[si][0],
                           .c_cs = steps[si][1], .r_cs = steps[si][2],
                           .flags = WITH_BIAS | WITH_RESIDUAL, .clamp = CLAMP_RELU};
            check_case(&t);
        }
}

/* A with no nonzeros at all: C is the bias plus the residual, clamped. */
static void test_all_zero(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < sizeof column_counts / sizeof column_counts[0]; ci++) {
        const int rows = 3, k = 260, cols = column_counts[ci];
        int32_t seg[2 * 3 + 1] = {0};
        uint8_t index[1] = {0};
        float value[1] = {0}, bias[3] = {1.5f, -2.0f, 0.0f};
        float *b = floats((size_t)k * (size_t)cols, 1.0f);
        float *c = floats((size_t)rows * (size_t)cols, UNTOUCHED);
        float *res = floats((size_t)rows * (size_t)cols, 0.5f);
        scnn_spmm s = {.rows = rows, .cols = cols, .chunks = 2, .seg = seg, .index = index,
                       .value = value, .bias = bias, .b = b, .ldb = cols, .b_cs = 1, .c = c,
                       .ldc = cols, .c_cs = 1, .residual = res, .ldr = cols, .r_cs = 1,
                       .lo = 0.0f, .hi = HUGE_VALF};
        scnn_spmm_f32(&s);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                assert_true(c[r * cols + j] == (r == 0 ? 2.0f : r == 1 ? 0.0f : 0.5f));
        free(b);
        free(c);
        free(res);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_match_compiler), cmocka_unit_test(test_columns_and_chunks),
        cmocka_unit_test(test_bias_residual_clamp),  cmocka_unit_test(test_nan_passes),
        cmocka_unit_test(test_strided),              cmocka_unit_test(test_all_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
