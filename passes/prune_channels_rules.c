/* Channel pruning: what each operator does to the channels (axis 1) of its
 * activations. Ops that keep every channel where it was link their input
 * and output groups; filters (Conv, Gemm, MatMul with constant weights)
 * define their output group and read their input group; Concat on axis 1
 * makes a group out of others. Any other use pins the group whole. */
#include <string.h>

#include "prune_channels.h"

static int is_act(const ir_graph *g, int t) { return t >= 0 && !g->tensors[t].data; }

static int is_const(const ir_graph *g, int t) { return t >= 0 && g->tensors[t].data; }

static int in_at(const ir_node *n, int i) { return i < n->n_inputs ? n->inputs[i] : -1; }

static int out_at(const ir_node *n, int i) { return i < n->n_outputs ? n->outputs[i] : -1; }

static int64_t dim(const ir_graph *g, int t, int axis)
{
    const ir_shape *s = &g->tensors[t].shape;
    return axis < s->rank ? s->dims[axis] : -1;
}

static int rank_of(const ir_graph *g, int t)
{
    return g->tensors[t].has_shape ? g->tensors[t].shape.rank : -1;
}

/* Pins every activation node ni reads or writes. */
static void refuse_node(pc_state *st, int ni, const char *why)
{
    const ir_node *n = &st->g->nodes[ni];
    for (int i = 0; i < n->n_inputs; i++)
        if (is_act(st->g, n->inputs[i]))
            pc_refuse(st, n->inputs[i], why, ni);
    for (int i = 0; i < n->n_outputs; i++)
        if (is_act(st->g, n->outputs[i]))
            pc_refuse(st, n->outputs[i], why, ni);
}

static int in_list(const char *op, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(op, *list) == 0)
            return 1;
    return 0;
}

/* Element-wise on one activation, or pooling within each channel. */
static const char *const link_ops[] = {
    "Relu", "Clip", "LeakyRelu", "Sigmoid", "HardSwish", "HardSigmoid", "Tanh", "Elu", "Selu",
    "Celu", "Softplus", "Softsign", "ThresholdedRelu", "Mish", "Gelu", "Erf", "Neg", "Abs",
    "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos",
    "Identity", "Dropout", "Cast", "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool",
    "GlobalMaxPool", "GlobalLpPool", NULL};

/* Element-wise on two operands that broadcast. */
static const char *const binary_ops[] = {"Add", "Sub", "Mul", "Div", "Max", "Min", "Pow",
                                         "PRelu", "Sum", "Mean", NULL};

static const char *const reduce_ops[] = {
    "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2",
    "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", NULL};

/* Reshapes that may only move axes of extent 1 around the channel axis. */
static const char *const reshape_ops[] = {"Flatten", "Reshape", "Squeeze", "Unsqueeze", NULL};

/* Extra inputs (Clip's bounds, Dropout's ratio) must be constants and extra
 * outputs (MaxPool's indices, Dropout's mask) absent. */
static int rule_link(pc_state *st, int ni)
{
    const ir_node *n = &st->g->nodes[ni];
    int x = in_at(n, 0), y = out_at(n, 0);
    for (int i = 1; i < n->n_inputs; i++)
        if (is_act(st->g, n->inputs[i]))
            x = -1;
    for (int i = 1; i < n->n_outputs; i++)
        if (n->outputs[i] >= 0)
            x = -1;
    if (!is_act(st->g, x) || !is_act(st->g, y)) {
        refuse_node(st, ni, "operator form not handled");
        return 0;
    }
    pc_union(st, x, y);
    return 0;
}

/* BatchNormalization / InstanceNormalization: inputs first..last are
 * per-channel vectors. */
static int rule_per_channel(pc_state *st, int ni, int first, int last)
{
    const ir_node *n = &st->g->nodes[ni];
    int x = in_at(n, 0), y = out_at(n, 0);
    int ok = is_act(st->g, x) && is_act(st->g, y) && rank_of(st->g, x) >= 2 &&
             ir_attr_int(n, "training_mode", 0) == 0;
    for (int i = 1; i < n->n_outputs; i++)
        ok = ok && n->outputs[i] < 0;
    for (int i = first; i <= last && ok; i++) {
        int p = in_at(n, i);
        ok = is_const(st->g, p) && rank_of(st->g, p) == 1 && dim(st->g, p, 0) == dim(st->g, x, 1);
    }
    if (!ok) {
        refuse_node(st, ni, "normalization form not handled");
        return 0;
    }
    pc_union(st, x, y);
    for (int i = first; i <= last; i++)
        if (pc_add_edit(st, PC_SLICE, ni, i, 0, x, 0))
            return -1;
    return 0;
}

