/* The misc family's table and the helpers its files share (see misc.h). */
#include <math.h>
#include <string.h>

#include "misc.h"

/* Folding keeps outputs up to this size even when the inputs are smaller. */
#define MISC_FOLD_LIMIT_BYTES (16 * 1024)

int misc_need_io(ir_graph *g, ir_node *n, int min, int max, diag *d)
{
    if (op_need_inputs(g, n, min, max, d))
        return -1;
    if (n->n_outputs < 1 || n->outputs[0] < 0)
        return diag_node(d, n->name, n->op, "output 0 is missing");
    return 0;
}

int misc_check_copyable(const ir_node *n, const ir_tensor *t, diag *d)
{
    if (t->dtype == IR_STRING || !ir_dtype_supported(t->dtype))
        return diag_node(d, n->name, n->op, "input '%s' has element type %s, which is not "
                         "supported", t->name, ir_dtype_name(t->dtype));
    return 0;
}

int misc_check_arith(const ir_node *n, const ir_tensor *t, int floats_only, diag *d)
{
    if (ir_dtype_is_float(t->dtype) || (!floats_only && ir_dtype_is_int(t->dtype)))
        return 0;
    return diag_node(d, n->name, n->op, "input '%s' has element type %s; supported: %s",
                     t->name, ir_dtype_name(t->dtype),
                     floats_only ? "float32, float64" : "float32, float64 and the integer types");
}

int misc_scalar_int(const ir_graph *g, const ir_node *n, int i, const char *what, int64_t *v,
                    diag *d)
{
    const ir_tensor *t = i < n->n_inputs && n->inputs[i] >= 0 ? &g->tensors[n->inputs[i]] : NULL;
    if (!t)
        return diag_node(d, n->name, n->op, "the %s input is missing", what);
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the shape of the %s input '%s' is unknown", what,
                         t->name);
    if (t->dtype != IR_INT32 && t->dtype != IR_INT64)
        return diag_node(d, n->name, n->op, "the %s input '%s' must be int32 or int64, not %s",
                         what, t->name, ir_dtype_name(t->dtype));
    if (t->shape.rank > 1 || ir_tensor_numel(t) != 1)
        return diag_node(d, n->name, n->op, "the %s input '%s' must hold one value", what,
                         t->name);
    if (!t->data)
        return 0;
    *v = ir_data_get_int(t->dtype, t->data, 0);
    return 1;
}

int misc_flag(const ir_node *n, const char *name, int dflt, int *out, diag *d)
{
    int64_t v = ir_attr_int(n, name, dflt);
    if (v != 0 && v != 1)
        return diag_node(d, n->name, n->op, "attribute '%s' must be 0 or 1 (got %lld)", name,
                         (long long)v);
    *out = (int)v;
    return 0;
}

int misc_fold_small(const ir_graph *g, const ir_node *n)
{
    size_t in = 0, out = 0;
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i] >= 0 && g->tensors[n->inputs[i]].data)
            in += ir_tensor_bytes(&g->tensors[n->inputs[i]]);
    for (int i = 0; i < n->n_outputs; i++)
        if (n->outputs[i] >= 0)
            out += ir_tensor_bytes(&g->tensors[n->outputs[i]]);
    return out <= (in > MISC_FOLD_LIMIT_BYTES ? in : MISC_FOLD_LIMIT_BYTES);
}

int64_t misc_prod(const ir_shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->dims[i];
    return p;
}

int misc_alloc_outputs(ir_graph *g, ir_node *n, diag *d)
{
    for (int k = 0; k < n->n_outputs; k++) {
        ir_tensor *t = ir_node_out(g, n, k);
        if (t && ir_tensor_set_const(t, t->dtype, &t->shape))
            return diag_node(d, n->name, n->op, "out of memory");
    }
    return 0;
}

int misc_cmp(ir_dtype t, const void *a, int64_t i, const void *b, int64_t j)
{
    if (t == IR_UINT64) {
        uint64_t x = ((const uint64_t *)a)[i], y = ((const uint64_t *)b)[j];
        return (x > y) - (x < y);
    }
    if (ir_dtype_is_int(t) || t == IR_BOOL) {
        int64_t x = ir_data_get_int(t, a, i), y = ir_data_get_int(t, b, j);
        return (x > y) - (x < y);
    }
    double x = ir_data_get_double(t, a, i), y = ir_data_get_double(t, b, j);
    return (x > y) - (x < y);
}

int misc_has_nan(const ir_tensor *t)
{
    if (!t->data || ir_dtype_is_int(t->dtype) || t->dtype == IR_BOOL)
        return 0;
    for (int64_t i = 0; i < ir_tensor_numel(t); i++)
        if (isnan(ir_data_get_double(t->dtype, t->data, i)))
            return 1;
    return 0;
}

/* Integers as their bit pattern widened to 64 bits: sums and products
 * modulo 2^64 truncate to the same value modulo the type's width. */
static uint64_t int_bits(ir_dtype t, const void *p, int64_t i)
{
    return t == IR_UINT64 ? ((const uint64_t *)p)[i] : (uint64_t)ir_data_get_int(t, p, i);
}

