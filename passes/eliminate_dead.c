#include <stdlib.h>

#include "passes.h"

int pass_eliminate_dead(ir_graph *g, diag *d)
{
    char *needed = calloc((size_t)g->n_tensors + 1, 1);
    if (!needed)
        return diag_error(d, "out of memory");
    for (int i = 0; i < g->n_outputs; i++)
        needed[g->outputs[i]] = 1;
    /* Nodes are in topological order: one backward sweep finds everything
     * that feeds a needed tensor. */
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        ir_node *n = &g->nodes[i];
        int live = 0;
        for (int k = 0; k < n->n_outputs; k++)
            if (n->outputs[k] >= 0 && needed[n->outputs[k]])
                live = 1;
        if (!live) {
            n->dead = 1;
            continue;
        }
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0)
                needed[n->inputs[k]] = 1;
    }
    free(needed);
    ir_graph_compact(g);
    return 0;
}
