#include <string.h>

#include "ops/ops.h"
#include "passes.h"

static int inputs_known(const ir_graph *g, const ir_node *n)
{
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i] >= 0 && !g->tensors[n->inputs[i]].has_shape)
            return 0;
    return 1;
}

/* Shapes computed from hostile inputs (Expand, Tile, ConstantOfShape...) can
 * claim any size: refuse outputs that could overflow later arithmetic. */
static int outputs_fit(ir_graph *g, ir_node *n, diag *d)
{
    int rc = 0;
    for (int k = 0; k < n->n_outputs; k++) {
        const ir_tensor *t = ir_node_out(g, n, k);
        if (t && t->has_shape && !ir_shape_fits(&t->shape, t->dtype))
            rc = diag_node(d, n->name, n->op,
                           "output '%s' would be larger than the %lld bytes scnnc accepts",
                           t->name, (long long)IR_MAX_TENSOR_BYTES);
    }
    return rc;
}

int pass_infer_shapes(ir_graph *g, diag *d)
{
    int rc = 0;
    /* First every node's operator, so that all unsupported ones are listed
     * even where a failure upstream leaves shapes unknown. */
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (*n->domain && strcmp(n->domain, "ai.onnx") != 0)
            rc = diag_node(d, n->name, n->op, "operator domain '%s' is not supported", n->domain);
        else if (!op_find(n->op))
            rc = diag_node(d, n->name, n->op, "operator is not supported");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        const op_handler *h = op_find(n->op);
        if (n->dead || !h || (*n->domain && strcmp(n->domain, "ai.onnx") != 0))
            continue;
        /* A problem upstream was already reported; its consumers are skipped. */
        if (!inputs_known(g, n))
            continue;
        if (h->infer(g, n, d) || outputs_fit(g, n, d)) {
            rc = -1;
            continue;
        }
        if (h->eval && h->eval(g, n, d) < 0)
            rc = -1;
    }
    for (int i = 0; i < g->n_outputs && rc == 0; i++)
        if (!g->tensors[g->outputs[i]].has_shape)
            rc = diag_error(d, "the shape of graph output '%s' could not be inferred",
                            g->tensors[g->outputs[i]].name);
    return rc;
}
