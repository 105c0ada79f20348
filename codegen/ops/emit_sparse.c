/* Sparse Conv, Gemm and MatMul: C emitters. The weights arrive compact
 * (passes/sparsify.c appended them as inputs: segments, indices, values,
 * bias) and runtime/spmm_f32.c multiplies them with B: a Conv's input (1x1)
 * or its im2col columns a band at a time, or a product's activations,
 * read in place with a column step of K (B[k][m] = X[m][k]) or, after
 * pass_layout transposed them, with unit steps. Bias, the fused activation
 * and a residual operand are applied as each block of C is stored. */
#include "../../passes/ops/sparse.h"
#include "emit_gemm_runtime.h"

/* Opens the initialiser of `s` with the weights' fields; the caller adds
 * the operands' and closes it. */
static void spmm_open(cg_ctx *c, const ir_node *n, const sparse_view *v, int64_t cols)
{
    cg_buf *b = c->kernels;
    int first = sparse_first_input(n);
    cg_printf(b,
              "    scnn_spmm s = {.rows = %lld, .cols = %lld, .chunks = %lld, .seg = x%d,\n"
              "                   .index = x%d, .value = x%d, .bias = ",
              (long long)v->rows, (long long)cols, (long long)sparse_chunks(v->cols),
              first + SPARSE_IN_SEG, first + SPARSE_IN_INDEX, first + SPARSE_IN_VALUE);
    if (n->inputs[first + SPARSE_IN_BIAS] >= 0)
        cg_printf(b, "x%d,\n", first + SPARSE_IN_BIAS);
    else
        cg_printf(b, "NULL,\n");
    cg_printf(b, "                   ");
    cg_clamp_fields(b, n);
    if (n->skip_zero_inputs)
        cg_printf(b, ", .skip_zero = 1");
}

/* ", .residual = x<r>, .ldr = L, .r_cs = S" or ", .residual = NULL". */
static void residual_fields(cg_buf *b, const ir_node *n, int64_t ldr, int64_t r_cs)
{
    if (n->residual)
        cg_printf(b, ",\n                   .residual = x%d, .ldr = %lld, .r_cs = %lld", n->residual,
                  (long long)ldr, (long long)r_cs);
    else
        cg_printf(b, ",\n                   .residual = NULL, .ldr = 0, .r_cs = 0");
}

static void emit_conv_pointwise(cg_buf *b, const ir_node *n, const conv_geom *cg, int64_t npos)
{
    if (cg->batch == 1) {
        cg_printf(b, "    scnn_spmm_f32(&s);\n");
        return;
    }
    cg_printf(b, "    for (ptrdiff_t img = 0; img < %lld; img++) {\n"
                 "        s.b = x0 + img * %lld;\n        s.c = y0 + img * %lld;\n",
              (long long)cg->batch, (long long)(cg->cin * npos), (long long)(cg->cout * npos));
    if (n->residual)
        cg_printf(b, "        s.residual = x%d + img * %lld;\n", n->residual,
                  (long long)(cg->cout * npos));
    cg_printf(b, "        scnn_spmm_f32(&s);\n    }\n");
}

static void emit_conv_bands(cg_buf *b, const ir_node *n, const conv_geom *cg,
                            const sparse_conv_plan *p, int64_t taps)
{
    int64_t npos = p->positions, in_plane = 1;
    for (int i = 0; i < cg->nsp; i++)
        in_plane *= cg->in[i];
    cg_printf(b, "    float *work = (float *)(void *)scratch;\n");
    cg_im2col_decl(b, "    ", cg, "x0");
    cg_printf(b, "    s.b = work;\n");
    if (cg->batch > 1)
        cg_printf(b, "    for (ptrdiff_t img = 0; img < %lld; img++) {\n", (long long)cg->batch);
    const char *in = cg->batch > 1 ? "    " : "";
    if (cg->batch > 1)
        cg_printf(b, "        src.x = x0 + img * %lld;\n", (long long)(cg->cin * in_plane));
    cg_printf(b,
              "%s    for (int p = 0; p < %lld; p += %lld) {\n"
              "%s        const int w = %lld - p < %lld ? %lld - p : %lld;\n"
              "%s        scnn_pack_im2col(&src, 0, %lld, p, w, work, w);\n"
              "%s        s.cols = w;\n%s        s.ldb = w;\n"
              "%s        s.c = y0 + p",
              in, (long long)npos, (long long)p->band_cols, in, (long long)npos,
              (long long)p->band_cols, (long long)npos, (long long)p->band_cols, in,
              (long long)taps, in, in, in);
    if (cg->batch > 1)
        cg_printf(b, " + img * %lld", (long long)(cg->cout * npos));
    cg_printf(b, ";\n");
    if (n->residual) {
        cg_printf(b, "%s        s.residual = x%d + p", in, n->residual);
        if (cg->batch > 1)
            cg_printf(b, " + img * %lld", (long long)(cg->cout * npos));
        cg_printf(b, ";\n");
    }
    cg_printf(b, "%s        scnn_spmm_f32(&s);\n%s    }\n", in, in);
    if (cg->batch > 1)
        cg_printf(b, "    }\n");
}

