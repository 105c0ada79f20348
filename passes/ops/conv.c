/* Convolution: compile-time semantics. Conv and ConvTranspose over 1 to 3
 * spatial axes of an N x C x ... float32 tensor, with groups (depthwise
 * included), strides, dilations, explicit or automatic padding and an
 * optional bias. */
#include <string.h>

#include "conv_gemm.h"
#include "eval_ref.h"
#include "sparse.h"
#include "window.h"

/* Python's a // 2, which ConvTranspose's padding rule is written in. */
static int64_t floor_half(int64_t a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

static int check_types(ir_graph *g, const ir_node *n, diag *d)
{
    for (int i = 0; i < 3; i++) {
        const ir_tensor *t = ir_node_in(g, n, i);
        if (t && t->dtype != IR_FLOAT)
            return diag_node(d, n->name, n->op, "element type %s is not supported (float32 only)",
                             ir_dtype_name(t->dtype));
    }
    return 0;
}

/* The kernels index with int: every dimension, stride, dilation and
 * padding stays within CONV_MAX_AXIS_VALUE (checked as soon as it is read,
 * before any arithmetic), so that sums like o*s - pb + j*d cannot
 * overflow, and tensors below CONV_GEMM_MAX_EXTENT elements. */
#define CONV_MAX_AXIS_VALUE (1 << 28)

static int check_values(const ir_node *n, const int64_t *v, int count, diag *d)
{
    for (int i = 0; i < count; i++)
        if (v[i] > CONV_MAX_AXIS_VALUE || v[i] < -CONV_MAX_AXIS_VALUE)
            return diag_node(d, n->name, n->op,
                             "sizes, strides, dilations and pads beyond %d are not supported",
                             CONV_MAX_AXIS_VALUE);
    return 0;
}

/* a * b for a, b in [0, CONV_MAX_AXIS_VALUE], saturating past the extent. */
static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t p = a * b;
    return p > CONV_GEMM_MAX_EXTENT ? CONV_GEMM_MAX_EXTENT + 1 : p;
}

static int check_extents(const ir_node *n, const conv_geom *cg, diag *d)
{
    int64_t x = mul_sat(cg->batch, cg->cin), w = mul_sat(cg->cout, cg->cin / cg->group),
            y = mul_sat(cg->batch, cg->cout);
    for (int i = 0; i < cg->nsp; i++) {
        const int64_t derived[3] = {cg->out[i], cg->pb[i], cg->pe[i]};
        if (check_values(n, derived, 3, d))
            return -1;
        x = mul_sat(x, cg->in[i]);
        w = mul_sat(w, cg->k[i]);
        y = mul_sat(y, cg->out[i]);
    }
    if (x > CONV_GEMM_MAX_EXTENT || w > CONV_GEMM_MAX_EXTENT || y > CONV_GEMM_MAX_EXTENT)
        return diag_node(d, n->name, n->op,
                         "tensors of more than %lld elements are not supported",
                         (long long)CONV_GEMM_MAX_EXTENT);
    return 0;
}

/* What Conv and ConvTranspose read alike: inputs, types, ranks, channels,
 * group, bias, kernel_shape, strides, dilations, pads and auto_pad. Conv's
 * weights are out x in/group x taps, ConvTranspose's in x out/group x
 * taps. Sets everything in cg but the output extents. */
