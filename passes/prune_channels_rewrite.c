/* Channel pruning: scoring the filters of each group, choosing the
 * channels that stay, and slicing every constant that has a channel axis
 * (weights on both sides, biases, BatchNorm parameters, per-channel
 * operands) along with the attributes that name a channel count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prune_channels.h"

typedef struct channel_score {
    double score;
    int64_t channel;
} channel_score;

/* Smallest score first, NaN last, lower channel first on ties. */
static int by_score(const void *pa, const void *pb)
{
    const channel_score *a = pa, *b = pb;
    int na = isnan(a->score), nb = isnan(b->score);
    if (na != nb)
        return na - nb;
    if (!na && a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return (a->channel > b->channel) - (a->channel < b->channel);
}

/* Splits a tensor's shape around one axis: outer x dims[axis] x inner. */
static void split_at(const ir_shape *s, int axis, int64_t *outer, int64_t *inner)
{
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < s->rank; i++) {
        if (i < axis)
            *outer *= s->dims[i];
        else if (i > axis)
            *inner *= s->dims[i];
    }
}

/* Adds the L1 norm of each filter (slice along e->axis) to score. */
static void add_filter_norms(const pc_state *st, const pc_edit *e, channel_score *score)
{
    const ir_tensor *w = &st->g->tensors[st->g->nodes[e->node].inputs[e->input]];
    const float *v = w->data;
    int64_t outer, inner, count = w->shape.dims[e->axis];
    split_at(&w->shape, e->axis, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t c = 0; c < count; c++)
            for (int64_t i = 0; i < inner; i++)
                score[c].score += fabs((double)v[(o * count + c) * inner + i]);
}

static int choose_group(pc_state *st, int r, double f)
{
    int64_t channels = st->channels[r];
    /* The epsilon keeps floor(0.29 * 100) at 29 despite rounding. */
    int64_t removed = (int64_t)floor(f * (double)channels + 1e-9);
    if (removed > channels - 1)
        removed = channels - 1;
    st->kept[r] = channels - removed;
    if (removed <= 0)
        return 0;
    channel_score *score = calloc((size_t)channels, sizeof *score);
    unsigned char *keep = malloc((size_t)channels);
    if (!score || !keep) {
        free(score);
        free(keep);
        return -1;
    }
    for (int64_t c = 0; c < channels; c++)
        score[c].channel = c;
    for (int i = 0; i < st->n_edits; i++)
        if (st->edits[i].scores && pc_find(st, st->edits[i].tensor) == r)
            add_filter_norms(st, &st->edits[i], score);
    qsort(score, (size_t)channels, sizeof *score, by_score);
    memset(keep, 1, (size_t)channels);
    for (int64_t k = 0; k < removed; k++)
        keep[score[k].channel] = 0;
    free(score);
    st->keep[r] = keep;
    return 0;
}

int pc_choose(pc_state *st, double f, diag *d)
{
    for (int r = 0; r < st->n_tensors; r++) {
        if (!st->seen[r] || pc_find(st, r) != r || st->why[r] || !st->n_filters[r])
            continue;
        if (choose_group(st, r, f))
            return diag_error(d, "out of memory");
    }
    return 0;
}

/* A fresh name for a copy of tensor src. */
static int add_copy(ir_graph *g, int src)
{
    char name[512];
    snprintf(name, sizeof name, "%s_pruned", g->tensors[src].name);
    for (int k = 2; ir_graph_find_tensor(g, name) >= 0; k++)
        snprintf(name, sizeof name, "%s_pruned%d", g->tensors[src].name, k);
    return ir_graph_add_tensor(g, name);
}

/* Gives input `slot` of node ni the value (shape, data): in place when the
 * node is the constant's only reader, else in a copy, so that other
 * readers keep what they read. Takes data. */
static int install(pc_state *st, int ni, int slot, int *uses, const ir_shape *shape,
                   void *data)
{
    ir_graph *g = st->g;
    int t = g->nodes[ni].inputs[slot];
    const ir_tensor *src = &g->tensors[t];
    if (uses[t] != 1 || src->input_index >= 0 || src->output_index >= 0) {
        ir_dtype dtype = src->dtype;
        uses[t]--;
        t = add_copy(g, t);
        if (t < 0) {
            free(data);
            return -1;
        }
        g->tensors[t].dtype = dtype;
        g->nodes[ni].inputs[slot] = t;
    }
    ir_tensor *dst = &g->tensors[t];
    int rc = ir_tensor_set_const(dst, dst->dtype, shape);
    if (rc == 0)
        memcpy(dst->data, data, ir_tensor_bytes(dst));
    free(data);
    return rc;
}

/* Copies the elements of src whose index along every axis is kept
 * (keep[axis] NULL keeps the whole axis) into new storage. */
