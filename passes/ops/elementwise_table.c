/* Element-wise operators: the description of each one (types, attributes)
 * and its scalar semantics, used to fold constant nodes. The generated C
 * (codegen/ops/emit_elementwise_ops.c) computes the same: integers wrap,
 * integer division and modulo by zero give 0, Max/Min propagate NaN. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "elementwise.h"

static int is_unsigned(const ew_params *p) { return (EW_BIT(p->t) & EW_UNSIGNED) != 0; }

/* Two's complement wrap-around without signed overflow in the compiler. */
static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* a < b in the operands' own signedness (uint64 values are held as int64 bits). */
static int int_less(const ew_params *p, int64_t a, int64_t b)
{
    return is_unsigned(p) ? (uint64_t)a < (uint64_t)b : a < b;
}

/* ---- unary, float ---- */

static double f_relu(const ew_params *p, const double *v) { (void)p; return v[0] < 0 ? 0 : v[0]; }
static double f_sigmoid(const ew_params *p, const double *v) { (void)p; return 1 / (1 + exp(-v[0])); }
static double f_clamp01(double t) { return t < 0 ? 0 : (t > 1 ? 1 : t); }
static double f_hardsigmoid(const ew_params *p, const double *v)
{
    return f_clamp01(p->a * v[0] + p->b);
}
static double f_hardswish(const ew_params *p, const double *v)
{
    (void)p;
    return v[0] * f_clamp01(v[0] / 6 + 0.5);
}
static double f_leakyrelu(const ew_params *p, const double *v)
{
    return v[0] < 0 ? p->a * v[0] : v[0];
}
static double f_elu(const ew_params *p, const double *v)
{
    return v[0] < 0 ? p->a * expm1(v[0]) : v[0];
}
static double f_selu(const ew_params *p, const double *v)
{
    return v[0] > 0 ? p->b * v[0] : p->b * (p->a * expm1(v[0]));
}
static double f_celu(const ew_params *p, const double *v)
{
    return v[0] > 0 ? v[0] : p->a * expm1(v[0] / p->a);
}
static double f_thresholdedrelu(const ew_params *p, const double *v)
{
    return v[0] > p->a ? v[0] : 0;
}
static double f_shrink(const ew_params *p, const double *v)
{
    double x = v[0], bias = p->a, lambd = p->b;
    return x < -lambd ? x + bias : (x > lambd ? x - bias : 0);
}
static double f_softplus(const ew_params *p, const double *v)
{
    (void)p;
    return v[0] > 0 ? v[0] + log1p(exp(-v[0])) : log1p(exp(v[0]));
}
static double f_softsign(const ew_params *p, const double *v)
{
    (void)p;
    return v[0] / (1 + fabs(v[0]));
}
static double f_neg(const ew_params *p, const double *v) { (void)p; return -v[0]; }
static double f_abs(const ew_params *p, const double *v) { (void)p; return fabs(v[0]); }
static double f_reciprocal(const ew_params *p, const double *v) { (void)p; return 1 / v[0]; }
static double f_sign(const ew_params *p, const double *v)
{
    (void)p;
    return v[0] > 0 ? 1 : (v[0] < 0 ? -1 : v[0]);
}
static double f_isnan(const ew_params *p, const double *v) { (void)p; return v[0] != v[0]; }
static double f_isinf(const ew_params *p, const double *v)
{
    return isinf(v[0]) && ((v[0] < 0 && p->flag) || (v[0] > 0 && p->flag2));
}

/* Unary libm functions, one wrapper each. */
#define EW_LIBM(name)                                                                            \
    static double f_##name(const ew_params *p, const double *v)                                 \
    {                                                                                            \
        (void)p;                                                                                 \
        return name(v[0]);                                                                       \
    }
