/* Shape operators: Shape and Size (known from static shapes, so always
 * folded), and the pure copies that only relabel a tensor's shape (Reshape,
 * Flatten, Squeeze, Unsqueeze, Identity, Dropout at inference). The copies
 * run in place when the memory plan lets them; their emitter then writes
 * nothing. The table also lists Expand, ConstantOfShape, Range and EyeLike
 * (movement_fill.c). */
#include <string.h>

#include "movement.h"

/* ---- Shape and Size ------------------------------------------------------ */

/* Shape-15's start/end: negative counts from the end, clamped to [0, rank]. */
static void shape_range(const ir_node *n, int rank, int64_t *start, int64_t *end)
{
    int64_t s = ir_attr_int(n, "start", 0), e = ir_attr_int(n, "end", rank);
    if (s < 0)
        s += rank;
    if (e < 0)
        e += rank;
    *start = s < 0 ? 0 : s > rank ? rank : s;
    *end = e < *start ? *start : e > rank ? rank : e;
}

static int infer_shape(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"start", "end", NULL};
    if (op_need_input(g, n, 0, d) || mv_need_output(g, n, d) || op_known_attrs(n, attrs, d))
        return -1;
    int64_t start, end;
    shape_range(n, ir_node_in(g, n, 0)->shape.rank, &start, &end);
    ir_shape s = {.rank = 1, .dims = {end - start}};
    op_set_output(g, n, 0, IR_INT64, &s);
    return 0;
}

