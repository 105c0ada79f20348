/* Compile-time knowledge of each operator: type/shape inference (which is
 * also where unsupported attributes and types are refused), evaluation of
 * constant nodes, cost figures and kernel selection. One file per family;
 * op_table.c maps op names to handlers. */
#ifndef SCNNC_OPS_H
#define SCNNC_OPS_H

#include "../../ir/ir.h"

typedef struct op_handler {
    const char *op;
    /* Checks attributes/types and sets the outputs' dtype and shape. Records
     * every problem with diag_node and returns -1, or returns 0. Inputs that
     * are constants (t->data) may be read, e.g. Reshape's target shape. */
    int (*infer)(ir_graph *g, ir_node *n, diag *d);
    /* Computes the outputs as constants. Called after infer; returns 1 when it
     * did, 0 when it cannot (inputs not constant), -1 on error. May be NULL. */
    int (*eval)(ir_graph *g, ir_node *n, diag *d);
    /* Multiply-accumulates per run, for reports. May be NULL (then 0). */
    int64_t (*macs)(const ir_graph *g, const ir_node *n);
    /* Chooses n->kernel and n->scratch_bytes. May be NULL (kernel 0, no scratch). */
    void (*select)(ir_graph *g, ir_node *n);
    /* Output 0 may share input 0's arena bytes (element-wise in place). */
    int in_place;
} op_handler;

const op_handler *op_find(const char *op);

/* Families: each file exports its handlers. */
extern const op_handler op_family_elementwise[];
extern const op_handler op_family_conv[];
extern const op_handler op_family_gemm[];
extern const op_handler op_family_pool[];
extern const op_handler op_family_reduce[];
extern const op_handler op_family_norm[];
extern const op_handler op_family_shape[];
extern const op_handler op_family_movement[];
extern const op_handler op_family_rnn[];
extern const op_handler op_family_quant[];
extern const op_handler op_family_misc[];

/* Helpers shared by the families (op_util.c). */

/* numpy-style broadcast of a and b into out; -1 with a message if incompatible. */
int op_broadcast(const ir_shape *a, const ir_shape *b, ir_shape *out);
/* Checks input i is present with a known shape; records a problem otherwise. */
int op_need_input(ir_graph *g, ir_node *n, int i, diag *d);
/* Checks inputs 0..min-1 as op_need_input does, and that none is given
 * beyond max. */
int op_need_inputs(ir_graph *g, ir_node *n, int min, int max, diag *d);
/* Sets output i's type/shape. */
void op_set_output(ir_graph *g, ir_node *n, int i, ir_dtype dt, const ir_shape *s);
/* Refuses every attribute of n not named in the NULL-terminated list. */
int op_known_attrs(const ir_node *n, const char *const *names, diag *d);
/* Normalises a possibly negative axis for the given rank; -1 if out of range. */
int op_axis(int64_t axis, int rank);
/* Reads a constant 1-D integer input into vals (at most max); returns the
 * count or -1 (with a message) when it is not a known constant. */
int op_const_ints(ir_graph *g, ir_node *n, int input, int64_t *vals, int max, diag *d);

#endif
