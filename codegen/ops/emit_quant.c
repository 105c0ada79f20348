/* Quantization emitters: QuantizeLinear, DequantizeLinear and
 * DynamicQuantizeLinear as flat loops (or, per channel, loops over
 * outer x channels x inner with the channel's scale and zero point loaded
 * once), the pieces the family's kernels share, and the family's table.
 * The arithmetic is ONNX Runtime's (passes/ops/quant.h): x / scale, not a
 * product with the reciprocal, and rounding half to even. */
#include <stdio.h>
#include <string.h>

#include "../../passes/ops/quant.h"
#include "emit_quant.h"

static int64_t out_numel(const ir_graph *g, const ir_node *n)
{
    return ir_tensor_numel(&g->tensors[n->outputs[0]]);
}

/* 1 when node n's kernel calls scnn_q_i32: QLinearConv adding a bias. */
static int needs_i32(const ir_graph *g, const ir_node *n)
{
    if (n->n_outputs < 1 || n->outputs[0] < 0 || out_numel(g, n) == 0)
        return 0;
    return strcmp(n->op, "QLinearConv") == 0 && n->n_inputs > 8 && n->inputs[8] >= 0;
}

void qe_require_helpers(cg_ctx *c, const ir_node *n)
{
    if (!needs_i32(c->g, n))
        return;
    for (int i = 0; i < c->node; i++)
        if (needs_i32(c->g, &c->g->nodes[i]))
            return;
    cg_printf(c->kernels,
              "/* u, a sum done modulo 2^32 (unsigned: no overflow), as the int32 that\n"
              " * int32 arithmetic which wraps (as ONNX Runtime's) would give. */\n"
              "static int32_t scnn_q_i32(uint32_t u)\n{\n"
              "    return u < 0x80000000u ? (int32_t)u : -(int32_t)(~u) - 1;\n"
              "}\n\n");
}

void qe_param(cg_ctx *c, const ir_node *n, int i, const char *decl)
{
    cg_buf *b = c->kernels;
    const ir_tensor *t =
        i >= 0 && i < n->n_inputs && n->inputs[i] >= 0 ? &c->g->tensors[n->inputs[i]] : NULL;
    cg_printf(b, "    %s = ", decl);
    if (!t)
        cg_printf(b, "0;\n");
    else if (!t->data)
        cg_printf(b, "x%d[0];\n", i);
    else if (t->dtype == IR_FLOAT) {
        cg_float(b, *(const float *)t->data);
        cg_printf(b, ";\n    (void)x%d;\n", i);
    } else
        cg_printf(b, "%lld;\n    (void)x%d;\n", (long long)ir_data_get_int(t->dtype, t->data, 0), i);
}

static int32_t type_min(ir_dtype t) { return t == IR_INT8 ? -128 : 0; }
static int32_t type_max(ir_dtype t) { return t == IR_INT8 ? 127 : 255; }

void qe_bounds(cg_buf *b, const char *ind, ir_dtype t, const char *zp)
{
    cg_printf(b, "%sconst float lo = (float)(%d - %s), hi = (float)(%d - %s);\n", ind,
              (int)type_min(t), zp, (int)type_max(t), zp);
}

void qe_store_rounded(cg_buf *b, const char *ind, ir_dtype t, const char *v, const char *zp,
                      const char *dst)
{
    /* Adding 1.5 * 2^23 leaves no fraction bits: the float addition rounds
     * v half to even, exactly for |v| < 2^22 (larger values stay beyond the
     * bounds). Two statements, so that each result is rounded to float
     * even where expressions are evaluated wider. Rounding before clamping
     * gives the same result (the bounds are integers), and constant bounds
     * after the arithmetic keep the loop vectorizable. */
    cg_printf(b, "%sconst float vb = %s + 0x1.8p+23f;\n"
                 "%sfloat vq = vb - 0x1.8p+23f;\n"
                 "%svq = vq >= lo ? vq : lo; /* NaN: lo */\n"
                 "%svq = vq <= hi ? vq : hi;\n"
                 "%s%s = (%s)((int32_t)vq + %s);\n",
              ind, v, ind, ind, ind, ind, dst, ir_dtype_ctype(t), zp);
}

/* Loads element `at` of x, (de)quantized into element `at` of y, with s,
 * z (and for quantizing lo, hi) in scope. */
static void qdq_body(cg_buf *b, const char *ind, const char *at, int quantize, ir_dtype t,
                     int int32_in)
{
    char dst[48];
    if (!quantize) {
        if (int32_in)
            cg_printf(b, "%sy0[%s] = (float)x0[%s] * s;\n", ind, at, at);
        else
            cg_printf(b, "%sy0[%s] = (float)((int32_t)x0[%s] - z) * s;\n", ind, at, at);
        return;
    }
    snprintf(dst, sizeof dst, "y0[%s]", at);
    cg_printf(b, "%sconst float v = x0[%s] / s;\n", ind, at);
    qe_store_rounded(b, ind, t, "v", "z", dst);
}

/* for (i < count) element base + i, with s, z in scope. */
static void qdq_loop(cg_buf *b, const char *ind, int64_t count, const char *base, int quantize,
                     ir_dtype t, int int32_in)
{
    char at[48], in2[40];
    snprintf(at, sizeof at, "%si", base);
    snprintf(in2, sizeof in2, "%s    ", ind);
    if (quantize)
        qe_bounds(b, ind, t, "z");
    cg_printf(b, "%sfor (ptrdiff_t i = 0; i < %lld; i++) {\n", ind, (long long)count);
    qdq_body(b, in2, at, quantize, t, int32_in);
    cg_printf(b, "%s}\n", ind);
}

