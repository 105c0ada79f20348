/* Moves a Transpose T (u -T-> t0) down into the layout-agnostic ops after
 * it, when every way out of them is a Transpose that undoes T. The region
 * is everything reachable from t0 through layout-agnostic ops; afterwards
 * those ops read u and compute on transposed values, and each exit
 * Transpose reads T(value) again, a pair that layout_cancel drops. Chains
 * like bias Add -> Relu and graphs like Gelu's x * (1 + erf(x / c)) / 2
 * qualify. An op is layout-agnostic when it works element by element and
 * its other operands are region values of its own shape or constants that
 * do not depend on the axis order: unary element-wise ops, Cast, Clip with
 * constant bounds, Add/Sub/Mul/Div/Pow with a one-value constant, and
 * Add/Mul with a constant along the last axis, which moves with that axis
 * (into a new constant tensor: the old one may be shared). Nothing moves
 * unless the whole region qualifies and some exit Transpose cancels. */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "ops/elementwise.h"

/* Most ops, exits and operands still to be confirmed in one region; larger
 * regions keep their Transpose. */
#define MAX_REGION 64

/* An op of the region and the input index of a constant along the last
 * axis that has to move with the axes (-1: none). */
typedef struct region_op {
    int node, axis_const;
} region_op;

typedef struct region {
    region_op ops[MAX_REGION];
    int n_ops;
    int exits[MAX_REGION]; /* Transposes undoing T that read region values */
    int n_exits;
    int pending[MAX_REGION]; /* operands that must turn out to be region values */
    int n_pending;
} region;

/* Readers of every tensor: node[start[t] .. start[t + 1]). */
typedef struct readers {
    int *start, *node;
} readers;

static void readers_free(readers *r)
{
    free(r->start);
    free(r->node);
    r->start = r->node = NULL;
}

static int readers_build(const ir_graph *g, readers *r)
{
    int nt = g->n_tensors, edges = 0;
    r->start = calloc((size_t)nt + 2, sizeof(int));
    for (int i = 0; i < g->n_nodes; i++)
        edges += g->nodes[i].n_inputs;
    r->node = malloc(sizeof(int) * (size_t)(edges + 1));
    if (!r->start || !r->node)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (!g->nodes[i].dead && g->nodes[i].inputs[k] >= 0)
                r->start[g->nodes[i].inputs[k] + 2]++;
    for (int t = 0; t < nt; t++)
        r->start[t + 2] += r->start[t + 1];
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (!g->nodes[i].dead && g->nodes[i].inputs[k] >= 0)
                r->node[r->start[g->nodes[i].inputs[k] + 1]++] = i;
    return 0;
}

static int is_op(const ir_node *n, const char *const *ops)
{
    for (; *ops; ops++)
        if (strcmp(n->op, *ops) == 0)
            return 1;
    return 0;
}

/* 1 when every input of n but input 0 is absent or constant (Clip's bounds). */
static int bounds_constant(const ir_graph *g, const ir_node *n)
{
    for (int k = 1; k < n->n_inputs; k++)
        if (n->inputs[k] >= 0 && !g->tensors[n->inputs[k]].data)
            return 0;
    return 1;
}

/* 1 when constant c broadcasts along the last axis of shape s only:
 * [1, ..., 1, N] of no higher rank, N the last dimension of s. */
static int along_last_axis(const ir_tensor *c, const ir_shape *s)
{
    int r = c->shape.rank;
    if (r == 0 || r > s->rank || c->shape.dims[r - 1] != s->dims[s->rank - 1])
        return 0;
    for (int k = 0; k < r - 1; k++)
        if (c->shape.dims[k] != 1)
            return 0;
    return 1;
}

/* Checks an operand of a binary op (output shape s): a region value, a
 * constant that does not depend on the axes, or a value of shape s that
 * must turn out to be in the region (added to rg->pending). */
static int binary_operand(const ir_graph *g, const ir_node *n, int k, const int *in_region,
                          region *rg, region_op *op)
{
    static const char *const axis_ops[] = {"Add", "Mul", NULL};
    int t = n->inputs[k];
    const ir_tensor *x = &g->tensors[t];
    const ir_shape *s = &g->tensors[n->outputs[0]].shape;
    if (in_region[t])
        return ir_shape_equal(&x->shape, s);
    if (x->data) {
        if (ir_tensor_numel(x) == 1 && x->shape.rank <= s->rank)
            return 1;
        if (!is_op(n, axis_ops) || !along_last_axis(x, s))
            return 0;
        op->axis_const = k;
        return 1;
    }
    if (!x->has_shape || !ir_shape_equal(&x->shape, s) || rg->n_pending == MAX_REGION)
        return 0;
    rg->pending[rg->n_pending++] = t;
    return 1;
}

