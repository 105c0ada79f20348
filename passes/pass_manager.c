#include "passes.h"

static const pass_def pipeline[] = {
    {"infer-shapes", pass_infer_shapes},     {"fold-constants", pass_fold_constants},
    {"eliminate-dead", pass_eliminate_dead}, {"fuse-batchnorm", pass_fuse_batchnorm},
    {"fuse-activation", pass_fuse_activation}, {"eliminate-dead", pass_eliminate_dead},
    {"select-kernels", pass_select_kernels}, {"plan-memory", pass_plan_memory},
};

const pass_def *pass_pipeline(int *count)
{
    *count = (int)(sizeof pipeline / sizeof pipeline[0]);
    return pipeline;
}

int pass_run_pipeline(ir_graph *g, FILE *log, diag *d)
{
    int n;
    const pass_def *p = pass_pipeline(&n);
    for (int i = 0; i < n; i++) {
        int before = g->n_nodes;
        if (p[i].run(g, d) || diag_has_errors(d))
            return -1;
        if (log)
            fprintf(log, "pass %-16s nodes %d -> %d\n", p[i].name, before, g->n_nodes);
    }
    return 0;
}
