/* Integer products as blocks of dot products: a rows x cols grid of int32
 * sums, each over `depth` int16 products, both operands contiguous along
 * the depth. Rows are taken rb at a time into an int16 buffer (the caller
 * writes the conversion), columns cb at a time, and the rb * cb sums of a
 * block run in one loop over the depth: each loaded value serves several
 * sums, which stay in registers, and gcc vectorizes the loop as int16 dot
 * products (pmaddwd on x86). Rows and columns left over are smaller
 * blocks, so that every loop keeps a constant trip count. */
#include <stdio.h>

#include "emit_quant.h"

static void block(cg_buf *b, const char *ind, const qe_dot *q, int nrows, int ncols)
{
    long long k = (long long)q->depth;
    cg_printf(b, "%s{\n", ind);
    cg_printf(b, "%s    const int16_t *c0 = %s + qj * %lld;\n", ind, q->col_buf, k);
    for (int j = 1; j < ncols; j++)
        cg_printf(b, "%s    const int16_t *c%d = c0 + %lld;\n", ind, j, j * k);
    cg_printf(b, "%s    const int16_t *w0 = %s;\n", ind, q->row_buf);
    for (int i = 1; i < nrows; i++)
        cg_printf(b, "%s    const int16_t *w%d = w0 + %lld;\n", ind, i, i * k);
    cg_printf(b, "%s    int32_t", ind);
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < ncols; j++)
            cg_printf(b, "%s s%d%d = 0", i || j ? "," : "", i, j);
    cg_printf(b, ";\n%s    for (ptrdiff_t k = 0; k < %lld; k++) {\n", ind, k);
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < ncols; j++)
            cg_printf(b, "%s        s%d%d += w%d[k] * c%d[k];\n", ind, i, j, i, j);
    cg_printf(b, "%s    }\n", ind);
    char in2[48], sum[32];
    snprintf(in2, sizeof in2, "%s    ", ind);
    for (int i = 0; i < nrows; i++)
        for (int j = 0; j < ncols; j++) {
            snprintf(sum, sizeof sum, "s%d%d", i, j);
            q->store(b, in2, i, j, sum, q->ctx);
        }
    cg_printf(b, "%s}\n", ind);
}

/* The rows qi .. qi + nrows - 1: their conversion, then every column. */
static void row_body(cg_buf *b, const char *ind, const qe_dot *q, int nrows)
{
    char in2[48];
    snprintf(in2, sizeof in2, "%s    ", ind);
    int64_t cmain = q->cols - q->cols % q->cb;
    q->load_rows(b, ind, nrows, q->ctx);
    if (cmain > 0) {
        cg_printf(b, "%sfor (ptrdiff_t qj = 0; qj < %lld; qj += %d)\n", ind, (long long)cmain,
                  q->cb);
        block(b, ind, q, nrows, q->cb);
    }
    if (q->cols % q->cb) {
        cg_printf(b, "%s{\n%s    const ptrdiff_t qj = %lld;\n", ind, ind, (long long)cmain);
        block(b, in2, q, nrows, (int)(q->cols % q->cb));
        cg_printf(b, "%s}\n", ind);
    }
}

void qe_dot_emit(cg_buf *b, const char *ind, const qe_dot *q)
{
    char in2[48];
    snprintf(in2, sizeof in2, "%s    ", ind);
    int64_t rmain = q->rows - q->rows % q->rb;
    if (rmain > 0) {
        cg_printf(b, "%sfor (ptrdiff_t qi = 0; qi < %lld; qi += %d) {\n", ind, (long long)rmain,
                  q->rb);
        row_body(b, in2, q, q->rb);
        cg_printf(b, "%s}\n", ind);
    }
    if (q->rows % q->rb) {
        cg_printf(b, "%s{\n%s    const ptrdiff_t qi = %lld;\n", ind, ind, (long long)rmain);
        row_body(b, in2, q, (int)(q->rows % q->rb));
        cg_printf(b, "%s}\n", ind);
    }
}
