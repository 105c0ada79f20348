/* Graph passes: IR → IR. Each pass is one file with one entry point. */
#ifndef SCNNC_PASSES_H
#define SCNNC_PASSES_H

#include <stdio.h>

#include "../ir/ir.h"

/* Sets every tensor's type and shape through the op table, refusing
 * unsupported operators, attributes and types (all of them, in one report).
 * Constant inputs are propagated as it goes (ONNX's data propagation), so
 * that shapes computed by Shape→Gather→Concat chains are static. */
int pass_infer_shapes(ir_graph *g, diag *d);
/* Removes nodes whose outputs are all compile-time constants. */
int pass_fold_constants(ir_graph *g, diag *d);
/* Removes nodes that no graph output depends on. */
int pass_eliminate_dead(ir_graph *g, diag *d);
/* Folds BatchNormalization into the Conv or Gemm that feeds it. */
int pass_fuse_batchnorm(ir_graph *g, diag *d);
/* Folds Relu and Clip into the node that produces their input. */
int pass_fuse_activation(ir_graph *g, diag *d);
/* Lets each op choose its kernel variant and scratch needs. */
int pass_select_kernels(ir_graph *g, diag *d);
/* Assigns every tensor a storage place: constants into the weights blob,
 * intermediates into one arena by liveness, with in-place reuse. */
int pass_plan_memory(ir_graph *g, diag *d);

typedef int (*pass_fn)(ir_graph *g, diag *d);

typedef struct pass_def {
    const char *name;
    pass_fn run;
} pass_def;

/* The default pipeline, in order. */
const pass_def *pass_pipeline(int *count);
/* Runs the pipeline; with log != NULL prints each pass and the node count. */
int pass_run_pipeline(ir_graph *g, FILE *log, diag *d);

#endif
