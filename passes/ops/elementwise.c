/* Element-wise operators: type and shape inference, which is also where
 * every type, attribute and shape the kernels cannot handle is refused.
 * What each operator accepts is described in elementwise_table.c. */
#include <stdio.h>
#include <string.h>

#include "elementwise.h"

static int has_type(unsigned types, ir_dtype t) { return (unsigned)t < 32 && (EW_BIT(t) & types); }

/* "float32, float64, int8" for the types in the set. */
static const char *types_str(unsigned types, char *buf, size_t size)
{
    size_t w = 0;
    buf[0] = 0;
    for (int t = 0; t < 32; t++)
        if ((types & EW_BIT(t)) && w < size)
            w += (size_t)snprintf(buf + w, size - w, "%s%s", w ? ", " : "", ir_dtype_name(t));
    return buf;
}

static int need_type(ir_node *n, const ir_tensor *t, unsigned types, diag *d)
{
    char list[256];
    if (has_type(types, t->dtype))
        return 0;
    return diag_node(d, n->name, n->op, "input '%s' has element type %s, which is not supported "
                     "(supported: %s)", t->name, ir_dtype_name(t->dtype),
                     types_str(types, list, sizeof list));
}

static int same_type(ir_node *n, const ir_tensor *a, const ir_tensor *b, diag *d)
{
    if (a->dtype == b->dtype)
        return 0;
    return diag_node(d, n->name, n->op, "inputs '%s' (%s) and '%s' (%s) must have the same "
                     "element type", a->name, ir_dtype_name(a->dtype), b->name,
                     ir_dtype_name(b->dtype));
}

int ew_operand_shape(const ir_graph *g, const ir_node *n, int k, ir_shape *s)
{
    const ir_tensor *t = &g->tensors[n->inputs[k]];
    *s = t->shape;
    if (k != 1 || g->opset >= 7)
        return 0;
    const ir_shape *x = &g->tensors[n->inputs[0]].shape;
    int64_t axis;
    if (ir_node_attr(n, "axis") && ir_attr_int(n, "broadcast", 0))
        axis = ir_attr_int(n, "axis", 0);
    else if (strcmp(n->op, "PRelu") == 0 && t->shape.rank == 1 && x->rank > 2 &&
             t->shape.dims[0] == x->dims[1] && t->shape.dims[0] != 1)
        axis = 1;
    else
        return 0;
    if (axis < 0 || axis + t->shape.rank > x->rank)
        return -1;
    while (s->rank < x->rank - axis)
        s->dims[s->rank++] = 1;
    return 0;
}

/* Broadcasts input i's shape into *s, numpy style. */
static int broadcast_in(ir_graph *g, ir_node *n, int i, ir_shape *s, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    ir_shape r, ti;
    char a[96], b[96];
    if (ew_operand_shape(g, n, i, &ti))
        return diag_node(d, n->name, n->op, "axis %lld cannot align input '%s' of shape %s",
                         (long long)ir_attr_int(n, "axis", 0), t->name,
                         ir_shape_str(&t->shape, b, sizeof b));
    if (op_broadcast(s, &ti, &r))
        return diag_node(d, n->name, n->op, "shapes %s and %s (input '%s') do not broadcast",
                         ir_shape_str(s, a, sizeof a), ir_shape_str(&t->shape, b, sizeof b),
                         t->name);
    *s = r;
    return 0;
}

/* Opsets before 7 broadcast only with broadcast=1, and then only the second
 * input into the first: aligned at `axis` when given, else at the end (where
 * numpy's rule agrees). */
static int check_legacy_broadcast(ir_graph *g, ir_node *n, const ir_shape *out, diag *d)
{
    const ir_attr *a = ir_node_attr(n, "broadcast");
    const ir_tensor *x = ir_node_in(g, n, 0), *y = ir_node_in(g, n, 1);
    if (g->opset >= 7) {
        const char *legacy = a ? "broadcast" : (ir_node_attr(n, "axis") ? "axis" : NULL);
        return legacy ? diag_node(d, n->name, n->op, "attribute '%s' is not part of opset %lld",
                                  legacy, (long long)g->opset)
                      : 0;
    }
    if ((!a || a->i == 0) && !ir_shape_equal(&x->shape, &y->shape))
        return diag_node(d, n->name, n->op, "inputs of different shapes need broadcast=1 "
                         "before opset 7");
    if (!ir_shape_equal(out, &x->shape))
        return diag_node(d, n->name, n->op, "legacy broadcasting must keep the first input's "
                         "shape");
    return 0;
}

