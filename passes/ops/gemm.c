/* Matrix products: compile-time semantics. Gemm (Y = alpha * A' * B' +
 * beta * C, A' and B' optionally transposed, C broadcast to M x N) and
 * MatMul (numpy matmul: 1-D operands promoted, batch axes broadcast), on
 * float32. */
#include <string.h>

#include "conv_gemm.h"
#include "eval_ref.h"

int64_t gemm_band_budget(const ir_graph *g)
{
    int64_t largest = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs + n->n_outputs; k++) {
            int t = k < n->n_inputs ? n->inputs[k] : n->outputs[k - n->n_inputs];
            if (t < 0 || g->tensors[t].data || !g->tensors[t].has_shape)
                continue;
            int64_t bytes = (int64_t)ir_tensor_bytes(&g->tensors[t]);
            largest = bytes > largest ? bytes : largest;
        }
    }
    int64_t b = largest / (int64_t)sizeof(float) / GEMM_BAND_DIV;
    return b > GEMM_BAND_MIN ? b : GEMM_BAND_MIN;
}

static int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

/* kc deep steps over k, as even as can be, none deeper than most. */
static int64_t even_depth(int64_t k, int64_t most)
{
    int64_t steps = (k + most - 1) / most;
    return (k + steps - 1) / steps;
}

/* Whether B's block of kc x nc floats (nc rounded up) exceeds the budget. */
static int over(int64_t kc, int64_t nc, int64_t budget)
{
    return kc * round_up(nc, GEMM_NR_MIN) > budget;
}

/* The deepest even split of k whose steps fit nc columns, not below floor. */
static int64_t fit_depth(int64_t k, int64_t nc, int64_t budget, int64_t floor)
{
    int64_t most = budget / round_up(nc, GEMM_NR_MIN);
    return even_depth(k, most > floor ? most : floor);
}

/* The widest multiple of step that fits kc deep, not below step. */
static int64_t fit_width(int64_t kc, int64_t step, int64_t budget)
{
    int64_t fit = budget / kc / step * step;
    return fit > step ? fit : step;
}

void gemm_blocking_make(int64_t m, int64_t n, int64_t k, int a_plain, int64_t budget,
                        gemm_blocking *b)
{
    int64_t kc = k < GEMM_KC ? k : GEMM_KC, nc = n < GEMM_NC ? n : GEMM_NC;
    /* The steps of the rule in conv_gemm.h, each only while over budget. */
    if (over(kc, nc, budget))
        kc = fit_depth(k, nc, budget, GEMM_KC_BAND);
    if (over(kc, nc, budget) && nc > GEMM_NR_MAX)
        nc = fit_width(kc, GEMM_NR_MAX, budget);
    if (over(kc, nc, budget))
        kc = fit_depth(k, nc, budget, GEMM_KC_MIN);
    if (over(kc, nc, budget)) {
        nc = fit_width(kc, GEMM_NR_MIN, budget);
        nc = nc < n ? nc : n;
    }
    b->kc = (int)kc;
    b->nc = (int)nc;
    b->work_bytes = kc * round_up(nc, GEMM_NR_MIN);
    if (!a_plain || m % GEMM_MR != 0)
        b->work_bytes += (int64_t)GEMM_MR * kc;
    b->work_bytes *= (int64_t)sizeof(float);
}

static int need_float(ir_graph *g, ir_node *n, int i, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    if (t && t->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "element type %s is not supported (float32 only)",
                         ir_dtype_name(t->dtype));
    return 0;
}

/* Elements of shape s, saturating past CONV_GEMM_MAX_EXTENT (dims of any
 * size cannot overflow it). 0 for an empty shape. */
static int64_t sat_numel(const ir_shape *s)
{
    int64_t v = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] <= 0)
            return 0;
        v = s->dims[i] > CONV_GEMM_MAX_EXTENT ? CONV_GEMM_MAX_EXTENT + 1 : v * s->dims[i];
        if (v > CONV_GEMM_MAX_EXTENT)
            v = CONV_GEMM_MAX_EXTENT + 1;
    }
    return v;
}

/* The kernels index with int: each operand stays below CONV_GEMM_MAX_EXTENT. */
static int check_extent(const ir_node *n, const char *what, const ir_shape *s, diag *d)
{
    int64_t v = sat_numel(s);
    if (v > CONV_GEMM_MAX_EXTENT)
        return diag_node(d, n->name, n->op, "%s has more than %lld elements, which is not supported",
                         what, (long long)CONV_GEMM_MAX_EXTENT);
    if (v < 1)
        return diag_node(d, n->name, n->op, "empty operands are not supported");
    return 0;
}

