/* Resize (opsets 10 to 19) and Upsample (7 to 9): attributes, scales or
 * sizes, roi, and the output shape. Scales, sizes and roi must be known at
 * compile time: they decide the output's extent, and the per-axis tables
 * (misc_resize_table.c) are then baked into the kernel. Opset 10 and
 * Upsample map asymmetrically and round nearest the "simple" way (truncate
 * when enlarging, round up when shrinking), as onnxruntime does; opset 11+
 * follows the ONNX reference, attribute by attribute. */
#include <math.h>
#include <string.h>

#include "misc.h"

static int legacy(const ir_graph *g, const ir_node *n)
{
    return strcmp(n->op, "Upsample") == 0 || g->opset < 11;
}

static int read_mode(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    const char *m = ir_attr_string(n, "mode", "nearest");
    if (strcmp(m, "nearest") == 0)
        p->mode = RS_NEAREST;
    else if (strcmp(m, "linear") == 0)
        p->mode = RS_LINEAR;
    else if (strcmp(m, "cubic") == 0 && !legacy(g, n))
        p->mode = RS_CUBIC;
    else
        return diag_node(d, n->name, n->op, "mode '%s' is not supported%s", m,
                         legacy(g, n) ? " (nearest and linear are defined here)" : "");
    return 0;
}

static int read_coord(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    static const struct {
        const char *name;
        rs_coord c;
        int64_t from, to;
    } modes[] = {
        {"half_pixel", CT_HALF_PIXEL, 11, 99},
        {"half_pixel_symmetric", CT_HALF_PIXEL_SYMMETRIC, 19, 99},
        {"pytorch_half_pixel", CT_PYTORCH_HALF_PIXEL, 11, 99},
        {"align_corners", CT_ALIGN_CORNERS, 11, 99},
        {"asymmetric", CT_ASYMMETRIC, 11, 99},
        {"tf_half_pixel_for_nn", CT_TF_HALF_PIXEL_FOR_NN, 11, 12},
        {"tf_crop_and_resize", CT_TF_CROP_AND_RESIZE, 11, 99},
    };
    const char *c = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(c, modes[i].name) == 0 && g->opset >= modes[i].from &&
            g->opset <= modes[i].to) {
            p->coord = modes[i].c;
            return 0;
        }
    return diag_node(d, n->name, n->op,
                     "coordinate_transformation_mode '%s' is not supported in opset %lld", c,
                     (long long)g->opset);
}

static int read_round(const ir_node *n, rs_params *p, diag *d)
{
    static const char *const names[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                        "ceil"};
    const char *s = ir_attr_string(n, "nearest_mode", "round_prefer_floor");
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            p->round = (rs_round)i;
            return 0;
        }
    return diag_node(d, n->name, n->op, "nearest_mode '%s' is not supported", s);
}

/* Opset 11+ attributes that have no effect in the common cases must still
 * hold values we implement. */
static int read_attrs(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    static const char *const old_attrs[] = {"mode", "scales", NULL};
    static const char *const attrs[] = {"mode", "coordinate_transformation_mode", "cubic_coeff_a",
                                        "exclude_outside", "extrapolation_value",
                                        "nearest_mode", "antialias", "axes",
                                        "keep_aspect_ratio_policy", NULL};
    if (op_known_attrs(n, legacy(g, n) ? old_attrs : attrs, d) || read_mode(g, n, p, d))
        return -1;
    if (legacy(g, n)) {
        p->coord = CT_ASYMMETRIC;
        p->round = NR_SIMPLE;
        if (ir_node_attr(n, "scales") && (strcmp(n->op, "Upsample") != 0 || g->opset >= 9))
            return diag_node(d, n->name, n->op, "attribute 'scales' is not part of opset %lld",
                             (long long)g->opset);
        return 0;
    }
    if (read_coord(g, n, p, d) || read_round(n, p, d) ||
        misc_flag(n, "exclude_outside", 0, &p->exclude_outside, d))
        return -1;
    p->cubic_a = ir_attr_float(n, "cubic_coeff_a", -0.75f);
    p->extrapolation = ir_attr_float(n, "extrapolation_value", 0.0f);
    if (g->opset < 18) {
        for (const char *const *a = attrs + 6; *a; a++)
            if (ir_node_attr(n, *a))
                return diag_node(d, n->name, n->op, "attribute '%s' is not part of opset %lld",
                                 *a, (long long)g->opset);
    }
    if (ir_attr_int(n, "antialias", 0) != 0)
        return diag_node(d, n->name, n->op, "antialias=1 is not supported");
    if (strcmp(ir_attr_string(n, "keep_aspect_ratio_policy", "stretch"), "stretch") != 0)
        return diag_node(d, n->name, n->op, "keep_aspect_ratio_policy '%s' is not supported "
                         "(only 'stretch')", ir_attr_string(n, "keep_aspect_ratio_policy", ""));
    return 0;
}

