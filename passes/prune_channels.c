/* Structured pruning: removes the fraction F of the channels with the
 * smallest filter L1 norm from every channel group that can shrink, with
 * the matching inputs of every consumer, then re-infers the shapes.
 *
 * A group is the set of activations whose channels must stay in step
 * (through element-wise ops, pools, residual Adds, depthwise Convs). It
 * shrinks only when every use of every member is understood, no member is
 * a graph input or output, and its channels are defined either by filters
 * alone or by one channel-axis Concat (whose pieces then follow the groups
 * they come from). Everything else keeps its channels. */
#include <stdlib.h>
#include <string.h>

#include "prune_channels.h"

int pc_find(pc_state *st, int t)
{
    int r = t;
    while (st->parent[r] != r)
        r = st->parent[r];
    while (st->parent[t] != r) {
        int next = st->parent[t];
        st->parent[t] = r;
        t = next;
    }
    return r;
}

/* The lowest index is the root, so that a group's first member in tensor
 * order names it and gives its first reason. */
void pc_union(pc_state *st, int a, int b)
{
    int ra = pc_find(st, a), rb = pc_find(st, b);
    if (ra < rb)
        st->parent[rb] = ra;
    else if (rb < ra)
        st->parent[ra] = rb;
}

void pc_refuse(pc_state *st, int t, const char *why, int node)
{
    if (!st->why[t]) {
        st->why[t] = why;
        st->why_node[t] = node;
    }
}

int pc_add_edit(pc_state *st, pc_edit_kind kind, int node, int input, int axis, int tensor,
                int scores)
{
    if (st->n_edits == st->cap_edits) {
        int cap = st->cap_edits ? 2 * st->cap_edits : 64;
        pc_edit *e = realloc(st->edits, sizeof *e * (size_t)cap);
        if (!e)
            return -1;
        st->edits = e;
        st->cap_edits = cap;
    }
    st->edits[st->n_edits++] = (pc_edit){kind, node, input, axis, tensor, scores};
    return 0;
}

static int state_init(pc_state *st, ir_graph *g)
{
    size_t n = (size_t)g->n_tensors + 1;
    memset(st, 0, sizeof *st);
    st->g = g;
    st->n_tensors = g->n_tensors;
    st->parent = malloc(n * sizeof *st->parent);
    st->why = calloc(n, sizeof *st->why);
    st->why_node = calloc(n, sizeof *st->why_node);
    st->seen = calloc(n, 1);
    st->source = calloc(n, 1);
    st->concat = malloc(n * sizeof *st->concat);
    st->n_filters = calloc(n, sizeof *st->n_filters);
    st->n_concats = calloc(n, sizeof *st->n_concats);
    st->channels = calloc(n, sizeof *st->channels);
    st->keep = calloc(n, sizeof *st->keep);
    st->kept = calloc(n, sizeof *st->kept);
    if (!st->parent || !st->why || !st->why_node || !st->seen || !st->source || !st->concat ||
        !st->n_filters || !st->n_concats || !st->channels || !st->keep || !st->kept)
        return -1;
    for (int t = 0; t < g->n_tensors; t++) {
        st->parent[t] = t;
        st->concat[t] = -1;
    }
    return 0;
}

static void state_free(pc_state *st)
{
    if (st->keep)
        for (int t = 0; t < st->n_tensors; t++)
            free(st->keep[t]);
    free(st->parent);
    free(st->why);
    free(st->why_node);
    free(st->seen);
    free(st->source);
    free(st->concat);
    free(st->n_filters);
    free(st->n_concats);
    free(st->channels);
    free(st->keep);
    free(st->kept);
    free(st->edits);
}

/* Moves the members' reasons, channel counts and sources to their roots
 * (members in index order, so the root comes first). */
static void gather_groups(pc_state *st)
{
    const ir_graph *g = st->g;
    for (int t = 0; t < st->n_tensors; t++) {
        if (!st->seen[t])
            continue;
        int r = pc_find(st, t);
        const ir_tensor *x = &g->tensors[t];
        if (st->why[t])
            pc_refuse(st, r, st->why[t], st->why_node[t]);
        if (!x->has_shape || x->shape.rank < 2 || x->shape.dims[1] < 1)
            pc_refuse(st, r, "no channel axis", x->producer);
        else if (st->channels[r] == 0)
            st->channels[r] = x->shape.dims[1];
        else if (st->channels[r] != x->shape.dims[1])
            pc_refuse(st, r, "channel counts differ", x->producer);
        if (st->source[t] == PC_SRC_FILTERS)
            st->n_filters[r]++;
        if (st->source[t] == PC_SRC_CONCAT) {
            st->n_concats[r]++;
            st->concat[r] = x->producer;
        }
    }
    for (int r = 0; r < st->n_tensors; r++) {
        if (!st->seen[r] || pc_find(st, r) != r)
            continue;
        if (st->n_filters[r] && st->n_concats[r])
            pc_refuse(st, r, "written by filters and by Concat", st->concat[r]);
        else if (st->n_concats[r] > 1)
            pc_refuse(st, r, "written by several Concats", st->concat[r]);
        else if (!st->n_filters[r] && !st->n_concats[r])
            pc_refuse(st, r, "no filters define its channels", -1);
    }
}

