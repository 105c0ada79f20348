/* What the files of the layout pass share (layout.c: candidates and the
 * Transposes around them; layout_push.c: moving a Transpose into the
 * layout-agnostic ops after it; layout_cancel.c: removing inverse pairs). */
#ifndef SCNNC_PASSES_LAYOUT_H
#define SCNNC_PASSES_LAYOUT_H

#include "ops/sparse.h"
#include "passes.h"

/* Fewest rows M of a Gemm/MatMul for which the transposed form pays
 * (SPARSE_TRANSPOSE_MIN_ROWS in passes/ops/sparse.h). */
#define LAYOUT_MIN_ROWS SPARSE_TRANSPOSE_MIN_ROWS

/* Reads a Transpose's permutation (ONNX's default: the axes reversed) for
 * its input of the given rank into perm; -1 when it is not a valid one. */
int layout_perm(const ir_node *n, int rank, int *perm);
/* 1 when applying a, then b, gives back the original axis order. */
int layout_perms_undo(const int *a, const int *b, int rank);
/* Runs the op handler's infer on node i, which sets its outputs' shapes. */
int layout_infer(ir_graph *g, int i, diag *d);
/* Adds a Transpose named name from tensor in to tensor out swapping in's
 * last two axes, and infers out's shape. Returns the node index or -1. */
int layout_add_swap(ir_graph *g, const char *name, int in, int out, diag *d);
/* "<base><suffix>" in fresh memory (NULL when out of memory). */
char *layout_name(const char *base, const char *suffix);

/* Moves each Transpose touts[0..count-1] into the layout-agnostic ops
 * after it when every way out of them is a Transpose that undoes it, so
 * that the pairs meet. Needs a sorted graph; leaves it unsorted. */
int layout_push(ir_graph *g, const int *touts, int count, diag *d);
/* In a sorted graph, lets the readers of Transpose(Transpose(u)) with
 * inverse perms read u and drops the Transposes nobody needs any more.
 * Returns the number of Transposes dropped, or -1. */
int layout_cancel(ir_graph *g, diag *d);

#endif
