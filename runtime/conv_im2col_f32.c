/* scnnc runtime: packs B of a convolution computed as a matrix product
 * (im2col). For one image and one group, row r of B is one (input channel,
 * kernel offset) pair and column j one output position, so that
 * Y[out channel][j] = sum_r W[out channel][r] * B[r][j]. Up to three spatial
 * dimensions (1-D and 2-D use size 1 for the leading ones). Only the block
 * the product is working on is materialised. */
#ifndef SCNN_CONV_IM2COL_F32_C
#define SCNN_CONV_IM2COL_F32_C

#include <stddef.h>
#include <string.h>

#include "common.c"

typedef struct scnn_im2col {
    const float *x;        /* first input channel of the group */
    int in[3], out[3];     /* spatial sizes (depth, height, width) */
    int kernel[3], stride[3], dilation[3];
    int pad[3];            /* leading padding of each spatial axis */
} scnn_im2col;

/* Fills count outputs dst[0..count) of one output row: dst[t] is input
 * position (ox + t) * stride + off of row src (width w), 0 outside it. */
static void scnn_im2col_row(float *restrict dst, const float *restrict src, int w, int ox,
                            int count, int stride, int off)
{
    /* Outputs with 0 <= (ox + t) * stride + off < w are [lo, hi). */
    int lo = off >= 0 ? 0 : (-off + stride - 1) / stride - ox;
    int hi = w - off <= 0 ? 0 : (w - off + stride - 1) / stride - ox;
    int t;
    lo = lo < 0 ? 0 : lo > count ? count : lo;
    hi = hi < lo ? lo : hi > count ? count : hi;
    for (t = 0; t < lo; t++)
        dst[t] = 0.0f;
    /* Input index of output t is at + t * stride: kept as an index because
     * it is negative for t < lo, where no pointer may point. */
    const ptrdiff_t at = (ptrdiff_t)ox * stride + off;
    if (stride == 1 && hi > lo)
        memcpy(dst + lo, src + (at + lo), (size_t)(hi - lo) * sizeof(float));
    else
        for (t = lo; t < hi; t++)
            dst[t] = src[at + (ptrdiff_t)t * stride];
    for (t = hi; t < count; t++)
        dst[t] = 0.0f;
}

/* Writes rows k0..k0+kc-1, columns n0..n0+nc-1 of the im2col matrix into
 * dst (row stride ldd >= nc), zero-filling columns nc..ldd-1. */
static void scnn_pack_im2col(const scnn_im2col *s, int k0, int kc, int n0, int nc,
                             float *restrict dst, int ldd)
{
    const int ow = s->out[2], oh = s->out[1];
    int p, j;
    for (p = 0; p < kc; p++) {
        const int r = k0 + p;
        const int kx = r % s->kernel[2], ky = r / s->kernel[2] % s->kernel[1];
        const int kz = r / s->kernel[2] / s->kernel[1] % s->kernel[0];
        const int ci = r / s->kernel[2] / s->kernel[1] / s->kernel[0];
        const int off = kx * s->dilation[2] - s->pad[2];
        const float *plane = s->x + (ptrdiff_t)ci * s->in[0] * s->in[1] * s->in[2];
        float *d = dst + (ptrdiff_t)p * ldd;
        int ox = n0 % ow, oy = n0 / ow % oh, oz = n0 / ow / oh;
        for (j = 0; j < nc;) {
            const int count = ow - ox < nc - j ? ow - ox : nc - j;
            const int iz = oz * s->stride[0] - s->pad[0] + kz * s->dilation[0];
            const int iy = oy * s->stride[1] - s->pad[1] + ky * s->dilation[1];
            if (iz >= 0 && iz < s->in[0] && iy >= 0 && iy < s->in[1])
                scnn_im2col_row(d + j, plane + ((ptrdiff_t)iz * s->in[1] + iy) * s->in[2],
                                s->in[2], ox, count, s->stride[2], off);
            else
                memset(d + j, 0, (size_t)count * sizeof(float));
            j += count;
            ox = 0;
            if (++oy == oh) {
                oy = 0;
                oz++;
            }
        }
        for (j = nc; j < ldd; j++)
            d[j] = 0.0f;
    }
}

#endif