EW_LIBM(tanh)
EW_LIBM(erf)
EW_LIBM(exp)
EW_LIBM(log)
EW_LIBM(sqrt)
EW_LIBM(floor)
EW_LIBM(ceil)
EW_LIBM(nearbyint) /* round half to even in the default rounding mode */
EW_LIBM(sin)
EW_LIBM(cos)
EW_LIBM(tan)
EW_LIBM(asin)
EW_LIBM(acos)
EW_LIBM(atan)
EW_LIBM(sinh)
EW_LIBM(cosh)
EW_LIBM(asinh)
EW_LIBM(acosh)
EW_LIBM(atanh)
#undef EW_LIBM

/* ---- unary, integer and bool ---- */

static int64_t i_relu(const ew_params *p, const int64_t *v) { (void)p; return v[0] < 0 ? 0 : v[0]; }
static int64_t i_neg(const ew_params *p, const int64_t *v) { (void)p; return wrap_sub(0, v[0]); }
static int64_t i_abs(const ew_params *p, const int64_t *v)
{
    return !is_unsigned(p) && v[0] < 0 ? wrap_sub(0, v[0]) : v[0];
}
static int64_t i_sign(const ew_params *p, const int64_t *v)
{
    if (is_unsigned(p))
        return v[0] != 0;
    return (v[0] > 0) - (v[0] < 0);
}
static int64_t i_not(const ew_params *p, const int64_t *v) { (void)p; return !v[0]; }

/* ---- binary and variadic, float ---- */

static double f_add(const ew_params *p, const double *v) { (void)p; return v[0] + v[1]; }
static double f_sub(const ew_params *p, const double *v) { (void)p; return v[0] - v[1]; }
static double f_mul(const ew_params *p, const double *v) { (void)p; return v[0] * v[1]; }
static double f_div(const ew_params *p, const double *v) { (void)p; return v[0] / v[1]; }
static double f_pow(const ew_params *p, const double *v) { (void)p; return pow(v[0], v[1]); }
static double f_mod(const ew_params *p, const double *v) { (void)p; return fmod(v[0], v[1]); }
static double f_prelu(const ew_params *p, const double *v)
{
    (void)p;
    return v[0] < 0 ? v[1] * v[0] : v[0];
}
static double f_max(const ew_params *p, const double *v)
{
    double r = v[0];
    for (int k = 1; k < p->count; k++)
        r = (v[k] > r || v[k] != v[k]) ? v[k] : r;
    return r;
}
static double f_min(const ew_params *p, const double *v)
{
    double r = v[0];
    for (int k = 1; k < p->count; k++)
        r = (v[k] < r || v[k] != v[k]) ? v[k] : r;
    return r;
}
static double f_sum(const ew_params *p, const double *v)
{
    double r = v[0];
    for (int k = 1; k < p->count; k++)
        r += v[k];
    return r;
}
static double f_mean(const ew_params *p, const double *v) { return f_sum(p, v) / p->count; }
static double f_equal(const ew_params *p, const double *v) { (void)p; return v[0] == v[1]; }
static double f_less(const ew_params *p, const double *v) { (void)p; return v[0] < v[1]; }
static double f_greater(const ew_params *p, const double *v) { (void)p; return v[0] > v[1]; }
static double f_less_eq(const ew_params *p, const double *v) { (void)p; return v[0] <= v[1]; }
static double f_greater_eq(const ew_params *p, const double *v) { (void)p; return v[0] >= v[1]; }
static double f_where(const ew_params *p, const double *v) { (void)p; return v[0] ? v[1] : v[2]; }
/* NaN passes through both bounds, as in numpy.clip. */
static double f_clip(const ew_params *p, const double *v)
{
    double r = v[0];
    if (p->present & 2u)
        r = r < v[1] ? v[1] : r;
    else if (p->has_a)
        r = r < p->a ? p->a : r;
    if (p->present & 4u)
        r = r > v[2] ? v[2] : r;
    else if (p->has_b)
        r = r > p->b ? p->b : r;
    return r;
}

/* ---- binary and variadic, integer and bool ---- */

