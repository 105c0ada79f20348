/* Element-wise operators: folding nodes whose inputs are all constants (how
 * shape arithmetic on int64 vanishes at compile time), with the scalar
 * semantics of elementwise_table.c and the same conversions as the
 * generated code. */
#include <math.h>
#include <string.h>

#include "elementwise.h"

/* Rounds v to the nearest 16-bit float (ties to even) with ebits exponent and
 * mbits mantissa bits (float16: 5 and 10), directly from double so that a
 * double is rounded once. */
static uint16_t round_to_16(double v, int ebits, int mbits)
{
    uint64_t x;
    memcpy(&x, &v, sizeof x);
    uint16_t sign = (uint16_t)((x >> 63) << 15);
    int e = (int)((x >> 52) & 0x7ff), bias = (1 << (ebits - 1)) - 1, emax = (1 << ebits) - 1;
    uint64_t m = x & ((UINT64_C(1) << 52) - 1);
    uint16_t inf = (uint16_t)(emax << mbits);
    if (e == 0x7ff)
        return (uint16_t)(sign | inf | (m ? 1u << (mbits - 1) : 0u));
    if (e == 0) /* zero or a double subnormal: far below the 16-bit range */
        return sign;
    int he = e - 1023 + bias, shift;
    if (he >= emax)
        return sign | inf;
    uint64_t q;
    if (he <= 0) { /* a 16-bit subnormal, or zero when below half the smallest one */
        if (he < -mbits)
            return sign;
        m |= UINT64_C(1) << 52;
        shift = 52 - mbits + 1 - he;
        q = m >> shift;
    } else {
        shift = 52 - mbits;
        q = ((uint64_t)he << mbits) | (m >> shift);
    }
    uint64_t rem = m & ((UINT64_C(1) << shift) - 1), half = UINT64_C(1) << (shift - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++; /* a carry into the exponent is the right result, up to infinity */
    return (uint16_t)(sign | q);
}

/* bfloat16 is the upper half of the float32 value (truncation, as in the
 * ONNX reference and its Cast test data); NaN stays a quiet NaN. */
static uint16_t to_bfloat16(double v)
{
    float f = (float)v;
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return (uint16_t)((bits >> 16) | (f != f ? 0x40u : 0u));
}

void ew_store_double(ir_dtype t, void *data, int64_t i, double v)
{
    if (t == IR_FLOAT16 || t == IR_BFLOAT16) {
        ((uint16_t *)data)[i] = t == IR_FLOAT16 ? round_to_16(v, 5, 10) : to_bfloat16(v);
        return;
    }
    if (!ir_dtype_is_int(t)) {
        ir_data_set_double(t, data, i, v); /* float32, float64, bool (v != 0) */
        return;
    }
    int bits = (int)(8 * ir_dtype_size(t)), is_signed = (EW_BIT(t) & EW_SIGNED) != 0;
    double top = ldexp(1.0, bits - is_signed); /* the first value above the range */
    uint64_t umax = UINT64_MAX >> (64 - bits);
    int64_t smax = INT64_MAX >> (64 - bits);
    if (v != v)
        ir_data_set_int(t, data, i, 0);
    else if (v >= top)
        ir_data_set_int(t, data, i, is_signed ? smax : (int64_t)umax);
    else if (is_signed ? v <= -top : v <= -1.0)
        ir_data_set_int(t, data, i, is_signed ? -smax - 1 : 0);
    else if (t == IR_UINT64)
        ((uint64_t *)data)[i] = (uint64_t)v;
    else
        ir_data_set_int(t, data, i, (int64_t)v);
}

static int eval_cast(ir_tensor *x, ir_tensor *y)
{
    int64_t count = ir_tensor_numel(x);
    for (int64_t k = 0; k < count; k++) {
        if (!ir_dtype_is_int(x->dtype) && x->dtype != IR_BOOL) {
            ew_store_double(y->dtype, y->data, k, ir_data_get_double(x->dtype, x->data, k));
        } else if (ir_dtype_is_int(y->dtype) || y->dtype == IR_BOOL) {
            ir_data_set_int(y->dtype, y->data, k, ir_data_get_int(x->dtype, x->data, k));
        } else if (y->dtype == IR_FLOAT || y->dtype == IR_BFLOAT16) {
            /* To float32 rounded once, as C converts (bfloat16 is its upper half). */
            float f = x->dtype == IR_UINT64 ? (float)((const uint64_t *)x->data)[k]
                                            : (float)ir_data_get_int(x->dtype, x->data, k);
            ew_store_double(y->dtype, y->data, k, f);
        } else { /* float64, or a 16-bit float through the exact double */
            ew_store_double(y->dtype, y->data, k, ir_data_get_double(x->dtype, x->data, k));
        }
    }
    return 1;
}

/* Element strides of tensor t over the output's dimensions (0 where broadcast). */
static void broadcast_strides(const ir_shape *t, const ir_shape *out, int64_t *strides)
{
    int64_t s = 1;
    for (int j = out->rank - 1; j >= 0; j--) {
        int k = j - (out->rank - t->rank);
        int64_t dim = k >= 0 ? t->dims[k] : 1;
        strides[j] = dim == 1 ? 0 : s;
        s *= dim;
    }
}

int ew_eval(ir_graph *g, ir_node *n, diag *d)
{
    (void)d;
    const ew_op *o = ew_find(n->op);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!o || !y || !ir_node_inputs_const(g, n))
        return 0;
    ir_shape shape = y->shape;
    if (ir_tensor_set_const(y, y->dtype, &shape))
        return diag_node(d, n->name, n->op, "out of memory");
    if (o->kind == EW_CAST)
        return eval_cast(ir_node_in(g, n, 0), y);

    ew_params p;
    ew_read_params(o, n, &p);
    /* Inference refused present inputs beyond the operator's arity; absent
     * ones at the end are no operands. */
    p.count = n->n_inputs;
    while (p.count > 0 && n->inputs[p.count - 1] < 0)
        p.count--;
    p.present = 0;
    const ir_tensor *in[EW_MAX_INPUTS] = {0};
    int64_t strides[EW_MAX_INPUTS][IR_MAX_RANK];
    for (int k = 0; k < p.count; k++) {
        in[k] = ir_node_in(g, n, k);
        if (in[k]) {
            p.present |= 1u << k;
            ir_shape ks;
            ew_operand_shape(g, n, k, &ks);
            broadcast_strides(&ks, &shape, strides[k]);
        }
    }
    p.t = in[o->kind == EW_WHERE ? 1 : 0]->dtype;
    p.has_a = p.has_b = o->kind == EW_CLIP && g->opset < 11;
    /* Floats are computed in double, integers and bool in int64; an integer
     * base with a float exponent (Pow) goes through double. */
    int in_float = (EW_BIT(p.t) & EW_FLOATS) || (p.count > 1 && in[1] &&
                                                  (EW_BIT(in[1]->dtype) & EW_FLOATS) &&
                                                  o->kind == EW_BINARY);
    if (in_float ? !o->f : !o->i)
        return 0;

    int64_t count = ir_shape_numel(&shape), idx[IR_MAX_RANK] = {0};
    double fv[EW_MAX_INPUTS] = {0};
    int64_t iv[EW_MAX_INPUTS] = {0};
    for (int64_t e = 0; e < count; e++) {
        for (int k = 0; k < p.count; k++) {
            if (!in[k])
                continue;
            int64_t off = 0;
            for (int j = 0; j < shape.rank; j++)
                off += idx[j] * strides[k][j];
            if (in_float)
                fv[k] = ir_data_get_double(in[k]->dtype, in[k]->data, off);
            else
                iv[k] = ir_data_get_int(in[k]->dtype, in[k]->data, off);
        }
        if (in_float)
            ew_store_double(y->dtype, y->data, e, o->f(&p, fv));
        else
            ir_data_set_int(y->dtype, y->data, e, o->i(&p, iv));
        for (int j = shape.rank - 1; j >= 0 && ++idx[j] == shape.dims[j]; j--)
            idx[j] = 0;
    }
    return 1;
}
