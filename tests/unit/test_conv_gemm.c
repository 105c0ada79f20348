/* Unit tests of the Conv and Gemm/MatMul family: the runtime/ helpers that
 * generated code carries (compiled here as they stand, against plain loops
 * in double precision, with small block sizes so that every edge and
 * blocking path runs), the shapes, kernel choices and refusals of the
 * handlers, and the emission of each runtime piece once per file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../runtime/common.c"
#include "../../runtime/conv_col2im_f32.c"
#include "../../runtime/conv_depthwise_f32.c"
#include "../../runtime/gemm_f32.c"
#include "../../runtime/rowvec_f32.c"
#include "codegen/codegen.h"
#include "ir_build.h"
#include "passes/ops/conv_gemm.h"
#include "passes/passes.h"

/* --- data ---------------------------------------------------------------------- */

static uint32_t seed = 12345;

/* Small integers and halves: products and sums stay exact in float, so the
 * kernels must match the reference exactly whatever their order. */
static float next_value(void)
{
    seed = seed * 1664525u + 1013904223u;
    return (float)((int)(seed >> 24) % 9 - 4) * 0.5f;
}

static float *values(size_t n)
{
    float *p = malloc(sizeof(float) * (n ? n : 1));
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = next_value();
    return p;
}

/* The work area a product needs: without A's panel when it never packs A
 * (sized exactly, so that the sanitizers see any use of the panel). */
static float *work_for(const scnn_gemm *g)
{
    size_t n = SCNN_GEMM_A_IN_PLACE(g) ? (size_t)SCNN_GEMM_WORK_B(g->kc, g->nc)
                                       : (size_t)SCNN_GEMM_WORK(g->kc, g->nc);
    float *w = malloc(sizeof(float) * n);
    assert_non_null(w);
    return w;
}

static float clampf(double v, float lo, float hi)
{
    float f = (float)v;
    f = f < lo ? lo : f;
    return f > hi ? hi : f;
}

/* --- runtime: the blocked product ----------------------------------------------- */

/* The budget for a graph whose largest activation holds `largest` floats. */
static int64_t budget_for(int64_t largest)
{
    return largest / GEMM_BAND_DIV > GEMM_BAND_MIN ? largest / GEMM_BAND_DIV : GEMM_BAND_MIN;
}

static void test_blocking_matches(void **state)
{
    (void)state;
    assert_int_equal(GEMM_MR, SCNN_MR);
    assert_int_equal(GEMM_NR_MIN, SCNN_NR_MIN);
    assert_int_equal(GEMM_NR_MAX, SCNN_NR_MAX);
    /* m, n, k, A plain, largest activation (floats) */
    static const int64_t shapes[][5] = {
        {1, 1, 1, 1, 1},          {7, 7, 3, 0, 49},       {64, 3136, 576, 1, 64 * 3136},
        {512, 49, 4608, 1, 25088}, {16, 64, 72, 1, 1024},  {8, 64, 9, 1, 512},
        {4, 300, 1000, 0, 1200},  {16, 16, 256, 1, 256},  {12, 5, 40, 1, 60},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int64_t m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
        const int64_t budget = budget_for(shapes[i][4]);
        gemm_blocking b;
        gemm_blocking_make(m, n, k, (int)shapes[i][3], budget, &b);
        assert_true(b.kc >= 1 && b.kc <= GEMM_KC && b.kc <= k);
        assert_true(b.nc >= 1 && b.nc <= GEMM_NC && b.nc <= n);
        /* B's block keeps within the budget unless one tile GEMM_KC_MIN
         * deep does not; bands start at whole register tiles. */
        assert_true(SCNN_GEMM_WORK_B(b.kc, b.nc) <= budget || b.kc <= GEMM_KC_MIN);
        assert_true(b.nc == n || b.nc % (b.nc >= GEMM_NR_MAX ? GEMM_NR_MAX : GEMM_NR_MIN) == 0);
        /* Tiles narrower than the widest only where nothing deeper fits;
         * bands narrower than the L2 block only where steps of
         * GEMM_KC_BAND do not fit. */
        assert_true(b.nc >= GEMM_NR_MAX || b.nc == n || b.kc <= GEMM_KC_MIN || b.kc == k);
        assert_true(b.nc == (n < GEMM_NC ? n : GEMM_NC) || b.kc <= GEMM_KC_BAND);
        int in_place = shapes[i][3] && m % GEMM_MR == 0;
        int64_t floats = in_place ? SCNN_GEMM_WORK_B(b.kc, b.nc) : SCNN_GEMM_WORK(b.kc, b.nc);
        assert_int_equal(b.work_bytes, floats * (int64_t)sizeof(float));
    }
    /* Layers of large models keep the L2 block. */
    gemm_blocking b;
    gemm_blocking_make(512, 49, 4608, 1, budget_for(64 * 112 * 112), &b);
    assert_int_equal(b.kc, GEMM_KC);
    assert_int_equal(b.nc, 49);
    gemm_blocking_make(128, 3136, 1152, 1, budget_for(128 * 3136), &b);
    assert_int_equal(b.kc, GEMM_KC);
    assert_int_equal(b.nc, GEMM_NC);
    /* ResNet-8's 3x3 Conv of 16 channels on 32x32 (4096 floats): k in
     * three steps of 48, then bands of three 24-column tiles. */
    gemm_blocking_make(16, 1024, 144, 1, budget_for(16 * 1024), &b);
    assert_int_equal(b.kc, 48);
    assert_int_equal(b.nc, 72);
    /* 1x1 960 -> 160 on 7x7 (1960 floats): steps of 64, one tile wide. */
    gemm_blocking_make(160, 49, 960, 1, budget_for(160 * 49), &b);
    assert_int_equal(b.kc, 64);
    assert_int_equal(b.nc, 24);
    /* digits' second Conv (16 x 64 x 72; the largest activation is its
     * output, 1024 floats): 256 floats; 24
     * columns would need steps below GEMM_KC_MIN, so 16 columns, k in five
     * steps of 15. */
    gemm_blocking_make(16, 64, 72, 1, budget_for(1024), &b);
    assert_int_equal(b.nc, 16);
    assert_int_equal(b.kc, 15);
    assert_int_equal(b.work_bytes, 15 * 16 * (int64_t)sizeof(float));
}

