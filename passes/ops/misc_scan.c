/* CumSum, Trilu, ReverseSequence and OneHot: operators whose output shape
 * follows from the input shapes alone, so that their other inputs (the
 * CumSum axis, the Trilu diagonal, the sequence lengths, the OneHot values)
 * may be computed at run time. OneHot's depth is its output's extent and
 * must be a constant. */
#include <math.h>
#include <string.h>

#include "misc.h"

/* ---- CumSum ------------------------------------------------------------------ */

int misc_cumsum_axis(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]], *t = &g->tensors[n->inputs[1]];
    if (!t->data)
        return x->shape.rank == 1 ? 0 : -1;
    return op_axis(ir_data_get_int(t->dtype, t->data, 0), x->shape.rank);
}

int misc_infer_cumsum(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"exclusive", "reverse", NULL};
    int flag;
    int64_t axis;
    if (misc_need_io(g, n, 2, 2, d) || op_known_attrs(n, attrs, d) ||
        misc_flag(n, "exclusive", 0, &flag, d) || misc_flag(n, "reverse", 0, &flag, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 0, d))
        return -1;
    if (x->shape.rank < 1)
        return diag_node(d, n->name, n->op, "the input must have rank 1 or more");
    int rc = misc_scalar_int(g, n, 1, "axis", &axis, d);
    if (rc < 0)
        return -1;
    if (rc == 1 && op_axis(axis, x->shape.rank) < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis, x->shape.rank);
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_cumsum(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (!x->data || !ir_node_in(g, n, 1)->data || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int axis = misc_cumsum_axis(g, n);
    int excl = (int)ir_attr_int(n, "exclusive", 0), rev = (int)ir_attr_int(n, "reverse", 0);
    int64_t outer = misc_prod(&x->shape, 0, axis), dim = x->shape.dims[axis];
    int64_t inner = misc_prod(&x->shape, axis + 1, x->shape.rank);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t s = 0; s < dim; s++) {
            int64_t j = rev ? dim - 1 - s : s, prev = rev ? j + 1 : j - 1;
            int64_t base = o * dim * inner;
            for (int64_t i = 0; i < inner; i++) {
                int64_t at = base + j * inner + i;
                if (s > 0) {
                    misc_combine(y->dtype, y->data, at, y->data, base + prev * inner + i,
                                 MISC_NONE);
                    if (excl)
                        misc_combine(y->dtype, y->data, at, x->data, base + prev * inner + i,
                                     MISC_ADD);
                }
                if (!excl)
                    misc_combine(y->dtype, y->data, at, x->data, at, s > 0 ? MISC_ADD : MISC_NONE);
            }
        }
    return 1;
}

/* ---- Trilu -------------------------------------------------------------------- */

