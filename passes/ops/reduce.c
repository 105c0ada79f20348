/* Reductions: compile-time semantics of Reduce{Sum,Mean,Max,Min,Prod,L1,L2,
 * SumSquare,LogSum,LogSumExp}, ArgMax and ArgMin. The axes come from an
 * attribute (ReduceSum before opset 13, the others before opset 18) or from
 * a second input, which must then be known at compile time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pool_reduce.h"

static const struct {
    const char *op;
    reduce_kind kind;
} kinds[] = {
    {"ReduceSum", RED_SUM},       {"ReduceMean", RED_MEAN},
    {"ReduceMax", RED_MAX},       {"ReduceMin", RED_MIN},
    {"ReduceProd", RED_PROD},     {"ReduceL1", RED_L1},
    {"ReduceL2", RED_L2},         {"ReduceSumSquare", RED_SUMSQ},
    {"ReduceLogSum", RED_LOGSUM}, {"ReduceLogSumExp", RED_LOGSUMEXP},
    {"ArgMax", RED_ARGMAX},       {"ArgMin", RED_ARGMIN},
};

static reduce_kind kind_of(const char *op)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].op, op) == 0)
            return kinds[i].kind;
    return RED_SUM;
}

static int is_arg(reduce_kind k) { return k == RED_ARGMAX || k == RED_ARGMIN; }

/* Axes moved from an attribute to an input: ReduceSum at 13, the rest at 18. */
static int64_t axes_input_opset(reduce_kind k) { return k == RED_SUM ? 13 : 18; }

/* Reductions whose result over a single element is that element. */
static int is_identity_on_one(reduce_kind k)
{
    return k == RED_SUM || k == RED_MEAN || k == RED_MAX || k == RED_MIN || k == RED_PROD;
}

static int flag(const ir_node *n, const char *name, int dflt, int *out, diag *d)
{
    int64_t v = ir_attr_int(n, name, dflt);
    if (v != 0 && v != 1)
        return diag_node(d, n->name, n->op, "attribute '%s' must be 0 or 1 (got %lld)", name,
                         (long long)v);
    *out = (int)v;
    return 0;
}

/* The axes list (attribute or constant input) into axes; returns the count
 * or -1. */
static int read_axes(const ir_graph *g, const ir_node *n, int64_t *axes, diag *d)
{
    if (g->opset < axes_input_opset(kind_of(n->op))) {
        const ir_attr *a = ir_node_attr(n, "axes");
        if (n->n_inputs > 1 && n->inputs[1] >= 0)
            return diag_node(d, n->name, n->op,
                             "has an axes input, which opset %lld does not define",
                             (long long)g->opset);
        if (!a)
            return 0;
        if (a->type != IR_ATTR_INTS || a->count > IR_MAX_RANK)
            return diag_node(d, n->name, n->op, "attribute 'axes' must hold at most %d integers",
                             IR_MAX_RANK);
        memcpy(axes, a->ints, sizeof(int64_t) * (size_t)a->count);
        return a->count;
    }
    if (n->n_inputs < 2 || n->inputs[1] < 0)
        return 0;
    const ir_tensor *t = &g->tensors[n->inputs[1]];
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the shape of the axes input '%s' is unknown",
                         t->name);
    int64_t count = ir_tensor_numel(t);
    if (!t->data && count != 0)
        return diag_node(d, n->name, n->op,
                         "the axes input '%s' must be a compile-time constant (it is computed at "
                         "run time)",
                         t->name);
    if (!ir_dtype_is_int(t->dtype) || t->shape.rank > 1 || count > IR_MAX_RANK)
        return diag_node(d, n->name, n->op,
                         "the axes input '%s' must be a 1-D integer list of at most %d values",
                         t->name, IR_MAX_RANK);
    for (int64_t i = 0; i < count; i++)
        axes[i] = ir_data_get_int(t->dtype, t->data, i);
    return (int)count;
}

static int arg_spec(const ir_node *n, int rank, reduce_spec *s, diag *d)
{
    static const char *const attrs[] = {"axis", "keepdims", "select_last_index", NULL};
    if (op_known_attrs(n, attrs, d) || flag(n, "keepdims", 1, &s->keepdims, d) ||
        flag(n, "select_last_index", 0, &s->select_last_index, d))
        return -1;
    int64_t axis = ir_attr_int(n, "axis", 0);
    int a = op_axis(axis, rank);
    if (a < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis, rank);
    s->mask = 1u << a;
    return 0;
}

