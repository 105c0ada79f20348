/* Operators that generate or broadcast values: Expand, ConstantOfShape,
 * Range and EyeLike (the shape family lists them). Their output shapes come
 * from constants or static shapes, so they usually fold at compile time;
 * large results stay kernels rather than bloating the weights. */
#include <math.h>
#include <string.h>

#include "movement.h"

static int oom(const ir_node *n, diag *d) { return diag_node(d, n->name, n->op, "out of memory"); }

/* A constant 1-D shape input with non-negative dims. */
static int shape_input(const ir_graph *g, const ir_node *n, int i, ir_shape *s, diag *d)
{
    int count = mv_const_ints(g, n, i, "shape", s->dims, IR_MAX_RANK, d);
    if (count == -2)
        return diag_node(d, n->name, n->op, "input 'shape' is missing");
    if (count < 0)
        return -1;
    s->rank = count;
    return mv_check_shape(n, s, d);
}

/* ---- Expand: numpy broadcast of the input to a shape ---------------------- */

int mv_infer_expand(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_shape target, s;
    if (mv_check_dtype(n, x, d) || shape_input(g, n, 1, &target, d))
        return -1;
    if (op_broadcast(&x->shape, &target, &s)) {
        char a[96], b[96];
        return diag_node(d, n->name, n->op, "shape %s cannot be broadcast to %s",
                         ir_shape_str(&x->shape, a, sizeof a), ir_shape_str(&target, b, sizeof b));
    }
    if (mv_check_shape(n, &s, d))
        return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Broadcast axes read with stride 0. */
int mv_plan_expand(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0), *y = mv_out(g, n, 0);
    int64_t is[IR_MAX_RANK], ss[IR_MAX_RANK];
    int lead = y->shape.rank - x->shape.rank;
    mv_strides(&x->shape, is);
    for (int k = 0; k < y->shape.rank; k++)
        ss[k] = k < lead || x->shape.dims[k - lead] == 1 ? 0 : is[k - lead];
    if (mv_plan_view(p, 0, 0, y->shape.rank, y->shape.dims, ss, 0))
        return oom(n, d);
    return 0;
}

/* ---- ConstantOfShape ------------------------------------------------------ */

/* The fill element: attribute `value` (one element), float32 0 by default. */
static int cos_value(const ir_node *n, ir_dtype *dt, unsigned char *bytes, diag *d)
{
    const ir_attr *a = ir_node_attr(n, "value");
    memset(bytes, 0, 8);
    *dt = IR_FLOAT;
    if (!a)
        return 0;
    if (a->type != IR_ATTR_TENSOR || !a->tensor || ir_shape_numel(&a->tensor->shape) != 1)
        return diag_node(d, n->name, n->op, "attribute 'value' must be a one-element tensor");
    if (!ir_dtype_supported(a->tensor->dtype))
        return diag_node(d, n->name, n->op, "element type %s is not supported",
                         ir_dtype_name(a->tensor->dtype));
    *dt = a->tensor->dtype;
    memcpy(bytes, a->tensor->data, ir_dtype_size(*dt));
    return 0;
}

int mv_infer_constant_of_shape(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"value", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    ir_shape s;
    ir_dtype dt;
    unsigned char v[8];
    if (shape_input(g, n, 0, &s, d) || cos_value(n, &dt, v, d))
        return -1;
    op_set_output(g, n, 0, dt, &s);
    return 0;
}

int mv_plan_constant_of_shape(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *y = mv_out(g, n, 0);
    ir_dtype dt;
    mv_copy *c = mv_plan_add(p, MV_SRC_VALUE, 0);
    if (!c)
        return oom(n, d);
    if (cos_value(n, &dt, c->value, d))
        return -1;
    mv_copy_axis(c, ir_tensor_numel(y), 0, 1);
    return 0;
}

/* ---- Range: start, start + delta, ... up to limit (excluded) -------------- */

