/* Builds graph IR directly for the unit tests of passes and the memory
 * planner, without going through ONNX. Allocation failures abort: a test
 * cannot go on without memory. */
#ifndef SCNNC_TEST_IR_BUILD_H
#define SCNNC_TEST_IR_BUILD_H

#include "ir/ir.h"

/* A float32 (or dtype) tensor with a known shape; returns its index. */
int ib_tensor(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims);
/* A constant tensor holding a copy of data (numel * element size bytes). */
int ib_const(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims,
             const void *data);
/* Makes tensor t the next graph input / output. */
void ib_mark_input(ir_graph *g, int t);
void ib_mark_output(ir_graph *g, int t);
/* Adds a node; ins/outs are tensor indices (-1 for absent). Returns its index. */
int ib_node(ir_graph *g, const char *op, const char *name, const int *ins, int n_in,
            const int *outs, int n_out);
/* Adds a float attribute / int attribute to node n. */
void ib_attr_float(ir_graph *g, int n, const char *name, float v);
void ib_attr_int(ir_graph *g, int n, const char *name, int64_t v);

#endif
