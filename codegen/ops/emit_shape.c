/* Shape operators: C emitters. The pure copies (Reshape, Flatten, Squeeze,
 * Unsqueeze, Identity, Dropout) print nothing when the memory plan ran them
 * in place, else one memcpy; Expand, ConstantOfShape and EyeLike print their
 * copy plans. Shape and Size are always folded, so they have no emitter. */
#include "../../passes/ops/movement.h"
#include "emit_movement.h"

static void int64_literal(cg_buf *b, int64_t v)
{
    /* INT64_MIN has no literal form. */
    if (v == INT64_MIN)
        cg_printf(b, "INT64_MIN");
    else
        cg_printf(b, "INT64_C(%lld)", (long long)v);
}

/* Only reached when the result was too big to fold. Element i is
 * start + i * delta, in double for float types and int64 otherwise, exactly
 * as mv_eval_range computes it. */
static int emit_range(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *start = &c->g->tensors[n->inputs[0]], *delta = &c->g->tensors[n->inputs[2]];
    const ir_tensor *y = &c->g->tensors[n->outputs[0]];
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    (void)x0;\n    (void)x1;\n    (void)x2;\n"
                 "    for (ptrdiff_t i = 0; i < %lld; i++)\n        y0[i] = (%s)(",
              (long long)ir_tensor_numel(y), ir_dtype_ctype(y->dtype));
    if (ir_dtype_is_float(y->dtype)) {
        cg_double(b, ir_data_get_double(start->dtype, start->data, 0));
        cg_printf(b, " + (double)i * ");
        cg_double(b, ir_data_get_double(delta->dtype, delta->data, 0));
    } else {
        int64_literal(b, ir_data_get_int(start->dtype, start->data, 0));
        cg_printf(b, " + (int64_t)i * ");
        int64_literal(b, ir_data_get_int(delta->dtype, delta->data, 0));
    }
    cg_printf(b, ");\n");
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_shape[] = {
    {"Reshape", emit_movement_plan},
    {"Flatten", emit_movement_plan},
    {"Squeeze", emit_movement_plan},
    {"Unsqueeze", emit_movement_plan},
    {"Identity", emit_movement_plan},
    {"Dropout", emit_movement_plan},
    {"Expand", emit_movement_plan},
    {"ConstantOfShape", emit_movement_plan},
    {"EyeLike", emit_movement_plan},
    {"Range", emit_range},
    {.op = NULL},
};
