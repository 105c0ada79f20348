/* IR → ONNX: writes a graph back as an ONNX model (--save-onnx), so that
 * other runtimes can run exactly the model scnnc compiled. */
#ifndef SCNNC_ONNX_EXPORT_H
#define SCNNC_ONNX_EXPORT_H

#include "../ir/ir.h"

/* Serialises g (any stage: fused activations and residuals are written
 * back as Relu/Clip/Add nodes) as an ONNX ModelProto into *out (free with
 * free()), the same bytes for the same graph. Graph inputs and outputs
 * keep their names; other tensors are renamed only where names collide.
 * Every tensor needs a known type where ONNX wants one (graph inputs and
 * outputs), so shape inference must have run. -1 with a message when it
 * cannot: nodes of other domains than ai.onnx, transposed layouts (only
 * after lowering), graph-valued attributes. */
int onnx_export(const ir_graph *g, unsigned char **out, size_t *len, diag *d);

#endif