static int defining_concat(pc_state *st, int ni)
{
    const ir_node *n = &st->g->nodes[ni];
    if (n->dead || strcmp(n->op, "Concat") != 0 || n->n_outputs < 1 || n->outputs[0] < 0 ||
        st->source[n->outputs[0]] != PC_SRC_CONCAT)
        return -1;
    int r = pc_find(st, n->outputs[0]);
    return st->concat[r] == ni ? r : -1;
}

/* A Concat whose output keeps all its channels needs all of its pieces:
 * later Concats first, so that nested ones pass it on. */
static void pin_concat_inputs(pc_state *st)
{
    const ir_graph *g = st->g;
    for (int ni = g->n_nodes - 1; ni >= 0; ni--) {
        int r = defining_concat(st, ni);
        if (r < 0)
            continue;
        const ir_node *n = &g->nodes[ni];
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] >= 0 && st->seen[n->inputs[i]] &&
                pc_find(st, n->inputs[i]) == r)
                pc_refuse(st, r, "Concat of its own channels", ni);
        if (!st->why[r])
            continue;
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] >= 0 && st->seen[n->inputs[i]])
                pc_refuse(st, pc_find(st, n->inputs[i]), "feeds a Concat that keeps its channels",
                          ni);
    }
}

/* A Concat's kept channels are its pieces' kept channels, in order
 * (constant pieces keep all). Concats come in topological order. */
static int keep_concats(pc_state *st, diag *d)
{
    const ir_graph *g = st->g;
    for (int ni = 0; ni < g->n_nodes; ni++) {
        int r = defining_concat(st, ni);
        if (r < 0 || st->why[r])
            continue;
        const ir_node *n = &g->nodes[ni];
        int64_t at = 0, kept = 0;
        for (int i = 0; i < n->n_inputs; i++)
            at += n->inputs[i] >= 0 ? g->tensors[n->inputs[i]].shape.dims[1] : 0;
        if (at != st->channels[r])
            return diag_node(d, n->name, n->op, "internal error: pieces of %lld channels make %lld",
                             (long long)at, (long long)st->channels[r]);
        unsigned char *keep = malloc((size_t)at);
        if (!keep)
            return diag_error(d, "out of memory");
        at = 0;
        for (int i = 0; i < n->n_inputs; i++) {
            int t = n->inputs[i];
            if (t < 0)
                continue;
            int64_t len = g->tensors[t].shape.dims[1];
            const unsigned char *piece = st->seen[t] ? st->keep[pc_find(st, t)] : NULL;
            for (int64_t c = 0; c < len; c++)
                keep[at + c] = piece ? piece[c] : 1;
            at += len;
        }
        for (int64_t c = 0; c < at; c++)
            kept += keep[c];
        st->kept[r] = kept;
        if (kept < at)
            st->keep[r] = keep;
        else
            free(keep);
    }
    return 0;
}

static void log_groups(pc_state *st, FILE *log)
{
    const ir_graph *g = st->g;
    for (int r = 0; r < st->n_tensors; r++) {
        if (!st->seen[r] || pc_find(st, r) != r || (!st->n_filters[r] && !st->n_concats[r]))
            continue;
        const char *name = g->tensors[r].name;
        if (!st->why[r]) {
            fprintf(log, "prune-channels: '%s' %lld -> %lld channels%s\n", name,
                    (long long)st->channels[r], (long long)st->kept[r],
                    st->n_concats[r] ? " (Concat)" : "");
            continue;
        }
        fprintf(log, "prune-channels: '%s' keeps its channels: %s", name, st->why[r]);
        if (st->why_node[r] >= 0)
            fprintf(log, " (%s '%s')", g->nodes[st->why_node[r]].op,
                    g->nodes[st->why_node[r]].name);
        fputc('\n', log);
    }
}

static int any_pruned(const pc_state *st)
{
    for (int t = 0; t < st->n_tensors; t++)
        if (st->keep[t])
            return 1;
    return 0;
}

int pass_prune_channels(ir_graph *g, const pass_options *o, diag *d)
{
    double f = o->prune_channels;
    if (f == 0)
        return 0;
    if (!(f > 0 && f <= 1))
        return diag_error(d, "--prune-channels %g: the fraction must be within 0..1", f);
    pc_state st;
    int rc = state_init(&st, g) || pc_apply_rules(&st) ? diag_error(d, "out of memory") : 0;
    if (rc == 0) {
        gather_groups(&st);
        pin_concat_inputs(&st);
        rc = pc_choose(&st, f, d);
    }
    if (rc == 0)
        rc = keep_concats(&st, d);
    if (rc == 0 && o->log)
        log_groups(&st, o->log);
    int changed = rc == 0 && any_pruned(&st);
    if (changed)
        rc = pc_rewrite(&st, d);
    state_free(&st);
    if (rc == 0 && changed)
        rc = pass_infer_shapes(g, d);
    return rc;
}