/* The input's static shape is the answer; its values are never needed. */
static int eval_shape(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    int64_t start, end;
    shape_range(n, x->shape.rank, &start, &end);
    if (ir_tensor_set_const(y, IR_INT64, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    for (int64_t k = start; k < end; k++)
        ((int64_t *)y->data)[k - start] = x->shape.dims[k];
    return 1;
}

static int infer_size(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (op_need_input(g, n, 0, d) || mv_need_output(g, n, d) || op_known_attrs(n, attrs, d))
        return -1;
    ir_shape s = {.rank = 0};
    op_set_output(g, n, 0, IR_INT64, &s);
    return 0;
}

static int eval_size(ir_graph *g, ir_node *n, diag *d)
{
    ir_tensor *y = ir_node_out(g, n, 0);
    if (ir_tensor_set_const(y, IR_INT64, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    *(int64_t *)y->data = ir_tensor_numel(ir_node_in(g, n, 0));
    return 1;
}

/* ---- Pure copies ---------------------------------------------------------- */

/* Checks input 0 and the attributes, and sets output 0 to input 0's type
 * with shape s. */
static int copy_output(ir_graph *g, ir_node *n, const ir_shape *s, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (ir_shape_numel(s) != ir_tensor_numel(x)) {
        char a[96], b[96];
        return diag_node(d, n->name, n->op, "cannot reshape %s (%lld elements) to %s",
                         ir_shape_str(&x->shape, a, sizeof a), (long long)ir_tensor_numel(x),
                         ir_shape_str(s, b, sizeof b));
    }
    op_set_output(g, n, 0, x->dtype, s);
    return 0;
}

static int copy_start(ir_graph *g, ir_node *n, const char *const *attrs, diag *d)
{
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    return mv_check_dtype(n, ir_node_in(g, n, 0), d);
}

static int infer_identity(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (copy_start(g, n, attrs, d))
        return -1;
    return copy_output(g, n, &ir_node_in(g, n, 0)->shape, d);
}

/* Reshape: 0 copies the input's dim (unless allowzero), -1 takes the rest. */
static int infer_reshape(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const old_attrs[] = {"shape", NULL};
    static const char *const attrs[] = {"allowzero", NULL};
    if (copy_start(g, n, g->opset < 5 ? old_attrs : attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int64_t v[IR_MAX_RANK];
    /* Reshape-1 takes the shape as an attribute, later versions as input 1. */
    int count = g->opset < 5 ? mv_attr_ints(n, "shape", v, IR_MAX_RANK, d)
                             : mv_const_ints(g, n, 1, "shape", v, IR_MAX_RANK, d);
    if (count == -2)
        return diag_node(d, n->name, n->op, "the target shape is missing");
    if (count < 0)
        return -1;
    int allowzero = (int)ir_attr_int(n, "allowzero", 0), infer_at = -1;
    ir_shape s = {.rank = count};
    int64_t known = 1;
    for (int k = 0; k < count; k++) {
        s.dims[k] = v[k];
        if (v[k] == 0 && !allowzero) {
            if (k >= x->shape.rank)
                return diag_node(d, n->name, n->op, "shape value 0 at %d has no input dim to copy",
                                 k);
            s.dims[k] = x->shape.dims[k];
        } else if (v[k] == -1 && infer_at < 0) {
            infer_at = k;
            continue;
        } else if (v[k] == -1) {
            return diag_node(d, n->name, n->op, "the shape has more than one -1");
        } else if (v[k] < 0) {
            return diag_node(d, n->name, n->op, "shape value %lld is not allowed",
                             (long long)v[k]);
        }
        /* Values come from the model: no product may overflow. */
        if (s.dims[k] && known > MV_MAX_NUMEL / s.dims[k])
            return diag_node(d, n->name, n->op, "the target shape is too large");
        known *= s.dims[k];
    }
    if (infer_at >= 0) {
        int64_t total = ir_tensor_numel(x);
        if (known == 0 || total % known)
            return diag_node(d, n->name, n->op, "cannot infer the -1 dim: %lld elements over %lld",
                             (long long)total, (long long)known);
        s.dims[infer_at] = total / known;
    }
    return copy_output(g, n, &s, d);
}

static int infer_flatten(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (copy_start(g, n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int r = x->shape.rank;
    int64_t axis = ir_attr_int(n, "axis", 1);
    if (axis < -r || axis > r)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis, r);
    if (axis < 0)
        axis += r;
    ir_shape s = {.rank = 2, .dims = {1, 1}};
    for (int k = 0; k < r; k++)
        s.dims[k < axis ? 0 : 1] *= x->shape.dims[k];
    return copy_output(g, n, &s, d);
}

/* Axes of Squeeze/Unsqueeze: attribute before opset 13, input 1 after. */
static int read_axes(ir_graph *g, ir_node *n, int64_t *axes, int max, diag *d)
{
    return g->opset < 13 ? mv_attr_ints(n, "axes", axes, max, d)
                         : mv_const_ints(g, n, 1, "axes", axes, max, d);
}

/* The attributes Squeeze/Unsqueeze know in this opset. */
static const char *const *axes_attrs(const ir_graph *g)
{
    static const char *const old_attrs[] = {"axes", NULL};
    static const char *const attrs[] = {NULL};
    return g->opset < 13 ? old_attrs : attrs;
}

static int infer_squeeze(ir_graph *g, ir_node *n, diag *d)
{
    if (copy_start(g, n, axes_attrs(g), d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int r = x->shape.rank, drop[IR_MAX_RANK] = {0};
    int64_t axes[IR_MAX_RANK];
    int count = read_axes(g, n, axes, IR_MAX_RANK, d);
    if (count == -1)
        return -1;
    for (int k = 0; k < r && count == -2; k++) /* no axes: every dim of 1 */
        drop[k] = x->shape.dims[k] == 1;
    for (int i = 0; i < count; i++) {
        int a = op_axis(axes[i], r);
        if (a < 0 || x->shape.dims[a] != 1)
            return diag_node(d, n->name, n->op, "axis %lld is out of range or not of size 1",
                             (long long)axes[i]);
        drop[a] = 1;
    }
    ir_shape s = {.rank = 0};
    for (int k = 0; k < r; k++)
        if (!drop[k])
            s.dims[s.rank++] = x->shape.dims[k];
    return copy_output(g, n, &s, d);
}

static int infer_unsqueeze(ir_graph *g, ir_node *n, diag *d)
{
    if (copy_start(g, n, axes_attrs(g), d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int64_t axes[IR_MAX_RANK];
    int count = read_axes(g, n, axes, IR_MAX_RANK, d);
    if (count == -1)
        return -1;
    if (count == -2)
        return diag_node(d, n->name, n->op, "axes are required");
    int r = x->shape.rank + count, added[IR_MAX_RANK] = {0};
    if (r > IR_MAX_RANK)
        return diag_node(d, n->name, n->op, "the output would have rank %d (at most %d)", r,
                         IR_MAX_RANK);
    for (int i = 0; i < count; i++) {
        int a = op_axis(axes[i], r);
        if (a < 0 || added[a])
            return diag_node(d, n->name, n->op, "axis %lld is out of range or repeated",
                             (long long)axes[i]);
        added[a] = 1;
    }
    ir_shape s = {.rank = r};
    for (int k = 0, from = 0; k < r; k++)
        s.dims[k] = added[k] ? 1 : x->shape.dims[from++];
    return copy_output(g, n, &s, d);
}

/* ---- Dropout: the identity at inference ----------------------------------- */

/* Mask type: the input's before opset 10, bool after. */
static ir_dtype dropout_mask_type(const ir_graph *g, const ir_node *n)
{
    return g->opset < 10 ? mv_in(g, n, 0)->dtype : IR_BOOL;
}

static int infer_dropout(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"ratio", "is_test", "seed", NULL};
    if (copy_start(g, n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *train = ir_node_in(g, n, 2);
    /* Opset 12's training_mode input switches random dropping on; the ratio
     * (input 1 or attribute) only matters then. */
    if (train) {
        if (!train->data)
            return diag_node(d, n->name, n->op,
                             "input '%s' (training_mode) must be known at compile time",
                             train->name);
        if (ir_data_get_int(train->dtype, train->data, 0))
            return diag_node(d, n->name, n->op, "training mode is not supported");
    }
    op_set_output(g, n, 1, dropout_mask_type(g, n), &x->shape);
    return copy_output(g, n, &x->shape, d);
}

int mv_plan_dropout(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *mask = mv_out(g, n, 1);
    if (mv_plan_copy(g, n, p, d))
        return -1;
    if (!mask)
        return 0;
    mv_copy *c = mv_plan_add(p, MV_SRC_VALUE, 1);
    if (!c)
        return diag_node(d, n->name, n->op, "out of memory");
    mv_copy_axis(c, ir_tensor_numel(mask), 0, 1);
    ir_data_set_double(dropout_mask_type(g, n), c->value, 0, 1.0);
    return 0;
}

const op_handler op_family_shape[] = {
    {.op = "Shape", .infer = infer_shape, .eval = eval_shape},
    {.op = "Size", .infer = infer_size, .eval = eval_size},
    {.op = "Reshape", .infer = infer_reshape, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Flatten", .infer = infer_flatten, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Squeeze", .infer = infer_squeeze, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Unsqueeze", .infer = infer_unsqueeze, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Identity", .infer = infer_identity, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Dropout", .infer = infer_dropout, .eval = mv_eval_plan, .in_place = 1},
    {.op = "Expand", .infer = mv_infer_expand, .eval = mv_eval_plan},
    {.op = "ConstantOfShape", .infer = mv_infer_constant_of_shape, .eval = mv_eval_plan},
    {.op = "Range", .infer = mv_infer_range, .eval = mv_eval_range},
    {.op = "EyeLike", .infer = mv_infer_eye_like, .eval = mv_eval_plan},
    {.op = NULL},
};
