#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

/* Copies a constant into a new tensor so that a weight shared with another
 * node is never changed under it. Returns the new index or -1. */
static int clone_const(ir_graph *g, int src, const char *suffix)
{
    char name[512];
    snprintf(name, sizeof name, "%s%s", g->tensors[src].name, suffix);
    int t = ir_graph_add_tensor(g, name);
    if (t < 0)
        return -1;
    ir_tensor *dst = &g->tensors[t];
    const ir_tensor *s = &g->tensors[src];
    if (ir_tensor_set_const(dst, s->dtype, &s->shape))
        return -1;
    memcpy(dst->data, s->data, ir_tensor_bytes(s));
    return t;
}

static const ir_tensor *const_input(const ir_graph *g, const ir_node *n, int i, int64_t count)
{
    if (i >= n->n_inputs || n->inputs[i] < 0)
        return NULL;
    const ir_tensor *t = &g->tensors[n->inputs[i]];
    if (!t->data || t->dtype != IR_FLOAT || ir_tensor_numel(t) != count)
        return NULL;
    return t;
}

/* Output channels of the producer and how its weight is laid out:
 * stride between channels (elements) and elements per channel row. */
static int channel_layout(const ir_graph *g, const ir_node *p, int64_t *channels,
                          int64_t *ch_stride, int64_t *ch_len, int64_t *ch_step)
{
    const ir_tensor *w = &g->tensors[p->inputs[1]];
    if (strcmp(p->op, "Conv") == 0) {
        *channels = w->shape.dims[0];
        *ch_stride = ir_tensor_numel(w) / *channels; /* row per output channel */
        *ch_len = *ch_stride;
        *ch_step = 1;
        return 0;
    }
    /* Gemm: alpha scales A*B; folding into B is exact only without it. */
    if (ir_attr_int(p, "transA", 0) != 0 || ir_attr_float(p, "alpha", 1.0f) != 1.0f ||
        w->shape.rank != 2)
        return -1;
    if (ir_attr_int(p, "transB", 0)) { /* B is N x K */
        *channels = w->shape.dims[0];
        *ch_stride = w->shape.dims[1];
        *ch_len = w->shape.dims[1];
        *ch_step = 1;
    } else { /* B is K x N: channel n is column n */
        *channels = w->shape.dims[1];
        *ch_stride = 1;
        *ch_len = w->shape.dims[0];
        *ch_step = w->shape.dims[1];
    }
    return 0;
}

/* uses: readers per tensor, counted before the pass; fusing one BatchNorm
 * only changes the counts of tensors no other BatchNorm reads. */