typedef struct gemm_case {
    int m, n, k, trans_a, kc, nc, accumulate, bias;
    float alpha, lo, hi;
} gemm_case;

static void run_gemm_case(const gemm_case *t)
{
    float *a = values((size_t)t->m * t->k), *b = values((size_t)t->k * t->n);
    float *c = values((size_t)t->m * t->n), *c0 = malloc(sizeof(float) * (size_t)t->m * t->n);
    float *bias = values((size_t)t->m);
    assert_non_null(c0);
    memcpy(c0, c, sizeof(float) * (size_t)t->m * t->n);
    scnn_matrix bm = {b, t->n, 1};
    scnn_gemm g = {.m = t->m, .n = t->n, .k = t->k, .a = a, .a_rs = t->trans_a ? 1 : t->k,
                   .a_cs = t->trans_a ? t->m : 1, .alpha = t->alpha, .c = c, .ldc = t->n,
                   .accumulate = t->accumulate, .bias = t->bias ? bias : NULL, .lo = t->lo,
                   .hi = t->hi, .kc = t->kc, .nc = t->nc};
    float *work = work_for(&g);
    scnn_gemm_f32(&g, &bm, NULL, work);
    for (int i = 0; i < t->m; i++)
        for (int j = 0; j < t->n; j++) {
            double s = 0;
            for (int p = 0; p < t->k; p++)
                s += (double)(t->trans_a ? a[p * t->m + i] : a[i * t->k + p]) * b[p * t->n + j];
            s = t->alpha * s + (t->accumulate ? c0[i * t->n + j] : 0) + (t->bias ? bias[i] : 0);
            assert_float_equal(c[i * t->n + j], clampf(s, t->lo, t->hi), 0.0);
        }
    free(a), free(b), free(c), free(c0), free(bias), free(work);
}

static void test_gemm_runtime(void **state)
{
    (void)state;
    const float inf = HUGE_VALF;
    static const int dims[][3] = {{1, 1, 1},   {4, 24, 8},   {5, 25, 9},  {3, 7, 2},
                                  {8, 17, 33}, {9, 49, 40},  {13, 100, 7}, {2, 8, 300},
                                  {8, 100, 20}, {12, 60, 5}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        const int m = dims[i][0], n = dims[i][1], k = dims[i][2];
        /* Whole-matrix blocks, then blocks small enough to split both ways. */
        gemm_case whole = {m, n, k, 0, k, n, 0, 0, 1.0f, -inf, inf};
        run_gemm_case(&whole);
        gemm_case split = {m, n, k, 0, k > 3 ? 3 : k, n > 16 ? 16 : n, 1, 1, 1.0f, -1.0f, 2.5f};
        run_gemm_case(&split);
        gemm_case trans = {m, n, k, 1, k > 5 ? 5 : k, n > 8 ? 8 : n, 0, 1, 0.5f, 0.0f, inf};
        run_gemm_case(&trans);
        gemm_case scaled = {m, n, k, 0, k, n, 1, 0, -2.0f, -inf, inf};
        run_gemm_case(&scaled);
        /* Bands of one and of two 24-column tiles. */
        gemm_case band = {m, n, k, 0, k, n > 24 ? 24 : n, 0, 1, 1.0f, -inf, inf};
        run_gemm_case(&band);
        gemm_case band2 = {m, n, k, 0, k > 16 ? 16 : k, n > 48 ? 48 : n, 1, 0, 1.0f, -inf, inf};
        run_gemm_case(&band2);
    }
}

static void test_gemm_nan_and_transposed_b(void **state)
{
    (void)state;
    /* B stored transposed (n x k); a NaN in A reaches only its row, and the
     * ReLU clamp keeps it. */
    float a[2 * 3] = {1, 2, 3, NAN, 0, 1}, bt[4 * 3] = {1, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1};
    float c[2 * 4], work[SCNN_GEMM_WORK(3, 4)];
    scnn_matrix bm = {bt, 1, 3};
    scnn_gemm g = {.m = 2, .n = 4, .k = 3, .a = a, .a_rs = 3, .a_cs = 1, .alpha = 1.0f, .c = c,
                   .ldc = 4, .lo = 0.0f, .hi = HUGE_VALF, .kc = 3, .nc = 4};
    scnn_gemm_f32(&g, &bm, NULL, work);
    static const float row0[4] = {1, 2, 3, 0};
    for (int j = 0; j < 4; j++) {
        assert_float_equal(c[j], row0[j], 0.0);
        assert_true(isnan(c[4 + j]));
    }
}

/* --- runtime: convolution ----------------------------------------------------- */

typedef struct conv_case {
    int cin, cout, group;
    int in[3], k[3], s[3], d[3], pb[3], pe[3];
} conv_case;

static int conv_out(const conv_case *t, int i)
{
    return (t->in[i] + t->pb[i] + t->pe[i] - (t->k[i] - 1) * t->d[i] - 1) / t->s[i] + 1;
}

/* Reference convolution (3 spatial axes, the leading ones may be 1). */
static float conv_ref(const conv_case *t, const float *x, const float *w, const float *bias,
                      int oc, int oz, int oy, int ox)
{
    int cg = t->cin / t->group, g = oc / (t->cout / t->group);
    double s = bias ? bias[oc] : 0;
    for (int c = 0; c < cg; c++)
        for (int a = 0; a < t->k[0]; a++)
            for (int b = 0; b < t->k[1]; b++)
                for (int e = 0; e < t->k[2]; e++) {
                    int iz = oz * t->s[0] - t->pb[0] + a * t->d[0];
                    int iy = oy * t->s[1] - t->pb[1] + b * t->d[1];
                    int ix = ox * t->s[2] - t->pb[2] + e * t->d[2];
                    if (iz < 0 || iz >= t->in[0] || iy < 0 || iy >= t->in[1] || ix < 0 ||
                        ix >= t->in[2])
                        continue;
                    int ci = g * cg + c;
                    s += (double)x[((ci * t->in[0] + iz) * t->in[1] + iy) * t->in[2] + ix] *
                         w[(((oc * cg + c) * t->k[0] + a) * t->k[1] + b) * t->k[2] + e];
                }
    return (float)s;
}