/* The axes the scales/sizes/roi values refer to (opset 18's `axes`), as a
 * list of normalised axes; without it every axis in order. */
static int read_axes(const ir_node *n, int rank, int *axes, diag *d)
{
    const ir_attr *a = ir_node_attr(n, "axes");
    if (!a) {
        for (int i = 0; i < rank; i++)
            axes[i] = i;
        return rank;
    }
    if (a->type != IR_ATTR_INTS || a->count > rank)
        return diag_node(d, n->name, n->op, "attribute 'axes' must list at most %d axes", rank);
    unsigned seen = 0;
    for (int i = 0; i < a->count; i++) {
        axes[i] = op_axis(a->ints[i], rank);
        if (axes[i] < 0 || (seen & (1u << axes[i])))
            return diag_node(d, n->name, n->op, "attribute 'axes' holds an invalid or repeated "
                             "axis %lld", (long long)a->ints[i]);
        seen |= 1u << axes[i];
    }
    return a->count;
}

/* Input i when present and not an empty placeholder. */
static const ir_tensor *given(const ir_graph *g, const ir_node *n, int i)
{
    if (i >= n->n_inputs || n->inputs[i] < 0)
        return NULL;
    const ir_tensor *t = &g->tensors[n->inputs[i]];
    return t->has_shape && ir_tensor_numel(t) == 0 ? NULL : t;
}

static int need_const(const ir_node *n, const ir_tensor *t, const char *what, diag *d)
{
    if (!t->has_shape)
        return diag_node(d, n->name, n->op, "the shape of the %s input '%s' is unknown", what,
                         t->name);
    if (!t->data)
        return diag_node(d, n->name, n->op, "the %s input '%s' must be known at compile time: "
                         "the output shape depends on it (it is computed at run time)", what,
                         t->name);
    if (t->shape.rank != 1)
        return diag_node(d, n->name, n->op, "the %s input '%s' must be 1-D", what, t->name);
    return 0;
}

