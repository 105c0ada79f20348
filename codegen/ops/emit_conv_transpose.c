/* ConvTranspose: C emitter. Per image and group, the output starts as the
 * bias; then per band of input rows (convt_plan_make), the product cols =
 * W' * X (W' the group's weights read transposed, X the band's input
 * channels x positions) into scratch, and runtime/conv_col2im_f32.c adds
 * each row of cols into the output at the positions its tap reaches. */
#include <stdio.h>

#include "../../passes/ops/conv_gemm.h"
#include "emit_gemm_runtime.h"

int emit_conv_transpose(cg_ctx *c, const ir_node *n, diag *d)
{
    conv_geom cg;
    if (convt_geometry(c->g, n, &cg, d))
        return -1;
    /* pass_fuse_activation does not fuse into ConvTranspose; col2im has no clamp. */
    if (n->act != IR_ACT_NONE)
        return diag_node(d, n->name, n->op, "a fused activation is not supported here");
    if (cg_runtime_require(c, n, d))
        return -1;
    convt_plan p;
    convt_plan_make(c->g, &cg, &p);
    int64_t nin = p.in_rows * p.in_w, nout = 1, band = p.band_rows * p.in_w;
    for (int i = 0; i < cg.nsp; i++)
        nout *= cg.out[i];
    int64_t cg_in = cg.cin / cg.group, mg = cg.cout / cg.group;
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    cg_printf(b, "    float *cols = (float *)(void *)scratch;\n"
                 "    float *work = cols + %lld;\n"
                 "    scnn_matrix src = {x0, %lld, 1};\n"
                 "    scnn_gemm g = {.m = %lld, .n = %lld, .k = %lld, .a = x1, .a_rs = 1, .a_cs = %lld,\n"
                 "                   .alpha = 1.0f, .c = cols, .ldc = %lld, .accumulate = 0, .bias = NULL,\n"
                 "                   .lo = -HUGE_VALF, .hi = HUGE_VALF, .kc = %d, .nc = %d};\n",
              (long long)p.cols_floats, (long long)nin, (long long)p.rows, (long long)band,
              (long long)cg_in, (long long)p.rows, (long long)band, p.gemm.kc, p.gemm.nc);
    cg_printf(b, "    const scnn_col2im s = {%lld, ", (long long)mg);
    cg_axes3(b, &cg, cg.in, 1);
    cg_printf(b, ", ");
    cg_axes3(b, &cg, cg.out, 1);
    cg_printf(b, ",\n                           ");
    cg_axes3(b, &cg, cg.k, 1);
    cg_printf(b, ", ");
    cg_axes3(b, &cg, cg.s, 1);
    cg_printf(b, ", ");
    cg_axes3(b, &cg, cg.d, 1);
    cg_printf(b, ", ");
    cg_axes3(b, &cg, cg.pb, 0);
    cg_printf(b, "};\n");
    char bias[48] = "NULL";
    if (cg.has_bias)
        snprintf(bias, sizeof bias, "x2 + grp * %lld", (long long)mg);
    cg_printf(b, "    for (ptrdiff_t img = 0; img < %lld; img++) {\n"
                 "        for (ptrdiff_t grp = 0; grp < %lld; grp++) {\n"
                 "            const float *xg = x0 + img * %lld + grp * %lld;\n"
                 "            float *yg = y0 + img * %lld + grp * %lld;\n"
                 "            g.a = x1 + grp * %lld;\n"
                 "            scnn_col2im_bias(&s, %s, yg);\n",
              (long long)cg.batch, (long long)cg.group, (long long)(cg.cin * nin),
              (long long)(cg_in * nin), (long long)(cg.cout * nout), (long long)(mg * nout),
              (long long)(cg_in * p.rows), bias);
    if (p.band_rows == p.in_rows) {
        cg_printf(b, "            src.p = xg;\n"
                     "            scnn_gemm_f32(&g, &src, NULL, work);\n"
                     "            scnn_col2im_add(&s, cols, %lld, 0, %lld, yg);\n",
                  (long long)band, (long long)p.in_rows);
    } else {
        /* Bands of input rows; the last may be shorter. */
        cg_printf(b, "            for (int r0 = 0; r0 < %lld; r0 += %lld) {\n"
                     "                const int nr = %lld - r0 < %lld ? %lld - r0 : %lld;\n"
                     "                src.p = xg + (ptrdiff_t)r0 * %lld;\n"
                     "                g.n = nr * %lld;\n"
                     "                scnn_gemm_f32(&g, &src, NULL, work);\n"
                     "                scnn_col2im_add(&s, cols, %lld, r0, nr, yg);\n"
                     "            }\n",
                  (long long)p.in_rows, (long long)p.band_rows, (long long)p.in_rows,
                  (long long)p.band_rows, (long long)p.in_rows, (long long)p.band_rows,
                  (long long)p.in_w, (long long)p.in_w, (long long)band);
    }
    cg_printf(b, "        }\n"
                 "    }\n");
    cg_kernel_end(c);
    return 0;
}
