/* Element-wise emitters: per operator, the C statements computing one output
 * element r from the operands v0, v1, ... The semantics are those of
 * passes/ops/elementwise_table.c: integers wrap (computed in $W), integer
 * division and modulo by zero give 0, Max/Min propagate NaN, Clip keeps NaN. */
#include <string.h>

#include "emit_elementwise.h"

static int is_signed_int(ir_dtype t)
{
    return t == IR_INT8 || t == IR_INT16 || t == IR_INT32 || t == IR_INT64;
}

/* An integer type in which $T's arithmetic cannot overflow (int for 8 bits,
 * where C promotes anyway) or wraps as unsigned. */
static const char *wrap_type(ir_dtype t)
{
    size_t size = ir_dtype_size(t);
    return size == 1 ? "int" : (size == 8 ? "uint64_t" : "uint32_t");
}

static void expand(cg_buf *b, const ew_site *s, const ew_emitter *e, const char *t)
{
    cg_printf(b, "%s", s->ind);
    for (; *t; t++) {
        if (*t == '\n') {
            cg_printf(b, "\n%s", s->ind);
            continue;
        }
        if (*t != '$' || !t[1]) {
            cg_write(b, t, 1);
            continue;
        }
        char c = *++t;
        if (c >= '0' && c <= '9')
            cg_printf(b, "v%c", c);
        else if (c == 'T')
            cg_printf(b, "%s", s->rt);
        else if (c == 'C')
            cg_printf(b, "%s", s->ct);
        else if (c == 'F')
            cg_printf(b, "%s", strcmp(s->ct, "float") == 0 ? "f" : "");
        else if (c == 'W')
            cg_printf(b, "%s", wrap_type(s->dom));
        else {
            int k = c == 'A' ? 0 : (c == 'B' ? 1 : 2);
            ew_literal(b, s->ct, ir_attr_float(s->n, e->attr[k], e->dflt[k]));
        }
    }
    cg_printf(b, "\n");
}

/* ---- bodies that depend on attributes or types beyond a template ---- */

static void body_pow(cg_buf *b, const ew_site *s)
{
    const char *et = ew_compute_type(s->in_dt[1]);
    if (ew_is_floating(s->dom)) {
        if (strcmp(s->ct, "float") == 0 && strcmp(et, "float") == 0)
            cg_printf(b, "%sconst %s r = powf(v0, v1);\n", s->ind, s->rt);
        else /* numpy promotes mixed types to double */
            cg_printf(b, "%sconst %s r = (%s)pow((double)v0, (double)v1);\n", s->ind, s->rt,
                      s->rt);
    } else if (!ew_is_floating(s->in_dt[1])) {
        cg_printf(b, "%sconst %s r = (%s)ew%d_ipow((int64_t)v0, (int64_t)v1);\n", s->ind, s->rt,
                  s->rt, s->id);
    } else {
        cg_printf(b, "%sconst double t = pow((double)v0, (double)v1);\n%sconst %s r = ", s->ind,
                  s->ind, s->rt);
        ew_saturate(b, s->out_dt, "double", "t");
        cg_printf(b, ";\n");
    }
}

static void body_mod(cg_buf *b, const ew_site *s)
{
    const char *T = s->rt, *I = s->ind;
    if (ew_is_floating(s->dom))
        cg_printf(b, "%sconst %s r = fmod%s(v0, v1);\n", I, T,
                  strcmp(s->ct, "float") == 0 ? "f" : "");
    else if (!is_signed_int(s->dom))
        cg_printf(b, "%sconst %s r = v1 == 0 ? 0 : (%s)(v0 %% v1);\n", I, T, T);
    else if (ir_attr_int(s->n, "fmod", 0))
        cg_printf(b, "%sconst %s r = (v1 == 0 || v1 == -1) ? 0 : (%s)(v0 %% v1);\n", I, T, T);
    else /* numpy.mod: the remainder takes the divisor's sign */
        cg_printf(b, "%sconst %s t = (v1 == 0 || v1 == -1) ? 0 : (%s)(v0 %% v1);\n"
                     "%sconst %s r = (t != 0 && ((t < 0) != (v1 < 0))) ? (%s)(t + v1) : t;\n",
                  I, T, T, I, T, T);
}

