/* ONNX → graph IR. */
#ifndef SCNNC_FRONTEND_H
#define SCNNC_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "../ir/ir.h"

/* A value given on the command line for a symbolic dimension (--dim N=V). */
typedef struct frontend_dim {
    const char *name;
    int64_t value;
} frontend_dim;

typedef struct frontend_options {
    const frontend_dim *dims;
    int n_dims;
} frontend_options;

/* Loads an .onnx file. External-data initializers are read relative to the
 * model's folder. On failure returns -1 with every problem found in d. */
int frontend_load_file(const char *path, const frontend_options *opt, ir_graph **out, diag *d);

/* Same from memory; base_dir is where external data lives (NULL refuses it). */
int frontend_load_buffer(const uint8_t *buf, size_t len, const char *base_dir,
                         const frontend_options *opt, ir_graph **out, diag *d);

/* Reads a serialized TensorProto file (ONNX test data's input_N.pb). */
int frontend_load_tensor_file(const char *path, ir_value *out, diag *d);

#endif
