/* Reductions: C emitters.
 *
 * The input shape is first simplified: axes of extent 1 are dropped and
 * neighbouring axes that are both reduced or both kept are merged, leaving
 * alternating kept/reduced blocks such as [kept, reduced] (ReduceMean over
 * H, W) or [reduced, kept]. The output starts at the reduction's identity,
 * one loop nest walks the input in memory order and folds each element into
 * its output, and a last loop applies the final step (mean, sqrt, log).
 * When the innermost block is kept, the inner loop runs along contiguous
 * input and output rows; when it is reduced, it is a contiguous reduction
 * done with eight partial accumulators. Both vectorize.
 *
 * ReduceLogSumExp subtracts each output's maximum (kept in scratch) before
 * exp, so that large inputs do not overflow. ArgMax/ArgMin scan the axis for
 * each output. */
#include <stdio.h>
#include <string.h>

#include "../../passes/ops/pool_reduce.h"
#include "../emit.h"

/* How partial results combine. */
typedef enum combine { C_ADD, C_MUL, C_MAX, C_MIN } combine;

typedef struct rctx {
    ir_dtype t;
    const char *T; /* element C type */
    const char *U; /* its unsigned counterpart, for wrapping integer arithmetic */
    int is_float;
} rctx;

static const char *unsigned_of(ir_dtype t)
{
    switch (t) {
    case IR_INT32:
    case IR_UINT32: return "uint32_t";
    case IR_INT64:
    case IR_UINT64: return "uint64_t";
    default: return ir_dtype_ctype(t);
    }
}

static int is_signed_int(ir_dtype t)
{
    return t == IR_INT8 || t == IR_INT16 || t == IR_INT32 || t == IR_INT64;
}

static const char *mfn(const rctx *r, const char *base, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", base, r->t == IR_FLOAT ? "f" : "");
    return buf;
}

/* The start value of a combine for type t. */
static const char *identity(combine c, ir_dtype t)
{
    static const struct {
        ir_dtype t;
        const char *lo, *hi;
    } lim[] = {
        {IR_FLOAT, "(-HUGE_VALF)", "HUGE_VALF"}, {IR_DOUBLE, "(-HUGE_VAL)", "HUGE_VAL"},
        {IR_INT8, "INT8_MIN", "INT8_MAX"},       {IR_UINT8, "0", "UINT8_MAX"},
        {IR_INT16, "INT16_MIN", "INT16_MAX"},    {IR_UINT16, "0", "UINT16_MAX"},
        {IR_INT32, "INT32_MIN", "INT32_MAX"},    {IR_UINT32, "0", "UINT32_MAX"},
        {IR_INT64, "INT64_MIN", "INT64_MAX"},    {IR_UINT64, "0", "UINT64_MAX"},
    };
    if (c == C_ADD)
        return "0";
    if (c == C_MUL)
        return "1";
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
        if (lim[i].t == t)
            return c == C_MAX ? lim[i].lo : lim[i].hi;
    return "0";
}

/* Writes "a = combine(a, v);". Float maxima/minima propagate NaN, as numpy
 * does; integer sums and products wrap instead of overflowing. */
static void combine_stmt(cg_buf *b, const rctx *r, combine c, const char *a, const char *v)
{
    const char *op = c == C_ADD ? "+" : "*";
    switch (c) {
    case C_MAX:
    case C_MIN:
        if (r->is_float)
            cg_printf(b, "%s = (%s %s %s || %s != %s) ? %s : %s;\n", a, v, c == C_MAX ? ">" : "<",
                      a, v, v, v, a);
        else
            cg_printf(b, "%s = %s %s %s ? %s : %s;\n", a, v, c == C_MAX ? ">" : "<", a, v, a);
        break;
    default:
        if (r->is_float)
            cg_printf(b, "%s = %s %s %s;\n", a, a, op, v);
        else
            cg_printf(b, "%s = (%s)((%s)%s %s (%s)(%s));\n", a, r->T, r->U, a, op, r->U, v);
        break;
    }
}

/* The per-element transform of the reduction, applied to the C variable v
 * (shift: the maximum for ReduceLogSumExp). */
