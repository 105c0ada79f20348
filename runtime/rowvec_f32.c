/* scnnc runtime: one row of a matrix product, y = alpha * a * B (+ y), for
 * products with very few rows (a fully connected layer on one sample).
 * There, packing B as scnn_gemm_f32 does would cost as much as the product,
 * so B is read where it lies: row by row when its rows are contiguous, else
 * column by column as dot products with split accumulators (so that the
 * sums vectorise without reassociating any one of them). */
#ifndef SCNN_ROWVEC_F32_C
#define SCNN_ROWVEC_F32_C

#include <stddef.h>

#include "common.c"

typedef struct scnn_rowvec {
    int n, k;
    const float *b;  /* B[p][j] = b[p * b_rs + j * b_cs]; b_rs or b_cs is 1 */
    ptrdiff_t b_rs, b_cs;
    float alpha;
    int accumulate;  /* 1: y += alpha * a * B */
    float lo, hi;    /* y is clamped to [lo, hi] (NaN kept) */
} scnn_rowvec;

#define SCNN_LANES 8

/* a has k contiguous values; y has n. */
static void scnn_rowvec_f32(const scnn_rowvec *s, const float *restrict a, float *restrict y)
{
    const int n = s->n, k = s->k;
    int j, p, l;
    if (!s->accumulate)
        for (j = 0; j < n; j++)
            y[j] = 0.0f;
    if (s->b_cs == 1) {
        for (p = 0; p < k; p++) {
            const float av = s->alpha * a[p];
            const float *restrict row = s->b + (ptrdiff_t)p * s->b_rs;
            for (j = 0; j < n; j++)
                SCNN_FMA(y[j], av, row[j]);
        }
    } else {
        /* Four columns at a time: 32 independent sums hide the latency of
         * the multiply-adds while four rows of the stored B stream in. */
        for (j = 0; j < n; j += 4) {
            const int cols = n - j < 4 ? n - j : 4;
            float part[4][SCNN_LANES], sum[4];
            int c;
            for (c = 0; c < 4; c++) {
                sum[c] = 0.0f;
                for (l = 0; l < SCNN_LANES; l++)
                    part[c][l] = 0.0f;
            }
            if (cols == 4) {
                const float *restrict c0 = s->b + (ptrdiff_t)j * s->b_cs;
                const float *restrict c1 = c0 + s->b_cs, *restrict c2 = c1 + s->b_cs;
                const float *restrict c3 = c2 + s->b_cs;
                for (p = 0; p + SCNN_LANES <= k; p += SCNN_LANES)
                    for (l = 0; l < SCNN_LANES; l++) {
                        const float av = a[p + l];
                        SCNN_FMA(part[0][l], av, c0[p + l]);
                        SCNN_FMA(part[1][l], av, c1[p + l]);
                        SCNN_FMA(part[2][l], av, c2[p + l]);
                        SCNN_FMA(part[3][l], av, c3[p + l]);
                    }
            } else {
                p = 0;
            }
            /* The columns of a last short group, and every column's tail. */
            for (c = 0; c < cols; c++) {
                const float *restrict col = s->b + (ptrdiff_t)(j + c) * s->b_cs;
                int q;
                for (q = cols == 4 ? p : 0; q < k; q++)
                    SCNN_FMA(sum[c], a[q], col[q]);
                for (l = 0; l < SCNN_LANES; l++)
                    sum[c] += part[c][l];
                y[j + c] += s->alpha * sum[c];
            }
        }
    }
    for (j = 0; j < n; j++) {
        float v = y[j] < s->lo ? s->lo : y[j];
        y[j] = v > s->hi ? s->hi : v;
    }
}

#endif
