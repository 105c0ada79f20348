/* GatherND, ScatterND, ScatterElements (Scatter before opset 11) and
 * MaxUnpool (a scatter into zeros at flat indices): index
 * tensors that may be computed at run time, since the output shapes follow
 * from the input shapes alone. Constant indices are range-checked here; the
 * generated code keeps run-time indices that are out of range (invalid
 * input) from touching memory outside the tensors: a gather reads element
 * 0 of the axis, a scatter skips the update. */
#include <string.h>

#include "misc.h"

static int check_indices_type(const ir_node *n, const ir_tensor *ind, diag *d)
{
    if (ind->dtype != IR_INT64 && ind->dtype != IR_INT32)
        return diag_node(d, n->name, n->op, "indices must be int64 or int32, not %s",
                         ir_dtype_name(ind->dtype));
    return 0;
}

/* A constant index tuple (m values from element at) must lie in dims. */
static int check_tuple(const ir_node *n, const ir_tensor *ind, int64_t at, int m,
                       const int64_t *dims, diag *d)
{
    for (int k = 0; k < m; k++) {
        int64_t v = ir_data_get_int(ind->dtype, ind->data, at + k);
        if (v < -dims[k] || v >= dims[k])
            return diag_node(d, n->name, n->op, "index %lld is out of range for an axis of %lld",
                             (long long)v, (long long)dims[k]);
    }
    return 0;
}

static int64_t norm_index(const ir_tensor *ind, int64_t at, int64_t dim)
{
    int64_t v = ir_data_get_int(ind->dtype, ind->data, at);
    return v < 0 ? v + dim : v;
}

/* ---- GatherND ---------------------------------------------------------------------- */