static int range_count(ir_graph *g, ir_node *n, int64_t *count, diag *d)
{
    const ir_tensor *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = ir_node_in(g, n, i);
        if (!t[i]->data)
            return diag_node(d, n->name, n->op,
                             "input '%s' must be known at compile time (the output size "
                             "depends on it)",
                             t[i]->name);
        if (t[i]->dtype != t[0]->dtype || ir_tensor_numel(t[i]) != 1)
            return diag_node(d, n->name, n->op, "start, limit and delta must be scalars of one "
                                                "type");
    }
    ir_dtype dt = t[0]->dtype;
    if (dt != IR_FLOAT && dt != IR_DOUBLE && dt != IR_INT16 && dt != IR_INT32 && dt != IR_INT64)
        return diag_node(d, n->name, n->op, "element type %s is not supported", ir_dtype_name(dt));
    double span;
    if (ir_dtype_is_float(dt)) {
        double s = ir_data_get_double(dt, t[0]->data, 0), l = ir_data_get_double(dt, t[1]->data, 0),
               dl = ir_data_get_double(dt, t[2]->data, 0);
        span = dl == 0 ? NAN : ceil((l - s) / dl);
    } else {
        int64_t s = ir_data_get_int(dt, t[0]->data, 0), l = ir_data_get_int(dt, t[1]->data, 0),
                dl = ir_data_get_int(dt, t[2]->data, 0);
        /* Exact ceiling division in double is fine for spans below 2^53. */
        span = dl == 0 ? NAN : ceil(((double)l - (double)s) / (double)dl);
    }
    if (!(span == span) || span > 1e9)
        return diag_node(d, n->name, n->op, "delta is 0 or the range is too long");
    *count = span > 0 ? (int64_t)span : 0;
    return 0;
}

int mv_infer_range(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    int64_t count = 0; /* set by range_count; gcc -O2 cannot see it */
    for (int i = 0; i < 3; i++)
        if (op_need_input(g, n, i, d))
            return -1;
    if (mv_need_output(g, n, d) || op_known_attrs(n, attrs, d) || range_count(g, n, &count, d))
        return -1;
    ir_shape s = {.rank = 1, .dims = {count}};
    op_set_output(g, n, 0, ir_node_in(g, n, 0)->dtype, &s);
    return 0;
}

/* Element i is start + i * delta, computed in double (float types) or int64,
 * exactly as the emitted kernel does. */
int mv_eval_range(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *start = ir_node_in(g, n, 0), *delta = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!mv_fold_small(g, n))
        return 0;
    if (ir_tensor_set_const(y, y->dtype, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    for (int64_t i = 0; i < ir_tensor_numel(y); i++) {
        if (ir_dtype_is_float(y->dtype))
            ir_data_set_double(y->dtype, y->data, i,
                               ir_data_get_double(y->dtype, start->data, 0) +
                                   (double)i * ir_data_get_double(y->dtype, delta->data, 0));
        else
            ir_data_set_int(y->dtype, y->data, i,
                            ir_data_get_int(y->dtype, start->data, 0) +
                                i * ir_data_get_int(y->dtype, delta->data, 0));
    }
    return 1;
}

/* ---- EyeLike: ones on the k-th diagonal of a 2-D shape -------------------- */

static int eye_dtype(const ir_graph *g, const ir_node *n, ir_dtype *dt, diag *d)
{
    *dt = (ir_dtype)ir_attr_int(n, "dtype", mv_in(g, n, 0)->dtype);
    if (!ir_dtype_supported(*dt))
        return diag_node(d, n->name, n->op, "element type %s is not supported",
                         ir_dtype_name(*dt));
    return 0;
}

int mv_infer_eye_like(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"dtype", "k", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_dtype dt;
    if (eye_dtype(g, n, &dt, d))
        return -1;
    if (x->shape.rank != 2)
        return diag_node(d, n->name, n->op, "input must have rank 2, not %d", x->shape.rank);
    op_set_output(g, n, 0, dt, &x->shape);
    return 0;
}

int mv_plan_eye_like(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *y = mv_out(g, n, 0);
    int64_t rows = y->shape.dims[0], cols = y->shape.dims[1], k = ir_attr_int(n, "k", 0);
    /* The diagonal starts at (0, k) or (-k, 0); beyond the matrix (also for
     * any huge k) it is empty. */
    k = k < -rows ? -rows : k > cols ? cols : k;
    int64_t r0 = k < 0 ? -k : 0, c0 = k > 0 ? k : 0;
    int64_t count = rows - r0 < cols - c0 ? rows - r0 : cols - c0;
    mv_copy *zero = mv_plan_add(p, MV_SRC_VALUE, 0);
    if (!zero)
        return oom(n, d);
    mv_copy_axis(zero, rows * cols, 0, 1);
    if (count <= 0)
        return 0;
    mv_copy *one = mv_plan_add(p, MV_SRC_VALUE, 0);
    if (!one)
        return oom(n, d);
    mv_copy_axis(one, count, 0, cols + 1);
    one->dbase = r0 * cols + c0;
    ir_data_set_double(y->dtype, one->value, 0, 1.0);
    return 0;
}
