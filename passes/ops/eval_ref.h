/* Reference evaluation of the compute-heavy operators: Conv, Gemm, MatMul
 * (conv_eval.c, gemm_eval.c), the pools (pool_eval.c) and the
 * normalizations (norm_eval.c). Plain loops accumulating in double, written
 * for clarity: they fold constant subgraphs and let ir_interpret run a
 * whole model (prune_auto measures pruning errors with it). Each follows
 * the op_handler eval contract: 1 when the outputs were computed, 0 when
 * an input is not constant, -1 with a message on error. */
#ifndef SCNNC_EVAL_REF_H
#define SCNNC_EVAL_REF_H

#include "ops.h"

int conv_eval(ir_graph *g, ir_node *n, diag *d);
int gemm_eval(ir_graph *g, ir_node *n, diag *d);
int matmul_eval(ir_graph *g, ir_node *n, diag *d);

/* MaxPool (with Indices), AveragePool, LpPool. */
int pool_window_eval(ir_graph *g, ir_node *n, diag *d);
/* GlobalMaxPool, GlobalAveragePool, GlobalLpPool. */
int pool_global_eval(ir_graph *g, ir_node *n, diag *d);

int norm_batchnorm_eval(ir_graph *g, ir_node *n, diag *d);
int norm_layernorm_eval(ir_graph *g, ir_node *n, diag *d);
int norm_instancenorm_eval(ir_graph *g, ir_node *n, diag *d);
/* Softmax and LogSoftmax. */
int norm_softmax_eval(ir_graph *g, ir_node *n, diag *d);

#endif
