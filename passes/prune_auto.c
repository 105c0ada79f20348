/* --prune auto: chooses each layer's sparsity on sample inputs so that the
 * model's outputs stay within --max-error of the unpruned model's, and
 * prunes to it (magnitude pruning, the order of pass_prune_magnitude:
 * smallest |w| first, then lower index).
 *
 * Search, on a grid of sparsities: per layer, the highest grid level whose
 * error with only that layer pruned stays within the bound (bisection,
 * taking the error to grow with the sparsity); then all layers together,
 * and while that exceeds the bound, back off one notch the layer whose own
 * error is largest, up to one step per layer, and after that every layer
 * one notch per round. Model runs: about log2(grid) per layer plus at most
 * layers + grid rounds, each over every sample. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../frontend/frontend.h"
#include "interpret.h"
#include "passes.h"
#include "prune_layers.h"

static const double grid[] = {0.0,  0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35,
                              0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75,
                              0.80, 0.85, 0.90, 0.95, 0.98};
#define GRID_LEVELS ((int)(sizeof grid / sizeof grid[0]))

typedef struct auto_layer {
    int node, tensor;
    int64_t numel;
    float *orig;     /* the weights as they came */
    uint32_t *order; /* element indices by (|w|, index) */
    double fixed;    /* --prune-layer sparsity, or -1 when searched */
    int level;       /* chosen grid level */
    double err[GRID_LEVELS]; /* error with only this layer pruned; NAN: not run */
    double blame;    /* its own error at its level, as far as known */
} auto_layer;

typedef struct sample_set {
    int count, n_in, n_out;
    ir_value *in;  /* count x n_in */
    ir_value *ref; /* count x n_out: the unpruned model's outputs */
} sample_set;

/* ---- layers ----------------------------------------------------------------- */

static int names_layer(const ir_graph *g, const auto_layer *l, const char *name)
{
    return strcmp(g->nodes[l->node].name, name) == 0 ||
           strcmp(g->tensors[l->tensor].name, name) == 0;
}

