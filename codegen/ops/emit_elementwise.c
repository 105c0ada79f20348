/* Element-wise emitters: the kernel around each operator's body. The output
 * is walked in order; dimensions of extent 1 are dropped and neighbours that
 * every operand walks as one are merged, so that
 *   - equal shapes give one flat loop with a constant count,
 *   - scalars are loaded (or baked, when constant) once before the loop,
 *   - general broadcasting gives nested loops whose offsets are baked
 *     multiples of the loop counters (no division or modulo per element),
 *     around an inner loop in which each operand has stride 1 or 0. */
#include <string.h>

#include "../../passes/ops/elementwise.h"
#include "emit_elementwise.h"

typedef struct loops {
    int m; /* dimensions after merging, the last one the inner loop */
    int64_t dims[IR_MAX_RANK];
    int64_t out_stride[IR_MAX_RANK];
    int64_t stride[EW_MAX_OPERANDS][IR_MAX_RANK];
} loops;

static void plan_loops(const ir_graph *g, const ir_node *n, const ir_shape *out,
                       const int *loaded, int n_ops, loops *L)
{
    int64_t full[EW_MAX_OPERANDS][IR_MAX_RANK];
    for (int k = 0; k < n_ops; k++) {
        if (!loaded[k])
            continue;
        /* Shapes that cannot align were refused by inference. */
        ir_shape ts;
        ew_operand_shape(g, n, k, &ts);
        const ir_shape *t = &ts;
        int64_t s = 1;
        for (int j = out->rank - 1; j >= 0; j--) {
            int tj = j - (out->rank - t->rank);
            int64_t dim = tj >= 0 ? t->dims[tj] : 1;
            full[k][j] = dim == 1 ? 0 : s;
            s *= dim;
        }
    }
    L->m = 0;
    for (int j = 0; j < out->rank; j++) {
        int64_t dim = out->dims[j];
        if (dim == 1)
            continue;
        int merge = L->m > 0;
        for (int k = 0; k < n_ops && merge; k++)
            merge = !loaded[k] || L->stride[k][L->m - 1] == full[k][j] * dim;
        if (!merge)
            L->dims[L->m++] = dim;
        else
            L->dims[L->m - 1] *= dim;
        for (int k = 0; k < n_ops; k++)
            L->stride[k][L->m - 1] = loaded[k] ? full[k][j] : 0;
    }
    if (L->m == 0) { /* a single element */
        L->m = 1;
        L->dims[0] = 1;
        for (int k = 0; k < n_ops; k++)
            L->stride[k][0] = 0;
    }
    int64_t s = 1;
    for (int j = L->m - 1; j >= 0; j--) {
        L->out_stride[j] = s;
        s *= L->dims[j];
    }
}

/* Writes "j0 * 12 + j1 * 4" for the outer loops; 0 when nothing moves. */
static int write_offset(cg_buf *b, const loops *L, const int64_t *stride)
{
    int terms = 0;
    for (int j = 0; j < L->m - 1; j++) {
        if (!stride[j])
            continue;
        cg_printf(b, "%sj%d", terms ? " + " : "", j);
        if (stride[j] != 1)
            cg_printf(b, " * %lld", (long long)stride[j]);
        terms++;
    }
    return terms;
}

static int has_outer(const loops *L, const int64_t *stride)
{
    for (int j = 0; j < L->m - 1; j++)
        if (stride[j])
            return 1;
    return 0;
}

/* The operand walks the outer loops as the output does: its offset is o. */
static int outer_like_output(const loops *L, const int64_t *stride)
{
    for (int j = 0; j < L->m - 1; j++)
        if (stride[j] != L->out_stride[j])
            return 0;
    return 1;
}

/* "const float v1 = ew3_h2f(x1[p1 + i]);" at indentation ind. */
static void write_load(cg_buf *b, const ew_site *s, const loops *L, int k, const char *ind)
{
    const int64_t *st = L->stride[k];
    int64_t inner = st[L->m - 1];
    int outer = has_outer(L, st);
    const char *conv = s->in_dt[k] == IR_FLOAT16 ? "h2f" : (s->in_dt[k] == IR_BFLOAT16 ? "bf2f" : NULL);
    cg_printf(b, "%sconst %s v%d = ", ind, ew_compute_type(s->in_dt[k]), k);
    if (conv)
        cg_printf(b, "ew%d_%s(", s->id, conv);
    cg_printf(b, "x%d[", k);
    if (outer)
        cg_printf(b, outer_like_output(L, st) ? "o" : "p%d", k);
    if (inner)
        cg_printf(b, "%si", outer ? " + " : "");
    if (inner > 1)
        cg_printf(b, " * %lld", (long long)inner);
    if (!outer && !inner)
        cg_printf(b, "0");
    cg_printf(b, "]%s;\n", conv ? ")" : "");
}

