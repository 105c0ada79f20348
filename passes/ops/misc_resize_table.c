/* Resize/Upsample tables: for every output position of every axis, the
 * source indices and weights that the ONNX reference's interpolate_1d
 * would use (onnx/backend/test/case/node/resize.py): the source coordinate
 * by coordinate_transformation_mode, the 2 (nearest, linear) or 4 (cubic)
 * nearest indices of the edge-padded axis, their coefficients, and
 * exclude_outside's renormalisation. Taps that edge padding repeats are
 * merged and zero weights dropped, so nearest and copied axes come out as
 * one tap of weight 1. The emitter bakes these tables; eval sums with them
 * in the kernel's order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "misc.h"

/* Source coordinate of output position x; *outside for tf_crop_and_resize
 * positions beyond the input. */
static double source_coord(const rs_params *p, int a, int64_t x, int *outside)
{
    double in = (double)p->in[a], len = p->length[a], s = p->scale[a], xo = (double)x;
    *outside = 0;
    switch (p->coord) {
    case CT_HALF_PIXEL: return (xo + 0.5) / s - 0.5;
    case CT_HALF_PIXEL_SYMMETRIC: {
        double adj = (double)p->out[a] / len, center = in / 2;
        return center * (1 - adj) + (xo + 0.5) / s - 0.5;
    }
    case CT_PYTORCH_HALF_PIXEL: return len == 1 ? -0.5 : (xo + 0.5) / s - 0.5;
    case CT_ALIGN_CORNERS: return len == 1 ? 0.0 : xo * (in - 1) / (len - 1);
    case CT_ASYMMETRIC: return xo / s;
    case CT_TF_HALF_PIXEL_FOR_NN: return (xo + 0.5) / s;
    case CT_TF_CROP_AND_RESIZE: {
        double span = p->roi_end[a] - p->roi_start[a];
        double c = len == 1 ? span * (in - 1) / 2 : xo * span * (in - 1) / (len - 1);
        c += p->roi_start[a] * (in - 1);
        *outside = c < 0 || c > in - 1;
        return c;
    }
    }
    return 0;
}

/* Coefficients for the neighbours of a coordinate at `ratio` in (0, 1]
 * past the left one; returns how many. */
static int coeffs(const rs_params *p, double ratio, int integer, double *c)
{
    if (p->mode == RS_CUBIC) {
        double A = p->cubic_a, r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
        c[0] = ((A * r1 - 5 * A) * r1 + 8 * A) * r1 - 4 * A;
        c[1] = ((A + 2) * ratio - (A + 3)) * ratio * ratio + 1;
        c[2] = ((A + 2) * q - (A + 3)) * q * q + 1;
        c[3] = ((A * q1 - 5 * A) * q1 + 8 * A) * q1 - 4 * A;
        return 4;
    }
    if (p->mode == RS_LINEAR) {
        c[0] = 1 - ratio;
        c[1] = ratio;
        return 2;
    }
    int right;
    switch (integer ? NR_CEIL : p->round) {
    case NR_PREFER_FLOOR: right = ratio > 0.5; break;
    case NR_PREFER_CEIL: right = ratio >= 0.5; break;
    case NR_FLOOR: right = 0; break;
    default: right = 1; break;
    }
    c[0] = !right;
    c[1] = right;
    return 2;
}

/* The n indices of [0, len) nearest to x, smaller ones first on ties, in
 * ascending order from *first (the reference's get_neighbor_idxes). */
static int64_t nearest_window(double x, int n, int64_t len)
{
    double c = ceil(x - 0.5);
    int64_t lo = c < 0 ? 0 : (c > (double)(len - 1) ? len - 1 : (int64_t)c), hi = lo;
    for (int k = 1; k < n; k++) {
        int left_ok = lo > 0, right_ok = hi < len - 1;
        if (left_ok && (!right_ok || x - (double)(lo - 1) <= (double)(hi + 1) - x))
            lo--;
        else if (right_ok)
            hi++;
    }
    return lo;
}

/* Taps of output position o along axis a into idx/w (4 at most), merged
 * where edge padding repeats an index and without zero weights. */
static int position_taps(const rs_params *p, int a, int64_t o, int64_t *idx, double *w,
                         int *outside)
{
    double x = source_coord(p, a, o, outside);
    int64_t in = p->in[a];
    if (p->round == NR_SIMPLE && p->mode == RS_NEAREST) {
        double r = p->scale[a] < 1 ? ceil(x) : floor(x);
        idx[0] = r < 0 ? 0 : (r > (double)(in - 1) ? in - 1 : (int64_t)r);
        w[0] = 1;
        return 1;
    }
    double fl = floor(x), c[4];
    int integer = x == fl;
    int nc = coeffs(p, integer ? 1.0 : x - fl, integer, c);
    int pad = (nc + 1) / 2;
    if (fabs(x) > 4.0e15) /* beyond every input: the edge */
        x = x < 0 ? -(double)pad : (double)(in + pad);
    int64_t first = nearest_window(x + pad, nc, in + 2 * pad) - pad;
    if (p->exclude_outside) {
        double sum = 0;
        for (int k = 0; k < nc; k++) {
            if (first + k < 0 || first + k >= in)
                c[k] = 0;
            sum += c[k];
        }
        for (int k = 0; k < nc && sum != 0; k++)
            c[k] /= sum;
    }
    int m = 0;
    for (int k = 0; k < nc; k++) {
        int64_t j = first + k < 0 ? 0 : (first + k >= in ? in - 1 : first + k);
        if (m > 0 && idx[m - 1] == j) {
            w[m - 1] += c[k];
            continue;
        }
        idx[m] = j;
        w[m++] = c[k];
    }
    int kept = 0;
    for (int k = 0; k < m; k++)
        if (w[k] != 0) {
            idx[kept] = idx[k];
            w[kept++] = w[k];
        }
    if (kept == 0) { /* all weights cancelled: any index, weight 0 */
        idx[0] = first < 0 ? 0 : (first >= in ? in - 1 : first);
        w[0] = 0;
        kept = 1;
    }
    return kept;
}

