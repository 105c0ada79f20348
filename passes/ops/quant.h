/* Quantization operators: what the handlers (quant.c, quant_matmul.c,
 * quant_conv.c) decide and the emitters (codegen/ops/emit_quant*.c) need
 * again, computed by one implementation so that the shapes inferred, the
 * scratch planned and the code emitted cannot disagree.
 *
 * Arithmetic shared by all of them, as ONNX Runtime does it (its results
 * are the backend tests' expected outputs):
 *   quantize    q = saturate(round_half_even(x / scale) + zero_point)
 *   dequantize  x = (float)(q - zero_point) * scale
 *   requantize  q = saturate(round_half_even((float)acc * m) + y_zero_point)
 *               with m = (x_scale * w_scale) / y_scale in float32 and acc
 *               the int32 sum of (x - x_zero_point) * (w - w_zero_point)
 *               plus the int32 bias (that addition wraps like int32). */
#ifndef SCNNC_QUANT_H
#define SCNNC_QUANT_H

#include "conv_gemm.h"

/* Products of two values in [-255, 255] (an 8-bit value minus an 8-bit
 * zero point), at most this many, sum within int32: the kernels sum in
 * int32 and refuse deeper products. */
#define QUANT_MAX_DEPTH 33025

/* Handlers of the product operators, listed in quant.c's table. */
int qmm_infer(ir_graph *g, ir_node *n, diag *d);
int64_t qmm_macs(const ir_graph *g, const ir_node *n);
void qmm_select(ir_graph *g, ir_node *n);
int qconv_infer(ir_graph *g, ir_node *n, diag *d);
int64_t qconv_macs(const ir_graph *g, const ir_node *n);
void qconv_select(ir_graph *g, ir_node *n);

/* ---- checks shared by the handlers ------------------------------------------ */

/* Input i is present, its shape known, and it is int8 or uint8. */
int quant_need_8bit(ir_graph *g, ir_node *n, int i, const char *what, diag *d);
/* Input i, when present, has type dt and one element (a scalar or a 1-D
 * tensor of one value: ONNX Runtime reads both as per-tensor). */
int quant_need_scalar(ir_graph *g, ir_node *n, int i, ir_dtype dt, const char *what, diag *d);
/* Input i, when present, has type dt and holds one value or `count` values
 * along one axis (a 1-D tensor). */
int quant_need_vector(ir_graph *g, ir_node *n, int i, ir_dtype dt, int64_t count,
                      const char *what, diag *d);
/* v rounded half to even, exactly for |v| < 2^22 (larger values stay
 * beyond 2^22): the compile-time twin of the rounding the emitters write
 * (qe_store_rounded), which adds and subtracts 1.5 * 2^23. */
float quant_round_even(float v);

/* ---- QuantizeLinear / DequantizeLinear ---------------------------------------- */

/* The input viewed as outer x channels x inner around the quantization
 * axis; channels = 1 (outer = 1, inner = all) when one scale applies. */
typedef struct quant_layout {
    int per_axis;
    int64_t outer, channels, inner;
} quant_layout;

/* For a node whose shapes are inferred (the handlers checked the axis). */
void quant_layout_make(const ir_graph *g, const ir_node *n, quant_layout *l);

/* ---- roles of the inputs of the product operators ------------------------------ */

/* Input positions in QLinearConv / ConvInteger / QLinearMatMul /
 * MatMulInteger, the second operand called w; -1 where the operator has no
 * such input. */
typedef struct quant_roles {
    int x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias;
} quant_roles;

void quant_roles_of(const ir_node *n, quant_roles *r);
/* 1 for QLinearConv and QLinearMatMul, whose output is requantized. */
int quant_requantizes(const ir_node *n);

/* ---- QLinearMatMul / MatMulInteger ----------------------------------------------- */

/* numpy matmul as `batches` products of m x k by k x n. Product t reads
 * the operands at the offsets its index over the varying batch axes
 * dims[0..nb) (last fastest) gives with the element steps a_step and
 * b_step (0 where an operand broadcasts). Batches of A alone (B shared)
 * are folded into m. */
typedef struct qmm_plan {
    int64_t m, n, k, batches;
    int nb;
    int64_t dims[IR_MAX_RANK], a_step[IR_MAX_RANK], b_step[IR_MAX_RANK];
    int kernel;              /* qmm_kernel */
    int64_t tile_cols;       /* QMM_K_DOT: columns of B transposed at a time */
    int64_t bt_bytes, scratch_bytes;
} qmm_plan;

/* n->kernel of QLinearMatMul / MatMulInteger. */
typedef enum qmm_kernel {
    /* Per row of A: one A value times a row of B added to a row of sums
     * (scratch: n int32). For one or two rows, or a short depth. */
    QMM_K_AXPY = 1,
    /* tile_cols columns of B at a time transposed to int16 (minus the
     * zero point), then blocks of dot products with rows of A converted
     * to int16 two at a time (emit_quant_dot.c). */
    QMM_K_DOT
} qmm_kernel;

/* Rows of a product from which QMM_K_DOT pays for transposing B. */
#define QMM_DOT_MIN_ROWS 3

void qmm_plan_make(const ir_graph *g, const ir_node *n, qmm_plan *p);

/* ---- QLinearConv / ConvInteger ------------------------------------------------------ */

/* Bytes of im2col columns a tile aims at: small enough for a
 * microcontroller's RAM and a desktop's L1/L2. A tile holds at least one
 * row of output positions whatever this says. */
#define QCONV_TILE_BYTES 32768

/* n->kernel of QLinearConv / ConvInteger: how the sums are formed. */
typedef enum qconv_kernel {
    /* Few taps (depthwise, 1-D): columns laid out taps x positions; per
     * output channel and tap, one weight times a row of positions. */
    QCONV_K_AXPY = 1,
    /* Columns laid out positions x taps; per output channel and position
     * a dot product over the taps, in blocks (emit_quant_dot.c). */
    QCONV_K_DOT
} qconv_kernel;

/* Taps per output (input channels of a group times kernel taps) from
 * which QCONV_K_DOT is used: shorter dot products do not vectorize. */
#define QCONV_DOT_MIN_TAPS 16

/* The convolution as the kernel walks it: three spatial axes (missing
 * leading ones of extent 1), output positions taken `tile_rows` rows at a
 * time (a row: out3[2] positions; rows: out3[0] * out3[1]). Scratch holds
 * the columns of a tile (int16, col_bytes), then the int32 sums of one
 * output channel (QCONV_K_AXPY) or two output channels' weights as int16
 * (QCONV_K_DOT). */
typedef struct qconv_plan {
    conv_geom cg;
    int64_t in3[3], out3[3], k3[3], s3[3], d3[3], p3[3], e3[3]; /* p3/e3: pads before/after */
    int64_t taps;     /* input channels of a group times kernel taps */
    int64_t rows, row_len, tile_rows, tile;
    qconv_kernel kernel;
    int64_t col_bytes, scratch_bytes;
} qconv_plan;

/* Reads and checks the node (attributes, shapes, types); every problem
 * goes to d. */
int qconv_plan_make(const ir_graph *g, const ir_node *n, qconv_plan *p, diag *d);

#endif
