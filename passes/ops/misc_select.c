/* Operators whose output shape depends on input values: Compress (on its
 * condition), NonZero and Unique (on their input). A static C kernel needs
 * the shape at compile time, so those values must be constants; NonZero and
 * Unique are then computed entirely here. Also Det, whose shape is plain. */
#include <stdlib.h>
#include <string.h>

#include "misc.h"

/* ---- Compress -------------------------------------------------------------- */

int64_t misc_compress_plan(const ir_graph *g, const ir_node *n, misc_axis3 *a, int64_t **kept)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]], *c = &g->tensors[n->inputs[1]];
    const ir_attr *at = ir_node_attr(n, "axis");
    if (at) {
        int axis = op_axis(at->i, x->shape.rank);
        a->outer = misc_prod(&x->shape, 0, axis);
        a->dim = x->shape.dims[axis];
        a->inner = misc_prod(&x->shape, axis + 1, x->shape.rank);
    } else {
        a->outer = a->inner = 1;
        a->dim = ir_tensor_numel(x);
    }
    int64_t len = ir_tensor_numel(c), count = 0;
    *kept = ir_alloc(sizeof(int64_t) * (size_t)(len > 0 ? len : 1));
    if (!*kept)
        return -1;
    for (int64_t i = 0; i < len && i < a->dim; i++)
        if (ir_data_get_int(c->dtype, c->data, i))
            (*kept)[count++] = i;
    return count;
}