/* 1 when node i, reading region value t, is layout-agnostic (op filled). */
static int agnostic(const ir_graph *g, int i, int t, const int *in_region, region *rg,
                    region_op *op)
{
    static const char *const binary_ops[] = {"Add", "Sub", "Mul", "Div", "Pow", NULL};
    const ir_node *n = &g->nodes[i];
    /* Region values all have t0's shape, so that one permutation fits all. */
    if (n->n_outputs != 1 || n->outputs[0] < 0 || !g->tensors[n->outputs[0]].has_shape ||
        !ir_shape_equal(&g->tensors[n->outputs[0]].shape, &g->tensors[t].shape))
        return 0;
    *op = (region_op){.node = i, .axis_const = -1};
    const ew_op *e = ew_find(n->op);
    if (e && (e->kind == EW_UNARY || (e->kind == EW_CAST && n->n_inputs == 1)))
        return n->inputs[0] == t;
    if (e && e->kind == EW_CLIP)
        return n->inputs[0] == t && bounds_constant(g, n);
    /* Attributes would be opset-6 broadcasting, which depends on the axes. */
    if (!is_op(n, binary_ops) || n->n_inputs != 2 || n->n_attrs != 0 || n->inputs[0] < 0 ||
        n->inputs[1] < 0)
        return 0;
    return binary_operand(g, n, 0, in_region, rg, op) &&
           binary_operand(g, n, 1, in_region, rg, op);
}

static int in_list(const int *list, int n, int v)
{
    for (int k = 0; k < n; k++)
        if (list[k] == v)
            return 1;
    return 0;
}

static int region_has(const region *rg, int node)
{
    for (int k = 0; k < rg->n_ops; k++)
        if (rg->ops[k].node == node)
            return 1;
    return 0;
}

/* Gathers the region after Transpose tr (perm p of the given rank); 1 when
 * it qualifies. in_region: zeroed, one flag per tensor (left set). */
static int find_region(const ir_graph *g, const readers *rd, int tr, const int *p, int rank,
                       int *in_region, region *rg)
{
    int t0 = g->nodes[tr].outputs[0];
    int values[MAX_REGION + 1], n_values = 1, moved_exit = 0;
    values[0] = t0;
    in_region[t0] = 1;
    rg->n_ops = rg->n_exits = rg->n_pending = 0;
    for (int v = 0; v < n_values; v++) {
        int t = values[v];
        if (t != t0 && g->tensors[t].output_index >= 0)
            return 0;
        for (int k = rd->start[t]; k < rd->start[t + 1]; k++) {
            int i = rd->node[k], q[IR_MAX_RANK];
            const ir_node *r = &g->nodes[i];
            if (region_has(rg, i) || in_list(rg->exits, rg->n_exits, i))
                continue;
            if (strcmp(r->op, "Transpose") == 0 && layout_perm(r, rank, q) == 0 &&
                layout_perms_undo(p, q, rank) && g->tensors[r->outputs[0]].output_index < 0) {
                if (rg->n_exits == MAX_REGION)
                    return 0;
                rg->exits[rg->n_exits++] = i;
                moved_exit |= t != t0;
                continue;
            }
            if (rg->n_ops == MAX_REGION || !agnostic(g, i, t, in_region, rg, &rg->ops[rg->n_ops]))
                return 0;
            rg->n_ops++;
            in_region[r->outputs[0]] = 1;
            values[n_values++] = r->outputs[0];
        }
    }
    for (int k = 0; k < rg->n_pending; k++)
        if (!in_region[rg->pending[k]])
            return 0;
    return moved_exit;
}

/* Constant c of shape [1, ..., 1, N] as it broadcasts once the axes are
 * permuted by T (perm p, rank r): N on the axis that becomes the last one,
 * ones after it. Returns the new tensor or -1. */
static int moved_constant(ir_graph *g, int node, int c, const int *p, int rank, diag *d)
{
    char *name = layout_name(g->nodes[node].name, "/layout_const");
    int t = name ? ir_graph_add_tensor(g, name) : -1;
    free(name);
    if (t < 0)
        return diag_error(d, "out of memory in the layout pass");
    ir_tensor *old = &g->tensors[c], *nt = &g->tensors[t];
    ir_shape s = {.rank = rank - p[rank - 1]};
    s.dims[0] = old->shape.dims[old->shape.rank - 1];
    for (int k = 1; k < s.rank; k++)
        s.dims[k] = 1;
    if (ir_tensor_set_const(nt, old->dtype, &s))
        return diag_error(d, "out of memory in the layout pass");
    memcpy(nt->data, old->data, ir_tensor_bytes(old));
    return t;
}

