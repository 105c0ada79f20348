/* Quantization operators: compile-time semantics of QuantizeLinear,
 * DequantizeLinear and DynamicQuantizeLinear (int8/uint8, and int32 for
 * DequantizeLinear; one scale per tensor or, from opset 13, per channel
 * of an axis), the checks the product operators (quant_matmul.c,
 * quant_conv.c) share, and the family's table. float8, 4- and 16-bit
 * integers and blocked quantization (opset 21) are refused. */
#include <string.h>

#include "quant.h"

static int is_8bit(ir_dtype t) { return t == IR_INT8 || t == IR_UINT8; }

int quant_need_8bit(ir_graph *g, ir_node *n, int i, const char *what, diag *d)
{
    if (op_need_input(g, n, i, d))
        return -1;
    const ir_tensor *t = ir_node_in(g, n, i);
    if (!is_8bit(t->dtype))
        return diag_node(d, n->name, n->op, "%s '%s' has element type %s; only int8 and uint8 "
                         "are supported", what, t->name, ir_dtype_name(t->dtype));
    return 0;
}

int quant_need_vector(ir_graph *g, ir_node *n, int i, ir_dtype dt, int64_t count,
                      const char *what, diag *d)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    if (!t)
        return 0;
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of %s '%s' are unknown", what,
                         t->name);
    if (t->dtype != dt)
        return diag_node(d, n->name, n->op, "%s '%s' has element type %s, %s is required", what,
                         t->name, ir_dtype_name(t->dtype), ir_dtype_name(dt));
    int64_t numel = ir_tensor_numel(t);
    if (t->shape.rank <= 1 && numel == 1)
        return 0;
    if (t->shape.rank != 1 || numel != count) {
        char s[96];
        if (count == 1)
            return diag_node(d, n->name, n->op, "%s '%s' has shape %s; only one value (per "
                             "tensor) is supported", what, t->name,
                             ir_shape_str(&t->shape, s, sizeof s));
        return diag_node(d, n->name, n->op, "%s '%s' has shape %s; one value or a 1-D tensor "
                         "of %lld values is supported", what, t->name,
                         ir_shape_str(&t->shape, s, sizeof s), (long long)count);
    }
    return 0;
}

int quant_need_scalar(ir_graph *g, ir_node *n, int i, ir_dtype dt, const char *what, diag *d)
{
    return quant_need_vector(g, n, i, dt, 1, what, d);
}

float quant_round_even(float v)
{
    /* Each step rounds to float (C11 requires it of assignments). */
    const float biased = v + 0x1.8p+23f;
    const float rounded = biased - 0x1.8p+23f;
    return rounded;
}

void quant_roles_of(const ir_node *n, quant_roles *r)
{
    if (quant_requantizes(n)) {
        /* x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
         * y_zero_point[, B]: the same order in QLinearMatMul and QLinearConv. */
        *r = (quant_roles){0, 1, 2, 3, 4, 5, 6, 7, 8};
        return;
    }
    /* A/x, B/w[, a/x_zero_point, b/w_zero_point]. */
    *r = (quant_roles){.x = 0, .x_scale = -1, .x_zp = 2, .w = 1, .w_scale = -1, .w_zp = 3,
                       .y_scale = -1, .y_zp = -1, .bias = -1};
}

int quant_requantizes(const ir_node *n)
{
    return strcmp(n->op, "QLinearMatMul") == 0 || strcmp(n->op, "QLinearConv") == 0;
}

/* Refuses attribute `name` in models older than the opset that added it. */
static int attr_since(const ir_graph *g, const ir_node *n, const char *name, int64_t since,
                      diag *d)
{
    if (ir_node_attr(n, name) && g->opset < since)
        return diag_node(d, n->name, n->op, "attribute '%s' is not part of opset %lld (it "
                         "came with opset %lld)", name, (long long)g->opset, (long long)since);
    return 0;
}

/* ---- QuantizeLinear / DequantizeLinear ---------------------------------------- */

static int is_quantize(const ir_node *n) { return strcmp(n->op, "QuantizeLinear") == 0; }

void quant_layout_make(const ir_graph *g, const ir_node *n, quant_layout *l)
{
    const ir_shape *x = &g->tensors[n->inputs[0]].shape;
    const ir_tensor *s = &g->tensors[n->inputs[1]];
    l->per_axis = ir_tensor_numel(s) != 1;
    l->outer = 1;
    l->channels = 1;
    l->inner = ir_shape_numel(x);
    if (!l->per_axis)
        return;
    int axis = op_axis(ir_attr_int(n, "axis", 1), x->rank);
    l->channels = x->dims[axis];
    l->inner = 1;
    for (int i = 0; i < axis; i++)
        l->outer *= x->dims[i];
    for (int i = axis + 1; i < x->rank; i++)
        l->inner *= x->dims[i];
}

