/* scnnc runtime: sparse weights times dense activations, C = A * B, for
 * Conv (B the input or its im2col columns) and Gemm/MatMul (B the input
 * transposed) whose weights A are mostly zero. A is stored compactly: its
 * columns in chunks of SCNN_SPMM_KC, and per (chunk, row) a segment of
 * nonzeros, each a value and a one-byte column within the chunk (5 bytes
 * a nonzero). Work is channel-first: one broadcast weight multiplies a
 * vector of SCNN_SPMM_W positions held in registers, so the cost is the
 * nonzeros, never the zeros. Chunks keep the rows of B that a block reads
 * within the L1 cache: a 32-column block of a 256-row chunk is 32 KB. */
#ifndef SCNN_SPMM_F32_C
#define SCNN_SPMM_F32_C

#include <stddef.h>
#include <stdint.h>

#include "common.c"

#define SCNN_SPMM_KC 256
#define SCNN_SPMM_W 32

typedef struct scnn_spmm {
    int rows, cols;          /* of C */
    int chunks;              /* ceil(columns of A / SCNN_SPMM_KC) */
    const int32_t *seg;      /* chunks * rows + 1 offsets: nonzeros of row r in
                                chunk ch are seg[ch * rows + r] .. the next */
    const uint8_t *index;    /* per nonzero: its column of A, minus the chunk's
                                first column */
    const float *value;      /* per nonzero */
    const float *bias;       /* per row of C, or NULL */
    const float *b;          /* B[k][j] = b[k * ldb + j * b_cs] */
    ptrdiff_t ldb, b_cs;
    float *c;                /* C[r][j] = c[r * ldc + j * c_cs] */
    ptrdiff_t ldc, c_cs;
    const float *residual;   /* R[r][j] = residual[r * ldr + j * r_cs], added
                                before the clamp; or NULL */
    ptrdiff_t ldr, r_cs;
    float lo, hi;            /* C is clamped to [lo, hi] (NaN kept) */
    int skip_zero;           /* one position at a time: skip the nonzeros
                                whose input is zero (finite weights only) */
} scnn_spmm;

static float scnn_spmm_clamp(const scnn_spmm *s, float v)
{
    v = v < s->lo ? s->lo : v;
    return v > s->hi ? s->hi : v;
}

/* Row r's accumulators start from the bias in the first chunk and from C
 * (partial sums) in later ones; the last chunk adds the residual, clamps
 * and stores. Columns j0 .. j0 + w - 1, unit column steps. */
static void scnn_spmm_load(const scnn_spmm *s, int ch, int r, int j0, int w, float *a)
{
    int j;
    if (ch == 0) {
        const float bias = s->bias ? s->bias[r] : 0.0f;
        for (j = 0; j < w; j++)
            a[j] = bias;
    } else {
        const float *c = s->c + (ptrdiff_t)r * s->ldc + j0;
        for (j = 0; j < w; j++)
            a[j] = c[j];
    }
}

static void scnn_spmm_store(const scnn_spmm *s, int ch, int r, int j0, int w, const float *a)
{
    float *c = s->c + (ptrdiff_t)r * s->ldc + j0;
    int j;
    if (ch + 1 < s->chunks) {
        for (j = 0; j < w; j++)
            c[j] = a[j];
    } else if (s->residual) {
        const float *res = s->residual + (ptrdiff_t)r * s->ldr + j0;
        for (j = 0; j < w; j++)
            c[j] = scnn_spmm_clamp(s, a[j] + res[j]);
    } else {
        for (j = 0; j < w; j++)
            c[j] = scnn_spmm_clamp(s, a[j]);
    }
}

/* Columns j0 .. j0 + SCNN_SPMM_W - 1. The multiply-adds are written out,
 * not looped: compilers then keep the 32 sums in vector registers (a loop
 * over them gets vectorised across nonzeros instead, with gathers). */
