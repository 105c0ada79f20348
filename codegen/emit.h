/* What operator emitters see: the context of the node being emitted and
 * helpers that write the common parts. One file per op family under ops/;
 * ops/emit_table.c maps op names to emitters. */
#ifndef SCNNC_EMIT_H
#define SCNNC_EMIT_H

#include "codegen.h"

typedef struct cg_ctx {
    const ir_graph *g;
    const codegen_options *opt;
    cg_buf *kernels; /* static function definitions, file scope */
    cg_buf *body;    /* statements of PREFIX_invoke_ws, in node order */
    int node;        /* index of the node being emitted */
    char fn[96];     /* name of this node's kernel function */
    int *weights_referenced; /* set by cg_ref when code reads the weights blob */
} cg_ctx;

/* Writes the kernel for node n: normally a static function (via
 * cg_kernel_begin/end) and its call, or statements in the body. */
typedef int (*emit_fn)(cg_ctx *c, const ir_node *n, diag *d);

typedef struct emit_handler {
    const char *op;
    emit_fn emit;
} emit_handler;

const emit_handler *emit_find(const char *op);

extern const emit_handler emit_family_elementwise[];
extern const emit_handler emit_family_conv[];
extern const emit_handler emit_family_gemm[];
extern const emit_handler emit_family_pool[];
extern const emit_handler emit_family_reduce[];
extern const emit_handler emit_family_norm[];
extern const emit_handler emit_family_shape[];
extern const emit_handler emit_family_movement[];
extern const emit_handler emit_family_rnn[];
extern const emit_handler emit_family_quant[];
extern const emit_handler emit_family_misc[];

/* Opens "static void <fn>(...)\n{\n" in c->kernels and appends the call to
 * c->body. Parameters, in order: x<i> (const T *) for each present input i
 * that the kernel reads (ir_node_reads_input),
 * y<i> (T *) for each present output i, and `unsigned char *scratch` when
 * n->scratch_bytes > 0. Pointers are restrict unless the memory plan made an
 * output share an input's bytes. Emitters must use or (void) every one. */
void cg_kernel_begin(cg_ctx *c, const ir_node *n);
void cg_kernel_end(cg_ctx *c);

/* Pointer expression for tensor t as seen from the invoke body, e.g.
 * "((float *)(ws + 64))" or "((const float *)inputs[0])". */
const char *cg_ref(const cg_ctx *c, int t, char *buf, size_t size);
/* Member of the weights union that holds elements of type t ("f32", ...). */
const char *cg_weights_member(ir_dtype t);
/* 1 when tensors a and b occupy the same bytes at run time. */
int cg_same_storage(const ir_graph *g, int a, int b);

/* Writes text into a C comment, dropping anything that could end it. */
void cg_comment_text(cg_buf *b, const char *text);

/* Exact C literal for a float ("0x1.8p+1f", "HUGE_VALF", "NAN"). */
void cg_float(cg_buf *b, float v);
void cg_double(cg_buf *b, double v);
/* Writes `static const T name[N] = {...};` with the tensor's constant data
 * (for small values baked into a kernel: indices, shapes, pads). */
void cg_const_array(cg_buf *b, const char *name, const ir_tensor *t);
/* Expression applying n's fused activation to the C expression v, e.g.
 * "(v > 0.0f ? v : 0.0f)". buf receives it. */
const char *cg_act(const ir_node *n, const char *v, char *buf, size_t size);

#endif