int reduce_spec_get(const ir_graph *g, const ir_node *n, reduce_spec *s, diag *d)
{
    static const char *const attr_axes[] = {"axes", "keepdims", NULL};
    static const char *const input_axes[] = {"keepdims", "noop_with_empty_axes", NULL};
    memset(s, 0, sizeof *s);
    s->kind = kind_of(n->op);
    int rank = g->tensors[n->inputs[0]].shape.rank;
    if (is_arg(s->kind))
        return arg_spec(n, rank, s, d);
    int from_input = g->opset >= axes_input_opset(s->kind), noop = 0;
    if (from_input && ir_node_attr(n, "axes"))
        return diag_node(d, n->name, n->op,
                         "has an 'axes' attribute, but axes are an input since opset %lld",
                         (long long)axes_input_opset(s->kind));
    if (op_known_attrs(n, from_input ? input_axes : attr_axes, d) ||
        flag(n, "keepdims", 1, &s->keepdims, d) || flag(n, "noop_with_empty_axes", 0, &noop, d))
        return -1;
    int64_t axes[IR_MAX_RANK];
    int count = read_axes(g, n, axes, d);
    if (count < 0)
        return -1;
    if (count == 0) {
        if (!noop) {
            s->mask = (1u << rank) - 1;
            return 0;
        }
        /* Reducing over no axis: runtimes agree only where it is a copy. */
        if (!is_identity_on_one(s->kind))
            return diag_node(d, n->name, n->op,
                             "noop_with_empty_axes=1 with empty axes is not supported for %s",
                             n->op);
        return 0;
    }
    for (int i = 0; i < count; i++) {
        int a = op_axis(axes[i], rank);
        if (a < 0)
            return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                             (long long)axes[i], rank);
        if (s->mask & (1u << a))
            return diag_node(d, n->name, n->op, "axis %lld is listed twice", (long long)axes[i]);
        s->mask |= 1u << a;
    }
    return 0;
}

/* Element types each reduction accepts. */
static int type_ok(reduce_kind k, ir_dtype t)
{
    if (t == IR_FLOAT || t == IR_DOUBLE)
        return 1;
    if (is_arg(k))
        return ir_dtype_is_int(t);
    int wide_int = t == IR_INT32 || t == IR_INT64 || t == IR_UINT32 || t == IR_UINT64;
    if (k == RED_MAX || k == RED_MIN)
        return ir_dtype_is_int(t);
    return wide_int && k != RED_L2 && k != RED_LOGSUM && k != RED_LOGSUMEXP;
}

