/* What the Conv and Gemm/MatMul handlers (conv.c, gemm.c) decide and their
 * emitters (codegen/ops/emit_conv.c, emit_gemm.c) need again: convolution
 * geometry, the kernel variants, and the blocking of runtime/gemm_f32.c's
 * matrix product, which sizes each node's scratch. One implementation, so
 * that the shapes inferred, the scratch planned and the code emitted can
 * never disagree. */
#ifndef SCNNC_CONV_GEMM_H
#define SCNNC_CONV_GEMM_H

#include "ops.h"

#define CONV_MAX_SPATIAL 3

/* Convolution as seen by the kernels: spatial axes 1..3, and per axis the
 * input and output extent, kernel, stride, dilation and the padding before
 * (pb) and after (pe). Output o reads input o*s - pb + j*d for taps j < k. */
typedef struct conv_geom {
    int nsp;
    int64_t batch, cin, cout, group;
    int64_t in[CONV_MAX_SPATIAL], out[CONV_MAX_SPATIAL], k[CONV_MAX_SPATIAL];
    int64_t s[CONV_MAX_SPATIAL], d[CONV_MAX_SPATIAL], pb[CONV_MAX_SPATIAL],
        pe[CONV_MAX_SPATIAL];
    int has_bias;
} conv_geom;

/* Reads and checks the attributes and input shapes of Conv node n and
 * computes the geometry; every problem goes to d. */
int conv_geometry(const ir_graph *g, const ir_node *n, conv_geom *cg, diag *d);

/* The same for ConvTranspose. Its weights are input channels x (output
 * channels / group) x taps; the pads may come out negative (output_shape
 * larger than what the input reaches: those outputs are the bias). */
int convt_geometry(const ir_graph *g, const ir_node *n, conv_geom *cg, diag *d);

/* Products of the geometry: output positions per image and channel, and
 * rows of the im2col matrix (input channels of a group times taps). */
int64_t conv_positions(const conv_geom *cg);
int64_t conv_taps(const conv_geom *cg);

/* A depthwise Conv as runtime/conv_depthwise_f32.c runs it: 2-D (1-D as
 * one row), per axis (height, width) the input and output extent, kernel,
 * stride, dilation, leading padding and the zero-bordered plane the taps
 * reach; and its work area in floats (SCNN_DWCONV_WORK there). */
typedef struct conv_dw_plan {
    int64_t in[2], out[2], k[2], s[2], d[2], pb[2], padded[2];
    int64_t work_floats;
} conv_dw_plan;

void conv_dw_plan_make(const conv_geom *cg, conv_dw_plan *p);

/* n->kernel values of Conv. */
typedef enum conv_kernel {
    CONV_K_IM2COL = 1, /* matrix product over an im2col block */
    CONV_K_POINTWISE,  /* 1x1, stride 1, no padding: the input is B as it is */
    CONV_K_DEPTHWISE   /* one input channel per group, 1-D or 2-D: direct */
} conv_kernel;

/* n->kernel value of ConvTranspose: per image and group, the output starts
 * as the bias; then per band of input rows, the product cols = W' * X of
 * the band's positions (runtime/gemm_f32.c) into scratch, and
 * runtime/conv_col2im_f32.c adds its rows into the output. */
#define CONVT_K_GEMM_COL2IM 1

/* n->kernel values of Gemm and MatMul. */
typedef enum gemm_kernel {
    GEMM_K_BLOCKED = 1, /* runtime/gemm_f32.c */
    GEMM_K_ROWVEC,      /* one or two rows: runtime/rowvec_f32.c, no packing */
    GEMM_K_SPARSE       /* sparse weights (ir_node.sparse): runtime/spmm_f32.c */
} gemm_kernel;

/* Blocking of runtime/gemm_f32.c's scnn_gemm_f32 (tests check that these
 * match SCNN_MR, SCNN_NR_MIN and SCNN_NR_MAX there): the inner dimension is
 * taken at most GEMM_KC at a time and the columns at most GEMM_NC at a
 * time, so that a packed block of B (GEMM_KC x GEMM_NC floats, 240 KiB)
 * stays in the L2 cache. GEMM_NR_MAX is the widest register tile: column
 * blocks that are multiples of it add no partial tiles. */
#define GEMM_MR 4
#define GEMM_NR_MIN 8
#define GEMM_NR_MAX 24
#define GEMM_KC 256
#define GEMM_NC 240

