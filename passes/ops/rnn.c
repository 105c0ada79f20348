/* Recurrent operators LSTM, GRU and RNN: compile-time semantics. Forward,
 * reverse and bidirectional; layout 0 ([seq, batch, ...]) and 1 ([batch,
 * seq, ...]); optional bias, initial states, peepholes and sequence lengths
 * (read at run time). Activations: Sigmoid, Tanh, Relu; clip,
 * input_forget=1 and activation_alpha/beta are refused. */
#include <string.h>

#include "ops.h"

typedef struct rnn_kind {
    const char *op;
    int gates;  /* weight rows per hidden unit */
    int n_acts; /* activation functions per direction */
} rnn_kind;

static const rnn_kind kinds[] = {{"LSTM", 4, 3}, {"GRU", 3, 2}, {"RNN", 1, 1}};

static const rnn_kind *kind_of(const ir_node *n)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].op, n->op) == 0)
            return &kinds[i];
    return &kinds[2];
}

/* Directions from `direction`: 1 or 2; 0 when the value is unknown. */
static int directions(const ir_node *n)
{
    const char *dir = ir_attr_string(n, "direction", "forward");
    if (strcmp(dir, "forward") == 0 || strcmp(dir, "reverse") == 0)
        return 1;
    return strcmp(dir, "bidirectional") == 0 ? 2 : 0;
}

static int check_attrs(ir_graph *g, ir_node *n, const rnn_kind *k, int nd, diag *d)
{
    static const char *const lstm[] = {"activation_alpha", "activation_beta", "activations",
                                       "clip", "direction", "hidden_size", "layout",
                                       "output_sequence", "input_forget", NULL};
    static const char *const gru[] = {"activation_alpha", "activation_beta", "activations",
                                      "clip", "direction", "hidden_size", "layout",
                                      "output_sequence", "linear_before_reset", NULL};
    static const char *const rnn[] = {"activation_alpha", "activation_beta", "activations",
                                      "clip", "direction", "hidden_size", "layout",
                                      "output_sequence", NULL};
    int rc = op_known_attrs(n, k->gates == 4 ? lstm : k->gates == 3 ? gru : rnn, d);
    if (ir_node_attr(n, "output_sequence") && g->opset >= 7)
        rc = diag_node(d, n->name, n->op, "attribute 'output_sequence' only exists before opset 7");
    if (ir_node_attr(n, "clip"))
        rc = diag_node(d, n->name, n->op, "attribute 'clip' (cell clipping) is not supported");
    if (ir_node_attr(n, "activation_alpha") || ir_node_attr(n, "activation_beta"))
        rc = diag_node(d, n->name, n->op,
                       "attributes 'activation_alpha'/'activation_beta' are not supported "
                       "(only the parameterless activations Sigmoid, Tanh, Relu)");
    if (ir_attr_int(n, "input_forget", 0) != 0)
        rc = diag_node(d, n->name, n->op, "input_forget=1 (coupled gates) is not supported");
    int64_t lbr = ir_attr_int(n, "linear_before_reset", 0);
    if (lbr != 0 && lbr != 1)
        rc = diag_node(d, n->name, n->op, "linear_before_reset=%lld is not valid (0 or 1)",
                       (long long)lbr);
    int64_t layout = ir_attr_int(n, "layout", 0);
    if (layout != 0 && layout != 1)
        rc = diag_node(d, n->name, n->op, "layout=%lld is not valid (0 or 1)", (long long)layout);
    if (nd == 0)
        rc = diag_node(d, n->name, n->op,
                       "direction '%s' is not valid (forward, reverse or bidirectional)",
                       ir_attr_string(n, "direction", ""));
    const ir_attr *a = ir_node_attr(n, "activations");
    if (a) {
        if (a->type != IR_ATTR_STRINGS || (nd && a->count != k->n_acts * nd))
            return diag_node(d, n->name, n->op,
                             "attribute 'activations' must list %d function names per direction",
                             k->n_acts);
        for (int i = 0; i < a->count; i++)
            if (strcmp(a->strings[i], "Sigmoid") && strcmp(a->strings[i], "Tanh") &&
                strcmp(a->strings[i], "Relu"))
                rc = diag_node(d, n->name, n->op,
                               "activation '%s' is not supported (Sigmoid, Tanh, Relu only)",
                               a->strings[i]);
    }
    return rc;
}

/* Input i, when present, must be float32 with exactly the given dims. */
static int check_input(ir_graph *g, ir_node *n, int i, const char *what, int rank,
                       const int64_t *dims, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    if (!t)
        return 0;
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of input '%s' are unknown",
                         t->name);
    if (t->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "input %s '%s' has element type %s (float32 only)",
                         what, t->name, ir_dtype_name(t->dtype));
    ir_shape want = {.rank = rank};
    memcpy(want.dims, dims, sizeof(int64_t) * (size_t)rank);
    if (!ir_shape_equal(&t->shape, &want)) {
        char a[96], b[96];
        return diag_node(d, n->name, n->op, "input %s '%s' has shape %s, expected %s", what,
                         t->name, ir_shape_str(&t->shape, a, sizeof a),
                         ir_shape_str(&want, b, sizeof b));
    }
    return 0;
}

