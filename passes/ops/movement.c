/* Movement operators that rearrange whole blocks: Transpose, Concat, Split,
 * Tile, DepthToSpace, SpaceToDepth. Each has an infer (validation and
 * shapes) and a copy-plan builder used by eval and by the emitter. The family
 * table at the end also lists Slice, Pad, Gather and GatherElements, which
 * live in movement_slice.c and movement_gather.c. */
#include <string.h>

#include "movement.h"

/* Most outputs a Split may have. */
#define MAX_SPLIT 256

static int oom(const ir_node *n, diag *d) { return diag_node(d, n->name, n->op, "out of memory"); }

/* ---- Transpose ---------------------------------------------------------- */

int mv_transpose_perm(const ir_node *n, int r, int *perm, diag *d)
{
    int64_t v[IR_MAX_RANK];
    int count = mv_attr_ints(n, "perm", v, IR_MAX_RANK, d);
    if (count == -1)
        return -1;
    if (count == -2) { /* default: reverse the axes */
        for (int k = 0; k < r; k++)
            perm[k] = r - 1 - k;
        return 0;
    }
    if (count != r)
        return diag_node(d, n->name, n->op, "perm has %d values for an input of rank %d", count,
                         r);
    int seen[IR_MAX_RANK] = {0};
    for (int k = 0; k < r; k++) {
        if (v[k] < 0 || v[k] >= r || seen[v[k]])
            return diag_node(d, n->name, n->op, "perm is not a permutation of 0..%d", r - 1);
        seen[v[k]] = 1;
        perm[k] = (int)v[k];
    }
    return 0;
}

static int infer_transpose(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"perm", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int perm[IR_MAX_RANK];
    if (mv_check_dtype(n, x, d) || mv_transpose_perm(n, mv_in(g, n, 0)->shape.rank, perm, d))
        return -1;
    ir_shape s = {.rank = x->shape.rank};
    for (int k = 0; k < s.rank; k++)
        s.dims[k] = x->shape.dims[perm[k]];
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

int mv_plan_transpose(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int perm[IR_MAX_RANK];
    int64_t is[IR_MAX_RANK], dims[IR_MAX_RANK], ss[IR_MAX_RANK];
    if (mv_transpose_perm(n, mv_in(g, n, 0)->shape.rank, perm, d))
        return -1;
    mv_strides(&x->shape, is);
    for (int k = 0; k < x->shape.rank; k++) {
        dims[k] = x->shape.dims[perm[k]];
        ss[k] = is[perm[k]];
    }
    if (mv_plan_view(p, 0, 0, x->shape.rank, dims, ss, 0))
        return oom(n, d);
    return 0;
}

/* ---- Concat -------------------------------------------------------------- */

static int concat_axis(const ir_graph *g, const ir_node *n, int *axis, diag *d)
{
    const ir_attr *a = ir_node_attr(n, "axis");
    /* Concat-1 defaults to axis 1; from opset 4 the attribute is required. */
    if (!a && g->opset >= 4)
        return diag_node(d, n->name, n->op, "attribute 'axis' is required");
    int rank = mv_in(g, n, 0)->shape.rank;
    *axis = op_axis(a ? a->i : 1, rank);
    if (*axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)(a ? a->i : 1), rank);
    return 0;
}

static int infer_concat(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", NULL};
    if (n->n_inputs < 1)
        return diag_node(d, n->name, n->op, "needs at least one input");
    for (int i = 0; i < n->n_inputs; i++)
        if (op_need_input(g, n, i, d))
            return -1;
    int axis;
    if (op_known_attrs(n, attrs, d) || concat_axis(g, n, &axis, d))
        return -1;
    const ir_tensor *x0 = ir_node_in(g, n, 0);
    if (mv_check_dtype(n, x0, d))
        return -1;
    ir_shape s = x0->shape;
    s.dims[axis] = 0;
    for (int i = 0; i < n->n_inputs; i++) {
        const ir_tensor *x = ir_node_in(g, n, i);
        if (x->dtype != x0->dtype)
            return diag_node(d, n->name, n->op, "inputs have different element types (%s, %s)",
                             ir_dtype_name(x0->dtype), ir_dtype_name(x->dtype));
        int same = x->shape.rank == s.rank;
        for (int k = 0; k < s.rank && same; k++)
            same = k == axis || x->shape.dims[k] == s.dims[k];
        if (!same) {
            char a[96], b[96];
            return diag_node(d, n->name, n->op,
                             "input shapes %s and %s differ outside the concatenation axis %d",
                             ir_shape_str(&x0->shape, a, sizeof a),
                             ir_shape_str(&x->shape, b, sizeof b), axis);
        }
        s.dims[axis] += x->shape.dims[axis];
    }
    op_set_output(g, n, 0, x0->dtype, &s);
    return 0;
}

