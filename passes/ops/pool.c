/* Pooling operators: compile-time semantics. MaxPool, AveragePool and LpPool
 * slide a window over 1 to 3 spatial axes of an N x C x ... tensor; the
 * Global* forms reduce each N x C plane to one value. */
#include <math.h>
#include <string.h>

#include "eval_ref.h"
#include "pool_reduce.h"

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

void pool_taps(const pool_axis *a, int64_t o, int64_t *lo, int64_t *hi)
{
    int64_t start = o * a->s - a->pb;
    int64_t l = start >= 0 ? 0 : ceil_div(-start, a->d);
    int64_t h = start >= a->in ? 0 : ceil_div(a->in - start, a->d);
    *lo = l;
    *hi = h < a->k ? h : a->k;
}

void pool_outputs_of_tap(const pool_axis *a, int64_t j, int64_t *lo, int64_t *hi)
{
    /* 0 <= o*s - pb + j*d < in  <=>  pb - j*d <= o*s <= in - 1 + pb - j*d */
    int64_t l = ceil_div(a->pb - j * a->d, a->s);
    int64_t h = floor_div(a->in - 1 + a->pb - j * a->d, a->s) + 1;
    *lo = l < 0 ? 0 : l;
    *hi = h > a->out ? a->out : h;
    if (*hi < *lo)
        *hi = *lo;
}

int64_t pool_count(const pool_axis *a, int64_t o, int include_pad)
{
    int64_t lo, hi;
    if (!include_pad) {
        pool_taps(a, o, &lo, &hi);
        return hi - lo;
    }
    /* Taps below in + pe; the first tap is never before -pb. */
    int64_t start = o * a->s - a->pb;
    hi = ceil_div(a->in + a->pe - start, a->d);
    return hi < a->k ? hi : a->k;
}

/* A 0/1 INT attribute. */
static int flag_attr(const ir_node *n, const char *name, int *out, diag *d)
{
    int64_t v = ir_attr_int(n, name, 0);
    if (v != 0 && v != 1)
        return diag_node(d, n->name, n->op, "attribute '%s' must be 0 or 1 (got %lld)", name,
                         (long long)v);
    *out = (int)v;
    return 0;
}

int pool_lp_exponent(const ir_node *n, int *p, diag *d)
{
    const ir_attr *a = ir_node_attr(n, "p");
    double v = 2.0;
    if (a && a->type == IR_ATTR_INT)
        v = (double)a->i;
    else if (a && a->type == IR_ATTR_FLOAT)
        v = a->f; /* LpPool-1 had a float exponent */
    else if (a)
        return diag_node(d, n->name, n->op, "attribute 'p' must be a number");
    if (v < 1.0 || v > 64.0 || v != floor(v))
        return diag_node(d, n->name, n->op,
                         "exponent p = %g is not supported (an integer from 1 to 64 is)", v);
    *p = (int)v;
    return 0;
}

static int check_windows(const ir_node *n, const pool_axis *a, int axis, diag *d)
{
    for (int64_t o = 0; o < a->out; o++) {
        int64_t lo, hi;
        pool_taps(a, o, &lo, &hi);
        if (hi <= lo)
            return diag_node(d, n->name, n->op,
                             "window %lld of spatial axis %d lies entirely in the padding",
                             (long long)o, axis);
    }
    return 0;
}

int pool_geometry(const ir_graph *g, const ir_node *n, pool_geom *pg, diag *d)
{
    memset(pg, 0, sizeof *pg);
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    int is_max = strcmp(n->op, "MaxPool") == 0, is_avg = strcmp(n->op, "AveragePool") == 0;
    pg->kind = is_max ? POOL_MAX : is_avg ? POOL_AVG : POOL_LP;
    if (x->shape.rank < 3 || x->shape.rank > 2 + POOL_MAX_SPATIAL)
        return diag_node(d, n->name, n->op,
                         "input of rank %d is not supported (N x C x 1 to %d spatial axes is)",
                         x->shape.rank, POOL_MAX_SPATIAL);
    int nsp = pg->nsp = x->shape.rank - 2;
    pg->planes = x->shape.dims[0] * x->shape.dims[1];
    int64_t k[POOL_MAX_SPATIAL], s[POOL_MAX_SPATIAL], dl[POOL_MAX_SPATIAL], pads[2 * POOL_MAX_SPATIAL];
    int ceil_mode = 0, rc = 0;
    if (!ir_node_attr(n, "kernel_shape"))
        rc = diag_node(d, n->name, n->op, "attribute 'kernel_shape' is required");
    rc |= op_ints_attr(n, "kernel_shape", nsp, 1, 1, INT64_MAX, k, d);
    rc |= op_ints_attr(n, "strides", nsp, 1, 1, INT64_MAX, s, d);
    rc |= op_ints_attr(n, "dilations", nsp, 1, 1, INT64_MAX, dl, d);
    rc |= op_ints_attr(n, "pads", 2 * nsp, 0, 0, INT64_MAX, pads, d);
    rc |= flag_attr(n, "ceil_mode", &ceil_mode, d);
    rc |= flag_attr(n, "count_include_pad", &pg->count_include_pad, d);
    rc |= flag_attr(n, "storage_order", &pg->storage_order, d);
    if (pg->kind == POOL_LP)
        rc |= pool_lp_exponent(n, &pg->p, d);
    const char *auto_pad = op_auto_pad(n, d);
    if (!auto_pad)
        rc = -1;
    else if (ceil_mode && strcmp(auto_pad, "NOTSET") != 0)
        /* Runtimes disagree on what ceil_mode means next to auto_pad. */
        rc = diag_node(d, n->name, n->op, "ceil_mode=1 with auto_pad=%s is not supported",
                       auto_pad);
    if (rc)
        return -1;
    pg->indices = n->n_outputs > 1 && n->outputs[1] >= 0;
    if (pg->indices && pg->storage_order && nsp > 2)
        return diag_node(d, n->name, n->op,
                         "Indices with storage_order=1 are only supported for 1-D and 2-D pooling");
    for (int i = 0; i < nsp; i++) {
        pool_axis *a = &pg->ax[i];
        *a = (pool_axis){.in = x->shape.dims[2 + i], .k = k[i], .s = s[i], .d = dl[i],
                         .pb = pads[i], .pe = pads[nsp + i]};
        if (a->in < 1)
            return diag_node(d, n->name, n->op, "spatial axis %d is empty", i);
        if (op_window_extent(n, auto_pad, ceil_mode, "window", a, d) ||
            check_windows(n, a, i, d))
            return -1;
    }
    return 0;
}

