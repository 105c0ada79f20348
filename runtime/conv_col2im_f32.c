/* scnnc runtime: the scatter half of a transposed convolution. For one
 * image and one group, the output planes start as the bias
 * (scnn_col2im_bias); then, a band of input rows at a time, scnn_gemm_f32
 * computes cols = W' * X of the band's positions, whose row (channel m,
 * tap t) holds what each of them sends through tap t to channel m, and
 * scnn_col2im_add adds those rows into the output planes. Input position i
 * reaches output i * stride - pad + t * dilation on each of up to three
 * spatial axes (1-D and 2-D use size 1 for the leading ones); positions
 * outside the output are dropped. The input rows are the depth x height
 * pairs in order, each in[2] positions wide. */
#ifndef SCNN_CONV_COL2IM_F32_C
#define SCNN_CONV_COL2IM_F32_C

#include <stddef.h>

typedef struct scnn_col2im {
    int channels;          /* output channels of the group */
    int in[3], out[3];     /* spatial sizes (depth, height, width) */
    int kernel[3], stride[3], dilation[3];
    int pad[3];            /* leading padding (may be negative) */
} scnn_col2im;

/* Inputs i in [0, n) whose output i * stride + off lies in [0, size): [*lo, *hi). */
static void scnn_col2im_range(int n, int size, int stride, int off, int *lo, int *hi)
{
    /* ceil((0 - off) / stride) and ceil((size - off) / stride), clamped. */
    int l = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int h = size - off <= 0 ? 0 : (size - off + stride - 1) / stride;
    *lo = l > n ? n : l;
    *hi = h > n ? n : h < *lo ? *lo : h;
}

/* Sets the group's output planes to their bias (0 without one). */
static void scnn_col2im_bias(const scnn_col2im *s, const float *bias, float *restrict y)
{
    const ptrdiff_t nout = (ptrdiff_t)s->out[0] * s->out[1] * s->out[2];
    int m;
    for (m = 0; m < s->channels; m++) {
        const float b = bias ? bias[m] : 0.0f;
        ptrdiff_t q;
        for (q = 0; q < nout; q++)
            y[(ptrdiff_t)m * nout + q] = b;
    }
}

/* Adds the band of input rows r0 .. r0 + nr - 1: row (m, t) of cols starts
 * at cols + (m * taps + t) * ld and holds the band's nr * in[2] positions. */
static void scnn_col2im_add(const scnn_col2im *s, const float *restrict cols, ptrdiff_t ld, int r0,
                            int nr, float *restrict y)
{
    const int taps = s->kernel[0] * s->kernel[1] * s->kernel[2];
    const ptrdiff_t nout = (ptrdiff_t)s->out[0] * s->out[1] * s->out[2];
    int m, t, r, ix;
    for (m = 0; m < s->channels; m++) {
        float *restrict plane = y + (ptrdiff_t)m * nout;
        for (t = 0; t < taps; t++) {
            const int tx = t % s->kernel[2], ty = t / s->kernel[2] % s->kernel[1];
            const int tz = t / s->kernel[2] / s->kernel[1];
            const int offx = tx * s->dilation[2] - s->pad[2];
            const float *restrict row = cols + ((ptrdiff_t)m * taps + t) * ld;
            int xlo, xhi;
            scnn_col2im_range(s->in[2], s->out[2], s->stride[2], offx, &xlo, &xhi);
            if (xhi <= xlo)
                continue;
            for (r = r0; r < r0 + nr; r++) {
                const int iz = r / s->in[1], iy = r % s->in[1];
                const int oz = iz * s->stride[0] - s->pad[0] + tz * s->dilation[0];
                const int oy = iy * s->stride[1] - s->pad[1] + ty * s->dilation[1];
                const float *restrict src = row + (ptrdiff_t)(r - r0) * s->in[2];
                float *restrict dst;
                if (oz < 0 || oz >= s->out[0] || oy < 0 || oy >= s->out[1])
                    continue;
                /* Output x = ix * stride + offx, offx >= -xlo * stride. */
                dst = plane + ((ptrdiff_t)oz * s->out[1] + oy) * s->out[2] +
                      ((ptrdiff_t)xlo * s->stride[2] + offx);
                if (s->stride[2] == 1)
                    for (ix = xlo; ix < xhi; ix++)
                        dst[ix - xlo] += src[ix];
                else
                    for (ix = xlo; ix < xhi; ix++)
                        dst[(ptrdiff_t)(ix - xlo) * s->stride[2]] += src[ix];
            }
        }
    }
}

#endif
