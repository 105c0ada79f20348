/* QLinearConv and ConvInteger: compile-time semantics. Convolution of
 * int8/uint8 data over 1 to 3 spatial axes with groups, strides,
 * dilations and explicit or automatic padding (padding holds the input's
 * zero point, so it adds nothing), int32 accumulation; ConvInteger
 * returns the sums, QLinearConv adds the int32 bias and requantizes
 * (quant.h). Weight scales and zero points may be per output channel;
 * the input's and the output's are per tensor. */
#include <string.h>

#include "quant.h"
#include "window.h"

/* Strides, dilations, pads, kernel_shape and auto_pad of the node. */
static int spatial_attrs(const ir_node *n, const ir_shape *xs, const ir_shape *ws, conv_geom *cg,
                         diag *d)
{
    int64_t kshape[CONV_MAX_SPATIAL], pads[2 * CONV_MAX_SPATIAL];
    /* At most CONV_GEMM_MAX_EXTENT keeps the geometry's arithmetic far from
     * overflowing. */
    const int64_t max = CONV_GEMM_MAX_EXTENT;
    if (op_ints_attr(n, "kernel_shape", cg->nsp, 0, 1, max, kshape, d) ||
        op_ints_attr(n, "strides", cg->nsp, 1, 1, max, cg->s, d) ||
        op_ints_attr(n, "dilations", cg->nsp, 1, 1, max, cg->d, d) ||
        op_ints_attr(n, "pads", 2 * cg->nsp, 0, 0, max, pads, d))
        return -1;
    const char *auto_pad = op_auto_pad(n, d);
    if (!auto_pad)
        return -1;
    for (int i = 0; i < cg->nsp; i++) {
        cg->in[i] = xs->dims[2 + i];
        cg->k[i] = ws->dims[2 + i];
        if (ir_node_attr(n, "kernel_shape") && kshape[i] != cg->k[i])
            return diag_node(d, n->name, n->op, "kernel_shape says %lld on spatial axis %d, the "
                             "weights %lld", (long long)kshape[i], i, (long long)cg->k[i]);
        op_window a = {.in = cg->in[i], .k = cg->k[i], .s = cg->s[i], .d = cg->d[i],
                       .pb = pads[i], .pe = pads[cg->nsp + i]};
        if (op_window_extent(n, auto_pad, 0, "kernel", &a, d))
            return -1;
        cg->pb[i] = a.pb;
        cg->pe[i] = a.pe;
        cg->out[i] = a.out;
    }
    return 0;
}

/* Shapes of x and w, and the channel counts and groups they give. */
static int channel_geometry(ir_graph *g, const ir_node *n, const quant_roles *r, conv_geom *cg,
                            diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, r->x), *w = ir_node_in(g, n, r->w);
    int rank = x->shape.rank;
    if (rank < 3 || rank > 2 + CONV_MAX_SPATIAL)
        return diag_node(d, n->name, n->op, "input of rank %d is not supported (1 to 3 "
                         "spatial axes are)", rank);
    if (w->shape.rank != rank)
        return diag_node(d, n->name, n->op, "the weights have rank %d, the input rank %d",
                         w->shape.rank, rank);
    for (int i = 0; i < rank; i++)
        if (x->shape.dims[i] < 1 || w->shape.dims[i] < 1)
            return diag_node(d, n->name, n->op, "empty input or weight tensors are not "
                             "supported");
    memset(cg, 0, sizeof *cg);
    cg->nsp = rank - 2;
    cg->batch = x->shape.dims[0];
    cg->cin = x->shape.dims[1];
    cg->cout = w->shape.dims[0];
    cg->group = ir_attr_int(n, "group", 1);
    if (cg->group < 1 || cg->cin % cg->group != 0 || cg->cout % cg->group != 0)
        return diag_node(d, n->name, n->op, "group %lld must divide the input channels (%lld) "
                         "and the output channels (%lld)", (long long)cg->group,
                         (long long)cg->cin, (long long)cg->cout);
    if (w->shape.dims[1] * cg->group != cg->cin)
        return diag_node(d, n->name, n->op, "the weights hold %lld input channels per group, "
                         "the input %lld / %lld", (long long)w->shape.dims[1],
                         (long long)cg->cin, (long long)cg->group);
    return spatial_attrs(n, &x->shape, &w->shape, cg, d);
}

