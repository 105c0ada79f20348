/* Element-wise emitters: type conversions and literals in generated code.
 * They compute what passes/ops/elementwise_eval.c computes when it folds. */
#include <string.h>

#include "emit_elementwise.h"

int ew_is_floating(ir_dtype t)
{
    return t == IR_FLOAT || t == IR_DOUBLE || t == IR_FLOAT16 || t == IR_BFLOAT16;
}

const char *ew_compute_type(ir_dtype t)
{
    if (t == IR_FLOAT16 || t == IR_BFLOAT16)
        return "float";
    return ir_dtype_ctype(t);
}

void ew_literal(cg_buf *b, const char *ct, double v)
{
    cg_buf lit = {0};
    if (strcmp(ct, "double") == 0)
        cg_double(&lit, v);
    else if (strcmp(ct, "float") == 0)
        cg_float(&lit, (float)v);
    else
        cg_printf(&lit, "%lld", (long long)v);
    if (lit.s)
        cg_printf(b, lit.s[0] == '-' ? "(%s)" : "%s", lit.s);
    cg_buf_free(&lit);
}

void ew_int_literal(cg_buf *b, ir_dtype t, const void *data)
{
    if (t == IR_UINT64) {
        cg_printf(b, "UINT64_C(%llu)", (unsigned long long)*(const uint64_t *)data);
        return;
    }
    int64_t v = ir_data_get_int(t, data, 0);
    if (t == IR_UINT32)
        cg_printf(b, "%lldu", (long long)v);
    else if (v == INT64_MIN || v == INT32_MIN) /* have no literal form */
        cg_printf(b, v == INT64_MIN ? "INT64_MIN" : "INT32_MIN");
    else if (t == IR_INT64)
        cg_printf(b, v < 0 ? "(INT64_C(%lld))" : "INT64_C(%lld)", (long long)v);
    else
        cg_printf(b, v < 0 ? "(%lld)" : "%lld", (long long)v);
}

/* "INT8", "UINT16", ... the stdint.h macro stem of an integer type. */
static const char *limit_stem(ir_dtype t)
{
    switch (t) {
    case IR_INT8: return "INT8";
    case IR_UINT8: return "UINT8";
    case IR_INT16: return "INT16";
    case IR_UINT16: return "UINT16";
    case IR_INT32: return "INT32";
    case IR_UINT32: return "UINT32";
    case IR_INT64: return "INT64";
    default: return "UINT64";
    }
}

void ew_saturate(cg_buf *b, ir_dtype to, const char *ct, const char *v)
{
    int is_signed = to == IR_INT8 || to == IR_INT16 || to == IR_INT32 || to == IR_INT64;
    int bits = (int)(8 * ir_dtype_size(to));
    const char *f = strcmp(ct, "float") == 0 ? "f" : "";
    const char *stem = limit_stem(to), *type = ir_dtype_ctype(to);
    /* 2^(bits-1) or 2^bits is the first value above the range; below it the
     * truncation is in range down to -2^(bits-1) or -1. */
    cg_printf(b, "(%s != %s ? 0 : (%s >= 0x1p%d%s ? %s_MAX : ", v, v, v, bits - is_signed, f,
              stem);
    if (is_signed)
        cg_printf(b, "(%s <= -0x1p%d%s ? %s_MIN : (%s)%s)))", v, bits - 1, f, stem, type, v);
    else
        cg_printf(b, "(%s <= -1 ? 0 : (%s)%s)))", v, type, v);
}

static void write_h2f(cg_buf *b, int id)
{
    cg_printf(b,
              "static float ew%d_h2f(uint16_t h)\n{\n"
              "    const uint32_t e = (uint32_t)(h >> 10) & 0x1fu, m = (uint32_t)h & 0x3ffu;\n"
              "    float f;\n"
              "    if (e == 0) {\n"
              "        f = (float)m * 0x1p-24f;\n"
              "    } else if (e == 31) {\n"
              "        f = m ? NAN : HUGE_VALF;\n"
              "    } else {\n"
              "        const uint32_t bits = ((e + 112u) << 23) | (m << 13);\n"
              "        memcpy(&f, &bits, sizeof f);\n"
              "    }\n"
              "    return (h & 0x8000u) ? -f : f;\n}\n\n",
              id);
}

