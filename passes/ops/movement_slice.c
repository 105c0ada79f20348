/* Slice and Pad: sub-boxes of a tensor. Both read their bounds from
 * attributes (old opsets) or constant inputs (new ones) and become copy
 * plans (movement.h). */
#include <string.h>

#include "movement.h"

static int oom(const ir_node *n, diag *d) { return diag_node(d, n->name, n->op, "out of memory"); }

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* ---- Slice --------------------------------------------------------------- */

/* First index, step and length of every axis of the output. */
typedef struct slice_box {
    int64_t start[IR_MAX_RANK], step[IR_MAX_RANK], len[IR_MAX_RANK];
} slice_box;

/* ONNX clamping: negative starts/ends count from the end; a positive step
 * clamps both to [0, dim], a negative one start to [0, dim-1] and end to
 * [-1, dim-1]. */
static void slice_axis(int64_t dim, int64_t s, int64_t e, int64_t step, slice_box *b, int a)
{
    int64_t len = 0;
    if (s < 0)
        s += dim;
    if (e < 0)
        e += dim;
    if (dim == 0) {
        s = 0;
    } else if (step > 0) {
        s = clamp(s, 0, dim);
        e = clamp(e, 0, dim);
        len = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
        uint64_t down = (uint64_t)0 - (uint64_t)step; /* |step|, also for INT64_MIN */
        s = clamp(s, 0, dim - 1);
        e = clamp(e, -1, dim - 1);
        len = s > e ? (int64_t)((uint64_t)(s - e - 1) / down) + 1 : 0;
    }
    b->start[a] = s;
    /* A single element needs no step; keeping 1 avoids overflowing strides. */
    b->step[a] = len > 1 ? step : 1;
    b->len[a] = len;
}

