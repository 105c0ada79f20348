/* Conv on constants: direct convolution over 1 to 3 spatial axes with
 * groups, strides, dilations and padding (the geometry of conv_geometry),
 * summing in double. */
#include "conv_gemm.h"
#include "eval_ref.h"

/* One spatial axis of the geometry, with leading axes of extent 1 so that
 * every convolution loops over three. */
typedef struct axis3 {
    int64_t in, out, k, s, d, pb;
} axis3;

/* Taps [*lo, *hi) of output position o that read inside the input. */
static void taps_inside(const axis3 *a, int64_t o, int64_t *lo, int64_t *hi)
{
    int64_t start = o * a->s - a->pb;
    int64_t l = start >= 0 ? 0 : (-start + a->d - 1) / a->d;
    int64_t h = start >= a->in ? 0 : (a->in - start + a->d - 1) / a->d;
    *lo = l;
    *hi = h < a->k ? h : a->k;
}

/* One output value: bias plus the taps of the group's input channels. */
static double conv_point(const axis3 *ax, const float *x, const float *w, int64_t cpg,
                         const int64_t *pos)
{
    int64_t lo[3], hi[3], start[3];
    for (int i = 0; i < 3; i++) {
        taps_inside(&ax[i], pos[i], &lo[i], &hi[i]);
        start[i] = pos[i] * ax[i].s - ax[i].pb;
    }
    int64_t plane = ax[0].in * ax[1].in * ax[2].in, taps = ax[0].k * ax[1].k * ax[2].k;
    double acc = 0.0;
    for (int64_t c = 0; c < cpg; c++) {
        const float *xc = x + c * plane, *wc = w + c * taps;
        for (int64_t a = lo[0]; a < hi[0]; a++) {
            int64_t ia = start[0] + a * ax[0].d;
            for (int64_t b = lo[1]; b < hi[1]; b++) {
                int64_t ib = start[1] + b * ax[1].d;
                const float *xr = xc + (ia * ax[1].in + ib) * ax[2].in;
                const float *wr = wc + (a * ax[1].k + b) * ax[2].k;
                for (int64_t e = lo[2]; e < hi[2]; e++)
                    acc += (double)xr[start[2] + e * ax[2].d] * wr[e];
            }
        }
    }
    return acc;
}

int conv_eval(ir_graph *g, ir_node *n, diag *d)
{
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !ir_node_inputs_const(g, n))
        return 0;
    conv_geom cg;
    if (conv_geometry(g, n, &cg, d))
        return -1;
    axis3 ax[3];
    int lead = 3 - cg.nsp;
    for (int i = 0; i < 3; i++) {
        int a = i - lead;
        ax[i] = a < 0 ? (axis3){1, 1, 1, 1, 1, 0}
                      : (axis3){cg.in[a], cg.out[a], cg.k[a], cg.s[a], cg.d[a], cg.pb[a]};
    }
    const ir_tensor *bt = ir_node_in(g, n, 2);
    const float *x = ir_node_in(g, n, 0)->data, *w = ir_node_in(g, n, 1)->data;
    const float *bias = bt ? bt->data : NULL;
    if (ir_tensor_set_const(y, IR_FLOAT, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    float *out = y->data;
    int64_t cpg = cg.cin / cg.group, opg = cg.cout / cg.group;
    int64_t in_plane = ax[0].in * ax[1].in * ax[2].in;
    int64_t out_plane = ax[0].out * ax[1].out * ax[2].out;
    int64_t w_size = cpg * ax[0].k * ax[1].k * ax[2].k;
    for (int64_t b = 0; b < cg.batch; b++)
        for (int64_t oc = 0; oc < cg.cout; oc++) {
            const float *xg = x + (b * cg.cin + oc / opg * cpg) * in_plane;
            const float *wo = w + oc * w_size;
            float *yo = out + (b * cg.cout + oc) * out_plane;
            int64_t pos[3];
            for (pos[0] = 0; pos[0] < ax[0].out; pos[0]++)
                for (pos[1] = 0; pos[1] < ax[1].out; pos[1]++)
                    for (pos[2] = 0; pos[2] < ax[2].out; pos[2]++) {
                        double v = conv_point(ax, xg, wo, cpg, pos);
                        if (bias)
                            v += bias[oc];
                        *yo++ = (float)v;
                    }
        }
    return 1;
}
