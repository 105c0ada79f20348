/* Recurrent operators LSTM, GRU, RNN: C emitters.
 *
 * One block per direction; inside it each batch entry runs its own sequence
 * (entries never interact, and sequence_lens is per entry). Every step
 * computes all gate pre-activations first — one contiguous dot product of
 * x_t with a row of W and one of h_{t-1} with a row of R per gate row — and
 * only then updates the state. Scratch holds h, the gates, and c (LSTM) or
 * the reset-gated vector (GRU). */
#include <stdio.h>
#include <string.h>

#include "../emit.h"

typedef struct rnn_geo {
    int64_t seq, batch, in, hid, nd;
    int layout, gates;
    int has_b, has_p, has_h0, has_c0;
    int lens;    /* sequence_lens must be read at run time */
    int lbr;     /* GRU linear_before_reset */
    const ir_node *n;
} rnn_geo;

static int present(const ir_node *n, int i) { return i < n->n_inputs && n->inputs[i] >= 0; }
static int has_out(const ir_node *n, int i) { return i < n->n_outputs && n->outputs[i] >= 0; }

/* Activation function number `which` of direction `dir`, as an expression of v. */
static void act_expr(const rnn_geo *q, int dir, int which, const char *v, char *buf, size_t size)
{
    static const char *const lstm[] = {"Sigmoid", "Tanh", "Tanh"};
    static const char *const gru[] = {"Sigmoid", "Tanh"};
    static const char *const rnn[] = {"Tanh"};
    const char *const *dflt = q->gates == 4 ? lstm : q->gates == 3 ? gru : rnn;
    int per_dir = q->gates == 4 ? 3 : q->gates == 3 ? 2 : 1;
    const ir_attr *a = ir_node_attr(q->n, "activations");
    const char *name = a ? a->strings[dir * per_dir + which] : dflt[which];
    if (strcmp(name, "Sigmoid") == 0)
        snprintf(buf, size, "1.0f / (1.0f + expf(-(%s)))", v);
    else if (strcmp(name, "Tanh") == 0)
        snprintf(buf, size, "tanhf(%s)", v);
    else /* Relu: the only other name inference accepts */
        snprintf(buf, size, "(%s) > 0.0f ? (%s) : 0.0f", v, v);
}

/* acc += sum over k < len of a[k] * w[k], with eight partial sums when that
 * pays (they vectorize; a single running sum cannot be reordered). */
static void emit_dot(cg_buf *b, const char *ind, const char *acc, const char *a, const char *w,
                     int64_t len)
{
    int64_t len8 = len / 8 * 8;
    if (len8 == 0) {
        cg_printf(b, "%sfor (size_t k = 0; k < %lld; k++)\n%s    %s += %s[k] * %s[k];\n", ind,
                  (long long)len, ind, acc, a, w);
        return;
    }
    cg_printf(b,
              "%s{\n"
              "%s    float q[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};\n"
              "%s    for (size_t k0 = 0; k0 < %lld; k0 += 8)\n"
              "%s        for (size_t u = 0; u < 8; u++)\n"
              "%s            q[u] += %s[k0 + u] * %s[k0 + u];\n",
              ind, ind, ind, (long long)len8, ind, ind, a, w);
    if (len > len8)
        cg_printf(b, "%s    for (size_t k = %lld; k < %lld; k++)\n%s        q[0] += %s[k] * %s[k];\n",
                  ind, (long long)len8, (long long)len, ind, a, w);
    cg_printf(b, "%s    %s += ((q[0] + q[4]) + (q[1] + q[5])) + ((q[2] + q[6]) + (q[3] + q[7]));\n"
                 "%s}\n",
              ind, acc, ind);
}

