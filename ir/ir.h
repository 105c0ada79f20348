/* Graph IR: tensors, nodes and the graph that the frontend builds, the passes
 * rewrite and the code generator reads. Everything refers to tensors and
 * nodes by index, so growing the arrays never invalidates a reference. */
#ifndef SCNNC_IR_H
#define SCNNC_IR_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Element types: the values are ONNX's TensorProto.DataType numbers. */
typedef enum ir_dtype {
    IR_UNDEFINED = 0,
    IR_FLOAT = 1,
    IR_UINT8 = 2,
    IR_INT8 = 3,
    IR_UINT16 = 4,
    IR_INT16 = 5,
    IR_INT32 = 6,
    IR_INT64 = 7,
    IR_STRING = 8,
    IR_BOOL = 9,
    IR_FLOAT16 = 10,
    IR_DOUBLE = 11,
    IR_UINT32 = 12,
    IR_UINT64 = 13,
    IR_BFLOAT16 = 16
} ir_dtype;

/* 1 for the numeric types (and bool) the IR stores; 0 for string and unknown. */
int ir_dtype_supported(int dtype);
/* Bytes per element; float16/bfloat16 are stored as their 16-bit patterns. */
size_t ir_dtype_size(ir_dtype t);
/* "float32", "int64", ... for messages. */
const char *ir_dtype_name(int t);
/* The C99 type that stores one element ("float", "uint16_t", "uint8_t" for bool). */
const char *ir_dtype_ctype(ir_dtype t);
int ir_dtype_is_float(ir_dtype t); /* float32/64 (16-bit floats excluded) */
int ir_dtype_is_int(ir_dtype t);   /* signed or unsigned integer, not bool */

#define IR_MAX_RANK 8

typedef struct ir_shape {
    int rank;
    int64_t dims[IR_MAX_RANK];
} ir_shape;

int64_t ir_shape_numel(const ir_shape *s);
/* Largest tensor scnnc accepts (16 GiB): keeps every size computation far
 * from overflowing, whatever dimensions a file claims. */
#define IR_MAX_TENSOR_BYTES ((int64_t)1 << 34)
/* 1 when no dimension is negative and the product of the nonzero
 * dimensions times the element size stays within IR_MAX_TENSOR_BYTES
 * (checked without overflowing). */
int ir_shape_fits(const ir_shape *s, ir_dtype t);
int ir_shape_equal(const ir_shape *a, const ir_shape *b);
/* "1x3x224x224" ("scalar" for rank 0) into buf. */
const char *ir_shape_str(const ir_shape *s, char *buf, size_t size);

/* Where a tensor lives at run time, decided by the memory planner. */
typedef enum ir_storage {
    IR_STORE_NONE = 0, /* not yet planned */
    IR_STORE_CONST,    /* in the weights blob at `offset` */
    IR_STORE_INPUT,    /* the caller's input buffer io_index */
    IR_STORE_OUTPUT,   /* the caller's output buffer io_index */
    IR_STORE_ARENA     /* the activation arena at `offset` */
} ir_storage;

typedef struct ir_tensor {
    char *name;
    ir_dtype dtype;
    ir_shape shape;
    int has_shape;  /* dtype and shape are known */
    void *data;     /* constant value, numel * dtype size bytes, or NULL */
    int producer;   /* index of the producing node, -1 for inputs/constants */
    int input_index;  /* position among graph inputs, or -1 */
    int output_index; /* position among graph outputs, or -1 */
    ir_storage storage;
    int64_t offset;   /* byte offset in the arena or the weights blob */
} ir_tensor;

typedef enum ir_attr_type {
    IR_ATTR_UNDEFINED = 0,
    IR_ATTR_FLOAT = 1,
    IR_ATTR_INT = 2,
    IR_ATTR_STRING = 3,
    IR_ATTR_TENSOR = 4,
    IR_ATTR_GRAPH = 5,
    IR_ATTR_FLOATS = 6,
    IR_ATTR_INTS = 7,
    IR_ATTR_STRINGS = 8,
    IR_ATTR_OTHER = 100 /* sparse tensors, type protos, graph lists: refused by ops */
} ir_attr_type;

/* A value held by an attribute (Constant's `value`, ConstantOfShape's). */
typedef struct ir_value {
    ir_dtype dtype;
    ir_shape shape;
    void *data;
} ir_value;

typedef struct ir_attr {
    char *name;
    ir_attr_type type;
    int64_t i;
    float f;
    char *s;          /* NUL-terminated copy of a STRING attribute */
    int64_t *ints;
    float *floats;
    char **strings;
    int count;        /* elements of ints/floats/strings */
    ir_value *tensor; /* TENSOR attribute */
} ir_attr;

/* Activation fused into a node's output by pass_fuse_activation. */
typedef enum ir_act {
    IR_ACT_NONE = 0,
    IR_ACT_RELU,
    IR_ACT_CLIP /* min(max(x, act_min), act_max) */
} ir_act;

/* How a layer with constant weights runs them (pass_sparsify). */
typedef enum ir_sparse {
    IR_SPARSE_NONE = 0, /* dense kernel */
    IR_SPARSE_COMPACT,  /* nonzeros in per-row arrays (values, column indices) */
    IR_SPARSE_UNROLLED  /* nonzeros baked into straight-line code */
} ir_sparse;

