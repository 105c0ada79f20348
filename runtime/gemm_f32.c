/* scnnc runtime: float32 matrix product C = A * B for generated code.
 *
 * Blocked like a BLAS GEMM: for each block of columns (at most nc) and of
 * the inner dimension (at most kc), that part of B is packed row by row
 * into the work area, from a plain matrix (pack_matrix_f32.c) or from a
 * convolution's input (conv_im2col_f32.c). Then register tiles of SCNN_MR
 * rows by 24, 16 or 8 columns are accumulated over the block. A's rows are
 * read in place (weights keep their ONNX layout); a transposed or scaled A,
 * and a last group of fewer than SCNN_MR rows, are first copied into a
 * small contiguous panel. The tile loops have constant trip counts, so
 * compilers keep the accumulators in vector registers and issue one
 * broadcast and SCNN_MR fused multiply-adds per loaded vector of B. After
 * the last block of the inner dimension, each tile adds the bias of its
 * rows and clamps (the fused activation) before it stores.
 *
 * The work area holds B's block, kc * round_up(nc, 8) floats, followed by
 * SCNN_MR * kc floats for A's panel (SCNN_GEMM_WORK). A product that reads
 * every row group of A in place (SCNN_GEMM_A_IN_PLACE) never touches the
 * panel: its work area may stop after B's block (SCNN_GEMM_WORK_B). The
 * compiler picks kc and nc: the L2-sized block, or in a small model a band
 * of C's columns small next to its activations (passes/ops/conv_gemm.h).
 *
 * Generated code carries this file's text (the #include lines dropped); it
 * is also compiled and tested as it stands. */
#ifndef SCNN_GEMM_F32_C
#define SCNN_GEMM_F32_C

#include <stddef.h>
#include <string.h>

#include "common.c"
#include "conv_im2col_f32.c"
#include "pack_matrix_f32.c"

#define SCNN_MR 4
/* Columns of B's block are padded to a multiple of this. */
#define SCNN_NR_MIN 8
/* The widest tile: a block's columns go SCNN_NR_MAX at a time. */
#define SCNN_NR_MAX 24
#define SCNN_GEMM_WORK_B(kc, nc) ((kc) * (((nc) + SCNN_NR_MIN - 1) / SCNN_NR_MIN * SCNN_NR_MIN))
#define SCNN_GEMM_WORK(kc, nc) (SCNN_GEMM_WORK_B(kc, nc) + SCNN_MR * (kc))
/* Whether product g reads A in place throughout (no panel): rows read as
 * they are (unit column step, alpha 1) and no partial row group. */
#define SCNN_GEMM_A_IN_PLACE(g) ((g)->a_cs == 1 && (g)->alpha == 1.0f && (g)->m % SCNN_MR == 0)

typedef struct scnn_gemm {
    int m, n, k;
    const float *a;    /* A[i][p] = a[i * a_rs + p * a_cs] */
    ptrdiff_t a_rs, a_cs;
    float alpha;       /* scales A * B */
    float *c;          /* C[i][j] = c[i * ldc + j] */
    ptrdiff_t ldc;
    int accumulate;    /* 1: C += alpha * A * B; 0: C = alpha * A * B */
    const float *bias; /* NULL, or one value per row added to C */
    float lo, hi;      /* C is clamped to [lo, hi] (NaN kept); +-HUGE_VALF for none */
    int kc, nc;        /* block sizes: the work area is SCNN_GEMM_WORK(kc, nc) floats,
                          or SCNN_GEMM_WORK_B(kc, nc) when SCNN_GEMM_A_IN_PLACE */
} scnn_gemm;

/* What a tile does to its sums when the block is the last of the inner
 * dimension: add the bias of its rows, then clamp. */
typedef struct scnn_tile_end {
    int last;
    float bias[SCNN_MR];
    float lo, hi;
} scnn_tile_end;

/* One register tile: out[i][j] (+)= sum_p A[i][p] * bp[p][j] over kc steps,
 * W columns wide. A[i][p] is ap[i * ars + p * astep]: A's rows in place
 * (ars = row stride, astep = 1) or a packed panel (ars = 1, astep =
 * SCNN_MR). bp is a row-major block with row stride ldb. Two spellings of
 * the same loops: GCC vectorises the first along j (the contiguous axis)
 * best for W = 24, but picks 4-wide vectors across rows for W = 16 and 8,
 * which the second, with the SCNN_MR (4) rows written out, avoids. */
