/* scnnc runtime: packs a plain strided matrix as B for scnn_gemm_f32
 * (MatMul and Gemm operands, and 1x1 convolutions, whose B is the input
 * read as channels x positions). */
#ifndef SCNN_PACK_MATRIX_F32_C
#define SCNN_PACK_MATRIX_F32_C

#include <stddef.h>
#include <string.h>

#include "common.c"

typedef struct scnn_matrix {
    const float *p; /* B[k][n] = p[k * rs + n * cs] */
    ptrdiff_t rs, cs;
} scnn_matrix;

/* Writes rows k0..k0+kc-1, columns n0..n0+nc-1 of B into dst (row stride
 * ldd >= nc), zero-filling columns nc..ldd-1. */
static void scnn_pack_matrix(const scnn_matrix *b, int k0, int kc, int n0, int nc,
                             float *restrict dst, int ldd)
{
    const float *base = b->p + (ptrdiff_t)k0 * b->rs + (ptrdiff_t)n0 * b->cs;
    int p, j;
    if (b->cs == 1) {
        for (p = 0; p < kc; p++)
            memcpy(dst + (ptrdiff_t)p * ldd, base + (ptrdiff_t)p * b->rs, (size_t)nc * sizeof(float));
    } else {
        /* A transposed operand: walk each of its rows (a column of B)
         * contiguously and scatter it down the block. */
        for (j = 0; j < nc; j++)
            for (p = 0; p < kc; p++)
                dst[(ptrdiff_t)p * ldd + j] = base[(ptrdiff_t)j * b->cs + (ptrdiff_t)p * b->rs];
    }
    for (p = 0; p < kc; p++)
        for (j = nc; j < ldd; j++)
            dst[(ptrdiff_t)p * ldd + j] = 0.0f;
}

#endif
