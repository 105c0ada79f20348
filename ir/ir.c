#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *ir_alloc(size_t n) { return calloc(1, n ? n : 1); }

char *ir_strdup(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

int64_t ir_shape_numel(const ir_shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->dims[i];
    return n;
}

int ir_shape_equal(const ir_shape *a, const ir_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

const char *ir_shape_str(const ir_shape *s, char *buf, size_t size)
{
    if (s->rank == 0) {
        snprintf(buf, size, "scalar");
        return buf;
    }
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < s->rank && used < size; i++) {
        int w = snprintf(buf + used, size - used, i ? "x%lld" : "%lld", (long long)s->dims[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return buf;
}

ir_graph *ir_graph_new(void) { return ir_alloc(sizeof(ir_graph)); }

static void free_value(ir_value *v)
{
    if (v) {
        free(v->data);
        free(v);
    }
}

static void free_node(ir_node *n)
{
    free(n->name);
    free(n->op);
    free(n->domain);
    free(n->inputs);
    free(n->outputs);
    for (int i = 0; i < n->n_attrs; i++) {
        ir_attr *a = &n->attrs[i];
        free(a->name);
        free(a->s);
        free(a->ints);
        free(a->floats);
        if (a->strings)
            for (int k = 0; k < a->count; k++)
                free(a->strings[k]);
        free(a->strings);
        free_value(a->tensor);
    }
    free(n->attrs);
}

void ir_graph_free(ir_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->tensors[i].name);
        free(g->tensors[i].data);
    }
    for (int i = 0; i < g->n_nodes; i++)
        free_node(&g->nodes[i]);
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->name);
    free(g);
}

static int grow(void **arr, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    void *n = realloc(*arr, (size_t)ncap * elem);
    if (!n)
        return -1;
    memset((char *)n + (size_t)*cap * elem, 0, (size_t)(ncap - *cap) * elem);
    *arr = n;
    *cap = ncap;
    return 0;
}

int ir_graph_add_tensor(ir_graph *g, const char *name)
{
    if (grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof(ir_tensor)))
        return -1;
    ir_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = ir_strdup(name);
    if (!t->name)
        return -1;
    t->producer = -1;
    t->input_index = -1;
    t->output_index = -1;
    return g->n_tensors++;
}

int ir_graph_find_tensor(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0)
            return i;
    return -1;
}

int ir_graph_add_node(ir_graph *g, const char *name, const char *op, const char *domain,
                      int n_inputs, int n_outputs)
{
    if (grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(ir_node)))
        return -1;
    ir_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->name = ir_strdup(name);
    n->op = ir_strdup(op);
    n->domain = ir_strdup(domain);
    n->inputs = malloc(sizeof(int) * (size_t)(n_inputs ? n_inputs : 1));
    n->outputs = malloc(sizeof(int) * (size_t)(n_outputs ? n_outputs : 1));
    if (!n->name || !n->op || !n->domain || !n->inputs || !n->outputs) {
        free_node(n);
        memset(n, 0, sizeof *n);
        return -1;
    }
    for (int i = 0; i < n_inputs; i++)
        n->inputs[i] = -1;
    for (int i = 0; i < n_outputs; i++)
        n->outputs[i] = -1;
    n->n_inputs = n_inputs;
    n->n_outputs = n_outputs;
    return g->n_nodes++;
}

void ir_graph_link(ir_graph *g)
{
    for (int i = 0; i < g->n_tensors; i++)
        g->tensors[i].producer = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            continue;
        for (int k = 0; k < g->nodes[i].n_outputs; k++)
            if (g->nodes[i].outputs[k] >= 0)
                g->tensors[g->nodes[i].outputs[k]].producer = i;
    }
}

void ir_graph_compact(ir_graph *g)
{
    int w = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead) {
            free_node(&g->nodes[i]);
            continue;
        }
        if (w != i)
            g->nodes[w] = g->nodes[i];
        w++;
    }
    g->n_nodes = w;
    ir_graph_link(g);
}

int ir_graph_count_uses(const ir_graph *g, int t)
{
    int uses = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            continue;
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            uses += g->nodes[i].inputs[k] == t;
    }
    return uses;
}

/* Kahn's algorithm, picking the lowest ready index first so that a graph that
 * is already in order keeps its order (deterministic output). */