#define SCNN_TILE_INIT(W)                                                   \
    float acc[SCNN_MR][W];                                                  \
    int i, j, p;                                                            \
    for (i = 0; i < SCNN_MR; i++)                                           \
        for (j = 0; j < (W); j++)                                           \
            acc[i][j] = load ? out[i * ldo + j] : 0.0f;

/* Writes the sums, finished (bias added, clamped) after the last block. */
#define SCNN_TILE_STORE(W)                                                  \
    if (end->last) {                                                        \
        const float lo = end->lo, hi = end->hi;                             \
        for (i = 0; i < SCNN_MR; i++) {                                     \
            const float bi = end->bias[i];                                  \
            for (j = 0; j < (W); j++) {                                     \
                const float v = acc[i][j] + bi, v1 = v < lo ? lo : v;       \
                out[i * ldo + j] = v1 > hi ? hi : v1;                       \
            }                                                               \
        }                                                                   \
    } else {                                                                \
        for (i = 0; i < SCNN_MR; i++)                                       \
            for (j = 0; j < (W); j++)                                       \
                out[i * ldo + j] = acc[i][j];                               \
    }

/* Step p reads A at ap + p * astep and B at bp + p * ldb (computed per
 * step, so that no pointer past the operands is ever formed). */
#define SCNN_TILE_LOOP_ROWS(W)                                              \
    for (p = 0; p < kc; p++) {                                              \
        const float *restrict as = ap + p * astep, *restrict bs = bp + p * ldb; \
        for (i = 0; i < SCNN_MR; i++) {                                     \
            const float av = as[i * ars];                                   \
            for (j = 0; j < (W); j++)                                       \
                SCNN_FMA(acc[i][j], av, bs[j]);                             \
        }                                                                   \
    }

#define SCNN_TILE_LOOP_COLS(W)                                              \
    for (p = 0; p < kc; p++) {                                              \
        const float *restrict as = ap + p * astep, *restrict bs = bp + p * ldb; \
        const float a0 = as[0], a1 = as[ars], a2 = as[2 * ars];             \
        const float a3 = as[3 * ars];                                       \
        for (j = 0; j < (W); j++) {                                         \
            const float b = bs[j];                                          \
            SCNN_FMA(acc[0][j], a0, b);                                     \
            SCNN_FMA(acc[1][j], a1, b);                                     \
            SCNN_FMA(acc[2][j], a2, b);                                     \
            SCNN_FMA(acc[3][j], a3, b);                                     \
        }                                                                   \
    }

static void scnn_tile24(int kc, const float *restrict ap, ptrdiff_t ars, ptrdiff_t astep,
                        const float *restrict bp, ptrdiff_t ldb, float *restrict out, ptrdiff_t ldo,
                        int load, const scnn_tile_end *end)
{
    SCNN_TILE_INIT(24)
    SCNN_TILE_LOOP_ROWS(24)
    SCNN_TILE_STORE(24)
}

static void scnn_tile16(int kc, const float *restrict ap, ptrdiff_t ars, ptrdiff_t astep,
                        const float *restrict bp, ptrdiff_t ldb, float *restrict out, ptrdiff_t ldo,
                        int load, const scnn_tile_end *end)
{
    SCNN_TILE_INIT(16)
    SCNN_TILE_LOOP_COLS(16)
    SCNN_TILE_STORE(16)
}

/* Four vector accumulators are too few to hide the latency of fused
 * multiply-adds, so even and odd steps of p go to separate ones. */
