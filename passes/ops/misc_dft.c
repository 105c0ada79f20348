/* DFT and STFT (opsets 17+). DFT: the discrete Fourier transform of input [..., 1 or 2]
 * (real, or complex as real/imaginary pairs) along one signal axis, into
 * complex pairs. dft_length, when given, must be a constant (it is the
 * output's extent): the signal is cut or padded with zeros to it. The axis
 * is an attribute before opset 20 and a constant input since. onesided
 * keeps the first floor(n/2) + 1 frequencies (real forward transforms). */
#include <string.h>

#include "misc.h"

int misc_dft_params(const ir_graph *g, const ir_node *n, misc_dft *p, diag *d)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    int rank = x->shape.rank;
    int64_t axis = -2;
    if (g->opset < 20) {
        axis = ir_attr_int(n, "axis", 1);
    } else if (n->n_inputs > 2 && n->inputs[2] >= 0) {
        int rc = misc_scalar_int(g, n, 2, "axis", &axis, d);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return diag_node(d, n->name, n->op, "the axis input must be known at compile time");
    }
    p->axis = op_axis(axis, rank);
    if (p->axis < 0 || p->axis == rank - 1)
        return diag_node(d, n->name, n->op, "axis %lld is not a signal axis of rank %d",
                         (long long)axis, rank);
    p->in_len = x->shape.dims[p->axis];
    p->n = p->in_len;
    if (n->n_inputs > 1 && n->inputs[1] >= 0) {
        int64_t len;
        int rc = misc_scalar_int(g, n, 1, "dft_length", &len, d);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return diag_node(d, n->name, n->op, "dft_length must be known at compile time: it "
                             "is the output's extent (it is computed at run time)");
        if (len < 1 || len > MISC_DFT_MAX)
            return diag_node(d, n->name, n->op, "dft_length %lld is out of range",
                             (long long)len);
        p->n = len;
    }
    if (p->n > MISC_DFT_MAX)
        return diag_node(d, n->name, n->op, "a %lld-point transform is too long for the direct "
                         "DFT (at most %d points)", (long long)p->n, MISC_DFT_MAX);
    p->complex_in = x->shape.dims[rank - 1] == 2;
    p->inverse = (int)ir_attr_int(n, "inverse", 0);
    p->onesided = (int)ir_attr_int(n, "onesided", 0);
    p->out_len = p->onesided ? p->n / 2 + 1 : p->n;
    return 0;
}

int misc_infer_dft(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs17[] = {"axis", "inverse", "onesided", NULL};
    static const char *const attrs20[] = {"inverse", "onesided", NULL};
    int flag;
    misc_dft p;
    if (g->opset < 17)
        return diag_node(d, n->name, n->op, "needs opset 17 or later");
    if (misc_need_io(g, n, 1, g->opset < 20 ? 2 : 3, d) ||
        op_known_attrs(n, g->opset < 20 ? attrs17 : attrs20, d) ||
        misc_flag(n, "inverse", 0, &flag, d) || misc_flag(n, "onesided", 0, &flag, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    int rank = x->shape.rank;
    if (rank < 2 || (x->shape.dims[rank - 1] != 1 && x->shape.dims[rank - 1] != 2))
        return diag_node(d, n->name, n->op, "the input must end in an axis of 1 (real) or 2 "
                         "(complex)");
    if (misc_dft_params(g, n, &p, d))
        return -1;
    if (p.onesided && (p.complex_in || p.inverse))
        return diag_node(d, n->name, n->op, "onesided needs a real forward transform");
    ir_shape s = x->shape;
    s.dims[p.axis] = p.out_len;
    s.dims[rank - 1] = 2;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* ---- STFT (opset 17): a DFT of each window-weighted frame ------------------------- */

int misc_stft_params(const ir_graph *g, const ir_node *n, misc_stft *p, diag *d)
{
    const ir_tensor *x = &g->tensors[n->inputs[0]];
    const ir_tensor *w = n->n_inputs > 2 && n->inputs[2] >= 0 ? &g->tensors[n->inputs[2]] : NULL;
    int64_t step, len = -1;
    int rc = misc_scalar_int(g, n, 1, "frame_step", &step, d);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return diag_node(d, n->name, n->op, "frame_step must be known at compile time: the "
                         "frame count depends on it (it is computed at run time)");
    if (n->n_inputs > 3 && n->inputs[3] >= 0) {
        rc = misc_scalar_int(g, n, 3, "frame_length", &len, d);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return diag_node(d, n->name, n->op, "frame_length must be known at compile time");
    }
    if (w) {
        if (w->shape.rank != 1 || w->dtype != x->dtype)
            return diag_node(d, n->name, n->op, "the window must be 1-D of the signal's type");
        if (len >= 0 && len != w->shape.dims[0])
            return diag_node(d, n->name, n->op, "frame_length %lld differs from the window's "
                             "length %lld", (long long)len, (long long)w->shape.dims[0]);
        len = w->shape.dims[0];
    }
    if (len < 0)
        return diag_node(d, n->name, n->op, "needs a window or frame_length");
    p->signal = x->shape.dims[1];
    p->step = step;
    p->len = len;
    p->complex_in = x->shape.dims[2] == 2;
    p->onesided = (int)ir_attr_int(n, "onesided", 1);
    if (step < 1 || len < 1 || len > p->signal || len > MISC_DFT_MAX)
        return diag_node(d, n->name, n->op, "frame_step %lld and frame_length %lld do not fit a "
                         "signal of %lld (at most %d points per frame)", (long long)step,
                         (long long)len, (long long)p->signal, MISC_DFT_MAX);
    p->frames = (p->signal - len) / step + 1;
    p->bins = p->onesided ? len / 2 + 1 : len;
    return 0;
}

int misc_infer_stft(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"onesided", NULL};
    int flag;
    misc_stft p;
    if (g->opset < 17)
        return diag_node(d, n->name, n->op, "needs opset 17 or later");
    if (misc_need_io(g, n, 2, 4, d) || op_known_attrs(n, attrs, d) ||
        misc_flag(n, "onesided", 1, &flag, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    if (x->shape.rank != 3 || (x->shape.dims[2] != 1 && x->shape.dims[2] != 2))
        return diag_node(d, n->name, n->op, "the signal must be [batch, length, 1 or 2]");
    if (misc_stft_params(g, n, &p, d))
        return -1;
    if (p.onesided && p.complex_in)
        return diag_node(d, n->name, n->op, "onesided needs a real signal");
    ir_shape s = {.rank = 4, .dims = {x->shape.dims[0], p.frames, p.bins, 2}};
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}