int cg_sparse_view(const cg_ctx *c, const ir_node *n, sparse_view *v, diag *d)
{
    if (sparse_view_make(c->g, n, v))
        return diag_node(d, n->name, n->op, "the sparse form of this node is not supported");
    return 0;
}

/* The caller has written the runtime pieces (cg_runtime_require). */
int emit_conv_sparse(cg_ctx *c, const ir_node *n, const conv_geom *cg, diag *d)
{
    sparse_view v;
    if (cg_sparse_view(c, n, &v, d))
        return -1;
    sparse_conv_plan p;
    sparse_conv_plan_make(c->g, cg, &p);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    int64_t npos = p.positions;
    spmm_open(c, n, &v, npos);
    cg_printf(b, ",\n                   .b = x0, .ldb = %lld, .b_cs = 1, .c = y0, .ldc = %lld, .c_cs = 1",
              (long long)npos, (long long)npos);
    residual_fields(b, n, npos, 1);
    cg_printf(b, "};\n");
    if (p.pointwise)
        emit_conv_pointwise(b, n, cg, npos);
    else
        emit_conv_bands(b, n, cg, &p, v.cols);
    cg_kernel_end(c);
    return 0;
}

/* Gemm/MatMul: per product, K x M activations and N x M results (rows of
 * C are output features, columns the activations' rows). */
int emit_product_sparse(cg_ctx *c, const ir_node *n, diag *d)
{
    if (cg_runtime_require(c, n, d))
        return -1;
    if (n->sparse == IR_SPARSE_UNROLLED)
        return emit_product_unrolled(c, n, d);
    sparse_view v;
    if (cg_sparse_view(c, n, &v, d))
        return -1;
    const ir_tensor *x = &c->g->tensors[n->inputs[0]];
    int r = x->shape.rank;
    /* Transposed: X^T [..., K, M]; else X [..., M, K]. */
    int64_t m = x->shape.dims[n->transposed ? r - 1 : r - 2];
    int64_t k = v.cols, nn = v.rows;
    int64_t batches = ir_shape_numel(&x->shape) / (m * k);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    spmm_open(c, n, &v, m);
    if (n->transposed)
        cg_printf(b, ",\n                   .b = x0, .ldb = %lld, .b_cs = 1, .c = y0, .ldc = %lld, .c_cs = 1",
                  (long long)m, (long long)m);
    else
        cg_printf(b, ",\n                   .b = x0, .ldb = 1, .b_cs = %lld, .c = y0, .ldc = 1, .c_cs = %lld",
                  (long long)k, (long long)nn);
    residual_fields(b, n, n->transposed ? m : 1, n->transposed ? 1 : nn);
    cg_printf(b, "};\n");
    if (batches == 1) {
        cg_printf(b, "    scnn_spmm_f32(&s);\n");
    } else {
        cg_printf(b, "    for (ptrdiff_t t = 0; t < %lld; t++) {\n"
                     "        s.b = x0 + t * %lld;\n        s.c = y0 + t * %lld;\n",
                  (long long)batches, (long long)(m * k), (long long)(m * nn));
        if (n->residual)
            cg_printf(b, "        s.residual = x%d + t * %lld;\n", n->residual, (long long)(m * nn));
        cg_printf(b, "        scnn_spmm_f32(&s);\n    }\n");
    }
    cg_kernel_end(c);
    return 0;
}
