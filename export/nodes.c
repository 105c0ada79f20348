/* Nodes as ONNX messages. Lowering annotations are written back as plain
 * ONNX so that a graph exports at any stage: a fused residual becomes an
 * Add after the node and a fused activation a Relu or Clip after that. */
#include <float.h>
#include <string.h>

#include "internal.h"

static Onnx__NodeProto *new_node(ox_ctx *c, const char *name, const char *op, size_t n_in,
                                 size_t n_out)
{
    static const Onnx__NodeProto init = ONNX__NODE_PROTO__INIT;
    Onnx__NodeProto *p = ox_alloc(c->arena, sizeof *p);
    char **in = ox_alloc(c->arena, sizeof(char *) * (n_in + 1));
    char **out = ox_alloc(c->arena, sizeof(char *) * (n_out + 1));
    if (!p || !in || !out) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    *p = init;
    p->name = ox_str(name);
    p->op_type = ox_str(op);
    p->input = in;
    p->n_input = n_in;
    p->output = out;
    p->n_output = n_out;
    c->nodes[c->n_nodes++] = p;
    return p;
}

/* Tensor indices as names: absent ones (-1) are "", trailing absent ones
 * are dropped, as ONNX writes optional inputs and outputs. */
static size_t fill_names(const ox_ctx *c, const int *idx, int count, int skip, char **names)
{
    size_t n = 0, kept = 0;
    for (int i = 0; i < count; i++) {
        if (i == skip)
            continue;
        names[n++] = ox_str(idx[i] >= 0 ? c->names[idx[i]] : "");
        if (idx[i] >= 0)
            kept = n;
    }
    return kept;
}

static int add_value_info(ox_ctx *c, const char *name, const ir_tensor *t)
{
    if (!t->has_shape)
        return 0;
    Onnx__ValueInfoProto *v = ox_value_info(c, name, t->dtype, &t->shape);
    if (!v)
        return -1;
    c->infos[c->n_infos++] = v;
    return 0;
}

/* A Clip bound: a scalar of type dt holding v, as a new initializer. */
static const char *bound(ox_ctx *c, const char *out, const char *which, ir_dtype dt, float v)
{
    const char *base = ox_printf(c->arena, "%s/scnnc_%s", out, which);
    const char *name = base ? ox_fresh_name(c, base) : NULL;
    void *data = ox_alloc(c->arena, 8);
    if (!name || !data) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    if (dt == IR_DOUBLE)
        *(double *)data = v;
    else
        *(float *)data = v;
    ir_shape scalar = {.rank = 0};
    Onnx__TensorProto *t = ox_tensor(c, name, dt, &scalar, data);
    if (!t)
        return NULL;
    c->inits[c->n_inits++] = t;
    return name;
}

