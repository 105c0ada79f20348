/* Gemm and MatMul: C emitters. Both become calls of runtime/ helpers with
 * the shapes as constants: the blocked product (runtime/gemm_f32.c, B
 * packed from wherever it lies, transposed or not) or, for one or two rows
 * of A, the row kernel that reads B in place. */
#include <string.h>

#include "../../passes/ops/conv_gemm.h"
#include "emit_gemm_runtime.h"

/* Writes "base[index]", index being "i * row_step + j" without the terms
 * of broadcast axes (row_step 0, col_step 0). */
static void index_expr(cg_buf *b, const char *base, int64_t row_step, int64_t col_step)
{
    cg_printf(b, "%s[", base);
    if (row_step && col_step)
        cg_printf(b, "i * %lld + j", (long long)row_step);
    else if (row_step)
        cg_printf(b, "i * %lld", (long long)row_step);
    else if (col_step)
        cg_printf(b, "j");
    else
        cg_printf(b, "0");
    cg_printf(b, "]");
}

/* Y = beta * C, C broadcast to m x n (Gemm's third input, x2). */
static void emit_gemm_c(cg_buf *b, const ir_tensor *ct, float beta, int64_t m, int64_t n)
{
    const ir_shape *s = &ct->shape;
    int64_t rows = s->rank == 2 ? s->dims[0] : 1, cols = s->rank >= 1 ? s->dims[s->rank - 1] : 1;
    cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n"
                 "        for (ptrdiff_t j = 0; j < %lld; j++)\n"
                 "            y0[i * %lld + j] = ",
              (long long)m, (long long)n, (long long)n);
    if (beta != 1.0f) {
        cg_float(b, beta);
        cg_printf(b, " * ");
    }
    index_expr(b, "x2", rows > 1 ? cols : 0, cols > 1 ? 1 : 0);
    cg_printf(b, ";\n");
}

static int emit_gemm(cg_ctx *c, const ir_node *n, diag *d)
{
    if (n->sparse != IR_SPARSE_NONE)
        return emit_product_sparse(c, n, d);
    const ir_graph *g = c->g;
    const ir_tensor *a = &g->tensors[n->inputs[0]], *bt = &g->tensors[n->inputs[1]];
    const ir_tensor *ct = n->n_inputs > 2 && n->inputs[2] >= 0 ? &g->tensors[n->inputs[2]] : NULL;
    int ta = ir_attr_int(n, "transA", 0) != 0, tb = ir_attr_int(n, "transB", 0) != 0;
    float alpha = ir_attr_float(n, "alpha", 1.0f), beta = ir_attr_float(n, "beta", 1.0f);
    int64_t m = a->shape.dims[ta], k = a->shape.dims[1 - ta], nn = bt->shape.dims[1 - tb];
    /* B[p][j]: rows of B are contiguous unless it is stored transposed. */
    int64_t b_rs = tb ? 1 : nn, b_cs = tb ? k : 1;
    if (cg_runtime_require(c, n, d))
        return -1;
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    if (n->kernel == GEMM_K_ROWVEC) {
        cg_printf(b, "    const scnn_rowvec s = {.n = %lld, .k = %lld, .b = x1, .b_rs = %lld, .b_cs = %lld,\n"
                     "                           .alpha = ",
                  (long long)nn, (long long)k, (long long)b_rs, (long long)b_cs);
        cg_float(b, alpha);
        cg_printf(b, ", .accumulate = %d, ", ct != NULL);
        cg_clamp_fields(b, n);
        cg_printf(b, "};\n");
        if (ct)
            emit_gemm_c(b, ct, beta, m, nn);
        cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n"
                     "        scnn_rowvec_f32(&s, x0 + i * %lld, y0 + i * %lld);\n",
                  (long long)m, (long long)k, (long long)nn);
    } else {
        gemm_blocking gb;
        gemm_node_blocking(g, n, &gb);
        cg_printf(b, "    float *work = (float *)(void *)scratch;\n"
                     "    const scnn_matrix src = {x1, %lld, %lld};\n"
                     "    const scnn_gemm g = {.m = %lld, .n = %lld, .k = %lld, .a = x0, .a_rs = %lld, "
                     ".a_cs = %lld,\n                         .alpha = ",
                  (long long)b_rs, (long long)b_cs, (long long)m, (long long)nn, (long long)k,
                  (long long)(ta ? 1 : k), (long long)(ta ? m : 1));
        cg_float(b, alpha);
        cg_printf(b, ", .c = y0, .ldc = %lld, .accumulate = %d, .bias = NULL,\n                         ",
                  (long long)nn, ct != NULL);
        cg_clamp_fields(b, n);
        cg_printf(b, ", .kc = %d, .nc = %d};\n", gb.kc, gb.nc);
        if (ct)
            emit_gemm_c(b, ct, beta, m, nn);
        cg_printf(b, "    scnn_gemm_f32(&g, &src, NULL, work);\n");
    }
    cg_kernel_end(c);
    return 0;
}

