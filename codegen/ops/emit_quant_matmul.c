/* QLinearMatMul and MatMulInteger: C emitters (quant.h's qmm_plan).
 *   QMM_K_DOT   per product, B is transposed to int16 (minus its zero
 *               point) a tile of columns at a time, and rows of A (minus
 *               theirs) two at a time; emit_quant_dot.c forms the sums as
 *               blocks of dot products.
 *   QMM_K_AXPY  per row of A, the sums of a whole output row are built in
 *               scratch by an inner loop over B's contiguous row (one A
 *               value times N values of B). B's zero point is taken out
 *               afterwards with the row sum of A:
 *               sum((a - za) * (b - zb)) = sum((a - za) * b) - zb * sum(a - za).
 * Both inner loops vectorize; no sum can overflow (QUANT_MAX_DEPTH). */
#include <stdio.h>
#include <string.h>

#include "../../passes/ops/quant.h"
#include "emit_quant.h"

static const ir_tensor *input(const ir_graph *g, const ir_node *n, int i)
{
    return i >= 0 && i < n->n_inputs && n->inputs[i] >= 0 ? &g->tensors[n->inputs[i]] : NULL;
}

/* The zero point can be nonzero: present, and not a constant of zeros. */
static int maybe_nonzero(const ir_tensor *z)
{
    if (!z)
        return 0;
    if (!z->data)
        return 1;
    for (int64_t i = 0; i < ir_tensor_numel(z); i++)
        if (ir_data_get_int(z->dtype, z->data, i) != 0)
            return 1;
    return 0;
}

/* Opens the loop over the products (when there are several) and defines
 * a, bm and y, the operands and the result of product t. Returns the
 * indentation of the body. */
static const char *open_batches(cg_buf *b, const qmm_plan *p, const quant_roles *r,
                                const char *at, const char *bt, const char *yt)
{
    if (p->batches == 1) {
        cg_printf(b, "    const %s *a = x%d;\n    const %s *bm = x%d;\n    %s *y = y0;\n", at,
                  r->x, bt, r->w, yt);
        return "    ";
    }
    cg_printf(b, "    for (ptrdiff_t t = 0; t < %lld; t++) {\n"
                 "        ptrdiff_t rest = t, ao = 0, bo = 0;\n",
              (long long)p->batches);
    /* The index over the varying batch axes, last axis fastest. */
    for (int j = p->nb - 1; j >= 0; j--) {
        cg_printf(b, "        {\n            const ptrdiff_t q = rest %% %lld;\n",
                  (long long)p->dims[j]);
        if (j > 0)
            cg_printf(b, "            rest /= %lld;\n", (long long)p->dims[j]);
        if (p->a_step[j])
            cg_printf(b, "            ao += q * %lld;\n", (long long)p->a_step[j]);
        if (p->b_step[j])
            cg_printf(b, "            bo += q * %lld;\n", (long long)p->b_step[j]);
        cg_printf(b, "            (void)q;\n        }\n");
    }
    cg_printf(b, "        (void)rest;\n"
                 "        const %s *a = x%d + ao;\n        const %s *bm = x%d + bo;\n"
                 "        %s *y = y0 + t * %lld;\n",
              at, r->x, bt, r->w, yt, (long long)(p->m * p->n));
    return "        ";
}

/* What the stores need to know. */
typedef struct mm_ctx {
    const qmm_plan *p;
    quant_roles r;
    ir_dtype yt;
    int rq, per_col_scale;
} mm_ctx;

/* The statements that turn sum (an int32 expression) into dst; col is
 * the output column (for a scale per column). */
static void write_output(cg_buf *b, const mm_ctx *s, const char *ind, const char *sum,
                         const char *dst, const char *col)
{
    if (!s->rq) {
        cg_printf(b, "%s%s = %s;\n", ind, dst, sum);
        return;
    }
    /* m = (as * bs) / ys in float32, in this order, as ONNX Runtime. */
    if (s->per_col_scale)
        cg_printf(b, "%sconst float abc = as * x%d[%s];\n%sconst float mc = abc / ys;\n"
                     "%sconst float v = (float)%s * mc;\n",
                  ind, s->r.w_scale, col, ind, ind, sum);
    else
        cg_printf(b, "%sconst float v = (float)%s * m;\n", ind, sum);
    qe_store_rounded(b, ind, s->yt, "v", "yz", dst);
}

