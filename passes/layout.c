/* Layout pass: sparse Gemm/MatMul over many rows run transposed.
 *
 * Sparse kernels work channel-first: one broadcast weight times a vector of
 * pixels (Conv in NCHW already is). A sparse product Y = X * W (X: [..., M, K]
 * activations, W: constant K x N) over M >= LAYOUT_MIN_ROWS rows therefore
 * runs as Y^T = W^T * X^T, vectorised over the M rows. The pass marks such
 * a node, puts a Transpose before its input 0 and after its output 0, and
 * then moves and cancels those Transposes so that chains like MatMul ->
 * bias Add -> Relu -> MatMul keep their activations transposed in between.
 * The graph's inputs and outputs, and every tensor read by an op that is not
 * layout-agnostic, keep ONNX layout. Inverse Transpose pairs that were in
 * the graph before cancel as well.
 *
 * What a node with n->transposed = 1 means (codegen reads it so):
 *   MatMul: input 0 holds X^T, shape [..., K, M] (X's last two axes
 *     swapped, batch axes unchanged); input 1 is W in ONNX layout, [K, N],
 *     unchanged; output 0 holds Y^T, shape [..., N, M]:
 *       Y^T[..., j, m] = sum_k W[k, j] * X^T[..., k, m].
 *   Gemm: transA is 0; input 0 holds A^T, [K, M]; B is unchanged with its
 *     transB (B' = transB ? B^T : B, [K, N]); C is absent, one value, or
 *     N values ([N] or [1, N]), unchanged; output 0 holds Y^T, [N, M]:
 *       Y^T[j, m] = alpha * sum_k B'[k, j] * A^T[k, m] + beta * C[j]
 *     (C[0] for a single value).
 *   For both: act/act_min/act_max apply element-wise to Y^T; the weight
 *   counts, sparse and code_bytes stay as pass_sparsify set them; residual
 *   is 0 (residual nodes are not transposed). The op handlers still
 *   describe the ONNX form, so infer must not be re-run on such a node, and
 *   macs/select must read M and K with input 0's last two axes swapped.
 *
 * New nodes and tensors are named "<node>/layout_in" (X^T, shared by every
 * transposed reader of the same X) and "<node>/layout_out" (Y^T); pushed
 * constants "<node>/layout_const" (layout_push.c). */
#include <stdlib.h>
#include <string.h>

#include "layout.h"

/* Gemm's C broadcasts per output column only: absent, one value, [N] or [1, N]. */
static int gemm_bias_per_column(ir_graph *g, const ir_node *n, int64_t cols)
{
    const ir_tensor *c = ir_node_in(g, n, 2);
    if (!c)
        return 1;
    const ir_shape *s = &c->shape;
    if (!c->has_shape || s->rank > 2 || (s->rank == 2 && s->dims[0] != 1))
        return 0;
    return s->rank == 0 || s->dims[s->rank - 1] == cols || s->dims[s->rank - 1] == 1;
}

static int is_candidate(ir_graph *g, const ir_node *n)
{
    if (n->transposed || n->sparse == IR_SPARSE_NONE || n->residual != 0 || n->n_outputs != 1)
        return 0;
    const ir_tensor *x = ir_node_in(g, n, 0), *w = ir_node_in(g, n, 1), *y = ir_node_out(g, n, 0);
    if (!x || !w || !y || x->data || !w->data || !x->has_shape || !y->has_shape ||
        x->shape.rank < 2 || y->shape.rank != x->shape.rank ||
        x->shape.dims[x->shape.rank - 2] < LAYOUT_MIN_ROWS)
        return 0;
    /* Inputs past the op's own are a sparse node's encoding (sparsify). */
    if (strcmp(n->op, "MatMul") == 0)
        return w->shape.rank == 2;
    if (strcmp(n->op, "Gemm") == 0)
        return x->shape.rank == 2 && ir_attr_int(n, "transA", 0) == 0 &&
               gemm_bias_per_column(g, n, y->shape.dims[1]);
    return 0;
}

/* A new tensor named "<base><suffix>" and a Transpose of that name
 * swapping the last two axes: from tensor in into the new one (out < 0),
 * or from the new one, typed as out swapped, into tensor out (in < 0).
 * Returns the new tensor's index, or -1; the Transpose's goes to *node. */