/* for (j in [from, to)) g[j] = bias + x_t . W_j (+ h . R_j when with_r). */
static void emit_gate_rows(cg_buf *b, const rnn_geo *q, int64_t from, int64_t to, int with_r,
                           const char *hvec)
{
    const char *ind = "                    ";
    cg_printf(b, "                for (size_t j = %lld; j < %lld; j++) {\n", (long long)from,
              (long long)to);
    if (q->has_b)
        cg_printf(b, "%sfloat acc = wb[j]%s;\n", ind, with_r ? " + rb[j]" : "");
    else
        cg_printf(b, "%sfloat acc = 0.0f;\n", ind);
    cg_printf(b, "%sconst float *wj = w + j * %lld;\n", ind, (long long)q->in);
    emit_dot(b, ind, "acc", "xt", "wj", q->in);
    if (with_r) {
        cg_printf(b, "%sconst float *rj = r + j * %lld;\n", ind, (long long)q->hid);
        emit_dot(b, ind, "acc", hvec, "rj", q->hid);
    }
    cg_printf(b, "%sg[j] = acc;\n                }\n", ind);
}

/* The state update of one step, from the gate pre-activations in g. */
static void emit_update(cg_buf *b, const rnn_geo *q, int dir)
{
    int64_t h = q->hid;
    char f[256], g2[256], h3[256];
    const char *ind = "                    ";
    if (q->gates == 4) { /* LSTM, gates i, o, f, c; peepholes i, o, f */
        cg_printf(b, "                for (size_t k = 0; k < %lld; k++) {\n", (long long)h);
        act_expr(q, dir, 0, q->has_p ? "g[k] + p[k] * cs[k]" : "g[k]", f, sizeof f);
        cg_printf(b, "%sconst float ig = %s;\n", ind, f);
        char pre[128];
        snprintf(pre, sizeof pre, q->has_p ? "g[%lld + k] + p[%lld + k] * cs[k]" : "g[%lld + k]",
                 (long long)(2 * h), (long long)(2 * h));
        act_expr(q, dir, 0, pre, f, sizeof f);
        cg_printf(b, "%sconst float fg = %s;\n", ind, f);
        snprintf(pre, sizeof pre, "g[%lld + k]", (long long)(3 * h));
        act_expr(q, dir, 1, pre, g2, sizeof g2);
        cg_printf(b, "%sconst float cn = fg * cs[k] + ig * (%s);\n", ind, g2);
        snprintf(pre, sizeof pre, q->has_p ? "g[%lld + k] + p[%lld + k] * cn" : "g[%lld + k]",
                 (long long)h, (long long)h);
        act_expr(q, dir, 0, pre, f, sizeof f);
        act_expr(q, dir, 2, "cn", h3, sizeof h3);
        cg_printf(b, "%sconst float og = %s;\n%scs[k] = cn;\n%sh[k] = og * (%s);\n"
                     "                }\n",
                  ind, f, ind, ind, h3);
        return;
    }
    if (q->gates == 1) { /* RNN */
        act_expr(q, dir, 0, "g[k]", f, sizeof f);
        cg_printf(b, "                for (size_t k = 0; k < %lld; k++)\n%sh[k] = %s;\n",
                  (long long)h, ind, f);
        return;
    }
    /* GRU, gates z, r, h */
    char pre[128];
    act_expr(q, dir, 0, "g[k]", f, sizeof f);
    if (q->lbr) {
        /* h~ = g(x W_h + wb_h + r * (h R_h + rb_h)); tv holds h R_h + rb_h. */
        snprintf(pre, sizeof pre, "g[%lld + k]", (long long)h);
        act_expr(q, dir, 0, pre, g2, sizeof g2);
        cg_printf(b, "                for (size_t k = 0; k < %lld; k++) {\n", (long long)h);
        cg_printf(b, "%sconst float z = %s;\n%sconst float rg = %s;\n", ind, f, ind, g2);
        snprintf(pre, sizeof pre, "g[%lld + k] + rg * tv[k]", (long long)(2 * h));
    } else {
        /* tv = r * h was applied before R_h, and g holds the whole sum. */
        cg_printf(b, "                for (size_t k = 0; k < %lld; k++) {\n", (long long)h);
        cg_printf(b, "%sconst float z = %s;\n", ind, f);
        snprintf(pre, sizeof pre, "g[%lld + k]", (long long)(2 * h));
    }
    act_expr(q, dir, 1, pre, h3, sizeof h3);
    cg_printf(b, "%sconst float nh = %s;\n%sh[k] = (1.0f - z) * nh + z * h[k];\n"
                 "                }\n",
              ind, h3, ind);
}

/* The GRU gate rows: z and r see h, the candidate row depends on
 * linear_before_reset. */