/* Shifting by the type's width or more gives 0 (C leaves it undefined). */
static void body_bitshift(cg_buf *b, const ew_site *s)
{
    int bits = (int)(8 * ir_dtype_size(s->dom));
    if (strcmp(ir_attr_string(s->n, "direction", ""), "LEFT") == 0)
        cg_printf(b, "%sconst %s r = v1 >= %d ? 0 : (%s)((%s)v0 << v1);\n", s->ind, s->rt, bits,
                  s->rt, bits > 32 ? "uint64_t" : "uint32_t");
    else
        cg_printf(b, "%sconst %s r = v1 >= %d ? 0 : (%s)(v0 >> v1);\n", s->ind, s->rt, bits,
                  s->rt);
}

static void body_isinf(cg_buf *b, const ew_site *s)
{
    int neg = ir_attr_int(s->n, "detect_negative", 1) != 0;
    int pos = ir_attr_int(s->n, "detect_positive", 1) != 0;
    if (neg && pos)
        cg_printf(b, "%sconst %s r = isinf(v0) != 0;\n", s->ind, s->rt);
    else if (neg || pos)
        cg_printf(b, "%sconst %s r = isinf(v0) && v0 %s 0;\n", s->ind, s->rt, neg ? "<" : ">");
    else
        cg_printf(b, "%s(void)v0;\n%sconst %s r = 0;\n", s->ind, s->ind, s->rt);
}

/* Sum and Mean: left to right, as numpy adds. */
static void body_sum(cg_buf *b, const ew_site *s)
{
    int mean = strcmp(s->n->op, "Mean") == 0;
    cg_printf(b, "%sconst %s r = %s", s->ind, s->rt, mean ? "(" : "");
    for (int k = 0; k < s->n_ops; k++)
        cg_printf(b, "%sv%d", k ? " + " : "", k);
    if (mean)
        cg_printf(b, ") / %d", s->n_ops);
    cg_printf(b, ";\n");
}

static void body_max_min(cg_buf *b, const ew_site *s)
{
    const char *cmp = strcmp(s->n->op, "Max") == 0 ? ">" : "<";
    cg_printf(b, "%s%s r = v0;\n", s->ind, s->rt);
    for (int k = 1; k < s->n_ops; k++) {
        if (ew_is_floating(s->dom)) /* a NaN operand wins, as in numpy.maximum */
            cg_printf(b, "%sr = (v%d %s r || v%d != v%d) ? v%d : r;\n", s->ind, k, cmp, k, k, k);
        else
            cg_printf(b, "%sr = v%d %s r ? v%d : r;\n", s->ind, k, cmp, k);
    }
}

/* Before opset 11 the bounds are attributes that default to the float
 * range; since then they are optional scalar inputs. */
static void body_clip(cg_buf *b, const ew_site *s)
{
    int legacy = s->g->opset < 11;
    cg_printf(b, "%s%s r = v0;\n", s->ind, s->rt);
    for (int k = 1; k <= 2; k++) {
        const char *cmp = k == 1 ? "<" : ">";
        if (k < s->n_ops && s->present[k]) {
            cg_printf(b, "%sr = r %s v%d ? v%d : r;\n", s->ind, cmp, k, k);
        } else if (legacy) {
            cg_buf lit = {0};
            ew_literal(&lit, s->ct, ir_attr_float(s->n, k == 1 ? "min" : "max",
                                                  k == 1 ? -3.40282346638528859812e+38f
                                                         : 3.40282346638528859812e+38f));
            if (lit.s)
                cg_printf(b, "%sr = r %s %s ? %s : r;\n", s->ind, cmp, lit.s, lit.s);
            cg_buf_free(&lit);
        }
    }
}