static int try_fuse(ir_graph *g, ir_node *bn, const int *uses, diag *d)
{
    if (bn->n_inputs < 5 || bn->inputs[0] < 0 || bn->n_outputs < 1)
        return 0;
    /* Training mode normalises with the batch's statistics, and the extra
     * outputs (running or saved mean/variance) would lose their producer. */
    if (ir_attr_int(bn, "training_mode", 0) != 0)
        return 0;
    for (int k = 1; k < bn->n_outputs; k++)
        if (bn->outputs[k] >= 0)
            return 0;
    ir_tensor *x = &g->tensors[bn->inputs[0]];
    if (x->producer < 0 || x->output_index >= 0 || uses[bn->inputs[0]] != 1)
        return 0;
    ir_node *p = &g->nodes[x->producer];
    int is_conv = strcmp(p->op, "Conv") == 0, is_gemm = strcmp(p->op, "Gemm") == 0;
    if ((!is_conv && !is_gemm) || p->act != IR_ACT_NONE || p->n_inputs < 2 || p->inputs[1] < 0)
        return 0;
    /* Gemm's output is 2-D with channels on axis 1, like BatchNorm's input. */
    if (x->shape.rank < 2 || x->dtype != IR_FLOAT)
        return 0;
    const ir_tensor *w = &g->tensors[p->inputs[1]];
    if (!w->data || w->dtype != IR_FLOAT)
        return 0;
    int64_t channels, ch_stride, ch_len, ch_step;
    if (channel_layout(g, p, &channels, &ch_stride, &ch_len, &ch_step) ||
        channels != x->shape.dims[1])
        return 0;
    const ir_tensor *scale = const_input(g, bn, 1, channels), *shift = const_input(g, bn, 2, channels),
                    *mean = const_input(g, bn, 3, channels), *var = const_input(g, bn, 4, channels);
    const ir_tensor *bias = p->n_inputs > 2 && p->inputs[2] >= 0 ? &g->tensors[p->inputs[2]] : NULL;
    if (!scale || !shift || !mean || !var)
        return 0;
    if (bias && (!bias->data || bias->dtype != IR_FLOAT || ir_tensor_numel(bias) != channels))
        return 0;
    /* Gemm's C broadcasts: only a row vector ([N] or [1, N]) is a per-channel
     * bias; a column [M, 1] of the same length adds per row. */
    if (bias && is_gemm && bias->shape.rank > 1 &&
        (bias->shape.rank != 2 || bias->shape.dims[0] != 1))
        return 0;
    if (is_gemm && ir_attr_float(p, "beta", 1.0f) != 1.0f && bias)
        return 0;
    float eps = ir_attr_float(bn, "epsilon", 1e-5f);
    /* Adding tensors below may move the tensor array: keep the data pointers. */
    const float *sc = scale->data, *sh = shift->data, *mu = mean->data, *vr = var->data;
    const float *b0 = bias ? bias->data : NULL;
    int w_index = p->inputs[1], x_index = bn->inputs[0];

    int nw = clone_const(g, w_index, "_bnfused");
    ir_shape bshape = {.rank = 1, .dims = {channels}};
    char bname[512];
    snprintf(bname, sizeof bname, "%s_bnfused_bias", g->tensors[bn->outputs[0]].name);
    int nb = ir_graph_add_tensor(g, bname);
    if (nw < 0 || nb < 0 || ir_tensor_set_const(&g->tensors[nb], IR_FLOAT, &bshape))
        return diag_error(d, "out of memory");
    /* Pointers are taken after the graph stopped growing. */
    float *wd = g->tensors[nw].data, *bd = g->tensors[nb].data;
    for (int64_t c = 0; c < channels; c++) {
        double k = (double)sc[c] / sqrt((double)vr[c] + (double)eps);
        float *row = wd + c * ch_stride;
        for (int64_t j = 0; j < ch_len; j++)
            row[j * ch_step] = (float)(row[j * ch_step] * k);
        bd[c] = (float)(((b0 ? (double)b0[c] : 0.0) - mu[c]) * k + sh[c]);
    }
    p = &g->nodes[g->tensors[x_index].producer];
    if (p->n_inputs < 3) {
        int *in = realloc(p->inputs, sizeof(int) * 3);
        if (!in)
            return diag_error(d, "out of memory");
        p->inputs = in;
        p->n_inputs = 3;
    }
    p->inputs[1] = nw;
    p->inputs[2] = nb;
    if (is_gemm && !bias) {
        /* Gemm's C input is scaled by beta; the new bias must not be. */
        for (int i = 0; i < p->n_attrs; i++)
            if (strcmp(p->attrs[i].name, "beta") == 0)
                p->attrs[i].f = 1.0f;
    }
    p->outputs[0] = bn->outputs[0];
    bn->dead = 1;
    return 0;
}

int pass_fuse_batchnorm(ir_graph *g, diag *d)
{
    int *uses = ir_graph_use_counts(g);
    if (!uses)
        return diag_error(d, "out of memory");
    int rc = 0;
    for (int i = 0; i < g->n_nodes && rc == 0; i++) {
        if (g->nodes[i].dead || strcmp(g->nodes[i].op, "BatchNormalization") != 0)
            continue;
        rc = try_fuse(g, &g->nodes[i], uses, d);
    }
    free(uses);
    ir_graph_compact(g);
    return rc;
}