/* Zero points, scales and the bias. */
static int check_params(ir_graph *g, ir_node *n, const quant_roles *r, int64_t cout, diag *d)
{
    ir_dtype xt = ir_node_in(g, n, r->x)->dtype, wt = ir_node_in(g, n, r->w)->dtype;
    if (!quant_requantizes(n))
        return quant_need_scalar(g, n, r->x_zp, xt, "x_zero_point", d) ||
                       quant_need_vector(g, n, r->w_zp, wt, cout, "w_zero_point", d)
                   ? -1
                   : 0;
    for (int i = 0; i < 8; i++) /* all but the bias are required */
        if (op_need_input(g, n, i, d))
            return -1;
    if (quant_need_8bit(g, n, r->y_zp, "y_zero_point", d))
        return -1;
    ir_dtype yt = ir_node_in(g, n, r->y_zp)->dtype;
    return quant_need_scalar(g, n, r->x_scale, IR_FLOAT, "x_scale", d) ||
                   quant_need_scalar(g, n, r->x_zp, xt, "x_zero_point", d) ||
                   quant_need_vector(g, n, r->w_scale, IR_FLOAT, cout, "w_scale", d) ||
                   quant_need_vector(g, n, r->w_zp, wt, cout, "w_zero_point", d) ||
                   quant_need_scalar(g, n, r->y_scale, IR_FLOAT, "y_scale", d) ||
                   quant_need_scalar(g, n, r->y_zp, yt, "y_zero_point", d)
               ? -1
               : 0;
}

static int check_bias(ir_graph *g, ir_node *n, const quant_roles *r, int64_t cout, diag *d)
{
    const ir_tensor *b = r->bias >= 0 ? ir_node_in(g, n, r->bias) : NULL;
    if (!b)
        return 0;
    if (!b->has_shape)
        return diag_node(d, n->name, n->op, "the type and shape of the bias '%s' are unknown",
                         b->name);
    if (b->dtype != IR_INT32 || b->shape.rank != 1 || b->shape.dims[0] != cout)
        return diag_node(d, n->name, n->op, "the bias '%s' must be an int32 vector of %lld "
                         "values", b->name, (long long)cout);
    return 0;
}

/* Normalizes to three spatial axes and picks the tile: the most rows
 * (dividing the row count, so that every tile has the same constant
 * size) whose columns fit in QCONV_TILE_BYTES. */
static void tile_plan(qconv_plan *p)
{
    const conv_geom *cg = &p->cg;
    int lead = 3 - cg->nsp;
    for (int i = 0; i < 3; i++) {
        int a = i - lead;
        p->in3[i] = a < 0 ? 1 : cg->in[a];
        p->out3[i] = a < 0 ? 1 : cg->out[a];
        p->k3[i] = a < 0 ? 1 : cg->k[a];
        p->s3[i] = a < 0 ? 1 : cg->s[a];
        p->d3[i] = a < 0 ? 1 : cg->d[a];
        p->p3[i] = a < 0 ? 0 : cg->pb[a];
        p->e3[i] = a < 0 ? 0 : cg->pe[a];
    }
    p->taps = conv_taps(cg);
    p->rows = p->out3[0] * p->out3[1];
    p->row_len = p->out3[2];
    int64_t row_bytes = p->taps * p->row_len * 2;
    int64_t fit = QCONV_TILE_BYTES / row_bytes;
    p->tile_rows = 1;
    for (int64_t r = fit < p->rows ? fit : p->rows; r > 1; r--)
        if (p->rows % r == 0) {
            p->tile_rows = r;
            break;
        }
    p->tile = p->tile_rows * p->row_len;
    p->kernel = p->taps >= QCONV_DOT_MIN_TAPS ? QCONV_K_DOT : QCONV_K_AXPY;
    p->col_bytes = (p->taps * p->tile * 2 + 15) / 16 * 16;
    p->scratch_bytes = p->col_bytes + (p->kernel == QCONV_K_DOT ? 2 * p->taps * 2 : p->tile * 4);
}

