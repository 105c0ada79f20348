/* Cancels Transpose pairs: for u -T1-> z -T2-> w with T2 undoing T1, the
 * readers of w read u instead and T2 goes; T1 goes too once nothing reads z
 * and z is not a graph output. A w that is a graph output keeps its
 * Transpose (its tensor must still be written). */
#include <stdlib.h>
#include <string.h>

#include "layout.h"

static int is_transpose(const ir_node *n)
{
    return !n->dead && strcmp(n->op, "Transpose") == 0 && n->n_inputs == 1 &&
           n->n_outputs == 1 && n->inputs[0] >= 0 && n->outputs[0] >= 0;
}

/* 1 when Transpose b, reading a's output, undoes Transpose a. */
static int undoes(const ir_graph *g, const ir_node *a, const ir_node *b)
{
    int rank = g->tensors[a->inputs[0]].shape.rank, pa[IR_MAX_RANK], pb[IR_MAX_RANK];
    return layout_perm(a, rank, pa) == 0 && layout_perm(b, rank, pb) == 0 &&
           layout_perms_undo(pa, pb, rank);
}

int layout_cancel(ir_graph *g, diag *d)
{
    int *uses = ir_graph_use_counts(g);
    if (!uses)
        return diag_error(d, "out of memory in the layout pass");
    int dropped = 0;
    /* In topological order T1 comes first, so a T2 that now reads u can
     * still cancel against u's producer. */
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *t2 = &g->nodes[i];
        if (!is_transpose(t2))
            continue;
        int z = t2->inputs[0], w = t2->outputs[0], p = g->tensors[z].producer;
        if (p < 0 || !is_transpose(&g->nodes[p]) || g->tensors[w].output_index >= 0 ||
            !undoes(g, &g->nodes[p], t2))
            continue;
        ir_node *t1 = &g->nodes[p];
        int u = t1->inputs[0];
        for (int j = i + 1; j < g->n_nodes; j++)
            for (int k = 0; k < g->nodes[j].n_inputs; k++)
                if (g->nodes[j].inputs[k] == w)
                    g->nodes[j].inputs[k] = u;
        uses[u] += uses[w];
        uses[w] = 0;
        uses[z]--;
        t2->dead = 1;
        dropped++;
        if (uses[z] == 0 && g->tensors[z].output_index < 0) {
            t1->dead = 1;
            uses[u]--;
            dropped++;
        }
    }
    free(uses);
    return dropped;
}