static void emit_axpy(cg_buf *b, const mm_ctx *s, const char *ind, const char *bt, int correct,
                      int per_col_zp)
{
    const qmm_plan *p = s->p;
    long long m = (long long)p->m, cols = (long long)p->n, k = (long long)p->k;
    cg_printf(b, "%sfor (ptrdiff_t i = 0; i < %lld; i++) {\n", ind, m);
    if (correct)
        cg_printf(b, "%s    int32_t rs = 0;\n", ind);
    cg_printf(b, "%s    for (ptrdiff_t j = 0; j < %lld; j++)\n%s        acc[j] = 0;\n"
                 "%s    for (ptrdiff_t k = 0; k < %lld; k++) {\n"
                 "%s        const int32_t av = (int32_t)a[i * %lld + k] - az;\n"
                 "%s        const %s *br = bm + k * %lld;\n",
              ind, cols, ind, ind, k, ind, k, ind, bt, cols);
    if (correct)
        cg_printf(b, "%s        rs += av;\n", ind);
    cg_printf(b, "%s        for (ptrdiff_t j = 0; j < %lld; j++)\n"
                 "%s            acc[j] += av * br[j];\n%s    }\n"
                 "%s    for (ptrdiff_t j = 0; j < %lld; j++) {\n",
              ind, cols, ind, ind, ind, cols);
    char sum[96], in2[48], dst[64];
    if (!correct)
        snprintf(sum, sizeof sum, "acc[j]");
    else if (per_col_zp)
        snprintf(sum, sizeof sum, "(acc[j] - (int32_t)x%d[j] * rs)", s->r.w_zp);
    else
        snprintf(sum, sizeof sum, "(acc[j] - bz * rs)");
    snprintf(in2, sizeof in2, "%s        ", ind);
    snprintf(dst, sizeof dst, "y[i * %lld + j]", cols);
    write_output(b, s, in2, sum, dst, "j");
    cg_printf(b, "%s    }\n%s}\n", ind, ind);
}

/* " + v", or nothing for 0. */
static const char *plus(char *buf, size_t size, long long v)
{
    if (v)
        snprintf(buf, size, " + %lld", v);
    else
        buf[0] = 0;
    return buf;
}

static void dot_load_rows(cg_buf *b, const char *ind, int count, const void *ctx)
{
    const mm_ctx *s = ctx;
    long long k = (long long)s->p->k;
    char p1[32], p2[32];
    for (int i = 0; i < count; i++)
        cg_printf(b, "%sfor (ptrdiff_t k = 0; k < %lld; k++)\n"
                     "%s    wq[k%s] = (int16_t)((int32_t)a[(qi%s) * %lld + k] - az);\n",
                  ind, k, ind, plus(p1, sizeof p1, i * k), plus(p2, sizeof p2, i), k);
}

static void dot_store(cg_buf *b, const char *ind, int i, int j, const char *sum, const void *ctx)
{
    const mm_ctx *s = ctx;
    char dst[128], col[64], in2[48], pi[32], pj[32];
    snprintf(dst, sizeof dst, "y[(qi%s) * %lld + n0 + qj%s]", plus(pi, sizeof pi, i),
             (long long)s->p->n, plus(pj, sizeof pj, j));
    snprintf(col, sizeof col, "n0 + qj%s", pj);
    snprintf(in2, sizeof in2, "%s    ", ind);
    if (!s->rq) {
        write_output(b, s, ind, sum, dst, col);
        return;
    }
    cg_printf(b, "%s{\n", ind); /* each store's temporaries in their own scope */
    write_output(b, s, in2, sum, dst, col);
    cg_printf(b, "%s}\n", ind);
}

/* One tile of ncols columns from n0: B's columns transposed, then the
 * dot products. */
static void dot_tile(cg_buf *b, const mm_ctx *s, const char *ind, int64_t ncols, int per_col_zp)
{
    const qmm_plan *p = s->p;
    long long k = (long long)p->k;
    char bz[48];
    if (per_col_zp)
        snprintf(bz, sizeof bz, "(int32_t)x%d[n0 + j]", s->r.w_zp);
    else
        snprintf(bz, sizeof bz, "bz");
    cg_printf(b, "%sfor (ptrdiff_t k = 0; k < %lld; k++)\n"
                 "%s    for (ptrdiff_t j = 0; j < %lld; j++)\n"
                 "%s        bt[j * %lld + k] = (int16_t)((int32_t)bm[k * %lld + n0 + j] - %s);\n",
              ind, k, ind, (long long)ncols, ind, k, (long long)p->n, bz);
    qe_dot q = {.rows = p->m, .cols = ncols, .depth = p->k, .rb = 2, .cb = 2, .row_buf = "wq",
                .col_buf = "bt", .load_rows = dot_load_rows, .store = dot_store, .ctx = s};
    qe_dot_emit(b, ind, &q);
}

