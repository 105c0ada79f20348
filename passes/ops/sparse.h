/* Sparse weights: a Conv, Gemm or MatMul whose weights are constant, seen
 * as the matrix A of C = A * B that runtime/spmm_f32.c multiplies (rows:
 * output channels or features; columns: input channels x taps, or K), and
 * its compact encoding. Shared by pass_sparsify (which encodes), the
 * kernel selection (scratch) and the emitters (geometry). */
#ifndef SCNNC_SPARSE_H
#define SCNNC_SPARSE_H

#include "conv_gemm.h"

/* Columns per chunk, and the width of a column block: SCNN_SPMM_KC and
 * SCNN_SPMM_W in runtime/spmm_f32.c (tests check they agree). */
#define SPARSE_KC 256
#define SPARSE_W 32

/* The IR_SPARSE_INPUTS inputs pass_sparsify appends to a sparse node (a
 * residual operand may follow them): the segments (int32), the column indices
 * within a chunk (uint8), the values (float, Gemm's alpha folded in) and
 * the bias per row (float, Gemm's beta folded in; absent without one). */
enum { SPARSE_IN_SEG = 0, SPARSE_IN_INDEX, SPARSE_IN_VALUE, SPARSE_IN_BIAS };

typedef struct sparse_view {
    int64_t rows, cols;
    const float *w;        /* A[r][k] = scale * w[r * w_rs + k * w_cs] */
    int64_t w_rs, w_cs;
    float scale;
    const float *bias;     /* per row: bias[r * bias_step] * bias_scale, or NULL */
    int64_t bias_step;
    float bias_scale;
} sparse_view;

/* 0 and the view when node n can run a sparse kernel (float32 Conv with
 * group 1; Gemm without transA and with a constant B and a per-column or
 * scalar C; MatMul with a constant 2-D B), else -1. */
int sparse_view_make(const ir_graph *g, const ir_node *n, sparse_view *v);

int64_t sparse_chunks(int64_t cols);

/* Index of the first appended input (SPARSE_IN_SEG) of a sparse node. */
int sparse_first_input(const ir_node *n);

/* Bytes of the compact encoding of nnz nonzeros of a rows x cols matrix. */
int64_t sparse_compact_bytes(int64_t rows, int64_t cols, int64_t nnz);

/* Fewest rows of activations for which pass_layout runs a sparse Gemm or
 * MatMul transposed: the kernel's vectors then run over the rows (on the
 * tiny transformer at 90%: 0.068 ms against 0.163 ms reading the rows with
 * a stride), and two Transposes are not worth it for a handful of rows. */
#define SPARSE_TRANSPOSE_MIN_ROWS 8

/* Unrolled kernels (IR_SPARSE_UNROLLED): every row of A becomes a function
 * whose multiply-adds name their weight and their row of B as constants,
 * over a block of SPARSE_W positions (or all of them when there are
 * fewer). Conv layers qualify, and products over one row of activations. */
int sparse_unrolled_ok(const ir_graph *g, const ir_node *n);
int64_t sparse_positions(const ir_graph *g, const ir_node *n);
/* Estimated machine code and constants, in bytes, of n unrolled with nnz
 * nonzeros over `rows` rows (x86-64 with 256-bit vectors: a broadcast and
 * one multiply-add per 8 positions per nonzero, the weight as a constant). */
int64_t sparse_unrolled_bytes(int64_t rows, int64_t nnz, int64_t positions);

/* A sparse Conv's work per image: B is the input itself (1x1, stride 1,
 * no padding) or its im2col columns, made band_cols positions at a time
 * in scratch. */
typedef struct sparse_conv_plan {
    int pointwise;
    int64_t positions, band_cols;
    int64_t scratch_bytes;
} sparse_conv_plan;

void sparse_conv_plan_make(const ir_graph *g, const conv_geom *cg, sparse_conv_plan *p);

#endif