static void body_cast(cg_buf *b, const ew_site *s)
{
    ir_dtype to = s->out_dt;
    if (to == IR_BOOL)
        cg_printf(b, "%sconst uint8_t r = v0 != 0;\n", s->ind);
    else if (to == IR_FLOAT16) /* the store rounds once, from double */
        cg_printf(b, "%sconst double r = (double)v0;\n", s->ind);
    else if (to == IR_BFLOAT16) /* the store keeps the float's upper half */
        cg_printf(b, "%sconst float r = (float)v0;\n", s->ind);
    else if (to == IR_FLOAT || to == IR_DOUBLE || !ew_is_floating(s->dom)) {
        cg_printf(b, "%sconst %s r = (%s)v0;\n", s->ind, s->rt, s->rt);
    } else {
        cg_printf(b, "%sconst %s r = ", s->ind, s->rt);
        ew_saturate(b, to, s->ct, "v0");
        cg_printf(b, ";\n");
    }
}

/* ---- the table ---- */

/* Float-only operators; $A $B $G bind attributes a0, a1, a2. */
#define FLT(name, t) {.op = name, .tf = t}
#define FLT_A(name, t, a0, d0) {.op = name, .tf = t, .attr = {a0}, .dflt = {d0}}
#define FLT_AB(name, t, a0, d0, a1, d1) {.op = name, .tf = t, .attr = {a0, a1}, .dflt = {d0, d1}}
#define LIBM(name, fn) FLT(name, "const $T r = " fn "$F($0);")
#define WRAPPED(o) "const $T r = ($T)(($W)$0 " o " ($W)$1);"
#define ARITH(name, o) {.op = name, .tf = "const $T r = $0 " o " $1;", .ts = WRAPPED(o), .tu = WRAPPED(o)}
#define ALL(name, t) {.op = name, .tf = t, .ts = t, .tu = t, .tb = t}
#define COMPARE(name, o) ALL(name, "const $T r = $0 " o " $1;")
#define LOGIC(name, t) {.op = name, .tb = t}
#define CUSTOM(name, fn) {.op = name, .body = fn}

