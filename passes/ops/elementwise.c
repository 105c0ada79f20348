/* Element-wise operators: compile-time semantics. */
#include "ops.h"

static int infer_unary_float(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "element type %s is not supported (float32 only)",
                         ir_dtype_name(x->dtype));
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

const op_handler op_family_elementwise[] = {
    {.op = "Relu", .infer = infer_unary_float, .in_place = 1},
    {NULL},
};
