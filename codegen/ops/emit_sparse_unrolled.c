/* Unrolled sparse kernels (IR_SPARSE_UNROLLED): each row of the sparse
 * weights becomes a function whose multiply-adds carry their weight as a
 * literal and their row of B as a constant offset, in a loop over a block
 * of up to SPARSE_W positions that compilers vectorise; a block function calls the rows,
 * and the kernel walks the blocks (the last one overlapping the one before
 * when the positions are not a multiple of the block: each block computes
 * whole results, so overlapping recomputes the same values). No index or
 * weight arrays are read at run time. Conv: B is the input (1x1) or an
 * im2col band of fixed width (the last band overlaps too), so that the
 * offsets are constants; products: one row of activations. */
#include "../../passes/ops/sparse.h"
#include "emit_gemm_runtime.h"

typedef struct unroll_geom {
    int64_t w;        /* positions per block */
    int64_t ldb, ldc; /* row steps of B and C (the residual's is ldc) */
} unroll_geom;

static void row_name(const cg_ctx *c, int64_t r, char *buf, size_t size)
{
    snprintf(buf, size, "k%d_row%lld", c->node, (long long)r);
}

static void emit_row(cg_ctx *c, const ir_node *n, const unroll_geom *u, int64_t r,
                     const sparse_view *v)
{
    cg_buf *b = c->kernels;
    const ir_graph *g = c->g;
    int first = sparse_first_input(n);
    const int32_t *seg = g->tensors[n->inputs[first + SPARSE_IN_SEG]].data;
    const uint8_t *index = g->tensors[n->inputs[first + SPARSE_IN_INDEX]].data;
    const float *value = g->tensors[n->inputs[first + SPARSE_IN_VALUE]].data;
    int tb = n->inputs[first + SPARSE_IN_BIAS];
    char name[64];
    row_name(c, r, name, sizeof name);
    /* One loop over the positions with the row's multiply-adds in its body:
     * compilers vectorise it across positions in time linear in the
     * nonzeros (a loop per nonzero over an array of sums took clang ~10 ms
     * a nonzero and ran half as fast). */
    cg_printf(b, "static void %s(const float *restrict b, float *restrict c%s)\n{\n"
                 "    int j;\n    (void)b; /* rows without nonzeros */\n"
                 "    for (j = 0; j < %lld; j++) {\n        float a = ",
              name, n->residual ? ", const float *restrict q" : "", (long long)u->w);
    cg_float(b, tb >= 0 ? ((const float *)g->tensors[tb].data)[r] : 0.0f);
    cg_printf(b, ";\n");
    int64_t chunks = sparse_chunks(v->cols);
    for (int64_t ch = 0; ch < chunks; ch++)
        for (int32_t e = seg[ch * v->rows + r]; e < seg[ch * v->rows + r + 1]; e++) {
            int64_t k = ch * SPARSE_KC + index[e];
            cg_printf(b, "        SCNN_FMA(a, ");
            cg_float(b, value[e]);
            cg_printf(b, ", b[%lld + j]);\n", (long long)(k * u->ldb));
        }
    char expr[256];
    if (n->residual)
        cg_printf(b, "        a += q[%lld + j];\n", (long long)(r * u->ldc));
    cg_printf(b, "        c[%lld + j] = %s;\n    }\n}\n\n", (long long)(r * u->ldc),
              cg_act(n, "a", expr, sizeof expr));
}

/* Rows, then the block function k<N>_block(b, c[, q]) calling them. */
static void emit_rows(cg_ctx *c, const ir_node *n, const unroll_geom *u, const sparse_view *v)
{
    cg_buf *b = c->kernels;
    for (int64_t r = 0; r < v->rows; r++)
        emit_row(c, n, u, r, v);
    cg_printf(b, "static void k%d_block(const float *restrict b, float *restrict c%s)\n{\n", c->node,
              n->residual ? ", const float *restrict q" : "");
    char name[64];
    for (int64_t r = 0; r < v->rows; r++) {
        row_name(c, r, name, sizeof name);
        cg_printf(b, "    %s(b, c%s);\n", name, n->residual ? ", q" : "");
    }
    cg_printf(b, "}\n\n");
}

/* The loop over the blocks of `count` positions: B at `bexpr` + j0, C and
 * the residual at their bases + j0. */
