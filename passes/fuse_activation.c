#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

/* Producers whose kernels apply a fused activation to their output. */
static const char *const fusable_producers[] = {"Conv", "Gemm", "MatMul", "Add", NULL};

static int is_fusable_producer(const char *op)
{
    for (const char *const *p = fusable_producers; *p; p++)
        if (strcmp(*p, op) == 0)
            return 1;
    return 0;
}

/* Reads Clip's bounds from attributes (opset < 11) or constant inputs;
 * returns -1 when a bound is computed at run time. */
static int clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi)
{
    *lo = ir_attr_float(n, "min", -FLT_MAX);
    *hi = ir_attr_float(n, "max", FLT_MAX);
    for (int i = 1; i < n->n_inputs && i < 3; i++) {
        if (n->inputs[i] < 0)
            continue;
        const ir_tensor *t = &g->tensors[n->inputs[i]];
        if (!t->data || t->dtype != IR_FLOAT || ir_tensor_numel(t) != 1)
            return -1;
        *(i == 1 ? lo : hi) = *(const float *)t->data;
    }
    return 0;
}

int pass_fuse_activation(ir_graph *g, diag *d)
{
    /* Counted once: a fusion only takes readers from the tensor it
     * consumes, which no other activation reads. */
    int *uses = ir_graph_use_counts(g);
    if (!uses)
        return diag_error(d, "out of memory");
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *a = &g->nodes[i];
        int relu = strcmp(a->op, "Relu") == 0, clip = strcmp(a->op, "Clip") == 0;
        if (a->dead || (!relu && !clip) || a->n_inputs < 1 || a->inputs[0] < 0)
            continue;
        const ir_tensor *x = &g->tensors[a->inputs[0]];
        if (x->producer < 0 || x->output_index >= 0 || x->dtype != IR_FLOAT ||
            uses[a->inputs[0]] != 1)
            continue;
        ir_node *p = &g->nodes[x->producer];
        if (p->act != IR_ACT_NONE || !is_fusable_producer(p->op) || p->n_outputs != 1)
            continue;
        float lo = 0, hi = 0;
        /* With min > max ONNX's min(max(x, min), max) is max everywhere; the
         * fused form tests the bounds in the other order, so leave it. */
        if (clip && (clip_bounds(g, a, &lo, &hi) || lo > hi))
            continue;
        p->act = relu ? IR_ACT_RELU : IR_ACT_CLIP;
        p->act_min = lo;
        p->act_max = hi;
        p->outputs[0] = a->outputs[0];
        a->dead = 1;
    }
    free(uses);
    ir_graph_compact(g);
    return 0;
}
