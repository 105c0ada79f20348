/* Magnitude pruning: sets to zero the weights of smallest |w| in every
 * Conv, Gemm and MatMul with constant float32 weights, per layer or under
 * one global threshold, with per-layer overrides and skips.
 *
 * Weights are ordered by (|w|, position), position being (layer order,
 * element index) in global mode, so the count of zeros is exact and the
 * result does not depend on how the selection runs. The k-th smallest is
 * found by a two-step radix selection over the magnitudes' bit patterns:
 * linear time and no copy of the weights, which matters at ResNet-50's 25M. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"
#include "prune_layers.h"

/* One weight tensor to prune. A tensor shared by several layers is pruned
 * once, with the setting of the first layer (in node order) that reads it. */
typedef struct prune_target {
    int node;        /* first layer reading the weight */
    int tensor;      /* the weight */
    int skip;        /* --prune-skip: left untouched */
    int global;      /* in the global selection (not skipped nor overridden) */
    double sparsity; /* own target when not global */
} prune_target;

static int names_layer(const ir_graph *g, const ir_node *n, int w, const char *name)
{
    return strcmp(n->name, name) == 0 || strcmp(g->tensors[w].name, name) == 0;
}

static int sparsity_ok(double s) { return s >= 0.0 && s <= 1.0; } /* NaN fails */

/* Finds the bucket of the k-th smallest (1-based) key in a histogram of
 * 65536 buckets; *below receives the count of keys in lower buckets.
 * k never exceeds the keys counted. */
static uint32_t select_bucket(const int64_t *hist, int64_t k, int64_t *below)
{
    uint32_t b = 0;
    while (b < 0xffffu && *below + hist[b] < k) {
        *below += hist[b];
        b++;
    }
    return b;
}

/* Sets to zero the k smallest weights of the targets (in their order) by
 * (|w|, position). Weights already zero are among the smallest, so none
 * is ever made nonzero. Returns -1 when out of memory. */
static int zero_smallest(ir_graph *g, prune_target *const *targets, int n, int64_t k)
{
    if (k <= 0)
        return 0;
    int64_t *hist = ir_alloc(65536 * sizeof *hist);
    if (!hist)
        return -1;
    for (int t = 0; t < n; t++) {
        const ir_tensor *w = &g->tensors[targets[t]->tensor];
        const float *p = w->data;
        for (int64_t i = 0, m = ir_tensor_numel(w); i < m; i++)
            hist[prune_magnitude_key(p[i]) >> 16]++;
    }
    int64_t below = 0;
    uint32_t high = select_bucket(hist, k, &below);
    memset(hist, 0, 65536 * sizeof *hist);
    for (int t = 0; t < n; t++) {
        const ir_tensor *w = &g->tensors[targets[t]->tensor];
        const float *p = w->data;
        for (int64_t i = 0, m = ir_tensor_numel(w); i < m; i++) {
            uint32_t key = prune_magnitude_key(p[i]);
            if (key >> 16 == high)
                hist[key & 0xffffu]++;
        }
    }
    uint32_t threshold = high << 16 | select_bucket(hist, k, &below);
    free(hist);
    int64_t ties = k - below; /* weights equal to the threshold to zero, first first */
    for (int t = 0; t < n; t++) {
        const ir_tensor *w = &g->tensors[targets[t]->tensor];
        float *p = w->data;
        for (int64_t i = 0, m = ir_tensor_numel(w); i < m; i++) {
            uint32_t key = prune_magnitude_key(p[i]);
            if (key < threshold || (key == threshold && ties-- > 0))
                p[i] = 0.0f;
        }
    }
    return 0;
}

/* Every --prune-layer and --prune-skip name must name a layer: reports
 * each one that does not. */
static int check_names(const ir_graph *g, const pass_options *o, diag *d)
{
    int rc = 0;
    for (int pass = 0; pass < 2; pass++) {
        int count = pass ? o->n_skip : o->n_layers;
        for (int i = 0; i < count; i++) {
            const char *name = pass ? o->skip[i] : o->layers[i].name;
            int found = 0;
            for (int j = 0; j < g->n_nodes && !found; j++) {
                int w = prune_layer_weight(g, &g->nodes[j]);
                found = w >= 0 && names_layer(g, &g->nodes[j], w, name);
            }
            if (!found)
                rc = diag_error(d,
                                "%s '%s': no Conv, Gemm or MatMul with constant float32 "
                                "weights has this node or weight name",
                                pass ? "--prune-skip" : "--prune-layer", name);
        }
    }
    return rc;
}