/* Output sizes from scales (attribute or input) or sizes. */
static int read_sizes(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    int up = strcmp(n->op, "Upsample") == 0;
    int axes[IR_MAX_RANK], na = read_axes(n, p->rank, axes, d);
    if (na < 0)
        return -1;
    const ir_tensor *st = given(g, n, up || g->opset < 11 ? 1 : 2);
    const ir_tensor *zt = up || g->opset < 11 ? NULL : given(g, n, 3);
    const ir_attr *sa = ir_node_attr(n, "scales");
    double v[IR_MAX_RANK];
    int count;
    if (up && g->opset < 9) {
        if (!sa || sa->type != IR_ATTR_FLOATS)
            return diag_node(d, n->name, n->op, "attribute 'scales' (floats) is missing");
        count = sa->count;
        for (int i = 0; i < count && i < IR_MAX_RANK; i++)
            v[i] = sa->floats[i];
    } else if (st && zt) {
        return diag_node(d, n->name, n->op, "only one of 'scales' and 'sizes' may be given");
    } else if (!st && !zt) {
        return diag_node(d, n->name, n->op, "needs 'scales' or 'sizes'");
    } else {
        const ir_tensor *t = st ? st : zt;
        if (need_const(n, t, st ? "scales" : "sizes", d))
            return -1;
        if (st ? t->dtype != IR_FLOAT : t->dtype != IR_INT64)
            return diag_node(d, n->name, n->op, "the %s input must be %s, not %s",
                             st ? "scales" : "sizes", st ? "float32" : "int64",
                             ir_dtype_name(t->dtype));
        count = (int)ir_tensor_numel(t);
        for (int i = 0; i < count && i < IR_MAX_RANK; i++)
            v[i] = ir_data_get_double(t->dtype, t->data, i);
    }
    if (count != na)
        return diag_node(d, n->name, n->op, "%d %s for %d axes", count,
                         zt ? "sizes" : "scales", na);
    for (int i = 0; i < p->rank; i++) {
        p->out[i] = p->in[i];
        p->scale[i] = 1.0;
        p->length[i] = (double)p->in[i];
    }
    for (int k = 0; k < na; k++) {
        int a = axes[k];
        if (zt) {
            if (v[k] < 0 || v[k] > 9.0e15)
                return diag_node(d, n->name, n->op, "size %g is out of range", v[k]);
            p->out[a] = (int64_t)v[k];
            p->length[a] = v[k];
            if (p->in[a] == 0 && p->out[a] > 0)
                return diag_node(d, n->name, n->op, "cannot resize an empty axis");
            p->scale[a] = p->in[a] ? v[k] / (double)p->in[a] : 1.0;
            continue;
        }
        if (!(v[k] > 0) || v[k] > 1.0e9)
            return diag_node(d, n->name, n->op, "scale %g must be positive and finite", v[k]);
        if (up && v[k] < 1)
            return diag_node(d, n->name, n->op, "scale %g is below 1", v[k]);
        if (p->coord == CT_TF_CROP_AND_RESIZE)
            return diag_node(d, n->name, n->op, "tf_crop_and_resize with scales is not "
                             "supported (ONNX versions disagree on the output size): give sizes");
        p->scale[a] = v[k];
        p->length[a] = (double)((float)v[k] * (float)p->in[a]);
        double o = floor(v[k] * (double)p->in[a]);
        if (o > 9.0e15)
            return diag_node(d, n->name, n->op, "scale %g gives too large an output", v[k]);
        p->out[a] = (int64_t)o;
    }
    return 0;
}

static int read_roi(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    for (int i = 0; i < p->rank; i++) {
        p->roi_start[i] = 0;
        p->roi_end[i] = 1;
    }
    if (p->coord != CT_TF_CROP_AND_RESIZE)
        return 0;
    const ir_tensor *t = given(g, n, 1);
    int axes[IR_MAX_RANK], na = read_axes(n, p->rank, axes, d);
    if (na < 0)
        return -1;
    if (!t)
        return diag_node(d, n->name, n->op, "tf_crop_and_resize needs the roi input");
    if (need_const(n, t, "roi", d))
        return -1;
    if (!ir_dtype_is_float(t->dtype) || ir_tensor_numel(t) != 2 * na)
        return diag_node(d, n->name, n->op, "roi must hold %d float values", 2 * na);
    for (int k = 0; k < na; k++) {
        p->roi_start[axes[k]] = ir_data_get_double(t->dtype, t->data, k);
        p->roi_end[axes[k]] = ir_data_get_double(t->dtype, t->data, na + k);
    }
    return 0;
}

int rs_read_params(const ir_graph *g, const ir_node *n, rs_params *p, diag *d)
{
    memset(p, 0, sizeof *p);
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    p->rank = x->shape.rank;
    for (int i = 0; i < p->rank; i++)
        p->in[i] = x->shape.dims[i];
    if (read_attrs(g, n, p, d) || read_sizes(g, n, p, d) || read_roi(g, n, p, d))
        return -1;
    return 0;
}

int misc_infer_resize(ir_graph *g, ir_node *n, diag *d)
{
    int up = strcmp(n->op, "Upsample") == 0;
    if (up && g->opset < 7)
        return diag_node(d, n->name, n->op, "Upsample before opset 7 is not supported");
    int max = up ? (g->opset < 9 ? 1 : 2) : (g->opset < 11 ? 2 : 4);
    if (misc_need_io(g, n, 1, max, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_copyable(n, x, d))
        return -1;
    if (x->shape.rank < 1)
        return diag_node(d, n->name, n->op, "the input must have rank 1 or more");
    rs_params p;
    if (rs_read_params(g, n, &p, d))
        return -1;
    if ((p.mode != RS_NEAREST || p.coord == CT_TF_CROP_AND_RESIZE) &&
        misc_check_arith(n, x, 1, d))
        return -1;
    ir_shape s = {.rank = p.rank};
    for (int i = 0; i < p.rank; i++)
        s.dims[i] = p.out[i];
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}
