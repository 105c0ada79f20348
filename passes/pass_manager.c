#include "passes.h"

/* Stage 1 keeps the graph plain ONNX, so that --save-onnx can write what
 * the later stage compiles. Pruning runs after BatchNorm is folded, so
 * that magnitudes are those of the weights the kernels multiply by. */
static const pass_def transform[] = {
    {"infer-shapes", pass_infer_shapes, NULL},
    {"fold-constants", pass_fold_constants, NULL},
    {"eliminate-dead", pass_eliminate_dead, NULL},
    {"fuse-batchnorm", pass_fuse_batchnorm, NULL},
    {"prune-channels", NULL, pass_prune_channels},
    {"prune-auto", NULL, pass_prune_auto},
    {"prune-magnitude", NULL, pass_prune_magnitude},
    {"eliminate-dead", pass_eliminate_dead, NULL},
};

/* Sparse kernels are chosen before residual Adds are fused (only sparse
 * kernels take a residual) and before layouts (only sparse products run
 * transposed); kernels and scratch are chosen once the graph is final. */
static const pass_def lower[] = {
    {"fuse-activation", pass_fuse_activation, NULL},
    {"eliminate-dead", pass_eliminate_dead, NULL},
    {"sparsify", NULL, pass_sparsify},
    {"fuse-residual", pass_fuse_residual, NULL},
    {"layout", NULL, pass_layout},
    {"select-kernels", pass_select_kernels, NULL},
    {"plan-memory", pass_plan_memory, NULL},
};

const pass_def *pass_pipeline(pass_stage stage, int *count)
{
    if (stage == PASS_STAGE_TRANSFORM) {
        *count = (int)(sizeof transform / sizeof transform[0]);
        return transform;
    }
    *count = (int)(sizeof lower / sizeof lower[0]);
    return lower;
}

int pass_run_stage(ir_graph *g, pass_stage stage, const pass_options *o, diag *d)
{
    static const pass_options defaults;
    if (!o)
        o = &defaults;
    int n;
    const pass_def *p = pass_pipeline(stage, &n);
    for (int i = 0; i < n; i++) {
        int before = g->n_nodes;
        int rc = p[i].run ? p[i].run(g, d) : p[i].run_opt(g, o, d);
        if (rc || diag_has_errors(d))
            return -1;
        if (o->log)
            fprintf(o->log, "pass %-16s nodes %d -> %d\n", p[i].name, before, g->n_nodes);
    }
    return 0;
}

int pass_run_pipeline(ir_graph *g, const pass_options *o, diag *d)
{
    if (pass_run_stage(g, PASS_STAGE_TRANSFORM, o, d))
        return -1;
    return pass_run_stage(g, PASS_STAGE_LOWER, o, d);
}
