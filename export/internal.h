/* Shared between the exporter's files; not part of its interface.
 *
 * The ONNX message tree is built in an arena and packed once. Strings and
 * constant data are not copied: the messages point into the graph, which
 * outlives them (packing only reads). */
#ifndef SCNNC_EXPORT_INTERNAL_H
#define SCNNC_EXPORT_INTERNAL_H

#include "onnx.pb-c.h"
#include "../ir/name_map.h"
#include "onnx_export.h"

/* Zeroed allocations freed all at once. */
typedef struct ox_arena ox_arena;
ox_arena *ox_arena_new(void);
void ox_arena_free(ox_arena *a);
void *ox_alloc(ox_arena *a, size_t size);       /* NULL when out of memory */
char *ox_printf(ox_arena *a, const char *fmt, ...) DIAG_PRINTF(2, 3);

/* What the graph's conversion shares between its steps. */
typedef struct ox_ctx {
    const ir_graph *g;
    diag *d;
    ox_arena *arena;
    name_map *taken;      /* the names given out so far */
    const char **names;   /* exported name per tensor; NULL for unused ones */
    const unsigned char *is_output; /* per tensor: 1 for graph outputs */
    Onnx__NodeProto **nodes;
    size_t n_nodes;
    Onnx__TensorProto **inits;
    size_t n_inits;
    Onnx__ValueInfoProto **infos;
    size_t n_infos;
} ox_ctx;

/* A name built from base that no tensor has yet, now taken. NULL when out
 * of memory (reported). */
const char *ox_fresh_name(ox_ctx *c, const char *base);
/* The shared, unowned pointer form that protobuf-c's fields want. */
static inline char *ox_str(const char *s)
{
    return (char *)s;
}

/* A TensorProto holding a copy-free view of data (raw_data, little-endian
 * like every host scnnc runs on). NULL when out of memory (reported). */
Onnx__TensorProto *ox_tensor(ox_ctx *c, const char *name, ir_dtype dtype, const ir_shape *shape,
                             const void *data);
/* A ValueInfoProto with element type and static shape. */
Onnx__ValueInfoProto *ox_value_info(ox_ctx *c, const char *name, ir_dtype dtype,
                                    const ir_shape *shape);
/* Copies node n's attributes into p; -1 with a message for the types
 * ONNX files can hold but the IR keeps no value of (graphs and others). */
int ox_attributes(ox_ctx *c, const ir_node *n, Onnx__NodeProto *p);

/* Appends live node n, with its fused residual and activation written back
 * as Add and Relu/Clip nodes, to c->nodes. */
int ox_node(ox_ctx *c, const ir_node *n);

#endif
