#include <string.h>

#include "ir.h"

/* One row per ONNX element type the IR can hold. */
typedef struct dtype_info {
    ir_dtype type;
    const char *name;
    const char *ctype;
    size_t size;
} dtype_info;

static const dtype_info dtype_table[] = {
    {IR_FLOAT, "float32", "float", 4},       {IR_UINT8, "uint8", "uint8_t", 1},
    {IR_INT8, "int8", "int8_t", 1},          {IR_UINT16, "uint16", "uint16_t", 2},
    {IR_INT16, "int16", "int16_t", 2},       {IR_INT32, "int32", "int32_t", 4},
    {IR_INT64, "int64", "int64_t", 8},       {IR_BOOL, "bool", "uint8_t", 1},
    {IR_FLOAT16, "float16", "uint16_t", 2},  {IR_DOUBLE, "float64", "double", 8},
    {IR_UINT32, "uint32", "uint32_t", 4},    {IR_UINT64, "uint64", "uint64_t", 8},
    {IR_BFLOAT16, "bfloat16", "uint16_t", 2},
};

static const dtype_info *find(int t)
{
    for (size_t i = 0; i < sizeof dtype_table / sizeof dtype_table[0]; i++)
        if ((int)dtype_table[i].type == t)
            return &dtype_table[i];
    return NULL;
}

int ir_dtype_supported(int t) { return find(t) != NULL; }

size_t ir_dtype_size(ir_dtype t)
{
    const dtype_info *i = find(t);
    return i ? i->size : 0;
}

const char *ir_dtype_name(int t)
{
    static const char *const others[] = {"undefined", "string", "complex64", "complex128"};
    const dtype_info *i = find(t);
    if (i)
        return i->name;
    switch (t) {
    case 0: return others[0];
    case 8: return others[1];
    case 14: return others[2];
    case 15: return others[3];
    default: return "unknown type";
    }
}

const char *ir_dtype_ctype(ir_dtype t)
{
    const dtype_info *i = find(t);
    return i ? i->ctype : "void";
}

int ir_dtype_is_float(ir_dtype t) { return t == IR_FLOAT || t == IR_DOUBLE; }

int ir_dtype_is_int(ir_dtype t)
{
    switch (t) {
    case IR_UINT8: case IR_INT8: case IR_UINT16: case IR_INT16: case IR_INT32:
    case IR_INT64: case IR_UINT32: case IR_UINT64:
        return 1;
    default:
        return 0;
    }
}

/* 16-bit float conversions, used when constants of those types are read at
 * compile time (Cast folding, ConstantOfShape values). */
static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {
            int e = -1;
            do { e++; man <<= 1; } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xff);
    uint32_t man = x & 0x7fffff;
    if (exp == 0xff)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    exp -= 112;
    if (exp >= 0x1f)
        return (uint16_t)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (man >> 13), rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        half++;
    return (uint16_t)half;
}

static float bf16_to_float(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Truncation, as ONNX 1.12's Cast (and its test data) defines it; NaN stays
 * a quiet NaN. The element-wise Cast kernels do the same. */
static uint16_t float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);
    return (uint16_t)(x >> 16);
}

double ir_data_get_double(ir_dtype t, const void *data, int64_t i)
{
    switch (t) {
    case IR_FLOAT: return ((const float *)data)[i];
    case IR_DOUBLE: return ((const double *)data)[i];
    case IR_FLOAT16: return half_to_float(((const uint16_t *)data)[i]);
    case IR_BFLOAT16: return bf16_to_float(((const uint16_t *)data)[i]);
    case IR_UINT64: return (double)((const uint64_t *)data)[i];
    default: return (double)ir_data_get_int(t, data, i);
    }
}

int64_t ir_data_get_int(ir_dtype t, const void *data, int64_t i)
{
    switch (t) {
    case IR_UINT8: case IR_BOOL: return ((const uint8_t *)data)[i];
    case IR_INT8: return ((const int8_t *)data)[i];
    case IR_UINT16: return ((const uint16_t *)data)[i];
    case IR_INT16: return ((const int16_t *)data)[i];
    case IR_INT32: return ((const int32_t *)data)[i];
    case IR_INT64: return ((const int64_t *)data)[i];
    case IR_UINT32: return ((const uint32_t *)data)[i];
    case IR_UINT64: return (int64_t)((const uint64_t *)data)[i];
    case IR_FLOAT: case IR_DOUBLE: case IR_FLOAT16: case IR_BFLOAT16: {
        double v = ir_data_get_double(t, data, i);
        if (v != v)
            return 0;
        if (v >= 9.2e18)
            return INT64_MAX;
        if (v <= -9.2e18)
            return INT64_MIN;
        return (int64_t)v;
    }
    default: return 0;
    }
}

void ir_data_set_double(ir_dtype t, void *data, int64_t i, double v)
{
    switch (t) {
    case IR_FLOAT: ((float *)data)[i] = (float)v; break;
    case IR_DOUBLE: ((double *)data)[i] = v; break;
    case IR_FLOAT16: ((uint16_t *)data)[i] = float_to_half((float)v); break;
    case IR_BFLOAT16: ((uint16_t *)data)[i] = float_to_bf16((float)v); break;
    case IR_BOOL: ((uint8_t *)data)[i] = v != 0; break;
    default: {
        int64_t x;
        if (v != v)
            x = 0;
        else if (v >= 9.2e18)
            x = INT64_MAX;
        else if (v <= -9.2e18)
            x = INT64_MIN;
        else
            x = (int64_t)v;
        ir_data_set_int(t, data, i, x);
    }
    }
}

void ir_data_set_int(ir_dtype t, void *data, int64_t i, int64_t v)
{
    switch (t) {
    case IR_UINT8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case IR_BOOL: ((uint8_t *)data)[i] = v != 0; break;
    case IR_INT8: ((int8_t *)data)[i] = (int8_t)v; break;
    case IR_UINT16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case IR_INT16: ((int16_t *)data)[i] = (int16_t)v; break;
    case IR_INT32: ((int32_t *)data)[i] = (int32_t)v; break;
    case IR_INT64: ((int64_t *)data)[i] = v; break;
    case IR_UINT32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    case IR_UINT64: ((uint64_t *)data)[i] = (uint64_t)v; break;
    default: ir_data_set_double(t, data, i, (double)v); break;
    }
}
