/* ConvTranspose: C emitter. Per image and group, the product cols = W' * X
 * (W' the group's weights read transposed, X its input channels x
 * positions) into scratch, then runtime/conv_col2im_f32.c adds each row of
 * cols into the output at the positions its tap reaches. */
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
    int64_t nin = 1, nout = 1, taps = 1;
    for (int i = 0; i < cg.nsp; i++) {
        nin *= cg.in[i];
        nout *= cg.out[i];
        taps *= cg.k[i];
    }
    int64_t cg_in = cg.cin / cg.group, mg = cg.cout / cg.group, rows = mg * taps;
    int kc, nc;
    gemm_blocks(nin, cg_in, &kc, &nc);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    cg_printf(b, "    float *cols = (float *)(void *)scratch;\n"
                 "    float *work = cols + %lld;\n"
                 "    scnn_matrix src = {x0, %lld, 1};\n"
                 "    scnn_gemm g = {.m = %lld, .n = %lld, .k = %lld, .a = x1, .a_rs = 1, .a_cs = %lld,\n"
                 "                   .alpha = 1.0f, .c = cols, .ldc = %lld, .accumulate = 0, .bias = NULL,\n"
                 "                   .lo = -HUGE_VALF, .hi = HUGE_VALF, .kc = %d, .nc = %d};\n",
              (long long)convt_cols_floats(&cg), (long long)nin, (long long)rows, (long long)nin,
              (long long)cg_in, (long long)rows, (long long)nin, kc, nc);
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
                 "            src.p = x0 + img * %lld + grp * %lld;\n"
                 "            g.a = x1 + grp * %lld;\n"
                 "            scnn_gemm_f32(&g, &src, NULL, work);\n"
                 "            scnn_col2im_f32(&s, cols, %s, y0 + img * %lld + grp * %lld);\n"
                 "        }\n"
                 "    }\n",
              (long long)cg.batch, (long long)cg.group, (long long)(cg.cin * nin),
              (long long)(cg_in * nin), (long long)(cg_in * rows),
              bias, (long long)(cg.cout * nout),
              (long long)(mg * nout));
    cg_kernel_end(c);
    return 0;
}
