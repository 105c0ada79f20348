/* Shared by the misc family's emitters (emit_misc*.c); the semantics live in
 * passes/ops/misc*.c. */
#ifndef SCNNC_EMIT_MISC_H
#define SCNNC_EMIT_MISC_H

#include "../../passes/ops/misc.h"
#include "../emit.h"

/* Tensor t of the graph being emitted (input i / output i of n). */
const ir_tensor *em_in(const cg_ctx *c, const ir_node *n, int i);
const ir_tensor *em_out(const cg_ctx *c, const ir_node *n, int i);
/* Writes "(void)x<i>;" for every present input in the bit set `inputs`. */
void em_void_inputs(cg_buf *b, const ir_node *n, unsigned inputs);
/* Writes `dst = dst <r> src;` for element type t at indentation ind:
 * integer sums and products wrap (computed in an unsigned type), float
 * max/min propagate NaN as numpy does. MISC_NONE assigns. */
void em_combine(cg_buf *b, int ind, ir_dtype t, misc_red r, const char *dst, const char *src);
/* "i * 12", "i" (stride 1) or "0" (stride 0) into buf; an expression var
 * ("p - 1") is parenthesised when multiplied. */
const char *em_mul(char *buf, size_t size, const char *var, int64_t stride);
/* Writes `static const <int32_t|int64_t> name[N] = {...};` for values that
 * fit the narrower type when possible. */
void em_int_table(cg_buf *b, const char *name, const int64_t *v, int64_t count);
/* Writes `int64_t k = (int64_t)<src>; if (k < 0) k += dim;` and, when
 * `check`, `if (k < 0 || k >= dim) <fail>` at indentation ind. */
void em_index(cg_buf *b, int ind, const char *k, const char *src, int64_t dim, int check,
              const char *fail);

int emit_misc_resize(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_topk(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_hardmax(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_cumsum(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_trilu(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_reverse_sequence(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_onehot(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_gather_nd(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_scatter_nd(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_scatter_elements(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_einsum(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_compress(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_det(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_loss(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_max_unpool(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_grid_sample(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_roi_align(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_dft(cg_ctx *c, const ir_node *n, diag *d);
int emit_misc_stft(cg_ctx *c, const ir_node *n, diag *d);

#endif