static int build_axis(const rs_params *p, int a, rs_axis *ax)
{
    int64_t out = p->out[a], idx[4];
    double w[4];
    int outside;
    ax->in = p->in[a];
    ax->out = out;
    ax->taps = 1;
    int any_outside = 0, weighted = 0;
    for (int64_t o = 0; o < out; o++) {
        int t = position_taps(p, a, o, idx, w, &outside);
        ax->taps = t > ax->taps ? t : ax->taps;
        weighted |= t > 1 || w[0] != 1;
        any_outside |= outside;
    }
    size_t cells = (size_t)(out ? out : 1) * (size_t)ax->taps;
    ax->idx = ir_alloc(cells * sizeof *ax->idx);
    ax->w = weighted ? ir_alloc(cells * sizeof *ax->w) : NULL;
    ax->outside = any_outside ? ir_alloc((size_t)(out ? out : 1)) : NULL;
    if (!ax->idx || (weighted && !ax->w) || (any_outside && !ax->outside))
        return -1;
    ax->identity = out == ax->in && !weighted && !any_outside;
    for (int64_t o = 0; o < out; o++) {
        int t = position_taps(p, a, o, idx, w, &outside);
        for (int k = 0; k < ax->taps; k++) {
            /* Short positions repeat their first tap with weight 0. */
            ax->idx[o * ax->taps + k] = idx[k < t ? k : 0];
            if (ax->w)
                ax->w[o * ax->taps + k] = k < t ? w[k] : 0;
        }
        if (ax->outside)
            ax->outside[o] = (unsigned char)outside;
        ax->identity &= idx[0] == o;
    }
    return 0;
}

void rs_plan_free(rs_plan *p)
{
    for (int a = 0; a < p->rank; a++) {
        free(p->ax[a].idx);
        free(p->ax[a].w);
        free(p->ax[a].outside);
    }
    memset(p, 0, sizeof *p);
}

int rs_plan_build(const ir_graph *g, const ir_node *n, rs_plan *p, diag *d)
{
    rs_params pr;
    memset(p, 0, sizeof *p);
    if (rs_read_params(g, n, &pr, d))
        return -1;
    p->rank = pr.rank;
    p->mode = pr.mode;
    p->extrapolation = pr.extrapolation;
    for (int a = 0; a < pr.rank; a++)
        if (build_axis(&pr, a, &p->ax[a])) {
            rs_plan_free(p);
            return diag_node(d, n->name, n->op, "out of memory");
        }
    return 0;
}

/* ---- evaluation on constants: the same sums the kernel computes ----------- */

static void eval_point(const rs_plan *p, const ir_tensor *x, ir_tensor *y, const int64_t *pos,
                       int64_t out_i)
{
    size_t es = ir_dtype_size(x->dtype);
    int r = p->rank;
    for (int a = 0; a < r; a++)
        if (p->ax[a].outside && p->ax[a].outside[pos[a]]) {
            ir_data_set_double(y->dtype, y->data, out_i, p->extrapolation);
            return;
        }
    int64_t t[IR_MAX_RANK] = {0};
    float accf = 0;
    double accd = 0;
    for (;;) {
        int64_t off = 0;
        float wf = 1;
        double wd = 1;
        for (int a = 0; a < r; a++) {
            const rs_axis *ax = &p->ax[a];
            int64_t c = pos[a] * ax->taps + t[a];
            off = off * ax->in + ax->idx[c];
            if (ax->w) {
                wf *= (float)ax->w[c];
                wd *= ax->w[c];
            }
        }
        if (p->mode == RS_NEAREST) {
            memcpy((unsigned char *)y->data + (size_t)out_i * es,
                   (const unsigned char *)x->data + (size_t)off * es, es);
            return;
        }
        if (x->dtype == IR_FLOAT)
            accf += wf * ((const float *)x->data)[off];
        else
            accd += wd * ((const double *)x->data)[off];
        int a = r - 1;
        while (a >= 0 && ++t[a] == p->ax[a].taps)
            t[a--] = 0;
        if (a < 0)
            break;
    }
    ir_data_set_double(y->dtype, y->data, out_i, x->dtype == IR_FLOAT ? (double)accf : accd);
}

int misc_eval_resize(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!x->data || !misc_fold_small(g, n))
        return 0;
    rs_plan p;
    if (rs_plan_build(g, n, &p, d))
        return -1;
    if (misc_alloc_outputs(g, n, d)) {
        rs_plan_free(&p);
        return -1;
    }
    int64_t pos[IR_MAX_RANK] = {0}, count = ir_tensor_numel(y);
    for (int64_t e = 0; e < count; e++) {
        eval_point(&p, x, y, pos, e);
        for (int a = p.rank - 1; a >= 0 && ++pos[a] == y->shape.dims[a]; a--)
            pos[a] = 0;
    }
    rs_plan_free(&p);
    return 1;
}