static void emit_dot(cg_buf *b, const mm_ctx *s, const char *ind, int per_col_zp)
{
    const qmm_plan *p = s->p;
    int64_t nb = p->tile_cols, nmain = p->n - p->n % nb;
    char in2[48];
    snprintf(in2, sizeof in2, "%s    ", ind);
    if (nmain > nb)
        cg_printf(b, "%sfor (ptrdiff_t n0 = 0; n0 < %lld; n0 += %lld) {\n", ind, (long long)nmain,
                  (long long)nb);
    else
        cg_printf(b, "%s{\n%s    const ptrdiff_t n0 = 0;\n", ind, ind);
    dot_tile(b, s, in2, nb, per_col_zp);
    cg_printf(b, "%s}\n", ind);
    if (p->n % nb) {
        cg_printf(b, "%s{\n%s    const ptrdiff_t n0 = %lld;\n", ind, ind, (long long)nmain);
        dot_tile(b, s, in2, p->n % nb, per_col_zp);
        cg_printf(b, "%s}\n", ind);
    }
}

int emit_qmm(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_graph *g = c->g;
    if (n->act != IR_ACT_NONE)
        return diag_node(d, n->name, n->op, "a fused activation is not supported here");
    qmm_plan p;
    qmm_plan_make(g, n, &p);
    mm_ctx s = {.p = &p, .yt = g->tensors[n->outputs[0]].dtype, .rq = quant_requantizes(n)};
    quant_roles_of(n, &s.r);
    const ir_tensor *bz = input(g, n, s.r.w_zp), *bs = s.rq ? input(g, n, s.r.w_scale) : NULL;
    int per_col_zp = bz && ir_tensor_numel(bz) > 1;
    s.per_col_scale = bs && ir_tensor_numel(bs) > 1;
    int dot = p.kernel == QMM_K_DOT;
    int correct = maybe_nonzero(bz); /* QMM_K_AXPY takes B's zero point out */
    const char *at = ir_dtype_ctype(g->tensors[n->inputs[s.r.x]].dtype),
               *bt = ir_dtype_ctype(g->tensors[n->inputs[s.r.w]].dtype);
    qe_require_helpers(c, n);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    if (dot)
        cg_printf(b, "    int16_t *bt = (int16_t *)(void *)scratch;\n"
                     "    int16_t *wq = (int16_t *)(void *)(scratch + %lld);\n",
                  (long long)p.bt_bytes);
    else
        cg_printf(b, "    int32_t *acc = (int32_t *)(void *)scratch;\n");
    qe_param(c, n, s.r.x_zp, "const int32_t az");
    if (!per_col_zp)
        qe_param(c, n, s.r.w_zp, "const int32_t bz");
    if (s.rq) {
        qe_param(c, n, s.r.x_scale, "const float as");
        if (!s.per_col_scale)
            qe_param(c, n, s.r.w_scale, "const float bs");
        qe_param(c, n, s.r.y_scale, "const float ys");
        qe_param(c, n, s.r.y_zp, "const int32_t yz");
        if (!s.per_col_scale)
            cg_printf(b, "    const float ab = as * bs;\n    const float m = ab / ys;\n");
        qe_bounds(b, "    ", s.yt, "yz");
    }
    if (!dot && !correct && per_col_zp) /* a constant of zeros */
        cg_printf(b, "    (void)x%d;\n", s.r.w_zp);
    else if (!dot && !correct)
        cg_printf(b, "    (void)bz;\n");
    const char *ind = open_batches(b, &p, &s.r, at, bt, ir_dtype_ctype(s.yt));
    if (dot)
        emit_dot(b, &s, ind, per_col_zp);
    else
        emit_axpy(b, &s, ind, bt, correct, per_col_zp);
    if (p.batches > 1)
        cg_printf(b, "    }\n");
    cg_kernel_end(c);
    return 0;
}