static void scnn_tile8(int kc, const float *restrict ap, ptrdiff_t ars, ptrdiff_t astep,
                       const float *restrict bp, ptrdiff_t ldb, float *restrict out, ptrdiff_t ldo,
                       int load, const scnn_tile_end *end)
{
    float acc[SCNN_MR][8], odd[SCNN_MR][8];
    int i, j, p;
    for (i = 0; i < SCNN_MR; i++)
        for (j = 0; j < 8; j++) {
            acc[i][j] = load ? out[i * ldo + j] : 0.0f;
            odd[i][j] = 0.0f;
        }
    for (p = 0; p + 2 <= kc; p += 2) {
        const float *restrict as = ap + p * astep, *restrict bs = bp + p * ldb;
        const float *restrict an = as + astep, *restrict bn = bs + ldb;
        const float a0 = as[0], a1 = as[ars], a2 = as[2 * ars], a3 = as[3 * ars];
        const float c0 = an[0], c1 = an[ars], c2 = an[2 * ars], c3 = an[3 * ars];
        for (j = 0; j < 8; j++) {
            SCNN_FMA(acc[0][j], a0, bs[j]);
            SCNN_FMA(acc[1][j], a1, bs[j]);
            SCNN_FMA(acc[2][j], a2, bs[j]);
            SCNN_FMA(acc[3][j], a3, bs[j]);
            SCNN_FMA(odd[0][j], c0, bn[j]);
            SCNN_FMA(odd[1][j], c1, bn[j]);
            SCNN_FMA(odd[2][j], c2, bn[j]);
            SCNN_FMA(odd[3][j], c3, bn[j]);
        }
    }
    if (p < kc) {
        const float *restrict as = ap + p * astep, *restrict bs = bp + p * ldb;
        const float a0 = as[0], a1 = as[ars], a2 = as[2 * ars], a3 = as[3 * ars];
        for (j = 0; j < 8; j++) {
            SCNN_FMA(acc[0][j], a0, bs[j]);
            SCNN_FMA(acc[1][j], a1, bs[j]);
            SCNN_FMA(acc[2][j], a2, bs[j]);
            SCNN_FMA(acc[3][j], a3, bs[j]);
        }
    }
    for (i = 0; i < SCNN_MR; i++)
        for (j = 0; j < 8; j++)
            acc[i][j] += odd[i][j];
    SCNN_TILE_STORE(8)
}

/* Copies rows m0..m0+mr-1, columns k0..k0+kc-1 of alpha * A into ap, one
 * group of SCNN_MR values per column, rows past mr set to zero. */
static void scnn_pack_a(const scnn_gemm *g, int m0, int mr, int k0, int kc, float *restrict ap)
{
    int i, p;
    for (i = 0; i < SCNN_MR; i++) {
        if (i < mr) {
            const float *row = g->a + (ptrdiff_t)(m0 + i) * g->a_rs + (ptrdiff_t)k0 * g->a_cs;
            for (p = 0; p < kc; p++)
                ap[p * SCNN_MR + i] = g->alpha * row[p * g->a_cs];
        } else {
            for (p = 0; p < kc; p++)
                ap[p * SCNN_MR + i] = 0.0f;
        }
    }
}

/* Runs the tile of width w on rows m0.. (mr of them) and columns j0..
 * (nr <= w of them) of C. Tiles that reach past C's edges go through a
 * local buffer so that nothing outside C is read or written. */
static void scnn_gemm_tile(const scnn_gemm *g, int w, int kc, const float *ap, ptrdiff_t ars,
                           ptrdiff_t astep, const float *bp, ptrdiff_t ldb, int m0, int mr, int j0,
                           int nr, int load, const scnn_tile_end *end)
{
    float tmp[SCNN_MR * SCNN_NR_MAX];
    float *out = g->c + (ptrdiff_t)m0 * g->ldc + j0;
    ptrdiff_t ldo = g->ldc;
    int i, j, edge = mr < SCNN_MR || nr < w;
    if (edge) {
        memset(tmp, 0, sizeof tmp);
        for (i = 0; i < mr && load; i++)
            for (j = 0; j < nr; j++)
                tmp[i * w + j] = out[i * g->ldc + j];
        out = tmp;
        ldo = w;
    }
    if (w == 24)
        scnn_tile24(kc, ap, ars, astep, bp, ldb, out, ldo, load, end);
    else if (w == 16)
        scnn_tile16(kc, ap, ars, astep, bp, ldb, out, ldo, load, end);
    else
        scnn_tile8(kc, ap, ars, astep, bp, ldb, out, ldo, load, end);
    if (edge)
        for (i = 0; i < mr; i++)
            for (j = 0; j < nr; j++)
                g->c[(ptrdiff_t)(m0 + i) * g->ldc + j0 + j] = tmp[i * w + j];
}

/* The end of the tiles of rows m0 .. m0 + mr - 1 (bias past mr: 0). */
static void scnn_tile_end_make(const scnn_gemm *g, int m0, int mr, int last, scnn_tile_end *end)
{
    int i;
    end->last = last;
    end->lo = g->lo;
    end->hi = g->hi;
    for (i = 0; i < SCNN_MR; i++)
        end->bias[i] = g->bias && i < mr ? g->bias[m0 + i] : 0.0f;
}

