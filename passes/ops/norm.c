/* Normalization operators: compile-time semantics. BatchNormalization
 * (inference form; the one pass_fuse_batchnorm could not fold),
 * LayerNormalization, InstanceNormalization, LRN, MeanVarianceNormalization,
 * Softmax and LogSoftmax. All float32. */
#include <string.h>

#include "eval_ref.h"

/* Input i is present, has a known shape, is float32 and is not empty. */
static int need_float(ir_graph *g, ir_node *n, int i, diag *d)
{
    if (op_need_input(g, n, i, d))
        return -1;
    const ir_tensor *t = ir_node_in(g, n, i);
    if (t->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "input '%s' has element type %s (float32 only)",
                         t->name, ir_dtype_name(t->dtype));
    if (ir_tensor_numel(t) == 0)
        return diag_node(d, n->name, n->op, "input '%s' is empty (0 elements): not supported",
                         t->name);
    return 0;
}

static int64_t prod(const ir_shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->dims[i];
    return p;
}

/* Output k (k >= 1) is requested by the graph. */
static int has_output(const ir_node *n, int k) { return k < n->n_outputs && n->outputs[k] >= 0; }

/* ---- BatchNormalization ---------------------------------------------------- */

/* Values per channel: the size of axis 1, or (spatial=0, opsets < 9) every
 * position of a sample. */
static int64_t bn_channels(const ir_node *n, const ir_shape *x)
{
    if (ir_attr_int(n, "spatial", 1) == 0)
        return prod(x, 1, x->rank);
    return x->dims[1];
}

static int infer_batchnorm(ir_graph *g, ir_node *n, diag *d)
{
    /* consumed_inputs (opset 1), is_test (< 7) and momentum only matter for
     * training, which is refused below. */
    static const char *const attrs[] = {"epsilon", "momentum", "training_mode", "is_test",
                                        "spatial", "consumed_inputs", NULL};
    int rc = op_known_attrs(n, attrs, d);
    for (int i = 0; i < 5; i++)
        if (need_float(g, n, i, d))
            rc = -1;
    if (rc)
        return -1;
    /* From opset 14 the mode is an attribute; before, the mode is given by
     * the outputs: Y alone is test mode, the statistics outputs mean training. */
    if (ir_attr_int(n, "training_mode", 0) != 0)
        return diag_node(d, n->name, n->op,
                         "training_mode=1 (normalizing with batch statistics) is not supported; "
                         "only inference");
    for (int k = 1; k < n->n_outputs; k++)
        if (has_output(n, k))
            return diag_node(d, n->name, n->op,
                             "output %d (running or saved statistics) is a training-mode output "
                             "and is not supported; only Y (inference)",
                             k);
    int64_t spatial = ir_attr_int(n, "spatial", 1);
    if (spatial != 0 && spatial != 1)
        return diag_node(d, n->name, n->op, "spatial=%lld is not valid (0 or 1)",
                         (long long)spatial);
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->shape.rank < 2)
        return diag_node(d, n->name, n->op, "input X must have rank >= 2 (N x C x ...), got %d",
                         x->shape.rank);
    int64_t channels = bn_channels(n, &x->shape);
    static const char *const what[] = {"", "scale", "B", "mean", "var"};
    for (int i = 1; i < 5; i++) {
        const ir_tensor *t = ir_node_in(g, n, i);
        if (ir_tensor_numel(t) != channels)
            rc = diag_node(d, n->name, n->op, "input %s '%s' has %lld values, expected %lld",
                           what[i], t->name, (long long)ir_tensor_numel(t), (long long)channels);
    }
    if (rc)
        return -1;
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

/* ---- LayerNormalization ------------------------------------------------------ */

/* Scale and B must broadcast onto the normalized dims (axis..rank-1) as one of
 * their suffixes (e.g. [D], [H, W] or a scalar): that is what lets the kernel
 * index them without division. */
static int ln_param_ok(const ir_shape *x, int axis, const ir_shape *p)
{
    int r = p->rank, lead = 0;
    if (r > x->rank)
        return 0;
    while (lead < r && p->dims[lead] == 1)
        lead++;
    int len = r - lead;
    if (len > x->rank - axis)
        return 0;
    for (int i = 0; i < len; i++)
        if (p->dims[lead + i] != x->dims[x->rank - len + i])
            return 0;
    return 1;
}