static void emit_blocks(cg_ctx *c, const ir_node *n, const unroll_geom *u, int64_t count,
                        const char *ind, const char *bexpr, const char *cexpr, const char *qexpr)
{
    cg_buf *b = c->kernels;
    cg_printf(b,
              "%sfor (int p = 0; p < %lld; p += %lld) {\n"
              "%s    const int j0 = p + %lld <= %lld ? p : %lld;\n"
              "%s    k%d_block(%s + j0, %s + j0",
              ind, (long long)count, (long long)u->w, ind, (long long)u->w, (long long)count,
              (long long)(count - u->w), ind, c->node, bexpr, cexpr);
    if (n->residual)
        cg_printf(b, ", %s + j0", qexpr);
    cg_printf(b, ");\n%s}\n", ind);
}

static void emit_conv_body(cg_ctx *c, const ir_node *n, const conv_geom *cg,
                           const sparse_conv_plan *p, const unroll_geom *u, int64_t taps)
{
    cg_buf *b = c->kernels;
    char bx[96], cx[96], qx[96];
    int64_t npos = p->positions, in_plane = 1;
    for (int i = 0; i < cg->nsp; i++)
        in_plane *= cg->in[i];
    if (cg->batch > 1)
        cg_printf(b, "    for (ptrdiff_t img = 0; img < %lld; img++) {\n", (long long)cg->batch);
    const char *ind = cg->batch > 1 ? "        " : "    ";
    /* Offsets of the image in the input and in the output (and residual). */
    char xo[48] = "", yo[48] = "";
    if (cg->batch > 1) {
        snprintf(xo, sizeof xo, " + img * %lld", (long long)(cg->cin * in_plane));
        snprintf(yo, sizeof yo, " + img * %lld", (long long)(cg->cout * npos));
    }
    if (p->pointwise) {
        snprintf(bx, sizeof bx, "x0%s", xo);
        snprintf(cx, sizeof cx, "y0%s", yo);
        snprintf(qx, sizeof qx, "x%d%s", n->residual, yo);
        emit_blocks(c, n, u, npos, ind, bx, cx, qx);
    } else {
        char x[64];
        snprintf(x, sizeof x, "x0%s", xo);
        cg_im2col_decl(b, ind, cg, x);
        /* Bands of a fixed width (the offsets into them are constants);
         * the last one ends at the last position. */
        cg_printf(b,
                  "%sfor (int band = 0; band < %lld; band += %lld) {\n"
                  "%s    const int p0 = band + %lld <= %lld ? band : %lld;\n"
                  "%s    scnn_pack_im2col(&src, 0, %lld, p0, %lld, work, %lld);\n",
                  ind, (long long)npos, (long long)p->band_cols, ind, (long long)p->band_cols,
                  (long long)npos, (long long)(npos - p->band_cols), ind, (long long)taps,
                  (long long)p->band_cols, (long long)p->band_cols);
        snprintf(cx, sizeof cx, "y0%s + p0", yo);
        snprintf(qx, sizeof qx, "x%d%s + p0", n->residual, yo);
        char ind2[32];
        snprintf(ind2, sizeof ind2, "%s    ", ind);
        emit_blocks(c, n, u, p->band_cols, ind2, "work", cx, qx);
        cg_printf(b, "%s}\n", ind);
    }
    if (cg->batch > 1)
        cg_printf(b, "    }\n");
}

int emit_conv_unrolled(cg_ctx *c, const ir_node *n, const conv_geom *cg, diag *d)
{
    sparse_view v;
    if (cg_sparse_view(c, n, &v, d))
        return -1;
    sparse_conv_plan p;
    sparse_conv_plan_make(c->g, cg, &p);
    unroll_geom u = {.w = p.positions < SPARSE_W ? p.positions : SPARSE_W,
                     .ldb = p.pointwise ? p.positions : p.band_cols,
                     .ldc = p.positions};
    emit_rows(c, n, &u, &v);
    cg_kernel_begin(c, n);
    if (!p.pointwise)
        cg_printf(c->kernels, "    float *work = (float *)(void *)scratch;\n");
    emit_conv_body(c, n, cg, &p, &u, v.cols);
    cg_kernel_end(c);
    return 0;
}

/* A product over one row of activations: y[j] = sum_k w[j][k] x[k]. */
int emit_product_unrolled(cg_ctx *c, const ir_node *n, diag *d)
{
    sparse_view v;
    if (cg_sparse_view(c, n, &v, d))
        return -1;
    unroll_geom u = {.w = 1, .ldb = 1, .ldc = 1};
    emit_rows(c, n, &u, &v);
    cg_kernel_begin(c, n);
    if (n->residual)
        cg_printf(c->kernels, "    k%d_block(x0, y0, x%d);\n", c->node, n->residual);
    else
        cg_printf(c->kernels, "    k%d_block(x0, y0);\n", c->node);
    cg_kernel_end(c);
    return 0;
}