static int64_t i_add(const ew_params *p, const int64_t *v) { (void)p; return wrap_add(v[0], v[1]); }
static int64_t i_sub(const ew_params *p, const int64_t *v) { (void)p; return wrap_sub(v[0], v[1]); }
static int64_t i_mul(const ew_params *p, const int64_t *v) { (void)p; return wrap_mul(v[0], v[1]); }
/* Truncates toward zero like C (and onnxruntime); x / 0 gives 0. */
static int64_t i_div(const ew_params *p, const int64_t *v)
{
    int64_t a = v[0], b = v[1];
    if (b == 0)
        return 0;
    if (is_unsigned(p))
        return (int64_t)((uint64_t)a / (uint64_t)b);
    return b == -1 ? wrap_sub(0, a) : a / b;
}
/* fmod=1: the sign of the dividend (C's %); fmod=0: the sign of the divisor
 * (numpy.mod). x mod 0 gives 0. */
static int64_t i_mod(const ew_params *p, const int64_t *v)
{
    int64_t a = v[0], b = v[1];
    if (b == 0)
        return 0;
    if (is_unsigned(p))
        return (int64_t)((uint64_t)a % (uint64_t)b);
    int64_t r = b == -1 ? 0 : a % b;
    if (!p->flag && r != 0 && (r < 0) != (b < 0))
        r += b;
    return r;
}
/* Integer power by squaring, wrapping; negative exponents truncate 1/b^-e. */
static int64_t i_pow(const ew_params *p, const int64_t *v)
{
    (void)p;
    int64_t b = v[0], e = v[1];
    if (e < 0)
        return b == 1 ? 1 : (b == -1 ? (e % 2 != 0 ? -1 : 1) : 0);
    uint64_t r = 1, x = (uint64_t)b;
    for (uint64_t k = (uint64_t)e; k; k >>= 1) {
        if (k & 1)
            r *= x;
        x *= x;
    }
    return (int64_t)r;
}
static int64_t i_prelu(const ew_params *p, const int64_t *v)
{
    return !is_unsigned(p) && v[0] < 0 ? wrap_mul(v[1], v[0]) : v[0];
}
static int64_t i_max(const ew_params *p, const int64_t *v)
{
    int64_t r = v[0];
    for (int k = 1; k < p->count; k++)
        r = int_less(p, r, v[k]) ? v[k] : r;
    return r;
}
static int64_t i_min(const ew_params *p, const int64_t *v)
{
    int64_t r = v[0];
    for (int k = 1; k < p->count; k++)
        r = int_less(p, v[k], r) ? v[k] : r;
    return r;
}
static int64_t i_equal(const ew_params *p, const int64_t *v) { (void)p; return v[0] == v[1]; }
static int64_t i_less(const ew_params *p, const int64_t *v) { return int_less(p, v[0], v[1]); }
static int64_t i_greater(const ew_params *p, const int64_t *v) { return int_less(p, v[1], v[0]); }
static int64_t i_less_eq(const ew_params *p, const int64_t *v) { return !int_less(p, v[1], v[0]); }
static int64_t i_greater_eq(const ew_params *p, const int64_t *v) { return !int_less(p, v[0], v[1]); }
static int64_t i_and(const ew_params *p, const int64_t *v) { (void)p; return v[0] && v[1]; }
static int64_t i_or(const ew_params *p, const int64_t *v) { (void)p; return v[0] || v[1]; }
static int64_t i_xor(const ew_params *p, const int64_t *v) { (void)p; return !v[0] != !v[1]; }
static int64_t i_where(const ew_params *p, const int64_t *v) { (void)p; return v[0] ? v[1] : v[2]; }
/* Shifting by the type's width or more gives 0. */
static int64_t i_bitshift(const ew_params *p, const int64_t *v)
{
    uint64_t bits = 8 * ir_dtype_size(p->t), x = (uint64_t)v[0], s = (uint64_t)v[1];
    if (s >= bits)
        return 0;
    return (int64_t)(p->flag ? x << s : x >> s);
}
static int64_t i_clip(const ew_params *p, const int64_t *v)
{
    int64_t r = v[0];
    if (p->present & 2u)
        r = int_less(p, r, v[1]) ? v[1] : r;
    if (p->present & 4u)
        r = int_less(p, v[2], r) ? v[2] : r;
    return r;
}