static int infer_layernorm(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", "epsilon", "stash_type", NULL};
    int rc = op_known_attrs(n, attrs, d);
    if (need_float(g, n, 0, d) || need_float(g, n, 1, d))
        rc = -1;
    if (ir_node_in(g, n, 2) && need_float(g, n, 2, d))
        rc = -1;
    if (rc)
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int64_t stash = ir_attr_int(n, "stash_type", 1);
    if (stash != IR_FLOAT)
        return diag_node(d, n->name, n->op,
                         "stash_type=%lld is not supported (only 1: statistics in float32)",
                         (long long)stash);
    int64_t axis_attr = ir_attr_int(n, "axis", -1);
    int axis = op_axis(axis_attr, x->shape.rank);
    if (axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis_attr, x->shape.rank);
    for (int i = 1; i < 3; i++) {
        const ir_tensor *p = ir_node_in(g, n, i);
        if (p && !ln_param_ok(&x->shape, axis, &p->shape)) {
            char a[96], b[96];
            rc = diag_node(d, n->name, n->op,
                           "%s '%s' of shape %s does not match the normalized dimensions of %s "
                           "(axis %d) or a suffix of them",
                           i == 1 ? "Scale" : "B", p->name, ir_shape_str(&p->shape, a, sizeof a),
                           ir_shape_str(&x->shape, b, sizeof b), axis);
        }
    }
    if (rc)
        return -1;
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    ir_shape stat = x->shape;
    for (int i = axis; i < stat.rank; i++)
        stat.dims[i] = 1;
    op_set_output(g, n, 1, IR_FLOAT, &stat);
    op_set_output(g, n, 2, IR_FLOAT, &stat);
    return 0;
}

/* ---- InstanceNormalization and LRN: N x C x D1 ... ---------------------------- */

static int need_nchw(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->shape.rank < 3)
        return diag_node(d, n->name, n->op, "input X must have rank >= 3 (N x C x D1 ...), got %d",
                         x->shape.rank);
    return 0;
}