/* sequence_lens: int32 [batch]; constant values must lie in [0, seq]. */
static int check_seq_lens(ir_graph *g, ir_node *n, int64_t seq, int64_t batch, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, 4);
    if (!t)
        return 0;
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of input '%s' are unknown",
                         t->name);
    if (t->dtype != IR_INT32)
        return diag_node(d, n->name, n->op,
                         "input sequence_lens '%s' has element type %s (int32 expected)", t->name,
                         ir_dtype_name(t->dtype));
    if (t->shape.rank != 1 || t->shape.dims[0] != batch)
        return diag_node(d, n->name, n->op, "input sequence_lens '%s' must have shape [%lld]",
                         t->name, (long long)batch);
    for (int64_t b = 0; t->data && b < batch; b++) {
        int64_t v = ir_data_get_int(t->dtype, t->data, b);
        if (v < 0 || v > seq)
            return diag_node(d, n->name, n->op,
                             "sequence_lens[%lld] = %lld is outside [0, %lld]", (long long)b,
                             (long long)v, (long long)seq);
    }
    return 0;
}

static int infer_rnn(ir_graph *g, ir_node *n, diag *d)
{
    const rnn_kind *k = kind_of(n);
    int nd = directions(n);
    int rc = check_attrs(g, n, k, nd, d);
    for (int i = 0; i < 3; i++)
        if (op_need_input(g, n, i, d))
            rc = -1;
    if (rc)
        return -1;
    int max_inputs = k->gates == 4 ? 8 : 6;
    if (n->n_inputs > max_inputs)
        return diag_node(d, n->name, n->op, "has %d inputs, at most %d are defined",
                         n->n_inputs, max_inputs);
    const ir_tensor *x = ir_node_in(g, n, 0), *w = ir_node_in(g, n, 1), *r = ir_node_in(g, n, 2);
    if (x->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "input X has element type %s (float32 only)",
                         ir_dtype_name(x->dtype));
    if (x->shape.rank != 3 || w->shape.rank != 3 || r->shape.rank != 3)
        return diag_node(d, n->name, n->op, "X, W and R must have rank 3");
    int layout = (int)ir_attr_int(n, "layout", 0);
    int64_t seq = x->shape.dims[layout ? 1 : 0], batch = x->shape.dims[layout ? 0 : 1];
    int64_t in = x->shape.dims[2], hid = ir_attr_int(n, "hidden_size", r->shape.dims[2]);
    int64_t gh = k->gates * hid;
    if (seq < 1 || batch < 1 || in < 1 || hid < 1)
        return diag_node(d, n->name, n->op,
                         "sequence %lld, batch %lld, input %lld, hidden %lld: all must be >= 1",
                         (long long)seq, (long long)batch, (long long)in, (long long)hid);
    int64_t wd[] = {nd, gh, in}, rd[] = {nd, gh, hid}, bd[] = {nd, 2 * gh}, pd[] = {nd, 3 * hid};
    int64_t hd[] = {layout ? batch : nd, layout ? nd : batch, hid};
    rc |= check_input(g, n, 1, "W", 3, wd, d);
    rc |= check_input(g, n, 2, "R", 3, rd, d);
    rc |= check_input(g, n, 3, "B", 2, bd, d);
    rc |= check_seq_lens(g, n, seq, batch, d);
    rc |= check_input(g, n, 5, "initial_h", 3, hd, d);
    if (k->gates == 4) {
        rc |= check_input(g, n, 6, "initial_c", 3, hd, d);
        rc |= check_input(g, n, 7, "P", 2, pd, d);
    }
    if (rc)
        return -1;
    int n_outs = k->gates == 4 ? 3 : 2;
    if (n->n_outputs > n_outs)
        return diag_node(d, n->name, n->op, "has %d outputs, at most %d are defined",
                         n->n_outputs, n_outs);
    ir_shape ys = {.rank = 4}, hs = {.rank = 3};
    int64_t yd0[] = {seq, nd, batch, hid}, yd1[] = {batch, seq, nd, hid};
    memcpy(ys.dims, layout ? yd1 : yd0, sizeof yd0);
    memcpy(hs.dims, hd, sizeof hd);
    op_set_output(g, n, 0, IR_FLOAT, &ys);
    for (int i = 1; i < n_outs; i++)
        op_set_output(g, n, i, IR_FLOAT, &hs);
    return 0;
}

static int64_t macs_rnn(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *w = &g->tensors[n->inputs[1]], *r = &g->tensors[n->inputs[2]];
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    /* Every step multiplies each weight row by x_t and h_{t-1}, per batch. */
    int64_t steps = x->shape.dims[0] * x->shape.dims[1];
    return steps * (ir_tensor_numel(w) + ir_tensor_numel(r));
}

/* Scratch: the hidden state, the gate pre-activations, and the cell state
 * (LSTM) or the reset-gated vector (GRU), all per hidden unit. */
static void select_rnn(ir_graph *g, ir_node *n)
{
    const rnn_kind *k = kind_of(n);
    int64_t hid = g->tensors[n->inputs[2]].shape.dims[2];
    int64_t per_unit = 1 + k->gates + (k->gates > 1 ? 1 : 0);
    n->scratch_bytes = per_unit * hid * (int64_t)sizeof(float);
}

const op_handler op_family_rnn[] = {
    {.op = "LSTM", .infer = infer_rnn, .macs = macs_rnn, .select = select_rnn},
    {.op = "GRU", .infer = infer_rnn, .macs = macs_rnn, .select = select_rnn},
    {.op = "RNN", .infer = infer_rnn, .macs = macs_rnn, .select = select_rnn},
    {.op = NULL},
};