static const char *transform(const rctx *r, reduce_kind k, const char *shift, char *buf,
                             size_t size)
{
    char f[16];
    switch (k) {
    case RED_L1:
        if (r->is_float)
            snprintf(buf, size, "%s(v)", mfn(r, "fabs", f, sizeof f));
        else if (is_signed_int(r->t))
            snprintf(buf, size, "(%s)(v < 0 ? (%s)0 - (%s)v : (%s)v)", r->T, r->U, r->U, r->U);
        else
            snprintf(buf, size, "v");
        break;
    case RED_L2:
    case RED_SUMSQ:
        if (r->is_float)
            snprintf(buf, size, "v * v");
        else
            snprintf(buf, size, "(%s)((%s)v * (%s)v)", r->T, r->U, r->U);
        break;
    case RED_LOGSUMEXP:
        snprintf(buf, size, "%s(v - %s)", mfn(r, "exp", f, sizeof f), shift);
        break;
    default:
        snprintf(buf, size, "v");
        break;
    }
    return buf;
}

static combine combine_of(reduce_kind k)
{
    return k == RED_MAX ? C_MAX : k == RED_MIN ? C_MIN : k == RED_PROD ? C_MUL : C_ADD;
}

/* The simplified shape: alternating kept/reduced blocks. */
typedef struct blocks {
    int n;
    int64_t size[IR_MAX_RANK];
    int reduced[IR_MAX_RANK];
    int64_t xs[IR_MAX_RANK], ys[IR_MAX_RANK]; /* strides in x and y (0: reduced) */
} blocks;

static void make_blocks(const ir_shape *s, unsigned mask, blocks *bl)
{
    memset(bl, 0, sizeof *bl);
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] == 1)
            continue;
        int red = (mask >> i) & 1;
        if (bl->n && bl->reduced[bl->n - 1] == red) {
            bl->size[bl->n - 1] *= s->dims[i];
        } else {
            bl->size[bl->n] = s->dims[i];
            bl->reduced[bl->n++] = red;
        }
    }
    if (bl->n == 0)
        bl->size[bl->n++] = 1;
    int64_t xs = 1, ys = 1;
    for (int i = bl->n - 1; i >= 0; i--) {
        bl->xs[i] = xs;
        xs *= bl->size[i];
        bl->ys[i] = bl->reduced[i] ? 0 : ys;
        if (!bl->reduced[i])
            ys *= bl->size[i];
    }
}

static void indent(cg_buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        cg_printf(b, "    ");
}

/* Offset expression "i0 * 12 + i1 * 4" over the outer blocks (those before
 * the innermost one) with the given strides; "0" when there is none. */
static void offset(cg_buf *b, const blocks *bl, const int64_t *stride)
{
    int any = 0;
    for (int i = 0; i + 1 < bl->n; i++) {
        if (!stride[i])
            continue;
        cg_printf(b, "%si%d * %lld", any ? " + " : "", i, (long long)stride[i]);
        any = 1;
    }
    if (!any)
        cg_printf(b, "0");
}

/* "for (ptrdiff_t i = from; i < to; i++) { const T v = xp[i]; <dst folds
 * transform(v)> }" at depth, with i named var; shift is the element of the
 * ReduceLogSumExp maxima that dst's transform subtracts. */
static void fold_loop(cg_buf *b, int depth, const rctx *r, reduce_kind k, combine c,
                      const char *var, int64_t from, int64_t to, const char *dst,
                      const char *shift)
{
    char f[160];
    indent(b, depth);
    cg_printf(b, "for (ptrdiff_t %s = %lld; %s < %lld; %s++) {\n", var, (long long)from, var,
              (long long)to, var);
    indent(b, depth + 1);
    cg_printf(b, "const %s v = xp[%s];\n", r->T, var);
    indent(b, depth + 1);
    combine_stmt(b, r, c, dst, transform(r, k, shift, f, sizeof f));
    indent(b, depth);
    cg_printf(b, "}\n");
}

/* One pass over the input folding transform(v) into dst[] (the output or
 * the scratch maxima) with combine c. shift_arr: array of per-output
 * maxima for ReduceLogSumExp, or NULL. */