int ir_graph_toposort(ir_graph *g, diag *d)
{
    int n = g->n_nodes;
    int *producer = malloc(sizeof(int) * (size_t)(g->n_tensors ? g->n_tensors : 1));
    int *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
    char *done = calloc((size_t)(n ? n : 1), 1);
    int rc = 0;
    if (!producer || !order || !done) {
        rc = diag_error(d, "out of memory while sorting the graph");
        goto out;
    }
    for (int i = 0; i < g->n_tensors; i++)
        producer[i] = -1;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_outputs; k++) {
            int t = g->nodes[i].outputs[k];
            if (t < 0)
                continue;
            if (producer[t] >= 0) {
                rc = diag_error(d, "tensor '%s' is produced by two nodes ('%s' and '%s')",
                                g->tensors[t].name, g->nodes[producer[t]].name, g->nodes[i].name);
                goto out;
            }
            producer[t] = i;
        }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t < 0)
                continue;
            const ir_tensor *tt = &g->tensors[t];
            if (producer[t] < 0 && !tt->data && tt->input_index < 0) {
                rc = diag_node(d, g->nodes[i].name, g->nodes[i].op,
                               "input '%s' is not produced by any node, initializer or graph input",
                               tt->name);
                goto out;
            }
        }
    int placed = 0;
    /* Repeated sweeps: simple and O(n^2) at worst, fine for graph sizes here;
     * each sweep places every node whose producers are all placed. */
    while (placed < n) {
        int progress = 0;
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            int ready = 1;
            for (int k = 0; k < g->nodes[i].n_inputs && ready; k++) {
                int t = g->nodes[i].inputs[k];
                if (t >= 0 && producer[t] >= 0 && !done[producer[t]])
                    ready = 0;
            }
            if (ready) {
                done[i] = 1;
                order[placed++] = i;
                progress = 1;
            }
        }
        if (!progress) {
            int stuck = 0;
            while (done[stuck])
                stuck++;
            rc = diag_error(d, "the graph has a cycle (through node '%s')", g->nodes[stuck].name);
            goto out;
        }
    }
    ir_node *sorted = malloc(sizeof(ir_node) * (size_t)(n ? n : 1));
    if (!sorted) {
        rc = diag_error(d, "out of memory while sorting the graph");
        goto out;
    }
    for (int i = 0; i < n; i++)
        sorted[i] = g->nodes[order[i]];
    memcpy(g->nodes, sorted, sizeof(ir_node) * (size_t)n);
    free(sorted);
    ir_graph_link(g);
out:
    free(producer);
    free(order);
    free(done);
    return rc;
}

void ir_tensor_set_type(ir_tensor *t, ir_dtype dtype, const ir_shape *shape)
{
    t->dtype = dtype;
    t->shape = *shape;
    t->has_shape = 1;
}

int ir_tensor_set_const(ir_tensor *t, ir_dtype dtype, const ir_shape *shape)
{
    ir_tensor_set_type(t, dtype, shape);
    free(t->data);
    t->data = ir_alloc(ir_tensor_bytes(t));
    return t->data ? 0 : -1;
}

int64_t ir_tensor_numel(const ir_tensor *t) { return ir_shape_numel(&t->shape); }

size_t ir_tensor_bytes(const ir_tensor *t)
{
    return (size_t)ir_tensor_numel(t) * ir_dtype_size(t->dtype);
}

const ir_attr *ir_node_attr(const ir_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t ir_attr_int(const ir_node *n, const char *name, int64_t dflt)
{
    const ir_attr *a = ir_node_attr(n, name);
    return a && a->type == IR_ATTR_INT ? a->i : dflt;
}

float ir_attr_float(const ir_node *n, const char *name, float dflt)
{
    const ir_attr *a = ir_node_attr(n, name);
    return a && a->type == IR_ATTR_FLOAT ? a->f : dflt;
}

const char *ir_attr_string(const ir_node *n, const char *name, const char *dflt)
{
    const ir_attr *a = ir_node_attr(n, name);
    return a && a->type == IR_ATTR_STRING ? a->s : dflt;
}

ir_tensor *ir_node_in(ir_graph *g, const ir_node *n, int i)
{
    if (i < 0 || i >= n->n_inputs || n->inputs[i] < 0)
        return NULL;
    return &g->tensors[n->inputs[i]];
}

ir_tensor *ir_node_out(ir_graph *g, const ir_node *n, int i)
{
    if (i < 0 || i >= n->n_outputs || n->outputs[i] < 0)
        return NULL;
    return &g->tensors[n->outputs[i]];
}

int ir_node_inputs_const(const ir_graph *g, const ir_node *n)
{
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i] >= 0 && !g->tensors[n->inputs[i]].data)
            return 0;
    return 1;
}
