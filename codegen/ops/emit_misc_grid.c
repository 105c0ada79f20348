/* GridSample kernel. Per output position the taps (offsets, weights and
 * whether they fall inside the input) are found once, then applied to every
 * channel. The arithmetic follows PyTorch's grid_sample step by step, in
 * the element type: unnormalise, pad (clip or reflect), floor, weights. Tap
 * coordinates are compared with the bounds as floating-point values before
 * any conversion to an integer, so that NaN or huge grid values cannot make
 * the conversion undefined; such taps count as outside. */
#include <stdio.h>

#include "emit_misc.h"

/* Writes the helpers kN_pad (padding_mode) and kN_cubic (A = -0.75). */
static void write_helpers(cg_buf *b, int id, const misc_grid *p, const char *T, const char *f)
{
    cg_printf(b, "static %s k%d_pad(%s v, %s size)\n{\n", T, id, T, T);
    if (p->padding == 0) {
        cg_printf(b, "    (void)size;\n    return v;\n}\n\n");
    } else {
        if (p->padding == 2) {
            /* Reflect over [0, size - 1] (align_corners) or [-0.5, size - 0.5]. */
            if (p->align_corners)
                cg_printf(b, "    const %s lo = 0, span = size - 1;\n", T);
            else
                cg_printf(b, "    const %s lo = -0.5, span = size;\n", T);
            cg_printf(b, "    if (span <= 0) {\n        v = 0;\n    } else {\n"
                         "        v = fabs%s(v - lo);\n"
                         "        const %s extra = fmod%s(v, span), flips = floor%s(v / span);\n"
                         "        v = fmod%s(flips, 2) == 0 ? extra + lo : span - extra + lo;\n"
                         "    }\n",
                      f, T, f, f, f);
        }
        cg_printf(b, "    return v < 0 ? 0 : (v > size - 1 ? size - 1 : v);\n}\n\n");
    }
    if (p->mode != 2)
        return;
    cg_printf(b, "static void k%d_cubic(%s t, %s *c)\n{\n"
                 "    const %s A = -0.75, u = 1 - t;\n"
                 "    c[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;\n"
                 "    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;\n"
                 "    c[2] = ((A + 2) * u - (A + 3)) * u * u + 1;\n"
                 "    c[3] = ((A * (u + 1) - 5 * A) * (u + 1) + 8 * A) * (u + 1) - 4 * A;\n}\n\n",
              id, T, T, T);
}

/* "((g + 1) / 2) * (size - 1)" or "((g + 1) * size - 1) / 2" for grid
 * value g along an axis of `size`. */
static void unnormalise(char *buf, size_t n, const char *g, long long size, int align)
{
    if (align)
        snprintf(buf, n, "((%s + 1) / 2) * %lld", g, size - 1);
    else
        snprintf(buf, n, "((%s + 1) * %lld - 1) / 2", g, size);
}

