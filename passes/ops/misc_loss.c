/* NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12+).
 * Input [N, C, d1..dk] (scores, or log-probabilities for NLL), target
 * [N, d1..dk] of class indices, optional weight [C]. Per position the loss
 * is -w[t] * input[n, t, d] (SCE first takes log_softmax over C); positions
 * whose target is ignore_index count with weight 0. reduction 'none' keeps
 * the target's shape, 'sum' adds, 'mean' divides the sum by the sum of the
 * weights taken (the position count without weights), as the ONNX
 * reference does. A target outside [0, C) (invalid input) is treated as
 * ignored, so that the kernel never reads outside the tensors. */
#include <string.h>

#include "misc.h"

int misc_loss_reduction(const ir_node *n)
{
    const char *r = ir_attr_string(n, "reduction", "mean");
    return strcmp(r, "none") == 0 ? 0 : (strcmp(r, "sum") == 0 ? 1 : 2);
}

int misc_infer_loss(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"reduction", "ignore_index", NULL};
    int sce = strcmp(n->op, "SoftmaxCrossEntropyLoss") == 0;
    if (g->opset < 12)
        return diag_node(d, n->name, n->op, "needs opset 12 or later");
    if (misc_need_io(g, n, 2, 3, d) || op_known_attrs(n, attrs, d))
        return -1;
    const char *r = ir_attr_string(n, "reduction", "mean");
    if (strcmp(r, "none") != 0 && strcmp(r, "sum") != 0 && strcmp(r, "mean") != 0)
        return diag_node(d, n->name, n->op, "reduction '%s' is not supported", r);
    const ir_tensor *x = ir_node_in(g, n, 0), *t = ir_node_in(g, n, 1), *w = ir_node_in(g, n, 2);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    if (t->dtype != IR_INT32 && t->dtype != IR_INT64)
        return diag_node(d, n->name, n->op, "the target must be int32 or int64, not %s",
                         ir_dtype_name(t->dtype));
    int rank = x->shape.rank;
    if (rank < 2 || t->shape.rank != rank - 1)
        return diag_node(d, n->name, n->op, "input must be [N, C, ...] and target [N, ...]");
    if (x->shape.dims[1] < 1)
        return diag_node(d, n->name, n->op, "there must be at least one class");
    for (int i = 0; i < rank - 1; i++)
        if (t->shape.dims[i] != x->shape.dims[i == 0 ? 0 : i + 1])
            return diag_node(d, n->name, n->op, "target's shape does not match the input's");
    if (w && (w->dtype != x->dtype || w->shape.rank != 1 || w->shape.dims[0] != x->shape.dims[1]))
        return diag_node(d, n->name, n->op, "weight must be [C] of the input's type");
    if (sce && n->n_outputs > 2)
        return diag_node(d, n->name, n->op, "has at most 2 outputs");
    if (!sce && n->n_outputs > 1)
        return diag_node(d, n->name, n->op, "has one output");
    ir_shape scalar = {.rank = 0};
    op_set_output(g, n, 0, x->dtype, misc_loss_reduction(n) ? &scalar : &t->shape);
    op_set_output(g, n, 1, x->dtype, &x->shape);
    return 0;
}
