/* The reference interpreter: sets the graph inputs as constants and lets
 * every node's eval make its outputs constant, in node order; intermediate
 * values are dropped after their last reader. */
#include <stdlib.h>
#include <string.h>

#include "interpret.h"
#include "ops/ops.h"

void ir_interpret_free(ir_value *values, int count)
{
    for (int i = 0; values && i < count; i++) {
        free(values[i].data);
        memset(&values[i], 0, sizeof values[i]);
    }
}

static int check_inputs(const ir_graph *g, const ir_value *inputs, diag *d)
{
    int rc = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        const ir_value *v = &inputs[i];
        if (!t->has_shape)
            rc = diag_error(d, "interpreter: the shape of input '%s' is unknown", t->name);
        else if (v->dtype != t->dtype || !ir_shape_equal(&v->shape, &t->shape) || !v->data) {
            char a[96], b[96];
            rc = diag_error(d,
                            "interpreter: input '%s' was given as %s %s; the model expects %s %s",
                            t->name, ir_dtype_name(v->dtype), ir_shape_str(&v->shape, a, sizeof a),
                            ir_dtype_name(t->dtype), ir_shape_str(&t->shape, b, sizeof b));
        }
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (!g->tensors[g->outputs[i]].has_shape)
            rc = diag_error(d,
                            "interpreter: the shape of output '%s' is unknown (infer shapes first)",
                            g->tensors[g->outputs[i]].name);
    return rc;
}

/* Sets made[t] for each graph input given its value as a copy. */
static int set_inputs(ir_graph *g, const ir_value *inputs, char *made, diag *d)
{
    for (int i = 0; i < g->n_inputs; i++) {
        ir_tensor *t = &g->tensors[g->inputs[i]];
        if (t->data)
            continue; /* the same tensor listed twice */
        size_t bytes = ir_tensor_bytes(t);
        t->data = ir_alloc(bytes ? bytes : 1);
        if (!t->data)
            return diag_error(d, "interpreter: out of memory");
        memcpy(t->data, inputs[i].data, bytes);
        made[g->inputs[i]] = 1;
    }
    return 0;
}

/* Runs node n: nothing to do when constant folding left it with constant
 * outputs; else its eval must compute them. Marks the outputs it makes
 * (an output that was already constant is recomputed alike and kept). */
static int run_node(ir_graph *g, ir_node *n, char *made, diag *d)
{
    int todo = 0;
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && !g->tensors[n->outputs[k]].data)
            todo = made[n->outputs[k]] = 1;
    if (!todo)
        return 0;
    const op_handler *h = *n->domain && strcmp(n->domain, "ai.onnx") != 0 ? NULL : op_find(n->op);
    if (!h || !h->eval)
        return diag_node(d, n->name, n->op,
                         "cannot be interpreted: the operator has no reference evaluation");
    int rc = h->eval(g, n, d);
    if (rc < 0)
        return -1;
    for (int k = 0; k < n->n_outputs; k++)
        if (n->outputs[k] >= 0 && (rc == 0 || !g->tensors[n->outputs[k]].data))
            return diag_node(d, n->name, n->op,
                             "cannot be interpreted: its reference evaluation does not cover "
                             "this case");
    return 0;
}

/* last[t]: the index of the last node reading tensor t (-1 for none);
 * graph outputs are never dropped. */
static void last_readers(const ir_graph *g, int *last)
{
    for (int t = 0; t < g->n_tensors; t++)
        last[t] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0)
                last[g->nodes[i].inputs[k]] = i;
    for (int i = 0; i < g->n_outputs; i++)
        last[g->outputs[i]] = g->n_nodes;
}

static void drop(ir_graph *g, char *made, int t)
{
    free(g->tensors[t].data);
    g->tensors[t].data = NULL;
    made[t] = 0;
}

static int copy_outputs(const ir_graph *g, ir_value *outputs, diag *d)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        size_t bytes = ir_tensor_bytes(t);
        outputs[i].dtype = t->dtype;
        outputs[i].shape = t->shape;
        outputs[i].data = ir_alloc(bytes ? bytes : 1);
        if (!outputs[i].data) {
            ir_interpret_free(outputs, i);
            return diag_error(d, "interpreter: out of memory");
        }
        memcpy(outputs[i].data, t->data, bytes);
    }
    return 0;
}

int ir_interpret(ir_graph *g, const ir_value *inputs, ir_value *outputs, diag *d)
{
    if (check_inputs(g, inputs, d))
        return -1;
    char *made = ir_alloc((size_t)g->n_tensors + 1);
    int *last = ir_alloc(sizeof(int) * ((size_t)g->n_tensors + 1));
    int rc = made && last ? set_inputs(g, inputs, made, d)
                          : diag_error(d, "interpreter: out of memory");
    if (rc == 0)
        last_readers(g, last);
    for (int i = 0; rc == 0 && i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        rc = run_node(g, n, made, d);
        for (int k = 0; rc == 0 && k < n->n_inputs; k++) {
            int t = n->inputs[k];
            if (t >= 0 && made[t] && last[t] == i)
                drop(g, made, t);
        }
    }
    if (rc == 0)
        rc = copy_outputs(g, outputs, d);
    for (int t = 0; made && t < g->n_tensors; t++)
        if (made[t])
            drop(g, made, t);
    free(made);
    free(last);
    return rc;
}
