/* Shared by the code generator's own files. */
#ifndef SCNNC_CODEGEN_INTERNAL_H
#define SCNNC_CODEGEN_INTERNAL_H

#include "emit.h"

/* Writes the weights union (or, with external weights, the blob and the
 * binding function) into c. */
int emit_weights(const ir_graph *g, const codegen_options *o, cg_buf *c, cg_buf *blob, diag *d);
/* The byte image of all planned constants (free with free()). */
int weights_image(const ir_graph *g, unsigned char **out, diag *d);

/* Names of the graph's inputs and outputs as C identifiers, unique. */
typedef struct io_names {
    char (*in)[64];
    char (*out)[64];
} io_names;
int io_names_make(const ir_graph *g, io_names *names, diag *d);
void io_names_free(io_names *names);

/* The comment block that opens both generated files. */
void emit_banner(cg_buf *b, const ir_graph *g, const codegen_options *o, const char *what);

/* The header file; weights_bytes is the size of the blob actually emitted. */
int emit_header(const ir_graph *g, const codegen_options *o, const io_names *names,
                int64_t weights_bytes, cg_buf *h);

#endif