void misc_combine(ir_dtype t, void *dst, int64_t i, const void *src, int64_t j, misc_red r)
{
    size_t es = ir_dtype_size(t);
    if (r == MISC_NONE) {
        memcpy((unsigned char *)dst + (size_t)i * es, (const unsigned char *)src + (size_t)j * es,
               es);
        return;
    }
    if (r == MISC_MAX || r == MISC_MIN) {
        int c = misc_cmp(t, src, j, dst, i);
        int nan = !ir_dtype_is_int(t) && isnan(ir_data_get_double(t, src, j));
        if (nan || (r == MISC_MAX ? c > 0 : c < 0))
            misc_combine(t, dst, i, src, j, MISC_NONE);
        return;
    }
    if (ir_dtype_is_int(t)) {
        uint64_t a = int_bits(t, dst, i), b = int_bits(t, src, j);
        uint64_t v = r == MISC_ADD ? a + b : a * b;
        if (t == IR_UINT64)
            ((uint64_t *)dst)[i] = v;
        else
            ir_data_set_int(t, dst, i, (int64_t)v);
        return;
    }
    if (t == IR_FLOAT) {
        float a = ((float *)dst)[i], b = ((const float *)src)[j];
        ((float *)dst)[i] = r == MISC_ADD ? a + b : a * b;
    } else {
        double a = ((double *)dst)[i], b = ((const double *)src)[j];
        ((double *)dst)[i] = r == MISC_ADD ? a + b : a * b;
    }
}

int misc_reduction(const ir_graph *g, const ir_node *n, misc_red *r, diag *d)
{
    const char *s = ir_attr_string(n, "reduction", "none");
    if (ir_node_attr(n, "reduction") && g->opset < 16)
        return diag_node(d, n->name, n->op, "attribute 'reduction' is not part of opset %lld",
                         (long long)g->opset);
    static const struct {
        const char *name;
        misc_red r;
        int64_t since;
    } kinds[] = {{"none", MISC_NONE, 1}, {"add", MISC_ADD, 16}, {"mul", MISC_MUL, 16},
                 {"max", MISC_MAX, 18}, {"min", MISC_MIN, 18}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0) {
            if (g->opset < kinds[i].since)
                break;
            *r = kinds[i].r;
            return 0;
        }
    return diag_node(d, n->name, n->op, "reduction '%s' is not supported in opset %lld", s,
                     (long long)g->opset);
}

const op_handler op_family_misc[] = {
    {.op = "Resize", .infer = misc_infer_resize, .eval = misc_eval_resize},
    {.op = "Upsample", .infer = misc_infer_resize, .eval = misc_eval_resize},
    {.op = "TopK", .infer = misc_infer_topk, .eval = misc_eval_topk},
    {.op = "Hardmax", .infer = misc_infer_hardmax, .eval = misc_eval_hardmax},
    {.op = "CumSum", .infer = misc_infer_cumsum, .eval = misc_eval_cumsum},
    {.op = "Trilu", .infer = misc_infer_trilu, .eval = misc_eval_trilu, .in_place = 1},
    {.op = "ReverseSequence", .infer = misc_infer_reverse_sequence,
     .eval = misc_eval_reverse_sequence},
    {.op = "OneHot", .infer = misc_infer_onehot, .eval = misc_eval_onehot},
    {.op = "GatherND", .infer = misc_infer_gather_nd, .eval = misc_eval_gather_nd},
    /* The scatters copy data to the output and then update it: the output
     * may take data's bytes, the update reading only the other inputs. */
    {.op = "ScatterND", .infer = misc_infer_scatter_nd, .eval = misc_eval_scatter_nd,
     .in_place = 1},
    {.op = "ScatterElements", .infer = misc_infer_scatter_elements,
     .eval = misc_eval_scatter_elements, .in_place = 1},
    {.op = "Scatter", .infer = misc_infer_scatter_elements, .eval = misc_eval_scatter_elements,
     .in_place = 1},
    {.op = "Einsum", .infer = misc_infer_einsum, .macs = misc_macs_einsum},
    {.op = "Compress", .infer = misc_infer_compress, .eval = misc_eval_compress},
    {.op = "NonZero", .infer = misc_infer_nonzero, .eval = misc_eval_nonzero},
    {.op = "Unique", .infer = misc_infer_unique, .eval = misc_eval_unique},
    {.op = "Det", .infer = misc_infer_det, .select = misc_select_det},
    {.op = "NegativeLogLikelihoodLoss", .infer = misc_infer_loss},
    {.op = "SoftmaxCrossEntropyLoss", .infer = misc_infer_loss},
    {.op = "MaxUnpool", .infer = misc_infer_max_unpool},
    {.op = "GridSample", .infer = misc_infer_grid_sample},
    {.op = "RoiAlign", .infer = misc_infer_roi_align},
    {.op = "DFT", .infer = misc_infer_dft},
    {.op = "STFT", .infer = misc_infer_stft},
    {.op = "HannWindow", .infer = misc_infer_window, .eval = misc_eval_window},
    {.op = "HammingWindow", .infer = misc_infer_window, .eval = misc_eval_window},
    {.op = "BlackmanWindow", .infer = misc_infer_window, .eval = misc_eval_window},
    {.op = NULL},
};