int misc_infer_compress(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (misc_need_io(g, n, 2, 2, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *c = ir_node_in(g, n, 1);
    if (misc_check_copyable(n, x, d))
        return -1;
    const ir_attr *at = ir_node_attr(n, "axis");
    if (at && op_axis(at->i, x->shape.rank) < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)at->i, x->shape.rank);
    if (c->dtype != IR_BOOL || c->shape.rank != 1)
        return diag_node(d, n->name, n->op, "condition must be a 1-D bool tensor");
    if (!c->data)
        return diag_node(d, n->name, n->op, "condition ('%s') must be known at compile time: "
                         "the output shape depends on its values (it is computed at run time)",
                         c->name);
    misc_axis3 a;
    int64_t *kept;
    int64_t count = misc_compress_plan(g, n, &a, &kept);
    free(kept);
    if (count < 0)
        return diag_node(d, n->name, n->op, "out of memory");
    for (int64_t i = a.dim; i < ir_tensor_numel(c); i++)
        if (ir_data_get_int(c->dtype, c->data, i))
            return diag_node(d, n->name, n->op, "condition selects position %lld of an axis of "
                             "%lld", (long long)i, (long long)a.dim);
    ir_shape s = {.rank = 1, .dims = {count}};
    if (at) {
        s = x->shape;
        s.dims[op_axis(at->i, x->shape.rank)] = count;
    }
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

int misc_eval_compress(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (!x->data || !misc_fold_small(g, n))
        return 0;
    misc_axis3 a;
    int64_t *kept, count = misc_compress_plan(g, n, &a, &kept);
    if (count < 0) {
        free(kept);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    if (misc_alloc_outputs(g, n, d)) {
        free(kept);
        return -1;
    }
    ir_tensor *y = ir_node_out(g, n, 0);
    size_t block = (size_t)a.inner * ir_dtype_size(x->dtype);
    unsigned char *dst = y->data;
    for (int64_t o = 0; o < a.outer; o++)
        for (int64_t j = 0; j < count; j++, dst += block)
            memcpy(dst, (const unsigned char *)x->data + (size_t)(o * a.dim + kept[j]) * block,
                   block);
    free(kept);
    return 1;
}

/* ---- NonZero ------------------------------------------------------------------ */

static int need_const_input(const ir_node *n, const ir_tensor *x, diag *d)
{
    if (x->data)
        return 0;
    return diag_node(d, n->name, n->op, "input '%s' is computed at run time, but the output "
                     "shape depends on its values: only constant inputs are supported", x->name);
}

int misc_infer_nonzero(ir_graph *g, ir_node *n, diag *d)
{
    if (misc_need_io(g, n, 1, 1, d) || op_known_attrs(n, (const char *const[]){NULL}, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_copyable(n, x, d) || need_const_input(n, x, d))
        return -1;
    if (x->shape.rank < 1)
        return diag_node(d, n->name, n->op, "the input must have rank 1 or more");
    int64_t nz = 0;
    for (int64_t i = 0; i < ir_tensor_numel(x); i++)
        nz += ir_data_get_double(x->dtype, x->data, i) != 0;
    ir_shape s = {.rank = 2, .dims = {x->shape.rank, nz}};
    op_set_output(g, n, 0, IR_INT64, &s);
    return 0;
}

int misc_eval_nonzero(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int64_t *out = y->data, nz = y->shape.dims[1], w = 0, pos[IR_MAX_RANK] = {0};
    for (int64_t i = 0; i < ir_tensor_numel(x); i++) {
        if (ir_data_get_double(x->dtype, x->data, i) != 0) {
            for (int k = 0; k < x->shape.rank; k++)
                out[k * nz + w] = pos[k];
            w++;
        }
        for (int k = x->shape.rank - 1; k >= 0 && ++pos[k] == x->shape.dims[k]; k--)
            pos[k] = 0;
    }
    return 1;
}

/* ---- Unique ------------------------------------------------------------------- */

/* Beyond this many slices the quadratic search below is refused. */
#define UNIQUE_MAX_SLICES 65536

typedef struct uniq {
    misc_axis3 a;
    int64_t count;   /* distinct slices */
    int64_t *first;  /* [count] first occurrence of each, in output order */
    int64_t *of;     /* [dim] output position of each slice */
    int64_t *counts; /* [count] */
} uniq;

static void uniq_free(uniq *u)
{
    free(u->first);
    free(u->of);
    free(u->counts);
}

/* Lexicographic comparison of slices i and j (each outer x inner). */
static int slice_cmp(const ir_tensor *x, const misc_axis3 *a, int64_t i, int64_t j)
{
    for (int64_t o = 0; o < a->outer; o++)
        for (int64_t k = 0; k < a->inner; k++) {
            int64_t base = o * a->dim * a->inner + k;
            int c = misc_cmp(x->dtype, x->data, base + i * a->inner, x->data, base + j * a->inner);
            if (c)
                return c;
        }
    return 0;
}

static int uniq_compute(const ir_graph *g, const ir_node *n, uniq *u)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    const ir_attr *at = ir_node_attr(n, "axis");
    memset(u, 0, sizeof *u);
    if (at) {
        int axis = op_axis(at->i, x->shape.rank);
        u->a.outer = misc_prod(&x->shape, 0, axis);
        u->a.dim = x->shape.dims[axis];
        u->a.inner = misc_prod(&x->shape, axis + 1, x->shape.rank);
    } else {
        u->a.outer = u->a.inner = 1;
        u->a.dim = ir_tensor_numel(x);
    }
    size_t cells = (size_t)(u->a.dim > 0 ? u->a.dim : 1);
    u->first = ir_alloc(cells * sizeof(int64_t));
    u->of = ir_alloc(cells * sizeof(int64_t));
    u->counts = ir_alloc(cells * sizeof(int64_t));
    if (!u->first || !u->of || !u->counts)
        return -1;
    for (int64_t j = 0; j < u->a.dim; j++) {
        int64_t p = 0;
        while (p < u->count && slice_cmp(x, &u->a, u->first[p], j) != 0)
            p++;
        if (p == u->count)
            u->first[u->count++] = j;
        u->counts[p]++;
        u->of[j] = p;
    }
    if (ir_attr_int(n, "sorted", 1)) {
        /* Insertion sort of the distinct slices, then renumber. */
        int64_t *rank = ir_alloc(cells * sizeof(int64_t));
        if (!rank)
            return -1;
        for (int64_t p = 1; p < u->count; p++) {
            int64_t f = u->first[p], c = u->counts[p], q = p;
            for (; q > 0 && slice_cmp(x, &u->a, u->first[q - 1], f) > 0; q--) {
                u->first[q] = u->first[q - 1];
                u->counts[q] = u->counts[q - 1];
            }
            u->first[q] = f;
            u->counts[q] = c;
        }
        for (int64_t p = 0; p < u->count; p++)
            rank[u->of[u->first[p]]] = p;
        for (int64_t j = 0; j < u->a.dim; j++)
            u->of[j] = rank[u->of[j]];
        free(rank);
    }
    return 0;
}

int misc_infer_unique(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", "sorted", NULL};
    int sorted;
    if (misc_need_io(g, n, 1, 1, d) || op_known_attrs(n, attrs, d) ||
        misc_flag(n, "sorted", 1, &sorted, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 0, d) || need_const_input(n, x, d))
        return -1;
    const ir_attr *at = ir_node_attr(n, "axis");
    if (at && op_axis(at->i, x->shape.rank) < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)at->i, x->shape.rank);
    if (misc_has_nan(x))
        return diag_node(d, n->name, n->op, "the input holds NaN, which is not supported");
    if (n->n_outputs > 4)
        return diag_node(d, n->name, n->op, "has at most 4 outputs");
    uniq u;
    int64_t slices = at ? x->shape.dims[op_axis(at->i, x->shape.rank)] : ir_tensor_numel(x);
    if (slices > UNIQUE_MAX_SLICES)
        return diag_node(d, n->name, n->op, "more than %d elements to compare",
                         UNIQUE_MAX_SLICES);
    if (uniq_compute(g, n, &u)) {
        uniq_free(&u);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    ir_shape s = {.rank = 1, .dims = {u.count}};
    if (at) {
        s = x->shape;
        s.dims[op_axis(at->i, x->shape.rank)] = u.count;
    }
    ir_shape per = {.rank = 1, .dims = {u.count}}, all = {.rank = 1, .dims = {u.a.dim}};
    op_set_output(g, n, 0, x->dtype, &s);
    op_set_output(g, n, 1, IR_INT64, &per);
    op_set_output(g, n, 2, IR_INT64, &all);
    op_set_output(g, n, 3, IR_INT64, &per);
    uniq_free(&u);
    return 0;
}

int misc_eval_unique(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    uniq u;
    if (uniq_compute(g, n, &u) || misc_alloc_outputs(g, n, d)) {
        uniq_free(&u);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    ir_tensor *y = ir_node_out(g, n, 0), *ind = ir_node_out(g, n, 1);
    ir_tensor *inv = ir_node_out(g, n, 2), *cnt = ir_node_out(g, n, 3);
    size_t es = ir_dtype_size(x->dtype), block = (size_t)u.a.inner * es;
    for (int64_t o = 0; o < u.a.outer; o++)
        for (int64_t p = 0; p < u.count; p++)
            memcpy((unsigned char *)y->data + (size_t)(o * u.count + p) * block,
                   (const unsigned char *)x->data + (size_t)(o * u.a.dim + u.first[p]) * block,
                   block);
    for (int64_t p = 0; p < u.count; p++) {
        if (ind)
            ((int64_t *)ind->data)[p] = u.first[p];
        if (cnt)
            ((int64_t *)cnt->data)[p] = u.counts[p];
    }
    for (int64_t j = 0; inv && j < u.a.dim; j++)
        ((int64_t *)inv->data)[j] = u.of[j];
    uniq_free(&u);
    return 1;
}

/* ---- Det ---------------------------------------------------------------------- */

int misc_infer_det(ir_graph *g, ir_node *n, diag *d)
{
    if (misc_need_io(g, n, 1, 1, d) || op_known_attrs(n, (const char *const[]){NULL}, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    int r = x->shape.rank;
    if (r < 2 || x->shape.dims[r - 1] != x->shape.dims[r - 2])
        return diag_node(d, n->name, n->op, "the input must end in square matrices");
    ir_shape s = x->shape;
    s.rank -= 2;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* The kernel eliminates in a double copy of each matrix. */
void misc_select_det(ir_graph *g, ir_node *n)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    int64_t m = s->dims[s->rank - 1];
    n->scratch_bytes = m * m * (int64_t)sizeof(double);
}