static void write_baked(cg_buf *b, const ew_site *s, int k)
{
    const ir_tensor *t = &s->g->tensors[s->n->inputs[k]];
    const char *ct = ew_compute_type(t->dtype);
    cg_printf(b, "    const %s v%d = ", ct, k);
    if (ew_is_floating(t->dtype))
        ew_literal(b, ct, ir_data_get_double(t->dtype, t->data, 0));
    else
        ew_int_literal(b, t->dtype, t->data);
    cg_printf(b, ";\n");
}

static void write_store(cg_buf *b, const ew_site *s, const char *ind, int outer)
{
    char act[160];
    cg_act(s->n, "r", act, sizeof act);
    cg_printf(b, "%sy0[%si] = ", ind, outer ? "o + " : "");
    if (s->out_dt == IR_FLOAT16 || s->out_dt == IR_BFLOAT16)
        cg_printf(b, "ew%d_%s(%s);\n", s->id, s->out_dt == IR_FLOAT16 ? "d2h" : "d2bf", act);
    else
        cg_printf(b, "%s;\n", act);
}

static void indent(char *buf, int depth)
{
    int w = depth * 4 < 63 ? depth * 4 : 63;
    memset(buf, ' ', (size_t)w);
    buf[w] = 0;
}

/* The loop nest, the loads, the body and the store. */
static int write_loops(cg_ctx *c, ew_site *s, const ew_emitter *e, const int *loaded)
{
    cg_buf *b = c->kernels;
    loops L;
    plan_loops(c->g, s->n, &c->g->tensors[s->n->outputs[0]].shape, loaded, s->n_ops, &L);
    char ind[64];
    int depth = 1;
    for (int j = 0; j < L.m - 1; j++, depth++) {
        indent(ind, depth);
        cg_printf(b, "%sfor (size_t j%d = 0; j%d < %lld; j%d++) {\n", ind, j, j,
                  (long long)L.dims[j], j);
    }
    indent(ind, depth);
    if (L.m > 1) {
        cg_printf(b, "%sconst size_t o = ", ind);
        write_offset(b, &L, L.out_stride);
        cg_printf(b, ";\n");
        for (int k = 0; k < s->n_ops; k++) {
            if (!loaded[k] || !has_outer(&L, L.stride[k]) || outer_like_output(&L, L.stride[k]))
                continue;
            cg_printf(b, "%sconst size_t p%d = ", ind, k);
            write_offset(b, &L, L.stride[k]);
            cg_printf(b, ";\n");
        }
    }
    for (int k = 0; k < s->n_ops; k++) /* invariant in the inner loop */
        if (loaded[k] && L.stride[k][L.m - 1] == 0)
            write_load(b, s, &L, k, ind);
    cg_printf(b, "%sfor (size_t i = 0; i < %lld; i++) {\n", ind, (long long)L.dims[L.m - 1]);
    indent(ind, depth + 1);
    for (int k = 0; k < s->n_ops; k++)
        if (loaded[k] && L.stride[k][L.m - 1] != 0)
            write_load(b, s, &L, k, ind);
    s->ind = ind;
    if (ew_write_body(b, s, e))
        return -1;
    write_store(b, s, ind, L.m > 1);
    for (; depth >= 1; depth--) {
        indent(ind, depth);
        cg_printf(b, "%s}\n", ind);
    }
    return 0;
}

