/* Data movement described once as a plan of strided copies.
 *
 * Transpose, Slice, Concat, Split, Expand, Tile, Pad, DepthToSpace,
 * SpaceToDepth, ConstantOfShape, EyeLike and the pure copies (Reshape,
 * Flatten, Squeeze, Unsqueeze, Identity, Dropout) move elements without
 * arithmetic: every output element is an input element (at an affine index),
 * another output element, or a fixed value. Each of those operators builds a
 * plan from its attributes and constant inputs; eval runs the plan at compile
 * time and the emitter prints it as loops with baked trip counts and strides.
 * One description serves both, so folded constants and generated code cannot
 * disagree. Private to the shape/movement families and their emitters. */
#ifndef SCNNC_MOVEMENT_H
#define SCNNC_MOVEMENT_H

#include "ops.h"

/* Tile and DepthToSpace view an output axis as two, hence twice the rank. */
#define MV_MAX_DIMS (2 * IR_MAX_RANK)

/* Where a copy reads from. Non-negative values are the node's input index. */
enum {
    MV_SRC_VALUE = -1, /* the fixed element in mv_copy.value */
    MV_SRC_SELF = -2   /* the destination output itself (Pad's edge/reflect/wrap) */
};

/* For every index i over dims:
 *   out[dst][dbase + sum(i_k * dstride_k)] = src[sbase + sum(i_k * sstride_k)]
 * Offsets and strides are in elements and may be negative or zero. */
typedef struct mv_copy {
    int src, dst;
    int rank;
    int64_t dims[MV_MAX_DIMS];
    int64_t sstride[MV_MAX_DIMS], dstride[MV_MAX_DIMS];
    int64_t sbase, dbase;
    unsigned char value[8]; /* MV_SRC_VALUE: one element of the output's type */
} mv_copy;

/* Copies run in order; later ones may overwrite or read earlier results. */
typedef struct mv_plan {
    mv_copy *copies;
    int n_copies, cap;
} mv_plan;

/* Builds the plan of node n (one of the operators listed above), after its
 * infer succeeded. Returns -1 with a message on failure. */
int mv_plan_build(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
void mv_plan_free(mv_plan *p);
/* Appends a zeroed copy; NULL when out of memory. */
mv_copy *mv_plan_add(mv_plan *p, int src, int dst);

/* Appends a copy that reads input src through (dims, sstrides, sbase) and
 * writes output dst contiguously from element 0. -1 when out of memory. */
int mv_plan_view(mv_plan *p, int src, int dst, int rank, const int64_t *dims,
                 const int64_t *sstrides, int64_t sbase);

/* Drops unit axes and merges neighbours that are contiguous in both source
 * and destination, so loops are as few and as long as possible. */
void mv_copy_simplify(mv_copy *c);
int64_t mv_copy_count(const mv_copy *c);
/* Row-major strides of a shape, in elements. */
void mv_strides(const ir_shape *s, int64_t *strides);
/* Appends axis (dim, sstride, dstride) to a copy. */
void mv_copy_axis(mv_copy *c, int64_t dim, int64_t sstride, int64_t dstride);

/* Generic eval for planned operators: runs the plan when every input it
 * reads is constant and folding would not bloat the weights. */
int mv_eval_plan(ir_graph *g, ir_node *n, diag *d);
/* 1 when folding n keeps the weights small: outputs no bigger than the
 * constant inputs, or small in absolute terms. */
int mv_fold_small(const ir_graph *g, const ir_node *n);

/* Input i of n (NULL when absent), for code that only holds a const graph. */
const ir_tensor *mv_in(const ir_graph *g, const ir_node *n, int i);
const ir_tensor *mv_out(const ir_graph *g, const ir_node *n, int i);
/* Constant 1-D integer input i read into vals (at most max values): the
 * count, or -1 with a message naming `what` when it is not known at compile
 * time. Absent inputs return -2 without a message. */
int mv_const_ints(const ir_graph *g, const ir_node *n, int i, const char *what, int64_t *vals,
                  int max, diag *d);
/* Integer-list attribute into vals: count, -2 when absent, -1 (message) when
 * malformed or longer than max. */
int mv_attr_ints(const ir_node *n, const char *name, int64_t *vals, int max, diag *d);
/* A Transpose's permutation for an input of rank r (ONNX's default: the
 * axes reversed) into perm; -1 with a message when it is not one. */
int mv_transpose_perm(const ir_node *n, int r, int *perm, diag *d);
/* Most elements a tensor shaped from constant values may have: far beyond
 * any real model, and small enough that byte sizes cannot overflow. */
#define MV_MAX_NUMEL ((int64_t)1 << 48)
/* Refuses negative dims and shapes above MV_MAX_NUMEL elements, computing
 * the product without overflow. */
int mv_check_shape(const ir_node *n, const ir_shape *s, diag *d);
/* Refuses a node whose output 0 is absent (malformed: it is required). */
int mv_need_output(const ir_graph *g, const ir_node *n, diag *d);
/* Refuses string and unknown element types. */
int mv_check_dtype(const ir_node *n, const ir_tensor *t, diag *d);

/* Plan builders, one per operator (dispatched by mv_plan_build). */
int mv_plan_transpose(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_concat(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_split(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_slice(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_pad(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_tile(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_space_depth(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_expand(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_constant_of_shape(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
int mv_plan_eye_like(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
/* Reshape, Flatten, Squeeze, Unsqueeze, Identity: output 0 = input 0. */
int mv_plan_copy(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);
/* The same, plus Dropout's all-true mask. */
int mv_plan_dropout(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d);

/* Handler functions defined outside the files holding the family tables. */
int mv_infer_slice(ir_graph *g, ir_node *n, diag *d);
int mv_infer_pad(ir_graph *g, ir_node *n, diag *d);
int mv_infer_gather(ir_graph *g, ir_node *n, diag *d);
/* Gather/GatherElements axis, normalised (valid after infer). */
int mv_gather_axis(const ir_graph *g, const ir_node *n);
int mv_eval_gather(ir_graph *g, ir_node *n, diag *d);
int mv_infer_gather_elements(ir_graph *g, ir_node *n, diag *d);
int mv_eval_gather_elements(ir_graph *g, ir_node *n, diag *d);
int mv_infer_expand(ir_graph *g, ir_node *n, diag *d);
int mv_infer_constant_of_shape(ir_graph *g, ir_node *n, diag *d);
int mv_infer_range(ir_graph *g, ir_node *n, diag *d);
int mv_eval_range(ir_graph *g, ir_node *n, diag *d);
int mv_infer_eye_like(ir_graph *g, ir_node *n, diag *d);

#endif