/* Elements before and after an axis: a tensor is [outer, dim, inner]. */
static void split_at(const ir_shape *s, int axis, int64_t *outer, int64_t *inner)
{
    *outer = *inner = 1;
    for (int k = 0; k < axis; k++)
        *outer *= s->dims[k];
    for (int k = axis + 1; k < s->rank; k++)
        *inner *= s->dims[k];
}

/* Input i becomes a [outer, d_i * inner] block at column offset*inner. */
int mv_plan_concat(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    int axis;
    if (concat_axis(g, n, &axis, d))
        return -1;
    const ir_tensor *y = mv_out(g, n, 0);
    int64_t outer, inner, total = y->shape.dims[axis], offset = 0;
    split_at(&y->shape, axis, &outer, &inner);
    for (int i = 0; i < n->n_inputs; i++) {
        int64_t di = mv_in(g, n, i)->shape.dims[axis];
        mv_copy *c = mv_plan_add(p, i, 0);
        if (!c)
            return oom(n, d);
        mv_copy_axis(c, outer, di * inner, total * inner);
        mv_copy_axis(c, di * inner, 1, 1);
        c->dbase = offset * inner;
        offset += di;
    }
    return 0;
}

/* ---- Split --------------------------------------------------------------- */

static int split_sizes(const ir_graph *g, const ir_node *n, int *axis, int64_t *sizes, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int64_t a = ir_attr_int(n, "axis", 0);
    *axis = op_axis(a, x->shape.rank);
    if (*axis < 0)
        return diag_node(d, n->name, n->op, "axis %lld is out of range for rank %d",
                         (long long)a, x->shape.rank);
    int64_t dim = x->shape.dims[*axis], given[MAX_SPLIT];
    int outs = n->n_outputs, max = (int)(sizeof given / sizeof given[0]);
    if (outs < 1 || outs > max)
        return diag_node(d, n->name, n->op, "needs between 1 and %d outputs", max);
    /* Split-1 and Split-13+ take the sizes as input 1; Split-2..11 as an attribute. */
    int count = mv_const_ints(g, n, 1, "split", given, max, d);
    if (count == -2)
        count = mv_attr_ints(n, "split", given, max, d);
    if (count == -1)
        return -1;
    if (count >= 0) {
        int64_t sum = 0;
        if (count != outs)
            return diag_node(d, n->name, n->op, "split has %d sizes for %d outputs", count, outs);
        for (int k = 0; k < count; k++) {
            if (given[k] < 0 || given[k] > dim)
                return diag_node(d, n->name, n->op, "split size %lld is out of range",
                                 (long long)given[k]);
            sizes[k] = given[k];
            sum += given[k];
        }
        if (sum != dim)
            return diag_node(d, n->name, n->op, "split sizes add up to %lld, the axis has %lld",
                             (long long)sum, (long long)dim);
        return 0;
    }
    const ir_attr *num = ir_node_attr(n, "num_outputs");
    if (num && num->i != outs)
        return diag_node(d, n->name, n->op, "num_outputs is %lld but the node has %d outputs",
                         (long long)num->i, outs);
    /* Opset 18's num_outputs allows a smaller last chunk; before, equal parts only. */
    int64_t chunk = num ? (dim + outs - 1) / outs : dim / outs;
    if ((!num && dim % outs) || dim - chunk * (outs - 1) < 0)
        return diag_node(d, n->name, n->op, "an axis of %lld cannot be split into %d parts",
                         (long long)dim, outs);
    for (int k = 0; k < outs; k++)
        sizes[k] = k < outs - 1 ? chunk : dim - chunk * (outs - 1);
    return 0;
}