static int read_common(const ir_graph *gc, const ir_node *n, const char *const *attrs,
                       int transpose, conv_geom *cg, const char **auto_pad, diag *d)
{
    ir_graph *g = (ir_graph *)gc; /* the lookups below only read */
    if (op_need_input(g, (ir_node *)n, 0, d) || op_need_input(g, (ir_node *)n, 1, d) ||
        op_known_attrs(n, attrs, d) || check_types(g, n, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *w = ir_node_in(g, n, 1), *b = ir_node_in(g, n, 2);
    if (b && !b->has_shape)
        return diag_node(d, n->name, n->op, "the shape of the bias '%s' is unknown", b->name);
    int rank = x->shape.rank;
    if (rank < 3 || rank > 2 + CONV_MAX_SPATIAL)
        return diag_node(d, n->name, n->op,
                         "input of rank %d is not supported (1 to 3 spatial axes are)", rank);
    if (w->shape.rank != rank)
        return diag_node(d, n->name, n->op, "the weights have rank %d, the input rank %d",
                         w->shape.rank, rank);
    for (int i = 0; i < rank; i++)
        if (x->shape.dims[i] < 1 || w->shape.dims[i] < 1)
            return diag_node(d, n->name, n->op, "empty input or weight tensors are not supported");
    if (check_values(n, x->shape.dims, rank, d) || check_values(n, w->shape.dims, rank, d))
        return -1;
    memset(cg, 0, sizeof *cg);
    cg->nsp = rank - 2;
    cg->batch = x->shape.dims[0];
    cg->cin = x->shape.dims[1];
    cg->group = ir_attr_int(n, "group", 1);
    cg->has_bias = b != NULL;
    if (cg->group < 1 || cg->cin % cg->group != 0)
        return diag_node(d, n->name, n->op, "group %lld must divide the input channels (%lld)",
                         (long long)cg->group, (long long)cg->cin);
    cg->cout = transpose ? w->shape.dims[1] * cg->group : w->shape.dims[0];
    if (cg->cout % cg->group != 0)
        return diag_node(d, n->name, n->op, "group %lld must divide the output channels (%lld)",
                         (long long)cg->group, (long long)cg->cout);
    if (transpose ? w->shape.dims[0] != cg->cin : w->shape.dims[1] * cg->group != cg->cin)
        return diag_node(d, n->name, n->op,
                         "the weights hold %lld input channels%s, the input %lld / %lld",
                         (long long)w->shape.dims[transpose ? 0 : 1],
                         transpose ? "" : " per group", (long long)cg->cin,
                         (long long)(transpose ? 1 : cg->group));
    if (b && (b->shape.rank != 1 || b->shape.dims[0] != cg->cout))
        return diag_node(d, n->name, n->op, "the bias must be a vector of %lld values",
                         (long long)cg->cout);
    /* No upper bound here: check_values refuses values past
     * CONV_MAX_AXIS_VALUE with the message of the sizes. */
    int64_t kshape[CONV_MAX_SPATIAL], pads[2 * CONV_MAX_SPATIAL];
    if (op_ints_attr(n, "kernel_shape", cg->nsp, 0, 1, INT64_MAX, kshape, d) ||
        op_ints_attr(n, "strides", cg->nsp, 1, 1, INT64_MAX, cg->s, d) ||
        op_ints_attr(n, "dilations", cg->nsp, 1, 1, INT64_MAX, cg->d, d) ||
        op_ints_attr(n, "pads", 2 * cg->nsp, 0, 0, INT64_MAX, pads, d) ||
        check_values(n, cg->s, cg->nsp, d) || check_values(n, cg->d, cg->nsp, d) ||
        check_values(n, pads, 2 * cg->nsp, d))
        return -1;
    *auto_pad = op_auto_pad(n, d);
    if (!*auto_pad)
        return -1;
    for (int i = 0; i < cg->nsp; i++) {
        cg->in[i] = x->shape.dims[2 + i];
        cg->k[i] = w->shape.dims[2 + i];
        if (ir_node_attr(n, "kernel_shape") && kshape[i] != cg->k[i])
            return diag_node(d, n->name, n->op,
                             "kernel_shape says %lld on spatial axis %d, the weights %lld",
                             (long long)kshape[i], i, (long long)cg->k[i]);
        cg->pb[i] = pads[i];
        cg->pe[i] = pads[cg->nsp + i];
    }
    return 0;
}

int conv_geometry(const ir_graph *g, const ir_node *n, conv_geom *cg, diag *d)
{
    static const char *const attrs[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                        "pads",     "strides",   NULL};
    const char *auto_pad;
    if (read_common(g, n, attrs, 0, cg, &auto_pad, d))
        return -1;
    for (int i = 0; i < cg->nsp; i++) {
        op_window a = {.in = cg->in[i], .k = cg->k[i], .s = cg->s[i], .d = cg->d[i],
                       .pb = cg->pb[i], .pe = cg->pe[i]};
        if (op_window_extent(n, auto_pad, 0, "kernel", &a, d))
            return -1;
        cg->out[i] = a.out;
        cg->pb[i] = a.pb;
        cg->pe[i] = a.pe;
    }
    return check_extents(n, cg, d);
}

/* ConvTranspose: input position i of an axis reaches outputs i*s - pb +
 * j*d for taps j. The output extent comes from the pads, from output_shape
 * (which then sets the pads) or from auto_pad (in * s), plus output_padding. */
static int convt_axis(const ir_node *n, const char *auto_pad, const int64_t *out_shape,
                      int64_t out_pad, conv_geom *cg, int i, diag *d)
{
    int64_t full = cg->s[i] * (cg->in[i] - 1) + out_pad + (cg->k[i] - 1) * cg->d[i] + 1;
    int same = strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0;
    if (out_shape || same) {
        cg->out[i] = out_shape ? out_shape[i] : cg->in[i] * cg->s[i];
        int64_t total = full - cg->out[i];
        /* The odd pixel goes before with SAME_UPPER, after otherwise. */
        cg->pb[i] = strcmp(auto_pad, "SAME_UPPER") == 0 ? floor_half(total)
                                                        : total - floor_half(total);
        cg->pe[i] = total - cg->pb[i];
    } else {
        if (strcmp(auto_pad, "VALID") == 0)
            cg->pb[i] = cg->pe[i] = 0;
        cg->out[i] = full - cg->pb[i] - cg->pe[i];
    }
    if (cg->out[i] < 1)
        return diag_node(d, n->name, n->op, "the output would be empty on spatial axis %d", i);
    return 0;
}

int convt_geometry(const ir_graph *g, const ir_node *n, conv_geom *cg, diag *d)
{
    static const char *const attrs[] = {"auto_pad",       "dilations",    "group", "kernel_shape",
                                        "output_padding", "output_shape", "pads",  "strides",
                                        NULL};
    const char *auto_pad;
    if (read_common(g, n, attrs, 1, cg, &auto_pad, d))
        return -1;
    int64_t opad[CONV_MAX_SPATIAL], oshape[CONV_MAX_SPATIAL];
    if (op_ints_attr(n, "output_padding", cg->nsp, 0, 0, INT64_MAX, opad, d) ||
        op_ints_attr(n, "output_shape", cg->nsp, 1, 1, INT64_MAX, oshape, d) ||
        check_values(n, opad, cg->nsp, d) || check_values(n, oshape, cg->nsp, d))
        return -1;
    int has_oshape = ir_node_attr(n, "output_shape") != NULL;
    for (int i = 0; i < cg->nsp; i++)
        if (convt_axis(n, auto_pad, has_oshape ? oshape : NULL, opad[i], cg, i, d))
            return -1;
    return check_extents(n, cg, d);
}

int64_t conv_positions(const conv_geom *cg)
{
    int64_t p = 1;
    for (int i = 0; i < cg->nsp; i++)
        p *= cg->out[i];
    return p;
}

int64_t conv_taps(const conv_geom *cg)
{
    int64_t t = cg->cin / cg->group;
    for (int i = 0; i < cg->nsp; i++)
        t *= cg->k[i];
    return t;
}

/* N x C_out x spatial outputs. */
static void set_output(ir_graph *g, ir_node *n, const conv_geom *cg)
{
    ir_shape s = {.rank = cg->nsp + 2, .dims = {cg->batch, cg->cout}};
    for (int i = 0; i < cg->nsp; i++)
        s.dims[2 + i] = cg->out[i];
    op_set_output(g, n, 0, IR_FLOAT, &s);
}

static int infer_conv(ir_graph *g, ir_node *n, diag *d)
{
    conv_geom cg;
    if (conv_geometry(g, n, &cg, d))
        return -1;
    set_output(g, n, &cg);
    return 0;
}

static int64_t macs_conv(const ir_graph *g, const ir_node *n)
{
    conv_geom cg;
    diag quiet;
    diag_init(&quiet);
    int64_t m = conv_geometry(g, n, &cg, &quiet) ? 0
                                                  : cg.batch * cg.cout * conv_positions(&cg) *
                                                        conv_taps(&cg);
    diag_free(&quiet);
    return m;
}

static int is_pointwise(const conv_geom *cg)
{
    for (int i = 0; i < cg->nsp; i++)
        if (cg->k[i] != 1 || cg->s[i] != 1 || cg->pb[i] != 0 || cg->pe[i] != 0)
            return 0;
    return 1;
}

/* Depthwise: each group reads one input channel. A product would have one
 * row per group, so these get a direct kernel (1-D and 2-D). Group 1 with
 * one input channel is an ordinary product over the output channels. */
static int is_depthwise(const conv_geom *cg)
{
    return cg->group > 1 && cg->group == cg->cin && cg->nsp <= 2;
}

void conv_dw_plan_make(const conv_geom *cg, conv_dw_plan *p)
{
    int lead = 2 - cg->nsp;
    for (int i = 0; i < 2; i++) {
        int a = i - lead;
        p->in[i] = a < 0 ? 1 : cg->in[a];
        p->out[i] = a < 0 ? 1 : cg->out[a];
        p->k[i] = a < 0 ? 1 : cg->k[a];
        p->s[i] = a < 0 ? 1 : cg->s[a];
        p->d[i] = a < 0 ? 1 : cg->d[a];
        p->pb[i] = a < 0 ? 0 : cg->pb[a];
        p->padded[i] = (p->out[i] - 1) * p->s[i] + (p->k[i] - 1) * p->d[i] + 1;
    }
    /* The bordered plane and out[0] rows of sums as wide as it. */
    p->work_floats = (p->padded[0] + p->out[0]) * p->padded[1];
}

void conv_gemm_blocking(const ir_graph *g, const conv_geom *cg, gemm_blocking *b)
{
    gemm_blocking_make(cg->cout / cg->group, conv_positions(cg), conv_taps(cg), 1,
                       gemm_band_budget(g), b);
}

static void select_conv(ir_graph *g, ir_node *n)
{
    conv_geom cg;
    diag quiet;
    diag_init(&quiet);
    int bad = conv_geometry(g, n, &cg, &quiet);
    diag_free(&quiet);
    if (bad)
        return; /* infer refused it; nothing is emitted */
    if (n->sparse != IR_SPARSE_NONE) {
        sparse_conv_plan p;
        sparse_conv_plan_make(g, &cg, &p);
        n->kernel = p.pointwise ? CONV_K_POINTWISE : CONV_K_IM2COL;
        n->scratch_bytes = p.scratch_bytes;
        return;
    }
    if (is_depthwise(&cg)) {
        conv_dw_plan p;
        conv_dw_plan_make(&cg, &p);
        n->kernel = CONV_K_DEPTHWISE;
        n->scratch_bytes = p.work_floats * (int64_t)sizeof(float);
        return;
    }
    gemm_blocking b;
    conv_gemm_blocking(g, &cg, &b);
    n->kernel = is_pointwise(&cg) ? CONV_K_POINTWISE : CONV_K_IM2COL;
    n->scratch_bytes = b.work_bytes;
}

static int infer_convt(ir_graph *g, ir_node *n, diag *d)
{
    conv_geom cg;
    if (convt_geometry(g, n, &cg, d))
        return -1;
    set_output(g, n, &cg);
    return 0;
}

/* Every input value meets every tap of every output channel of its group. */
static int64_t convt_macs_per_image(const conv_geom *cg)
{
    int64_t m = cg->cin * (cg->cout / cg->group);
    for (int i = 0; i < cg->nsp; i++)
        m *= cg->in[i] * cg->k[i];
    return m;
}

static int64_t macs_convt(const ir_graph *g, const ir_node *n)
{
    conv_geom cg;
    diag quiet;
    diag_init(&quiet);
    int64_t m = convt_geometry(g, n, &cg, &quiet) ? 0 : cg.batch * convt_macs_per_image(&cg);
    diag_free(&quiet);
    return m;
}

void convt_plan_make(const ir_graph *g, const conv_geom *cg, convt_plan *p)
{
    int64_t taps = 1;
    for (int i = 0; i < cg->nsp; i++)
        taps *= cg->k[i];
    p->rows = cg->cout / cg->group * taps;
    p->in_w = cg->in[cg->nsp - 1];
    p->in_rows = 1;
    for (int i = 0; i + 1 < cg->nsp; i++)
        p->in_rows *= cg->in[i];
    int64_t budget = gemm_band_budget(g), row = p->rows * p->in_w;
    int64_t most = budget / row < 1 ? 1 : budget / row;
    int64_t bands = (p->in_rows + most - 1) / most;
    p->band_rows = (p->in_rows + bands - 1) / bands; /* bands of equal height */
    p->cols_floats = row * p->band_rows;
    /* A is the weights read transposed: never in place. */
    gemm_blocking_make(p->rows, p->band_rows * p->in_w, cg->cin / cg->group, 0, budget,
                       &p->gemm);
    p->scratch_bytes = p->cols_floats * (int64_t)sizeof(float) + p->gemm.work_bytes;
}

static void select_convt(ir_graph *g, ir_node *n)
{
    conv_geom cg;
    diag quiet;
    diag_init(&quiet);
    int bad = convt_geometry(g, n, &cg, &quiet);
    diag_free(&quiet);
    if (bad)
        return;
    convt_plan p;
    convt_plan_make(g, &cg, &p);
    n->kernel = CONVT_K_GEMM_COL2IM;
    n->scratch_bytes = p.scratch_bytes;
}

const op_handler op_family_conv[] = {
    {.op = "Conv", .infer = infer_conv, .eval = conv_eval, .macs = macs_conv, .select = select_conv},
    {.op = "ConvTranspose", .infer = infer_convt, .macs = macs_convt, .select = select_convt},
    {.op = NULL},
};
