#include <string.h>

#include "ops.h"

int op_broadcast(const ir_shape *a, const ir_shape *b, ir_shape *out)
{
    int r = a->rank > b->rank ? a->rank : b->rank;
    out->rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        out->dims[i] = da == 1 ? db : da;
    }
    return 0;
}

int op_need_input(ir_graph *g, ir_node *n, int i, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    if (!t)
        return diag_node(d, n->name, n->op, "input %d is missing", i);
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of input '%s' are unknown",
                         t->name);
    return 0;
}

int op_need_inputs(ir_graph *g, ir_node *n, int min, int max, diag *d)
{
    for (int i = max; i < n->n_inputs; i++)
        if (n->inputs[i] >= 0)
            return diag_node(d, n->name, n->op, "takes at most %d inputs, got %d", max,
                             n->n_inputs);
    for (int i = 0; i < min; i++)
        if (op_need_input(g, n, i, d))
            return -1;
    return 0;
}

void op_set_output(ir_graph *g, ir_node *n, int i, ir_dtype dt, const ir_shape *s)
{
    ir_tensor *t = ir_node_out(g, n, i);
    if (t)
        ir_tensor_set_type(t, dt, s);
}

int op_known_attrs(const ir_node *n, const char *const *names, diag *d)
{
    int rc = 0;
    for (int i = 0; i < n->n_attrs; i++) {
        int known = 0;
        for (const char *const *k = names; *k && !known; k++)
            known = strcmp(*k, n->attrs[i].name) == 0;
        if (!known)
            rc = diag_node(d, n->name, n->op, "attribute '%s' is not supported",
                           n->attrs[i].name);
    }
    return rc;
}

int op_axis(int64_t axis, int rank)
{
    if (axis < -rank || axis >= rank)
        return -1;
    return (int)(axis < 0 ? axis + rank : axis);
}

int op_const_ints(ir_graph *g, ir_node *n, int input, int64_t *vals, int max, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, input);
    if (!t)
        return diag_node(d, n->name, n->op, "input %d is missing", input);
    if (!t->data)
        return diag_node(d, n->name, n->op,
                         "input '%s' must be known at compile time (it is computed at run time)",
                         t->name);
    if (!ir_dtype_is_int(t->dtype))
        return diag_node(d, n->name, n->op, "input '%s' must be an integer tensor", t->name);
    int64_t count = ir_tensor_numel(t);
    if (t->shape.rank > 1 || count > max)
        return diag_node(d, n->name, n->op, "input '%s' must be a 1-D list of at most %d values",
                         t->name, max);
    for (int64_t i = 0; i < count; i++)
        vals[i] = ir_data_get_int(t->dtype, t->data, i);
    return (int)count;
}
