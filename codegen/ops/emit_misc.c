/* The misc family's emitter table and the helpers its emitters share. */
#include <stdio.h>
#include <string.h>

#include "emit_misc.h"

const ir_tensor *em_in(const cg_ctx *c, const ir_node *n, int i)
{
    return i < n->n_inputs && n->inputs[i] >= 0 ? &c->g->tensors[n->inputs[i]] : NULL;
}

const ir_tensor *em_out(const cg_ctx *c, const ir_node *n, int i)
{
    return i < n->n_outputs && n->outputs[i] >= 0 ? &c->g->tensors[n->outputs[i]] : NULL;
}

void em_void_inputs(cg_buf *b, const ir_node *n, unsigned inputs)
{
    for (int i = 0; i < n->n_inputs && i < 32; i++)
        if (n->inputs[i] >= 0 && (inputs >> i & 1))
            cg_printf(b, "    (void)x%d;\n", i);
}

/* The unsigned type integer arithmetic wraps in: at least unsigned int's
 * width, so that promotions cannot bring back signed overflow. */
static const char *wrap_type(ir_dtype t)
{
    return ir_dtype_size(t) == 8 ? "uint64_t" : "uint32_t";
}

void em_combine(cg_buf *b, int ind, ir_dtype t, misc_red r, const char *dst, const char *src)
{
    const char *T = ir_dtype_ctype(t), *U = wrap_type(t);
    int fl = ir_dtype_is_float(t);
    switch (r) {
    case MISC_NONE: cg_printf(b, "%*s%s = %s;\n", ind, "", dst, src); break;
    case MISC_ADD:
    case MISC_MUL: {
        const char *op = r == MISC_ADD ? "+" : "*";
        if (fl)
            cg_printf(b, "%*s%s = %s %s %s;\n", ind, "", dst, dst, op, src);
        else
            cg_printf(b, "%*s%s = (%s)((%s)%s %s (%s)%s);\n", ind, "", dst, T, U, dst, op, U, src);
        break;
    }
    case MISC_MAX:
    case MISC_MIN: {
        const char *cmp = r == MISC_MAX ? ">" : "<";
        cg_printf(b, "%*sif (%s %s %s", ind, "", src, cmp, dst);
        if (fl)
            cg_printf(b, " || %s != %s", src, src);
        cg_printf(b, ")\n%*s%s = %s;\n", ind + 4, "", dst, src);
        break;
    }
    }
}

const char *em_mul(char *buf, size_t size, const char *var, int64_t stride)
{
    if (stride == 0)
        snprintf(buf, size, "0");
    else if (stride == 1)
        snprintf(buf, size, "%s", var);
    else if (strchr(var, ' ')) /* an expression such as "p - 1" */
        snprintf(buf, size, "(%s) * %lld", var, (long long)stride);
    else
        snprintf(buf, size, "%s * %lld", var, (long long)stride);
    return buf;
}

void em_int_table(cg_buf *b, const char *name, const int64_t *v, int64_t count)
{
    int narrow = 1;
    for (int64_t i = 0; i < count; i++)
        narrow &= v[i] >= INT32_MIN + 1 && v[i] <= INT32_MAX;
    cg_printf(b, "    static const %s %s[%lld] = {", narrow ? "int32_t" : "int64_t", name,
              (long long)(count > 0 ? count : 1));
    for (int64_t i = 0; i < count; i++)
        cg_printf(b, "%s%s%lld%s,", i % 12 ? " " : "\n        ", narrow ? "" : "INT64_C(",
                  (long long)v[i], narrow ? "" : ")");
    cg_printf(b, "%s\n    };\n", count > 0 ? "" : "0");
}

void em_index(cg_buf *b, int ind, const char *k, const char *src, int64_t dim, int check,
              const char *fail)
{
    cg_printf(b, "%*sint64_t %s = (int64_t)%s;\n%*sif (%s < 0)\n%*s%s += %lld;\n", ind, "", k, src,
              ind, "", k, ind + 4, "", k, (long long)dim);
    if (check)
        cg_printf(b, "%*sif (%s < 0 || %s >= %lld)\n%*s%s\n", ind, "", k, k, (long long)dim,
                  ind + 4, "", fail);
}

const emit_handler emit_family_misc[] = {
    {"Resize", emit_misc_resize},
    {"Upsample", emit_misc_resize},
    {"TopK", emit_misc_topk},
    {"Hardmax", emit_misc_hardmax},
    {"CumSum", emit_misc_cumsum},
    {"Trilu", emit_misc_trilu},
    {"ReverseSequence", emit_misc_reverse_sequence},
    {"OneHot", emit_misc_onehot},
    {"GatherND", emit_misc_gather_nd},
    {"ScatterND", emit_misc_scatter_nd},
    {"ScatterElements", emit_misc_scatter_elements},
    {"Scatter", emit_misc_scatter_elements},
    {"Einsum", emit_misc_einsum},
    {"Compress", emit_misc_compress},
    {"Det", emit_misc_det},
    {"NegativeLogLikelihoodLoss", emit_misc_loss},
    {"SoftmaxCrossEntropyLoss", emit_misc_loss},
    {"MaxUnpool", emit_misc_max_unpool},
    {"GridSample", emit_misc_grid_sample},
    {"RoiAlign", emit_misc_roi_align},
    {"DFT", emit_misc_dft},
    {"STFT", emit_misc_stft},
    {.op = NULL},
};