typedef struct keyed {
    uint32_t key, index;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Copies the weights and orders them for pruning. */
static int prepare_layer(const ir_graph *g, auto_layer *l)
{
    const float *w = g->tensors[l->tensor].data;
    l->numel = ir_tensor_numel(&g->tensors[l->tensor]);
    size_t n = (size_t)(l->numel ? l->numel : 1);
    l->orig = ir_alloc(n * sizeof(float));
    l->order = ir_alloc(n * sizeof(uint32_t));
    keyed *k = ir_alloc(n * sizeof(keyed));
    if (!l->orig || !l->order || !k) {
        free(l->orig);
        free(l->order);
        free(k);
        return -1;
    }
    memcpy(l->orig, w, (size_t)l->numel * sizeof(float));
    for (int64_t i = 0; i < l->numel; i++)
        k[i] = (keyed){prune_magnitude_key(w[i]), (uint32_t)i};
    qsort(k, (size_t)l->numel, sizeof(keyed), keyed_cmp);
    for (int64_t i = 0; i < l->numel; i++)
        l->order[i] = k[i].index;
    free(k);
    return 0;
}

/* The layer's weights pruned to sparsity s (from the original ones). */
static void apply_sparsity(ir_graph *g, const auto_layer *l, double s)
{
    float *w = g->tensors[l->tensor].data;
    int64_t zeros = prune_zero_count(s, l->numel);
    memcpy(w, l->orig, (size_t)l->numel * sizeof(float));
    for (int64_t i = 0; i < zeros; i++)
        w[l->order[i]] = 0.0f;
}

static double layer_sparsity(const auto_layer *l)
{
    return l->fixed >= 0.0 ? l->fixed : grid[l->level];
}

/* The layers in node order, a weight shared by several once (with the
 * first); skipped ones left out, overridden ones fixed. */
static int collect_layers(const ir_graph *g, const pass_options *o, auto_layer **out, int *count,
                          diag *d)
{
    *count = 0;
    *out = ir_alloc(sizeof(auto_layer) * (size_t)(g->n_nodes + 1));
    if (!*out)
        return diag_error(d, "prune auto: out of memory");
    for (int i = 0; i < g->n_nodes; i++) {
        int w = prune_layer_weight(g, &g->nodes[i]), seen = 0, skip = 0;
        for (int k = 0; k < *count; k++)
            seen |= (*out)[k].tensor == w;
        if (w < 0 || seen)
            continue;
        auto_layer *l = &(*out)[*count];
        *l = (auto_layer){.node = i, .tensor = w, .fixed = -1.0};
        for (int k = 0; k < o->n_skip; k++)
            skip |= names_layer(g, l, o->skip[k]);
        for (int k = 0; k < o->n_layers; k++)
            if (names_layer(g, l, o->layers[k].name))
                l->fixed = o->layers[k].sparsity;
        if (skip)
            continue;
        if (!(l->fixed == -1.0 || (l->fixed >= 0.0 && l->fixed <= 1.0)))
            return diag_error(d, "prune auto: sparsity %g for layer '%s' is not in [0, 1]",
                              l->fixed, g->nodes[i].name);
        for (int k = 0; k < GRID_LEVELS; k++)
            l->err[k] = NAN;
        if (prepare_layer(g, l))
            return diag_error(d, "prune auto: out of memory");
        (*count)++;
    }
    return 0;
}

static void free_layers(auto_layer *layers, int count)
{
    for (int i = 0; layers && i < count; i++) {
        free(layers[i].orig);
        free(layers[i].order);
    }
    free(layers);
}

/* ---- samples ------------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir that are folders (want_dir) or files, whose names
 * start with prefix and end with suffix, sorted by name. */
static int list_dir(const char *dir, const char *prefix, const char *suffix, int want_dir,
                    char ***names, int *count, diag *d)
{
    *names = NULL;
    *count = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return diag_error(d, "prune auto: cannot open the data folder '%s'", dir);
    int cap = 0, rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(dp))) {
        size_t len = strlen(e->d_name), pl = strlen(prefix), sl = strlen(suffix);
        if (len < pl + sl || strncmp(e->d_name, prefix, pl) != 0 ||
            strcmp(e->d_name + len - sl, suffix) != 0)
            continue;
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            stat(path, &st) != 0 || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(*names, sizeof(char *) * (size_t)cap);
            if (!grown) {
                rc = diag_error(d, "prune auto: out of memory");
                break;
            }
            *names = grown;
        }
        if (!((*names)[*count] = ir_strdup(e->d_name)))
            rc = diag_error(d, "prune auto: out of memory");
        else
            (*count)++;
    }
    closedir(dp);
    if (*count)
        qsort(*names, (size_t)*count, sizeof(char *), str_cmp);
    return rc;
}