static void scnn_spmm_block32(const scnn_spmm *s, int j0)
{
    int ch, r, e;
    for (ch = 0; ch < s->chunks; ch++) {
        const float *b = s->b + (ptrdiff_t)ch * SCNN_SPMM_KC * s->ldb + j0;
        const int32_t *seg = s->seg + (ptrdiff_t)ch * s->rows;
        for (r = 0; r < s->rows; r++) {
            float a[SCNN_SPMM_W];
            scnn_spmm_load(s, ch, r, j0, SCNN_SPMM_W, a);
            for (e = seg[r]; e < seg[r + 1]; e++) {
                const float v = s->value[e];
                const float *restrict x = b + (ptrdiff_t)s->index[e] * s->ldb;
            SCNN_FMA(a[0], v, x[0]); SCNN_FMA(a[1], v, x[1]); SCNN_FMA(a[2], v, x[2]); SCNN_FMA(a[3], v, x[3]);
            SCNN_FMA(a[4], v, x[4]); SCNN_FMA(a[5], v, x[5]); SCNN_FMA(a[6], v, x[6]); SCNN_FMA(a[7], v, x[7]);
            SCNN_FMA(a[8], v, x[8]); SCNN_FMA(a[9], v, x[9]); SCNN_FMA(a[10], v, x[10]); SCNN_FMA(a[11], v, x[11]);
            SCNN_FMA(a[12], v, x[12]); SCNN_FMA(a[13], v, x[13]); SCNN_FMA(a[14], v, x[14]); SCNN_FMA(a[15], v, x[15]);
            SCNN_FMA(a[16], v, x[16]); SCNN_FMA(a[17], v, x[17]); SCNN_FMA(a[18], v, x[18]); SCNN_FMA(a[19], v, x[19]);
            SCNN_FMA(a[20], v, x[20]); SCNN_FMA(a[21], v, x[21]); SCNN_FMA(a[22], v, x[22]); SCNN_FMA(a[23], v, x[23]);
            SCNN_FMA(a[24], v, x[24]); SCNN_FMA(a[25], v, x[25]); SCNN_FMA(a[26], v, x[26]); SCNN_FMA(a[27], v, x[27]);
            SCNN_FMA(a[28], v, x[28]); SCNN_FMA(a[29], v, x[29]); SCNN_FMA(a[30], v, x[30]); SCNN_FMA(a[31], v, x[31]);
            }
            scnn_spmm_store(s, ch, r, j0, SCNN_SPMM_W, a);
        }
    }
}

/* The same over 8 columns. */
static void scnn_spmm_block8(const scnn_spmm *s, int j0)
{
    int ch, r, e;
    for (ch = 0; ch < s->chunks; ch++) {
        const float *b = s->b + (ptrdiff_t)ch * SCNN_SPMM_KC * s->ldb + j0;
        const int32_t *seg = s->seg + (ptrdiff_t)ch * s->rows;
        for (r = 0; r < s->rows; r++) {
            float a[8];
            scnn_spmm_load(s, ch, r, j0, 8, a);
            for (e = seg[r]; e < seg[r + 1]; e++) {
                const float v = s->value[e];
                const float *restrict x = b + (ptrdiff_t)s->index[e] * s->ldb;
            SCNN_FMA(a[0], v, x[0]); SCNN_FMA(a[1], v, x[1]); SCNN_FMA(a[2], v, x[2]); SCNN_FMA(a[3], v, x[3]);
            SCNN_FMA(a[4], v, x[4]); SCNN_FMA(a[5], v, x[5]); SCNN_FMA(a[6], v, x[6]); SCNN_FMA(a[7], v, x[7]);
            }
            scnn_spmm_store(s, ch, r, j0, 8, a);
        }
    }
}

/* Columns j0 .. j0 + W - 1 of every row, all chunks at once: the sums stay
 * in registers and nothing is read back from C. This is the last block
 * when the columns are not a multiple of W: it starts W before the end and
 * recomputes columns an earlier block wrote, which comes out bit for bit
 * the same (the same operations in the same order; the earlier block's
 * partial sums went through C as floats, exactly), so one block does what
 * one-column steps would do many times slower. */
static void scnn_spmm_last32(const scnn_spmm *s, int j0)
{
    int ch, r, e;
    for (r = 0; r < s->rows; r++) {
        float a[SCNN_SPMM_W];
        scnn_spmm_load(s, 0, r, j0, SCNN_SPMM_W, a);
        for (ch = 0; ch < s->chunks; ch++) {
            const float *b = s->b + (ptrdiff_t)ch * SCNN_SPMM_KC * s->ldb + j0;
            const int32_t *seg = s->seg + (ptrdiff_t)ch * s->rows;
            for (e = seg[r]; e < seg[r + 1]; e++) {
                const float v = s->value[e];
                const float *restrict x = b + (ptrdiff_t)s->index[e] * s->ldb;
                SCNN_FMA(a[0], v, x[0]); SCNN_FMA(a[1], v, x[1]); SCNN_FMA(a[2], v, x[2]); SCNN_FMA(a[3], v, x[3]);
                SCNN_FMA(a[4], v, x[4]); SCNN_FMA(a[5], v, x[5]); SCNN_FMA(a[6], v, x[6]); SCNN_FMA(a[7], v, x[7]);
                SCNN_FMA(a[8], v, x[8]); SCNN_FMA(a[9], v, x[9]); SCNN_FMA(a[10], v, x[10]); SCNN_FMA(a[11], v, x[11]);
                SCNN_FMA(a[12], v, x[12]); SCNN_FMA(a[13], v, x[13]); SCNN_FMA(a[14], v, x[14]); SCNN_FMA(a[15], v, x[15]);
                SCNN_FMA(a[16], v, x[16]); SCNN_FMA(a[17], v, x[17]); SCNN_FMA(a[18], v, x[18]); SCNN_FMA(a[19], v, x[19]);
                SCNN_FMA(a[20], v, x[20]); SCNN_FMA(a[21], v, x[21]); SCNN_FMA(a[22], v, x[22]); SCNN_FMA(a[23], v, x[23]);
                SCNN_FMA(a[24], v, x[24]); SCNN_FMA(a[25], v, x[25]); SCNN_FMA(a[26], v, x[26]); SCNN_FMA(a[27], v, x[27]);
                SCNN_FMA(a[28], v, x[28]); SCNN_FMA(a[29], v, x[29]); SCNN_FMA(a[30], v, x[30]); SCNN_FMA(a[31], v, x[31]);
            }
        }
        scnn_spmm_store(s, s->chunks - 1, r, j0, SCNN_SPMM_W, a);
    }
}