static const ew_emitter emitters[] = {
    {.op = "Relu", .tf = "const $T r = $0 < 0 ? 0 : $0;", .ts = "const $T r = $0 < 0 ? 0 : $0;"},
    FLT("Sigmoid", "const $T r = 1 / (1 + exp$F(-$0));"),
    FLT_AB("HardSigmoid", "const $C t = $A * $0 + $B;\n"
                          "const $T r = t < 0 ? 0 : (t > 1 ? 1 : t);",
           "alpha", 0.2f, "beta", 0.5f),
    FLT("HardSwish", "const $C t = $0 / 6 + 0.5f;\n"
                     "const $T r = $0 * (t < 0 ? 0 : (t > 1 ? 1 : t));"),
    FLT_A("LeakyRelu", "const $T r = $0 < 0 ? $A * $0 : $0;", "alpha", 0.01f),
    FLT_A("Elu", "const $T r = $0 < 0 ? $A * expm1$F($0) : $0;", "alpha", 1.0f),
    FLT_AB("Selu", "const $T r = $0 > 0 ? $B * $0 : $B * ($A * expm1$F($0));", "alpha",
           1.67326319217681884765625f, "gamma", 1.05070102214813232421875f),
    FLT_A("Celu", "const $T r = $0 > 0 ? $0 : $A * expm1$F($0 / $A);", "alpha", 1.0f),
    FLT_A("ThresholdedRelu", "const $T r = $0 > $A ? $0 : 0;", "alpha", 1.0f),
    FLT_AB("Shrink", "const $T r = $0 < -$B ? $0 + $A : ($0 > $B ? $0 - $A : 0);", "bias", 0.0f,
           "lambd", 0.5f),
    /* log(1 + e^x) without overflow for large x. */
    FLT("Softplus", "const $T r = $0 > 0 ? $0 + log1p$F(exp$F(-$0)) : log1p$F(exp$F($0));"),
    FLT("Softsign", "const $T r = $0 / (1 + fabs$F($0));"),
    FLT("Reciprocal", "const $T r = 1 / $0;"),
    LIBM("Tanh", "tanh"),
    LIBM("Erf", "erf"),
    LIBM("Exp", "exp"),
    LIBM("Log", "log"),
    LIBM("Sqrt", "sqrt"),
    LIBM("Floor", "floor"),
    LIBM("Ceil", "ceil"),
    LIBM("Round", "nearbyint"), /* half to even in the default rounding mode */
    LIBM("Sin", "sin"),
    LIBM("Cos", "cos"),
    LIBM("Tan", "tan"),
    LIBM("Asin", "asin"),
    LIBM("Acos", "acos"),
    LIBM("Atan", "atan"),
    LIBM("Sinh", "sinh"),
    LIBM("Cosh", "cosh"),
    LIBM("Asinh", "asinh"),
    LIBM("Acosh", "acosh"),
    LIBM("Atanh", "atanh"),
    {.op = "Neg", .tf = "const $T r = -$0;", .ts = "const $T r = ($T)(0 - ($W)$0);"},
    {.op = "Abs", .tf = "const $T r = fabs$F($0);",
     .ts = "const $T r = $0 < 0 ? ($T)(0 - ($W)$0) : $0;", .tu = "const $T r = $0;"},
    {.op = "Sign", .tf = "const $T r = $0 > 0 ? 1 : ($0 < 0 ? -1 : $0);",
     .ts = "const $T r = ($T)(($0 > 0) - ($0 < 0));", .tu = "const $T r = $0 != 0;"},
    FLT("IsNaN", "const $T r = $0 != $0;"),
    CUSTOM("IsInf", body_isinf),
    LOGIC("Not", "const $T r = !$0;"),
    ARITH("Add", "+"),
    ARITH("Sub", "-"),
    ARITH("Mul", "*"),
    {.op = "Div", .tf = "const $T r = $0 / $1;",
     .ts = "const $T r = $1 == 0 ? 0 : ($1 == -1 ? ($T)(0 - ($W)$0) : ($T)($0 / $1));",
     .tu = "const $T r = $1 == 0 ? 0 : ($T)($0 / $1);"},
    CUSTOM("Pow", body_pow),
    CUSTOM("Mod", body_mod),
    CUSTOM("BitShift", body_bitshift),
    {.op = "PRelu", .tf = "const $T r = $0 < 0 ? $1 * $0 : $0;",
     .ts = "const $T r = $0 < 0 ? ($T)(($W)$1 * ($W)$0) : $0;",
     .tu = "(void)$1;\nconst $T r = $0;"},
    COMPARE("Equal", "=="),
    COMPARE("Less", "<"),
    COMPARE("Greater", ">"),
    COMPARE("LessOrEqual", "<="),
    COMPARE("GreaterOrEqual", ">="),
    LOGIC("And", "const $T r = $0 && $1;"),
    LOGIC("Or", "const $T r = $0 || $1;"),
    LOGIC("Xor", "const $T r = !$0 != !$1;"),
    CUSTOM("Max", body_max_min),
    CUSTOM("Min", body_max_min),
    CUSTOM("Sum", body_sum),
    CUSTOM("Mean", body_sum),
    ALL("Where", "const $T r = $0 ? $1 : $2;"),
    CUSTOM("Clip", body_clip),
    CUSTOM("Cast", body_cast),
    {.op = "CastLike", .body = body_cast, .operands = 1}, /* input 1 only gives the type */
};

const ew_emitter *ew_emitter_find(const char *op)
{
    for (size_t i = 0; i < sizeof emitters / sizeof emitters[0]; i++)
        if (strcmp(emitters[i].op, op) == 0)
            return &emitters[i];
    return NULL;
}

unsigned ew_body_helpers(const ew_site *s)
{
    if (strcmp(s->n->op, "Pow") == 0 && !ew_is_floating(s->dom) && !ew_is_floating(s->in_dt[1]))
        return EW_HELP_IPOW;
    return 0;
}

int ew_write_body(cg_buf *b, const ew_site *s, const ew_emitter *e)
{
    if (e->body) {
        e->body(b, s);
        return 0;
    }
    const char *t = ew_is_floating(s->dom) ? e->tf
                    : s->dom == IR_BOOL    ? e->tb
                    : is_signed_int(s->dom) ? e->ts
                                            : e->tu;
    if (!t)
        return -1;
    expand(b, s, e, t);
    return 0;
}