/* Row groups x column panels of one block, in one of two orders. Panels
 * outside (each 24-column panel of B stays in L1 while the rows of A stream
 * past it) when A's rows are read in place and the block's rows of A fit
 * comfortably in L2; otherwise row groups outside, so that A's panel stays
 * in L1 and B's block streams from L2. */
#define SCNN_PANELS_OUTSIDE_MAX (64 * 1024)

static void scnn_gemm_block(const scnn_gemm *g, int k0, int kc, int n0, int nc, const float *bp,
                            int ldb, float *restrict ap, int direct)
{
    const int load = k0 > 0 || g->accumulate, last = k0 + kc == g->k;
    scnn_tile_end end;
    int m0, j0;
    if (direct && g->m % SCNN_MR == 0 && (long)g->m * kc <= SCNN_PANELS_OUTSIDE_MAX) {
        for (j0 = 0; j0 < nc; j0 += SCNN_NR_MAX) {
            const int nr = nc - j0 < SCNN_NR_MAX ? nc - j0 : SCNN_NR_MAX;
            const int w = nr > 16 ? 24 : nr > 8 ? 16 : 8;
            for (m0 = 0; m0 < g->m; m0 += SCNN_MR) {
                const float *a = g->a + (ptrdiff_t)m0 * g->a_rs + k0;
                scnn_tile_end_make(g, m0, SCNN_MR, last, &end);
                scnn_gemm_tile(g, w, kc, a, g->a_rs, 1, bp + j0, ldb, m0, SCNN_MR, n0 + j0, nr,
                               load, &end);
            }
        }
        return;
    }
    for (m0 = 0; m0 < g->m; m0 += SCNN_MR) {
        const int mr = g->m - m0 < SCNN_MR ? g->m - m0 : SCNN_MR;
        const float *a = ap;
        ptrdiff_t ars = 1, astep = SCNN_MR;
        if (direct && mr == SCNN_MR) {
            a = g->a + (ptrdiff_t)m0 * g->a_rs + k0;
            ars = g->a_rs;
            astep = 1;
        } else {
            scnn_pack_a(g, m0, mr, k0, kc, ap);
        }
        scnn_tile_end_make(g, m0, mr, last, &end);
        for (j0 = 0; j0 < nc; j0 += SCNN_NR_MAX) {
            const int nr = nc - j0 < SCNN_NR_MAX ? nc - j0 : SCNN_NR_MAX;
            const int w = nr > 16 ? 24 : nr > 8 ? 16 : 8;
            scnn_gemm_tile(g, w, kc, a, ars, astep, bp + j0, ldb, m0, mr, n0 + j0, nr, load,
                           &end);
        }
    }
}

static void scnn_gemm_f32(const scnn_gemm *g, const scnn_matrix *bm, const scnn_im2col *bc,
                          float *restrict work)
{
    /* No panel when A is read in place: the work area may end after B's block. */
    float *bp = work;
    float *ap = SCNN_GEMM_A_IN_PLACE(g) ? NULL : work + SCNN_GEMM_WORK_B(g->kc, g->nc);
    /* Rows of A are read in place when nothing has to be done to them:
     * no copy, and the first pass over a row group overlaps its loads with
     * arithmetic. Partial row groups, a transposed A or alpha != 1 go
     * through the packed panel. */
    const int direct = g->a_cs == 1 && g->alpha == 1.0f;
    int n0, k0;
    for (n0 = 0; n0 < g->n; n0 += g->nc) {
        const int nc = g->n - n0 < g->nc ? g->n - n0 : g->nc;
        const int ldb = (nc + SCNN_NR_MIN - 1) / SCNN_NR_MIN * SCNN_NR_MIN;
        for (k0 = 0; k0 < g->k; k0 += g->kc) {
            const int kc = g->k - k0 < g->kc ? g->k - k0 : g->kc;
            if (bm)
                scnn_pack_matrix(bm, k0, kc, n0, nc, bp, ldb);
            else
                scnn_pack_im2col(bc, k0, kc, n0, nc, bp, ldb);
            scnn_gemm_block(g, k0, kc, n0, nc, bp, ldb, ap, direct);
        }
    }
}

#endif