static void fold_pass(cg_buf *b, const rctx *r, const blocks *bl, reduce_kind k, combine c,
                      const char *dst, const char *shift_arr)
{
    int depth = 2, last = bl->n - 1;
    char f[160];
    /* A block of its own: ReduceLogSumExp has two passes. */
    cg_printf(b, "    {\n");
    for (int i = 0; i < last; i++) {
        indent(b, depth++);
        cg_printf(b, "for (ptrdiff_t i%d = 0; i%d < %lld; i%d++) {\n", i, i, (long long)bl->size[i],
                  i);
    }
    indent(b, depth);
    cg_printf(b, "const %s *xp = x0 + ", r->T);
    offset(b, bl, bl->xs);
    cg_printf(b, ";\n");
    indent(b, depth);
    cg_printf(b, "%s *dp = %s + ", r->T, dst);
    offset(b, bl, bl->ys);
    cg_printf(b, ";\n");
    if (shift_arr) {
        indent(b, depth);
        cg_printf(b, "const %s *sp = %s + ", r->T, shift_arr);
        offset(b, bl, bl->ys);
        cg_printf(b, ";\n");
    }
    int64_t len = bl->size[last];
    if (!bl->reduced[last]) {
        /* Kept rows: element k of the row folds into output k. */
        fold_loop(b, depth, r, k, c, "k", 0, len, "dp[k]", "sp[k]");
    } else {
        /* A contiguous run folding into one output. */
        if (len >= 16) {
            int64_t l8 = len / 8 * 8;
            indent(b, depth);
            cg_printf(b, "%s a[8];\n", r->T);
            indent(b, depth);
            cg_printf(b, "for (int l = 0; l < 8; l++)\n");
            indent(b, depth + 1);
            cg_printf(b, "a[l] = %s;\n", identity(c, r->t));
            indent(b, depth);
            cg_printf(b, "for (ptrdiff_t j = 0; j < %lld; j += 8)\n", (long long)l8);
            indent(b, depth + 1);
            cg_printf(b, "for (int l = 0; l < 8; l++) {\n");
            indent(b, depth + 2);
            cg_printf(b, "const %s v = xp[j + l];\n", r->T);
            indent(b, depth + 2);
            combine_stmt(b, r, c, "a[l]", transform(r, k, "sp[0]", f, sizeof f));
            indent(b, depth + 1);
            cg_printf(b, "}\n");
            if (l8 < len) {
                fold_loop(b, depth, r, k, c, "j", l8, len, "a[0]", "sp[0]");
            }
            indent(b, depth);
            cg_printf(b, "for (int l = 0; l < 8; l++)\n");
            indent(b, depth + 1);
            combine_stmt(b, r, c, "dp[0]", "a[l]");
        } else {
            fold_loop(b, depth, r, k, c, "j", 0, len, "dp[0]", "sp[0]");
        }
    }
    for (int i = last - 1; i >= 0; i--) {
        indent(b, i + 2);
        cg_printf(b, "}\n");
    }
    cg_printf(b, "    }\n");
}

/* Writes the final step of the reduction over the out outputs. */
static void finalize(cg_buf *b, const rctx *r, reduce_kind k, int64_t out, int64_t count)
{
    char f[16];
    if (k != RED_MEAN && k != RED_L2 && k != RED_LOGSUM && k != RED_LOGSUMEXP)
        return;
    cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n        ", (long long)out);
    if (k == RED_MEAN && r->is_float)
        cg_printf(b, "y0[i] = y0[i] / %lld.0%s;\n", (long long)count, r->t == IR_FLOAT ? "f" : "");
    else if (k == RED_MEAN)
        /* Integer mean truncates toward zero, like numpy's astype. */
        cg_printf(b, "y0[i] = (%s)(y0[i] / (%s)%lld);\n", r->T, r->T, (long long)count);
    else if (k == RED_L2)
        cg_printf(b, "y0[i] = %s(y0[i]);\n", mfn(r, "sqrt", f, sizeof f));
    else if (k == RED_LOGSUM)
        cg_printf(b, "y0[i] = %s(y0[i]);\n", mfn(r, "log", f, sizeof f));
    else
        cg_printf(b, "y0[i] = m[i] + %s(y0[i]);\n", mfn(r, "log", f, sizeof f));
}