static int check_sparsities(const pass_options *o, diag *d)
{
    int rc = 0;
    if (!sparsity_ok(o->prune))
        rc = diag_error(d, "--prune %g: the sparsity must be between 0 and 1", o->prune);
    for (int i = 0; i < o->n_layers; i++)
        if (!sparsity_ok(o->layers[i].sparsity))
            rc = diag_error(d, "--prune-layer %s=%g: the sparsity must be between 0 and 1",
                            o->layers[i].name, o->layers[i].sparsity);
    return rc;
}

/* Decides skip / override / global for a target from the options; a
 * later --prune-layer for the same layer wins over an earlier one. */
static void apply_options(const ir_graph *g, const pass_options *o, prune_target *t)
{
    const ir_node *n = &g->nodes[t->node];
    for (int i = 0; i < o->n_skip; i++)
        t->skip |= names_layer(g, n, t->tensor, o->skip[i]);
    int overridden = 0;
    t->sparsity = o->prune;
    for (int i = 0; i < o->n_layers; i++)
        if (names_layer(g, n, t->tensor, o->layers[i].name)) {
            t->sparsity = o->layers[i].sparsity;
            overridden = 1;
        }
    t->global = !t->skip && !overridden && o->prune_global;
}

/* The layers' weight tensors, each once, in node order. */
static prune_target *collect_targets(const ir_graph *g, const pass_options *o, int *count)
{
    prune_target *targets = ir_alloc((size_t)g->n_nodes * sizeof *targets + 1);
    char *seen = ir_alloc((size_t)g->n_tensors + 1);
    if (!targets || !seen) {
        free(targets);
        free(seen);
        return NULL;
    }
    *count = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        int w = prune_layer_weight(g, &g->nodes[i]);
        if (w < 0 || seen[w])
            continue;
        seen[w] = 1;
        prune_target *t = &targets[(*count)++];
        t->node = i;
        t->tensor = w;
        apply_options(g, o, t);
    }
    free(seen);
    return targets;
}

static void log_target(const ir_graph *g, const prune_target *t, FILE *log)
{
    const ir_node *n = &g->nodes[t->node];
    const ir_tensor *w = &g->tensors[t->tensor];
    const float *p = w->data;
    int64_t numel = ir_tensor_numel(w), zeros = 0;
    for (int64_t i = 0; i < numel; i++)
        zeros += p[i] == 0.0f;
    fprintf(log, "prune-magnitude %s (%s): sparsity %.4f, %lld/%lld zeros\n",
            n->name[0] ? n->name : w->name, n->op, numel ? (double)zeros / (double)numel : 0.0,
            (long long)zeros, (long long)numel);
}

int pass_prune_magnitude(ir_graph *g, const pass_options *o, diag *d)
{
    if (o->prune_auto || (o->prune == 0 && o->n_layers == 0))
        return 0;
    int bad_sparsity = check_sparsities(o, d);
    if (check_names(g, o, d) || bad_sparsity)
        return -1;
    int n;
    prune_target *targets = collect_targets(g, o, &n);
    prune_target **global = ir_alloc((size_t)g->n_nodes * sizeof *global + 1);
    if (!targets || !global) {
        free(targets);
        free(global);
        return diag_error(d, "out of memory while pruning");
    }
    int rc = 0, n_global = 0;
    int64_t global_numel = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        prune_target *t = &targets[i];
        int64_t numel = ir_tensor_numel(&g->tensors[t->tensor]);
        if (t->global) {
            global[n_global++] = t;
            global_numel += numel;
        } else if (!t->skip) {
            rc = zero_smallest(g, &t, 1, prune_zero_count(t->sparsity, numel));
        }
    }
    if (rc == 0 && n_global)
        rc = zero_smallest(g, global, n_global, prune_zero_count(o->prune, global_numel));
    for (int i = 0; i < n && rc == 0 && o->log; i++)
        if (!targets[i].skip && (targets[i].global ? o->prune : targets[i].sparsity) > 0)
            log_target(g, &targets[i], o->log);
    free(targets);
    free(global);
    return rc ? diag_error(d, "out of memory while pruning") : 0;
}