static int infer_reduce(ir_graph *g, ir_node *n, diag *d)
{
    if (op_need_input(g, n, 0, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    reduce_kind k = kind_of(n->op);
    if (!type_ok(k, x->dtype))
        return diag_node(d, n->name, n->op, "element type %s is not supported",
                         ir_dtype_name(x->dtype));
    if (is_arg(k) && x->shape.rank == 0)
        return diag_node(d, n->name, n->op, "input is a scalar; it has no axis to search");
    reduce_spec s;
    if (reduce_spec_get(g, n, &s, d))
        return -1;
    if (ir_tensor_numel(x) == 0)
        return diag_node(d, n->name, n->op, "reducing an empty tensor is not supported");
    ir_shape ys = {0};
    for (int i = 0; i < x->shape.rank; i++) {
        if (!(s.mask & (1u << i)))
            ys.dims[ys.rank++] = x->shape.dims[i];
        else if (s.keepdims)
            ys.dims[ys.rank++] = 1;
    }
    op_set_output(g, n, 0, is_arg(k) ? IR_INT64 : x->dtype, &ys);
    return 0;
}

/* Wraps v to the width of integer type t, as the generated code does. */
static int64_t wrap(ir_dtype t, int64_t v)
{
    unsigned char tmp[8];
    ir_data_set_int(t, tmp, 0, v);
    return ir_data_get_int(t, tmp, 0);
}

/* Reductions on constants, e.g. ReduceProd of a Shape. Floats accumulate in
 * double, integers wrap like the generated code. */
static int eval_reduce(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    reduce_kind k = kind_of(n->op);
    int is_float = ir_dtype_is_float(x->dtype);
    if (!y || !x->data || is_arg(k) ||
        !(is_float || x->dtype == IR_INT32 || x->dtype == IR_INT64))
        return 0;
    reduce_spec s;
    if (reduce_spec_get(g, n, &s, d))
        return -1;
    int64_t out = ir_tensor_numel(y), total = ir_tensor_numel(x);
    double *acc = ir_alloc(sizeof(double) * (size_t)out), *mx = NULL;
    int64_t *iacc = ir_alloc(sizeof(int64_t) * (size_t)out);
    if (k == RED_LOGSUMEXP)
        mx = ir_alloc(sizeof(double) * (size_t)out);
    if (!acc || !iacc || (k == RED_LOGSUMEXP && !mx) ||
        ir_tensor_set_const(y, y->dtype, &y->shape)) {
        free(acc);
        free(iacc);
        free(mx);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    /* Output stride of each input axis (0 for the reduced ones). */
    int64_t ostride[IR_MAX_RANK], idx[IR_MAX_RANK] = {0}, st = 1;
    for (int i = x->shape.rank - 1; i >= 0; i--) {
        ostride[i] = (s.mask & (1u << i)) ? 0 : st;
        if (!(s.mask & (1u << i)))
            st *= x->shape.dims[i];
    }
    for (int pass = k == RED_LOGSUMEXP ? 0 : 1; pass < 2; pass++) {
        int is_max = k == RED_MAX || pass == 0, is_min = k == RED_MIN;
        for (int64_t o = 0; o < out; o++) {
            acc[o] = is_max ? -HUGE_VAL : is_min ? HUGE_VAL : k == RED_PROD ? 1.0 : 0.0;
            iacc[o] = is_max ? INT64_MIN : is_min ? INT64_MAX : k == RED_PROD ? 1 : 0;
        }
        memset(idx, 0, sizeof idx);
        for (int64_t i = 0, o = 0; i < total; i++) {
            if (is_float) {
                double v = ir_data_get_double(x->dtype, x->data, i), a = acc[o];
                if (is_max)
                    acc[o] = (v > a || v != v) ? v : a;
                else if (is_min)
                    acc[o] = (v < a || v != v) ? v : a;
                else if (k == RED_PROD)
                    acc[o] = a * v;
                else if (k == RED_L1)
                    acc[o] = a + fabs(v);
                else if (k == RED_L2 || k == RED_SUMSQ)
                    acc[o] = a + v * v;
                else if (k == RED_LOGSUMEXP)
                    acc[o] = a + exp(v - mx[o]);
                else
                    acc[o] = a + v;
            } else {
                int64_t v = ir_data_get_int(x->dtype, x->data, i), a = iacc[o];
                uint64_t ua = (uint64_t)a, uv = (uint64_t)v;
                if (is_max)
                    iacc[o] = v > a ? v : a;
                else if (is_min)
                    iacc[o] = v < a ? v : a;
                else if (k == RED_PROD)
                    iacc[o] = wrap(x->dtype, (int64_t)(ua * uv));
                else if (k == RED_SUMSQ)
                    iacc[o] = wrap(x->dtype, (int64_t)(ua + uv * uv));
                else if (k == RED_L1)
                    iacc[o] = wrap(x->dtype, (int64_t)(ua + (v < 0 ? 0 - uv : uv)));
                else
                    iacc[o] = wrap(x->dtype, (int64_t)(ua + uv));
            }
            /* Next multi-index, keeping the output offset in step. */
            for (int a = x->shape.rank - 1; a >= 0; a--) {
                o += ostride[a];
                if (++idx[a] < x->shape.dims[a])
                    break;
                o -= ostride[a] * x->shape.dims[a];
                idx[a] = 0;
            }
        }
        if (pass == 0)
            for (int64_t o = 0; o < out; o++)
                mx[o] = isfinite(acc[o]) ? acc[o] : 0.0;
    }
    int64_t count = total / (out ? out : 1);
    for (int64_t o = 0; o < out; o++) {
        if (!is_float) {
            int64_t v = k == RED_MEAN ? iacc[o] / count : iacc[o];
            ir_data_set_int(y->dtype, y->data, o, v);
            continue;
        }
        double v = acc[o];
        if (k == RED_MEAN)
            v /= (double)count;
        else if (k == RED_L2)
            v = sqrt(v);
        else if (k == RED_LOGSUM)
            v = log(v);
        else if (k == RED_LOGSUMEXP)
            v = mx[o] + log(v);
        ir_data_set_double(y->dtype, y->data, o, v);
    }
    free(acc);
    free(iacc);
    free(mx);
    return 1;
}

static int64_t reduce_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    return x->has_shape ? ir_tensor_numel(x) : 0;
}

/* ReduceLogSumExp keeps each output's maximum in scratch between its two
 * passes over the input. */
static void select_logsumexp(ir_graph *g, ir_node *n)
{
    const ir_tensor *y = &g->tensors[n->outputs[0]];
    n->scratch_bytes = ir_tensor_numel(y) * (int64_t)ir_dtype_size(y->dtype);
}

#define REDUCE(name) {.op = name, .infer = infer_reduce, .eval = eval_reduce, .macs = reduce_macs}

const op_handler op_family_reduce[] = {
    REDUCE("ReduceSum"),
    REDUCE("ReduceMean"),
    REDUCE("ReduceMax"),
    REDUCE("ReduceMin"),
    REDUCE("ReduceProd"),
    REDUCE("ReduceL1"),
    REDUCE("ReduceL2"),
    REDUCE("ReduceSumSquare"),
    REDUCE("ReduceLogSum"),
    {.op = "ReduceLogSumExp", .infer = infer_reduce, .eval = eval_reduce, .macs = reduce_macs,
     .select = select_logsumexp},
    {.op = "ArgMax", .infer = infer_reduce, .macs = reduce_macs},
    {.op = "ArgMin", .infer = infer_reduce, .macs = reduce_macs},
    {.op = NULL},
};