static void *slice_data(const ir_tensor *src, unsigned char *const *keep, ir_shape *out)
{
    size_t esize = ir_dtype_size(src->dtype);
    *out = src->shape;
    for (int a = 0; a < out->rank; a++)
        if (keep[a]) {
            int64_t n = 0;
            for (int64_t i = 0; i < src->shape.dims[a]; i++)
                n += keep[a][i];
            out->dims[a] = n;
        }
    int64_t numel = ir_tensor_numel(src), at[IR_MAX_RANK] = {0};
    char *dst = ir_alloc((size_t)ir_shape_numel(out) * esize + 1), *p = dst;
    if (!dst)
        return NULL;
    for (int64_t e = 0; e < numel; e++) {
        int take = 1;
        for (int a = 0; a < out->rank && take; a++)
            take = !keep[a] || keep[a][at[a]];
        if (take) {
            memcpy(p, (const char *)src->data + e * (int64_t)esize, esize);
            p += esize;
        }
        for (int a = out->rank - 1; a >= 0 && ++at[a] == src->shape.dims[a]; a--)
            at[a] = 0;
    }
    return dst;
}

/* Applies the slices edits[first..last) of one node recorded for one
 * input slot. */
static int slice_input(pc_state *st, int ni, int slot, int first, int last, int *uses,
                       diag *d)
{
    ir_graph *g = st->g;
    const ir_tensor *src = &g->tensors[g->nodes[ni].inputs[slot]];
    unsigned char *keep[IR_MAX_RANK] = {0};
    int any = 0;
    for (int i = first; i < last; i++) {
        const pc_edit *e = &st->edits[i];
        if (e->kind != PC_SLICE || e->input != slot)
            continue;
        int r = pc_find(st, e->tensor);
        if (!st->keep[r]) /* a group that keeps all (maybe inconsistent ones) */
            continue;
        if (src->shape.dims[e->axis] != st->channels[r])
            return diag_node(d, g->nodes[ni].name, g->nodes[ni].op,
                             "internal error: '%s' does not have %lld channels on axis %d",
                             src->name, (long long)st->channels[r], e->axis);
        keep[e->axis] = st->keep[r];
        any = 1;
    }
    if (!any)
        return 0;
    ir_shape shape;
    void *data = slice_data(src, keep, &shape);
    if (!data || install(st, ni, slot, uses, &shape, data))
        return diag_error(d, "out of memory");
    return 0;
}

/* A Reshape's target names the channel count explicitly (element 1). */
static int set_reshape_dim(pc_state *st, const pc_edit *e, int *uses, diag *d)
{
    ir_graph *g = st->g;
    int r = pc_find(st, e->tensor);
    if (!st->keep[r])
        return 0;
    const ir_tensor *s = &g->tensors[g->nodes[e->node].inputs[e->input]];
    ir_shape shape = s->shape;
    void *data = ir_alloc(ir_tensor_bytes(s) + 1);
    if (!data)
        return diag_error(d, "out of memory");
    memcpy(data, s->data, ir_tensor_bytes(s));
    ir_data_set_int(s->dtype, data, 1, st->kept[r]);
    if (install(st, e->node, e->input, uses, &shape, data))
        return diag_error(d, "out of memory");
    return 0;
}

/* A depthwise Conv's group is its channel count. */
static void set_group(pc_state *st, const pc_edit *e)
{
    int r = pc_find(st, e->tensor);
    ir_node *n = &st->g->nodes[e->node];
    for (int i = 0; st->keep[r] && i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, "group") == 0)
            n->attrs[i].i = st->kept[r];
}

/* Edits come node by node (the rules append them in node order). */
static int rewrite_node(pc_state *st, int first, int last, int *uses, diag *d)
{
    int ni = st->edits[first].node;
    for (int i = first; i < last; i++) {
        const pc_edit *e = &st->edits[i];
        int rc = 0;
        if (e->kind == PC_GROUP_ATTR)
            set_group(st, e);
        else if (e->kind == PC_RESHAPE_DIM)
            rc = set_reshape_dim(st, e, uses, d);
        else {
            int done = 0; /* each slot once, at its first edit */
            for (int k = first; k < i && !done; k++)
                done = st->edits[k].kind == PC_SLICE && st->edits[k].input == e->input;
            if (!done)
                rc = slice_input(st, ni, e->input, first, last, uses, d);
        }
        if (rc)
            return -1;
    }
    return 0;
}

int pc_rewrite(pc_state *st, diag *d)
{
    int *uses = ir_graph_use_counts(st->g);
    if (!uses)
        return diag_error(d, "out of memory");
    int rc = 0;
    for (int first = 0; first < st->n_edits && rc == 0;) {
        int last = first + 1;
        while (last < st->n_edits && st->edits[last].node == st->edits[first].node)
            last++;
        rc = rewrite_node(st, first, last, uses, d);
        first = last;
    }
    free(uses);
    return rc;
}
