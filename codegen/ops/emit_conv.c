/* Convolution: C emitters. Each Conv becomes a call of a runtime/ helper
 * with the node's geometry as constants: a blocked matrix product whose B
 * is packed from the input (im2col, or the input itself for 1x1), or the
 * direct depthwise kernel. Weights are used in their ONNX layout
 * (out channels x in channels x taps), which is A of the product. */
#include "../../passes/ops/conv_gemm.h"
#include "emit_gemm_runtime.h"

/* Opens the loops over images and groups when there are several; returns
 * the indentation of their body. The body names them `img` and `grp`. */
static const char *open_loops(cg_buf *b, const conv_geom *cg)
{
    static const char *const indent[] = {"    ", "        ", "            "};
    int depth = 0;
    if (cg->batch > 1)
        cg_printf(b, "%sfor (int img = 0; img < %lld; img++) {\n", indent[depth++],
                  (long long)cg->batch);
    if (cg->group > 1)
        cg_printf(b, "%sfor (int grp = 0; grp < %lld; grp++) {\n", indent[depth++],
                  (long long)cg->group);
    return indent[depth];
}

static void close_loops(cg_buf *b, const conv_geom *cg)
{
    if (cg->group > 1)
        cg_printf(b, "%s}\n", cg->batch > 1 ? "        " : "    ");
    if (cg->batch > 1)
        cg_printf(b, "    }\n");
}

/* Writes " + (ptrdiff_t)img * per_img + (ptrdiff_t)grp * per_grp", leaving
 * out the terms of loops that do not exist and zero terms. */
static void offset(cg_buf *b, const conv_geom *cg, int64_t per_img, int64_t per_grp)
{
    if (cg->batch > 1 && per_img)
        cg_printf(b, " + (ptrdiff_t)img * %lld", (long long)per_img);
    if (cg->group > 1 && per_grp)
        cg_printf(b, " + (ptrdiff_t)grp * %lld", (long long)per_grp);
}

static void emit_gemm_conv(cg_ctx *c, const ir_node *n, const conv_geom *cg)
{
    cg_buf *b = c->kernels;
    int64_t npos = conv_positions(cg), k = conv_taps(cg);
    int64_t cin_g = cg->cin / cg->group, m = cg->cout / cg->group, in_plane = 1;
    for (int i = 0; i < cg->nsp; i++)
        in_plane *= cg->in[i];
    gemm_blocking gb;
    conv_gemm_blocking(c->g, cg, &gb);
    int pointwise = n->kernel == CONV_K_POINTWISE;
    cg_printf(b, "    float *work = (float *)(void *)scratch;\n");
    if (pointwise) {
        /* B is the input itself: channels x positions. */
        cg_printf(b, "    scnn_matrix src = {x0, %lld, 1};\n", (long long)npos);
    } else {
        cg_im2col_decl(b, "    ", cg, "x0");
    }
    cg_printf(b,
              "    scnn_gemm g = {.m = %lld, .n = %lld, .k = %lld, .a = x1, .a_rs = %lld, .a_cs = 1,\n"
              "                   .alpha = 1.0f, .c = y0, .ldc = %lld, .accumulate = 0, .bias = %s,\n"
              "                   ",
              (long long)m, (long long)npos, (long long)k, (long long)k, (long long)npos,
              cg->has_bias ? "x2" : "NULL");
    cg_clamp_fields(b, n);
    cg_printf(b, ", .kc = %d, .nc = %d};\n", gb.kc, gb.nc);
    const char *in = open_loops(b, cg);
    if (cg->batch > 1 || cg->group > 1) {
        cg_printf(b, "%s%s = x0", in, pointwise ? "src.p" : "src.x");
        offset(b, cg, cg->cin * in_plane, cin_g * in_plane);
        cg_printf(b, ";\n%sg.c = y0", in);
        offset(b, cg, cg->cout * npos, m * npos);
        cg_printf(b, ";\n");
    }
    if (cg->group > 1) {
        cg_printf(b, "%sg.a = x1", in);
        offset(b, cg, 0, m * k);
        cg_printf(b, ";\n");
        if (cg->has_bias) {
            cg_printf(b, "%sg.bias = x2", in);
            offset(b, cg, 0, m);
            cg_printf(b, ";\n");
        }
    }
    cg_printf(b, "%sscnn_gemm_f32(&g, %s, work);\n", in, pointwise ? "&src, NULL" : "NULL, &src");
    close_loops(b, cg);
}

static void emit_depthwise(cg_ctx *c, const ir_node *n, const conv_geom *cg)
{
    cg_buf *b = c->kernels;
    conv_dw_plan p;
    conv_dw_plan_make(cg, &p);
    const int64_t *const v[7] = {p.in, p.out, p.k, p.s, p.d, p.pb, p.padded};
    static const char *const fields[7] = {"in",       "out", "kernel", "stride",
                                          "dilation", "pad", "padded"};
    cg_printf(b, "    const scnn_dwconv s = {.out_channels = %lld, .multiplier = %lld",
              (long long)cg->cout, (long long)(cg->cout / cg->cin));
    for (int f = 0; f < 7; f++)
        cg_printf(b, ",%s.%s = {%lld, %lld}", f % 3 ? " " : "\n                           ",
                  fields[f], (long long)v[f][0], (long long)v[f][1]);
    cg_printf(b, ", ");
    cg_clamp_fields(b, n);
    cg_printf(b, "};\n");
    /* The helper runs every channel: only images need a loop. */
    conv_geom per_image = *cg;
    per_image.group = 1;
    const char *in = open_loops(b, &per_image);
    cg_printf(b, "%sscnn_dwconv_f32(&s, x0", in);
    offset(b, &per_image, cg->cin * p.in[0] * p.in[1], 0);
    cg_printf(b, ", x1, %s, y0", cg->has_bias ? "x2" : "NULL");
    offset(b, &per_image, cg->cout * p.out[0] * p.out[1], 0);
    cg_printf(b, ", (float *)(void *)scratch);\n");
    close_loops(b, &per_image);
}

static int emit_conv(cg_ctx *c, const ir_node *n, diag *d)
{
    conv_geom cg;
    if (conv_geometry(c->g, n, &cg, d) || cg_runtime_require(c, n, d))
        return -1;
    if (n->sparse == IR_SPARSE_UNROLLED)
        return emit_conv_unrolled(c, n, &cg, d);
    if (n->sparse != IR_SPARSE_NONE)
        return emit_conv_sparse(c, n, &cg, d);
    cg_kernel_begin(c, n);
    if (n->kernel == CONV_K_DEPTHWISE)
        emit_depthwise(c, n, &cg);
    else
        emit_gemm_conv(c, n, &cg);
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_conv[] = {
    {"Conv", emit_conv},
    {"ConvTranspose", emit_conv_transpose},
    {NULL, NULL},
};