static int infer_split(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"axis", "split", "num_outputs", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int axis;
    int64_t sizes[MAX_SPLIT];
    if (mv_check_dtype(n, x, d) || split_sizes(g, n, &axis, sizes, d))
        return -1;
    for (int k = 0; k < n->n_outputs; k++) {
        ir_shape s = x->shape;
        s.dims[axis] = sizes[k];
        op_set_output(g, n, k, x->dtype, &s);
    }
    return 0;
}

int mv_plan_split(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    int axis;
    int64_t sizes[MAX_SPLIT], outer, inner, offset = 0;
    if (split_sizes(g, n, &axis, sizes, d))
        return -1;
    const ir_tensor *x = mv_in(g, n, 0);
    int64_t total = x->shape.dims[axis];
    split_at(&x->shape, axis, &outer, &inner);
    for (int k = 0; k < n->n_outputs; k++) {
        if (n->outputs[k] >= 0) {
            int64_t dims[2] = {outer, sizes[k] * inner}, ss[2] = {total * inner, 1};
            if (mv_plan_view(p, 0, k, 2, dims, ss, offset * inner))
                return oom(n, d);
        }
        offset += sizes[k];
    }
    return 0;
}

/* ---- Tile ---------------------------------------------------------------- */

static int tile_repeats(const ir_graph *g, const ir_node *n, int64_t *reps, diag *d)
{
    int r = mv_in(g, n, 0)->shape.rank;
    int count = mv_const_ints(g, n, 1, "repeats", reps, IR_MAX_RANK, d);
    if (count == -2)
        return diag_node(d, n->name, n->op, "input 'repeats' is missing");
    if (count < 0)
        return -1;
    if (count != r)
        return diag_node(d, n->name, n->op, "repeats has %d values for an input of rank %d",
                         count, r);
    for (int k = 0; k < r; k++)
        if (reps[k] < 0)
            return diag_node(d, n->name, n->op, "repeat count %lld is negative",
                             (long long)reps[k]);
    return 0;
}

