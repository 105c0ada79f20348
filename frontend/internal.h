/* Shared between the frontend's files; not part of its interface. */
#ifndef SCNNC_FRONTEND_INTERNAL_H
#define SCNNC_FRONTEND_INTERNAL_H

#include "onnx.pb-c.h"
#include "frontend.h"

/* Decodes a TensorProto (raw_data, typed fields or external data) into a
 * freshly allocated value. `what` names it in messages. */
int tensor_proto_decode(const Onnx__TensorProto *tp, const char *base_dir, const char *what,
                        ir_value *out, diag *d);

/* Name → tensor index map used while building the graph. */
typedef struct name_map name_map;
name_map *name_map_new(void);
void name_map_free(name_map *m);
int name_map_get(const name_map *m, const char *name);          /* -1 when absent */
int name_map_put(name_map *m, const char *name, int value);     /* -1 on OOM */

#endif