static int check_binary_attrs(ir_graph *g, ir_node *n, const ir_tensor *x, diag *d)
{
    if (strcmp(n->op, "Mod") == 0) {
        int64_t fmod_attr = ir_attr_int(n, "fmod", 0);
        if (fmod_attr != 0 && fmod_attr != 1)
            return diag_node(d, n->name, n->op, "fmod must be 0 or 1, got %lld",
                             (long long)fmod_attr);
        if (fmod_attr == 0 && has_type(EW_FLOATS, x->dtype))
            return diag_node(d, n->name, n->op, "floating-point inputs need fmod=1 (ONNX "
                             "defines Mod with fmod=0 for integers only)");
    }
    if (strcmp(n->op, "BitShift") == 0) {
        const char *dir = ir_attr_string(n, "direction", "");
        if (strcmp(dir, "LEFT") != 0 && strcmp(dir, "RIGHT") != 0)
            return diag_node(d, n->name, n->op, "direction must be \"LEFT\" or \"RIGHT\", got "
                             "\"%s\"", dir);
    }
    if (strcmp(n->op, "Pow") == 0 && has_type(EW_INTS, x->dtype)) {
        const ir_tensor *e = ir_node_in(g, n, 1);
        if (e->dtype == IR_UINT64)
            return diag_node(d, n->name, n->op, "an integer base with a uint64 exponent is "
                             "not supported");
    }
    return 0;
}