static int emit_elementwise(cg_ctx *c, const ir_node *n, diag *d)
{
    const ew_emitter *e = ew_emitter_find(n->op);
    if (!e || n->n_outputs < 1 || n->outputs[0] < 0)
        return diag_node(d, n->name, n->op, "no element-wise code generator for this node");
    const ir_tensor *y = &c->g->tensors[n->outputs[0]];
    ew_site s = {.g = c->g, .n = n, .out_dt = y->dtype, .id = c->node};
    s.n_ops = e->operands ? e->operands : n->n_inputs;
    while (s.n_ops > 0 && n->inputs[s.n_ops - 1] < 0) /* trailing absent optional inputs */
        s.n_ops--;
    if (s.n_ops > EW_MAX_OPERANDS || s.n_ops > n->n_inputs || s.n_ops < 1)
        return diag_node(d, n->name, n->op, "unexpected number of inputs (%d)", n->n_inputs);
    int baked[EW_MAX_OPERANDS] = {0}, loaded[EW_MAX_OPERANDS] = {0};
    unsigned helpers = 0;
    for (int k = 0; k < s.n_ops; k++) {
        s.present[k] = n->inputs[k] >= 0;
        if (!s.present[k])
            continue;
        const ir_tensor *t = &c->g->tensors[n->inputs[k]];
        s.in_dt[k] = t->dtype;
        baked[k] = t->data && ir_tensor_numel(t) == 1;
        loaded[k] = !baked[k];
        if (loaded[k] && t->dtype == IR_FLOAT16)
            helpers |= EW_HELP_H2F;
        if (loaded[k] && t->dtype == IR_BFLOAT16)
            helpers |= EW_HELP_BF2F;
    }
    s.dom = s.in_dt[strcmp(n->op, "Where") == 0 ? 1 : 0];
    s.ct = ew_compute_type(s.dom);
    s.rt = ew_compute_type(s.out_dt);
    if (s.out_dt == IR_FLOAT16)
        helpers |= EW_HELP_D2H;
    if (s.out_dt == IR_BFLOAT16)
        helpers |= EW_HELP_D2BF;
    helpers |= ew_body_helpers(&s);

    int64_t count = ir_tensor_numel(y);
    if (count > 0)
        ew_write_helpers(c->kernels, c->node, helpers);
    cg_kernel_begin(c, n);
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i] >= 0 && (i >= s.n_ops || !loaded[i] || count == 0))
            cg_printf(c->kernels, "    (void)x%d;\n", i);
    int rc = 0;
    if (count == 0) {
        cg_printf(c->kernels, "    (void)y0;\n");
    } else {
        for (int k = 0; k < s.n_ops; k++)
            if (baked[k])
                write_baked(c->kernels, &s, k);
        rc = write_loops(c, &s, e, loaded);
        if (rc)
            diag_node(d, n->name, n->op, "no code for element type %s", ir_dtype_name(s.dom));
    }
    cg_kernel_end(c);
    return rc;
}

#define EMIT(name) {name, emit_elementwise}

const emit_handler emit_family_elementwise[] = {
    EMIT("Relu"),     EMIT("Sigmoid"),   EMIT("HardSigmoid"),    EMIT("HardSwish"),
    EMIT("LeakyRelu"), EMIT("Elu"),      EMIT("Selu"),           EMIT("Celu"),
    EMIT("ThresholdedRelu"), EMIT("Shrink"), EMIT("Softplus"),   EMIT("Softsign"),
    EMIT("Tanh"),     EMIT("Erf"),       EMIT("Exp"),            EMIT("Log"),
    EMIT("Sqrt"),     EMIT("Reciprocal"), EMIT("Floor"),         EMIT("Ceil"),
    EMIT("Round"),    EMIT("Sin"),       EMIT("Cos"),            EMIT("Tan"),
    EMIT("Asin"),     EMIT("Acos"),      EMIT("Atan"),           EMIT("Sinh"),
    EMIT("Cosh"),     EMIT("Asinh"),     EMIT("Acosh"),          EMIT("Atanh"),
    EMIT("Neg"),      EMIT("Abs"),       EMIT("Sign"),           EMIT("IsNaN"),
    EMIT("IsInf"),    EMIT("Not"),       EMIT("Add"),            EMIT("Sub"),
    EMIT("Mul"),      EMIT("Div"),       EMIT("Pow"),            EMIT("Mod"),
    EMIT("BitShift"), EMIT("PRelu"),     EMIT("Equal"),          EMIT("Less"),
    EMIT("Greater"),  EMIT("LessOrEqual"), EMIT("GreaterOrEqual"), EMIT("And"),
    EMIT("Or"),       EMIT("Xor"),       EMIT("Max"),            EMIT("Min"),
    EMIT("Sum"),      EMIT("Mean"),      EMIT("Where"),          EMIT("Clip"),
    EMIT("Cast"),     EMIT("CastLike"),
    {.op = NULL},
};
