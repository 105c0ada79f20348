/* Builds ONNX models in memory for the tests, through protobuf-c's generated
 * structs: no Python and no files needed. Every allocation belongs to the
 * ob_model and is released by ob_free, so tests can build freely.
 *
 * Name lists are comma-separated strings: "x,w,b". An empty entry (",b")
 * stands for an absent optional input or output. */
#ifndef SCNNC_TEST_ONNX_BUILD_H
#define SCNNC_TEST_ONNX_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

typedef struct ob_model ob_model;

/* A model importing the default (ai.onnx) domain at `opset`. */
ob_model *ob_new(int64_t opset);
void ob_free(ob_model *m);
Onnx__ModelProto *ob_proto(ob_model *m);
Onnx__GraphProto *ob_graph(ob_model *m);

/* Memory owned by the model (zeroed), and a copy of a string. */
void *ob_alloc(ob_model *m, size_t n);
char *ob_str(ob_model *m, const char *s);

/* Graph inputs/outputs with a tensor type. dims[i] < 0 leaves dimension i
 * unset; params (may be NULL) gives symbolic names: params[i] != NULL makes
 * dimension i a dim_param. rank < 0 gives a type without a shape. */
Onnx__ValueInfoProto *ob_input(ob_model *m, const char *name, int dtype, int rank,
                               const int64_t *dims, const char *const *params);
Onnx__ValueInfoProto *ob_output(ob_model *m, const char *name, int dtype, int rank,
                                const int64_t *dims);

/* A node in the main graph. */
Onnx__NodeProto *ob_node(ob_model *m, const char *op, const char *name, const char *inputs,
                         const char *outputs);

/* Attributes on a node. */
Onnx__AttributeProto *ob_attr_int(ob_model *m, Onnx__NodeProto *n, const char *name, int64_t v);
Onnx__AttributeProto *ob_attr_float(ob_model *m, Onnx__NodeProto *n, const char *name, float v);
Onnx__AttributeProto *ob_attr_string(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     const char *v);
Onnx__AttributeProto *ob_attr_ints(ob_model *m, Onnx__NodeProto *n, const char *name,
                                   const int64_t *v, size_t count);
Onnx__AttributeProto *ob_attr_floats(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     const float *v, size_t count);
Onnx__AttributeProto *ob_attr_tensor(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     Onnx__TensorProto *t);
/* An attribute reference inside a function body (ref_attr_name). */
Onnx__AttributeProto *ob_attr_ref(ob_model *m, Onnx__NodeProto *n, const char *name,
                                  const char *ref, int type);

/* A tensor whose bytes (little-endian, numel * element size) go to raw_data. */
Onnx__TensorProto *ob_tensor_raw(ob_model *m, const char *name, int dtype, int rank,
                                 const int64_t *dims, const void *data, size_t bytes);
/* A tensor stored in the typed repeated field ONNX prescribes for dtype
 * (float_data, int32_data, int64_data, double_data, uint64_data), from the
 * element bytes in `data` (16-bit floats travel as bit patterns). */
Onnx__TensorProto *ob_tensor_typed(ob_model *m, const char *name, int dtype, int rank,
                                   const int64_t *dims, const void *data);
/* A tensor stored in an external file: location/offset/length entries
 * (offset or length < 0 leaves the entry out). */
Onnx__TensorProto *ob_tensor_external(ob_model *m, const char *name, int dtype, int rank,
                                      const int64_t *dims, const char *location,
                                      int64_t offset, int64_t length);
void ob_initializer(ob_model *m, Onnx__TensorProto *t);

/* Float32 initializer with raw data, the common case. */
Onnx__TensorProto *ob_init_f32(ob_model *m, const char *name, int rank, const int64_t *dims,
                               const float *data);

/* Model-local functions. */
Onnx__FunctionProto *ob_function(ob_model *m, const char *domain, const char *name,
                                 const char *inputs, const char *outputs, const char *attrs);
Onnx__NodeProto *ob_fn_node(ob_model *m, Onnx__FunctionProto *f, const char *op,
                            const char *name, const char *inputs, const char *outputs);
/* Adds an opset import (domain "" is ai.onnx). */
void ob_opset(ob_model *m, const char *domain, int64_t version);

/* Serialized model (malloc'd; free with free()). */
uint8_t *ob_pack(ob_model *m, size_t *len);
/* Writes the serialized model to path; 0 on success. */
int ob_write(ob_model *m, const char *path);

#endif