/* ---- the table ---- */

#define UNARY(name, ty, fn, in) {.op = name, .kind = EW_UNARY, .types = ty, .f = fn, .i = in}
#define UNARY_F(name, fn) UNARY(name, EW_FLOATS, fn, NULL)
#define UNARY_FA(name, fn, a0, d0)                                                               \
    {.op = name, .kind = EW_UNARY, .types = EW_FLOATS, .fattr = {a0}, .fdefault = {d0},         \
     .attrs = {a0}, .f = fn}
#define UNARY_FAB(name, fn, a0, d0, a1, d1)                                                      \
    {.op = name, .kind = EW_UNARY, .types = EW_FLOATS, .fattr = {a0, a1}, .fdefault = {d0, d1}, \
     .attrs = {a0, a1}, .f = fn}
/* "broadcast", "axis": opsets before 7 broadcast only when asked to. */
#define BINARY(name, ty, boolout, fn, in)                                                        \
    {.op = name, .kind = EW_BINARY, .types = ty, .bool_out = boolout,                           \
     .attrs = {"broadcast", "axis"}, .f = fn, .i = in}
#define VARIADIC(name, ty, fn, in) {.op = name, .kind = EW_VARIADIC, .types = ty, .f = fn, .i = in}

static const ew_op ops[] = {
    UNARY("Relu", EW_FLOATS | EW_SIGNED, f_relu, i_relu),
    UNARY_F("Sigmoid", f_sigmoid),
    UNARY_FAB("HardSigmoid", f_hardsigmoid, "alpha", 0.2f, "beta", 0.5f),
    UNARY_F("HardSwish", f_hardswish),
    UNARY_FA("LeakyRelu", f_leakyrelu, "alpha", 0.01f),
    UNARY_FA("Elu", f_elu, "alpha", 1.0f),
    UNARY_FAB("Selu", f_selu, "alpha", 1.67326319217681884765625f, "gamma",
              1.05070102214813232421875f),
    UNARY_FA("Celu", f_celu, "alpha", 1.0f),
    UNARY_FA("ThresholdedRelu", f_thresholdedrelu, "alpha", 1.0f),
    UNARY_FAB("Shrink", f_shrink, "bias", 0.0f, "lambd", 0.5f),
    UNARY_F("Softplus", f_softplus),
    UNARY_F("Softsign", f_softsign),
    UNARY_F("Tanh", f_tanh),
    UNARY_F("Erf", f_erf),
    UNARY_F("Exp", f_exp),
    UNARY_F("Log", f_log),
    UNARY_F("Sqrt", f_sqrt),
    UNARY_F("Reciprocal", f_reciprocal),
    UNARY_F("Floor", f_floor),
    UNARY_F("Ceil", f_ceil),
    UNARY_F("Round", f_nearbyint),
    UNARY_F("Sin", f_sin),
    UNARY_F("Cos", f_cos),
    UNARY_F("Tan", f_tan),
    UNARY_F("Asin", f_asin),
    UNARY_F("Acos", f_acos),
    UNARY_F("Atan", f_atan),
    UNARY_F("Sinh", f_sinh),
    UNARY_F("Cosh", f_cosh),
    UNARY_F("Asinh", f_asinh),
    UNARY_F("Acosh", f_acosh),
    UNARY_F("Atanh", f_atanh),
    UNARY("Neg", EW_FLOATS | EW_SIGNED, f_neg, i_neg),
    UNARY("Abs", EW_NUMBERS, f_abs, i_abs),
    UNARY("Sign", EW_NUMBERS, f_sign, i_sign),
    {.op = "IsNaN", .kind = EW_UNARY, .types = EW_FLOATS, .bool_out = 1, .f = f_isnan},
    {.op = "IsInf", .kind = EW_UNARY, .types = EW_FLOATS, .bool_out = 1,
     .attrs = {"detect_negative", "detect_positive"}, .f = f_isinf},
    {.op = "Not", .kind = EW_UNARY, .types = EW_BOOL, .bool_out = 1, .i = i_not},

    BINARY("Add", EW_NUMBERS, 0, f_add, i_add),
    BINARY("Sub", EW_NUMBERS, 0, f_sub, i_sub),
    BINARY("Mul", EW_NUMBERS, 0, f_mul, i_mul),
    BINARY("Div", EW_NUMBERS, 0, f_div, i_div),
    {.op = "Pow", .kind = EW_BINARY, .types = EW_FLOATS | EW_BIT(IR_INT32) | EW_BIT(IR_INT64),
     .types1 = EW_NUMBERS, .attrs = {"broadcast", "axis"}, .f = f_pow, .i = i_pow},
    {.op = "Mod", .kind = EW_BINARY, .types = EW_NUMBERS, .attrs = {"fmod"}, .f = f_mod,
     .i = i_mod},
    {.op = "BitShift", .kind = EW_BINARY, .types = EW_UNSIGNED, .attrs = {"direction"},
     .i = i_bitshift},
    {.op = "PRelu", .kind = EW_BINARY, .types = EW_NUMBERS, .f = f_prelu, .i = i_prelu},
    BINARY("Equal", EW_ALL, 1, f_equal, i_equal),
    BINARY("Less", EW_NUMBERS, 1, f_less, i_less),
    BINARY("Greater", EW_NUMBERS, 1, f_greater, i_greater),
    BINARY("LessOrEqual", EW_NUMBERS, 1, f_less_eq, i_less_eq),
    BINARY("GreaterOrEqual", EW_NUMBERS, 1, f_greater_eq, i_greater_eq),
    BINARY("And", EW_BOOL, 1, NULL, i_and),
    BINARY("Or", EW_BOOL, 1, NULL, i_or),
    BINARY("Xor", EW_BOOL, 1, NULL, i_xor),
    VARIADIC("Max", EW_NUMBERS, f_max, i_max),
    VARIADIC("Min", EW_NUMBERS, f_min, i_min),
    VARIADIC("Sum", EW_FLOATS, f_sum, NULL),
    VARIADIC("Mean", EW_FLOATS, f_mean, NULL),
    {.op = "Where", .kind = EW_WHERE, .types = EW_ALL, .f = f_where, .i = i_where},
    /* Before opset 11 the bounds are attributes defaulting to the float range. */
    {.op = "Clip", .kind = EW_CLIP, .types = EW_NUMBERS, .fattr = {"min", "max"},
     .fdefault = {-FLT_MAX, FLT_MAX}, .attrs = {"min", "max"}, .f = f_clip, .i = i_clip},
    {.op = "Cast", .kind = EW_CAST, .types = EW_ALL, .attrs = {"to"}},
    {.op = "CastLike", .kind = EW_CAST, .types = EW_ALL},
};

const ew_op *ew_find(const char *op)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].op, op) == 0)
            return &ops[i];
    return NULL;
}

const ew_op *ew_all(int *count)
{
    *count = (int)(sizeof ops / sizeof ops[0]);
    return ops;
}

void ew_read_params(const ew_op *o, const ir_node *n, ew_params *p)
{
    double *slot[3] = {&p->a, &p->b, &p->c};
    for (int k = 0; k < 3; k++)
        *slot[k] = o->fattr[k] ? ir_attr_float(n, o->fattr[k], o->fdefault[k]) : 0.0;
    p->has_a = p->has_b = 0;
    p->flag = p->flag2 = 0;
    if (strcmp(o->op, "Mod") == 0)
        p->flag = ir_attr_int(n, "fmod", 0);
    else if (strcmp(o->op, "IsInf") == 0) {
        p->flag = ir_attr_int(n, "detect_negative", 1);
        p->flag2 = ir_attr_int(n, "detect_positive", 1);
    } else if (strcmp(o->op, "BitShift") == 0)
        p->flag = strcmp(ir_attr_string(n, "direction", ""), "LEFT") == 0;
}
