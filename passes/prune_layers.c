#include <string.h>

#include "prune_layers.h"

int prune_layer_weight(const ir_graph *g, const ir_node *n)
{
    int is_matmul = strcmp(n->op, "MatMul") == 0;
    if (n->dead || n->n_inputs < 2 || n->inputs[1] < 0)
        return -1;
    if (!is_matmul && strcmp(n->op, "Conv") != 0 && strcmp(n->op, "Gemm") != 0)
        return -1;
    if (is_matmul && (n->inputs[0] < 0 || g->tensors[n->inputs[0]].data))
        return -1;
    const ir_tensor *w = &g->tensors[n->inputs[1]];
    return w->data && w->dtype == IR_FLOAT ? n->inputs[1] : -1;
}

uint32_t prune_magnitude_key(float w)
{
    uint32_t u;
    memcpy(&u, &w, sizeof u);
    return u & 0x7fffffffu;
}

int64_t prune_zero_count(double s, int64_t numel) { return (int64_t)(s * (double)numel + 0.5); }