int misc_infer_gather_nd(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"batch_dims", NULL};
    if (misc_need_io(g, n, 2, 2, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    if (misc_check_copyable(n, x, d) || check_indices_type(n, ind, d))
        return -1;
    int r = x->shape.rank, q = ind->shape.rank;
    int64_t b = ir_attr_int(n, "batch_dims", 0);
    if (b != 0 && g->opset < 12)
        return diag_node(d, n->name, n->op, "attribute 'batch_dims' is not part of opset %lld",
                         (long long)g->opset);
    if (r < 1 || q < 1)
        return diag_node(d, n->name, n->op, "data and indices must have rank 1 or more");
    if (b < 0 || b >= q || b >= r)
        return diag_node(d, n->name, n->op, "batch_dims %lld must be below both ranks",
                         (long long)b);
    int64_t m = ind->shape.dims[q - 1];
    if (m < 1 || m > r - b)
        return diag_node(d, n->name, n->op, "the last indices axis (%lld) must be in [1, %lld]",
                         (long long)m, (long long)(r - b));
    for (int i = 0; i < b; i++)
        if (x->shape.dims[i] != ind->shape.dims[i])
            return diag_node(d, n->name, n->op, "batch axis %d differs between data and indices",
                             i);
    ir_shape s = {.rank = 0};
    for (int i = 0; i < q - 1; i++)
        s.dims[s.rank++] = ind->shape.dims[i];
    if (s.rank + r - b - m > IR_MAX_RANK)
        return diag_node(d, n->name, n->op, "the output would have rank above %d", IR_MAX_RANK);
    for (int i = (int)(b + m); i < r; i++)
        s.dims[s.rank++] = x->shape.dims[i];
    for (int64_t t = 0; ind->data && t < ir_tensor_numel(ind); t += m)
        if (check_tuple(n, ind, t, (int)m, x->shape.dims + b, d))
            return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

int misc_eval_gather_nd(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    if (!x->data || !ind->data || !misc_fold_small(g, n))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int b = (int)ir_attr_int(n, "batch_dims", 0), q = ind->shape.rank, r = x->shape.rank;
    int m = (int)ind->shape.dims[q - 1];
    int64_t batches = misc_prod(&x->shape, 0, b), per = misc_prod(&ind->shape, b, q - 1);
    int64_t slice = misc_prod(&x->shape, b + m, r), dbatch = misc_prod(&x->shape, b, r);
    size_t es = ir_dtype_size(x->dtype);
    for (int64_t bb = 0; bb < batches; bb++)
        for (int64_t j = 0; j < per; j++) {
            int64_t tuple = (bb * per + j) * m, off = 0;
            for (int k = 0; k < m; k++)
                off = off * x->shape.dims[b + k] + norm_index(ind, tuple + k, x->shape.dims[b + k]);
            memcpy((unsigned char *)y->data + (size_t)((bb * per + j) * slice) * es,
                   (const unsigned char *)x->data + (size_t)(bb * dbatch + off * slice) * es,
                   (size_t)slice * es);
        }
    return 1;
}

/* ---- ScatterND -------------------------------------------------------------------- */

/* What ScatterND and ScatterElements check alike: three inputs, known
 * attributes, the reduction, data that can be copied (and combined, with a
 * reduction), integer indices, and updates of the data's type. */
static int check_scatter(ir_graph *g, ir_node *n, const char *const *attrs, diag *d)
{
    misc_red red;
    if (misc_need_io(g, n, 3, 3, d) || op_known_attrs(n, attrs, d) ||
        misc_reduction(g, n, &red, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    if (misc_check_copyable(n, x, d) || check_indices_type(n, ind, d) ||
        (red != MISC_NONE && misc_check_arith(n, x, 0, d)))
        return -1;
    if (upd->dtype != x->dtype)
        return diag_node(d, n->name, n->op, "updates must have the type of data (%s), not %s",
                         ir_dtype_name(x->dtype), ir_dtype_name(upd->dtype));
    return 0;
}

/* Starts folding a scatter with constant inputs: 1 when the output holds
 * a copy of the data, ready for the updates; 0 when it is not folded (an
 * input not constant, or too large); -1 on error. */
static int fold_scatter_begin(ir_graph *g, ir_node *n, misc_red *red, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    if (!x->data || !ind->data || !upd->data || !misc_fold_small(g, n) ||
        misc_reduction(g, n, red, d))
        return 0;
    if (misc_alloc_outputs(g, n, d))
        return -1;
    memcpy(ir_node_out(g, n, 0)->data, x->data, ir_tensor_bytes(x));
    return 1;
}

int misc_infer_scatter_nd(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"reduction", NULL};
    if (check_scatter(g, n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    int r = x->shape.rank, q = ind->shape.rank;
    if (r < 1 || q < 1)
        return diag_node(d, n->name, n->op, "data and indices must have rank 1 or more");
    int64_t m = ind->shape.dims[q - 1];
    if (m < 1 || m > r)
        return diag_node(d, n->name, n->op, "the last indices axis (%lld) must be in [1, %d]",
                         (long long)m, r);
    ir_shape want = {.rank = 0};
    for (int i = 0; i < q - 1; i++)
        want.dims[want.rank++] = ind->shape.dims[i];
    if (want.rank + r - m > IR_MAX_RANK)
        return diag_node(d, n->name, n->op, "updates would have rank above %d", IR_MAX_RANK);
    for (int i = (int)m; i < r; i++)
        want.dims[want.rank++] = x->shape.dims[i];
    char a[96], b[96];
    if (!ir_shape_equal(&want, &upd->shape))
        return diag_node(d, n->name, n->op, "updates have shape %s; data and indices want %s",
                         ir_shape_str(&upd->shape, a, sizeof a), ir_shape_str(&want, b, sizeof b));
    for (int64_t t = 0; ind->data && t < ir_tensor_numel(ind); t += m)
        if (check_tuple(n, ind, t, (int)m, x->shape.dims, d))
            return -1;
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_scatter_nd(ir_graph *g, ir_node *n, diag *d)
{
    misc_red red;
    int rc = fold_scatter_begin(g, n, &red, d);
    if (rc != 1)
        return rc;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0);
    int q = ind->shape.rank, m = (int)ind->shape.dims[q - 1];
    int64_t count = misc_prod(&ind->shape, 0, q - 1);
    int64_t slice = misc_prod(&x->shape, m, x->shape.rank);
    for (int64_t j = 0; j < count; j++) {
        int64_t off = 0;
        for (int k = 0; k < m; k++)
            off = off * x->shape.dims[k] + norm_index(ind, j * m + k, x->shape.dims[k]);
        for (int64_t e = 0; e < slice; e++)
            misc_combine(y->dtype, y->data, off * slice + e, upd->data, j * slice + e, red);
    }
    return 1;
}

/* ---- ScatterElements / Scatter ------------------------------------------------------- */

int misc_scatter_axis(const ir_graph *g, const ir_node *n)
{
    return op_axis(ir_attr_int(n, "axis", 0), g->tensors[n->inputs[0]].shape.rank);
}

int misc_infer_scatter_elements(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", "reduction", NULL};
    if (strcmp(n->op, "Scatter") == 0 && g->opset >= 11)
        return diag_node(d, n->name, n->op, "Scatter was removed in opset 11 (ScatterElements "
                         "replaces it)");
    if (check_scatter(g, n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    int r = x->shape.rank, axis = misc_scatter_axis(g, n);
    if (r < 1 || axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)ir_attr_int(n, "axis", 0), r);
    if (!ir_shape_equal(&ind->shape, &upd->shape) || ind->shape.rank != r)
        return diag_node(d, n->name, n->op, "indices and updates must have one shape, of the "
                         "rank of data");
    for (int k = 0; k < r; k++)
        if (k != axis && ind->shape.dims[k] > x->shape.dims[k])
            return diag_node(d, n->name, n->op, "indices axis %d has %lld elements, data only "
                             "%lld", k, (long long)ind->shape.dims[k],
                             (long long)x->shape.dims[k]);
    for (int64_t t = 0; ind->data && t < ir_tensor_numel(ind); t++)
        if (check_tuple(n, ind, t, 1, &x->shape.dims[axis], d))
            return -1;
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

int misc_eval_scatter_elements(ir_graph *g, ir_node *n, diag *d)
{
    misc_red red;
    int rc = fold_scatter_begin(g, n, &red, d);
    if (rc != 1)
        return rc;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *upd = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0);
    int r = x->shape.rank, axis = misc_scatter_axis(g, n);
    int64_t pos[IR_MAX_RANK] = {0}, count = ir_tensor_numel(ind);
    for (int64_t e = 0; e < count; e++) {
        int64_t off = 0;
        for (int k = 0; k < r; k++)
            off = off * x->shape.dims[k] +
                  (k == axis ? norm_index(ind, e, x->shape.dims[k]) : pos[k]);
        misc_combine(y->dtype, y->data, off, upd->data, e, red);
        for (int k = r - 1; k >= 0 && ++pos[k] == ind->shape.dims[k]; k--)
            pos[k] = 0;
    }
    return 1;
}

/* ---- MaxUnpool ------------------------------------------------------------------------ */

/* Output extent of spatial axis i: (in - 1) * stride + kernel - pads. The
 * indices address this "inferred" shape; a larger output_shape receives it
 * in its leading corner (as the ONNX reference does). */
static int unpool_shape(const ir_node *n, const ir_shape *x, ir_shape *s, diag *d)
{
    const ir_attr *k = ir_node_attr(n, "kernel_shape"), *st = ir_node_attr(n, "strides");
    const ir_attr *p = ir_node_attr(n, "pads");
    int sp = x->rank - 2;
    if (!k || k->type != IR_ATTR_INTS || k->count != sp)
        return diag_node(d, n->name, n->op, "kernel_shape must list %d values", sp);
    if ((st && (st->type != IR_ATTR_INTS || st->count != sp)) ||
        (p && (p->type != IR_ATTR_INTS || p->count != 2 * sp)))
        return diag_node(d, n->name, n->op, "strides/pads do not match the %d spatial axes", sp);
    *s = *x;
    for (int i = 0; i < sp; i++) {
        int64_t stride = st ? st->ints[i] : 1, pads = p ? p->ints[i] + p->ints[sp + i] : 0;
        if (k->ints[i] < 1 || k->ints[i] > (1 << 20) || stride < 1 || stride > (1 << 20) ||
            pads < 0 || pads > (1 << 20))
            return diag_node(d, n->name, n->op, "kernel, strides and pads must be small and "
                             "positive");
        s->dims[i + 2] = (x->dims[i + 2] - 1) * stride + k->ints[i] - pads;
        if (s->dims[i + 2] < 0 || x->dims[i + 2] == 0)
            return diag_node(d, n->name, n->op, "the output would be empty or negative");
    }
    return 0;
}

int misc_infer_max_unpool(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"kernel_shape", "strides", "pads", NULL};
    if (misc_need_io(g, n, 2, 3, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *ind = ir_node_in(g, n, 1);
    const ir_tensor *os = ir_node_in(g, n, 2);
    if (misc_check_copyable(n, x, d))
        return -1;
    if (ind->dtype != IR_INT64 || !ir_shape_equal(&ind->shape, &x->shape))
        return diag_node(d, n->name, n->op, "indices must be int64 of the input's shape");
    if (x->shape.rank < 3)
        return diag_node(d, n->name, n->op, "the input must be [N, C, spatial...]");
    ir_shape s;
    if (unpool_shape(n, &x->shape, &s, d))
        return -1;
    if (os) {
        int64_t v[IR_MAX_RANK];
        int count = op_const_ints(g, n, 2, v, IR_MAX_RANK, d);
        if (count < 0)
            return -1;
        if (count != x->shape.rank || v[0] != x->shape.dims[0] || v[1] != x->shape.dims[1])
            return diag_node(d, n->name, n->op, "output_shape must keep N and C and the rank");
        for (int i = 2; i < count; i++) {
            if (v[i] < s.dims[i] || v[i] > ((int64_t)1 << 40))
                return diag_node(d, n->name, n->op, "output_shape %lld is below the unpooled "
                                 "extent %lld", (long long)v[i], (long long)s.dims[i]);
            s.dims[i] = v[i];
        }
    }
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

void misc_unpool_inferred(const ir_graph *g, const ir_node *n, ir_shape *s)
{
    diag d;
    diag_init(&d);
    if (unpool_shape(n, &g->tensors[n->inputs[0]].shape, s, &d))
        s->rank = 0; /* not reached after infer succeeded */
    diag_free(&d);
}