static void emit_gru_gates(cg_buf *b, const rnn_geo *q, int dir)
{
    int64_t h = q->hid;
    char f[256], pre[64];
    emit_gate_rows(b, q, 0, 2 * h, 1, "h");
    emit_gate_rows(b, q, 2 * h, 3 * h, 0, "h");
    const char *ind = "                    ";
    if (!q->lbr) {
        snprintf(pre, sizeof pre, "g[%lld + k]", (long long)h);
        act_expr(q, dir, 0, pre, f, sizeof f);
        cg_printf(b, "                for (size_t k = 0; k < %lld; k++)\n%stv[k] = (%s) * h[k];\n",
                  (long long)h, ind, f);
    }
    /* The recurrent part of the candidate: into g (after r*h) or into tv. */
    cg_printf(b, "                for (size_t j = %lld; j < %lld; j++) {\n", (long long)(2 * h),
              (long long)(3 * h));
    cg_printf(b, "%sfloat acc = %s;\n", ind,
              q->lbr ? (q->has_b ? "rb[j]" : "0.0f") : (q->has_b ? "g[j] + rb[j]" : "g[j]"));
    cg_printf(b, "%sconst float *rj = r + j * %lld;\n", ind, (long long)h);
    emit_dot(b, ind, "acc", q->lbr ? "h" : "tv", "rj", h);
    if (q->lbr)
        cg_printf(b, "%stv[j - %lld] = acc;\n                }\n", ind, (long long)(2 * h));
    else
        cg_printf(b, "%sg[j] = acc;\n                }\n", ind);
}

/* Offset of Y_h/Y_c (or the initial states) for direction dir, entry b. */
static void state_off(const rnn_geo *q, int dir, char *buf, size_t size)
{
    if (q->layout)
        snprintf(buf, size, "(b * %lld + %d) * %lld", (long long)q->nd, dir, (long long)q->hid);
    else
        snprintf(buf, size, "(%lld + b) * %lld", (long long)(dir * q->batch), (long long)q->hid);
}

static void y_off(const rnn_geo *q, int dir, char *buf, size_t size)
{
    if (q->layout)
        snprintf(buf, size, "((b * %lld + t) * %lld + %d) * %lld", (long long)q->seq,
                 (long long)q->nd, dir, (long long)q->hid);
    else
        snprintf(buf, size, "((t * %lld + %d) * %lld + b) * %lld", (long long)q->nd, dir,
                 (long long)q->batch, (long long)q->hid);
}

static void emit_direction(cg_buf *b, const rnn_geo *q, int dir, int reverse)
{
    int64_t gh = q->gates * q->hid, h = q->hid;
    char so[128], yo[160];
    state_off(q, dir, so, sizeof so);
    y_off(q, dir, yo, sizeof yo);
    cg_printf(b, "    { /* direction %d: %s */\n", dir, reverse ? "reverse" : "forward");
    cg_printf(b, "        const float *w = x1 + %lld, *r = x2 + %lld;\n",
              (long long)(dir * gh * q->in), (long long)(dir * gh * h));
    if (q->has_b)
        cg_printf(b, "        const float *wb = x3 + %lld, *rb = x3 + %lld;\n",
                  (long long)(dir * 2 * gh), (long long)(dir * 2 * gh + gh));
    if (q->has_p)
        cg_printf(b, "        const float *p = x7 + %lld;\n", (long long)(dir * 3 * h));
    cg_printf(b, "        for (size_t b = 0; b < %lld; b++) {\n", (long long)q->batch);
    if (q->lens)
        /* Out-of-range lengths (invalid input) are clamped to [0, seq]. */
        cg_printf(b, "            const size_t len = x4[b] < 0 ? (size_t)0 : x4[b] > %lld ? "
                     "(size_t)%lld : (size_t)x4[b];\n",
                  (long long)q->seq, (long long)q->seq);
    else
        cg_printf(b, "            const size_t len = %lld;\n", (long long)q->seq);
    cg_printf(b, "            for (size_t k = 0; k < %lld; k++) {\n", (long long)h);
    if (q->has_h0)
        cg_printf(b, "                h[k] = x5[%s + k];\n", so);
    else
        cg_printf(b, "                h[k] = 0.0f;\n");
    if (q->has_c0)
        cg_printf(b, "                cs[k] = x6[%s + k];\n", so);
    else if (q->gates == 4)
        cg_printf(b, "                cs[k] = 0.0f;\n");
    cg_printf(b, "            }\n            for (size_t s = 0; s < len; s++) {\n");
    cg_printf(b, "                const size_t t = %s;\n", reverse ? "len - 1 - s" : "s");
    if (q->layout)
        cg_printf(b, "                const float *xt = x0 + (b * %lld + t) * %lld;\n",
                  (long long)q->seq, (long long)q->in);
    else
        cg_printf(b, "                const float *xt = x0 + (t * %lld + b) * %lld;\n",
                  (long long)q->batch, (long long)q->in);
    if (q->gates == 3)
        emit_gru_gates(b, q, dir);
    else
        emit_gate_rows(b, q, 0, gh, 1, "h");
    emit_update(b, q, dir);
    if (has_out(q->n, 0))
        cg_printf(b, "                memcpy(y0 + %s, h, %lld * sizeof(float));\n", yo,
                  (long long)h);
    cg_printf(b, "            }\n");
    if (has_out(q->n, 0) && q->lens)
        cg_printf(b, "            for (size_t t = len; t < %lld; t++)\n"
                     "                memset(y0 + %s, 0, %lld * sizeof(float));\n",
                  (long long)q->seq, yo, (long long)h);
    if (has_out(q->n, 1))
        cg_printf(b, "            memcpy(y1 + %s, h, %lld * sizeof(float));\n", so, (long long)h);
    if (q->gates == 4 && has_out(q->n, 2))
        cg_printf(b, "            memcpy(y2 + %s, cs, %lld * sizeof(float));\n", so,
                  (long long)h);
    cg_printf(b, "        }\n    }\n");
}