static void run_conv_case(const conv_case *t, int kc, int nc)
{
    int out[3] = {conv_out(t, 0), conv_out(t, 1), conv_out(t, 2)};
    int plane = t->in[0] * t->in[1] * t->in[2], opos = out[0] * out[1] * out[2];
    int cg = t->cin / t->group, mg = t->cout / t->group;
    int taps = cg * t->k[0] * t->k[1] * t->k[2];
    float *x = values((size_t)t->cin * plane), *w = values((size_t)t->cout * taps);
    float *bias = values((size_t)t->cout), *y = values((size_t)t->cout * opos);
    scnn_im2col src = {x, {t->in[0], t->in[1], t->in[2]}, {out[0], out[1], out[2]},
                       {t->k[0], t->k[1], t->k[2]}, {t->s[0], t->s[1], t->s[2]},
                       {t->d[0], t->d[1], t->d[2]}, {t->pb[0], t->pb[1], t->pb[2]}};
    scnn_gemm g = {.m = mg, .n = opos, .k = taps, .a_rs = taps, .a_cs = 1, .alpha = 1.0f,
                   .ldc = opos, .lo = -HUGE_VALF, .hi = HUGE_VALF, .kc = kc, .nc = nc};
    float *work = work_for(&g);
    for (int grp = 0; grp < t->group; grp++) {
        src.x = x + (ptrdiff_t)grp * cg * plane;
        g.a = w + (ptrdiff_t)grp * mg * taps;
        g.c = y + (ptrdiff_t)grp * mg * opos;
        g.bias = bias + grp * mg;
        scnn_gemm_f32(&g, NULL, &src, work);
    }
    for (int oc = 0; oc < t->cout; oc++)
        for (int z = 0; z < out[0]; z++)
            for (int r = 0; r < out[1]; r++)
                for (int q = 0; q < out[2]; q++)
                    assert_float_equal(y[((oc * out[0] + z) * out[1] + r) * out[2] + q],
                                       conv_ref(t, x, w, bias, oc, z, r, q), 0.0);
    free(x), free(w), free(bias), free(y), free(work);
}

