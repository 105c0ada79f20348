/* Sliding-window geometry that pooling (pool.c), convolution (conv.c) and
 * quantized convolution (quant_conv.c) read alike: the per-axis INTS
 * attributes (kernel_shape, strides, dilations, pads), auto_pad, and the
 * output extent and padding of one spatial axis. One implementation, so
 * that the families agree on every padding rule and refusal. */
#ifndef SCNNC_WINDOW_H
#define SCNNC_WINDOW_H

#include "ops.h"

/* One spatial axis: input and output extent, kernel, stride, dilation and
 * the padding before (pb) and after (pe) it. Output position o reads input
 * positions o*s - pb + j*d for taps j in [0, k). */
typedef struct op_window {
    int64_t in, out, k, s, d, pb, pe;
} op_window;

/* Reads an INTS attribute of exactly `count` values, each in [min, max],
 * or dflt for every value when the attribute is absent. */
int op_ints_attr(const ir_node *n, const char *name, int count, int64_t dflt, int64_t min,
                 int64_t max, int64_t *out, diag *d);

/* The node's auto_pad (NOTSET when absent); NULL, with a message, when it
 * is none of NOTSET, VALID, SAME_UPPER, SAME_LOWER. */
const char *op_auto_pad(const ir_node *n, diag *d);

/* Sets a->out, and a->pb/a->pe for SAME_* (computed) and VALID (zero),
 * from a->in, k, s, d and the explicit pads already in a->pb/a->pe.
 * ceil_mode counts a last partial window (pooling). `what` names the
 * window in the message refusing one larger than the padded input. */
int op_window_extent(const ir_node *n, const char *auto_pad, int ceil_mode, const char *what,
                     op_window *a, diag *d);

#endif
