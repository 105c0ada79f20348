/* Element-wise emitters: what the files of the family share.
 * emit_elementwise.c writes the loops over the output (flat, or nested with
 * broadcast strides baked in) and loads each operand into a local v<k>;
 * emit_elementwise_ops.c writes, per operator, the statements that compute
 * the result r from v0, v1, ...; emit_elementwise_conv.c holds the type
 * conversions (16-bit floats, saturating float-to-integer) and literals. */
#ifndef SCNNC_EMIT_ELEMENTWISE_H
#define SCNNC_EMIT_ELEMENTWISE_H

#include "../emit.h"

#define EW_MAX_OPERANDS 32

/* Helper functions a kernel calls, written before it as ew<node>_<name>. */
enum {
    EW_HELP_H2F = 1,  /* float16 bits -> float */
    EW_HELP_BF2F = 2, /* bfloat16 bits -> float */
    EW_HELP_D2H = 4,  /* double -> float16 bits, rounded once */
    EW_HELP_D2BF = 8, /* double -> bfloat16 bits (float32's upper half) */
    EW_HELP_IPOW = 16 /* int64 power by squaring */
};

/* One node being emitted, as the operator's body writer sees it. */
typedef struct ew_site {
    const ir_graph *g;
    const ir_node *n;
    int n_ops;                        /* operands are inputs 0..n_ops-1 */
    int present[EW_MAX_OPERANDS];     /* operand k exists (optional inputs may not) */
    ir_dtype in_dt[EW_MAX_OPERANDS];  /* its element type */
    ir_dtype dom;                     /* element type of the data operands */
    ir_dtype out_dt;
    const char *rt;                   /* C type of the result r */
    const char *ct;                   /* C type the data operands are loaded as */
    const char *ind;                  /* indentation of the loop body */
    int id;                           /* node index, names the helpers */
} ew_site;

/* Writes statements (each line starting with s->ind) that define r. */
typedef void (*ew_body_fn)(cg_buf *b, const ew_site *s);

typedef struct ew_emitter {
    const char *op;
    /* Templates for float (incl. 16-bit), signed, unsigned and bool data:
     * lines defining r, with $0..$9 the operands v0..v9, $T the result type,
     * $C the operands' type, $F "f" when they are float ("" for double, to
     * pick expf or exp), $W the integer type that wraps without overflow,
     * $A $B $G the float attributes below as literals of type $C. */
    const char *tf, *ts, *tu, *tb;
    ew_body_fn body; /* instead of the templates */
    const char *attr[3];
    float dflt[3];
    int operands; /* operands among the inputs; 0: all of them */
} ew_emitter;

const ew_emitter *ew_emitter_find(const char *op);
/* Writes the body for s; -1 when the operator has no code for its types. */
int ew_write_body(cg_buf *b, const ew_site *s, const ew_emitter *e);
/* EW_HELP_* functions the body calls (beyond the loads and stores). */
unsigned ew_body_helpers(const ew_site *s);

/* The C type an element of t is computed in: float for the 16-bit floats,
 * uint8_t for bool, its storage type otherwise. */
const char *ew_compute_type(ir_dtype t);
int ew_is_floating(ir_dtype t); /* float32/64 and the 16-bit floats */
/* Writes a literal of C type ct ("float", "double", integer types) holding v,
 * parenthesised when negative so that it can follow any operator. */
void ew_literal(cg_buf *b, const char *ct, double v);
/* Writes element 0 of integer or bool data of type t as a C literal. */
void ew_int_literal(cg_buf *b, ir_dtype t, const void *data);
/* Writes the conversion of the float/double expression v to integer type
 * `to`: truncation toward zero, saturating at the type's range, NaN -> 0. */
void ew_saturate(cg_buf *b, ir_dtype to, const char *ct, const char *v);
/* Writes the helper functions in `helpers` for node id. */
void ew_write_helpers(cg_buf *b, int id, unsigned helpers);

#endif
