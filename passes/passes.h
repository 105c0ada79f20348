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

/* What the user asked of the pruning, sparsification and layout passes
 * (scnnc's command line). Zero-initialised means: no pruning, sparse
 * kernels where the cost model says they pay, the default code budget. */
typedef struct prune_layer {
    const char *name; /* node name (or the name of its weight tensor) */
    double sparsity;  /* 0..1 */
} prune_layer;

typedef enum sparse_mode {
    SPARSE_AUTO = 0, /* per layer, by the cost model */
    SPARSE_ON,       /* every layer with constant weights that has a sparse kernel */
    SPARSE_OFF       /* dense kernels only */
} sparse_mode;

#define PASS_MAX_PRUNE_LAYERS 256

typedef struct pass_options {
    double prune;          /* --prune S: target sparsity 0..1; 0 none */
    int prune_global;      /* --prune-mode global: one threshold for all layers */
    int prune_auto;        /* --prune auto */
    double max_error;      /* --max-error E (prune auto) */
    const char *data_dir;  /* --data DIR (prune auto) */
    prune_layer layers[PASS_MAX_PRUNE_LAYERS]; /* --prune-layer NAME=S */
    int n_layers;
    const char *skip[PASS_MAX_PRUNE_LAYERS];   /* --prune-skip NAME */
    int n_skip;
    double prune_channels; /* --prune-channels F: fraction of filters removed */
    sparse_mode sparse;    /* --sparse on|off|auto */
    int64_t max_code_bytes; /* --max-code-kb N * 1024: budget for unrolled
                               sparse code over the model; 0 none */
    int skip_zero_inputs;  /* --skip-zero-inputs */
    FILE *log;             /* -v: passes may print what they decided */
} pass_options;

/* Magnitude pruning of Conv/Gemm/MatMul constant weights (per layer, or
 * one global threshold), with per-layer overrides and skips. */
int pass_prune_magnitude(ir_graph *g, const pass_options *o, diag *d);
/* Structured pruning: removes the filters with the smallest L1 norm and
 * the matching input channels of every consumer; the graph shrinks. */
int pass_prune_channels(ir_graph *g, const pass_options *o, diag *d);
/* Chooses per-layer sparsities on sample inputs within o->max_error of the
 * unpruned model's outputs, and prunes to them. */
int pass_prune_auto(ir_graph *g, const pass_options *o, diag *d);
/* Counts each weighted layer's nonzeros and chooses dense, compact or
 * unrolled sparse kernels by the cost model (sets weight_count,
 * weight_nonzeros, sparse, code_bytes). */
int pass_sparsify(ir_graph *g, const pass_options *o, diag *d);
/* Folds an Add of a sparse Conv/Gemm/MatMul's output and another tensor
 * (and the Add's fused activation) into that node (ir_node.residual). */
int pass_fuse_residual(ir_graph *g, diag *d);
/* Chooses layouts: sparse Gemm/MatMul over many rows run transposed
 * (channel-first); inserts the Transposes this needs and cancels pairs. */
int pass_layout(ir_graph *g, const pass_options *o, diag *d);

typedef int (*pass_fn)(ir_graph *g, diag *d);
typedef int (*pass_opt_fn)(ir_graph *g, const pass_options *o, diag *d);

typedef struct pass_def {
    const char *name;
    pass_fn run;         /* one of run and run_opt is set */
    pass_opt_fn run_opt;
} pass_def;

/* The pipeline runs in two stages. PASS_STAGE_TRANSFORM leaves a graph
 * that is still plain ONNX (shapes inferred, constants folded, BatchNorm
 * folded, weights pruned): what --save-onnx writes. PASS_STAGE_LOWER
 * fuses, chooses kernels and layouts and plans memory for codegen. */
typedef enum pass_stage { PASS_STAGE_TRANSFORM = 0, PASS_STAGE_LOWER = 1 } pass_stage;

/* A stage's passes, in order. */
const pass_def *pass_pipeline(pass_stage stage, int *count);
/* Runs one stage; with o->log set prints each pass and the node count. */
int pass_run_stage(ir_graph *g, pass_stage stage, const pass_options *o, diag *d);
/* Runs both stages. */
int pass_run_pipeline(ir_graph *g, const pass_options *o, diag *d);

#endif
