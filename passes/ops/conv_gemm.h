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
/* Floats of ConvTranspose's per-group product result: (output channels /
 * group) x taps rows by input positions. */
int64_t convt_cols_floats(const conv_geom *cg);

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

/* n->kernel value of ConvTranspose: per image and group, the product
 * W' * X (runtime/gemm_f32.c) into scratch, then runtime/conv_col2im_f32.c
 * adds its rows into the output. */
#define CONVT_K_GEMM_COL2IM 1

/* n->kernel values of Gemm and MatMul. */
typedef enum gemm_kernel {
    GEMM_K_BLOCKED = 1, /* runtime/gemm_f32.c */
    GEMM_K_ROWVEC       /* one or two rows: runtime/rowvec_f32.c, no packing */
} gemm_kernel;

/* Blocking of runtime/gemm_f32.c's scnn_gemm_f32 (tests check that these
 * match SCNN_MR and SCNN_NR_MIN there): the inner dimension is taken
 * GEMM_KC at a time and the columns GEMM_NC at a time, so that a packed
 * block of B (GEMM_KC x GEMM_NC floats, 240 KiB) stays in the L2 cache. */
#define GEMM_MR 4
#define GEMM_NR_MIN 8
#define GEMM_KC 256
#define GEMM_NC 240

/* Rows of A at or below which Gemm/MatMul use GEMM_K_ROWVEC. */
#define GEMM_ROWVEC_MAX_M 2

/* Block sizes for an m x n x k product and the scratch bytes they need. */
void gemm_blocks(int64_t n, int64_t k, int *kc, int *nc);
int64_t gemm_work_bytes(int64_t n, int64_t k);

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

/* For a MatMul node whose shapes are inferred. */
void matmul_plan_make(const ir_graph *g, const ir_node *n, matmul_plan *p);

/* The largest extent (elements, rows, products) the kernels index with int. */
#define CONV_GEMM_MAX_EXTENT 0x7fffffffLL

#endif