static int emit_arg(cg_ctx *c, const ir_node *n, const reduce_spec *s, const rctx *r)
{
    const ir_tensor *x = &c->g->tensors[n->inputs[0]];
    int axis = 0;
    while (!((s->mask >> axis) & 1))
        axis++;
    int64_t outer = 1, len = x->shape.dims[axis], inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= x->shape.dims[i];
    for (int i = axis + 1; i < x->shape.rank; i++)
        inner *= x->shape.dims[i];
    int is_max = s->kind == RED_ARGMAX;
    const char *cmp = is_max ? (s->select_last_index ? ">=" : ">")
                             : (s->select_last_index ? "<=" : "<");
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t k = 0; k < %lld; k++) {\n"
                 "            const %s *xp = x0 + o * %lld + k;\n"
                 "            %s best = xp[0];\n"
                 "            int64_t at = 0;\n"
                 "            for (ptrdiff_t j = 1; j < %lld; j++) {\n"
                 "                const %s v = xp[j * %lld];\n",
              (long long)outer, (long long)inner, r->T, (long long)(len * inner), r->T,
              (long long)len, r->T, (long long)inner);
    /* NaN counts as the extreme value, first (or last) NaN wins: numpy. */
    if (!r->is_float)
        cg_printf(b, "                if (v %s best) {\n", cmp);
    else if (s->select_last_index)
        cg_printf(b, "                if (v %s best || v != v) {\n", cmp);
    else
        cg_printf(b, "                if (v %s best || (v != v && best == best)) {\n", cmp);
    cg_printf(b, "                    best = v;\n"
                 "                    at = j;\n"
                 "                }\n"
                 "            }\n"
                 "            y0[o * %lld + k] = at;\n"
                 "        }\n",
              (long long)inner);
    cg_kernel_end(c);
    return 0;
}

static int emit_reduce(cg_ctx *c, const ir_node *n, diag *d)
{
    reduce_spec s;
    if (reduce_spec_get(c->g, n, &s, d))
        return -1;
    const ir_tensor *x = &c->g->tensors[n->inputs[0]], *y = &c->g->tensors[n->outputs[0]];
    rctx r = {.t = x->dtype, .T = ir_dtype_ctype(x->dtype), .U = unsigned_of(x->dtype),
              .is_float = ir_dtype_is_float(x->dtype)};
    if (s.kind == RED_ARGMAX || s.kind == RED_ARGMIN)
        return emit_arg(c, n, &s, &r);
    /* An axes input is baked into the kernel. */
    int has_axes_input = n->n_inputs > 1 && n->inputs[1] >= 0;
    blocks bl;
    make_blocks(&x->shape, s.mask, &bl);
    int64_t out = ir_tensor_numel(y), count = ir_tensor_numel(x) / (out ? out : 1);
    combine cmb = combine_of(s.kind);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    if (has_axes_input)
        cg_printf(b, "    (void)x1;\n");
    if (s.kind == RED_LOGSUMEXP) {
        cg_printf(b, "    %s *m = (%s *)(void *)scratch;\n", r.T, r.T);
        cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n        m[i] = %s;\n",
                  (long long)out, identity(C_MAX, r.t));
        fold_pass(b, &r, &bl, RED_MAX, C_MAX, "m", NULL);
        /* An infinite or NaN maximum cannot be subtracted; 0 gives the same
         * result through exp and log. */
        cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n        if (!isfinite(m[i]))\n"
                     "            m[i] = 0;\n",
                  (long long)out);
    }
    cg_printf(b, "    for (ptrdiff_t i = 0; i < %lld; i++)\n        y0[i] = %s;\n", (long long)out,
              identity(cmb, r.t));
    fold_pass(b, &r, &bl, s.kind, cmb, "y0", s.kind == RED_LOGSUMEXP ? "m" : NULL);
    finalize(b, &r, s.kind, out, count);
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_reduce[] = {
    {"ReduceSum", emit_reduce},       {"ReduceMean", emit_reduce},
    {"ReduceMax", emit_reduce},       {"ReduceMin", emit_reduce},
    {"ReduceProd", emit_reduce},      {"ReduceL1", emit_reduce},
    {"ReduceL2", emit_reduce},        {"ReduceSumSquare", emit_reduce},
    {"ReduceLogSum", emit_reduce},    {"ReduceLogSumExp", emit_reduce},
    {"ArgMax", emit_reduce},          {"ArgMin", emit_reduce},
    {.op = NULL},
};