static int infer_tile(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {NULL};
    if (g->opset < 6)
        return diag_node(d, n->name, n->op, "Tile-1 (tiles and axis inputs) is not supported");
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int64_t reps[IR_MAX_RANK];
    if (mv_check_dtype(n, x, d) || tile_repeats(g, n, reps, d))
        return -1;
    ir_shape s = x->shape;
    for (int k = 0; k < s.rank; k++) {
        /* The repeat counts come from the model: check before multiplying. */
        if (reps[k] > MV_MAX_NUMEL || (reps[k] && s.dims[k] > MV_MAX_NUMEL / reps[k]))
            return diag_node(d, n->name, n->op, "the output would be too large");
        s.dims[k] *= reps[k];
    }
    if (mv_check_shape(n, &s, d))
        return -1;
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Output axis k of size reps*dim is walked as two axes (repeat, dim); the
 * repeat axis has source stride 0. */
int mv_plan_tile(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int64_t reps[IR_MAX_RANK], is[IR_MAX_RANK], dims[MV_MAX_DIMS], ss[MV_MAX_DIMS];
    if (tile_repeats(g, n, reps, d))
        return -1;
    mv_strides(&x->shape, is);
    for (int k = 0; k < x->shape.rank; k++) {
        dims[2 * k] = reps[k];
        ss[2 * k] = 0;
        dims[2 * k + 1] = x->shape.dims[k];
        ss[2 * k + 1] = is[k];
    }
    if (mv_plan_view(p, 0, 0, 2 * x->shape.rank, dims, ss, 0))
        return oom(n, d);
    return 0;
}

/* ---- DepthToSpace / SpaceToDepth ------------------------------------------ */

/* Block size and whether channels are ordered column-row-depth (CRD) rather
 * than depth-column-row (DCR, the default and SpaceToDepth's order). */
static int space_depth_params(const ir_graph *g, const ir_node *n, int64_t *b, int *crd, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    const char *mode = ir_attr_string(n, "mode", "DCR");
    *b = ir_attr_int(n, "blocksize", 0);
    *crd = strcmp(mode, "CRD") == 0;
    if (x->shape.rank != 4)
        return diag_node(d, n->name, n->op, "input must have rank 4 (NCHW), not %d",
                         x->shape.rank);
    if (!ir_node_attr(n, "blocksize") || *b < 1)
        return diag_node(d, n->name, n->op, "attribute 'blocksize' must be a positive integer");
    if (!*crd && strcmp(mode, "DCR") != 0)
        return diag_node(d, n->name, n->op, "mode '%s' is not supported (DCR or CRD)", mode);
    const int64_t *s = x->shape.dims;
    if (strcmp(n->op, "DepthToSpace") == 0) {
        if (*b > s[1] || s[1] % (*b * *b))
            return diag_node(d, n->name, n->op, "%lld channels are not a multiple of %lld",
                             (long long)s[1], (long long)(*b * *b));
        return 0;
    }
    if (ir_node_attr(n, "mode"))
        return diag_node(d, n->name, n->op, "attribute 'mode' is not supported");
    if (s[2] % *b || s[3] % *b)
        return diag_node(d, n->name, n->op,
                         "height %lld and width %lld must be multiples of the block size %lld",
                         (long long)s[2], (long long)s[3], (long long)*b);
    return 0;
}

static int infer_space_depth(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"blocksize", "mode", NULL};
    if (op_need_input(g, n, 0, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    int64_t b;
    int crd;
    if (mv_check_dtype(n, x, d) || space_depth_params(g, n, &b, &crd, d))
        return -1;
    ir_shape s = x->shape;
    if (strcmp(n->op, "DepthToSpace") == 0) {
        s.dims[1] /= b * b;
        s.dims[2] *= b;
        s.dims[3] *= b;
    } else {
        s.dims[1] *= b * b;
        s.dims[2] /= b;
        s.dims[3] /= b;
    }
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}

/* Both are a reshape to 6-D, a transpose and a reshape back: the output is
 * walked in its 6-D form with the matching input strides. */
int mv_plan_space_depth(const ir_graph *g, const ir_node *n, mv_plan *p, diag *d)
{
    const ir_tensor *x = mv_in(g, n, 0);
    int64_t b;
    int crd;
    if (space_depth_params(g, n, &b, &crd, d))
        return -1;
    int64_t N = x->shape.dims[0], C = x->shape.dims[1], H = x->shape.dims[2],
            W = x->shape.dims[3], HW = H * W;
    if (strcmp(n->op, "DepthToSpace") == 0) {
        /* output [N, C', H, b1, W, b2]; input channel is b1*b*C' + b2*C' + c'
         * (DCR) or c'*b*b + b1*b + b2 (CRD) */
        int64_t Co = C / (b * b);
        int64_t dims[6] = {N, Co, H, b, W, b};
        int64_t dcr[6] = {C * HW, HW, W, b * Co * HW, 1, Co * HW};
        int64_t crd_s[6] = {C * HW, b * b * HW, W, b * HW, 1, HW};
        if (mv_plan_view(p, 0, 0, 6, dims, crd ? crd_s : dcr, 0))
            return oom(n, d);
    } else {
        /* output [N, b1, b2, C, H/b, W/b] reads input [n, c, h*b + b1, w*b + b2] */
        int64_t dims[6] = {N, b, b, C, H / b, W / b};
        int64_t ss[6] = {C * HW, W, 1, HW, b * W, b};
        if (mv_plan_view(p, 0, 0, 6, dims, ss, 0))
            return oom(n, d);
    }
    return 0;
}

const op_handler op_family_movement[] = {
    {.op = "Transpose", .infer = infer_transpose, .eval = mv_eval_plan},
    {.op = "Concat", .infer = infer_concat, .eval = mv_eval_plan},
    {.op = "Split", .infer = infer_split, .eval = mv_eval_plan},
    {.op = "Slice", .infer = mv_infer_slice, .eval = mv_eval_plan},
    {.op = "Pad", .infer = mv_infer_pad, .eval = mv_eval_plan},
    {.op = "Tile", .infer = infer_tile, .eval = mv_eval_plan},
    {.op = "DepthToSpace", .infer = infer_space_depth, .eval = mv_eval_plan},
    {.op = "SpaceToDepth", .infer = infer_space_depth, .eval = mv_eval_plan},
    {.op = "Gather", .infer = mv_infer_gather, .eval = mv_eval_gather},
    {.op = "GatherElements", .infer = mv_infer_gather_elements, .eval = mv_eval_gather_elements},
    {.op = NULL},
};