static int add_swap_pair(ir_graph *g, const char *base, const char *suffix, int in, int out,
                         int *node, diag *d)
{
    char *name = layout_name(base, suffix);
    int t = name ? ir_graph_add_tensor(g, name) : -1;
    if (t < 0) {
        free(name);
        return diag_error(d, "out of memory in the layout pass");
    }
    if (out >= 0) { /* Y^T: the swapped shape of out, written by its node */
        ir_shape s = g->tensors[out].shape;
        int r = s.rank;
        s.dims[r - 2] = g->tensors[out].shape.dims[r - 1];
        s.dims[r - 1] = g->tensors[out].shape.dims[r - 2];
        ir_tensor_set_type(&g->tensors[t], g->tensors[out].dtype, &s);
        *node = layout_add_swap(g, name, t, out, d);
    } else {
        *node = layout_add_swap(g, name, in, t, d);
    }
    free(name);
    return *node < 0 ? -1 : t;
}

/* Node i reads X^T through a Transpose shared by all transposed readers of
 * X (swapped[X], -1 until made) and writes Y^T, which a new Transpose turns
 * back into its old output tensor. The new layout_out Transpose's index
 * goes to *tout. */
static int transpose_node(ir_graph *g, int i, int *swapped, int *tout, diag *d)
{
    int x = g->nodes[i].inputs[0], y = g->nodes[i].outputs[0], tin;
    if (swapped[x] < 0)
        swapped[x] = add_swap_pair(g, g->nodes[i].name, "/layout_in", x, -1, &tin, d);
    if (swapped[x] < 0)
        return -1;
    int yt = add_swap_pair(g, g->nodes[i].name, "/layout_out", -1, y, tout, d);
    if (yt < 0)
        return -1;
    ir_node *n = &g->nodes[i];
    n->inputs[0] = swapped[x];
    n->outputs[0] = yt;
    n->transposed = 1;
    return 0;
}

/* Transposes every candidate; the layout_out Transposes' indices go to
 * touts (room for every node), their count to *count. */
static int transpose_candidates(ir_graph *g, int *touts, int *count, FILE *log, diag *d)
{
    int n_tensors = g->n_tensors, n_nodes = g->n_nodes, rc = 0;
    int *swapped = malloc(sizeof(int) * (size_t)(n_tensors + 1));
    if (!swapped)
        return diag_error(d, "out of memory in the layout pass");
    for (int t = 0; t < n_tensors; t++)
        swapped[t] = -1;
    *count = 0;
    for (int i = 0; i < n_nodes && rc == 0; i++) {
        if (g->nodes[i].dead || !is_candidate(g, &g->nodes[i]))
            continue;
        rc = transpose_node(g, i, swapped, &touts[*count], d);
        if (rc == 0) {
            (*count)++;
            if (log)
                fprintf(log, "layout: %s '%s' runs transposed\n", g->nodes[i].op,
                        g->nodes[i].name);
        }
    }
    free(swapped);
    return rc;
}

static int count_transposes(const ir_graph *g)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += strcmp(g->nodes[i].op, "Transpose") == 0;
    return n;
}

int pass_layout(ir_graph *g, const pass_options *o, diag *d)
{
    FILE *log = o ? o->log : NULL;
    /* Moving Transposes visits ops in node order, which must be topological. */
    ir_graph_compact(g);
    if (ir_graph_toposort(g, d))
        return -1;
    int count = 0, n_nodes = g->n_nodes;
    /* At most one layout_out Transpose per node of the graph as it comes. */
    int *touts = malloc(sizeof(int) * (size_t)(n_nodes + 1));
    if (!touts)
        return diag_error(d, "out of memory in the layout pass");
    int rc = transpose_candidates(g, touts, &count, log, d);
    if (rc == 0)
        rc = layout_push(g, touts, count, d);
    free(touts);
    if (rc)
        return -1;
    ir_graph_compact(g);
    if (ir_graph_toposort(g, d))
        return -1;
    int dropped = layout_cancel(g, d);
    if (dropped < 0)
        return -1;
    ir_graph_compact(g);
    if (log && (count || dropped))
        fprintf(log, "layout: %d nodes transposed, %d Transposes cancelled, %d left\n", count,
                dropped, count_transposes(g));
    return ir_graph_toposort(g, d);
}
