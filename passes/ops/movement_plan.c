/* Copy plans: construction helpers, simplification, compile-time execution
 * (eval) and the helpers the shape/movement families share. */
#include <stdlib.h>
#include <string.h>

#include "movement.h"

/* Outputs up to this size may be folded even when they are bigger than the
 * constants they come from (ConstantOfShape, Expand, Tile of constants). */
#define FOLD_LIMIT_BYTES (16 * 1024)

typedef struct plan_entry {
    const char *op;
    int (*build)(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
} plan_entry;

static const plan_entry builders[] = {
    {"Transpose", mv_plan_transpose},
    {"Concat", mv_plan_concat},
    {"Split", mv_plan_split},
    {"Slice", mv_plan_slice},
    {"Pad", mv_plan_pad},
    {"Tile", mv_plan_tile},
    {"DepthToSpace", mv_plan_space_depth},
    {"SpaceToDepth", mv_plan_space_depth},
    {"Expand", mv_plan_expand},
    {"ConstantOfShape", mv_plan_constant_of_shape},
    {"EyeLike", mv_plan_eye_like},
    {"Reshape", mv_plan_copy},
    {"Flatten", mv_plan_copy},
    {"Squeeze", mv_plan_copy},
    {"Unsqueeze", mv_plan_copy},
    {"Identity", mv_plan_copy},
    {"Dropout", mv_plan_dropout},
};

int mv_plan_build(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    memset(p, 0, sizeof *p);
    if (mv_need_output(g, n, d))
        return -1;
    for (size_t i = 0; i < sizeof builders / sizeof builders[0]; i++) {
        if (strcmp(builders[i].op, n->op) != 0)
            continue;
        if (builders[i].build(g, n, p, d)) {
            mv_plan_free(p);
            return -1;
        }
        return 0;
    }
    return diag_node(d, n->name, n->op, "no copy plan for this operator");
}

void mv_plan_free(mv_plan *p)
{
    free(p->copies);
    memset(p, 0, sizeof *p);
}

mv_copy *mv_plan_add(mv_plan *p, int src, int dst)
{
    if (p->n_copies == p->cap) {
        int cap = p->cap ? 2 * p->cap : 4;
        mv_copy *c = realloc(p->copies, sizeof(mv_copy) * (size_t)cap);
        if (!c)
            return NULL;
        p->copies = c;
        p->cap = cap;
    }
    mv_copy *c = &p->copies[p->n_copies++];
    memset(c, 0, sizeof *c);
    c->src = src;
    c->dst = dst;
    return c;
}

void mv_copy_axis(mv_copy *c, int64_t dim, int64_t sstride, int64_t dstride)
{
    c->dims[c->rank] = dim;
    c->sstride[c->rank] = sstride;
    c->dstride[c->rank] = dstride;
    c->rank++;
}

int mv_plan_view(mv_plan *p, int src, int dst, int rank, const int64_t *dims,
                 const int64_t *sstrides, int64_t sbase)
{
    mv_copy *c = mv_plan_add(p, src, dst);
    if (!c)
        return -1;
    int64_t st = 1;
    c->rank = rank;
    for (int k = rank - 1; k >= 0; k--) {
        c->dims[k] = dims[k];
        c->sstride[k] = sstrides[k];
        c->dstride[k] = st;
        st *= dims[k];
    }
    c->sbase = sbase;
    return 0;
}

void mv_strides(const ir_shape *s, int64_t *strides)
{
    int64_t st = 1;
    for (int k = s->rank - 1; k >= 0; k--) {
        strides[k] = st;
        st *= s->dims[k];
    }
}

int64_t mv_copy_count(const mv_copy *c)
{
    int64_t n = 1;
    for (int k = 0; k < c->rank; k++)
        n *= c->dims[k];
    return n;
}

void mv_copy_simplify(mv_copy *c)
{
    if (mv_copy_count(c) == 0) {
        c->rank = 1;
        c->dims[0] = 0;
        return;
    }
    int w = 0;
    for (int k = 0; k < c->rank; k++) {
        if (c->dims[k] == 1)
            continue; /* its index is always 0: contributes nothing */
        if (w > 0 && c->sstride[w - 1] == c->sstride[k] * c->dims[k] &&
            c->dstride[w - 1] == c->dstride[k] * c->dims[k]) {
            c->dims[w - 1] *= c->dims[k];
            c->sstride[w - 1] = c->sstride[k];
            c->dstride[w - 1] = c->dstride[k];
            continue;
        }
        c->dims[w] = c->dims[k];
        c->sstride[w] = c->sstride[k];
        c->dstride[w] = c->dstride[k];
        w++;
    }
    c->rank = w;
}

/* Odometer walk over the copy's index space, one element at a time: compile
 * time only, where simplicity beats speed. */
static void run_copy(const mv_copy *c, unsigned char *dst, const unsigned char *src, size_t es)
{
    int64_t idx[MV_MAX_DIMS] = {0};
    int64_t so = c->sbase, dof = c->dbase, n = mv_copy_count(c);
    for (int64_t e = 0; e < n; e++) {
        memcpy(dst + (size_t)dof * es, src ? src + (size_t)so * es : c->value, es);
        for (int k = c->rank - 1; k >= 0; k--) {
            so += c->sstride[k];
            dof += c->dstride[k];
            if (++idx[k] < c->dims[k])
                break;
            so -= c->sstride[k] * c->dims[k];
            dof -= c->dstride[k] * c->dims[k];
            idx[k] = 0;
        }
    }
}

int mv_fold_small(const ir_graph *g, const ir_node *n)
{
    size_t in = 0, out = 0;
    for (int i = 0; i < n->n_inputs; i++) {
        const ir_tensor *t = mv_in(g, n, i);
        if (t && t->data)
            in += ir_tensor_bytes(t);
    }
    for (int i = 0; i < n->n_outputs; i++) {
        const ir_tensor *t = mv_out(g, n, i);
        if (t)
            out += ir_tensor_bytes(t);
    }
    return out <= (in > FOLD_LIMIT_BYTES ? in : FOLD_LIMIT_BYTES);
}

int mv_eval_plan(ir_graph *g, ir_node *n, diag *d)
{
    mv_plan p;
    if (mv_plan_build(g, n, &p, d))
        return -1;
    int ok = mv_fold_small(g, n);
    for (int i = 0; i < p.n_copies && ok; i++)
        if (p.copies[i].src >= 0 && !mv_in(g, n, p.copies[i].src)->data)
            ok = 0;
    for (int k = 0; k < n->n_outputs && ok; k++) {
        ir_tensor *t = ir_node_out(g, n, k);
        if (t && ir_tensor_set_const(t, t->dtype, &t->shape)) {
            mv_plan_free(&p);
            return diag_node(d, n->name, n->op, "out of memory");
        }
    }
    for (int i = 0; i < p.n_copies && ok; i++) {
        const mv_copy *c = &p.copies[i];
        ir_tensor *out = ir_node_out(g, n, c->dst);
        const void *src = c->src == MV_SRC_VALUE  ? NULL
                          : c->src == MV_SRC_SELF ? out->data
                                                  : mv_in(g, n, c->src)->data;
        run_copy(c, out->data, src, ir_dtype_size(out->dtype));
    }
    mv_plan_free(&p);
    return ok;
}

int mv_plan_copy(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *y = mv_out(g, n, 0);
    if (!y)
        return 0;
    mv_copy *c = mv_plan_add(p, 0, 0);
    if (!c)
        return diag_node(d, n->name, n->op, "out of memory");
    mv_copy_axis(c, ir_tensor_numel(y), 1, 1);
    return 0;
}

const ir_tensor *mv_in(const ir_graph *g, const ir_node *n, int i)
{
    if (i < 0 || i >= n->n_inputs || n->inputs[i] < 0)
        return NULL;
    return &g->tensors[n->inputs[i]];
}

const ir_tensor *mv_out(const ir_graph *g, const ir_node *n, int i)
{
    if (i < 0 || i >= n->n_outputs || n->outputs[i] < 0)
        return NULL;
    return &g->tensors[n->outputs[i]];
}

int mv_const_ints(const ir_graph *g, const ir_node *n, int i, const char *what, int64_t *vals,
                  int max, diag *d)
{
    const ir_tensor *t = mv_in(g, n, i);
    if (!t)
        return -2;
    if (!t->data)
        return diag_node(d, n->name, n->op,
                         "input '%s'%s%s%s must be known at compile time (it is computed at run "
                         "time)",
                         t->name, strcmp(t->name, what) ? " (" : "",
                         strcmp(t->name, what) ? what : "", strcmp(t->name, what) ? ")" : "");
    if (!ir_dtype_is_int(t->dtype))
        return diag_node(d, n->name, n->op, "input '%s' (%s) must be an integer tensor, not %s",
                         t->name, what, ir_dtype_name(t->dtype));
    int64_t count = ir_tensor_numel(t);
    if (t->shape.rank > 1 || count > max)
        return diag_node(d, n->name, n->op,
                         "input '%s' (%s) must be a 1-D list of at most %d values", t->name, what,
                         max);
    for (int64_t k = 0; k < count; k++)
        vals[k] = ir_data_get_int(t->dtype, t->data, k);
    return (int)count;
}

int mv_attr_ints(const ir_node *n, const char *name, int64_t *vals, int max, diag *d)
{
    const ir_attr *a = ir_node_attr(n, name);
    if (!a)
        return -2;
    if (a->type != IR_ATTR_INTS)
        return diag_node(d, n->name, n->op, "attribute '%s' must be a list of integers", name);
    if (a->count > max)
        return diag_node(d, n->name, n->op, "attribute '%s' has %d values (at most %d)", name,
                         a->count, max);
    for (int k = 0; k < a->count; k++)
        vals[k] = a->ints[k];
    return a->count;
}

int mv_check_shape(const ir_node *n, const ir_shape *s, diag *d)
{
    int64_t total = 1;
    for (int k = 0; k < s->rank; k++) {
        if (s->dims[k] < 0)
            return diag_node(d, n->name, n->op, "dim %lld is negative", (long long)s->dims[k]);
        if (s->dims[k] && total > MV_MAX_NUMEL / s->dims[k])
            return diag_node(d, n->name, n->op, "the output would have more than 2^48 elements");
        total *= s->dims[k];
    }
    return 0;
}

int mv_need_output(const ir_graph *g, const ir_node *n, diag *d)
{
    if (!mv_out(g, n, 0))
        return diag_node(d, n->name, n->op, "output 0 is missing");
    return 0;
}

int mv_check_dtype(const ir_node *n, const ir_tensor *t, diag *d)
{
    if (!ir_dtype_supported(t->dtype))
        return diag_node(d, n->name, n->op, "element type %s of '%s' is not supported",
                         ir_dtype_name(t->dtype), t->name);
    return 0;
}