int emit_misc_grid_sample(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    misc_grid p;
    if (misc_grid_params(c->g, n, &p, d))
        return -1;
    if (ir_tensor_numel(y) == 0)
        return 0;
    const char *T = ir_dtype_ctype(x->dtype), *f = x->dtype == IR_FLOAT ? "f" : "";
    long long N = (long long)x->shape.dims[0], C = (long long)x->shape.dims[1];
    long long H = (long long)x->shape.dims[2], W = (long long)x->shape.dims[3];
    long long P = (long long)(y->shape.dims[2] * y->shape.dims[3]);
    int K = p.mode == 0 ? 4 : (p.mode == 1 ? 1 : 16), side = p.mode == 0 ? 2 : 4;
    cg_buf *b = c->kernels;
    write_helpers(b, c->node, &p, T, f);
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t m = 0; m < %lld; m++)\n"
                 "        for (ptrdiff_t p = 0; p < %lld; p++) {\n"
                 "            const %s gx = (%s)x1[(m * %lld + p) * 2];\n"
                 "            const %s gy = (%s)x1[(m * %lld + p) * 2 + 1];\n"
                 "            ptrdiff_t off[%d];\n            int ok[%d];\n",
              N, P, T, T, P, T, T, P, K, K);
    if (p.mode != 1)
        cg_printf(b, "            %s w[%d];\n", T, K);
    char ux[96], uy[96];
    unnormalise(ux, sizeof ux, "gx", W, p.align_corners);
    unnormalise(uy, sizeof uy, "gy", H, p.align_corners);
    const char *ind = "            ";
    if (p.mode == 2) { /* taps padded one by one, after the floor */
        cg_printf(b, "%sconst %s ix = %s, iy = %s;\n", ind, T, ux, uy);
        cg_printf(b, "%sconst %s x0f = floor%s(ix), y0f = floor%s(iy);\n"
                     "%s%s cx[4], cy[4];\n%sk%d_cubic(ix - x0f, cx);\n%sk%d_cubic(iy - y0f, cy);\n",
                  ind, T, f, f, ind, T, ind, c->node, ind, c->node);
    } else {
        cg_printf(b, "%sconst %s ix = k%d_pad(%s, %lld), iy = k%d_pad(%s, %lld);\n", ind, T,
                  c->node, ux, W, c->node, uy, H);
    }
    if (p.mode == 1) {
        cg_printf(b, "%sconst %s xs = nearbyint%s(ix), ys = nearbyint%s(iy);\n", ind, T, f, f);
        cg_printf(b, "%sok[0] = xs >= 0 && xs <= %lld && ys >= 0 && ys <= %lld;\n"
                     "%soff[0] = ok[0] ? (ptrdiff_t)ys * %lld + (ptrdiff_t)xs : 0;\n",
                  ind, W - 1, H - 1, ind, W);
    } else {
        if (p.mode == 0)
            cg_printf(b, "%sconst %s x0f = floor%s(ix), y0f = floor%s(iy);\n"
                         "%sconst %s cx[2] = {x0f + 1 - ix, ix - x0f};\n"
                         "%sconst %s cy[2] = {y0f + 1 - iy, iy - y0f};\n",
                      ind, T, f, f, ind, T, ind, T);
        /* Bilinear taps start at the floor, bicubic ones one before. */
        const char *start = p.mode == 0 ? "" : " - 1";
        cg_printf(b, "%sfor (int a = 0; a < %d; a++)\n%s    for (int k = 0; k < %d; k++) {\n", ind,
                  side, ind, side);
        if (p.mode == 0)
            cg_printf(b, "%s        const %s xs = x0f + k, ys = y0f + a;\n", ind, T);
        else
            cg_printf(b, "%s        const %s xs = k%d_pad(x0f + k%s, %lld);\n"
                         "%s        const %s ys = k%d_pad(y0f + a%s, %lld);\n",
                      ind, T, c->node, start, W, ind, T, c->node, start, H);
        cg_printf(b, "%s        const int t = a * %d + k;\n"
                     "%s        ok[t] = xs >= 0 && xs <= %lld && ys >= 0 && ys <= %lld;\n"
                     "%s        off[t] = ok[t] ? (ptrdiff_t)ys * %lld + (ptrdiff_t)xs : 0;\n"
                     "%s        w[t] = cx[k] * cy[a];\n%s    }\n",
                  ind, side, ind, W - 1, H - 1, ind, W, ind, ind);
    }
    cg_printf(b, "%sfor (ptrdiff_t ch = 0; ch < %lld; ch++) {\n"
                 "%s    const %s *xp = x0 + (m * %lld + ch) * %lld;\n"
                 "%s    %s acc = 0;\n"
                 "%s    for (int t = 0; t < %d; t++)\n"
                 "%s        if (ok[t])\n"
                 "%s            acc += %sxp[off[t]];\n"
                 "%s    y0[(m * %lld + ch) * %lld + p] = acc;\n"
                 "%s}\n        }\n",
              ind, C, ind, T, C, H * W, ind, T, ind, K, ind, ind, p.mode == 1 ? "" : "w[t] * ",
              ind, C, P, ind);
    cg_kernel_end(c);
    return 0;
}
