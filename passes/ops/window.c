/* Sliding-window geometry shared by pooling, convolution and quantized
 * convolution (see window.h). */
#include <string.h>

#include "window.h"

int op_ints_attr(const ir_node *n, const char *name, int count, int64_t dflt, int64_t min,
                 int64_t max, int64_t *out, diag *d)
{
    const ir_attr *a = ir_node_attr(n, name);
    if (!a) {
        for (int i = 0; i < count; i++)
            out[i] = dflt;
        return 0;
    }
    if (a->type != IR_ATTR_INTS || a->count != count)
        return diag_node(d, n->name, n->op, "attribute '%s' must hold %d integers", name, count);
    for (int i = 0; i < count; i++) {
        if (a->ints[i] < min)
            return diag_node(d, n->name, n->op, "attribute '%s' holds %lld; at least %lld is "
                             "required", name, (long long)a->ints[i], (long long)min);
        if (a->ints[i] > max)
            return diag_node(d, n->name, n->op, "attribute '%s' holds %lld; at most %lld is "
                             "supported", name, (long long)a->ints[i], (long long)max);
        out[i] = a->ints[i];
    }
    return 0;
}

const char *op_auto_pad(const ir_node *n, diag *d)
{
    const char *auto_pad = ir_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(auto_pad, "NOTSET") != 0 && strcmp(auto_pad, "VALID") != 0 &&
        strcmp(auto_pad, "SAME_UPPER") != 0 && strcmp(auto_pad, "SAME_LOWER") != 0) {
        diag_node(d, n->name, n->op, "auto_pad '%s' is not supported", auto_pad);
        return NULL;
    }
    return auto_pad;
}

/* a / b rounded up, for a >= 0 and b >= 1. */
static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int op_window_extent(const ir_node *n, const char *auto_pad, int ceil_mode, const char *what,
                     op_window *a, diag *d)
{
    int64_t eff = (a->k - 1) * a->d + 1;
    int same_upper = strcmp(auto_pad, "SAME_UPPER") == 0;
    if (same_upper || strcmp(auto_pad, "SAME_LOWER") == 0) {
        a->out = ceil_div(a->in, a->s);
        int64_t total = (a->out - 1) * a->s + eff - a->in;
        total = total < 0 ? 0 : total;
        /* The odd pixel of padding goes after (UPPER) or before (LOWER). */
        a->pb = same_upper ? total / 2 : total - total / 2;
        a->pe = total - a->pb;
        return 0;
    }
    if (strcmp(auto_pad, "VALID") == 0)
        a->pb = a->pe = 0;
    int64_t span = a->in + a->pb + a->pe - eff;
    if (span < 0)
        return diag_node(d, n->name, n->op, "the %s (%lld with dilation) is larger than the "
                         "padded input (%lld)", what, (long long)eff,
                         (long long)(a->in + a->pb + a->pe));
    a->out = (ceil_mode ? ceil_div(span, a->s) : span / a->s) + 1;
    /* ceil_mode: a last window that would start in the end padding is
     * dropped (the ONNX spec since opset 19, PyTorch and onnxruntime). */
    if (ceil_mode && (a->out - 1) * a->s >= a->in + a->pb)
        a->out--;
    return 0;
}
