#include "ops/ops.h"
#include "passes.h"

int pass_select_kernels(ir_graph *g, diag *d)
{
    (void)d;
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        const op_handler *h = op_find(n->op);
        n->kernel = 0;
        n->scratch_bytes = 0;
        if (h && h->select)
            h->select(g, n);
    }
    return 0;
}
