/* Shared between the frontend's files; not part of its interface. */
#ifndef SCNNC_FRONTEND_INTERNAL_H
#define SCNNC_FRONTEND_INTERNAL_H

#include "onnx.pb-c.h"
#include "../ir/name_map.h"
#include "frontend.h"

/* Decodes a TensorProto (raw_data, typed fields or external data) into a
 * freshly allocated value. `what` names it in messages. */
int tensor_proto_decode(const Onnx__TensorProto *tp, const char *base_dir, const char *what,
                        ir_value *out, diag *d);

#endif