static int emit_qdq(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_graph *g = c->g;
    int quantize = strcmp(n->op, "QuantizeLinear") == 0;
    ir_dtype in_t = g->tensors[n->inputs[0]].dtype, out_t = g->tensors[n->outputs[0]].dtype;
    int int32_in = in_t == IR_INT32;
    quant_layout l;
    quant_layout_make(g, n, &l);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    int has_zp = n->n_inputs > 2 && n->inputs[2] >= 0;
    if (out_numel(g, n) == 0) {
        cg_printf(b, "    (void)x0;\n    (void)x1;\n    (void)y0;\n");
        if (has_zp)
            cg_printf(b, "    (void)x2;\n");
        cg_kernel_end(c);
        return 0;
    }
    if (!l.per_axis) {
        qe_param(c, n, 1, "const float s");
        if (int32_in) {
            if (has_zp) /* a constant 0 (infer_dequantize) */
                cg_printf(b, "    (void)x2;\n");
        } else
            qe_param(c, n, 2, "const int32_t z");
        qdq_loop(b, "    ", l.inner, "", quantize, out_t, int32_in);
        cg_kernel_end(c);
        return 0;
    }
    /* Per channel: its scale and zero point, then its run of `inner`
     * elements; with inner 1 (the last axis) the channels are the loop. */
    const char *ind = "        ";
    if (l.outer > 1) {
        cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n", (long long)l.outer);
        ind = "            ";
    }
    cg_printf(b, "%.*sfor (ptrdiff_t c = 0; c < %lld; c++) {\n", (int)strlen(ind) - 4, ind,
              (long long)l.channels);
    cg_printf(b, "%sconst float s = x1[c];\n", ind);
    if (has_zp && !int32_in)
        cg_printf(b, "%sconst int32_t z = x2[c];\n", ind);
    else if (has_zp)
        cg_printf(b, "%s(void)x2;\n", ind);
    else if (!int32_in)
        cg_printf(b, "%sconst int32_t z = 0;\n", ind);
    char base[64];
    if (l.outer > 1)
        snprintf(base, sizeof base, "(o * %lld + c)", (long long)l.channels);
    else
        snprintf(base, sizeof base, "c");
    if (l.inner == 1) {
        if (quantize)
            qe_bounds(b, ind, out_t, "z");
        qdq_body(b, ind, base, quantize, out_t, int32_in);
    } else {
        char at[96];
        snprintf(at, sizeof at, "%s * %lld + ", base, (long long)l.inner);
        qdq_loop(b, ind, l.inner, at, quantize, out_t, int32_in);
    }
    cg_printf(b, "%.*s}\n", (int)strlen(ind) - 4, ind);
    cg_kernel_end(c);
    return 0;
}

/* Scale and zero point from the range of x widened to hold 0, as ONNX
 * Runtime computes them (scale 1 when x is all zeros, where the
 * specification's formula would divide by zero), then QuantizeLinear. */
static int emit_dynamic(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    int64_t count = ir_tensor_numel(&c->g->tensors[n->inputs[0]]);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    cg_printf(b, "    float mn = 0.0f, mx = 0.0f;\n"
                 "    for (ptrdiff_t i = 0; i < %lld; i++) {\n"
                 "        const float v = x0[i];\n"
                 "        mn = v < mn ? v : mn;\n"
                 "        mx = v > mx ? v : mx;\n"
                 "    }\n"
                 "    const float s = mx == mn ? 1.0f : (mx - mn) / 255.0f;\n"
                 "    /* 0 - mn / s clamped to [0, 255], rounded half to even (as below). */\n"
                 "    const float zf = 0.0f - mn / s;\n"
                 "    const float zb = zf + 0x1.8p+23f;\n"
                 "    float zr = zb - 0x1.8p+23f;\n"
                 "    zr = zr >= 0.0f ? zr : 0.0f;\n"
                 "    zr = zr <= 255.0f ? zr : 255.0f;\n"
                 "    const int32_t z = (int32_t)zr;\n",
              (long long)count);
    int out[3];
    for (int k = 0; k < 3; k++)
        out[k] = k < n->n_outputs && n->outputs[k] >= 0;
    if (out[1])
        cg_printf(b, "    y1[0] = s;\n");
    if (out[2])
        cg_printf(b, "    y2[0] = (uint8_t)z;\n");
    if (out[0] && count > 0)
        qdq_loop(b, "    ", count, "", 1, IR_UINT8, 0);
    else if (out[0])
        cg_printf(b, "    (void)y0;\n");
    if (!(out[0] && count > 0) && !out[2])
        cg_printf(b, "    (void)z;\n");
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_quant[] = {
    {.op = "QuantizeLinear", .emit = emit_qdq},
    {.op = "DequantizeLinear", .emit = emit_qdq},
    {.op = "DynamicQuantizeLinear", .emit = emit_dynamic},
    {.op = "QLinearMatMul", .emit = emit_qmm},
    {.op = "MatMulInteger", .emit = emit_qmm},
    {.op = "QLinearConv", .emit = emit_qconv},
    {.op = "ConvInteger", .emit = emit_qconv},
    {.op = NULL},
};
