/* RoiAlign kernel: per ROI and bin, the average of bilinear samples
 * (torchvision's bilinear_interpolate: samples more than one pixel outside
 * count as 0, others are clamped to the edge). ROIs come at run time; a
 * batch index out of range gives zeros, and adaptive sample counts (NaN or
 * huge ROIs included) are kept within [1, 65536] per bin axis before any
 * conversion to an integer. */
#include <stdio.h>

#include "emit_misc.h"

/* Writes kN_sample(plane, y, x): the bilinear value at (y, x). */
static void write_sample(cg_buf *b, int id, const char *T, long long H, long long W)
{
    cg_printf(b,
              "static %s k%d_sample(const %s *v, %s y, %s x)\n{\n"
              "    if (!(y >= -1 && y <= %lld && x >= -1 && x <= %lld))\n        return 0;\n"
              "    if (y <= 0)\n        y = 0;\n    if (x <= 0)\n        x = 0;\n"
              "    ptrdiff_t yl = (ptrdiff_t)y, xl = (ptrdiff_t)x, yh, xh;\n"
              "    if (yl >= %lld) {\n        yh = yl = %lld;\n        y = (%s)yl;\n"
              "    } else {\n        yh = yl + 1;\n    }\n"
              "    if (xl >= %lld) {\n        xh = xl = %lld;\n        x = (%s)xl;\n"
              "    } else {\n        xh = xl + 1;\n    }\n"
              "    const %s ly = y - (%s)yl, lx = x - (%s)xl, hy = 1 - ly, hx = 1 - lx;\n"
              "    return hy * hx * v[yl * %lld + xl] + hy * lx * v[yl * %lld + xh] +\n"
              "           ly * hx * v[yh * %lld + xl] + ly * lx * v[yh * %lld + xh];\n}\n\n",
              T, id, T, T, T, H, W, H - 1, H - 1, T, W - 1, W - 1, T, T, T, T, W, W, W, W);
}

/* "<name> = sampling_ratio" or the adaptive count ceil(extent / bins),
 * clamped. */
static void write_grid(cg_buf *b, const char *name, const char *extent, long long bins,
                       long long sr, const char *f)
{
    if (sr > 0) {
        cg_printf(b, "        const ptrdiff_t %s = %lld;\n", name, sr);
        return;
    }
    cg_printf(b, "        const double %s_f = ceil%s(%s / %lld);\n"
                 "        const ptrdiff_t %s = %s_f >= 1 && %s_f <= 65536 ? (ptrdiff_t)%s_f : "
                 "(%s_f > 65536 ? 65536 : 1);\n",
              name, f, extent, bins, name, name, name, name, name);
}

int emit_misc_roi_align(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    if (ir_tensor_numel(y) == 0)
        return 0;
    const char *T = ir_dtype_ctype(x->dtype), *f = x->dtype == IR_FLOAT ? "f" : "";
    long long N = (long long)x->shape.dims[0], C = (long long)x->shape.dims[1];
    long long H = (long long)x->shape.dims[2], W = (long long)x->shape.dims[3];
    long long R = (long long)y->shape.dims[0], OH = (long long)y->shape.dims[2];
    long long OW = (long long)y->shape.dims[3];
    long long sr = (long long)ir_attr_int(n, "sampling_ratio", 0);
    int aligned = c->g->opset >= 16 &&
                  ir_attr_string(n, "coordinate_transformation_mode", "half_pixel")[0] == 'h';
    cg_buf *b = c->kernels;
    write_sample(b, c->node, T, H, W);
    cg_kernel_begin(c, n);
    cg_printf(b, "    const %s scale = ", T);
    if (x->dtype == IR_FLOAT)
        cg_float(b, ir_attr_float(n, "spatial_scale", 1.0f));
    else
        cg_double(b, ir_attr_float(n, "spatial_scale", 1.0f));
    cg_printf(b, ", off = %s;\n", aligned ? "0.5" : "0");
    cg_printf(b, "    for (ptrdiff_t r = 0; r < %lld; r++) {\n"
                 "        %s *yr = y0 + r * %lld;\n"
                 "        const int64_t bi = (int64_t)x2[r];\n"
                 "        if (bi < 0 || bi >= %lld) {\n"
                 "            memset(yr, 0, %lld * sizeof *yr);\n            continue;\n        }\n"
                 "        const %s sw = x1[r * 4] * scale - off, sh = x1[r * 4 + 1] * scale - off;\n"
                 "        %s rw = x1[r * 4 + 2] * scale - off - sw, rh = x1[r * 4 + 3] * scale - off - sh;\n",
              R, T, C * OH * OW, N, C * OH * OW, T, T);
    if (!aligned)
        cg_printf(b, "        if (!(rw > 1))\n            rw = 1;\n"
                     "        if (!(rh > 1))\n            rh = 1;\n");
    cg_printf(b, "        const %s bh = rh / %lld, bw = rw / %lld;\n", T, OH, OW);
    write_grid(b, "gh", "rh", OH, sr, f);
    write_grid(b, "gw", "rw", OW, sr, f);
    cg_printf(b, "        const %s count = (%s)(gh * gw);\n"
                 "        for (ptrdiff_t ch = 0; ch < %lld; ch++) {\n"
                 "            const %s *v = x0 + (bi * %lld + ch) * %lld;\n"
                 "            for (ptrdiff_t ph = 0; ph < %lld; ph++)\n"
                 "                for (ptrdiff_t pw = 0; pw < %lld; pw++) {\n"
                 "                    %s acc = 0;\n"
                 "                    for (ptrdiff_t iy = 0; iy < gh; iy++) {\n"
                 "                        const %s sy = sh + (%s)ph * bh + ((%s)iy + 0.5%s) * bh / (%s)gh;\n"
                 "                        for (ptrdiff_t ix = 0; ix < gw; ix++) {\n"
                 "                            const %s sx = sw + (%s)pw * bw + ((%s)ix + 0.5%s) * bw / (%s)gw;\n"
                 "                            acc += k%d_sample(v, sy, sx);\n"
                 "                        }\n                    }\n"
                 "                    yr[(ch * %lld + ph) * %lld + pw] = acc / count;\n"
                 "                }\n        }\n    }\n",
              T, T, C, T, C, H * W, OH, OW, T, T, T, T, f, T, T, T, T, f, T, c->node, OH, OW);
    cg_kernel_end(c);
    return 0;
}