/* A Clip bound as a FLOAT attribute (before opset 11). */
static Onnx__AttributeProto *float_attr(ox_ctx *c, const char *name, float v)
{
    static const Onnx__AttributeProto init = ONNX__ATTRIBUTE_PROTO__INIT;
    Onnx__AttributeProto *a = ox_alloc(c->arena, sizeof *a);
    if (!a) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    *a = init;
    a->name = ox_str(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a->has_f = 1;
    a->f = v;
    return a;
}

/* The fused activation of n, reading `in` and writing `out`. */
static int activation(ox_ctx *c, const ir_node *n, const ir_tensor *y, const char *in,
                      const char *out)
{
    int relu = n->act == IR_ACT_RELU;
    if (!relu && n->act != IR_ACT_CLIP)
        return diag_node(c->d, n->name, n->op, "fused activation %d is unknown", (int)n->act);
    int clip_inputs = !relu && c->g->opset >= 11;
    if (clip_inputs && y->dtype != IR_FLOAT && y->dtype != IR_DOUBLE)
        return diag_node(c->d, n->name, n->op, "a fused Clip on %s cannot be written back",
                         ir_dtype_name(y->dtype));
    const char *name = ox_printf(c->arena, "%s/scnnc_%s", n->name, relu ? "relu" : "clip");
    Onnx__NodeProto *p = name ? new_node(c, name, relu ? "Relu" : "Clip", clip_inputs ? 3 : 1, 1)
                              : NULL;
    if (!p)
        return diag_error(c->d, "out of memory");
    p->input[0] = ox_str(in);
    p->output[0] = ox_str(out);
    if (relu)
        return 0;
    /* Bounds at +-FLT_MAX are the ones fuse-activation read as absent:
     * they stay absent. */
    int has_min = n->act_min > -FLT_MAX, has_max = n->act_max < FLT_MAX;
    if (clip_inputs) {
        /* Since opset 11 Clip takes its bounds as inputs. */
        p->input[1] = p->input[2] = ox_str("");
        if (has_min && !(p->input[1] = ox_str(bound(c, out, "min", y->dtype, n->act_min))))
            return -1;
        if (has_max && !(p->input[2] = ox_str(bound(c, out, "max", y->dtype, n->act_max))))
            return -1;
        p->n_input = has_max ? 3 : has_min ? 2 : 1;
        return 0;
    }
    p->attribute = ox_alloc(c->arena, sizeof(*p->attribute) * 2);
    if (!p->attribute)
        return diag_error(c->d, "out of memory");
    if (has_min && !(p->attribute[p->n_attribute++] = float_attr(c, "min", n->act_min)))
        return -1;
    if (has_max && !(p->attribute[p->n_attribute++] = float_attr(c, "max", n->act_max)))
        return -1;
    return 0;
}

/* Where the node's own output 0 goes when something follows it: a fresh
 * intermediate named after the final output. */
static const char *intermediate(ox_ctx *c, const char *out, const char *what)
{
    const char *base = ox_printf(c->arena, "%s/scnnc_%s", out, what);
    return base ? ox_fresh_name(c, base) : NULL;
}

int ox_node(ox_ctx *c, const ir_node *n)
{
    const ir_graph *g = c->g;
    if (*n->domain && strcmp(n->domain, "ai.onnx") != 0)
        return diag_node(c->d, n->name, n->op, "domain '%s' cannot be exported: scnnc does not "
                         "keep its opset version", n->domain);
    if (n->transposed)
        return diag_node(c->d, n->name, n->op, "runs in a transposed layout (chosen by the "
                         "layout pass), which ONNX cannot express: export before lowering");
    int residual = n->residual > 0 ? n->residual : -1;
    if (residual >= n->n_inputs || (residual > 0 && n->inputs[residual] < 0))
        return diag_node(c->d, n->name, n->op, "residual input %d does not exist", residual);
    int follows = residual > 0 || n->act != IR_ACT_NONE;
    if (follows && (n->n_outputs < 1 || n->outputs[0] < 0))
        return diag_node(c->d, n->name, n->op, "a fused residual or activation needs output 0");

    Onnx__NodeProto *p = new_node(c, n->name, n->op, (size_t)n->n_inputs, (size_t)n->n_outputs);
    if (!p || ox_attributes(c, n, p))
        return -1;
    p->n_input = fill_names(c, n->inputs, n->n_inputs, residual, p->input);
    p->n_output = fill_names(c, n->outputs, n->n_outputs, -1, p->output);
    for (int i = 0; i < n->n_outputs; i++) {
        int t = n->outputs[i];
        if (t >= 0 && !c->is_output[t] && add_value_info(c, c->names[t], &g->tensors[t]))
            return -1;
    }
    if (!follows)
        return 0;

    const ir_tensor *y = &g->tensors[n->outputs[0]];
    const char *out = c->names[n->outputs[0]];
    const char *value = intermediate(c, out, residual > 0 ? "op" : "preact");
    if (!value)
        return -1;
    p->output[0] = ox_str(value);
    if (residual > 0) {
        const char *sum = out;
        if (n->act != IR_ACT_NONE) {
            /* The sum has the final output's shape; the activation keeps it. */
            sum = intermediate(c, out, "preact");
            if (!sum || add_value_info(c, sum, y))
                return -1;
        }
        const char *name = ox_printf(c->arena, "%s/scnnc_add", n->name);
        Onnx__NodeProto *add = name ? new_node(c, name, "Add", 2, 1) : NULL;
        if (!add)
            return diag_error(c->d, "out of memory");
        add->input[0] = ox_str(value);
        add->input[1] = ox_str(c->names[n->inputs[residual]]);
        add->output[0] = ox_str(sum);
        value = sum;
    } else if (add_value_info(c, value, y)) {
        return -1;
    }
    return n->act != IR_ACT_NONE ? activation(c, n, y, value, out) : 0;
}
