/* IR → C text. The code generator reads a planned graph and writes one .c
 * and one .h; it never changes the graph. */
#ifndef SCNNC_CODEGEN_H
#define SCNNC_CODEGEN_H

#include <stddef.h>

#include "../ir/ir.h"

/* Growable text buffer. Allocation failure is sticky (oom) and reported once
 * at the end instead of at every append. */
typedef struct cg_buf {
    char *s;
    size_t len, cap;
    int oom;
} cg_buf;

void cg_buf_free(cg_buf *b);
void cg_printf(cg_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void cg_write(cg_buf *b, const void *data, size_t n);

typedef struct codegen_options {
    const char *prefix;       /* symbol prefix, a valid C identifier */
    const char *command_line; /* recorded in the header comment */
    int external_weights;     /* weights go to a separate blob (--weights-file) */
} codegen_options;

/* Writes the C source, the header and (with external_weights) the weights
 * blob. Refuses (with messages) what it cannot emit. */
int codegen_emit(const ir_graph *g, const codegen_options *o, cg_buf *c_src, cg_buf *h_src,
                 cg_buf *weights_blob, diag *d);

/* Turns any text into a C identifier: [A-Za-z0-9_], not starting with a
 * digit, never empty. upper != 0 gives upper case (for macros). */
void cg_identifier(const char *raw, int upper, char *out, size_t size);

#endif