static int slice_params(const ir_graph *g, const ir_node *n, slice_box *b, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int r = x->shape.rank, ns, ne, na, nsp;
    int64_t st[IR_MAX_RANK], en[IR_MAX_RANK], ax[IR_MAX_RANK], sp[IR_MAX_RANK];
    if (g->opset < 10) {
        ns = mv_attr_ints(n, "starts", st, IR_MAX_RANK, d);
        ne = mv_attr_ints(n, "ends", en, IR_MAX_RANK, d);
        na = mv_attr_ints(n, "axes", ax, IR_MAX_RANK, d);
        nsp = -2;
    } else {
        ns = mv_const_ints(g, n, 1, "starts", st, IR_MAX_RANK, d);
        ne = mv_const_ints(g, n, 2, "ends", en, IR_MAX_RANK, d);
        na = mv_const_ints(g, n, 3, "axes", ax, IR_MAX_RANK, d);
        nsp = mv_const_ints(g, n, 4, "steps", sp, IR_MAX_RANK, d);
    }
    if (ns == -1 || ne == -1 || na == -1 || nsp == -1)
        return -1;
    if (ns == -2 || ne == -2)
        return diag_node(d, n->name, n->op, "starts and ends are required");
    if (ne != ns || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
        return diag_node(d, n->name, n->op, "starts, ends, axes and steps differ in length");
    if (na == -2 && ns > r)
        return diag_node(d, n->name, n->op, "%d starts for an input of rank %d", ns, r);
    for (int k = 0; k < r; k++) {
        b->start[k] = 0;
        b->step[k] = 1;
        b->len[k] = x->shape.dims[k];
    }
    int used[IR_MAX_RANK] = {0};
    for (int i = 0; i < ns; i++) {
        int a = na >= 0 ? op_axis(ax[i], r) : i;
        int64_t step = nsp >= 0 ? sp[i] : 1;
        if (a < 0 || used[a])
            return diag_node(d, n->name, n->op, "axis %lld is out of range or repeated",
                             (long long)(na >= 0 ? ax[i] : i));
        if (step == 0)
            return diag_node(d, n->name, n->op, "step 0 is not allowed");
        used[a] = 1;
        slice_axis(x->shape.dims[a], st[i], en[i], step, b, a);
    }
    return 0;
}

int mv_infer_slice(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const old_attrs[] = {"starts", "ends", "axes", NULL};
    static const char *const attrs[] = {NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, g->opset < 10 ? old_attrs : attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    slice_box b;
    if (mv_check_dtype(n, x, d) || slice_params(g, n, &b, d))
        return -1;
    ir_shape s = {.rank = x->shape.rank};
    memcpy(s.dims, b.len, sizeof(int64_t) * (size_t)s.rank);
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

int mv_plan_slice(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    slice_box b;
    int64_t is[IR_MAX_RANK], ss[IR_MAX_RANK], base = 0;
    if (slice_params(g, n, &b, d))
        return -1;
    mv_strides(&x->shape, is);
    for (int k = 0; k < x->shape.rank; k++) {
        ss[k] = is[k] * b.step[k];
        base += b.start[k] * is[k];
    }
    if (mv_plan_view(p, 0, 0, x->shape.rank, b.len, ss, base))
        return oom(n, d);
    return 0;
}

/* ---- Pad ----------------------------------------------------------------- */

enum { PAD_CONSTANT, PAD_EDGE, PAD_REFLECT, PAD_WRAP };

typedef struct pad_params {
    int mode;
    int64_t before[IR_MAX_RANK], after[IR_MAX_RANK]; /* negative: crop */
    unsigned char value[8];                          /* constant mode's element */
} pad_params;

static int pad_mode(const ir_node *n, int *mode, diag *d)
{
    static const char *const names[] = {"constant", "edge", "reflect", "wrap"};
    const char *m = ir_attr_string(n, "mode", "constant");
    for (int i = 0; i < 4; i++)
        if (strcmp(m, names[i]) == 0) {
            *mode = i;
            return 0;
        }
    return diag_node(d, n->name, n->op, "mode '%s' is not supported", m);
}

/* Constant mode's value: attribute `value` before opset 11, else input 2. */
static int pad_value(const ir_graph *g, const ir_node *n, pad_params *pp, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0), *v = mv_in(g, n, 2);
    memset(pp->value, 0, sizeof pp->value);
    if (pp->mode != PAD_CONSTANT)
        return 0;
    if (g->opset < 11) {
        ir_data_set_double(x->dtype, pp->value, 0, ir_attr_float(n, "value", 0.0f));
        return 0;
    }
    if (!v)
        return 0;
    if (!v->data)
        return diag_node(d, n->name, n->op,
                         "input '%s' (constant_value) must be known at compile time", v->name);
    if (v->dtype != x->dtype || ir_tensor_numel(v) != 1)
        return diag_node(d, n->name, n->op, "constant_value must be one %s element",
                         ir_dtype_name(x->dtype));
    memcpy(pp->value, v->data, ir_dtype_size(v->dtype));
    return 0;
}

/* Edge, reflect and wrap read the padding from the interior: it must not
 * be empty, and reflect (numpy's single reflection) and wrap cannot produce
 * more than it holds. */
static int pad_check_axis(const ir_node *n, int mode, int64_t dim, int64_t b, int64_t a, diag *d)
{
    static const char *const names[] = {"constant", "edge", "reflect", "wrap"};
    if (mode == PAD_CONSTANT || (b == 0 && a == 0))
        return 0;
    if (b < 0 || a < 0)
        return diag_node(d, n->name, n->op, "negative pads are supported in constant mode only");
    int64_t most = mode == PAD_REFLECT ? dim - 1 : mode == PAD_WRAP ? dim : dim > 0 ? INT64_MAX : 0;
    if (b > most || a > most)
        return diag_node(d, n->name, n->op, "pads %lld/%lld are too large for an axis of %lld in "
                         "%s mode", (long long)b, (long long)a, (long long)dim, names[mode]);
    return 0;
}

static int pad_params_read(const ir_graph *g, const ir_node *n, pad_params *pp, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int r = x->shape.rank, np, na = -2;
    int64_t pads[2 * IR_MAX_RANK], axes[IR_MAX_RANK];
    if (pad_mode(n, &pp->mode, d) || pad_value(g, n, pp, d))
        return -1;
    if (g->opset < 11) {
        np = mv_attr_ints(n, g->opset < 2 ? "paddings" : "pads", pads, 2 * IR_MAX_RANK, d);
    } else {
        np = mv_const_ints(g, n, 1, "pads", pads, 2 * IR_MAX_RANK, d);
        na = mv_const_ints(g, n, 3, "axes", axes, IR_MAX_RANK, d);
    }
    if (np == -1 || na == -1)
        return -1;
    if (np == -2)
        return diag_node(d, n->name, n->op, "pads are required");
    int count = na >= 0 ? na : r;
    if (np != 2 * count)
        return diag_node(d, n->name, n->op, "%d pads for %d axes (need twice as many)", np,
                         count);
    memset(pp->before, 0, sizeof pp->before);
    memset(pp->after, 0, sizeof pp->after);
    int used[IR_MAX_RANK] = {0};
    for (int i = 0; i < count; i++) {
        int a = na >= 0 ? op_axis(axes[i], r) : i;
        if (a < 0 || used[a])
            return diag_node(d, n->name, n->op, "axis %lld is out of range or repeated",
                             (long long)(na >= 0 ? axes[i] : i));
        used[a] = 1;
        if (pads[i] > MV_MAX_NUMEL || pads[i] < -MV_MAX_NUMEL || pads[i + count] > MV_MAX_NUMEL ||
            pads[i + count] < -MV_MAX_NUMEL)
            return diag_node(d, n->name, n->op, "pads %lld/%lld are too large",
                             (long long)pads[i], (long long)pads[i + count]);
        pp->before[a] = pads[i];
        pp->after[a] = pads[i + count];
        int64_t dim = x->shape.dims[a];
        if (dim + pp->before[a] + pp->after[a] < 0 || -pp->before[a] > dim ||
            -pp->after[a] > dim)
            return diag_node(d, n->name, n->op, "pads %lld/%lld crop more than the %lld elements",
                             (long long)pp->before[a], (long long)pp->after[a], (long long)dim);
        if (pad_check_axis(n, pp->mode, dim, pp->before[a], pp->after[a], d))
            return -1;
    }
    return 0;
}

int mv_infer_pad(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const old_attrs[] = {"mode", "pads", "paddings", "value", NULL};
    static const char *const attrs[] = {"mode", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, g->opset < 11 ? old_attrs : attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    pad_params pp;
    if (mv_check_dtype(n, x, d) || pad_params_read(g, n, &pp, d))
        return -1;
    ir_shape s = x->shape;
    for (int k = 0; k < s.rank; k++)
        s.dims[k] += pp.before[k] + pp.after[k];
    if (mv_check_shape(n, &s, d))
        return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Padding of axis k on one side, copied from the output itself. Inner axes
 * are already complete; outer ones are walked over their interior only (the
 * outer padding is written later, from these rows). */
static int pad_side(mv_plan *p, const ir_shape *y, const int64_t *os, const int64_t *pb,
                    const int64_t *len, int k, int after, int mode)
{
    int64_t count = after ? y->dims[k] - pb[k] - len[k] : pb[k];
    if (count == 0)
        return 0;
    mv_copy *c = mv_plan_add(p, MV_SRC_SELF, 0);
    if (!c)
        return -1;
    for (int j = 0; j < y->rank; j++) {
        if (j < k) {
            mv_copy_axis(c, len[j], os[j], os[j]);
            c->sbase += pb[j] * os[j];
            c->dbase += pb[j] * os[j];
        } else if (j > k) {
            mv_copy_axis(c, y->dims[j], os[j], os[j]);
        }
        if (j != k)
            continue;
        /* Source index of the first padded row and its step per row. */
        int64_t first, step;
        if (mode == PAD_EDGE) {
            first = after ? pb[k] + len[k] - 1 : pb[k];
            step = 0;
        } else if (mode == PAD_REFLECT) {
            first = after ? pb[k] + len[k] - 2 : 2 * pb[k];
            step = -1;
        } else { /* wrap */
            first = after ? pb[k] : len[k];
            step = 1;
        }
        mv_copy_axis(c, count, step * os[k], os[k]);
        c->sbase += first * os[k];
        c->dbase += (after ? pb[k] + len[k] : 0) * os[k];
    }
    return 0;
}

/* Constant mode fills the output and copies the (cropped) input into it;
 * the other modes copy the input, then fill the padding axis by axis from
 * the innermost out, each step copying whole rows of the output. */
int mv_plan_pad(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0), *y = mv_out(g, n, 0);
    pad_params pp;
    if (pad_params_read(g, n, &pp, d))
        return -1;
    int r = x->shape.rank;
    int64_t is[IR_MAX_RANK], os[IR_MAX_RANK], pb[IR_MAX_RANK], len[IR_MAX_RANK], inner = 1;
    mv_strides(&x->shape, is);
    mv_strides(&y->shape, os);
    int64_t crop[IR_MAX_RANK];
    for (int k = 0; k < r; k++) {
        crop[k] = pp.before[k] < 0 ? -pp.before[k] : 0;
        pb[k] = pp.before[k] > 0 ? pp.before[k] : 0;
        len[k] = x->shape.dims[k] - crop[k] - (pp.after[k] < 0 ? -pp.after[k] : 0);
        inner *= len[k];
    }
    /* Only cropping: nothing to fill. */
    if (pp.mode == PAD_CONSTANT && inner != ir_tensor_numel(y)) {
        mv_copy *f = mv_plan_add(p, MV_SRC_VALUE, 0);
        if (!f)
            return oom(n, d);
        for (int k = 0; k < r; k++)
            mv_copy_axis(f, y->shape.dims[k], 0, os[k]);
        memcpy(f->value, pp.value, sizeof f->value);
    }
    mv_copy *c = mv_plan_add(p, 0, 0);
    if (!c)
        return oom(n, d);
    for (int k = 0; k < r; k++) {
        mv_copy_axis(c, len[k], is[k], os[k]);
        c->sbase += crop[k] * is[k];
        c->dbase += pb[k] * os[k];
    }
    for (int k = r - 1; k >= 0 && pp.mode != PAD_CONSTANT; k--)
        for (int after = 0; after < 2; after++)
            if (pad_side(p, &y->shape, os, pb, len, k, after, pp.mode))
                return oom(n, d);
    return 0;
}
