/* Folds y = Add(op(x), r) (with the Add's fused activation) into a sparse
 * Conv/Gemm/MatMul: the kernel adds r as it stores each block of its
 * result, so the sum never makes a trip through memory of its own (a
 * ResNet block's shortcut). Only sparse kernels take a residual
 * (runtime/spmm_f32.c), so this runs after pass_sparsify. */
#include <stdlib.h>
#include <string.h>

#include "ops/sparse.h"
#include "passes.h"

/* Whether operand `side` of Add node a (index ai) can fold into its
 * producer: a sparse node with no activation or residual yet, whose output
 * only this Add reads, and the other operand of the same shape. */
static int foldable(const ir_graph *g, const ir_node *a, int side, const int *uses)
{
    int t = a->inputs[side], r = a->inputs[1 - side];
    const ir_tensor *tt = &g->tensors[t], *rt = &g->tensors[r], *y = &g->tensors[a->outputs[0]];
    if (tt->producer < 0 || uses[t] != 1 || tt->output_index >= 0 || t == r)
        return 0;
    const ir_node *p = &g->nodes[tt->producer];
    if (p->sparse == IR_SPARSE_NONE || p->act != IR_ACT_NONE || p->residual || p->n_outputs != 1 ||
        p->transposed)
        return 0;
    /* pass_layout leaves products with a residual untransposed, and over
     * many rows the transposed form is worth more than the fused Add. */
    if (strcmp(p->op, "Conv") != 0 && sparse_positions(g, p) >= SPARSE_TRANSPOSE_MIN_ROWS)
        return 0;
    return tt->dtype == IR_FLOAT && rt->dtype == IR_FLOAT && rt->has_shape &&
           ir_shape_equal(&tt->shape, &rt->shape) && ir_shape_equal(&tt->shape, &y->shape);
}

int pass_fuse_residual(ir_graph *g, diag *d)
{
    int *uses = ir_graph_use_counts(g);
    if (!uses)
        return diag_error(d, "out of memory");
    int fused = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *a = &g->nodes[i];
        if (a->dead || strcmp(a->op, "Add") != 0 || a->n_inputs != 2 || a->n_outputs != 1 ||
            a->inputs[0] < 0 || a->inputs[1] < 0 || a->outputs[0] < 0)
            continue;
        for (int side = 0; side < 2; side++) {
            if (!foldable(g, a, side, uses))
                continue;
            ir_node *p = &g->nodes[g->tensors[a->inputs[side]].producer];
            int r = a->inputs[1 - side];
            if (ir_node_append_input(p, r)) {
                free(uses);
                return diag_error(d, "out of memory");
            }
            p->residual = p->n_inputs - 1;
            p->act = a->act;
            p->act_min = a->act_min;
            p->act_max = a->act_max;
            p->outputs[0] = a->outputs[0];
            a->dead = 1;
            fused++;
            break;
        }
    }
    free(uses);
    if (!fused)
        return 0;
    /* The producer now also reads r, which may come later in the order. */
    ir_graph_compact(g);
    return ir_graph_toposort(g, d);
}