/* The largest extent the emitted kernels index with `int` tables. */
#define POOL_MAX_EXTENT ((int64_t)1 << 30)

static int infer_window_pool(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const max_attrs[] = {"kernel_shape", "strides", "pads", "dilations",
                                            "ceil_mode", "auto_pad", "storage_order", NULL};
    static const char *const avg_attrs[] = {"kernel_shape", "strides", "pads", "dilations",
                                            "ceil_mode", "auto_pad", "count_include_pad", NULL};
    static const char *const lp_attrs[] = {"kernel_shape", "strides", "pads", "dilations",
                                           "ceil_mode", "auto_pad", "p", NULL};
    int is_max = strcmp(n->op, "MaxPool") == 0;
    const char *const *attrs = is_max ? max_attrs : strcmp(n->op, "AveragePool") == 0 ? avg_attrs
                                                                                      : lp_attrs;
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    if (n->n_outputs > (is_max ? 2 : 1))
        return diag_node(d, n->name, n->op, "has %d outputs; %d expected", n->n_outputs,
                         is_max ? 2 : 1);
    const ir_tensor *x = ir_node_in(g, n, 0);
    int ok_type = x->dtype == IR_FLOAT || x->dtype == IR_DOUBLE ||
                  (is_max && (x->dtype == IR_INT8 || x->dtype == IR_UINT8));
    if (!ok_type)
        return diag_node(d, n->name, n->op, "element type %s is not supported (float32, float64%s)",
                         ir_dtype_name(x->dtype), is_max ? ", int8, uint8" : "");
    pool_geom pg;
    if (pool_geometry(g, n, &pg, d))
        return -1;
    ir_shape ys = x->shape;
    for (int i = 0; i < pg.nsp; i++) {
        if (pg.ax[i].in > POOL_MAX_EXTENT || pg.ax[i].k > POOL_MAX_EXTENT)
            return diag_node(d, n->name, n->op, "spatial axis %d is too large", i);
        ys.dims[2 + i] = pg.ax[i].out;
    }
    op_set_output(g, n, 0, x->dtype, &ys);
    if (pg.indices)
        op_set_output(g, n, 1, IR_INT64, &ys);
    return 0;
}

static int64_t window_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    const ir_attr *k = ir_node_attr(n, "kernel_shape");
    int64_t window = 1;
    for (int i = 0; k && i < k->count; i++)
        window *= k->ints[i];
    return y->has_shape ? ir_tensor_numel(y) * window : 0;
}

static int infer_global_pool(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    static const char *const lp_attrs[] = {"p", NULL};
    int is_lp = strcmp(n->op, "GlobalLpPool") == 0, p;
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, is_lp ? lp_attrs : attrs, d))
        return -1;
    if (is_lp && pool_lp_exponent(n, &p, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->dtype != IR_FLOAT && x->dtype != IR_DOUBLE)
        return diag_node(d, n->name, n->op, "element type %s is not supported (float32, float64)",
                         ir_dtype_name(x->dtype));
    if (x->shape.rank < 3)
        return diag_node(d, n->name, n->op, "input of rank %d has no spatial axis",
                         x->shape.rank);
    ir_shape ys = x->shape;
    for (int i = 2; i < ys.rank; i++) {
        if (ys.dims[i] < 1)
            return diag_node(d, n->name, n->op, "spatial axis %d is empty", i - 2);
        ys.dims[i] = 1;
    }
    op_set_output(g, n, 0, x->dtype, &ys);
    return 0;
}

static int64_t global_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    return x->has_shape ? ir_tensor_numel(x) : 0;
}

const op_handler op_family_pool[] = {
    {.op = "MaxPool", .infer = infer_window_pool, .eval = pool_window_eval, .macs = window_macs},
    {.op = "AveragePool", .infer = infer_window_pool, .eval = pool_window_eval, .macs = window_macs},
    {.op = "LpPool", .infer = infer_window_pool, .eval = pool_window_eval, .macs = window_macs},
    {.op = "GlobalMaxPool", .infer = infer_global_pool, .eval = pool_global_eval,
     .macs = global_macs},
    {.op = "GlobalAveragePool", .infer = infer_global_pool, .eval = pool_global_eval,
     .macs = global_macs},
    {.op = "GlobalLpPool", .infer = infer_global_pool, .eval = pool_global_eval,
     .macs = global_macs},
    {.op = NULL},
};