static int infer_instancenorm(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"epsilon", NULL};
    int rc = op_known_attrs(n, attrs, d);
    for (int i = 0; i < 3; i++)
        if (need_float(g, n, i, d))
            rc = -1;
    if (rc || need_nchw(g, n, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    for (int i = 1; i < 3; i++) {
        const ir_tensor *t = ir_node_in(g, n, i);
        if (ir_tensor_numel(t) != x->shape.dims[1])
            rc = diag_node(d, n->name, n->op, "input %s '%s' has %lld values, expected %lld",
                           i == 1 ? "scale" : "B", t->name, (long long)ir_tensor_numel(t),
                           (long long)x->shape.dims[1]);
    }
    if (rc)
        return -1;
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

static int infer_lrn(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"alpha", "beta", "bias", "size", NULL};
    if (op_known_attrs(n, attrs, d) || need_float(g, n, 0, d) || need_nchw(g, n, d))
        return -1;
    if (!ir_node_attr(n, "size"))
        return diag_node(d, n->name, n->op, "attribute 'size' is required");
    int64_t size = ir_attr_int(n, "size", 0);
    if (size < 1)
        return diag_node(d, n->name, n->op, "size=%lld is not valid (must be >= 1)",
                         (long long)size);
    const ir_tensor *x = ir_node_in(g, n, 0);
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

/* ---- MeanVarianceNormalization ------------------------------------------------ */

/* Reads `axes` (default 0, 2, 3) into a mask over X's axes. */
static int mvn_axes(const ir_node *n, int rank, int *mask, diag *d)
{
    static const int64_t dflt[] = {0, 2, 3};
    const ir_attr *a = ir_node_attr(n, "axes");
    const int64_t *axes = a ? a->ints : dflt;
    int count = a ? a->count : 3;
    if (a && a->type != IR_ATTR_INTS)
        return diag_node(d, n->name, n->op, "attribute 'axes' must be a list of integers");
    memset(mask, 0, sizeof(int) * IR_MAX_RANK);
    for (int i = 0; i < count; i++) {
        int ax = op_axis(axes[i], rank);
        if (ax < 0)
            return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                             (long long)axes[i], rank);
        if (mask[ax])
            return diag_node(d, n->name, n->op, "axis %lld is listed twice", (long long)axes[i]);
        mask[ax] = 1;
    }
    return 0;
}

static int infer_mvn(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axes", NULL};
    if (g->opset < 9)
        return diag_node(d, n->name, n->op,
                         "opset %lld: only the form of opset 9 and later (attribute 'axes') is "
                         "supported",
                         (long long)g->opset);
    if (op_known_attrs(n, attrs, d) || need_float(g, n, 0, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int mask[IR_MAX_RANK];
    if (mvn_axes(n, x->shape.rank, mask, d))
        return -1;
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

/* ---- Softmax, LogSoftmax -------------------------------------------------------- */

static int infer_softmax(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (op_known_attrs(n, attrs, d) || need_float(g, n, 0, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->shape.rank < 1)
        return diag_node(d, n->name, n->op, "input X must have rank >= 1 (it is a scalar)");
    /* Before opset 13 the input is seen as 2-D, cut before `axis` (default 1). */
    int64_t axis_attr = ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
    if (op_axis(axis_attr, x->shape.rank) < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)axis_attr, x->shape.rank);
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

/* ---- costs and kernel choices ------------------------------------------------------ */

static int64_t macs_numel(const ir_graph *g, const ir_node *n)
{
    return ir_tensor_numel(&g->tensors[n->inputs[0]]);
}

static int64_t macs_lrn(const ir_graph *g, const ir_node *n)
{
    return ir_tensor_numel(&g->tensors[n->inputs[0]]) * ir_attr_int(n, "size", 1);
}

/* Softmax over an inner axis keeps a running max and sum per inner position. */
static void select_softmax(ir_graph *g, ir_node *n)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    int axis = op_axis(ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1), s->rank);
    int64_t inner = g->opset < 13 ? 1 : prod(s, axis + 1, s->rank);
    n->scratch_bytes = inner > 1 ? 2 * inner * (int64_t)sizeof(float) : 0;
}

/* LRN sums squares over channels for one spatial plane at a time. */
static void select_lrn(ir_graph *g, ir_node *n)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    n->scratch_bytes = prod(s, 2, s->rank) * (int64_t)sizeof(float);
}

/* MVN keeps a mean and an inverse deviation per kept position. */
static void select_mvn(ir_graph *g, ir_node *n)
{
    const ir_shape *s = &g->tensors[n->inputs[0]].shape;
    int mask[IR_MAX_RANK];
    diag d;
    diag_init(&d);
    int64_t kept = 1;
    if (mvn_axes(n, s->rank, mask, &d) == 0)
        for (int i = 0; i < s->rank; i++)
            kept *= mask[i] ? 1 : s->dims[i];
    diag_free(&d);
    n->scratch_bytes = 2 * kept * (int64_t)sizeof(float);
}

/* Every kernel here reads an element (or its whole row) before it writes the
 * same position, and never reads another position after writing it, so Y may
 * reuse X's bytes — except LRN, which reads neighbouring channels. */
const op_handler op_family_norm[] = {
    {.op = "BatchNormalization", .infer = infer_batchnorm, .eval = norm_batchnorm_eval,
     .macs = macs_numel, .in_place = 1},
    {.op = "LayerNormalization", .infer = infer_layernorm, .eval = norm_layernorm_eval,
     .macs = macs_numel, .in_place = 1},
    {.op = "InstanceNormalization", .infer = infer_instancenorm, .eval = norm_instancenorm_eval,
     .macs = macs_numel, .in_place = 1},
    {.op = "LRN", .infer = infer_lrn, .macs = macs_lrn, .select = select_lrn},
    {.op = "MeanVarianceNormalization", .infer = infer_mvn, .macs = macs_numel,
     .select = select_mvn, .in_place = 1},
    {.op = "Softmax", .infer = infer_softmax, .eval = norm_softmax_eval,
     .macs = macs_numel, .select = select_softmax, .in_place = 1},
    {.op = "LogSoftmax", .infer = infer_softmax, .eval = norm_softmax_eval,
     .macs = macs_numel, .select = select_softmax, .in_place = 1},
    {.op = NULL},
};
