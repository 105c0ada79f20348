/* Helpers shared by the operator emitters. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"

const char *cg_weights_member(ir_dtype t)
{
    static const char *const members[][2] = {
        {"float", "f32"},   {"double", "f64"},  {"int8_t", "i8"},   {"uint8_t", "u8"},
        {"int16_t", "i16"}, {"uint16_t", "u16"}, {"int32_t", "i32"}, {"uint32_t", "u32"},
        {"int64_t", "i64"}, {"uint64_t", "u64"},
    };
    const char *ct = ir_dtype_ctype(t);
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if (strcmp(members[i][0], ct) == 0)
            return members[i][1];
    return "u8";
}

int cg_same_storage(const ir_graph *g, int a, int b)
{
    const ir_tensor *ta = &g->tensors[a], *tb = &g->tensors[b];
    if (ta->storage != tb->storage)
        return 0;
    switch (ta->storage) {
    case IR_STORE_ARENA:
    case IR_STORE_CONST:
        return ta->offset == tb->offset;
    case IR_STORE_INPUT:
        return ta->input_index == tb->input_index;
    case IR_STORE_OUTPUT:
        return ta->output_index == tb->output_index;
    default:
        return a == b;
    }
}

const char *cg_ref(const cg_ctx *c, int t, char *buf, size_t size)
{
    const ir_tensor *x = &c->g->tensors[t];
    const char *ct = ir_dtype_ctype(x->dtype), *p = c->opt->prefix;
    size_t es = ir_dtype_size(x->dtype);
    switch (x->storage) {
    case IR_STORE_CONST:
        *c->weights_referenced = 1;
        if (c->opt->external_weights)
            snprintf(buf, size, "((const %s *)(%s_weights_base + %lld))", ct, p,
                     (long long)x->offset);
        else
            snprintf(buf, size, "(%s_weights.%s + %lld)", p, cg_weights_member(x->dtype),
                     (long long)(x->offset / (int64_t)es));
        break;
    case IR_STORE_INPUT:
        snprintf(buf, size, "((const %s *)inputs[%d])", ct, x->input_index);
        break;
    case IR_STORE_OUTPUT:
        snprintf(buf, size, "((%s *)outputs[%d])", ct, x->output_index);
        break;
    default:
        snprintf(buf, size, "((%s *)(ws + %lld))", ct, (long long)x->offset);
        break;
    }
    return buf;
}

/* Does output o share bytes with any input of n? Then neither gets restrict. */
static int aliased(const cg_ctx *c, const ir_node *n, int t)
{
    for (int i = 0; i < n->n_inputs; i++)
        for (int k = 0; k < n->n_outputs; k++) {
            int a = n->inputs[i], b = n->outputs[k];
            if (a < 0 || b < 0 || !cg_same_storage(c->g, a, b))
                continue;
            if (t == a || t == b)
                return 1;
        }
    return 0;
}

void cg_kernel_begin(cg_ctx *c, const ir_node *n)
{
    char op[48];
    size_t w = 0;
    for (const char *s = n->op; *s && w + 1 < sizeof op; s++)
        op[w++] = (char)tolower((unsigned char)*s);
    op[w] = 0;
    cg_identifier(op, 0, op, sizeof op);
    snprintf(c->fn, sizeof c->fn, "k%d_%s", c->node, op);

    char shape[64] = "";
    if (n->n_outputs > 0 && n->outputs[0] >= 0)
        ir_shape_str(&c->g->tensors[n->outputs[0]].shape, shape, sizeof shape);
    cg_printf(c->kernels, "/* node \"");
    cg_comment_text(c->kernels, n->name);
    cg_printf(c->kernels, "\" (%s) -> %s */\n", op, shape);
    cg_printf(c->kernels, "static void %s(", c->fn);
    cg_printf(c->body, "    %s(", c->fn);
    int first = 1;
    char ref[160];
    for (int i = 0; i < n->n_inputs; i++) {
        int t = n->inputs[i];
        if (t < 0 || !ir_node_reads_input(n, i))
            continue;
        cg_printf(c->kernels, "%sconst %s *%sx%d", first ? "" : ", ",
                  ir_dtype_ctype(c->g->tensors[t].dtype), aliased(c, n, t) ? "" : "restrict ", i);
        cg_printf(c->body, "%s%s", first ? "" : ", ", cg_ref(c, t, ref, sizeof ref));
        first = 0;
    }
    for (int i = 0; i < n->n_outputs; i++) {
        int t = n->outputs[i];
        if (t < 0)
            continue;
        cg_printf(c->kernels, "%s%s *%sy%d", first ? "" : ", ",
                  ir_dtype_ctype(c->g->tensors[t].dtype), aliased(c, n, t) ? "" : "restrict ", i);
        cg_printf(c->body, "%s%s", first ? "" : ", ", cg_ref(c, t, ref, sizeof ref));
        first = 0;
    }
    if (n->scratch_bytes > 0) {
        cg_printf(c->kernels, "%sunsigned char *restrict scratch", first ? "" : ", ");
        cg_printf(c->body, "%s(ws + %lld)", first ? "" : ", ", (long long)n->scratch_offset);
        first = 0;
    }
    if (first)
        cg_printf(c->kernels, "void");
    cg_printf(c->kernels, ")\n{\n");
    cg_printf(c->body, ");\n");
}