typedef struct ir_node {
    char *name;
    char *op;     /* op_type */
    char *domain; /* "" for ai.onnx */
    int *inputs;  /* tensor indices; -1 marks an absent optional input */
    int n_inputs;
    int *outputs; /* tensor indices; -1 marks an absent optional output */
    int n_outputs;
    ir_attr *attrs;
    int n_attrs;
    int dead;     /* removed by a pass; compacted away by ir_graph_compact */
    ir_act act;
    float act_min, act_max;
    int kernel;              /* op-specific kernel variant chosen by the passes */
    int64_t scratch_bytes;   /* arena scratch the kernel needs while it runs */
    int64_t scratch_offset;  /* where the planner put it */
    /* Sparsity, set by pass_sparsify for Conv/Gemm/MatMul with constant
     * weights (weight_count 0 for every other node). */
    int64_t weight_count;     /* elements of the weight tensor */
    int64_t weight_nonzeros;  /* of which nonzero */
    ir_sparse sparse;         /* kernel form chosen for the weights */
    int64_t code_bytes;       /* cost model's estimate of the kernel's machine
                                 code with baked constants (unrolled kernels) */
    int skip_zero_inputs;     /* sparse one-row products: skip zero inputs */
    int64_t weight_bytes;     /* bytes of weight data the kernel reads (dense:
                                 the tensor; compact: values, indices, rows) */
    /* Input index of a residual operand added before the activation
     * (pass_fuse_residual): y = act(op(x) + inputs[residual]). 0: none. */
    int residual;
    /* Gemm/MatMul only (pass_layout): input 0 arrives transposed (its last
     * two axes swapped) and output 0 leaves transposed. */
    int transposed;
} ir_node;

typedef struct ir_graph {
    char *name;
    ir_tensor *tensors;
    int n_tensors, cap_tensors;
    ir_node *nodes;
    int n_nodes, cap_nodes;
    int *inputs; /* graph inputs in ONNX order (initializers excluded) */
    int n_inputs;
    int *outputs; /* graph outputs in ONNX order */
    int n_outputs;
    int64_t opset;       /* version of the default (ai.onnx) domain */
    int64_t arena_bytes; /* set by the memory planner */
    int64_t weights_bytes; /* set by the memory planner */
} ir_graph;

ir_graph *ir_graph_new(void);
void ir_graph_free(ir_graph *g);

/* Adds a tensor and returns its index (or -1 when out of memory). */
int ir_graph_add_tensor(ir_graph *g, const char *name);
/* Index of the tensor with this name, or -1. Linear search: use at load time only. */
int ir_graph_find_tensor(const ir_graph *g, const char *name);
/* Adds a node with room for the given inputs/outputs (filled with -1). */
int ir_graph_add_node(ir_graph *g, const char *name, const char *op, const char *domain,
                      int n_inputs, int n_outputs);
/* Drops dead nodes, keeps order, recomputes producers. */
void ir_graph_compact(ir_graph *g);
/* Sorts nodes topologically (stable for already sorted graphs). Fails with a
 * message on cycles or on inputs that nothing produces. */
int ir_graph_toposort(ir_graph *g, diag *d);
/* Recomputes ir_tensor.producer from the node list. */
void ir_graph_link(ir_graph *g);
/* Number of live nodes reading each tensor (graph outputs not counted), in
 * one sweep: an array of n_tensors counts (free with free()), or NULL when
 * out of memory. One sweep keeps passes linear on long graphs. */
int *ir_graph_use_counts(const ir_graph *g);

/* Sets a tensor's type and shape (has_shape = 1). */
void ir_tensor_set_type(ir_tensor *t, ir_dtype dtype, const ir_shape *shape);
/* Same, and makes it a constant with fresh zeroed storage (old data freed).
 * Returns -1 when out of memory. */
int ir_tensor_set_const(ir_tensor *t, ir_dtype dtype, const ir_shape *shape);
int64_t ir_tensor_numel(const ir_tensor *t);
size_t ir_tensor_bytes(const ir_tensor *t);

/* Attribute lookup; NULL when absent. */
const ir_attr *ir_node_attr(const ir_node *n, const char *name);
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt);
float ir_attr_float(const ir_node *n, const char *name, float dflt);
const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt);

/* Input tensor i of node n, or NULL when absent. */
ir_tensor *ir_node_in(ir_graph *g, const ir_node *n, int i);
ir_tensor *ir_node_out(ir_graph *g, const ir_node *n, int i);
/* Inputs pass_sparsify appends to a sparse node (its weights' encoding;
 * passes/ops/sparse.h), before any residual operand. */
#define IR_SPARSE_INPUTS 4
/* 0 for the inputs that n's kernel does not read at run time: the dense
 * weights and bias of a sparse node (inputs 1 up to the appended ones),
 * which the encoding replaces (they stay inputs for the node's geometry),
 * and the encoding too when the kernel has it unrolled into its code. */
int ir_node_reads_input(const ir_node *n, int i);
/* Appends tensor t to n's inputs; -1 when out of memory. */
int ir_node_append_input(ir_node *n, int t);

/* 1 when every present input of n has constant data. */
int ir_node_inputs_const(const ir_graph *g, const ir_node *n);

/* Reads element i of a constant tensor of any integer/bool/float type as int64
 * or double (for shape-like inputs and attribute tensors). */
int64_t ir_data_get_int(ir_dtype t, const void *data, int64_t i);
double ir_data_get_double(ir_dtype t, const void *data, int64_t i);
void ir_data_set_double(ir_dtype t, void *data, int64_t i, double v);
void ir_data_set_int(ir_dtype t, void *data, int64_t i, int64_t v);

/* Checked allocation helpers for the compiler (never for generated code). */
void *ir_alloc(size_t n);   /* calloc; NULL on overflow/failure */
char *ir_strdup(const char *s);

#endif
