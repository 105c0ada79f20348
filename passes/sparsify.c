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
 * goes sparse below ~32% density, a one-row product below ~45%.
 *
 * Then, within --max-code-kb, sparse layers whose code fits the
 * instruction cache are unrolled (their weights and positions baked into
 * code: 10-20% faster on the small layers of ds_cnn and MobileNetV1-0.25),
 * layers with the most positions first: the time an unrolled nonzero saves
 * grows with the positions it multiplies, its code does not. */
#include <math.h>
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
/* A layer's unrolled code runs once per block of positions: beyond the
 * instruction cache (32 KB here) it streams from L2 every time, and the
 * compact loop, reading 5 bytes a nonzero, wins (ResNet-18 at 80%: 1.23x
 * ORT with this limit, 1.34x with its 200 KB layers unrolled). */
#define UNROLL_MAX_LAYER_BYTES (24 * 1024)

static int choose_sparse(const ir_graph *g, const ir_node *n, const pass_options *o,
                         double density)
{
    if (o->sparse == SPARSE_OFF)
        return 0;
    if (o->sparse == SPARSE_ON)
        return 1;
    int64_t pos = sparse_positions(g, n);
    int dense_row = strcmp(n->op, "Conv") != 0 && pos <= GEMM_ROWVEC_MAX_M;
    double dense = 1.0 / (dense_row ? RATE_DENSE_ROW : RATE_DENSE_BLOCKED);
    /* Vectors over positions from 8 of them: a Conv's 8-position blocks, a
     * product that pass_layout transposes. */
    double sparse =
        density / (pos >= SPARSE_TRANSPOSE_MIN_ROWS ? RATE_SPARSE_BLOCKS : RATE_SPARSE_COLUMNS);
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

/* Whether a ReLU's output reaches node n's input 0 through operators that
 * keep zeros (pooling by maximum, reshaping): then many inputs are zero. */
static int input_after_relu(const ir_graph *g, const ir_node *n)
{
    static const char *const keep[] = {"Flatten", "Reshape", "MaxPool", "Identity", "Squeeze",
                                       "Unsqueeze"};
    int t = n->inputs[0];
    for (int depth = 0; depth < 16 && t >= 0 && g->tensors[t].producer >= 0; depth++) {
        const ir_node *p = &g->nodes[g->tensors[t].producer];
        if (p->act == IR_ACT_RELU || strcmp(p->op, "Relu") == 0)
            return 1;
        size_t i = 0;
        while (i < sizeof keep / sizeof keep[0] && strcmp(p->op, keep[i]) != 0)
            i++;
        if (i == sizeof keep / sizeof keep[0] || p->act != IR_ACT_NONE)
            return 0;
        t = p->inputs[0];
    }
    return 0;
}

/* Skipping a zero input skips 0 * w, which is 0 only for finite w. */
static int weights_finite(const sparse_view *v)
{
    for (int64_t r = 0; r < v->rows; r++)
        for (int64_t k = 0; k < v->cols; k++)
            if (!isfinite(v->w[r * v->w_rs + k * v->w_cs]))
                return 0;
    return 1;
}

/* Counts the weights of a layer (Conv, ConvTranspose, Gemm or MatMul with
 * constant float32 input 1), those without a sparse kernel (grouped and
 * depthwise Conv, ...) too, for the report. 0 when n is no such layer. */
static int count_weights(const ir_graph *g, ir_node *n)
{
    static const char *const weighted[] = {"Conv", "ConvTranspose", "Gemm", "MatMul"};
    const ir_tensor *w = n->n_inputs > 1 && n->inputs[1] >= 0 ? &g->tensors[n->inputs[1]] : NULL;
    size_t i = 0;
    while (i < sizeof weighted / sizeof weighted[0] && strcmp(n->op, weighted[i]) != 0)
        i++;
    if (i == sizeof weighted / sizeof weighted[0] || !w || !w->data || w->dtype != IR_FLOAT)
        return 0;
    int64_t count = ir_tensor_numel(w), nnz = 0;
    const float *d = w->data;
    for (int64_t k = 0; k < count; k++)
        nnz += d[k] != 0.0f;
    n->weight_count = count;
    n->weight_nonzeros = nnz;
    n->weight_bytes = count * (int64_t)sizeof(float);
    return 1;
}

static int by_positions(const void *a, const void *b)
{
    const int64_t *x = a, *y = b; /* {positions, node index} */
    if (x[0] != y[0])
        return x[0] > y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Unrolls sparse layers, most positions first, within the code budget. */
static int unroll_within_budget(ir_graph *g, const pass_options *o, diag *d)
{
    int64_t (*cand)[2] = ir_alloc(sizeof *cand * (size_t)(g->n_nodes ? g->n_nodes : 1));
    if (!cand)
        return diag_error(d, "out of memory");
    int nc = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].sparse == IR_SPARSE_COMPACT && sparse_unrolled_ok(g, &g->nodes[i])) {
            cand[nc][0] = sparse_positions(g, &g->nodes[i]);
            cand[nc++][1] = i;
        }
    qsort(cand, (size_t)nc, sizeof *cand, by_positions);
    int64_t left = o->max_code_bytes;
    for (int c = 0; c < nc; c++) {
        ir_node *n = &g->nodes[cand[c][1]];
        sparse_view v;
        sparse_view_make(g, n, &v);
        int64_t bytes = sparse_unrolled_bytes(v.rows, n->weight_nonzeros, cand[c][0]);
        if (bytes > left || bytes > UNROLL_MAX_LAYER_BYTES)
            continue;
        left -= bytes;
        n->sparse = IR_SPARSE_UNROLLED;
        n->code_bytes = bytes;
        n->skip_zero_inputs = 0;
        n->weight_bytes = 0; /* in the code */
        if (o->log)
            fprintf(o->log, "sparsify %s (%s): unrolled, ~%lld bytes of code\n", n->name, n->op,
                    (long long)bytes);
    }
    free(cand);
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
        /* A view's rows x columns are all of the weight tensor's elements. */
        if (n->sparse != IR_SPARSE_NONE || !count_weights(g, n) || sparse_view_make(g, n, &v))
            continue;
        int64_t count = n->weight_count, nnz = n->weight_nonzeros;
        if (!choose_sparse(g, n, o, (double)nnz / (double)count))
            continue;
        if (encode(g, i, &v, nnz))
            return diag_error(d, "out of memory");
        n = &g->nodes[i];
        n->sparse = IR_SPARSE_COMPACT;
        n->skip_zero_inputs = o->skip_zero_inputs && strcmp(n->op, "Conv") != 0 &&
                              sparse_positions(g, n) == 1 && input_after_relu(g, n) &&
                              weights_finite(&v);
        n->weight_bytes = sparse_compact_bytes(v.rows, v.cols, nnz) +
                          (v.bias ? v.rows * (int64_t)sizeof(float) : 0);
        if (o->log)
            fprintf(o->log, "sparsify %s (%s): %lld of %lld weights nonzero (%.1f%%), %s\n",
                    n->name, n->op, (long long)nnz, (long long)count,
                    100.0 * (double)nnz / (double)count,
                    n->skip_zero_inputs ? "sparse-compact, skipping zero inputs" : "sparse-compact");
    }
    return unroll_within_budget(g, o, d);
}
