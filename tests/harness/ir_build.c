/* Direct IR construction for tests (see ir_build.h). */
#include "ir_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int ok)
{
    if (!ok) {
        fprintf(stderr, "ir_build: out of memory\n");
        abort();
    }
}

int ib_tensor(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims)
{
    int t = ir_graph_add_tensor(g, name);
    check(t >= 0);
    ir_shape s = {.rank = rank};
    for (int i = 0; i < rank; i++)
        s.dims[i] = dims[i];
    ir_tensor_set_type(&g->tensors[t], dtype, &s);
    return t;
}

int ib_const(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims,
             const void *data)
{
    int t = ib_tensor(g, name, dtype, rank, dims);
    ir_tensor *x = &g->tensors[t];
    check(ir_tensor_set_const(x, dtype, &x->shape) == 0);
    if (ir_tensor_bytes(x))
        memcpy(x->data, data, ir_tensor_bytes(x));
    return t;
}

static void append(int **arr, int *n, int v)
{
    int *a = realloc(*arr, sizeof(int) * (size_t)(*n + 1));
    check(a != NULL);
    a[(*n)++] = v;
    *arr = a;
}

void ib_mark_input(ir_graph *g, int t)
{
    g->tensors[t].input_index = g->n_inputs;
    append(&g->inputs, &g->n_inputs, t);
}

void ib_mark_output(ir_graph *g, int t)
{
    if (g->tensors[t].output_index < 0)
        g->tensors[t].output_index = g->n_outputs;
    append(&g->outputs, &g->n_outputs, t);
}

int ib_node(ir_graph *g, const char *op, const char *name, const int *ins, int n_in,
            const int *outs, int n_out)
{
    int n = ir_graph_add_node(g, name, op, "", n_in, n_out);
    check(n >= 0);
    for (int i = 0; i < n_in; i++)
        g->nodes[n].inputs[i] = ins[i];
    for (int i = 0; i < n_out; i++)
        g->nodes[n].outputs[i] = outs[i];
    ir_graph_link(g);
    return n;
}

static ir_attr *new_attr(ir_graph *g, int n, const char *name, ir_attr_type type)
{
    ir_node *node = &g->nodes[n];
    ir_attr *a = realloc(node->attrs, sizeof(ir_attr) * (size_t)(node->n_attrs + 1));
    check(a != NULL);
    node->attrs = a;
    a = &node->attrs[node->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = ir_strdup(name);
    check(a->name != NULL);
    a->type = type;
    return a;
}

void ib_attr_float(ir_graph *g, int n, const char *name, float v)
{
    new_attr(g, n, name, IR_ATTR_FLOAT)->f = v;
}

void ib_attr_int(ir_graph *g, int n, const char *name, int64_t v)
{
    new_attr(g, n, name, IR_ATTR_INT)->i = v;
}