/* The packed block is the node's scratch (arena bytes), and a whole L2
 * block would dwarf the activations of a small model (digits' 3x3 Conv of
 * 16 channels on 8x8 needed 19 KB of scratch; its largest activation is
 * 4 KB). The arena cannot be smaller than the largest activation, so the
 * block is held to a band of the columns sized from that, by this rule
 * (the same for every node of a graph, and a function of its shapes only):
 *   budget = max(GEMM_BAND_MIN, largest activation / GEMM_BAND_DIV) floats,
 *   the largest activation being the largest non-constant tensor that any
 *   node reads or writes (in bytes, counted as floats);
 *   start from kc = min(k, GEMM_KC), nc = min(n, GEMM_NC); while B's block
 *   (kc x nc, nc rounded up to GEMM_NR_MIN) exceeds the budget:
 *   1. make the block shallower: the deepest even split of k that fits,
 *      but not below GEMM_KC_BAND;
 *   2. narrow the band to the widest multiple of GEMM_NR_MAX that fits,
 *      but not below GEMM_NR_MAX;
 *   3. shallower again, down to GEMM_KC_MIN;
 *   4. narrow the band to a multiple of GEMM_NR_MIN that fits, one tile
 *      of GEMM_NR_MIN at least (narrower tiles run slower).
 * Why this order: each step of k reloads C's tiles once more, which is
 * cheap while steps stay GEMM_KC_BAND deep; each band repacks nothing but
 * pays the packing's per-row overhead over all of k and one more pass over
 * A, which costs more on narrow bands (ResNet-8's 3x3 Conv of 16 channels
 * on 32x32 with 3456-float blocks: 24 columns x 144 ran 30% slower than
 * 72 x 48, which is within 10% of the whole L2 block). Bands stay whole
 * GEMM_NR_MAX tiles until step 4.
 * So B's block adds at most a quarter of the largest activation to any
 * node's live bytes (or GEMM_KC_MIN x GEMM_NR_MIN floats in a tinier
 * model). Models with activations of a megabyte or more (ImageNet CNNs)
 * keep the L2 block everywhere, and their speed. */
#define GEMM_BAND_DIV 4
#define GEMM_KC_BAND 64
#define GEMM_KC_MIN 16
#define GEMM_BAND_MIN (GEMM_KC_MIN * GEMM_NR_MIN)

/* Rows of A at or below which Gemm/MatMul use GEMM_K_ROWVEC. */
#define GEMM_ROWVEC_MAX_M 2

/* The budget above for the nodes of graph g (shapes inferred). */
int64_t gemm_band_budget(const ir_graph *g);

/* How one m x n x k product is blocked, and its work area: B's block
 * (kc x nc, columns rounded up to GEMM_NR_MIN), then, unless every row
 * group of A is read in place (runtime's SCNN_GEMM_A_IN_PLACE: A's rows
 * with unit column step and alpha 1, `a_plain`, and m a multiple of
 * GEMM_MR), a panel of GEMM_MR x kc. */
typedef struct gemm_blocking {
    int kc, nc;
    int64_t work_bytes;
} gemm_blocking;

void gemm_blocking_make(int64_t m, int64_t n, int64_t k, int a_plain, int64_t budget,
                        gemm_blocking *b);

/* The blocking of a Gemm or MatMul node whose kernel is GEMM_K_BLOCKED
 * (for select and emit alike). */
void gemm_node_blocking(const ir_graph *g, const ir_node *n, gemm_blocking *b);

/* The product of a Conv node whose kernel is CONV_K_IM2COL or
 * CONV_K_POINTWISE, per image and group: (output channels / group) x
 * positions x conv_taps, A the weights as they lie. */
void conv_gemm_blocking(const ir_graph *g, const conv_geom *cg, gemm_blocking *b);

/* How a ConvTranspose runs: input rows (the depth x height pairs, each
 * in_w positions wide) band_rows at a time, so that the band's product
 * result (rows x band_rows * in_w floats, rows being output channels of a
 * group times taps) keeps within gemm_band_budget, one input row at least.
 * Scratch: that result, then the product's work area. */
typedef struct convt_plan {
    int64_t rows, in_rows, in_w, band_rows;
    int64_t cols_floats;
    gemm_blocking gemm;
    int64_t scratch_bytes;
} convt_plan;

void convt_plan_make(const ir_graph *g, const conv_geom *cg, convt_plan *p);

/* A MatMul as a sequence of matrix products of one shape: m x k times
 * k x n, `batches` times. Product t reads A and B at the offsets that its
 * index over the varying batch axes dims[0..nb) (last axis fastest) gives
 * with the element steps a_step and b_step (0 where an operand broadcasts).
 * When only A has batch axes and they are not broadcast, the batches are
 * folded into m: one product with all rows of A. */
typedef struct matmul_plan {
    int64_t m, n, k, batches;
    int nb;
    int64_t dims[IR_MAX_RANK], a_step[IR_MAX_RANK], b_step[IR_MAX_RANK];
} matmul_plan;

/* For operands A and B of shapes that a MatMul's infer accepted (also
 * QLinearMatMul's and MatMulInteger's, which batch alike). */
void matmul_plan_shapes(const ir_shape *a, const ir_shape *b, matmul_plan *p);

/* For a MatMul node whose shapes are inferred. */
void matmul_plan_make(const ir_graph *g, const ir_node *n, matmul_plan *p);

/* The largest extent (elements, rows, products) the kernels index with int. */
#define CONV_GEMM_MAX_EXTENT 0x7fffffffLL

#endif