static int infer_binary(ir_graph *g, ir_node *n, const ew_op *o, diag *d)
{
    if (op_need_inputs(g, n, 2, 2, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *y = ir_node_in(g, n, 1);
    if (need_type(n, x, o->types, d) ||
        (o->types1 ? need_type(n, y, o->types1, d) : same_type(n, x, y, d)) ||
        check_binary_attrs(g, n, x, d))
        return -1;
    ir_shape s = x->shape;
    if (broadcast_in(g, n, 1, &s, d))
        return -1;
    if (o->attrs[0] && strcmp(o->attrs[0], "broadcast") == 0 &&
        check_legacy_broadcast(g, n, &s, d))
        return -1;
    if (strcmp(n->op, "PRelu") == 0 && !ir_shape_equal(&s, &x->shape))
        return diag_node(d, n->name, n->op, "the slope must broadcast to the input's shape");
    op_set_output(g, n, 0, o->bool_out ? IR_BOOL : x->dtype, &s);
    return 0;
}

static int infer_variadic(ir_graph *g, ir_node *n, const ew_op *o, diag *d)
{
    if (n->n_inputs < 1 || n->n_inputs > EW_MAX_INPUTS)
        return diag_node(d, n->name, n->op, "takes 1 to %d inputs, got %d", EW_MAX_INPUTS,
                         n->n_inputs);
    if (op_need_inputs(g, n, n->n_inputs, n->n_inputs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (need_type(n, x, o->types, d))
        return -1;
    ir_shape s = x->shape;
    for (int i = 1; i < n->n_inputs; i++)
        if (same_type(n, x, ir_node_in(g, n, i), d) || broadcast_in(g, n, i, &s, d))
            return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

static int infer_where(ir_graph *g, ir_node *n, const ew_op *o, diag *d)
{
    if (op_need_inputs(g, n, 3, 3, d))
        return -1;
    const ir_tensor *c = ir_node_in(g, n, 0), *x = ir_node_in(g, n, 1), *y = ir_node_in(g, n, 2);
    if (need_type(n, c, EW_BOOL, d) || need_type(n, x, o->types, d) || same_type(n, x, y, d))
        return -1;
    ir_shape s = c->shape;
    if (broadcast_in(g, n, 1, &s, d) || broadcast_in(g, n, 2, &s, d))
        return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Bounds are attributes before opset 11 and optional scalar inputs since. */
static int infer_clip(ir_graph *g, ir_node *n, const ew_op *o, diag *d)
{
    int legacy = g->opset < 11;
    if (op_need_inputs(g, n, 1, legacy ? 1 : 3, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (need_type(n, x, g->opset < 12 ? EW_FLOATS : o->types, d))
        return -1;
    if (!legacy && (ir_node_attr(n, "min") || ir_node_attr(n, "max")))
        return diag_node(d, n->name, n->op, "bounds are inputs, not attributes, since opset 11");
    for (int i = 1; i < n->n_inputs; i++) {
        const ir_tensor *b = ir_node_in(g, n, i);
        if (!b)
            continue;
        if (op_need_input(g, n, i, d) || same_type(n, x, b, d))
            return -1;
        if (b->shape.rank > 1 || ir_tensor_numel(b) != 1)
            return diag_node(d, n->name, n->op, "bound '%s' must be a scalar", b->name);
    }
    op_set_output(g, n, 0, x->dtype, &x->shape);
    return 0;
}

static int infer_cast(ir_graph *g, ir_node *n, diag *d)
{
    int like = strcmp(n->op, "CastLike") == 0;
    if (op_need_inputs(g, n, like ? 2 : 1, like ? 2 : 1, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (need_type(n, x, EW_ALL, d))
        return -1;
    int64_t to = like ? (int64_t)ir_node_in(g, n, 1)->dtype : ir_attr_int(n, "to", -1);
    if (!like && !ir_node_attr(n, "to"))
        return diag_node(d, n->name, n->op, "attribute 'to' is missing");
    if (to < 0 || to >= 32 || !has_type(EW_ALL, (ir_dtype)to))
        return diag_node(d, n->name, n->op, "casting to %s is not supported",
                         ir_dtype_name((int)to));
    op_set_output(g, n, 0, (ir_dtype)to, &x->shape);
    return 0;
}

int ew_infer(ir_graph *g, ir_node *n, diag *d)
{
    const ew_op *o = ew_find(n->op);
    if (!o)
        return diag_node(d, n->name, n->op, "not an element-wise operator");
    if (op_known_attrs(n, o->attrs, d))
        return -1;
    switch (o->kind) {
    case EW_UNARY:
        if (op_need_inputs(g, n, 1, 1, d) || need_type(n, ir_node_in(g, n, 0), o->types, d))
            return -1;
        op_set_output(g, n, 0, o->bool_out ? IR_BOOL : ir_node_in(g, n, 0)->dtype,
                      &ir_node_in(g, n, 0)->shape);
        return 0;
    case EW_BINARY: return infer_binary(g, n, o, d);
    case EW_VARIADIC: return infer_variadic(g, n, o, d);
    case EW_WHERE: return infer_where(g, n, o, d);
    case EW_CLIP: return infer_clip(g, n, o, d);
    case EW_CAST: return infer_cast(g, n, d);
    }
    return -1;
}

/* One multiply-accumulate per element and extra input for arithmetic; the
 * other element-wise operators count as free. */
int64_t ew_macs(const ir_graph *g, const ir_node *n)
{
    static const char *const arith[] = {"Add", "Sub", "Mul",  "Div", "Pow", "Mod",
                                        "PRelu", "Sum", "Mean", "Max", "Min", NULL};
    int known = 0;
    for (const char *const *a = arith; *a && !known; a++)
        known = strcmp(*a, n->op) == 0;
    if (!known || n->n_outputs < 1 || n->outputs[0] < 0)
        return 0;
    int inputs = 0;
    for (int i = 0; i < n->n_inputs; i++)
        inputs += n->inputs[i] >= 0;
    return ir_tensor_numel(&g->tensors[n->outputs[0]]) * (inputs > 1 ? inputs - 1 : 1);
}

/* in_place: output 0 may take input 0's bytes. Safe for every operator here
 * whose output element i depends on input 0's element i only, when the
 * planner finds equal byte sizes (then the shapes are equal). Not for Cast:
 * its output has another type in the same bytes. */
#define EW(name) {name, ew_infer, ew_eval, ew_macs, NULL, 1}
#define EW_COPY(name) {name, ew_infer, ew_eval, ew_macs, NULL, 0}

const op_handler op_family_elementwise[] = {
    EW("Relu"),     EW("Sigmoid"),   EW("HardSigmoid"),    EW("HardSwish"),  EW("LeakyRelu"),
    EW("Elu"),      EW("Selu"),      EW("Celu"),           EW("ThresholdedRelu"),
    EW("Shrink"),   EW("Softplus"),  EW("Softsign"),       EW("Tanh"),       EW("Erf"),
    EW("Exp"),      EW("Log"),       EW("Sqrt"),           EW("Reciprocal"), EW("Floor"),
    EW("Ceil"),     EW("Round"),     EW("Sin"),            EW("Cos"),        EW("Tan"),
    EW("Asin"),     EW("Acos"),      EW("Atan"),           EW("Sinh"),       EW("Cosh"),
    EW("Asinh"),    EW("Acosh"),     EW("Atanh"),          EW("Neg"),        EW("Abs"),
    EW("Sign"),     EW("IsNaN"),     EW("IsInf"),          EW("Not"),        EW("Add"),
    EW("Sub"),      EW("Mul"),       EW("Div"),            EW("Pow"),        EW("Mod"),
    EW("BitShift"), EW("PRelu"),     EW("Equal"),          EW("Less"),       EW("Greater"),
    EW("LessOrEqual"), EW("GreaterOrEqual"), EW("And"),    EW("Or"),         EW("Xor"),
    EW("Max"),      EW("Min"),       EW("Sum"),            EW("Mean"),       EW("Where"),
    EW("Clip"),     EW_COPY("Cast"), EW_COPY("CastLike"),
    {.op = NULL},
};