/* Two activations of one rank with the same channels share their group; a
 * constant is sliced along the axis that meets the channel axis, unless it
 * is 1 there (broadcast) or does not reach it. */
static int rule_binary(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int a = in_at(n, 0), b = in_at(n, 1), y = out_at(n, 0);
    if (n->n_inputs != 2 || n->n_outputs != 1 || !is_act(g, y) || rank_of(g, y) < 2) {
        refuse_node(st, ni, "operator form not handled");
        return 0;
    }
    if (is_act(g, a) && is_act(g, b)) {
        int r = rank_of(g, y);
        if (rank_of(g, a) != r || rank_of(g, b) != r || dim(g, a, 1) != dim(g, y, 1) ||
            dim(g, b, 1) != dim(g, y, 1)) {
            refuse_node(st, ni, "broadcasts across channels");
            return 0;
        }
        pc_union(st, a, y);
        pc_union(st, b, y);
        return 0;
    }
    int k_slot = is_const(g, a) ? 0 : 1;
    int x = k_slot == 0 ? b : a, k = k_slot == 0 ? a : b;
    if (!is_act(g, x) || !is_const(g, k) ||
        !ir_shape_equal(&g->tensors[x].shape, &g->tensors[y].shape) ||
        rank_of(g, k) > rank_of(g, x)) {
        refuse_node(st, ni, "operator form not handled");
        return 0;
    }
    pc_union(st, x, y);
    int axis = 1 - (rank_of(g, x) - rank_of(g, k));
    if (axis < 0 || dim(g, k, axis) == 1)
        return 0;
    if (dim(g, k, axis) != dim(g, x, 1)) {
        refuse_node(st, ni, "constant operand not per channel");
        return 0;
    }
    return pc_add_edit(st, PC_SLICE, ni, k_slot, axis, x, 0);
}

/* Conv with group 1 is a filter bank; depthwise Conv (one filter per
 * channel) keeps the channels and is sliced with them. */
static int rule_conv(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int x = in_at(n, 0), w = in_at(n, 1), b = in_at(n, 2), y = out_at(n, 0);
    if (!is_act(g, x) || !is_act(g, y) || !is_const(g, w) || g->tensors[w].dtype != IR_FLOAT ||
        (b >= 0 && !is_const(g, b)) || rank_of(g, x) < 3 || rank_of(g, w) != rank_of(g, x)) {
        refuse_node(st, ni, "Conv without constant weights");
        return 0;
    }
    int64_t group = ir_attr_int(n, "group", 1);
    if (group == 1) {
        st->source[y] = PC_SRC_FILTERS;
        if (pc_add_edit(st, PC_SLICE, ni, 1, 1, x, 0) || pc_add_edit(st, PC_SLICE, ni, 1, 0, y, 1))
            return -1;
        return b >= 0 ? pc_add_edit(st, PC_SLICE, ni, 2, 0, y, 0) : 0;
    }
    if (group != dim(g, x, 1) || dim(g, w, 0) != group || dim(g, w, 1) != 1) {
        refuse_node(st, ni, "grouped Conv");
        return 0;
    }
    pc_union(st, x, y);
    if (pc_add_edit(st, PC_SLICE, ni, 1, 0, x, 0) ||
        (b >= 0 && pc_add_edit(st, PC_SLICE, ni, 2, 0, x, 0)))
        return -1;
    return pc_add_edit(st, PC_GROUP_ATTR, ni, -1, 0, x, 0);
}

/* Gemm (A not transposed) or MatMul of a 2-D activation by constant
 * weights: the input channels are the K rows, the outputs the N columns. */