/* The attributes of each opset: axis (13), saturate (19, float8 only, so
 * without effect on the types accepted here), block_size and
 * output_dtype (21 for QuantizeLinear, output_dtype 23 for
 * DequantizeLinear). */
static int check_qdq_attrs(const ir_graph *g, const ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", "saturate", "block_size", "output_dtype", NULL};
    if (op_known_attrs(n, attrs, d) || attr_since(g, n, "axis", 13, d) ||
        attr_since(g, n, "saturate", 19, d) || attr_since(g, n, "block_size", 21, d) ||
        attr_since(g, n, "output_dtype", is_quantize(n) ? 21 : 23, d))
        return -1;
    if (ir_attr_int(n, "block_size", 0) != 0)
        return diag_node(d, n->name, n->op, "blocked quantization (block_size=%lld) is not "
                         "supported", (long long)ir_attr_int(n, "block_size", 0));
    return 0;
}

/* The scale and zero point: one value, or (opset 13) one per channel of
 * the axis. */
static int check_qdq_params(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *s = ir_node_in(g, n, 1), *z = ir_node_in(g, n, 2);
    if (s->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "the scale '%s' has element type %s; only float32 "
                         "is supported", s->name, ir_dtype_name(s->dtype));
    if (z && !z->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of the zero point '%s' are "
                         "unknown", z->name);
    int64_t channels = 1;
    if (ir_tensor_numel(s) != 1 || s->shape.rank > 1) {
        int axis = op_axis(ir_attr_int(n, "axis", 1), x->shape.rank);
        if (g->opset < 13)
            return diag_node(d, n->name, n->op, "a scale per channel needs opset 13 (the "
                             "model has %lld)", (long long)g->opset);
        if (axis < 0)
            return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                             (long long)ir_attr_int(n, "axis", 1), x->shape.rank);
        channels = x->shape.dims[axis];
    }
    if (quant_need_vector(g, n, 1, IR_FLOAT, channels, "the scale", d))
        return -1;
    if (z && (ir_tensor_numel(z) != ir_tensor_numel(s) || z->shape.rank > 1))
        return diag_node(d, n->name, n->op, "the zero point '%s' must hold one value per value "
                         "of the scale '%s' (%lld)", z->name, s->name,
                         (long long)ir_tensor_numel(s));
    return 0;
}

/* QuantizeLinear's output type: the zero point's, else output_dtype
 * (opset 21), else uint8. */
static int quantize_type(const ir_graph *g, const ir_node *n, ir_dtype *out, diag *d)
{
    const ir_tensor *z = n->n_inputs > 2 && n->inputs[2] >= 0 ? &g->tensors[n->inputs[2]] : NULL;
    int64_t od = ir_attr_int(n, "output_dtype", 0);
    *out = z ? z->dtype : (od ? (ir_dtype)od : IR_UINT8);
    if (od && z && od != (int64_t)z->dtype)
        return diag_node(d, n->name, n->op, "output_dtype %s differs from the zero point's "
                         "type %s", ir_dtype_name((int)od), ir_dtype_name(z->dtype));
    if (!is_8bit(*out))
        return diag_node(d, n->name, n->op, "quantizing to %s is not supported (int8 and uint8 "
                         "are)", ir_dtype_name(*out));
    return 0;
}

