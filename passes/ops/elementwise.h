/* Element-wise operators, compile-time side: what the files of the family
 * share. elementwise_table.c describes every operator (accepted types,
 * attributes, scalar semantics), elementwise.c checks nodes against that
 * description, elementwise_eval.c folds constant nodes with it. */
#ifndef SCNNC_PASSES_ELEMENTWISE_H
#define SCNNC_PASSES_ELEMENTWISE_H

#include "ops.h"

/* Variadic operators (Sum, Max, ...) accept at most this many inputs. */
#define EW_MAX_INPUTS 32

/* Sets of element types, one bit per ir_dtype. */
#define EW_BIT(t) (1u << (unsigned)(t))
#define EW_FLOATS (EW_BIT(IR_FLOAT) | EW_BIT(IR_DOUBLE) | EW_BIT(IR_FLOAT16) | EW_BIT(IR_BFLOAT16))
#define EW_SIGNED (EW_BIT(IR_INT8) | EW_BIT(IR_INT16) | EW_BIT(IR_INT32) | EW_BIT(IR_INT64))
#define EW_UNSIGNED (EW_BIT(IR_UINT8) | EW_BIT(IR_UINT16) | EW_BIT(IR_UINT32) | EW_BIT(IR_UINT64))
#define EW_INTS (EW_SIGNED | EW_UNSIGNED)
#define EW_NUMBERS (EW_FLOATS | EW_INTS)
#define EW_BOOL EW_BIT(IR_BOOL)
#define EW_ALL (EW_NUMBERS | EW_BOOL)

/* How an operator's inputs combine into its output shape. */
typedef enum ew_kind {
    EW_UNARY,    /* one input, output of the same shape */
    EW_BINARY,   /* two inputs, numpy broadcasting */
    EW_VARIADIC, /* 1..EW_MAX_INPUTS inputs of one type, numpy broadcasting */
    EW_WHERE,    /* bool condition and two values, numpy broadcasting */
    EW_CLIP,     /* input, then optional scalar bounds (attributes before opset 11) */
    EW_CAST      /* one input converted to another type (Cast, CastLike) */
} ew_kind;

/* Attribute values and facts one evaluation needs, read once per node. */
typedef struct ew_params {
    double a, b, c;   /* the operator's float attributes, defaults applied */
    int has_a, has_b; /* a, b are bounds to apply (Clip before opset 11) */
    int64_t flag;     /* its integer attribute (fmod, 1 for LEFT shifts, ...) */
    int64_t flag2;
    unsigned present; /* bit i: operand i exists */
    int count;        /* number of operands */
    ir_dtype t;       /* element type of the data operands */
} ew_params;

/* Scalar semantics: one output element from its operands, in double for the
 * float types and in int64 for integers and bool (results wrap to t). */
typedef double (*ew_float_fn)(const ew_params *p, const double *v);
typedef int64_t (*ew_int_fn)(const ew_params *p, const int64_t *v);

typedef struct ew_op {
    const char *op;
    ew_kind kind;
    unsigned types;  /* element types accepted for the data inputs */
    unsigned types1; /* for input 1 when it may differ (Pow's exponent); 0: same as input 0 */
    int bool_out;    /* the output is bool (comparisons, IsNaN) */
    /* Float attributes bound to a, b, c with their ONNX defaults. */
    const char *fattr[3];
    float fdefault[3];
    /* Every attribute the operator understands (NULL-terminated). */
    const char *attrs[6];
    ew_float_fn f;
    ew_int_fn i;
} ew_op;

/* The description of op, or NULL. */
const ew_op *ew_find(const char *op);
/* All descriptions, for the family table's consistency test. */
const ew_op *ew_all(int *count);

/* Reads n's attributes into p (counts, types and bounds are the caller's). */
void ew_read_params(const ew_op *o, const ir_node *n, ew_params *p);

/* Stores v as element i of type t, converting as Cast does (and the generated
 * code): to integers by truncation toward zero, saturating at the type's
 * range (NaN gives 0); to float16 rounded once to nearest even; to bfloat16
 * as the upper half of the float32 value; to bool as v != 0. */
void ew_store_double(ir_dtype t, void *data, int64_t i, double v);

/* Input k's shape as it broadcasts: its own, except before opset 7, where
 * broadcast=1 with `axis` aligns the second input at that axis of the first
 * (trailing ones implied), and PRelu's rank-1 slope with as many elements as
 * the input has channels is per channel (axis 1). -1 if it cannot align.
 * codegen/ops/emit_elementwise.c applies the same rule. */
int ew_operand_shape(const ir_graph *g, const ir_node *n, int k, ir_shape *s);

int ew_infer(ir_graph *g, ir_node *n, diag *d);
int ew_eval(ir_graph *g, ir_node *n, diag *d);
int64_t ew_macs(const ir_graph *g, const ir_node *n);

#endif
