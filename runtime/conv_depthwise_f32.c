/* scnnc runtime: 2-D depthwise convolution (group == input channels, each
 * output channel reads one input channel). A product would have one row per
 * group, so it is computed directly: each input plane is copied once into a
 * zero-bordered plane, then every kernel tap is a pass of multiply-adds,
 * which compilers vectorise.
 *
 * With stride 1 the sums of output (oy, ox) are kept at oy * (bordered
 * width) + ox, where tap (ky, kx) reads the bordered plane at a fixed
 * offset plus that same index: each tap is one unit-stride pass over all
 * outputs (a chunk at a time, so that the sums stay in L1), long enough to
 * vectorise with any compiler; the columns past each output row are
 * computed and dropped. Other strides go row by row. */
#ifndef SCNN_CONV_DEPTHWISE_F32_C
#define SCNN_CONV_DEPTHWISE_F32_C

#include <stddef.h>
#include <string.h>

#include "common.c"

typedef struct scnn_dwconv {
    int out_channels, multiplier; /* output channel c reads input channel c / multiplier */
    int in[2], out[2];            /* height, width */
    int kernel[2], stride[2], dilation[2], pad[2];
    int padded[2];                /* size of the bordered plane: (out - 1) * stride + (kernel - 1) * dilation + 1 */
    float lo, hi;                 /* clamp of the result */
} scnn_dwconv;

/* Work area of scnn_dwconv_f32 in floats: the bordered plane, then out[0]
 * rows of sums as wide as it. */
#define SCNN_DWCONV_WORK(s) \
    ((ptrdiff_t)((s)->padded[0] + (s)->out[0]) * (s)->padded[1])

/* Outputs per chunk of the stride-1 passes: 4 KiB of sums. */
#define SCNN_DWCONV_CHUNK 1024

/* sum[q] (+)= wv * src[q * stride] for q < n; constant strides vectorise. */
static void scnn_dwconv_tap(float *restrict sum, const float *restrict src, float wv, ptrdiff_t n,
                            int stride)
{
    ptrdiff_t q;
    if (stride == 1)
        for (q = 0; q < n; q++)
            SCNN_FMA(sum[q], wv, src[q]);
    else if (stride == 2)
        for (q = 0; q < n; q++)
            SCNN_FMA(sum[q], wv, src[2 * q]);
    else
        for (q = 0; q < n; q++)
            SCNN_FMA(sum[q], wv, src[q * stride]);
}

static void scnn_dwconv_f32(const scnn_dwconv *s, const float *restrict x, const float *restrict w,
                            const float *bias, float *restrict y, float *restrict work)
{
    const int oh = s->out[0], ow = s->out[1], ph = s->padded[0], pw = s->padded[1];
    const int kh = s->kernel[0], kw = s->kernel[1], sy = s->stride[0], sx = s->stride[1];
    const int dy = s->dilation[0], dx = s->dilation[1];
    float *restrict border = work, *restrict sum = work + (ptrdiff_t)ph * pw;
    int c, oy, ox, ky, kx, r;
    for (c = 0; c < s->out_channels; c++) {
        const float *plane = x + (ptrdiff_t)(c / s->multiplier) * s->in[0] * s->in[1];
        const float *wc = w + (ptrdiff_t)c * kh * kw;
        const float b = bias ? bias[c] : 0.0f;
        float *restrict yc = y + (ptrdiff_t)c * oh * ow;
        /* Rebuild the bordered plane when the input channel changes. */
        if (c % s->multiplier == 0) {
            const int cols = s->in[1] < pw - s->pad[1] ? s->in[1] : pw - s->pad[1];
            memset(border, 0, (size_t)ph * (size_t)pw * sizeof(float));
            for (r = 0; r < s->in[0] && r + s->pad[0] < ph && cols > 0; r++)
                memcpy(border + (ptrdiff_t)(r + s->pad[0]) * pw + s->pad[1],
                       plane + (ptrdiff_t)r * s->in[1], (size_t)cols * sizeof(float));
        }
        if (sy == 1 && sx == 1) {
            const ptrdiff_t n = (ptrdiff_t)(oh - 1) * pw + ow;
            ptrdiff_t q0, q;
            for (q0 = 0; q0 < n; q0 += SCNN_DWCONV_CHUNK) {
                const ptrdiff_t len = n - q0 < SCNN_DWCONV_CHUNK ? n - q0 : SCNN_DWCONV_CHUNK;
                for (q = 0; q < len; q++)
                    sum[q0 + q] = b;
                for (ky = 0; ky < kh; ky++)
                    for (kx = 0; kx < kw; kx++)
                        scnn_dwconv_tap(sum + q0, border + q0 + (ptrdiff_t)ky * dy * pw + kx * dx,
                                        wc[ky * kw + kx], len, 1);
            }
        } else {
            for (oy = 0; oy < oh; oy++) {
                float *restrict sr = sum + (ptrdiff_t)oy * pw;
                for (ox = 0; ox < ow; ox++)
                    sr[ox] = b;
                for (ky = 0; ky < kh; ky++)
                    for (kx = 0; kx < kw; kx++)
                        scnn_dwconv_tap(sr, border + (ptrdiff_t)(oy * sy + ky * dy) * pw + kx * dx,
                                        wc[ky * kw + kx], ow, sx);
            }
        }
        for (oy = 0; oy < oh; oy++)
            for (ox = 0; ox < ow; ox++) {
                const float v = sum[(ptrdiff_t)oy * pw + ox];
                const float lo = v < s->lo ? s->lo : v;
                yc[(ptrdiff_t)oy * ow + ox] = lo > s->hi ? s->hi : lo;
            }
    }
}

#endif
