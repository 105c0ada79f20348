/* Shared by the Conv and Gemm/MatMul emitters: the runtime/ helpers their
 * kernels call, copied once into each generated file, and the clamp that
 * carries a node's fused activation into them. */
#ifndef SCNNC_EMIT_GEMM_RUNTIME_H
#define SCNNC_EMIT_GEMM_RUNTIME_H

#include "../../passes/ops/sparse.h"
#include "../emit.h"

/* Writes into c->kernels the runtime pieces node n's kernel (n->kernel)
 * calls that no earlier node of the graph needed, so that each piece is in
 * the file once, before its first use. -1 with a message if it cannot. */
int cg_runtime_require(cg_ctx *c, const ir_node *n, diag *d);

/* Writes ".lo = L, .hi = H": the bounds that the runtime kernels clamp
 * their results to, which is n's fused activation (ReLU: [0, inf), Clip:
 * [min, max], none: (-inf, inf); NaN passes as with cg_act). */
void cg_clamp_fields(cg_buf *b, const ir_node *n);

/* Writes "<indent>scnn_im2col src = {X, in, out, kernel, stride, dilation,
 * pads};" for convolution cg, X being the C expression x. */
void cg_im2col_decl(cg_buf *b, const char *indent, const conv_geom *cg, const char *x);

/* Writes "{a, b, c}": v's values for a convolution's three spatial axes,
 * the leading axes that 1-D and 2-D ones lack given as `fill`. */
void cg_axes3(cg_buf *b, const conv_geom *cg, const int64_t *v, int64_t fill);

/* Sparse nodes (ir_node.sparse, emit_sparse.c): a Conv of geometry cg,
 * and a Gemm or MatMul (which writes its runtime pieces itself). */
int emit_conv_sparse(cg_ctx *c, const ir_node *n, const conv_geom *cg, diag *d);
int emit_product_sparse(cg_ctx *c, const ir_node *n, diag *d);
/* Node n's sparse view (passes/ops/sparse.h), or -1 with a message. */
int cg_sparse_view(const cg_ctx *c, const ir_node *n, sparse_view *v, diag *d);
/* The same unrolled (IR_SPARSE_UNROLLED; emit_sparse_unrolled.c). */
int emit_conv_unrolled(cg_ctx *c, const ir_node *n, const conv_geom *cg, diag *d);
int emit_product_unrolled(cg_ctx *c, const ir_node *n, diag *d);

/* ConvTranspose (emit_conv_transpose.c), listed in emit_conv.c's table. */
int emit_conv_transpose(cg_ctx *c, const ir_node *n, diag *d);

#endif