int misc_infer_trilu(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"upper", NULL};
    int upper;
    int64_t k;
    if (misc_need_io(g, n, 1, 2, d) || op_known_attrs(n, attrs, d) ||
        misc_flag(n, "upper", 1, &upper, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_copyable(n, x, d))
        return -1;
    if (x->shape.rank < 2)
        return diag_node(d, n->name, n->op, "the input must have rank 2 or more");
    if (ir_node_in(g, n, 1) && misc_scalar_int(g, n, 1, "k", &k, d) < 0)
        return -1;
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_trilu(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *kt = ir_node_in(g, n, 1);
    if (!x->data || (kt && !kt->data) || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int64_t k = kt ? ir_data_get_int(kt->dtype, kt->data, 0) : 0;
    int upper = (int)ir_attr_int(n, "upper", 1), r = x->shape.rank;
    int64_t rows = x->shape.dims[r - 2], cols = x->shape.dims[r - 1];
    int64_t count = ir_tensor_numel(x);
    for (int64_t e = 0; e < count; e++) {
        int64_t j = e % cols, i = (e / cols) % rows;
        /* j - i and k compared without overflow: |j - i| < 2^62. */
        int keep = upper ? j - i >= k : j - i <= k;
        if (keep)
            misc_combine(y->dtype, y->data, e, x->data, e, MISC_NONE);
    }
    return 1;
}

/* ---- ReverseSequence ------------------------------------------------------------ */

int misc_infer_reverse_sequence(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"batch_axis", "time_axis", NULL};
    if (misc_need_io(g, n, 2, 2, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *len = ir_node_in(g, n, 1);
    if (misc_check_copyable(n, x, d))
        return -1;
    int64_t b = ir_attr_int(n, "batch_axis", 1), t = ir_attr_int(n, "time_axis", 0);
    if (x->shape.rank < 2)
        return diag_node(d, n->name, n->op, "the input must have rank 2 or more");
    if ((b != 0 && b != 1) || (t != 0 && t != 1) || b == t)
        return diag_node(d, n->name, n->op, "batch_axis and time_axis must be 0 and 1 in some "
                         "order (got %lld and %lld)", (long long)b, (long long)t);
    if (len->dtype != IR_INT64)
        return diag_node(d, n->name, n->op, "sequence_lens must be int64, not %s",
                         ir_dtype_name(len->dtype));
    if (len->shape.rank != 1 || len->shape.dims[0] != x->shape.dims[b])
        return diag_node(d, n->name, n->op, "sequence_lens must hold one length per batch "
                         "entry (%lld)", (long long)x->shape.dims[b]);
    for (int64_t i = 0; len->data && i < len->shape.dims[0]; i++) {
        int64_t v = ir_data_get_int(len->dtype, len->data, i);
        if (v < 0 || v > x->shape.dims[t])
            return diag_node(d, n->name, n->op, "sequence length %lld is out of range [0, %lld]",
                             (long long)v, (long long)x->shape.dims[t]);
    }
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_reverse_sequence(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *len = ir_node_in(g, n, 1);
    if (!x->data || !len->data || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int b_axis = (int)ir_attr_int(n, "batch_axis", 1);
    int64_t d0 = x->shape.dims[0], d1 = x->shape.dims[1];
    int64_t inner = misc_prod(&x->shape, 2, x->shape.rank);
    for (int64_t i0 = 0; i0 < d0; i0++)
        for (int64_t i1 = 0; i1 < d1; i1++) {
            int64_t b = b_axis == 0 ? i0 : i1, t = b_axis == 0 ? i1 : i0;
            int64_t l = ir_data_get_int(len->dtype, len->data, b);
            int64_t st = t < l ? l - 1 - t : t;
            int64_t src = b_axis == 0 ? i0 * d1 + st : st * d1 + i1;
            for (int64_t e = 0; e < inner; e++)
                misc_combine(y->dtype, y->data, (i0 * d1 + i1) * inner + e, x->data,
                             src * inner + e, MISC_NONE);
        }
    return 1;
}

/* ---- OneHot --------------------------------------------------------------------- */

void misc_onehot_geometry(const ir_graph *g, const ir_node *n, int *axis, int64_t *depth)
{
    const ir_tensor *ind = &g->tensors[n->inputs[0]], *dt = &g->tensors[n->inputs[1]];
    *axis = op_axis(ir_attr_int(n, "axis", -1), ind->shape.rank + 1);
    *depth = ir_data_get_int(dt->dtype, dt->data, 0);
}

int misc_infer_onehot(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (misc_need_io(g, n, 3, 3, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *ind = ir_node_in(g, n, 0), *dep = ir_node_in(g, n, 1);
    const ir_tensor *val = ir_node_in(g, n, 2);
    if (misc_check_arith(n, ind, 0, d) || misc_check_arith(n, dep, 0, d) ||
        misc_check_copyable(n, val, d))
        return -1;
    if (ind->shape.rank + 1 > IR_MAX_RANK)
        return diag_node(d, n->name, n->op, "the output would have rank above %d", IR_MAX_RANK);
    int axis = op_axis(ir_attr_int(n, "axis", -1), ind->shape.rank + 1);
    if (axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for an output of rank %d",
                         (long long)ir_attr_int(n, "axis", -1), ind->shape.rank + 1);
    if (dep->shape.rank > 1 || ir_tensor_numel(dep) != 1)
        return diag_node(d, n->name, n->op, "depth must hold one value");
    if (!dep->data)
        return diag_node(d, n->name, n->op, "depth ('%s') must be known at compile time: it is "
                         "the output's extent (it is computed at run time)", dep->name);
    double depth = ir_data_get_double(dep->dtype, dep->data, 0);
    if (!(depth >= 1) || depth > 9.0e15)
        return diag_node(d, n->name, n->op, "depth %g must be a positive count", depth);
    if (val->shape.rank != 1 || val->shape.dims[0] != 2)
        return diag_node(d, n->name, n->op, "values must hold two elements [off, on]");
    ir_shape s = {.rank = 0};
    for (int i = 0; i <= ind->shape.rank; i++)
        s.dims[s.rank++] = i == axis ? (int64_t)depth : ind->shape.dims[i < axis ? i : i - 1];
    op_set_output(g, n, 0, val->dtype, &s);
    return 0;
}

int misc_eval_onehot(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *ind = ir_node_in(g, n, 0), *val = ir_node_in(g, n, 2);
    if (!ind->data || !val->data || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int axis;
    int64_t depth;
    misc_onehot_geometry(g, n, &axis, &depth);
    int64_t inner = misc_prod(&ind->shape, axis, ind->shape.rank);
    int64_t count = ir_tensor_numel(ind), total = ir_tensor_numel(y);
    for (int64_t e = 0; e < total; e++)
        misc_combine(y->dtype, y->data, e, val->data, 0, MISC_NONE);
    for (int64_t e = 0; e < count; e++) {
        /* Indices are truncated towards zero; NaN and far values select nothing. */
        double v = ir_data_get_double(ind->dtype, ind->data, e);
        if (!(v > -(double)depth - 1 && v < (double)depth))
            continue;
        int64_t k = ir_dtype_is_int(ind->dtype) ? ir_data_get_int(ind->dtype, ind->data, e)
                                                 : (int64_t)v;
        if (k < 0)
            k += depth;
        if (k < 0 || k >= depth)
            continue;
        int64_t o = e / inner, i = e % inner;
        misc_combine(y->dtype, y->data, (o * depth + k) * inner + i, val->data, 1, MISC_NONE);
    }
    return 1;
}
