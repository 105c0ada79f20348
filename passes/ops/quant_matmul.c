/* QLinearMatMul and MatMulInteger: compile-time semantics. numpy matmul
 * (1-D operands promoted, batch axes broadcast) of int8/uint8 operands
 * with int32 accumulation; MatMulInteger returns the int32 sums,
 * QLinearMatMul requantizes them (quant.h). Zero points and scales of A
 * and of the output are per tensor; B's may be per column (1-D of N
 * values). Per-row zero points of A are refused. */
#include <string.h>

#include "quant.h"

/* Batch axes of an operand: all but the last two (one for a vector). */
static void batch_shape(const ir_shape *s, ir_shape *out)
{
    out->rank = s->rank > 2 ? s->rank - 2 : 0;
    for (int i = 0; i < out->rank; i++)
        out->dims[i] = s->dims[i];
}

static int check_extent(const ir_node *n, const char *what, int64_t v, diag *d)
{
    if (v > CONV_GEMM_MAX_EXTENT)
        return diag_node(d, n->name, n->op, "%s of %lld elements is larger than supported (%lld)",
                         what, (long long)v, (long long)CONV_GEMM_MAX_EXTENT);
    if (v < 1)
        return diag_node(d, n->name, n->op, "empty operands are not supported");
    return 0;
}

/* Zero points and scales; *out receives the output's element type. */
static int check_params(ir_graph *g, ir_node *n, const quant_roles *r, int64_t cols,
                        ir_dtype *out, diag *d)
{
    const ir_tensor *a = ir_node_in(g, n, r->x), *b = ir_node_in(g, n, r->w);
    *out = IR_INT32;
    if (!quant_requantizes(n))
        return quant_need_scalar(g, n, r->x_zp, a->dtype, "A's zero point", d) ||
                       quant_need_vector(g, n, r->w_zp, b->dtype, cols, "B's zero point", d)
                   ? -1
                   : 0;
    /* QLinearMatMul: every input is required. */
    for (int i = 0; i < 8; i++)
        if (op_need_input(g, n, i, d))
            return -1;
    if (quant_need_8bit(g, n, r->y_zp, "the output zero point", d))
        return -1;
    *out = ir_node_in(g, n, r->y_zp)->dtype;
    if (quant_need_scalar(g, n, r->x_scale, IR_FLOAT, "a_scale", d) ||
        quant_need_scalar(g, n, r->x_zp, a->dtype, "a_zero_point", d) ||
        quant_need_vector(g, n, r->w_scale, IR_FLOAT, cols, "b_scale", d) ||
        quant_need_vector(g, n, r->w_zp, b->dtype, cols, "b_zero_point", d) ||
        quant_need_scalar(g, n, r->y_scale, IR_FLOAT, "y_scale", d) ||
        quant_need_scalar(g, n, r->y_zp, *out, "y_zero_point", d))
        return -1;
    return 0;
}

int qmm_infer(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    quant_roles r;
    quant_roles_of(n, &r);
    if (op_known_attrs(n, attrs, d) || quant_need_8bit(g, n, r.x, "A", d) ||
        quant_need_8bit(g, n, r.w, "B", d))
        return -1;
    const ir_shape *as = &ir_node_in(g, n, r.x)->shape, *bs = &ir_node_in(g, n, r.w)->shape;
    if (as->rank < 1 || bs->rank < 1)
        return diag_node(d, n->name, n->op, "scalar operands are not allowed");
    int64_t k = as->dims[as->rank - 1], kb = bs->dims[bs->rank > 1 ? bs->rank - 2 : 0];
    int64_t cols = bs->rank > 1 ? bs->dims[bs->rank - 1] : 1;
    if (k != kb)
        return diag_node(d, n->name, n->op, "A has %lld columns, B %lld rows", (long long)k,
                         (long long)kb);
    ir_shape ba, bb, ys;
    batch_shape(as, &ba);
    batch_shape(bs, &bb);
    if (op_broadcast(&ba, &bb, &ys))
        return diag_node(d, n->name, n->op, "the batch axes of A and B do not broadcast");
    int64_t batch = ir_shape_numel(&ys);
    if (as->rank > 1)
        ys.dims[ys.rank++] = as->dims[as->rank - 2];
    if (bs->rank > 1)
        ys.dims[ys.rank++] = cols;
    if (k > QUANT_MAX_DEPTH)
        return diag_node(d, n->name, n->op, "a depth of %lld could overflow the int32 sums; at "
                         "most %d is supported", (long long)k, QUANT_MAX_DEPTH);
    ir_dtype out;
    if (check_extent(n, "A", ir_shape_numel(as), d) || check_extent(n, "B", ir_shape_numel(bs), d) ||
        check_extent(n, "Y", ir_shape_numel(&ys), d) || check_extent(n, "the batch", batch, d) ||
        check_params(g, n, &r, cols, &out, d))
        return -1;
    op_set_output(g, n, 0, out, &ys);
    return 0;
}

void qmm_plan_make(const ir_graph *g, const ir_node *n, qmm_plan *p)
{
    quant_roles r;
    quant_roles_of(n, &r);
    matmul_plan mp;
    matmul_plan_shapes(&g->tensors[n->inputs[r.x]].shape, &g->tensors[n->inputs[r.w]].shape,
                       &mp);
    p->m = mp.m;
    p->n = mp.n;
    p->k = mp.k;
    p->batches = mp.batches;
    p->nb = mp.nb;
    memcpy(p->dims, mp.dims, sizeof p->dims);
    memcpy(p->a_step, mp.a_step, sizeof p->a_step);
    memcpy(p->b_step, mp.b_step, sizeof p->b_step);
    p->kernel = p->m >= QMM_DOT_MIN_ROWS && p->k >= QCONV_DOT_MIN_TAPS ? QMM_K_DOT : QMM_K_AXPY;
    if (p->kernel == QMM_K_AXPY) {
        p->tile_cols = p->n;
        p->bt_bytes = 0;
        p->scratch_bytes = p->n * 4;
        return;
    }
    /* As many columns as QCONV_TILE_BYTES holds, at least four. */
    int64_t fit = QCONV_TILE_BYTES / (2 * p->k);
    p->tile_cols = fit < 4 ? 4 : fit;
    p->tile_cols = p->tile_cols < p->n ? p->tile_cols : p->n;
    p->bt_bytes = (p->tile_cols * p->k * 2 + 15) / 16 * 16;
    p->scratch_bytes = p->bt_bytes + 2 * p->k * 2;
}

int64_t qmm_macs(const ir_graph *g, const ir_node *n)
{
    if (!g->tensors[n->outputs[0]].has_shape)
        return 0;
    qmm_plan p;
    qmm_plan_make(g, n, &p);
    return p.batches * p.m * p.n * p.k;
}

void qmm_select(ir_graph *g, ir_node *n)
{
    if (!g->tensors[n->outputs[0]].has_shape)
        return;
    qmm_plan p;
    qmm_plan_make(g, n, &p);
    n->kernel = p.kernel;
    n->scratch_bytes = p.scratch_bytes;
}