/* Opens the loop over a MatMul's products and sets ao and bo, the element
 * offsets of its A and B, from the product index t. */
static void open_batches(cg_buf *b, const matmul_plan *p)
{
    if (p->batches == 1)
        return;
    cg_printf(b, "    for (ptrdiff_t t = 0; t < %lld; t++) {\n"
                 "        ptrdiff_t rest = t, ao = 0, bo = 0, q;\n",
              (long long)p->batches);
    for (int i = p->nb - 1; i >= 0; i--) {
        cg_printf(b, "        q = rest %% %lld;\n        rest /= %lld;\n", (long long)p->dims[i],
                  (long long)p->dims[i]);
        if (p->a_step[i])
            cg_printf(b, "        ao += q * %lld;\n", (long long)p->a_step[i]);
        if (p->b_step[i])
            cg_printf(b, "        bo += q * %lld;\n", (long long)p->b_step[i]);
    }
    cg_printf(b, "        (void)rest;\n");
}

static int emit_matmul(cg_ctx *c, const ir_node *n, diag *d)
{
    if (n->sparse != IR_SPARSE_NONE)
        return emit_product_sparse(c, n, d);
    matmul_plan p;
    matmul_plan_make(c->g, n, &p);
    if (cg_runtime_require(c, n, d))
        return -1;
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    int many = p.batches > 1;
    const char *ind = many ? "    " : "";
    if (n->kernel == GEMM_K_ROWVEC) {
        cg_printf(b, "    scnn_rowvec s = {.n = %lld, .k = %lld, .b = x1, .b_rs = %lld, .b_cs = 1, "
                     ".alpha = 1.0f,\n                     .accumulate = 0, ",
                  (long long)p.n, (long long)p.k, (long long)p.n);
        cg_clamp_fields(b, n);
        cg_printf(b, "};\n");
        open_batches(b, &p);
        if (many)
            cg_printf(b, "        s.b = x1 + bo;\n");
        cg_printf(b, "%s    for (ptrdiff_t i = 0; i < %lld; i++)\n", ind, (long long)p.m);
        if (many)
            cg_printf(b, "            scnn_rowvec_f32(&s, x0 + ao + i * %lld, y0 + t * %lld + i * %lld);\n",
                      (long long)p.k, (long long)(p.m * p.n), (long long)p.n);
        else
            cg_printf(b, "        scnn_rowvec_f32(&s, x0 + i * %lld, y0 + i * %lld);\n",
                      (long long)p.k, (long long)p.n);
    } else {
        gemm_blocking gb;
        gemm_node_blocking(c->g, n, &gb);
        cg_printf(b, "    float *work = (float *)(void *)scratch;\n"
                     "    scnn_matrix src = {x1, %lld, 1};\n"
                     "    scnn_gemm g = {.m = %lld, .n = %lld, .k = %lld, .a = x0, .a_rs = %lld, .a_cs = 1,\n"
                     "                   .alpha = 1.0f, .c = y0, .ldc = %lld, .accumulate = 0, .bias = NULL,\n"
                     "                   ",
                  (long long)p.n, (long long)p.m, (long long)p.n, (long long)p.k, (long long)p.k,
                  (long long)p.n);
        cg_clamp_fields(b, n);
        cg_printf(b, ", .kc = %d, .nc = %d};\n", gb.kc, gb.nc);
        open_batches(b, &p);
        if (many)
            cg_printf(b, "        g.a = x0 + ao;\n        src.p = x1 + bo;\n"
                         "        g.c = y0 + t * %lld;\n",
                      (long long)(p.m * p.n));
        cg_printf(b, "%s    scnn_gemm_f32(&g, &src, NULL, work);\n", ind);
    }
    if (many)
        cg_printf(b, "    }\n");
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_gemm[] = {
    {"Gemm", emit_gemm},
    {"MatMul", emit_matmul},
    {NULL, NULL},
};