static int rule_product(pc_state *st, int ni, int is_gemm)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int a = in_at(n, 0), w = in_at(n, 1), c = is_gemm ? in_at(n, 2) : -1, y = out_at(n, 0);
    if (!is_act(g, a) || !is_act(g, y) || !is_const(g, w) || g->tensors[w].dtype != IR_FLOAT ||
        rank_of(g, a) != 2 || rank_of(g, w) != 2 || rank_of(g, y) != 2 ||
        (c >= 0 && (!is_const(g, c) || rank_of(g, c) > 2)) ||
        (is_gemm && ir_attr_int(n, "transA", 0) != 0)) {
        refuse_node(st, ni, "product without constant 2-D weights");
        return 0;
    }
    int k_axis = is_gemm && ir_attr_int(n, "transB", 0) ? 1 : 0;
    st->source[y] = PC_SRC_FILTERS;
    if (pc_add_edit(st, PC_SLICE, ni, 1, k_axis, a, 0) ||
        pc_add_edit(st, PC_SLICE, ni, 1, 1 - k_axis, y, 1))
        return -1;
    if (c < 0)
        return 0;
    int axis = 1 - (2 - rank_of(g, c)); /* C broadcasts to [M, N] */
    if (axis < 0 || dim(g, c, axis) == 1)
        return 0;
    return pc_add_edit(st, PC_SLICE, ni, 2, axis, y, 0);
}

static int rule_concat(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int y = out_at(n, 0), r = is_act(g, y) ? rank_of(g, y) : -1;
    int64_t axis = ir_attr_int(n, "axis", 0);
    if (r < 2 || n->n_outputs != 1 || (axis < 0 ? axis + r : axis) != 1) {
        refuse_node(st, ni, "Concat off the channel axis");
        return 0;
    }
    st->source[y] = PC_SRC_CONCAT;
    return 0;
}

/* [N, C, 1...] to [N, C, 1...]: the channel axis stays where it is. A
 * Reshape's target naming C explicitly follows the new count. */
static int rule_reshape(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int x = in_at(n, 0), y = out_at(n, 0);
    int ok = is_act(g, x) && is_act(g, y) && n->n_outputs == 1 && rank_of(g, x) >= 2 &&
             rank_of(g, y) >= 2 && dim(g, x, 0) == dim(g, y, 0) && dim(g, x, 1) == dim(g, y, 1);
    for (int i = 2; ok && i < rank_of(g, x); i++)
        ok = dim(g, x, i) == 1;
    for (int i = 2; ok && i < rank_of(g, y); i++)
        ok = dim(g, y, i) == 1;
    int is_reshape = strcmp(n->op, "Reshape") == 0;
    int s = in_at(n, 1);
    /* Squeeze without axes would drop a channel axis pruned down to 1. */
    if (ok && strcmp(n->op, "Squeeze") == 0)
        ok = s >= 0 || ir_node_attr(n, "axes");
    if (ok && (is_reshape || s >= 0)) /* target shape or axes */
        ok = is_const(g, s) && ir_dtype_is_int(g->tensors[s].dtype) && rank_of(g, s) == 1;
    if (ok && is_reshape)
        ok = dim(g, s, 0) == rank_of(g, y);
    if (!ok) {
        refuse_node(st, ni, "reshape that moves channels");
        return 0;
    }
    pc_union(st, x, y);
    const ir_tensor *target = is_reshape ? &g->tensors[s] : NULL;
    if (target && ir_data_get_int(target->dtype, target->data, 1) == dim(g, x, 1))
        return pc_add_edit(st, PC_RESHAPE_DIM, ni, 1, 0, x, 0);
    return 0;
}

/* Reductions over axes other than batch and channels (global pooling
 * written as ReduceMean): with keepdims 0 the channel axis stays axis 1. */
