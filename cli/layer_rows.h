/* Per-layer figures shared by the -v summary and --report, computed in one
 * place so that the two never disagree. */
#ifndef SCNNC_CLI_LAYER_ROWS_H
#define SCNNC_CLI_LAYER_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "../ir/ir.h"

typedef struct layer_row {
    int64_t dense_macs;     /* the op handler's count; 0 when it has none */
    int64_t effective_macs; /* dense MACs times the weights' density, rounded down */
    int64_t const_elems;    /* elements of the node's constant inputs */
    int64_t weight_bytes;   /* n->weight_bytes when sparsify counted the
                               weights, else the constant inputs' bytes */
    int64_t arena_bytes;    /* outputs kept in the arena, plus scratch */
} layer_row;

void layer_row_make(const ir_graph *g, const ir_node *n, layer_row *r);

/* Sums over the layers. The arena is not summed: layers reuse it, and the
 * graph's planned peak (g->arena_bytes) is what a report gives. */
typedef struct layer_totals {
    int layers;
    int64_t dense_macs, effective_macs, weight_count, weight_nonzeros;
    int64_t code_bytes, weight_bytes;
} layer_totals;

void layer_totals_add(layer_totals *t, const ir_node *n, const layer_row *r);

/* 1 - nonzeros / count into *sparsity, returning 1; 0 when count is 0 (no
 * weights counted: sparsity undefined). */
int layer_sparsity(int64_t nonzeros, int64_t count, double *sparsity);

/* A readable name of the kernel n runs, e.g. "im2col-gemm+relu" or
 * "sparse-unrolled/pointwise+residual+relu", into buf. */
const char *layer_kernel_name(const ir_node *n, char *buf, size_t size);

#endif
