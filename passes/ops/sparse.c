/* Which nodes can run sparse, and the sizes their kernels work with. */
#include <string.h>

#include "sparse.h"

static const ir_tensor *const_float(const ir_graph *g, const ir_node *n, int i)
{
    const ir_tensor *t = ir_node_in((ir_graph *)g, n, i);
    return t && t->data && t->dtype == IR_FLOAT && t->has_shape ? t : NULL;
}

static int view_conv(const ir_graph *g, const ir_node *n, sparse_view *v)
{
    conv_geom cg;
    diag quiet;
    diag_init(&quiet);
    int bad = conv_geometry(g, n, &cg, &quiet);
    diag_free(&quiet);
    const ir_tensor *w = const_float(g, n, 1), *b = ir_node_in((ir_graph *)g, n, 2);
    if (bad || !w || cg.group != 1 || (b && !const_float(g, n, 2)))
        return -1;
    v->rows = cg.cout;
    v->cols = conv_taps(&cg);
    v->w = w->data;
    v->w_rs = v->cols;
    v->w_cs = 1;
    v->bias = b ? b->data : NULL;
    v->bias_step = 1;
    return 0;
}

/* Gemm: Y = alpha * A' * B' + beta * C with A the activations; the sparse
 * matrix is B' transposed, and C must be one value per column or one in
 * all (a bias). */
static int view_gemm(const ir_graph *g, const ir_node *n, sparse_view *v)
{
    const ir_tensor *x = ir_node_in((ir_graph *)g, n, 0), *w = const_float(g, n, 1);
    const ir_tensor *c = ir_node_in((ir_graph *)g, n, 2);
    if (!x || x->data || !w || w->shape.rank != 2 || ir_attr_int(n, "transA", 0) != 0)
        return -1;
    int tb = ir_attr_int(n, "transB", 0) != 0;
    int64_t k = w->shape.dims[tb ? 1 : 0], cols = w->shape.dims[tb ? 0 : 1];
    v->rows = cols;
    v->cols = k;
    v->w = w->data;
    v->w_rs = tb ? k : 1;
    v->w_cs = tb ? 1 : cols;
    v->scale = ir_attr_float(n, "alpha", 1.0f);
    v->bias_scale = ir_attr_float(n, "beta", 1.0f);
    if (c) {
        int64_t numel = ir_tensor_numel(c);
        int per_column = numel == cols && c->shape.dims[c->shape.rank - 1] == cols;
        if (!const_float(g, n, 2) || (numel != 1 && !per_column))
            return -1;
        v->bias = c->data;
        v->bias_step = numel == 1 ? 0 : 1;
    }
    return 0;
}

static int view_matmul(const ir_graph *g, const ir_node *n, sparse_view *v)
{
    const ir_tensor *x = ir_node_in((ir_graph *)g, n, 0), *w = const_float(g, n, 1);
    if (!x || x->data || !x->has_shape || x->shape.rank < 2 || !w || w->shape.rank != 2)
        return -1;
    v->rows = w->shape.dims[1];
    v->cols = w->shape.dims[0];
    v->w = w->data;
    v->w_rs = 1;
    v->w_cs = v->rows;
    return 0;
}

static const struct {
    const char *op;
    int (*view)(const ir_graph *, const ir_node *, sparse_view *);
} viewers[] = {{"Conv", view_conv}, {"Gemm", view_gemm}, {"MatMul", view_matmul}};

int sparse_view_make(const ir_graph *g, const ir_node *n, sparse_view *v)
{
    memset(v, 0, sizeof *v);
    v->scale = 1.0f;
    v->bias_scale = 1.0f;
    for (size_t i = 0; i < sizeof viewers / sizeof viewers[0]; i++)
        if (strcmp(n->op, viewers[i].op) == 0) {
            const ir_tensor *y = ir_node_out((ir_graph *)g, n, 0);
            if (!y || y->dtype != IR_FLOAT || viewers[i].view(g, n, v))
                return -1;
            /* The kernel indexes rows and segments with int. */
            return v->rows > 0 && v->cols > 0 && v->rows * sparse_chunks(v->cols) < 0x7fffffffLL
                       ? 0
                       : -1;
        }
    return -1;
}

int64_t sparse_chunks(int64_t cols) { return (cols + SPARSE_KC - 1) / SPARSE_KC; }

int sparse_first_input(const ir_node *n)
{
    return n->n_inputs - IR_SPARSE_INPUTS - (n->residual ? 1 : 0);
}

int64_t sparse_compact_bytes(int64_t rows, int64_t cols, int64_t nnz)
{
    return nnz * (int64_t)(sizeof(float) + 1) + (rows * sparse_chunks(cols) + 1) * 4;
}

void sparse_conv_plan_make(const ir_graph *g, const conv_geom *cg, sparse_conv_plan *p)
{
    int64_t taps = conv_taps(cg);
    p->positions = conv_positions(cg);
    p->pointwise = taps == cg->cin;
    for (int i = 0; i < cg->nsp; i++)
        p->pointwise = p->pointwise && cg->s[i] == 1 && cg->pb[i] == 0 && cg->pe[i] == 0;
    if (p->pointwise) {
        p->band_cols = p->positions;
        p->scratch_bytes = 0;
        return;
    }
    /* im2col columns a band at a time, within the budget the dense
     * kernels keep to, in whole column blocks. */
    int64_t band = gemm_band_budget(g) / taps / SPARSE_W * SPARSE_W;
    band = band < SPARSE_W ? SPARSE_W : band;
    p->band_cols = band < p->positions ? band : p->positions;
    p->scratch_bytes = taps * p->band_cols * (int64_t)sizeof(float);
}

/* Positions per product: a Conv's output pixels per image and channel, a
 * Gemm/MatMul's rows of activations. */
int64_t sparse_positions(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    if (strcmp(n->op, "Conv") == 0)
        return y->shape.rank > 2 ? ir_shape_numel(&y->shape) / y->shape.dims[0] / y->shape.dims[1]
                                 : 1;
    return y->shape.rank >= 2 ? y->shape.dims[y->shape.rank - 2] : 1;
}

int sparse_unrolled_ok(const ir_graph *g, const ir_node *n)
{
    if (strcmp(n->op, "Conv") == 0)
        return 1;
    /* One row of activations (a fully connected layer on one sample). */
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    sparse_view v;
    return sparse_view_make(g, n, &v) == 0 && ir_shape_numel(&x->shape) == v.cols;
}

int64_t sparse_unrolled_bytes(int64_t rows, int64_t nnz, int64_t positions)
{
    int64_t w = positions < SPARSE_W ? positions : SPARSE_W, vectors = (w + 7) / 8;
    return nnz * (13 + 10 * vectors) + rows * (24 + 16 * vectors) + 64;
}