static void test_im2col_conv(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        /* 2-D 3x3, pad 1 */
        {3, 5, 1, {1, 9, 11}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        /* stride 2, asymmetric pads */
        {2, 4, 1, {1, 10, 9}, {1, 3, 2}, {1, 2, 2}, {1, 1, 1}, {0, 2, 0}, {0, 1, 3}},
        /* dilation, groups */
        {4, 6, 2, {1, 8, 8}, {1, 2, 3}, {1, 1, 2}, {1, 2, 2}, {0, 1, 2}, {0, 0, 1}},
        /* 1-D, stride 3, padding larger than the input */
        {2, 3, 1, {1, 1, 5}, {1, 1, 3}, {1, 1, 3}, {1, 1, 1}, {0, 0, 4}, {0, 0, 4}},
        /* 3-D */
        {2, 3, 1, {4, 5, 6}, {2, 3, 2}, {2, 1, 2}, {1, 2, 1}, {1, 1, 0}, {0, 1, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_conv_case(&cases[i], 256, 240);
        run_conv_case(&cases[i], 4, 8);
        run_conv_case(&cases[i], 7, 16);
        run_conv_case(&cases[i], 16, 24);
    }
    /* Output channels a multiple of 4: A read in place, no panel. */
    static const conv_case plain = {3, 8, 1, {1, 9, 11}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1},
                                    {0, 1, 1}, {0, 1, 1}};
    run_conv_case(&plain, 256, 240);
    run_conv_case(&plain, 24, 8);
    run_conv_case(&plain, 9, 48);
}

/* ConvTranspose through the product and col2im, band_rows input rows at a
 * time, against the scatter written out: input i of an axis reaches output
 * i*s - pb + t*d. */
static void run_convt_case(const conv_case *t, const int *out, int kc, int nc, int band_rows)
{
    int plane = t->in[0] * t->in[1] * t->in[2], opos = out[0] * out[1] * out[2];
    int cg = t->cin / t->group, mg = t->cout / t->group, taps = t->k[0] * t->k[1] * t->k[2];
    int in_rows = t->in[0] * t->in[1], band = band_rows * t->in[2];
    float *x = values((size_t)t->cin * plane), *w = values((size_t)t->cin * mg * taps);
    float *bias = values((size_t)t->cout), *y = values((size_t)t->cout * opos);
    float *cols = values((size_t)mg * taps * band);
    double *ref = calloc((size_t)t->cout * opos, sizeof(double));
    assert_non_null(ref);
    scnn_matrix src = {x, plane, 1};
    scnn_gemm g = {.m = mg * taps, .n = band, .k = cg, .a_rs = 1, .a_cs = mg * taps,
                   .alpha = 1.0f, .c = cols, .ldc = band, .lo = -HUGE_VALF, .hi = HUGE_VALF,
                   .kc = kc, .nc = nc};
    float *work = work_for(&g);
    scnn_col2im s = {mg, {t->in[0], t->in[1], t->in[2]}, {out[0], out[1], out[2]},
                     {t->k[0], t->k[1], t->k[2]}, {t->s[0], t->s[1], t->s[2]},
                     {t->d[0], t->d[1], t->d[2]}, {t->pb[0], t->pb[1], t->pb[2]}};
    for (int grp = 0; grp < t->group; grp++) {
        float *yg = y + (ptrdiff_t)grp * mg * opos;
        g.a = w + (ptrdiff_t)grp * cg * mg * taps;
        scnn_col2im_bias(&s, bias + grp * mg, yg);
        for (int r0 = 0; r0 < in_rows; r0 += band_rows) {
            int nr = in_rows - r0 < band_rows ? in_rows - r0 : band_rows;
            src.p = x + (ptrdiff_t)grp * cg * plane + (ptrdiff_t)r0 * t->in[2];
            g.n = nr * t->in[2];
            scnn_gemm_f32(&g, &src, NULL, work);
            scnn_col2im_add(&s, cols, band, r0, nr, yg);
        }
    }
    for (int m = 0; m < t->cout; m++)
        for (int q = 0; q < opos; q++)
            ref[m * opos + q] = bias[m];
    for (int c = 0; c < t->cin; c++)
        for (int i = 0; i < plane; i++)
            for (int mm = 0; mm < mg; mm++)
                for (int tap = 0; tap < taps; tap++) {
                    int iv[3] = {i / (t->in[1] * t->in[2]), i / t->in[2] % t->in[1], i % t->in[2]};
                    int tv[3] = {tap / (t->k[1] * t->k[2]), tap / t->k[2] % t->k[1], tap % t->k[2]};
                    int o = 0, inside = 1;
                    for (int a = 0; a < 3; a++) {
                        int p = iv[a] * t->s[a] - t->pb[a] + tv[a] * t->d[a];
                        inside &= p >= 0 && p < out[a];
                        o = o * out[a] + p;
                    }
                    if (inside)
                        ref[((c / cg) * mg + mm) * opos + o] +=
                            (double)x[c * plane + i] * w[(c * mg + mm) * taps + tap];
                }
    for (int q = 0; q < t->cout * opos; q++)
        assert_float_equal(y[q], (float)ref[q], 0.0);
    free(x), free(w), free(bias), free(y), free(cols), free(work), free(ref);
}

static void test_convtranspose_runtime(void **state)
{
    (void)state;
    static const struct {
        conv_case t;
        int out[3];
    } cases[] = {
        /* 2-D stride 3x2 with an extra output row and column (negative end pad) */
        {{1, 2, 1, {1, 3, 3}, {1, 3, 3}, {1, 3, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}}, {1, 10, 8}},
        /* pads trimming both sides, dilation, groups */
        {{4, 6, 2, {1, 4, 5}, {1, 2, 3}, {1, 2, 1}, {1, 2, 2}, {0, 1, 2}, {0, 0, 0}}, {1, 8, 7}},
        /* 1-D and 3-D */
        {{2, 3, 1, {1, 1, 6}, {1, 1, 4}, {1, 1, 3}, {1, 1, 1}, {0, 0, 1}, {0, 0, 0}}, {1, 1, 17}},
        {{2, 2, 1, {3, 2, 4}, {2, 2, 2}, {2, 1, 2}, {1, 1, 1}, {1, 0, 0}, {0, 0, 0}}, {1, 2, 3}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int rows = cases[i].t.in[0] * cases[i].t.in[1];
        run_convt_case(&cases[i].t, cases[i].out, 256, 240, rows);
        run_convt_case(&cases[i].t, cases[i].out, 1, 8, rows);
        /* bands of one input row, and of two with a shorter last band */
        run_convt_case(&cases[i].t, cases[i].out, 256, 240, 1);
        run_convt_case(&cases[i].t, cases[i].out, 3, 8, 2);
    }
}

static void test_depthwise(void **state)
{
    (void)state;
    /* channels 3, multiplier 2; stride 1 (whole-plane passes, one of more
     * than a chunk), strides 2 and 3 and unequal ones (rows), dilation 2,
     * pads. */
    static const int geo[][8] = {
        /* h, w, k, s, d, pad_t, pad_l, sx */
        {7, 9, 3, 1, 1, 1, 1, 1},
        {8, 11, 3, 2, 1, 1, 0, 2},
        {9, 9, 3, 1, 2, 2, 2, 3},
        {6, 10, 3, 2, 1, 1, 1, 2},
        {40, 45, 3, 1, 1, 1, 1, 1},  /* more outputs than one chunk */
        {37, 41, 5, 3, 2, 2, 3, 3},
    };
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        const int h = geo[i][0], wd = geo[i][1], k = geo[i][2], sy = geo[i][3], dil = geo[i][4];
        const int pt = geo[i][5], pl = geo[i][6], sx = geo[i][7];
        conv_case t = {3, 6, 3, {1, h, wd}, {1, k, k}, {1, sy, sx}, {1, dil, dil}, {0, pt, pl},
                       {0, pt, pl}};
        int oh = conv_out(&t, 1), ow = conv_out(&t, 2);
        float *x = values((size_t)3 * h * wd), *w = values((size_t)6 * k * k), *bias = values(6);
        float *y = values((size_t)6 * oh * ow);
        scnn_dwconv s = {.out_channels = 6, .multiplier = 2, .in = {h, wd}, .out = {oh, ow},
                         .kernel = {k, k}, .stride = {sy, sx}, .dilation = {dil, dil},
                         .pad = {pt, pl},
                         .padded = {(oh - 1) * sy + (k - 1) * dil + 1, (ow - 1) * sx + (k - 1) * dil + 1},
                         .lo = -1.0f, .hi = 3.0f};
        float *work = malloc(sizeof(float) * (size_t)SCNN_DWCONV_WORK(&s));
        assert_non_null(work);
        scnn_dwconv_f32(&s, x, w, bias, y, work);
        for (int oc = 0; oc < 6; oc++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++)
                    assert_float_equal(y[(oc * oh + r) * ow + q],
                                       clampf(conv_ref(&t, x, w, bias, oc, 0, r, q), -1.0f, 3.0f),
                                       0.0);
        free(x), free(w), free(bias), free(y), free(work);
    }
}

static void test_rowvec(void **state)
{
    (void)state;
    static const int dims[][2] = {{1, 1}, {5, 7}, {17, 8}, {3, 19}, {33, 70}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        const int n = dims[i][0], k = dims[i][1];
        float *a = values((size_t)k), *b = values((size_t)k * n), *y = values((size_t)n);
        float *y0 = malloc(sizeof(float) * (size_t)n);
        assert_non_null(y0);
        memcpy(y0, y, sizeof(float) * (size_t)n);
        for (int trans = 0; trans < 2; trans++) {
            float *yy = values((size_t)n);
            memcpy(yy, y0, sizeof(float) * (size_t)n);
            scnn_rowvec s = {.n = n, .k = k, .b = b, .b_rs = trans ? 1 : n, .b_cs = trans ? k : 1,
                             .alpha = 2.0f, .accumulate = trans, .lo = -5.0f, .hi = 6.0f};
            scnn_rowvec_f32(&s, a, yy);
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++)
                    acc += (double)a[p] * (trans ? b[j * k + p] : b[p * n + j]);
                acc = 2.0 * acc + (trans ? y0[j] : 0);
                assert_float_equal(yy[j], clampf(acc, -5.0f, 6.0f), 0.0);
            }
            free(yy);
        }
        free(a), free(b), free(y), free(y0);
    }
}