int qconv_plan_make(const ir_graph *gc, const ir_node *nc, qconv_plan *p, diag *d)
{
    static const char *const attrs[] = {"auto_pad", "dilations", "group", "kernel_shape",
                                        "pads",     "strides",   NULL};
    ir_graph *g = (ir_graph *)gc; /* the lookups below only read */
    ir_node *n = (ir_node *)nc;
    quant_roles r;
    quant_roles_of(n, &r);
    if (op_known_attrs(n, attrs, d) || quant_need_8bit(g, n, r.x, "the input", d) ||
        quant_need_8bit(g, n, r.w, "the weights", d) || channel_geometry(g, n, &r, &p->cg, d) ||
        check_params(g, n, &r, p->cg.cout, d) || check_bias(g, n, &r, p->cg.cout, d))
        return -1;
    p->cg.has_bias = r.bias >= 0 && ir_node_in(g, n, r.bias) != NULL;
    int64_t x = p->cg.batch * p->cg.cin, w = p->cg.cout * conv_taps(&p->cg),
            y = p->cg.batch * p->cg.cout * conv_positions(&p->cg);
    for (int i = 0; i < p->cg.nsp; i++)
        x *= p->cg.in[i];
    if (x > CONV_GEMM_MAX_EXTENT || w > CONV_GEMM_MAX_EXTENT || y > CONV_GEMM_MAX_EXTENT)
        return diag_node(d, n->name, n->op, "tensors of more than %lld elements are not "
                         "supported", (long long)CONV_GEMM_MAX_EXTENT);
    if (conv_taps(&p->cg) > QUANT_MAX_DEPTH)
        return diag_node(d, n->name, n->op, "%lld taps per output (input channels per group "
                         "times kernel size) could overflow the int32 sums; at most %d are "
                         "supported", (long long)conv_taps(&p->cg), QUANT_MAX_DEPTH);
    tile_plan(p);
    return 0;
}

int qconv_infer(ir_graph *g, ir_node *n, diag *d)
{
    qconv_plan p;
    if (qconv_plan_make(g, n, &p, d))
        return -1;
    quant_roles r;
    quant_roles_of(n, &r);
    ir_shape s = {.rank = p.cg.nsp + 2, .dims = {p.cg.batch, p.cg.cout}};
    for (int i = 0; i < p.cg.nsp; i++)
        s.dims[2 + i] = p.cg.out[i];
    op_set_output(g, n, 0, quant_requantizes(n) ? ir_node_in(g, n, r.y_zp)->dtype : IR_INT32, &s);
    return 0;
}

/* For nodes that infer accepted: a quiet second reading. */
static int quiet_plan(const ir_graph *g, const ir_node *n, qconv_plan *p)
{
    diag quiet;
    diag_init(&quiet);
    int bad = qconv_plan_make(g, n, p, &quiet);
    diag_free(&quiet);
    return bad;
}

int64_t qconv_macs(const ir_graph *g, const ir_node *n)
{
    qconv_plan p;
    if (quiet_plan(g, n, &p))
        return 0;
    return p.cg.batch * p.cg.cout * conv_positions(&p.cg) * p.taps;
}

void qconv_select(ir_graph *g, ir_node *n)
{
    qconv_plan p;
    if (quiet_plan(g, n, &p))
        return;
    n->kernel = p.kernel;
    n->scratch_bytes = p.scratch_bytes;
}
