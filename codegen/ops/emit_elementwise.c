/* Element-wise operators: C emitters. */
#include "../emit.h"

static int emit_relu(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    int64_t count = ir_tensor_numel(&c->g->tensors[n->outputs[0]]);
    cg_kernel_begin(c, n);
    cg_printf(c->kernels, "    for (size_t i = 0; i < %lld; i++)\n"
                          "        y0[i] = x0[i] < 0.0f ? 0.0f : x0[i];\n",
              (long long)count);
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_elementwise[] = {
    {"Relu", emit_relu},
    {NULL},
};
