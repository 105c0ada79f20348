/* Sparsification: per Conv/Gemm/MatMul with constant weights, counts the
 * nonzeros and chooses a dense or a sparse kernel by a cost model; a
 * sparse node gets its weights in compact form (passes/ops/sparse.h) as
 * appended constant inputs, which is all its kernel reads.
 *
 * The cost model compares run times estimated from multiply-adds and the
 * rates the kernels reach (measured with bench/ on a Xeon at 2.6 GHz,
 * 256-bit vectors): the blocked dense product ~40 multiply-adds per ns,
 * the one-row dense product ~3 (it streams every weight from memory), the
 * sparse kernel over blocks of positions ~14 on the nonzeros, and ~1.5
 * where it works one position at a time (fewer than 8 positions). Sparse
 * is chosen when it is estimated at least 10% faster. So a large layer
 * goes sparse below ~32% density, a one-row product below ~45%. */
#include <stdlib.h>
#include <string.h>

#include "ops/conv_gemm.h"
#include "ops/sparse.h"
#include "passes.h"

#define RATE_DENSE_BLOCKED 40.0
#define RATE_DENSE_ROW 3.0
#define RATE_SPARSE_BLOCKS 14.0
#define RATE_SPARSE_COLUMNS 1.5
#define SPARSE_GAIN 0.9

/* Positions a sparse kernel runs over per product (columns of C), and
 * whether the dense kernel would be the one-row product. */
static int64_t positions(const ir_graph *g, const ir_node *n, int *dense_row)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    *dense_row = 0;
    if (strcmp(n->op, "Conv") == 0)
        return y->shape.rank > 2 ? ir_shape_numel(&y->shape) / y->shape.dims[0] / y->shape.dims[1]
                                 : 1;
    /* Gemm/MatMul: the rows of the activations, which pass_layout turns
     * into positions when there are enough of them. */
    int64_t m = y->shape.rank >= 2 ? y->shape.dims[y->shape.rank - 2] : 1;
    *dense_row = m <= GEMM_ROWVEC_MAX_M;
    return m;
}

static int choose_sparse(const ir_graph *g, const ir_node *n, const pass_options *o,
                         double density)
{
    if (o->sparse == SPARSE_OFF)
        return 0;
    if (o->sparse == SPARSE_ON)
        return 1;
    int dense_row;
    int64_t pos = positions(g, n, &dense_row);
    double dense = 1.0 / (dense_row ? RATE_DENSE_ROW : RATE_DENSE_BLOCKED);
    double sparse = density / (pos >= 8 ? RATE_SPARSE_BLOCKS : RATE_SPARSE_COLUMNS);
    return sparse < SPARSE_GAIN * dense;
}

static int add_const(ir_graph *g, const ir_node *n, const char *what, ir_dtype dt, int64_t count)
{
    char name[512];
    snprintf(name, sizeof name, "%s/sparse_%s", n->name, what);
    int t = ir_graph_add_tensor(g, name);
    if (t < 0)
        return -1;
    ir_shape s = {.rank = 1, .dims = {count}};
    return ir_tensor_set_const(&g->tensors[t], dt, &s) ? -1 : t;
}

/* Appends the compact encoding of v (nnz nonzeros) to node ni's inputs. */
static int encode(ir_graph *g, int ni, const sparse_view *v, int64_t nnz)
{
    int64_t chunks = sparse_chunks(v->cols), rows = v->rows;
    const ir_node *n = &g->nodes[ni];
    int ts = add_const(g, n, "seg", IR_INT32, chunks * rows + 1);
    int tx = add_const(g, n, "index", IR_UINT8, nnz ? nnz : 1);
    int tv = add_const(g, n, "value", IR_FLOAT, nnz ? nnz : 1);
    int tb = v->bias ? add_const(g, n, "bias", IR_FLOAT, rows) : -1;
    if (ts < 0 || tx < 0 || tv < 0 || (v->bias && tb < 0))
        return -1;
    int32_t *seg = g->tensors[ts].data;
    uint8_t *index = g->tensors[tx].data;
    float *value = g->tensors[tv].data;
    int64_t e = 0;
    for (int64_t ch = 0; ch < chunks; ch++) {
        int64_t k1 = (ch + 1) * SPARSE_KC < v->cols ? (ch + 1) * SPARSE_KC : v->cols;
        for (int64_t r = 0; r < rows; r++) {
            seg[ch * rows + r] = (int32_t)e;
            for (int64_t k = ch * SPARSE_KC; k < k1; k++) {
                float w = v->w[r * v->w_rs + k * v->w_cs];
                if (w != 0.0f) {
                    index[e] = (uint8_t)(k - ch * SPARSE_KC);
                    value[e++] = v->scale * w;
                }
            }
        }
    }
    seg[chunks * rows] = (int32_t)e;
    if (v->bias) {
        float *bias = g->tensors[tb].data;
        for (int64_t r = 0; r < rows; r++)
            bias[r] = v->bias_scale * v->bias[r * v->bias_step];
    }
    ir_node *m = &g->nodes[ni];
    /* The encoding follows the op's own inputs, absent ones included, so
     * that input i keeps meaning what ONNX says (a Conv without bias). */
    int arity = strcmp(m->op, "MatMul") == 0 ? 2 : 3;
    while (m->n_inputs < arity)
        if (ir_node_append_input(m, -1))
            return -1;
    if (ir_node_append_input(m, ts) || ir_node_append_input(m, tx) ||
        ir_node_append_input(m, tv) || ir_node_append_input(m, tb))
        return -1;
    return 0;
}

int pass_sparsify(ir_graph *g, const pass_options *o, diag *d)
{
    static const pass_options defaults;
    if (!o)
        o = &defaults;
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        sparse_view v;
        if (n->sparse != IR_SPARSE_NONE || sparse_view_make(g, n, &v))
            continue;
        int64_t count = v.rows * v.cols, nnz = 0;
        for (int64_t r = 0; r < v.rows; r++)
            for (int64_t k = 0; k < v.cols; k++)
                nnz += v.w[r * v.w_rs + k * v.w_cs] != 0.0f;
        n->weight_count = count;
        n->weight_nonzeros = nnz;
        n->weight_bytes = count * (int64_t)sizeof(float);
        if (!choose_sparse(g, n, o, (double)nnz / (double)count))
            continue;
        if (encode(g, i, &v, nnz))
            return diag_error(d, "out of memory");
        n = &g->nodes[i];
        n->sparse = IR_SPARSE_COMPACT;
        n->weight_bytes = sparse_compact_bytes(v.rows, v.cols, nnz) +
                          (v.bias ? v.rows * (int64_t)sizeof(float) : 0);
        if (o->log)
            fprintf(o->log, "sparsify %s (%s): %lld of %lld weights nonzero (%.1f%%), %s\n",
                    n->name, n->op, (long long)nnz, (long long)count,
                    100.0 * (double)nnz / (double)count, "sparse-compact");
    }
    return 0;
}
