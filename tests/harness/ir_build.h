/* Builds graph IR directly for the unit tests of passes, operator handlers
 * and the memory planner, without going through ONNX, and checks what
 * shape inference made of it. Allocation failures abort: a test cannot go
 * on without memory. */
#ifndef SCNNC_TEST_IR_BUILD_H
#define SCNNC_TEST_IR_BUILD_H

#include "codegen/codegen.h"
#include "ir/diag.h"
#include "ir/ir.h"

/* A new graph of the given ai.onnx opset (0 means the oldest semantics). */
ir_graph *ib_graph(int64_t opset);
/* A float32 (or dtype) tensor with a known shape; returns its index. */
int ib_tensor(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims);
/* A constant tensor holding a copy of data (numel * element size bytes). */
int ib_const(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims,
             const void *data);
/* Makes tensor t the next graph input / output. */
void ib_mark_input(ir_graph *g, int t);
void ib_mark_output(ir_graph *g, int t);
/* A tensor with a known shape, made the next graph input. */
int ib_input(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims);
/* Adds a node; ins/outs are tensor indices (-1 for absent). Returns its index. */
int ib_node(ir_graph *g, const char *op, const char *name, const int *ins, int n_in,
            const int *outs, int n_out);
/* Node op reading ins (-1 for absent) and writing n_out (at most
 * IB_MAX_OUTPUTS) fresh tensors y0, y1..., each a graph output, their
 * indices to outs when it is not NULL. Returns the node's index. */
#define IB_MAX_OUTPUTS 8
int ib_op(ir_graph *g, const char *op, const int *ins, int n_in, int n_out, int *outs);
/* Adds an attribute to node n, holding a copy of v. */
void ib_attr_float(ir_graph *g, int n, const char *name, float v);
void ib_attr_int(ir_graph *g, int n, const char *name, int64_t v);
void ib_attr_string(ir_graph *g, int n, const char *name, const char *v);
void ib_attr_ints(ir_graph *g, int n, const char *name, int count, const int64_t *v);
void ib_attr_floats(ir_graph *g, int n, const char *name, int count, const float *v);
void ib_attr_strings(ir_graph *g, int n, const char *name, int count, const char *const *v);
void ib_attr_tensor(ir_graph *g, int n, const char *name, ir_dtype dtype, int rank,
                    const int64_t *dims, const void *data);

/* The files generated for a graph. */
typedef struct ib_code {
    cg_buf c, h, blob;
} ib_code;
/* Runs the pass pipeline on g and emits its C, symbols prefixed with
 * `prefix`, into *code; 0 on success, else the messages go to stderr.
 * Free the code with ib_code_free in either case. */
int ib_compile(ir_graph *g, const char *prefix, ib_code *code);
void ib_code_free(ib_code *code);

/* Checks for the tests; each returns 1 when the check holds and otherwise
 * prints what it found to stderr (a cmocka assert_true around it then
 * fails the test with the reason in the log) and returns 0. */

/* Shape inference on g succeeds. */
int ib_infer_ok(ir_graph *g);
/* Shape inference on g refuses, with some message containing needle. */
int ib_refuses(ir_graph *g, const char *needle);
/* Some error in d contains needle. */
int ib_mentions(const diag *d, const char *needle);
/* Tensor t has a known shape of this rank and dims, and element type dt. */
int ib_has_shape(const ir_tensor *t, ir_dtype dt, int rank, const int64_t *dims);

#endif