static int by_node(const void *a, const void *b)
{
    return ((const region_op *)a)->node - ((const region_op *)b)->node;
}

/* 1 when some exit of the region reads tensor t. */
static int read_by_exit(const ir_graph *g, const region *rg, int t)
{
    for (int k = 0; k < rg->n_exits; k++)
        if (g->nodes[rg->exits[k]].inputs[0] == t)
            return 1;
    return 0;
}

/* Region op o reads u for t0 and renamed values by their new tensors; its
 * value, when an exit reads it, goes to a new tensor "<op>/layout_out"
 * that a new Transpose turns back into the old one (renamed[] records it). */
static int move_op(ir_graph *g, const region *rg, const region_op *o, int t0, int u,
                   int (*renamed)[2], int *n_renamed, const int *p, int rank, diag *d)
{
    if (o->axis_const >= 0) {
        int c = moved_constant(g, o->node, g->nodes[o->node].inputs[o->axis_const], p, rank, d);
        if (c < 0)
            return -1;
        g->nodes[o->node].inputs[o->axis_const] = c;
    }
    ir_node *n = &g->nodes[o->node];
    for (int k = 0; k < n->n_inputs; k++) {
        if (n->inputs[k] == t0)
            n->inputs[k] = u;
        for (int j = 0; j < *n_renamed; j++)
            if (n->inputs[k] == renamed[j][0])
                n->inputs[k] = renamed[j][1];
    }
    int e = n->outputs[0], et = e;
    ir_shape want = g->tensors[e].shape;
    if (read_by_exit(g, rg, e)) {
        char *name = layout_name(n->name, "/layout_out");
        et = name ? ir_graph_add_tensor(g, name) : -1;
        free(name);
        if (et < 0)
            return diag_error(d, "out of memory in the layout pass");
        g->nodes[o->node].outputs[0] = et;
        renamed[*n_renamed][0] = e;
        renamed[(*n_renamed)++][1] = et;
    }
    if (layout_infer(g, o->node, d))
        return -1;
    if (et != e && layout_add_swap(g, g->tensors[et].name, et, e, d) < 0)
        return -1;
    /* T maps et to e: e's axis k is et's axis p[k]. */
    int same = g->tensors[et].shape.rank == rank &&
               (et == e || ir_shape_equal(&want, &g->tensors[e].shape));
    for (int k = 0; k < rank && same; k++)
        same = g->tensors[et].shape.dims[p[k]] == want.dims[k];
    if (!same)
        return diag_node(d, g->nodes[o->node].name, g->nodes[o->node].op,
                         "layout: moving a Transpose changed a shape");
    return 0;
}

/* Moves Transpose tr into its region: the ops, in graph order, compute on
 * transposed values; tr stays only for exits or a graph output at t0. */
static int move_into(ir_graph *g, int tr, region *rg, const int *p, int rank, diag *d)
{
    int t0 = g->nodes[tr].outputs[0], u = g->nodes[tr].inputs[0];
    int renamed[MAX_REGION][2], n_renamed = 0;
    qsort(rg->ops, (size_t)rg->n_ops, sizeof rg->ops[0], by_node);
    for (int k = 0; k < rg->n_ops; k++)
        if (move_op(g, rg, &rg->ops[k], t0, u, renamed, &n_renamed, p, rank, d))
            return -1;
    if (!read_by_exit(g, rg, t0) && g->tensors[t0].output_index < 0)
        g->nodes[tr].dead = 1;
    return 0;
}

int layout_push(ir_graph *g, const int *touts, int count, diag *d)
{
    readers rd = {NULL, NULL};
    int *in_region = NULL, rc = 0, stale = 1;
    region *rg = malloc(sizeof *rg);
    if (!rg)
        rc = diag_error(d, "out of memory in the layout pass");
    for (int j = 0; j < count && rc == 0; j++) {
        if (stale) { /* moves add tensors and rewire readers */
            readers_free(&rd);
            free(in_region);
            in_region = malloc(sizeof(int) * (size_t)(g->n_tensors + 1));
            if (!in_region || readers_build(g, &rd)) {
                rc = diag_error(d, "out of memory in the layout pass");
                break;
            }
            stale = 0;
        }
        memset(in_region, 0, sizeof(int) * (size_t)(g->n_tensors + 1));
        const ir_node *tr = &g->nodes[touts[j]];
        int rank = g->tensors[tr->inputs[0]].shape.rank, p[IR_MAX_RANK];
        if (layout_perm(tr, rank, p) || !find_region(g, &rd, touts[j], p, rank, in_region, rg))
            continue;
        rc = move_into(g, touts[j], rg, p, rank, d);
        stale = 1;
    }
    readers_free(&rd);
    free(in_region);
    free(rg);
    return rc;
}
