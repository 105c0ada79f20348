/* TopK and Hardmax: selections along one axis.
 * TopK keeps the k largest (or smallest) elements of every slice, sorted,
 * equal values in index order (ONNX: the lower index first). k must be
 * known at compile time since it is the output's extent; `sorted=0` leaves
 * the order open, so the sorted result is a valid answer for it too.
 * Hardmax writes 1 at the first maximum of each slice and 0 elsewhere; before
 * opset 13 the slice is everything from the axis on. */
#include <string.h>

#include "misc.h"

static int64_t topk_k(const ir_graph *g, const ir_node *n)
{
    if (g->opset < 10)
        return ir_attr_int(n, "k", -1);
    const ir_tensor *t = &g->tensors[n->inputs[1]];
    return ir_data_get_int(t->dtype, t->data, 0);
}

void misc_topk_geometry(const ir_graph *g, const ir_node *n, misc_axis3 *a, int64_t *k,
                        int *largest)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    int axis = op_axis(ir_attr_int(n, "axis", -1), s->rank);
    a->outer = misc_prod(s, 0, axis);
    a->dim = s->dims[axis];
    a->inner = misc_prod(s, axis + 1, s->rank);
    *k = topk_k(g, n);
    *largest = (int)ir_attr_int(n, "largest", 1);
}

int misc_infer_topk(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs1[] = {"axis", "k", NULL};
    static const char *const attrs10[] = {"axis", NULL};
    static const char *const attrs11[] = {"axis", "largest", "sorted", NULL};
    int old = g->opset < 10;
    if (misc_need_io(g, n, old ? 1 : 2, old ? 1 : 2, d) ||
        op_known_attrs(n, old ? attrs1 : (g->opset < 11 ? attrs10 : attrs11), d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 0, d))
        return -1;
    if (n->n_outputs != 2 || n->outputs[1] < 0)
        return diag_node(d, n->name, n->op, "needs both outputs (Values and Indices)");
    int axis = op_axis(ir_attr_int(n, "axis", -1), x->shape.rank);
    if (axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)ir_attr_int(n, "axis", -1), x->shape.rank);
    int largest, sorted;
    if (misc_flag(n, "largest", 1, &largest, d) || misc_flag(n, "sorted", 1, &sorted, d))
        return -1;
    int64_t k = -1;
    if (old) {
        if (!ir_node_attr(n, "k"))
            return diag_node(d, n->name, n->op, "attribute 'k' is missing");
        k = ir_attr_int(n, "k", -1);
    } else {
        const ir_tensor *kt = ir_node_in(g, n, 1);
        int rc = misc_scalar_int(g, n, 1, "k", &k, d);
        if (rc < 0 || (kt->dtype != IR_INT64 &&
                       diag_node(d, n->name, n->op, "k must be int64, not %s",
                                 ir_dtype_name(kt->dtype))))
            return -1;
        if (rc == 0)
            return diag_node(d, n->name, n->op, "k ('%s') must be known at compile time: it is "
                             "the output's extent (it is computed at run time)", kt->name);
    }
    if (k < 0 || k > x->shape.dims[axis])
        return diag_node(d, n->name, n->op, "k = %lld is out of range for an axis of %lld",
                         (long long)k, (long long)x->shape.dims[axis]);
    ir_shape s = x->shape;
    s.dims[axis] = k;
    op_set_output(g, n, 0, x->dtype, &s);
    op_set_output(g, n, 1, IR_INT64, &s);
    return 0;
}

/* The generated kernel's algorithm: insertion into the sorted top-k list,
 * an element moving up only past strictly worse ones. */
int misc_eval_topk(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (!x->data || misc_has_nan(x) || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *yv = ir_node_out(g, n, 0), *yi = ir_node_out(g, n, 1);
    misc_axis3 a;
    int64_t k;
    int largest;
    misc_topk_geometry(g, n, &a, &k, &largest);
    int64_t *ind = yi->data;
    for (int64_t o = 0; o < a.outer; o++)
        for (int64_t i = 0; i < a.inner; i++) {
            int64_t xb = o * a.dim * a.inner + i, yb = o * k * a.inner + i, m = 0;
            for (int64_t j = 0; j < a.dim && k > 0; j++) {
                int64_t src = xb + j * a.inner;
                int c = m == k ? misc_cmp(x->dtype, x->data, src, yv->data, yb + (k - 1) * a.inner)
                               : 0;
                if (m == k && (largest ? c <= 0 : c >= 0))
                    continue;
                int64_t p = m < k ? m++ : k - 1;
                while (p > 0) {
                    int64_t prev = yb + (p - 1) * a.inner;
                    c = misc_cmp(x->dtype, x->data, src, yv->data, prev);
                    if (largest ? c <= 0 : c >= 0)
                        break;
                    misc_combine(yv->dtype, yv->data, yb + p * a.inner, yv->data, prev, MISC_NONE);
                    ind[yb + p * a.inner] = ind[prev];
                    p--;
                }
                misc_combine(yv->dtype, yv->data, yb + p * a.inner, x->data, src, MISC_NONE);
                ind[yb + p * a.inner] = j;
            }
        }
    return 1;
}

void misc_hardmax_geometry(const ir_graph *g, const ir_node *n, misc_axis3 *a)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    int axis = op_axis(ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1), s->rank);
    a->outer = misc_prod(s, 0, axis);
    a->dim = g->opset < 13 ? misc_prod(s, axis, s->rank) : s->dims[axis];
    a->inner = g->opset < 13 ? 1 : misc_prod(s, axis + 1, s->rank);
}

int misc_infer_hardmax(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (misc_need_io(g, n, 1, 1, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    int64_t axis = ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
    if (op_axis(axis, x->shape.rank) < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis, x->shape.rank);
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_hardmax(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (!x->data || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    misc_axis3 a;
    misc_hardmax_geometry(g, n, &a);
    for (int64_t o = 0; o < a.outer; o++)
        for (int64_t i = 0; i < a.inner && a.dim > 0; i++) {
            int64_t base = o * a.dim * a.inner + i, best = base;
            for (int64_t j = 1; j < a.dim; j++)
                if (misc_cmp(x->dtype, x->data, base + j * a.inner, x->data, best) > 0)
                    best = base + j * a.inner;
            ir_data_set_double(y->dtype, y->data, best, 1.0);
        }
    return 1;
}