void cg_kernel_end(cg_ctx *c) { cg_printf(c->kernels, "}\n\n"); }

void cg_float(cg_buf *b, float v)
{
    if (isnan(v))
        cg_printf(b, "NAN");
    else if (isinf(v))
        cg_printf(b, v > 0 ? "HUGE_VALF" : "(-HUGE_VALF)");
    else if (v == 0.0f)
        cg_printf(b, signbit(v) ? "-0.0f" : "0.0f");
    else
        cg_printf(b, "%af", (double)v);
}

void cg_double(cg_buf *b, double v)
{
    if (isnan(v))
        cg_printf(b, "((double)NAN)");
    else if (isinf(v))
        cg_printf(b, v > 0 ? "HUGE_VAL" : "(-HUGE_VAL)");
    else if (v == 0.0)
        cg_printf(b, signbit(v) ? "-0.0" : "0.0");
    else
        cg_printf(b, "%a", v);
}

void cg_const_array(cg_buf *b, const char *name, const ir_tensor *t)
{
    int64_t n = ir_tensor_numel(t);
    cg_printf(b, "    static const %s %s[%lld] = {", ir_dtype_ctype(t->dtype), name,
              (long long)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) {
        cg_printf(b, i % 8 ? " " : "\n        ");
        switch (t->dtype) {
        case IR_FLOAT: cg_float(b, ((const float *)t->data)[i]); break;
        case IR_DOUBLE: cg_double(b, ((const double *)t->data)[i]); break;
        case IR_UINT64: cg_printf(b, "%lluu", (unsigned long long)((const uint64_t *)t->data)[i]); break;
        case IR_INT64: {
            int64_t v = ((const int64_t *)t->data)[i];
            /* INT64_MIN has no literal form; INT64_C keeps the others exact. */
            if (v == INT64_MIN)
                cg_printf(b, "INT64_MIN");
            else
                cg_printf(b, "INT64_C(%lld)", (long long)v);
            break;
        }
        case IR_INT32: {
            int64_t v = ir_data_get_int(t->dtype, t->data, i);
            if (v == INT32_MIN)
                cg_printf(b, "INT32_MIN");
            else
                cg_printf(b, "%lld", (long long)v);
            break;
        }
        case IR_UINT32: cg_printf(b, "%lluu", (unsigned long long)ir_data_get_int(t->dtype, t->data, i)); break;
        default: cg_printf(b, "%lld", (long long)ir_data_get_int(t->dtype, t->data, i)); break;
        }
        cg_printf(b, ",");
    }
    if (n == 0)
        cg_printf(b, "0");
    cg_printf(b, "\n    };\n");
}

const char *cg_act(const ir_node *n, const char *v, char *buf, size_t size)
{
    cg_buf lo = {0}, hi = {0};
    switch (n->act) {
    case IR_ACT_RELU:
        /* NaN stays NaN, as in ONNX's max(x, 0). */
        snprintf(buf, size, "(%s < 0.0f ? 0.0f : %s)", v, v);
        break;
    case IR_ACT_CLIP:
        cg_float(&lo, n->act_min);
        cg_float(&hi, n->act_max);
        snprintf(buf, size, "(%s < %s ? %s : (%s > %s ? %s : %s))", v, lo.s, lo.s, v, hi.s, hi.s,
                 v);
        break;
    default:
        snprintf(buf, size, "%s", v);
        break;
    }
    cg_buf_free(&lo);
    cg_buf_free(&hi);
    return buf;
}
