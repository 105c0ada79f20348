/* scnnc runtime: the scatter half of a transposed convolution. For one
 * image and one group, scnn_gemm_f32 computes cols = W' * X, whose row
 * (channel m, tap t) holds what every input position sends through tap t
 * to channel m; this adds those rows into the output planes, which start
 * as the bias. Input position i reaches output i * stride - pad + t *
 * dilation on each of up to three spatial axes (1-D and 2-D use size 1 for
 * the leading ones); positions outside the output are dropped. */
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

static void scnn_col2im_f32(const scnn_col2im *s, const float *restrict cols,
                            const float *bias, float *restrict y)
{
    const int taps = s->kernel[0] * s->kernel[1] * s->kernel[2];
    const ptrdiff_t nin = (ptrdiff_t)s->in[0] * s->in[1] * s->in[2];
    const ptrdiff_t nout = (ptrdiff_t)s->out[0] * s->out[1] * s->out[2];
    int m, t, iz, iy, ix;
    for (m = 0; m < s->channels; m++) {
        float *restrict plane = y + (ptrdiff_t)m * nout;
        const float b = bias ? bias[m] : 0.0f;
        ptrdiff_t q;
        for (q = 0; q < nout; q++)
            plane[q] = b;
        for (t = 0; t < taps; t++) {
            const int tx = t % s->kernel[2], ty = t / s->kernel[2] % s->kernel[1];
            const int tz = t / s->kernel[2] / s->kernel[1];
            const int offx = tx * s->dilation[2] - s->pad[2];
            const float *restrict row = cols + ((ptrdiff_t)m * taps + t) * nin;
            int xlo, xhi;
            scnn_col2im_range(s->in[2], s->out[2], s->stride[2], offx, &xlo, &xhi);
            for (iz = 0; iz < s->in[0]; iz++) {
                const int oz = iz * s->stride[0] - s->pad[0] + tz * s->dilation[0];
                if (oz < 0 || oz >= s->out[0])
                    continue;
                for (iy = 0; iy < s->in[1]; iy++) {
                    const int oy = iy * s->stride[1] - s->pad[1] + ty * s->dilation[1];
                    const float *restrict src = row + ((ptrdiff_t)iz * s->in[1] + iy) * s->in[2];
                    float *restrict dst;
                    if (oy < 0 || oy >= s->out[1] || xhi <= xlo)
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
}

#endif
