/* Quantization emitters: what the files of the family share.
 * emit_quant.c writes QuantizeLinear, DequantizeLinear and
 * DynamicQuantizeLinear and the helpers below; emit_quant_matmul.c the
 * integer matrix products, emit_quant_conv.c the integer convolutions,
 * emit_quant_dot.c the blocked dot products both use. */
#ifndef SCNNC_EMIT_QUANT_H
#define SCNNC_EMIT_QUANT_H

#include "../emit.h"

/* Writes into c->kernels, unless an earlier node wrote it (once per
 * file, before its first use), the helper node n's kernel calls:
 *   int32_t scnn_q_i32(uint32_t u)  the int32 that a sum done modulo 2^32
 *                                   stands for (int32 wrap-around) */
void qe_require_helpers(cg_ctx *c, const ir_node *n);

/* Writes "    <decl> = <value>;" for one value of input i: a literal when
 * the input is a constant (then also "(void)x<i>;"), x<i>[0] otherwise,
 * 0 when the optional input is absent. decl is e.g. "const float xs". */
void qe_param(cg_ctx *c, const ir_node *n, int i, const char *decl);

/* Writes "const float lo = ..., hi = ...;": the bounds, before rounding,
 * that keep round(v) + zp within integer type t (zp the C variable). */
void qe_bounds(cg_buf *b, const char *ind, ir_dtype t, const char *zp);

/* Writes the statements storing float v (an expression without side
 * effects) rounded half to even, clamped to lo/hi (NaN goes to lo), plus
 * zp into dst, of type t. They declare vb and vq. */
void qe_store_rounded(cg_buf *b, const char *ind, ir_dtype t, const char *v, const char *zp,
                      const char *dst);

/* A grid of rows x cols int32 sums over `depth` int16 products, written
 * by qe_dot_emit (emit_quant_dot.c) as blocks of rb x cb dot products.
 * The loops name the first row and column of a block qi and qj; sums are
 * s<i><j> for row qi + i and column qj + j. */
typedef struct qe_dot {
    int64_t rows, cols, depth;
    int rb, cb;          /* block size: rb <= 2, cb <= 4 */
    const char *row_buf; /* int16 buffer of rb rows, `depth` apart */
    const char *col_buf; /* int16 columns, `depth` apart: column j at j * depth */
    /* Writes, at indentation ind, statements filling row_buf with rows
     * qi .. qi + count - 1 and defining what store needs per row. */
    void (*load_rows)(cg_buf *b, const char *ind, int count, const void *ctx);
    /* Writes statements storing the int32 variable sum as the output of
     * row qi + i, column qj + j. */
    void (*store)(cg_buf *b, const char *ind, int i, int j, const char *sum, const void *ctx);
    const void *ctx;
} qe_dot;

void qe_dot_emit(cg_buf *b, const char *ind, const qe_dot *q);

int emit_qmm(cg_ctx *c, const ir_node *n, diag *d);
int emit_qconv(cg_ctx *c, const ir_node *n, diag *d);

#endif
