/* What the pruning passes (prune_magnitude.c, prune_auto.c) agree on: which
 * nodes are layers with prunable weights, the order weights are pruned in,
 * and how a sparsity becomes a count. */
#ifndef SCNNC_PRUNE_LAYERS_H
#define SCNNC_PRUNE_LAYERS_H

#include <stdint.h>

#include "../ir/ir.h"

/* The weight tensor of a layer, or -1 when n is not a Conv, Gemm or MatMul
 * with constant float32 weights (input 1). MatMul's B is a weight only
 * when A is computed. */
int prune_layer_weight(const ir_graph *g, const ir_node *n);

/* |w| as an unsigned key: the bits of a float without its sign order like
 * its magnitude, with NaN above infinity (so NaN is pruned last). Weights
 * are pruned by (key, index), smallest first. */
uint32_t prune_magnitude_key(float w);

/* Zeros that sparsity s asks of numel weights: round(s * numel). */
int64_t prune_zero_count(double s, int64_t numel);

#endif
