/* Normalizations on constants: BatchNormalization (inference),
 * LayerNormalization, InstanceNormalization, Softmax and LogSoftmax, with
 * statistics in double. */
#include <math.h>
#include <string.h>

#include "eval_ref.h"

static int64_t prod(const ir_shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->dims[i];
    return p;
}

static const float *in_data(ir_graph *g, const ir_node *n, int i)
{
    const ir_tensor *t = ir_node_in(g, n, i);
    return t ? t->data : NULL;
}

int norm_batchnorm_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    const float *scale = in_data(g, n, 1), *bias = in_data(g, n, 2), *mean = in_data(g, n, 3),
                *var = in_data(g, n, 4), *xv = x->data;
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    /* spatial=0 (before opset 9): one statistic per position of a sample. */
    int64_t inner = ir_attr_int(n, "spatial", 1) ? prod(&x->shape, 2, x->shape.rank) : 1;
    int64_t channels = prod(&x->shape, 1, x->shape.rank) / inner, total = ir_tensor_numel(x);
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    for (int64_t e = 0; e < total; e++) {
        int64_t c = e / inner % channels;
        out[e] = (float)(((double)xv[e] - mean[c]) / sqrt((double)var[c] + eps) * scale[c] +
                         bias[c]);
    }
    return 1;
}

/* Mean and 1/sqrt(variance + eps) of count values. */
static void moments(const float *v, int64_t count, double eps, double *mean, double *inv_std)
{
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < count; i++)
        sum += v[i];
    *mean = sum / (double)count;
    for (int64_t i = 0; i < count; i++)
        sq += (v[i] - *mean) * (v[i] - *mean);
    *inv_std = 1.0 / sqrt(sq / (double)count + eps);
}

int norm_layernorm_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0), *st = ir_node_in(g, n, 1), *bt = ir_node_in(g, n, 2);
    ir_tensor *y = ir_node_out(g, n, 0), *ym = ir_node_out(g, n, 1), *yi = ir_node_out(g, n, 2);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    int axis = op_axis(ir_attr_int(n, "axis", -1), x->shape.rank);
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    int64_t outer = prod(&x->shape, 0, axis), inner = prod(&x->shape, axis, x->shape.rank);
    /* Scale and B are suffixes of the normalized dims (infer checked). */
    int64_t ns = ir_tensor_numel(st), nb = bt ? ir_tensor_numel(bt) : 1;
    const float *xv = x->data, *scale = st->data, *bias = bt ? bt->data : NULL;
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape) ||
        (ym && ir_tensor_set_const(ym, IR_FLOAT, &ym->shape)) ||
        (yi && ir_tensor_set_const(yi, IR_FLOAT, &yi->shape)))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    for (int64_t o = 0; o < outer; o++) {
        double mean, inv;
        moments(xv + o * inner, inner, eps, &mean, &inv);
        for (int64_t j = 0; j < inner; j++) {
            double v = (xv[o * inner + j] - mean) * inv * scale[j % ns];
            out[o * inner + j] = (float)(bias ? v + bias[j % nb] : v);
        }
        if (ym)
            ((float *)ym->data)[o] = (float)mean;
        if (yi)
            ((float *)yi->data)[o] = (float)inv;
    }
    return 1;
}

int norm_instancenorm_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    const float *xv = x->data, *scale = in_data(g, n, 1), *bias = in_data(g, n, 2);
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    int64_t channels = x->shape.dims[1], planes = x->shape.dims[0] * channels;
    int64_t size = prod(&x->shape, 2, x->shape.rank);
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    for (int64_t p = 0; p < planes; p++) {
        double mean, inv;
        int64_t c = p % channels;
        moments(xv + p * size, size, eps, &mean, &inv);
        for (int64_t j = 0; j < size; j++)
            out[p * size + j] = (float)((xv[p * size + j] - mean) * inv * scale[c] + bias[c]);
    }
    return 1;
}

int norm_softmax_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !x->data)
        return 0;
    int is_log = strcmp(n->op, "LogSoftmax") == 0, old = g->opset < 13;
    int axis = op_axis(ir_attr_int(n, "axis", old ? 1 : -1), x->shape.rank);
    /* Before opset 13 the input is cut into rows at axis, and each row is
     * normalized as a whole. */
    int64_t outer = prod(&x->shape, 0, axis);
    int64_t dim = old ? prod(&x->shape, axis, x->shape.rank) : x->shape.dims[axis];
    int64_t inner = old ? 1 : prod(&x->shape, axis + 1, x->shape.rank);
    const float *xv = x->data;
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *xr = xv + o * dim * inner + i;
            float *yr = out + o * dim * inner + i;
            double mx = -HUGE_VAL, sum = 0.0;
            for (int64_t j = 0; j < dim; j++)
                mx = xr[j * inner] > mx ? xr[j * inner] : mx;
            for (int64_t j = 0; j < dim; j++)
                sum += exp(xr[j * inner] - mx);
            for (int64_t j = 0; j < dim; j++)
                yr[j * inner] = (float)(is_log ? xr[j * inner] - mx - log(sum)
                                               : exp(xr[j * inner] - mx) / sum);
        }
    return 1;
}