static int flag_attr(const ir_node *n, const char *name, diag *d)
{
    int64_t v = ir_attr_int(n, name, 0);
    if (v != 0 && v != 1)
        return diag_node(d, n->name, n->op, "attribute '%s' must be 0 or 1 (got %lld)", name,
                         (long long)v);
    return (int)v;
}

static int infer_gemm(ir_graph *g, ir_node *n, diag *d)
{
    /* `broadcast` (before opset 7) only allowed what later opsets always do. */
    static const char *const attrs[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    if (op_need_input(g, n, 0, d) || op_need_input(g, n, 1, d) || op_known_attrs(n, attrs, d) ||
        need_float(g, n, 0, d) || need_float(g, n, 1, d) || need_float(g, n, 2, d))
        return -1;
    int ta = flag_attr(n, "transA", d), tb = flag_attr(n, "transB", d);
    if (ta < 0 || tb < 0 || flag_attr(n, "broadcast", d) < 0)
        return -1;
    const ir_tensor *a = ir_node_in(g, n, 0), *b = ir_node_in(g, n, 1), *c = ir_node_in(g, n, 2);
    if (a->shape.rank != 2 || b->shape.rank != 2)
        return diag_node(d, n->name, n->op, "A and B must be matrices (ranks %d and %d)",
                         a->shape.rank, b->shape.rank);
    int64_t m = a->shape.dims[ta], k = a->shape.dims[1 - ta];
    int64_t kb = b->shape.dims[tb], nn = b->shape.dims[1 - tb];
    if (k != kb)
        return diag_node(d, n->name, n->op, "A has %lld columns, B %lld rows (after transposes)",
                         (long long)k, (long long)kb);
    ir_shape ys = {.rank = 2, .dims = {m, nn}};
    if (check_extent(n, "A", &a->shape, d) || check_extent(n, "B", &b->shape, d) ||
        check_extent(n, "Y", &ys, d))
        return -1;
    if (c) {
        if (!c->has_shape)
            return diag_node(d, n->name, n->op, "the shape of C '%s' is unknown", c->name);
        ir_shape out;
        /* C broadcasts to Y, never Y to C. */
        if (c->shape.rank > 2 || op_broadcast(&c->shape, &ys, &out) || !ir_shape_equal(&out, &ys))
            return diag_node(d, n->name, n->op, "C (rank %d) does not broadcast to %lld x %lld",
                             c->shape.rank, (long long)m, (long long)nn);
    }
    op_set_output(g, n, 0, IR_FLOAT, &ys);
    return 0;
}

/* Batch axes of a MatMul operand: all but the last two (one for a vector). */
static void batch_shape(const ir_shape *s, ir_shape *out)
{
    out->rank = s->rank > 2 ? s->rank - 2 : 0;
    for (int i = 0; i < out->rank; i++)
        out->dims[i] = s->dims[i];
}

static int infer_matmul(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (op_need_input(g, n, 0, d) || op_need_input(g, n, 1, d) || op_known_attrs(n, attrs, d) ||
        need_float(g, n, 0, d) || need_float(g, n, 1, d))
        return -1;
    const ir_shape *as = &ir_node_in(g, n, 0)->shape, *bs = &ir_node_in(g, n, 1)->shape;
    if (as->rank < 1 || bs->rank < 1)
        return diag_node(d, n->name, n->op, "scalar operands are not allowed");
    int64_t k = as->dims[as->rank - 1], kb = bs->dims[bs->rank > 1 ? bs->rank - 2 : 0];
    if (k != kb)
        return diag_node(d, n->name, n->op, "A has %lld columns, B %lld rows", (long long)k,
                         (long long)kb);
    ir_shape ba, bb, ys;
    batch_shape(as, &ba);
    batch_shape(bs, &bb);
    if (op_broadcast(&ba, &bb, &ys))
        return diag_node(d, n->name, n->op, "the batch axes of A and B do not broadcast");
    if (as->rank > 1)
        ys.dims[ys.rank++] = as->dims[as->rank - 2];
    if (bs->rank > 1)
        ys.dims[ys.rank++] = bs->dims[bs->rank - 1];
    if (check_extent(n, "A", as, d) || check_extent(n, "B", bs, d) || check_extent(n, "Y", &ys, d))
        return -1;
    op_set_output(g, n, 0, IR_FLOAT, &ys);
    return 0;
}

static int is_gemm(const ir_node *n) { return strcmp(n->op, "Gemm") == 0; }

void matmul_plan_shapes(const ir_shape *as, const ir_shape *bs, matmul_plan *p)
{
    ir_shape ba, bb, yb;
    batch_shape(as, &ba);
    batch_shape(bs, &bb);
    op_broadcast(&ba, &bb, &yb); /* the op's infer checked it */
    p->m = as->rank > 1 ? as->dims[as->rank - 2] : 1;
    p->k = as->dims[as->rank - 1];
    p->n = bs->rank > 1 ? bs->dims[bs->rank - 1] : 1;
    p->batches = ir_shape_numel(&yb);
    p->nb = 0;
    int a_bcast = 0, b_batched = 0;
    int64_t a_size = p->m * p->k, b_size = p->k * p->n;
    /* Steps from the last batch axis to the first; axes of size 1 never vary. */
    for (int i = yb.rank - 1; i >= 0; i--) {
        int ia = i - (yb.rank - ba.rank), ib = i - (yb.rank - bb.rank);
        int64_t da = ia >= 0 ? ba.dims[ia] : 1, db = ib >= 0 ? bb.dims[ib] : 1;
        if (yb.dims[i] > 1) {
            int k = p->nb++;
            p->dims[k] = yb.dims[i];
            p->a_step[k] = da > 1 ? a_size : 0;
            p->b_step[k] = db > 1 ? b_size : 0;
            a_bcast |= da == 1;
            b_batched |= db > 1;
        }
        a_size *= da;
        b_size *= db;
    }
    /* Stored last-axis-first above; the emitter wants first-axis-first. */
    for (int i = 0; i < p->nb / 2; i++) {
        int j = p->nb - 1 - i;
        int64_t t;
        t = p->dims[i], p->dims[i] = p->dims[j], p->dims[j] = t;
        t = p->a_step[i], p->a_step[i] = p->a_step[j], p->a_step[j] = t;
        t = p->b_step[i], p->b_step[i] = p->b_step[j], p->b_step[j] = t;
    }
    if (!a_bcast && !b_batched && p->batches > 1) {
        p->m *= p->batches;
        p->batches = 1;
        p->nb = 0;
    }
}

void matmul_plan_make(const ir_graph *g, const ir_node *n, matmul_plan *p)
{
    matmul_plan_shapes(&g->tensors[n->inputs[0]].shape, &g->tensors[n->inputs[1]].shape, p);
}

/* Rows, columns and depth of one product of a Gemm or MatMul node whose
 * shapes are inferred. */
static void product_shape(const ir_graph *g, const ir_node *n, int64_t *m, int64_t *cols,
                          int64_t *k)
{
    if (is_gemm(n)) {
        const ir_tensor *a = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
        int ta = ir_attr_int(n, "transA", 0) != 0;
        *m = a->shape.dims[ta];
        *k = a->shape.dims[1 - ta];
        *cols = y->shape.dims[1];
        return;
    }
    matmul_plan p;
    matmul_plan_make(g, n, &p);
    *m = p.m;
    *cols = p.n;
    *k = p.k;
}

static int64_t macs_product(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    if (!y->has_shape)
        return 0;
    int64_t m, cols, k;
    product_shape(g, n, &m, &cols, &k);
    return ir_tensor_numel(y) * k;
}

void gemm_node_blocking(const ir_graph *g, const ir_node *n, gemm_blocking *b)
{
    int64_t m, cols, k;
    product_shape(g, n, &m, &cols, &k);
    /* Gemm reads A in place unless transposed or scaled (MatMul always). */
    int a_plain = !is_gemm(n) ||
                  (!ir_attr_int(n, "transA", 0) && ir_attr_float(n, "alpha", 1.0f) == 1.0f);
    gemm_blocking_make(m, cols, k, a_plain, gemm_band_budget(g), b);
}

static void select_product(ir_graph *g, ir_node *n)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    if (!y->has_shape)
        return;
    if (n->sparse != IR_SPARSE_NONE) {
        /* runtime/spmm_f32.c reads the activations where they lie. */
        n->kernel = GEMM_K_SPARSE;
        return;
    }
    int64_t m, cols, k;
    product_shape(g, n, &m, &cols, &k);
    /* The row kernel reads A's rows contiguously: no transposed A. */
    if (m <= GEMM_ROWVEC_MAX_M && !(is_gemm(n) && ir_attr_int(n, "transA", 0))) {
        n->kernel = GEMM_K_ROWVEC;
        return;
    }
    gemm_blocking b;
    gemm_node_blocking(g, n, &b);
    n->kernel = GEMM_K_BLOCKED;
    n->scratch_bytes = b.work_bytes;
}

const op_handler op_family_gemm[] = {
    {.op = "Gemm", .infer = infer_gemm, .eval = gemm_eval, .macs = macs_product, .select = select_product},
    {.op = "MatMul", .infer = infer_matmul, .eval = matmul_eval, .macs = macs_product, .select = select_product},
    {.op = NULL},
};
