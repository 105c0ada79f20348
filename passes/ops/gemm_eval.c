/* Gemm and MatMul on constants: plain triple loops summing in double. */
#include "conv_gemm.h"
#include "eval_ref.h"

/* An operand seen as a matrix: element (i, j) is p[i * rs + j * cs]. */
typedef struct mat_view {
    const float *p;
    int64_t rs, cs;
} mat_view;

/* Sum over t of a(i, t) * b(t, j). */
static double dot(const mat_view *a, const mat_view *b, int64_t i, int64_t j, int64_t k)
{
    double acc = 0.0;
    for (int64_t t = 0; t < k; t++)
        acc += (double)a->p[i * a->rs + t * a->cs] * b->p[t * b->rs + j * b->cs];
    return acc;
}

int gemm_eval(ir_graph *g, ir_node *n, diag *d)
{
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    const ir_tensor *at = ir_node_in(g, n, 0), *bt = ir_node_in(g, n, 1), *ct = ir_node_in(g, n, 2);
    int ta = ir_attr_int(n, "transA", 0) != 0, tb = ir_attr_int(n, "transB", 0) != 0;
    double alpha = ir_attr_float(n, "alpha", 1.0f), beta = ir_attr_float(n, "beta", 1.0f);
    int64_t m = y->shape.dims[0], cols = y->shape.dims[1], k = at->shape.dims[1 - ta];
    int64_t a_w = at->shape.dims[1], b_w = bt->shape.dims[1];
    mat_view a = {at->data, ta ? 1 : a_w, ta ? a_w : 1};
    mat_view b = {bt->data, tb ? 1 : b_w, tb ? b_w : 1};
    /* C broadcasts to m x cols: steps of 0 along its axes of extent 1. */
    const float *c = ct ? ct->data : NULL;
    int64_t c_rs = 0, c_cs = 0;
    if (ct && ct->shape.rank >= 1) {
        int64_t last = ct->shape.dims[ct->shape.rank - 1];
        c_cs = last > 1 ? 1 : 0;
        if (ct->shape.rank == 2 && ct->shape.dims[0] > 1)
            c_rs = last;
    }
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < cols; j++) {
            double v = alpha * dot(&a, &b, i, j, k);
            if (c)
                v += beta * c[i * c_rs + j * c_cs];
            out[i * cols + j] = (float)v;
        }
    return 1;
}

int matmul_eval(ir_graph *g, ir_node *n, diag *d)
{
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    matmul_plan p;
    matmul_plan_make(g, n, &p);
    const float *a = ir_node_in(g, n, 0)->data, *b = ir_node_in(g, n, 1)->data;
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    int64_t idx[IR_MAX_RANK] = {0};
    for (int64_t t = 0; t < p.batches; t++) {
        int64_t ao = 0, bo = 0;
        for (int i = 0; i < p.nb; i++) {
            ao += idx[i] * p.a_step[i];
            bo += idx[i] * p.b_step[i];
        }
        mat_view av = {a + ao, p.k, 1}, bv = {b + bo, p.n, 1};
        float *yo = out + t * p.m * p.n;
        for (int64_t i = 0; i < p.m; i++)
            for (int64_t j = 0; j < p.n; j++)
                yo[i * p.n + j] = (float)dot(&av, &bv, i, j, p.k);
        /* Next batch index, last axis fastest. */
        for (int i = p.nb - 1; i >= 0 && ++idx[i] == p.dims[i]; i--)
            idx[i] = 0;
    }
    return 1;
}
