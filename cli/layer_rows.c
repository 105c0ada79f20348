/* Per-layer figures for the -v summary and --report. */
#include "layer_rows.h"

#include <stdio.h>
#include <string.h>

#include "../passes/ops/conv_gemm.h"

/* macs * nonzeros / count, rounded down, without overflowing: the product
 * of two int64 counts can exceed int64 on big layers. */
static int64_t scale_by_density(int64_t macs, int64_t nonzeros, int64_t count)
{
    if (count <= 0)
        return macs;
    if (nonzeros < 0)
        nonzeros = 0;
    if (nonzeros > count)
        nonzeros = count;
    int64_t whole = macs / count, rest = macs % count;
    if (nonzeros == 0 || rest <= INT64_MAX / nonzeros)
        return whole * nonzeros + rest * nonzeros / count;
    return whole * nonzeros + (int64_t)((double)rest * (double)nonzeros / (double)count);
}

/* 1 when input k repeats an earlier input of n (Mul(w, w) holds w once). */
static int repeats_earlier_input(const ir_node *n, int k)
{
    for (int j = 0; j < k; j++)
        if (n->inputs[j] == n->inputs[k])
            return 1;
    return 0;
}

void layer_row_make(const ir_graph *g, const ir_node *n, layer_row *r)
{
    memset(r, 0, sizeof *r);
    const op_handler *h = op_find(n->op);
    r->dense_macs = h && h->macs ? h->macs(g, n) : 0;
    r->effective_macs = scale_by_density(r->dense_macs, n->weight_nonzeros, n->weight_count);
    int64_t const_bytes = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        if (n->inputs[k] < 0 || repeats_earlier_input(n, k))
            continue;
        const ir_tensor *t = &g->tensors[n->inputs[k]];
        if (!t->data)
            continue;
        r->const_elems += ir_tensor_numel(t);
        const_bytes += (int64_t)ir_tensor_bytes(t);
    }
    r->weight_bytes = n->weight_count > 0 ? n->weight_bytes : const_bytes;
    r->arena_bytes = n->scratch_bytes;
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && g->tensors[n->outputs[k]].storage == IR_STORE_ARENA)
            r->arena_bytes += (int64_t)ir_tensor_bytes(&g->tensors[n->outputs[k]]);
}

/* The dense kernel's name, or NULL when n->kernel is not one of the
 * Conv/Gemm/MatMul variants. Sparse kernels keep the dense one's loop
 * structure but not its matrix product, hence the shorter form. */
static const char *variant_name(const ir_node *n, int sparse)
{
    if (strcmp(n->op, "Conv") == 0) {
        switch (n->kernel) {
        case CONV_K_IM2COL:
            return sparse ? "im2col" : "im2col-gemm";
        case CONV_K_POINTWISE:
            return sparse ? "pointwise" : "pointwise-gemm";
        case CONV_K_DEPTHWISE:
            return "depthwise";
        default:
            return NULL;
        }
    }
    if (strcmp(n->op, "Gemm") == 0 || strcmp(n->op, "MatMul") == 0) {
        switch (n->kernel) {
        case GEMM_K_BLOCKED:
            return "gemm";
        case GEMM_K_ROWVEC:
            return "rowvec";
        case GEMM_K_SPARSE:
            return "spmm";
        default:
            return NULL;
        }
    }
    return NULL;
}

static const char *sparse_prefix(ir_sparse s)
{
    switch (s) {
    case IR_SPARSE_COMPACT:
        return "sparse-compact/";
    case IR_SPARSE_UNROLLED:
        return "sparse-unrolled/";
    default:
        return "";
    }
}

static const char *act_suffix(ir_act a)
{
    switch (a) {
    case IR_ACT_RELU:
        return "+relu";
    case IR_ACT_CLIP:
        return "+clip";
    default:
        return "";
    }
}

const char *layer_kernel_name(const ir_node *n, char *buf, size_t size)
{
    const char *prefix = sparse_prefix(n->sparse);
    const char *variant = variant_name(n, prefix[0] != 0);
    char base[96];
    if (variant)
        snprintf(base, sizeof base, "%s", variant);
    else if (n->kernel)
        snprintf(base, sizeof base, "%.80s#%d", n->op, n->kernel);
    else
        snprintf(base, sizeof base, "%.80s", n->op);
    snprintf(buf, size, "%s%s%s%s%s", prefix, base, n->residual ? "+residual" : "",
             act_suffix(n->act), n->transposed ? "(transposed)" : "");
    return buf;
}

void layer_totals_add(layer_totals *t, const ir_node *n, const layer_row *r)
{
    t->layers++;
    t->dense_macs += r->dense_macs;
    t->effective_macs += r->effective_macs;
    if (n->weight_count > 0) {
        t->weight_count += n->weight_count;
        t->weight_nonzeros += n->weight_nonzeros;
    }
    t->code_bytes += n->code_bytes;
    t->weight_bytes += r->weight_bytes;
}

int layer_sparsity(int64_t nonzeros, int64_t count, double *sparsity)
{
    if (count <= 0)
        return 0;
    *sparsity = 1.0 - (double)nonzeros / (double)count;
    return 1;
}