static void free_names(char **names, int count)
{
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* Loads one input file for graph input k, checking its type and shape. */
static int load_input(const ir_graph *g, int k, const char *path, ir_value *v, diag *d)
{
    if (frontend_load_tensor_file(path, v, d))
        return -1;
    const ir_tensor *t = &g->tensors[g->inputs[k]];
    if (v->dtype != t->dtype || !ir_shape_equal(&v->shape, &t->shape)) {
        char a[96], b[96];
        return diag_error(d, "prune auto: '%s' holds %s %s, but model input '%s' is %s %s", path,
                          ir_dtype_name(v->dtype), ir_shape_str(&v->shape, a, sizeof a), t->name,
                          ir_dtype_name(t->dtype), ir_shape_str(&t->shape, b, sizeof b));
    }
    return 0;
}

/* DIR/test_data_set_*\/input_K.pb (ONNX layout), else DIR/\*.pb for a
 * single-input model; sets and files in name order. */
static int load_samples(const ir_graph *g, const char *dir, sample_set *s, diag *d)
{
    char **names;
    int count, onnx_layout = 1;
    if (list_dir(dir, "test_data_set_", "", 1, &names, &count, d))
        return -1;
    if (count == 0) {
        onnx_layout = 0;
        free(names);
        if (list_dir(dir, "", ".pb", 0, &names, &count, d))
            return -1;
        if (count && g->n_inputs != 1) {
            free_names(names, count);
            return diag_error(d, "prune auto: the model has %d inputs; a folder of .pb files "
                              "serves single-input models only (use test_data_set_N/input_K.pb)",
                              g->n_inputs);
        }
    }
    if (count == 0)
        return diag_error(d, "prune auto: no sample inputs in '%s' (expected "
                          "test_data_set_N/input_K.pb folders or .pb files)", dir);
    s->n_in = g->n_inputs;
    s->n_out = g->n_outputs;
    s->in = ir_alloc(sizeof(ir_value) * (size_t)(count * s->n_in + 1));
    s->ref = ir_alloc(sizeof(ir_value) * (size_t)(count * s->n_out + 1));
    int rc = s->in && s->ref ? 0 : diag_error(d, "prune auto: out of memory");
    for (int i = 0; rc == 0 && i < count; i++, s->count++)
        for (int k = 0; rc == 0 && k < s->n_in; k++) {
            char path[4096];
            int len = onnx_layout
                          ? snprintf(path, sizeof path, "%s/%s/input_%d.pb", dir, names[i], k)
                          : snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (len >= (int)sizeof path)
                rc = diag_error(d, "prune auto: path too long in '%s'", dir);
            else
                rc = load_input(g, k, path, &s->in[i * s->n_in + k], d);
        }
    free_names(names, count);
    return rc;
}

static void free_samples(sample_set *s)
{
    if (s->in)
        ir_interpret_free(s->in, s->count * s->n_in);
    if (s->ref)
        ir_interpret_free(s->ref, s->count * s->n_out);
    free(s->in);
    free(s->ref);
}

/* ---- error of the current weights -------------------------------------------- */

/* Largest |a - b| (NaN against NaN counts as equal, against a number as
 * infinitely far). */
static double max_diff(const ir_value *a, const ir_value *b)
{
    double m = 0.0;
    int64_t n = ir_shape_numel(&a->shape);
    for (int64_t i = 0; i < n; i++) {
        double x = ir_data_get_double(a->dtype, a->data, i);
        double y = ir_data_get_double(b->dtype, b->data, i);
        if (isnan(x) && isnan(y))
            continue;
        if (isnan(x) || isnan(y))
            return HUGE_VAL;
        m = fabs(x - y) > m ? fabs(x - y) : m;
    }
    return m;
}

/* Max |out - ref| over every output of every sample; runs counted. */
static int model_error(ir_graph *g, const sample_set *s, int *runs, double *err, diag *d)
{
    ir_value *out = ir_alloc(sizeof(ir_value) * (size_t)(s->n_out + 1));
    if (!out)
        return diag_error(d, "prune auto: out of memory");
    *err = 0.0;
    int rc = 0;
    for (int i = 0; rc == 0 && i < s->count; i++) {
        rc = ir_interpret(g, &s->in[i * s->n_in], out, d);
        for (int k = 0; rc == 0 && k < s->n_out; k++) {
            double e = max_diff(&out[k], &s->ref[i * s->n_out + k]);
            *err = e > *err ? e : *err;
        }
        if (rc == 0)
            ir_interpret_free(out, s->n_out);
    }
    (*runs)++;
    free(out);
    return rc;
}

/* ---- search ------------------------------------------------------------------------ */

typedef struct search {
    ir_graph *g;
    const sample_set *s;
    auto_layer *layers;
    int count, runs;
    double bound;
    diag *d;
} search;

/* Error with layer l alone pruned at level k (the others as they stand). */
static int try_level(search *r, auto_layer *l, int k, double *err)
{
    apply_sparsity(r->g, l, grid[k]);
    if (model_error(r->g, r->s, &r->runs, err, r->d))
        return -1;
    l->err[k] = *err;
    return 0;
}

/* The highest level within the bound with l alone pruned; level 0 is
 * within it (the caller checked). */
static int search_layer(search *r, auto_layer *l)
{
    int lo = 0, hi = GRID_LEVELS - 1;
    double e;
    if (try_level(r, l, hi, &e))
        return -1;
    if (e <= r->bound)
        lo = hi;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (try_level(r, l, mid, &e))
            return -1;
        *(e <= r->bound ? &lo : &hi) = mid;
    }
    l->level = lo;
    l->blame = l->err[lo];
    apply_sparsity(r->g, l, 0.0);
    return 0;
}