static int rule_reduce(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int x = in_at(n, 0), a = in_at(n, 1), r = is_act(g, x) ? rank_of(g, x) : -1;
    const ir_attr *attr = ir_node_attr(n, "axes");
    int count = -1;
    int64_t axes[IR_MAX_RANK];
    if (a >= 0 && is_const(g, a) && ir_dtype_is_int(g->tensors[a].dtype) &&
        ir_tensor_numel(&g->tensors[a]) <= IR_MAX_RANK) {
        count = (int)ir_tensor_numel(&g->tensors[a]);
        for (int i = 0; i < count; i++)
            axes[i] = ir_data_get_int(g->tensors[a].dtype, g->tensors[a].data, i);
    } else if (a < 0 && attr && attr->type == IR_ATTR_INTS && attr->count <= IR_MAX_RANK) {
        count = attr->count;
        for (int i = 0; i < count; i++)
            axes[i] = attr->ints[i];
    }
    int ok = r >= 2 && count > 0 && n->n_inputs <= 2;
    for (int i = 0; ok && i < count; i++) {
        int64_t axis = axes[i] < 0 ? axes[i] + r : axes[i];
        ok = axis >= 2 && axis < r;
    }
    if (!ok) {
        refuse_node(st, ni, "reduction over channels");
        return 0;
    }
    return rule_link(st, ni);
}

/* Pad with constant pads (input, or attribute before opset 11) that leave
 * the channel axis alone: mode and value pad every channel alike. */
static int rule_pad(pc_state *st, int ni)
{
    const ir_graph *g = st->g;
    const ir_node *n = &g->nodes[ni];
    int x = in_at(n, 0), p = in_at(n, 1), r = is_act(g, x) ? rank_of(g, x) : -1;
    const ir_attr *attr = ir_node_attr(n, "pads");
    int ok = r >= 2 && n->n_inputs <= 3 && !is_act(g, in_at(n, 2));
    if (ok && p >= 0) {
        const ir_tensor *pads = &g->tensors[p];
        ok = is_const(g, p) && ir_dtype_is_int(pads->dtype) && ir_tensor_numel(pads) == 2 * r &&
             ir_data_get_int(pads->dtype, pads->data, 1) == 0 &&
             ir_data_get_int(pads->dtype, pads->data, r + 1) == 0;
    } else if (ok) {
        ok = attr && attr->type == IR_ATTR_INTS && attr->count == 2 * r && attr->ints[1] == 0 &&
             attr->ints[r + 1] == 0;
    }
    if (!ok) {
        refuse_node(st, ni, "Pad of the channel axis");
        return 0;
    }
    return rule_link(st, ni);
}

static int apply_rule(pc_state *st, int ni)
{
    const char *op = st->g->nodes[ni].op;
    if (strcmp(op, "Pad") == 0)
        return rule_pad(st, ni);
    if (in_list(op, reduce_ops))
        return rule_reduce(st, ni);
    if (in_list(op, link_ops))
        return rule_link(st, ni);
    if (in_list(op, binary_ops))
        return rule_binary(st, ni);
    if (in_list(op, reshape_ops))
        return rule_reshape(st, ni);
    if (strcmp(op, "Conv") == 0)
        return rule_conv(st, ni);
    if (strcmp(op, "Gemm") == 0 || strcmp(op, "MatMul") == 0)
        return rule_product(st, ni, strcmp(op, "Gemm") == 0);
    if (strcmp(op, "Concat") == 0)
        return rule_concat(st, ni);
    if (strcmp(op, "BatchNormalization") == 0)
        return rule_per_channel(st, ni, 1, 4);
    if (strcmp(op, "InstanceNormalization") == 0)
        return rule_per_channel(st, ni, 1, 2);
    refuse_node(st, ni, "operator not handled");
    return 0;
}

int pc_apply_rules(pc_state *st)
{
    ir_graph *g = st->g;
    for (int i = 0; i < g->n_inputs; i++)
        pc_refuse(st, g->inputs[i], "graph input", -1);
    for (int i = 0; i < g->n_outputs; i++)
        pc_refuse(st, g->outputs[i], "graph output", -1);
    for (int ni = 0; ni < g->n_nodes; ni++) {
        const ir_node *n = &g->nodes[ni];
        if (n->dead)
            continue;
        if (*n->domain && strcmp(n->domain, "ai.onnx") != 0) {
            refuse_node(st, ni, "operator not handled");
            continue;
        }
        for (int i = 0; i < n->n_inputs; i++)
            if (is_act(g, n->inputs[i]))
                st->seen[n->inputs[i]] = 1;
        for (int i = 0; i < n->n_outputs; i++)
            if (is_act(g, n->outputs[i]))
                st->seen[n->outputs[i]] = 1;
        if (apply_rule(st, ni))
            return -1;
    }
    return 0;
}