static int infer_quantize(ir_graph *g, ir_node *n, diag *d)
{
    if (check_qdq_attrs(g, n, d) || op_need_input(g, n, 0, d) || op_need_input(g, n, 1, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "input '%s' has element type %s; only float32 is "
                         "supported", x->name, ir_dtype_name(x->dtype));
    ir_dtype out;
    if (check_qdq_params(g, n, d) || quantize_type(g, n, &out, d))
        return -1;
    op_set_output(g, n, 0, out, &x->shape);
    return 0;
}

/* A zero point that is a constant holding only zeros. */
static int const_zeros(const ir_tensor *z)
{
    if (!z->data)
        return 0;
    for (int64_t i = 0; i < ir_tensor_numel(z); i++)
        if (ir_data_get_int(z->dtype, z->data, i) != 0)
            return 0;
    return 1;
}

static int infer_dequantize(ir_graph *g, ir_node *n, diag *d)
{
    if (check_qdq_attrs(g, n, d) || op_need_input(g, n, 0, d) || op_need_input(g, n, 1, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *z = ir_node_in(g, n, 2);
    if (!is_8bit(x->dtype) && x->dtype != IR_INT32)
        return diag_node(d, n->name, n->op, "input '%s' has element type %s; int8, uint8 and "
                         "int32 are supported", x->name, ir_dtype_name(x->dtype));
    int64_t od = ir_attr_int(n, "output_dtype", 0);
    if (od != 0 && od != IR_FLOAT)
        return diag_node(d, n->name, n->op, "output_dtype %s is not supported (float32 is)",
                         ir_dtype_name((int)od));
    if (check_qdq_params(g, n, d))
        return -1;
    if (z && z->dtype != x->dtype)
        return diag_node(d, n->name, n->op, "the zero point '%s' (%s) must have the input's "
                         "type %s", z->name, ir_dtype_name(z->dtype), ir_dtype_name(x->dtype));
    /* ONNX: int32 has no zero point (it is 0); only a constant 0 is read so. */
    if (z && x->dtype == IR_INT32 && !const_zeros(z))
        return diag_node(d, n->name, n->op, "an int32 input takes no zero point; '%s' is not "
                         "a constant 0", z->name);
    op_set_output(g, n, 0, IR_FLOAT, &x->shape);
    return 0;
}

/* Folds constant Quantize/DequantizeLinear (the int8 weights of QDQ
 * models) with the arithmetic of the generated kernels. */
static int eval_qdq(ir_graph *g, ir_node *n, diag *d)
{
    if (!ir_node_inputs_const(g, n))
        return 0;
    const ir_tensor *x = ir_node_in(g, n, 0), *s = ir_node_in(g, n, 1), *z = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y)
        return 0;
    ir_dtype dt = y->dtype;
    ir_shape shape = y->shape;
    if (ir_tensor_set_const(y, dt, &shape))
        return diag_node(d, n->name, n->op, "out of memory");
    quant_layout l;
    quant_layout_make(g, n, &l);
    int quantize = is_quantize(n);
    int64_t lo = dt == IR_INT8 ? -128 : 0, hi = dt == IR_INT8 ? 127 : 255;
    for (int64_t o = 0, i = 0; o < l.outer; o++)
        for (int64_t c = 0; c < l.channels; c++) {
            float sc = ((const float *)s->data)[c];
            int32_t zp = z ? (int32_t)ir_data_get_int(z->dtype, z->data, c) : 0;
            for (int64_t k = 0; k < l.inner; k++, i++) {
                if (!quantize) {
                    int64_t q = ir_data_get_int(x->dtype, x->data, i);
                    ((float *)y->data)[i] = (float)(x->dtype == IR_INT32 ? q : q - zp) * sc;
                    continue;
                }
                float v = quant_round_even(((const float *)x->data)[i] / sc);
                float vlo = (float)(lo - zp), vhi = (float)(hi - zp);
                v = v >= vlo ? v : vlo; /* NaN goes to the low bound */
                v = v <= vhi ? v : vhi;
                ir_data_set_int(dt, y->data, i, (int32_t)v + zp);
            }
        }
    return 1;
}

/* ---- DynamicQuantizeLinear ------------------------------------------------------ */

static int infer_dynamic(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (op_known_attrs(n, attrs, d) || op_need_input(g, n, 0, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (x->dtype != IR_FLOAT)
        return diag_node(d, n->name, n->op, "input '%s' has element type %s; only float32 is "
                         "supported", x->name, ir_dtype_name(x->dtype));
    ir_shape scalar = {.rank = 0};
    op_set_output(g, n, 0, IR_UINT8, &x->shape);
    op_set_output(g, n, 1, IR_FLOAT, &scalar);
    op_set_output(g, n, 2, IR_UINT8, &scalar);
    return 0;
}

const op_handler op_family_quant[] = {
    {.op = "QuantizeLinear", .infer = infer_quantize, .eval = eval_qdq},
    {.op = "DequantizeLinear", .infer = infer_dequantize, .eval = eval_qdq},
    {.op = "DynamicQuantizeLinear", .infer = infer_dynamic},
    {.op = "QLinearMatMul", .infer = qmm_infer, .macs = qmm_macs, .select = qmm_select},
    {.op = "MatMulInteger", .infer = qmm_infer, .macs = qmm_macs, .select = qmm_select},
    {.op = "QLinearConv", .infer = qconv_infer, .macs = qconv_macs, .select = qconv_select},
    {.op = "ConvInteger", .infer = qconv_infer, .macs = qconv_macs, .select = qconv_select},
    {.op = NULL},
};