/* One back-off round; 0 when no layer could step back. */
static int back_off(search *r, int single)
{
    int worst = -1, stepped = 0;
    for (int i = 0; i < r->count; i++) {
        auto_layer *l = &r->layers[i];
        if (l->fixed >= 0.0 || l->level == 0)
            continue;
        if (!single) {
            l->level--;
            stepped = 1;
        } else if (worst < 0 || l->blame > r->layers[worst].blame) {
            worst = i;
        }
    }
    if (worst >= 0) {
        auto_layer *l = &r->layers[worst];
        l->level--;
        /* Not measured at the new level: keep blaming it until it is. */
        if (!isnan(l->err[l->level]))
            l->blame = l->err[l->level];
        stepped = 1;
    }
    for (int i = 0; i < r->count; i++)
        apply_sparsity(r->g, &r->layers[i], layer_sparsity(&r->layers[i]));
    return stepped;
}

static int run_search(search *r, double *final_err)
{
    double base = 0.0;
    int searched = 0;
    for (int i = 0; i < r->count; i++)
        apply_sparsity(r->g, &r->layers[i], layer_sparsity(&r->layers[i]));
    for (int i = 0; i < r->count; i++)
        searched += r->layers[i].fixed < 0.0;
    if (searched < r->count && model_error(r->g, r->s, &r->runs, &base, r->d))
        return -1;
    if (base > r->bound)
        diag_warning(r->d, "prune auto: the --prune-layer sparsities alone give error %g, above "
                     "--max-error %g; the other layers stay dense", base, r->bound);
    for (int i = 0; i < r->count && base <= r->bound; i++) {
        auto_layer *l = &r->layers[i];
        l->err[0] = base;
        if (l->fixed < 0.0 && search_layer(r, l))
            return -1;
    }
    for (int i = 0; i < r->count; i++)
        apply_sparsity(r->g, &r->layers[i], layer_sparsity(&r->layers[i]));
    if (model_error(r->g, r->s, &r->runs, final_err, r->d))
        return -1;
    for (int singles = 0; *final_err > r->bound; singles++) {
        if (!back_off(r, singles < searched))
            break;
        if (model_error(r->g, r->s, &r->runs, final_err, r->d))
            return -1;
    }
    return 0;
}

static void report(const search *r, const pass_options *o, double err)
{
    FILE *f = o->log ? o->log : stderr;
    fprintf(f, "prune auto: %d samples, max error %g: final error %g (%d model evaluations)\n",
            r->s->count, r->bound, err, r->runs);
    fprintf(f, "  %-40s %10s %9s %12s\n", "layer", "weights", "sparsity", "error alone");
    for (int i = 0; i < r->count; i++) {
        const auto_layer *l = &r->layers[i];
        const char *name = r->g->nodes[l->node].name;
        fprintf(f, "  %-40s %10lld %8.1f%% ", *name ? name : r->g->tensors[l->tensor].name,
                (long long)l->numel, 100.0 * layer_sparsity(l));
        /* A level reached by backing off may not have been run alone. */
        if (l->fixed >= 0.0 || isnan(l->err[l->level]))
            fprintf(f, "%12s\n", l->fixed >= 0.0 ? "(fixed)" : "-");
        else
            fprintf(f, "%12.3g\n", l->err[l->level]);
    }
}

int pass_prune_auto(ir_graph *g, const pass_options *o, diag *d)
{
    if (!o || !o->prune_auto)
        return 0;
    if (!o->data_dir)
        return diag_error(d, "--prune auto needs sample inputs (--data DIR)");
    if (!(o->max_error >= 0.0))
        return diag_error(d, "--prune auto needs --max-error E >= 0 (got %g)", o->max_error);
    sample_set s = {0};
    auto_layer *layers = NULL;
    int count = 0, rc = collect_layers(g, o, &layers, &count, d);
    if (rc == 0)
        rc = load_samples(g, o->data_dir, &s, d);
    for (int i = 0; rc == 0 && i < s.count; i++)
        rc = ir_interpret(g, &s.in[i * s.n_in], &s.ref[i * s.n_out], d);
    search r = {.g = g, .s = &s, .layers = layers, .count = count, .bound = o->max_error, .d = d};
    double err = 0.0;
    if (rc == 0)
        rc = run_search(&r, &err);
    if (rc == 0)
        report(&r, o, err);
    else
        for (int i = 0; i < count; i++) /* leave the weights as they came */
            apply_sparsity(g, &layers[i], 0.0);
    free_layers(layers, count);
    free_samples(&s);
    return rc;
}