/* --- compiler: shapes, kernels, refusals ----------------------------------------- */

static ir_attr *add_attr(ir_graph *g, int n, const char *name, ir_attr_type type)
{
    ir_node *node = &g->nodes[n];
    ir_attr *a = realloc(node->attrs, sizeof(ir_attr) * (size_t)(node->n_attrs + 1));
    assert_non_null(a);
    node->attrs = a;
    a = &a[node->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = ir_strdup(name);
    a->type = type;
    return a;
}

static void attr_ints(ir_graph *g, int n, const char *name, int count, const int64_t *v)
{
    ir_attr *a = add_attr(g, n, name, IR_ATTR_INTS);
    a->ints = malloc(sizeof(int64_t) * (size_t)count);
    assert_non_null(a->ints);
    memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
    a->count = count;
}

/* A graph holding one Conv on x (rank-dims) with weights w; bias if cout > 0. */
typedef struct conv_graph {
    ir_graph *g;
    int node, y;
} conv_graph;

static conv_graph make_conv(int rank, const int64_t *xd, const int64_t *wd, int with_bias,
                            ir_dtype dt)
{
    conv_graph c;
    c.g = ir_graph_new();
    assert_non_null(c.g);
    c.g->opset = 13;
    int x = ib_tensor(c.g, "x", dt, rank, xd);
    ib_mark_input(c.g, x);
    int w = ib_tensor(c.g, "w", IR_FLOAT, rank, wd);
    ib_mark_input(c.g, w);
    int ins[3] = {x, w, -1};
    if (with_bias) {
        int64_t bd = wd[0];
        ins[2] = ib_tensor(c.g, "b", IR_FLOAT, 1, &bd);
        ib_mark_input(c.g, ins[2]);
    }
    c.y = ib_tensor(c.g, "y", IR_UNDEFINED, 0, NULL);
    c.g->tensors[c.y].has_shape = 0;
    ib_mark_output(c.g, c.y);
    c.node = ib_node(c.g, "Conv", "conv", ins, 3, &c.y, 1);
    return c;
}

static int infer(ir_graph *g, diag *d) { return pass_infer_shapes(g, d); }

static void expect_shape(const ir_tensor *t, int rank, const int64_t *dims)
{
    assert_true(t->has_shape);
    assert_int_equal(t->shape.rank, rank);
    for (int i = 0; i < rank; i++)
        assert_int_equal(t->shape.dims[i], dims[i]);
}

static void test_conv_shapes_and_kernels(void **state)
{
    (void)state;
    static const struct {
        const char *auto_pad;
        int64_t stride, pad;
        int64_t oh, ow;
    } cases[] = {
        {"NOTSET", 1, 1, 10, 12}, {"NOTSET", 2, 0, 4, 5},    {"VALID", 2, 0, 4, 5},
        {"SAME_UPPER", 2, 0, 5, 6}, {"SAME_LOWER", 1, 0, 10, 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t xd[4] = {2, 4, 10, 12}, wd[4] = {8, 4, 3, 3};
        conv_graph c = make_conv(4, xd, wd, 1, IR_FLOAT);
        add_attr(c.g, c.node, "auto_pad", IR_ATTR_STRING)->s = ir_strdup(cases[i].auto_pad);
        int64_t s2[2] = {cases[i].stride, cases[i].stride};
        attr_ints(c.g, c.node, "strides", 2, s2);
        if (strcmp(cases[i].auto_pad, "NOTSET") == 0) {
            int64_t p4[4] = {cases[i].pad, cases[i].pad, cases[i].pad, cases[i].pad};
            attr_ints(c.g, c.node, "pads", 4, p4);
        }
        diag d;
        diag_init(&d);
        assert_int_equal(infer(c.g, &d), 0);
        int64_t yd[4] = {2, 8, cases[i].oh, cases[i].ow};
        expect_shape(&c.g->tensors[c.y], 4, yd);
        conv_geom cg;
        assert_int_equal(conv_geometry(c.g, &c.g->nodes[c.node], &cg, &d), 0);
        if (strcmp(cases[i].auto_pad, "SAME_UPPER") == 0) {
            /* total padding 2*(6-1)+3-12 = 1 on the width: after the input. */
            assert_int_equal(cg.pb[1], 0);
            assert_int_equal(cg.pe[1], 1);
        }
        if (strcmp(cases[i].auto_pad, "SAME_LOWER") == 0) {
            assert_int_equal(cg.pb[0], 1);
            assert_int_equal(cg.pe[0], 1);
        }
        assert_int_equal(pass_select_kernels(c.g, &d), 0);
        assert_int_equal(c.g->nodes[c.node].kernel, CONV_K_IM2COL);
        /* The largest activation is x (2x4x10x12) or y; 8 output
         * channels: A read in place, the scratch is B's block. */
        int64_t ny = 2 * 8 * cases[i].oh * cases[i].ow;
        assert_int_equal(gemm_band_budget(c.g), budget_for(ny > 960 ? ny : 960));
        gemm_blocking b;
        gemm_blocking_make(8, cases[i].oh * cases[i].ow, 36, 1, gemm_band_budget(c.g), &b);
        assert_int_equal(c.g->nodes[c.node].scratch_bytes, b.work_bytes);
        assert_int_equal(b.work_bytes,
                         (int64_t)SCNN_GEMM_WORK_B(b.kc, b.nc) * (int64_t)sizeof(float));
        diag_free(&d);
        ir_graph_free(c.g);
    }
}

static void test_conv_kernel_choice(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    /* 1x1 stride 1: pointwise */
    int64_t xd[4] = {1, 16, 7, 7}, wd[4] = {32, 16, 1, 1};
    conv_graph c = make_conv(4, xd, wd, 0, IR_FLOAT);
    assert_int_equal(infer(c.g, &d), 0);
    pass_select_kernels(c.g, &d);
    assert_int_equal(c.g->nodes[c.node].kernel, CONV_K_POINTWISE);
    ir_graph_free(c.g);
    /* depthwise with multiplier 2, stride 2, pad 1: plane of the taps' reach */
    int64_t wdw[4] = {32, 1, 3, 3};
    c = make_conv(4, xd, wdw, 1, IR_FLOAT);
    ir_attr *gr = add_attr(c.g, c.node, "group", IR_ATTR_INT);
    gr->i = 16;
    int64_t s2[2] = {2, 2}, p4[4] = {1, 1, 1, 1};
    attr_ints(c.g, c.node, "strides", 2, s2);
    attr_ints(c.g, c.node, "pads", 4, p4);
    assert_int_equal(infer(c.g, &d), 0);
    int64_t yd[4] = {1, 32, 4, 4};
    expect_shape(&c.g->tensors[c.y], 4, yd);
    pass_select_kernels(c.g, &d);
    assert_int_equal(c.g->nodes[c.node].kernel, CONV_K_DEPTHWISE);
    /* bordered plane 9 x 9 and the sums, 4 rows of 9 (what SCNN_DWCONV_WORK
     * says for the same geometry) */
    scnn_dwconv sd = {.out = {4, 4}, .stride = {2, 2}, .padded = {9, 9}};
    assert_int_equal(SCNN_DWCONV_WORK(&sd), 9 * 9 + 4 * 9);
    assert_int_equal(c.g->nodes[c.node].scratch_bytes,
                     SCNN_DWCONV_WORK(&sd) * (int64_t)sizeof(float));
    /* one tap set of 9 per output value */
    assert_int_equal(op_find("Conv")->macs(c.g, &c.g->nodes[c.node]), 32 * 16 * 9);
    ir_graph_free(c.g);
    diag_free(&d);
}

static void expect_refusal(conv_graph c, const char *needle)
{
    diag d;
    diag_init(&d);
    assert_int_not_equal(infer(c.g, &d), 0);
    int found = 0;
    for (int i = 0; i < d.n_errors; i++)
        found |= strstr(d.errors[i], needle) != NULL;
    if (!found)
        for (int i = 0; i < d.n_errors; i++)
            print_error("got: %s\n", d.errors[i]);
    assert_true(found);
    diag_free(&d);
    ir_graph_free(c.g);
}

static void test_conv_refusals(void **state)
{
    (void)state;
    int64_t xd[4] = {1, 6, 5, 5}, wd[4] = {4, 3, 3, 3};
    conv_graph c = make_conv(4, xd, wd, 0, IR_FLOAT);
    expect_refusal(c, "weights hold 3 input channels per group"); /* group 1 needs 6 */
    c = make_conv(4, xd, wd, 0, IR_FLOAT);
    add_attr(c.g, c.node, "group", IR_ATTR_INT)->i = 4;
    expect_refusal(c, "group 4 must divide");
    int64_t wd6[4] = {4, 6, 3, 3};
    c = make_conv(4, xd, wd6, 0, IR_INT32);
    expect_refusal(c, "float32 only");
    c = make_conv(4, xd, wd6, 0, IR_FLOAT);
    add_attr(c.g, c.node, "auto_pad", IR_ATTR_STRING)->s = ir_strdup("SAME");
    expect_refusal(c, "auto_pad 'SAME' is not supported");
    c = make_conv(4, xd, wd6, 0, IR_FLOAT);
    int64_t ks[2] = {3, 2};
    attr_ints(c.g, c.node, "kernel_shape", 2, ks);
    expect_refusal(c, "kernel_shape says 2");
    c = make_conv(4, xd, wd6, 0, IR_FLOAT);
    add_attr(c.g, c.node, "foo", IR_ATTR_INT)->i = 1;
    expect_refusal(c, "attribute 'foo' is not supported");
    int64_t big[4] = {4, 6, 7, 7};
    c = make_conv(4, xd, big, 0, IR_FLOAT);
    expect_refusal(c, "larger than the padded input");
    c = make_conv(4, xd, wd6, 0, IR_FLOAT);
    int64_t huge[2] = {1, INT64_C(1) << 40};
    attr_ints(c.g, c.node, "dilations", 2, huge);
    expect_refusal(c, "beyond 268435456 are not supported");
    int64_t x6[6] = {1, 6, 2, 2, 2, 2}, w6[6] = {4, 6, 1, 1, 1, 1};
    c = make_conv(6, x6, w6, 0, IR_FLOAT);
    expect_refusal(c, "rank 6 is not supported");
}

static void test_convtranspose_shapes(void **state)
{
    (void)state;
    /* X 1x1x3x3, W 1x2x3x3 (2 output channels), strides 3x2 */
    static const struct {
        const char *what;
        int64_t oh, ow, pb0, pe0;
    } cases[] = {
        {"output_shape", 10, 8, 0, -1}, /* total padding -1: one more row after */
        {"output_padding", 10, 8, 0, 0},
        {"pads", 7, 3, 1, 1},
        {"SAME_UPPER", 9, 6, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t xd[4] = {1, 1, 3, 3}, wd[4] = {1, 2, 3, 3};
        conv_graph c = make_conv(4, xd, wd, 0, IR_FLOAT);
        free(c.g->nodes[c.node].op);
        c.g->nodes[c.node].op = ir_strdup("ConvTranspose");
        int64_t s2[2] = {3, 2};
        attr_ints(c.g, c.node, "strides", 2, s2);
        if (strcmp(cases[i].what, "output_shape") == 0) {
            int64_t os[2] = {10, 8};
            attr_ints(c.g, c.node, "output_shape", 2, os);
        } else if (strcmp(cases[i].what, "output_padding") == 0) {
            int64_t op[2] = {1, 1};
            attr_ints(c.g, c.node, "output_padding", 2, op);
        } else if (strcmp(cases[i].what, "pads") == 0) {
            int64_t p4[4] = {1, 2, 1, 2};
            attr_ints(c.g, c.node, "pads", 4, p4);
        } else {
            add_attr(c.g, c.node, "auto_pad", IR_ATTR_STRING)->s = ir_strdup(cases[i].what);
        }
        diag d;
        diag_init(&d);
        assert_int_equal(infer(c.g, &d), 0);
        int64_t yd[4] = {1, 2, cases[i].oh, cases[i].ow};
        expect_shape(&c.g->tensors[c.y], 4, yd);
        conv_geom cg;
        assert_int_equal(convt_geometry(c.g, &c.g->nodes[c.node], &cg, &d), 0);
        assert_int_equal(cg.pb[0], cases[i].pb0);
        assert_int_equal(cg.pe[0], cases[i].pe0);
        assert_int_equal(pass_select_kernels(c.g, &d), 0);
        assert_int_equal(c.g->nodes[c.node].kernel, CONVT_K_GEMM_COL2IM);
        /* 2 x 9 rows (channels x taps) by the 3 x 3 input positions: the
         * budget of 128 floats takes two input rows per band (rows of 3
         * split evenly: 2 and 1), then the product's work area (A packed). */
        convt_plan p;
        convt_plan_make(c.g, &cg, &p);
        assert_int_equal(p.band_rows, 2);
        gemm_blocking b;
        gemm_blocking_make(18, 6, 1, 0, GEMM_BAND_MIN, &b);
        assert_int_equal(c.g->nodes[c.node].scratch_bytes,
                         2 * 9 * 6 * (int64_t)sizeof(float) + b.work_bytes);
        diag_free(&d);
        ir_graph_free(c.g);
    }
}

/* One Gemm or MatMul with inputs of the given shapes. */
static conv_graph make_product(const char *op, int ra, const int64_t *ad, int rb,
                               const int64_t *bd, int rc, const int64_t *cd)
{
    conv_graph c;
    c.g = ir_graph_new();
    assert_non_null(c.g);
    c.g->opset = 13;
    int ins[3] = {ib_tensor(c.g, "a", IR_FLOAT, ra, ad), ib_tensor(c.g, "b", IR_FLOAT, rb, bd), -1};
    ib_mark_input(c.g, ins[0]);
    ib_mark_input(c.g, ins[1]);
    if (rc >= 0) {
        ins[2] = ib_tensor(c.g, "c", IR_FLOAT, rc, cd);
        ib_mark_input(c.g, ins[2]);
    }
    c.y = ib_tensor(c.g, "y", IR_UNDEFINED, 0, NULL);
    c.g->tensors[c.y].has_shape = 0;
    ib_mark_output(c.g, c.y);
    c.node = ib_node(c.g, op, "p", ins, rc >= 0 ? 3 : 2, &c.y, 1);
    return c;
}

static void test_gemm_shapes(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    int64_t a[2] = {6, 3}, b[2] = {5, 6}, cv[1] = {5}, y[2] = {3, 5};
    conv_graph c = make_product("Gemm", 2, a, 2, b, 1, cv);
    add_attr(c.g, c.node, "transA", IR_ATTR_INT)->i = 1;
    add_attr(c.g, c.node, "transB", IR_ATTR_INT)->i = 1;
    assert_int_equal(infer(c.g, &d), 0);
    expect_shape(&c.g->tensors[c.y], 2, y);
    pass_select_kernels(c.g, &d);
    /* transposed A always goes through the blocked product */
    assert_int_equal(c.g->nodes[c.node].kernel, GEMM_K_BLOCKED);
    gemm_blocking gb;
    gemm_blocking_make(3, 5, 6, 0, GEMM_BAND_MIN, &gb);
    assert_int_equal(c.g->nodes[c.node].scratch_bytes, gb.work_bytes);
    assert_int_equal(gb.work_bytes, (int64_t)SCNN_GEMM_WORK(6, 5) * (int64_t)sizeof(float));
    ir_graph_free(c.g);
    /* one row: the row kernel, no scratch */
    int64_t a1[2] = {1, 6}, bt[2] = {6, 5};
    c = make_product("Gemm", 2, a1, 2, bt, -1, NULL);
    assert_int_equal(infer(c.g, &d), 0);
    pass_select_kernels(c.g, &d);
    assert_int_equal(c.g->nodes[c.node].kernel, GEMM_K_ROWVEC);
    assert_int_equal(c.g->nodes[c.node].scratch_bytes, 0);
    ir_graph_free(c.g);
    diag_free(&d);
    /* C that would need Y to broadcast */
    int64_t cbad[2] = {3, 2};
    c = make_product("Gemm", 2, a1, 2, bt, 2, cbad);
    expect_refusal(c, "does not broadcast");
    int64_t wide[2] = {1, INT64_C(1) << 40}, tall[2] = {INT64_C(1) << 40, 5};
    c = make_product("Gemm", 2, wide, 2, tall, -1, NULL);
    expect_refusal(c, "more than 2147483647 elements");
    int64_t a3[2] = {3, 4};
    c = make_product("Gemm", 2, a3, 2, bt, -1, NULL);
    expect_refusal(c, "A has 4 columns, B 6 rows");
}

static void test_matmul_plans(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    /* batched A times one B: batches fold into rows */
    int64_t a[3] = {4, 5, 6}, b[2] = {6, 7}, y[3] = {4, 5, 7};
    conv_graph c = make_product("MatMul", 3, a, 2, b, -1, NULL);
    assert_int_equal(infer(c.g, &d), 0);
    expect_shape(&c.g->tensors[c.y], 3, y);
    matmul_plan p;
    matmul_plan_make(c.g, &c.g->nodes[c.node], &p);
    assert_int_equal(p.m, 20);
    assert_int_equal(p.batches, 1);
    ir_graph_free(c.g);
    /* broadcast batch axes: A 2x1xMxK, B 3xKxN -> 2x3xMxN */
    int64_t a4[4] = {2, 1, 5, 6}, b3[3] = {3, 6, 7}, y4[4] = {2, 3, 5, 7};
    c = make_product("MatMul", 4, a4, 3, b3, -1, NULL);
    assert_int_equal(infer(c.g, &d), 0);
    expect_shape(&c.g->tensors[c.y], 4, y4);
    matmul_plan_make(c.g, &c.g->nodes[c.node], &p);
    assert_int_equal(p.batches, 6);
    assert_int_equal(p.nb, 2);
    assert_int_equal(p.dims[0], 2);
    assert_int_equal(p.a_step[0], 30);
    assert_int_equal(p.b_step[0], 0);
    assert_int_equal(p.dims[1], 3);
    assert_int_equal(p.a_step[1], 0);
    assert_int_equal(p.b_step[1], 42);
    ir_graph_free(c.g);
    /* vectors: K . KxN -> N, MxK . K -> M */
    int64_t v[1] = {6}, bn[2] = {6, 3}, yn[1] = {3}, am[2] = {4, 6}, ym[1] = {4};
    c = make_product("MatMul", 1, v, 2, bn, -1, NULL);
    assert_int_equal(infer(c.g, &d), 0);
    expect_shape(&c.g->tensors[c.y], 1, yn);
    ir_graph_free(c.g);
    c = make_product("MatMul", 2, am, 1, v, -1, NULL);
    assert_int_equal(infer(c.g, &d), 0);
    expect_shape(&c.g->tensors[c.y], 1, ym);
    ir_graph_free(c.g);
    diag_free(&d);
    int64_t bb[3] = {5, 6, 7};
    c = make_product("MatMul", 3, a, 3, bb, -1, NULL);
    expect_refusal(c, "do not broadcast");
}

/* --- emission -------------------------------------------------------------------- */

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_runtime_pieces_once(void **state)
{
    (void)state;
    /* Conv 3x3 -> Conv 1x1 -> depthwise Conv -> Reshape -> two MatMuls of
     * two rows each (the row kernel). */
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    static float w3[4 * 2 * 9], w1[4 * 4], wd[4 * 9], m1[32 * 5], m2[5 * 3];
    int64_t xd[4] = {1, 2, 4, 4}, w3d[4] = {4, 2, 3, 3}, w1d[4] = {4, 4, 1, 1};
    int64_t wdd[4] = {4, 1, 3, 3}, m1d[2] = {32, 5}, m2d[2] = {5, 3}, r1[2] = {2, 32};
    int x = ib_tensor(g, "x", IR_FLOAT, 4, xd);
    ib_mark_input(g, x);
    int t[6];
    for (int i = 0; i < 6; i++) {
        char name[8] = {'t', (char)('0' + i), 0};
        t[i] = ib_tensor(g, name, IR_UNDEFINED, 0, NULL);
        g->tensors[t[i]].has_shape = 0;
    }
    int ins[3] = {x, ib_const(g, "w3", IR_FLOAT, 4, w3d, w3), -1};
    ib_node(g, "Conv", "c3", ins, 2, &t[0], 1);
    int64_t p4[4] = {1, 1, 1, 1};
    attr_ints(g, 0, "pads", 4, p4);
    ins[0] = t[0];
    ins[1] = ib_const(g, "w1", IR_FLOAT, 4, w1d, w1);
    ib_node(g, "Conv", "c1", ins, 2, &t[1], 1);
    ins[0] = t[1];
    ins[1] = ib_const(g, "wd", IR_FLOAT, 4, wdd, wd);
    int dw = ib_node(g, "Conv", "cd", ins, 2, &t[2], 1);
    add_attr(g, dw, "group", IR_ATTR_INT)->i = 4;
    attr_ints(g, dw, "pads", 4, p4);
    int shape = ib_const(g, "shape", IR_INT64, 1, (int64_t[]){2}, r1);
    ins[0] = t[2];
    ins[1] = shape;
    ib_node(g, "Reshape", "r", ins, 2, &t[3], 1);
    ins[0] = t[3];
    ins[1] = ib_const(g, "m1", IR_FLOAT, 2, m1d, m1);
    ib_node(g, "MatMul", "mm1", ins, 2, &t[4], 1);
    ins[0] = t[4];
    ins[1] = ib_const(g, "m2", IR_FLOAT, 2, m2d, m2);
    ib_node(g, "MatMul", "mm2", ins, 2, &t[5], 1);
    ib_mark_output(g, t[5]);
    diag d;
    diag_init(&d);
    cg_buf c = {0}, h = {0}, blob = {0};
    codegen_options o = {.prefix = "cgt", .command_line = "test"};
    /* The weights are mostly zero: dense kernels are what is counted here. */
    pass_options po = {.sparse = SPARSE_OFF};
    int rc = pass_run_pipeline(g, &po, &d);
    if (rc == 0)
        rc = codegen_emit(g, &o, &c, &h, &blob, &d);
    for (int i = 0; i < d.n_errors; i++)
        print_error("%s\n", d.errors[i]);
    assert_int_equal(rc, 0);
    static const char *const guards[] = {"#define SCNN_COMMON_C",       "#define SCNN_GEMM_F32_C",
                                         "#define SCNN_PACK_MATRIX_F32_C", "#define SCNN_CONV_IM2COL_F32_C",
                                         "#define SCNN_CONV_DEPTHWISE_F32_C", "#define SCNN_ROWVEC_F32_C"};
    for (size_t i = 0; i < sizeof guards / sizeof guards[0]; i++)
        assert_int_equal(count(c.s, guards[i]), 1);
    /* Each piece comes before its first use, in dependency order. */
    assert_true(strstr(c.s, "#define SCNN_COMMON_C") < strstr(c.s, "#define SCNN_GEMM_F32_C"));
    assert_true(strstr(c.s, "#define SCNN_GEMM_F32_C") < strstr(c.s, "scnn_gemm_f32(&g"));
    assert_true(strstr(c.s, "#define SCNN_ROWVEC_F32_C") < strstr(c.s, "scnn_rowvec_f32(&s"));
    assert_int_equal(count(c.s, "scnn_dwconv_f32(&s"), 1);
    cg_buf_free(&c);
    cg_buf_free(&h);
    cg_buf_free(&blob);
    diag_free(&d);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocking_matches),
        cmocka_unit_test(test_gemm_runtime),
        cmocka_unit_test(test_gemm_nan_and_transposed_b),
        cmocka_unit_test(test_im2col_conv),
        cmocka_unit_test(test_convtranspose_runtime),
        cmocka_unit_test(test_depthwise),
        cmocka_unit_test(test_rowvec),
        cmocka_unit_test(test_conv_shapes_and_kernels),
        cmocka_unit_test(test_conv_kernel_choice),
        cmocka_unit_test(test_conv_refusals),
        cmocka_unit_test(test_convtranspose_shapes),
        cmocka_unit_test(test_gemm_shapes),
        cmocka_unit_test(test_matmul_plans),
        cmocka_unit_test(test_runtime_pieces_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
