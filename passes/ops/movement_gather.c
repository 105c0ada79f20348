/* Gather and GatherElements: copies chosen by an index tensor, which may be
 * a constant (checked here) or computed at run time (the generated code then
 * keeps out-of-range indices inside the tensor). */
#include <string.h>

#include "movement.h"

int mv_gather_axis(const ir_graph *g, const ir_node *n)
{
    return op_axis(ir_attr_int(n, "axis", 0), mv_in(g, n, 0)->shape.rank);
}

/* Common checks: types, the axis, and constant indices within [-dim, dim). */
static int gather_check(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (op_need_input(g, n, 0, d) || op_need_input(g, n, 1, d) || mv_need_output(g, n, d) ||
        op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    if (mv_check_dtype(n, x, d))
        return -1;
    if (ind->dtype != IR_INT32 && ind->dtype != IR_INT64)
        return diag_node(d, n->name, n->op, "indices must be int32 or int64, not %s",
                         ir_dtype_name(ind->dtype));
    int axis = mv_gather_axis(g, n);
    if (axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)ir_attr_int(n, "axis", 0), x->shape.rank);
    int64_t dim = x->shape.dims[axis];
    if (dim == 0 && ir_tensor_numel(ind) > 0)
        return diag_node(d, n->name, n->op, "cannot take indices from an empty axis");
    for (int64_t i = 0; ind->data && i < ir_tensor_numel(ind); i++) {
        int64_t v = ir_data_get_int(ind->dtype, ind->data, i);
        if (v < -dim || v >= dim)
            return diag_node(d, n->name, n->op, "index %lld is out of range for an axis of %lld",
                             (long long)v, (long long)dim);
    }
    return 0;
}

static int64_t norm_index(const ir_tensor *ind, int64_t i, int64_t dim)
{
    int64_t v = ir_data_get_int(ind->dtype, ind->data, i);
    return v < 0 ? v + dim : v;
}

/* ---- Gather: out[a, j..., b] = data[a, indices[j...], b] ------------------ */

int mv_infer_gather(ir_graph *g, ir_node *n, diag *d)
{
    if (gather_check(g, n, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    int axis = mv_gather_axis(g, n);
    if (x->shape.rank - 1 + ind->shape.rank > IR_MAX_RANK)
        return diag_node(d, n->name, n->op, "the output would have rank above %d", IR_MAX_RANK);
    ir_shape s = {.rank = 0};
    for (int k = 0; k < axis; k++)
        s.dims[s.rank++] = x->shape.dims[k];
    for (int k = 0; k < ind->shape.rank; k++)
        s.dims[s.rank++] = ind->shape.dims[k];
    for (int k = axis + 1; k < x->shape.rank; k++)
        s.dims[s.rank++] = x->shape.dims[k];
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Starts folding a gather with constant data and indices: 1 when the
 * output's data is allocated, 0 when it is not folded (an input not
 * constant, or too large), -1 on error. */
static int fold_begin(ir_graph *g, ir_node *n, diag *d)
{
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!ir_node_in(g, n, 0)->data || !ir_node_in(g, n, 1)->data || !mv_fold_small(g, n))
        return 0;
    if (ir_tensor_set_const(y, y->dtype, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    return 1;
}

int mv_eval_gather(ir_graph *g, ir_node *n, diag *d)
{
    int rc = fold_begin(g, n, d);
    if (rc != 1)
        return rc;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    ir_tensor *y = ir_node_out(g, n, 0);
    int axis = mv_gather_axis(g, n);
    int64_t outer = 1, inner = 1, dim = x->shape.dims[axis], count = ir_tensor_numel(ind);
    for (int k = 0; k < axis; k++)
        outer *= x->shape.dims[k];
    for (int k = axis + 1; k < x->shape.rank; k++)
        inner *= x->shape.dims[k];
    size_t block = (size_t)inner * ir_dtype_size(x->dtype);
    unsigned char *dst = y->data;
    const unsigned char *src = x->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < count; j++, dst += block)
            memcpy(dst, src + (size_t)(o * dim + norm_index(ind, j, dim)) * block, block);
    return 1;
}

/* ---- GatherElements: out[i] = data[i with i[axis] = indices[i]] ----------- */

int mv_infer_gather_elements(ir_graph *g, ir_node *n, diag *d)
{
    if (gather_check(g, n, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    int axis = mv_gather_axis(g, n);
    if (ind->shape.rank != x->shape.rank)
        return diag_node(d, n->name, n->op, "indices must have the rank of data (%d), not %d",
                         x->shape.rank, ind->shape.rank);
    for (int k = 0; k < x->shape.rank; k++)
        if (k != axis && ind->shape.dims[k] > x->shape.dims[k])
            return diag_node(d, n->name, n->op,
                             "indices axis %d has %lld elements, data only %lld", k,
                             (long long)ind->shape.dims[k], (long long)x->shape.dims[k]);
    op_set_output(g, n, 0, x->dtype, &ind->shape);
    return 0;
}

int mv_eval_gather_elements(ir_graph *g, ir_node *n, diag *d)
{
    int rc = fold_begin(g, n, d);
    if (rc != 1)
        return rc;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    ir_tensor *y = ir_node_out(g, n, 0);
    int axis = mv_gather_axis(g, n), r = x->shape.rank;
    int64_t xs[IR_MAX_RANK], idx[IR_MAX_RANK] = {0}, count = ir_tensor_numel(ind);
    size_t es = ir_dtype_size(x->dtype);
    mv_strides(&x->shape, xs);
    for (int64_t e = 0; e < count; e++) {
        int64_t off = 0;
        for (int k = 0; k < r; k++)
            off += (k == axis ? norm_index(ind, e, x->shape.dims[axis]) : idx[k]) * xs[k];
        memcpy((unsigned char *)y->data + (size_t)e * es,
               (const unsigned char *)x->data + (size_t)off * es, es);
        for (int k = r - 1; k >= 0 && ++idx[k] == ind->shape.dims[k]; k--)
            idx[k] = 0;
    }
    return 1;
}
