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

/* Zero dimensions are skipped in the product: an empty tensor is still
 * refused when its other dimensions would overflow stride arithmetic. */
int ir_shape_fits(const ir_shape *s, ir_dtype t)
{
    int64_t limit = IR_MAX_TENSOR_BYTES / (int64_t)(ir_dtype_size(t) ? ir_dtype_size(t) : 1);
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] < 0)
            return 0;
        if (s->dims[i] == 0)
            continue;
        if (n > limit / s->dims[i])
            return 0;
        n *= s->dims[i];
    }
    return 1;
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

int *ir_graph_use_counts(const ir_graph *g)
{
    int *uses = calloc((size_t)g->n_tensors + 1, sizeof(int));
    if (!uses)
        return NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            continue;
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0)
                uses[g->nodes[i].inputs[k]]++;
    }
    return uses;
}

/* Min-heap of node indices: the ready nodes, lowest index on top. */
static void heap_push(int *h, int *n, int v)
{
    int i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static int heap_pop(int *h, int *n)
{
    int top = h[0], v = h[--*n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = v;
    return top;
}

/* Kahn's algorithm, taking the lowest ready index first so that a graph that
 * is already in order keeps its order (deterministic output). A heap of
 * ready nodes and per-tensor consumer lists keep it O((nodes + edges) log
 * nodes): hostile files can hold very long chains in reverse order. */
int ir_graph_toposort(ir_graph *g, diag *d)
{
    int n = g->n_nodes, nt = g->n_tensors;
    size_t n_edges = 0;
    for (int i = 0; i < n; i++)
        n_edges += (size_t)g->nodes[i].n_inputs;
    int *producer = malloc(sizeof(int) * (size_t)(nt + 1));
    int *use_start = calloc((size_t)nt + 2, sizeof(int));
    int *users = malloc(sizeof(int) * (n_edges + 1));
    int *pending = calloc((size_t)n + 1, sizeof(int));
    int *heap = malloc(sizeof(int) * (size_t)(n + 1));
    int *order = malloc(sizeof(int) * (size_t)(n + 1));
    char *done = calloc((size_t)n + 1, 1);
    int rc = 0;
    if (!producer || !use_start || !users || !pending || !heap || !order || !done) {
        rc = diag_error(d, "out of memory while sorting the graph");
        goto out;
    }
    for (int i = 0; i < nt; i++)
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
    /* Consumer lists per tensor (counting sort by tensor), and how many
     * produced inputs each node still waits for. */
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
            if (producer[t] >= 0) {
                use_start[t + 1]++;
                pending[i]++;
            }
        }
    for (int t = 0; t < nt; t++)
        use_start[t + 1] += use_start[t];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int t = g->nodes[i].inputs[k];
            if (t >= 0 && producer[t] >= 0)
                users[use_start[t]++] = i;
        }
    /* use_start[t] now marks the end of t's list, which starts at use_start[t - 1]. */
    int n_heap = 0, placed = 0;
    for (int i = 0; i < n; i++)
        if (pending[i] == 0)
            heap_push(heap, &n_heap, i);
    while (n_heap > 0) {
        int i = heap_pop(heap, &n_heap);
        done[i] = 1;
        order[placed++] = i;
        for (int k = 0; k < g->nodes[i].n_outputs; k++) {
            int t = g->nodes[i].outputs[k];
            if (t < 0)
                continue;
            for (int u = t ? use_start[t - 1] : 0; u < use_start[t]; u++)
                if (--pending[users[u]] == 0)
                    heap_push(heap, &n_heap, users[u]);
        }
    }
    if (placed < n) {
        int stuck = 0;
        while (done[stuck])
            stuck++;
        rc = diag_error(d, "the graph has a cycle (through node '%s')", g->nodes[stuck].name);
        goto out;
    }
    ir_node *sorted = malloc(sizeof(ir_node) * (size_t)(n ? n : 1));
    if (!sorted) {
        rc = diag_error(d, "out of memory while sorting the graph");
        goto out;
    }
    for (int i = 0; i < n; i++)
        sorted[i] = g->nodes[order[i]];
    if (n > 0) /* g->nodes is NULL in a graph without nodes */
        memcpy(g->nodes, sorted, sizeof(ir_node) * (size_t)n);
    free(sorted);
    ir_graph_link(g);
out:
    free(producer);
    free(use_start);
    free(users);
    free(pending);
    free(heap);
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

int ir_node_reads_input(const ir_node *n, int i)
{
    int appended = n->n_inputs - IR_SPARSE_INPUTS - (n->residual ? 1 : 0);
    if (n->sparse == IR_SPARSE_UNROLLED) /* the encoding is in the code */
        return i == 0 || (n->residual && i == n->residual);
    return !(n->sparse != IR_SPARSE_NONE && i >= 1 && i < appended);
}

int ir_node_append_input(ir_node *n, int t)
{
    int *in = realloc(n->inputs, sizeof(int) * (size_t)(n->n_inputs + 1));
    if (!in)
        return -1;
    in[n->n_inputs++] = t;
    n->inputs = in;
    return 0;
}