static void write_bf2f(cg_buf *b, int id)
{
    cg_printf(b,
              "static float ew%d_bf2f(uint16_t h)\n{\n"
              "    const uint32_t bits = (uint32_t)h << 16;\n"
              "    float f;\n"
              "    memcpy(&f, &bits, sizeof f);\n"
              "    return f;\n}\n\n",
              id);
}

/* float16: round to nearest even from the double's bits, as
 * elementwise_eval.c's round_to_16 with ebits 5 and mbits 10. */
static void write_d2h(cg_buf *b, int id)
{
    const char *name = "d2h";
    int ebits = 5, mbits = 10;
    int bias = (1 << (ebits - 1)) - 1, emax = (1 << ebits) - 1;
    unsigned inf = (unsigned)emax << mbits, quiet = inf | (1u << (mbits - 1));
    cg_printf(b,
              "static uint16_t ew%d_%s(double v)\n{\n"
              "    uint64_t x, m, q, rem, half;\n"
              "    uint16_t sign;\n"
              "    int e, shift;\n"
              "    memcpy(&x, &v, sizeof x);\n"
              "    sign = (uint16_t)((x >> 63) << 15);\n"
              "    e = (int)((x >> 52) & 0x7ffu);\n"
              "    m = x & ((UINT64_C(1) << 52) - 1);\n"
              "    if (e == 0x7ff)\n"
              "        return (uint16_t)(sign | (m ? 0x%xu : 0x%xu));\n"
              "    e = e - 1023 + %d;\n"
              "    if (e >= %d)\n"
              "        return (uint16_t)(sign | 0x%xu);\n"
              "    if (e <= 0) {\n"
              "        if (e < -%d)\n"
              "            return sign;\n"
              "        m |= UINT64_C(1) << 52;\n"
              "        shift = %d - e;\n"
              "        q = m >> shift;\n"
              "    } else {\n"
              "        shift = %d;\n"
              "        q = ((uint64_t)e << %d) | (m >> shift);\n"
              "    }\n"
              "    rem = m & ((UINT64_C(1) << shift) - 1);\n"
              "    half = UINT64_C(1) << (shift - 1);\n"
              "    if (rem > half || (rem == half && (q & 1u)))\n"
              "        q++;\n"
              "    return (uint16_t)(sign | q);\n}\n\n",
              id, name, quiet, inf, bias, emax, inf, mbits, 52 - mbits + 1, 52 - mbits, mbits);
}

/* bfloat16: the upper half of the float32 value (truncation, as in the ONNX
 * reference and its Cast test data); NaN stays a quiet NaN. */
static void write_d2bf(cg_buf *b, int id)
{
    cg_printf(b,
              "static uint16_t ew%d_d2bf(double v)\n{\n"
              "    const float f = (float)v;\n"
              "    uint32_t bits;\n"
              "    memcpy(&bits, &f, sizeof bits);\n"
              "    return (uint16_t)((bits >> 16) | (f != f ? 0x40u : 0u));\n}\n\n",
              id);
}

static void write_ipow(cg_buf *b, int id)
{
    cg_printf(b,
              "static int64_t ew%d_ipow(int64_t b, int64_t e)\n{\n"
              "    uint64_t r = 1, x = (uint64_t)b, k;\n"
              "    if (e < 0)\n"
              "        return b == 1 ? 1 : (b == -1 ? (e %% 2 != 0 ? -1 : 1) : 0);\n"
              "    for (k = (uint64_t)e; k; k >>= 1) {\n"
              "        if (k & 1u)\n"
              "            r *= x;\n"
              "        x *= x;\n"
              "    }\n"
              "    return (int64_t)r;\n}\n\n",
              id);
}

void ew_write_helpers(cg_buf *b, int id, unsigned helpers)
{
    if (helpers & EW_HELP_H2F)
        write_h2f(b, id);
    if (helpers & EW_HELP_BF2F)
        write_bf2f(b, id);
    if (helpers & EW_HELP_D2H)
        write_d2h(b, id);
    if (helpers & EW_HELP_D2BF)
        write_d2bf(b, id);
    if (helpers & EW_HELP_IPOW)
        write_ipow(b, id);
}