/* The same over 8 columns. */
static void scnn_spmm_last8(const scnn_spmm *s, int j0)
{
    int ch, r, e;
    for (r = 0; r < s->rows; r++) {
        float a[8];
        scnn_spmm_load(s, 0, r, j0, 8, a);
        for (ch = 0; ch < s->chunks; ch++) {
            const float *b = s->b + (ptrdiff_t)ch * SCNN_SPMM_KC * s->ldb + j0;
            const int32_t *seg = s->seg + (ptrdiff_t)ch * s->rows;
            for (e = seg[r]; e < seg[r + 1]; e++) {
                const float v = s->value[e];
                const float *restrict x = b + (ptrdiff_t)s->index[e] * s->ldb;
                SCNN_FMA(a[0], v, x[0]); SCNN_FMA(a[1], v, x[1]); SCNN_FMA(a[2], v, x[2]); SCNN_FMA(a[3], v, x[3]);
                SCNN_FMA(a[4], v, x[4]); SCNN_FMA(a[5], v, x[5]); SCNN_FMA(a[6], v, x[6]); SCNN_FMA(a[7], v, x[7]);
            }
        }
        scnn_spmm_store(s, s->chunks - 1, r, j0, 8, a);
    }
}

/* One column j of any column steps (products over fewer than 8 rows of a
 * MatMul read B and write C with steps other than 1). */
static void scnn_spmm_column(const scnn_spmm *s, int j)
{
    int r, ch, e;
    for (r = 0; r < s->rows; r++) {
        float acc = s->bias ? s->bias[r] : 0.0f;
        for (ch = 0; ch < s->chunks; ch++) {
            const float *b = s->b + (ptrdiff_t)ch * SCNN_SPMM_KC * s->ldb + (ptrdiff_t)j * s->b_cs;
            const int32_t *seg = s->seg + (ptrdiff_t)ch * s->rows;
            if (s->skip_zero) {
                /* SCNN's input sparsity: after a ReLU many inputs are 0. */
                for (e = seg[r]; e < seg[r + 1]; e++) {
                    const float x = b[(ptrdiff_t)s->index[e] * s->ldb];
                    if (x != 0.0f)
                        SCNN_FMA(acc, s->value[e], x);
                }
            } else {
                for (e = seg[r]; e < seg[r + 1]; e++)
                    SCNN_FMA(acc, s->value[e], b[(ptrdiff_t)s->index[e] * s->ldb]);
            }
        }
        if (s->residual)
            acc += s->residual[(ptrdiff_t)r * s->ldr + (ptrdiff_t)j * s->r_cs];
        s->c[(ptrdiff_t)r * s->ldc + (ptrdiff_t)j * s->c_cs] = scnn_spmm_clamp(s, acc);
    }
}

static void scnn_spmm_f32(const scnn_spmm *s)
{
    int j = 0;
    if (s->b_cs == 1 && s->c_cs == 1 && (!s->residual || s->r_cs == 1)) {
        for (; j + SCNN_SPMM_W <= s->cols; j += SCNN_SPMM_W)
            scnn_spmm_block32(s, j);
        if (j < s->cols && s->cols >= SCNN_SPMM_W) {
            scnn_spmm_last32(s, s->cols - SCNN_SPMM_W);
            return;
        }
        for (; j + 8 <= s->cols; j += 8)
            scnn_spmm_block8(s, j);
        if (j < s->cols && s->cols >= 8) {
            scnn_spmm_last8(s, s->cols - 8);
            return;
        }
    }
    for (; j < s->cols; j++)
        scnn_spmm_column(s, j);
}

#endif
