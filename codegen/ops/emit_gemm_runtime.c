/* The runtime/ pieces behind Conv, Gemm and MatMul kernels. Their text is
 * embedded at build time (runtime/CMakeLists.txt); a file gets each piece
 * once, in dependency order, at the first node that needs it. Whether an
 * earlier node needed it is recomputed from the graph, so the output does
 * not depend on anything but the graph. */
#include <string.h>

#include "../../passes/ops/conv_gemm.h"
#include "emit_gemm_runtime.h"
#include "scnn_runtime_text.h"

enum {
    PIECE_COMMON = 1 << 0,
    PIECE_MATRIX = 1 << 1,
    PIECE_IM2COL = 1 << 2,
    PIECE_GEMM = 1 << 3,
    PIECE_DEPTHWISE = 1 << 4,
    PIECE_ROWVEC = 1 << 5,
    PIECE_COL2IM = 1 << 6,
    PIECE_SPMM = 1 << 7
};

/* The product calls both packers (gemm_f32.c includes them). */
#define PIECES_GEMM (PIECE_COMMON | PIECE_MATRIX | PIECE_IM2COL | PIECE_GEMM)

static unsigned node_pieces(const ir_node *n)
{
    if (n->sparse != IR_SPARSE_NONE)
        return PIECE_COMMON | (n->sparse == IR_SPARSE_COMPACT ? PIECE_SPMM : 0) |
               (strcmp(n->op, "Conv") == 0 && n->kernel == CONV_K_IM2COL ? PIECE_IM2COL : 0);
    if (strcmp(n->op, "Conv") == 0) {
        switch (n->kernel) {
        case CONV_K_IM2COL:
        case CONV_K_POINTWISE: return PIECES_GEMM;
        case CONV_K_DEPTHWISE: return PIECE_COMMON | PIECE_DEPTHWISE;
        default: return 0;
        }
    }
    if (strcmp(n->op, "ConvTranspose") == 0)
        return n->kernel == CONVT_K_GEMM_COL2IM ? PIECES_GEMM | PIECE_COL2IM : 0;
    if (strcmp(n->op, "Gemm") == 0 || strcmp(n->op, "MatMul") == 0) {
        switch (n->kernel) {
        case GEMM_K_BLOCKED: return PIECES_GEMM;
        case GEMM_K_ROWVEC: return PIECE_COMMON | PIECE_ROWVEC;
        default: return 0;
        }
    }
    return 0;
}

int cg_runtime_require(cg_ctx *c, const ir_node *n, diag *d)
{
    unsigned need = node_pieces(n);
    if (!need)
        return diag_node(d, n->name, n->op, "no kernel was selected for this node");
    for (int i = 0; i < c->node; i++)
        need &= ~node_pieces(&c->g->nodes[i]);
    static const struct {
        unsigned bit;
        const char *text;
    } pieces[] = {
        /* In dependency order. */
        {PIECE_COMMON, scnn_runtime_common},
        {PIECE_MATRIX, scnn_runtime_pack_matrix_f32},
        {PIECE_IM2COL, scnn_runtime_conv_im2col_f32},
        {PIECE_GEMM, scnn_runtime_gemm_f32},
        {PIECE_DEPTHWISE, scnn_runtime_conv_depthwise_f32},
        {PIECE_ROWVEC, scnn_runtime_rowvec_f32},
        {PIECE_COL2IM, scnn_runtime_conv_col2im_f32},
        {PIECE_SPMM, scnn_runtime_spmm_f32},
    };
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
        if (need & pieces[i].bit) {
            cg_write(c->kernels, pieces[i].text, strlen(pieces[i].text));
            cg_printf(c->kernels, "\n");
        }
    return 0;
}

void cg_axes3(cg_buf *b, const conv_geom *cg, const int64_t *v, int64_t fill)
{
    int lead = 3 - cg->nsp;
    cg_printf(b, "{");
    for (int i = 0; i < 3; i++)
        cg_printf(b, "%s%lld", i ? ", " : "", (long long)(i < lead ? fill : v[i - lead]));
    cg_printf(b, "}");
}

void cg_clamp_fields(cg_buf *b, const ir_node *n)
{
    switch (n->act) {
    case IR_ACT_RELU:
        cg_printf(b, ".lo = 0.0f, .hi = HUGE_VALF");
        break;
    case IR_ACT_CLIP:
        cg_printf(b, ".lo = ");
        cg_float(b, n->act_min);
        cg_printf(b, ", .hi = ");
        cg_float(b, n->act_max);
        break;
    default:
        cg_printf(b, ".lo = -HUGE_VALF, .hi = HUGE_VALF");
        break;
    }
}

void cg_im2col_decl(cg_buf *b, const char *indent, const conv_geom *cg, const char *x)
{
    cg_printf(b, "%sscnn_im2col src = {%s, ", indent, x);
    cg_axes3(b, cg, cg->in, 1);
    cg_printf(b, ", ");
    cg_axes3(b, cg, cg->out, 1);
    cg_printf(b, ",\n%s                   ", indent);
    cg_axes3(b, cg, cg->k, 1);
    cg_printf(b, ", ");
    cg_axes3(b, cg, cg->s, 1);
    cg_printf(b, ", ");
    cg_axes3(b, cg, cg->d, 1);
    cg_printf(b, ", ");
    cg_axes3(b, cg, cg->pb, 0);
    cg_printf(b, "};\n");
}