/* sequence_lens that is absent, or a constant equal to the sequence length
 * everywhere, changes nothing and is not read. */
static int lens_at_run_time(const cg_ctx *c, const rnn_geo *q)
{
    if (!present(q->n, 4))
        return 0;
    const ir_tensor *t = &c->g->tensors[q->n->inputs[4]];
    if (!t->data)
        return 1;
    for (int64_t b = 0; b < q->batch; b++)
        if (ir_data_get_int(t->dtype, t->data, b) != q->seq)
            return 1;
    return 0;
}

static int emit_rnn(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_graph *g = c->g;
    const ir_shape *xs = &g->tensors[n->inputs[0]].shape;
    rnn_geo q = {.n = n};
    q.layout = (int)ir_attr_int(n, "layout", 0);
    q.gates = strcmp(n->op, "LSTM") == 0 ? 4 : strcmp(n->op, "GRU") == 0 ? 3 : 1;
    q.seq = xs->dims[q.layout ? 1 : 0];
    q.batch = xs->dims[q.layout ? 0 : 1];
    q.in = xs->dims[2];
    q.hid = g->tensors[n->inputs[2]].shape.dims[2];
    q.nd = g->tensors[n->inputs[1]].shape.dims[0];
    q.has_b = present(n, 3);
    q.has_h0 = present(n, 5);
    q.has_c0 = q.gates == 4 && present(n, 6);
    q.has_p = q.gates == 4 && present(n, 7);
    q.lbr = q.gates == 3 && ir_attr_int(n, "linear_before_reset", 0) != 0;
    q.lens = lens_at_run_time(c, &q);
    int reverse = strcmp(ir_attr_string(n, "direction", "forward"), "reverse") == 0;

    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    if (present(n, 4) && !q.lens)
        cg_printf(b, "    (void)x4;\n");
    cg_printf(b, "    float *h = (float *)scratch, *g = h + %lld;\n", (long long)q.hid);
    if (q.gates == 4)
        cg_printf(b, "    float *cs = g + %lld;\n", (long long)(4 * q.hid));
    if (q.gates == 3)
        cg_printf(b, "    float *tv = g + %lld;\n", (long long)(3 * q.hid));
    for (int dir = 0; dir < q.nd; dir++)
        emit_direction(b, &q, dir, q.nd == 2 ? dir : reverse);
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_rnn[] = {
    {"LSTM", emit_rnn},
    {"GRU", emit_rnn},
    {"RNN", emit_rnn},
    {.op = NULL},
};
