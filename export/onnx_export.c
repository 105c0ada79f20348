/* IR → ONNX ModelProto: names every tensor the graph uses (graph inputs and
 * outputs keep theirs, others are made distinct), writes the nodes, the
 * constants they read as initializers and the known shapes as value
 * infos, then packs the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef SCNNC_VERSION
#define SCNNC_VERSION "unknown"
#endif

/* Per-tensor facts gathered in one sweep over the live nodes. */
typedef struct usage {
    unsigned char *used;     /* read or written by a live node, or a graph input/output */
    unsigned char *produced; /* written by a live node */
    unsigned char *is_output;
} usage;

static int gather_usage(const ir_graph *g, usage *u, diag *d)
{
    size_t n = (size_t)g->n_tensors + 1;
    u->used = calloc(n, 1);
    u->produced = calloc(n, 1);
    u->is_output = calloc(n, 1);
    if (!u->used || !u->produced || !u->is_output)
        return diag_error(d, "out of memory");
    for (int i = 0; i < g->n_inputs; i++)
        u->used[g->inputs[i]] = 1;
    for (int i = 0; i < g->n_outputs; i++)
        u->used[g->outputs[i]] = u->is_output[g->outputs[i]] = 1;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        for (int k = 0; !n->dead && k < n->n_inputs; k++)
            if (n->inputs[k] >= 0)
                u->used[n->inputs[k]] = 1;
        for (int k = 0; !n->dead && k < n->n_outputs; k++)
            if (n->outputs[k] >= 0)
                u->used[n->outputs[k]] = u->produced[n->outputs[k]] = 1;
    }
    return 0;
}

static void free_usage(usage *u)
{
    free(u->used);
    free(u->produced);
    free(u->is_output);
}

/* Graph inputs and outputs keep their names (the model's interface); the
 * other tensors keep theirs unless taken or empty. Index order makes the
 * choice deterministic. */
static int assign_names(ox_ctx *c, const usage *u)
{
    const ir_graph *g = c->g;
    for (int pass = 0; pass < 2; pass++) {
        const int *list = pass ? g->outputs : g->inputs;
        int count = pass ? g->n_outputs : g->n_inputs;
        for (int i = 0; i < count; i++) {
            int t = list[i];
            const char *name = g->tensors[t].name;
            if (c->names[t])
                continue; /* an input that is also an output, or listed twice */
            if (!*name || name_map_get(c->taken, name) >= 0)
                return diag_error(c->d, "graph %s '%s': its name is empty or used by another "
                                  "tensor", pass ? "output" : "input", name);
            if (name_map_put(c->taken, name, t))
                return diag_error(c->d, "out of memory");
            c->names[t] = name;
        }
    }
    for (int t = 0; t < g->n_tensors; t++) {
        if (!u->used[t] || c->names[t])
            continue;
        const char *name = g->tensors[t].name;
        if (!*name && !(name = ox_printf(c->arena, "scnnc_tensor_%d", t)))
            return diag_error(c->d, "out of memory");
        if (!(c->names[t] = ox_fresh_name(c, name)))
            return -1;
    }
    return 0;
}

/* Every constant that no live node computes becomes an initializer; every
 * other value read must come from a graph input or a live node. */
static int add_initializers(ox_ctx *c, const usage *u)
{
    const ir_graph *g = c->g;
    int rc = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        if (!u->used[t] || u->produced[t] || x->input_index >= 0)
            continue;
        if (!x->data) {
            rc = diag_error(c->d, "tensor '%s' is used but neither a graph input, a constant "
                            "nor written by a node", x->name);
            continue;
        }
        Onnx__TensorProto *p = ox_tensor(c, c->names[t], x->dtype, &x->shape, x->data);
        if (!p)
            return -1;
        c->inits[c->n_inits++] = p;
    }
    return rc;
}

static int add_interface(ox_ctx *c, const int *list, int count, const char *what,
                         Onnx__ValueInfoProto ***out, size_t *n_out)
{
    *out = ox_alloc(c->arena, sizeof(**out) * ((size_t)count + 1));
    if (!*out)
        return diag_error(c->d, "out of memory");
    for (int i = 0; i < count; i++) {
        const ir_tensor *t = &c->g->tensors[list[i]];
        if (!t->has_shape)
            return diag_error(c->d, "graph %s '%s' has no known type and shape (shape "
                              "inference must run before export)", what, t->name);
        if (!((*out)[i] = ox_value_info(c, c->names[list[i]], t->dtype, &t->shape)))
            return -1;
    }
    *n_out = (size_t)count;
    return 0;
}

static int build_graph(ox_ctx *c, const usage *u, Onnx__GraphProto *gp)
{
    const ir_graph *g = c->g;
    /* Each live node may grow into itself, an Add and an activation (with
     * two Clip bounds as initializers and two intermediates). */
    size_t live = 0;
    for (int i = 0; i < g->n_nodes; i++)
        live += !g->nodes[i].dead;
    c->nodes = ox_alloc(c->arena, sizeof(*c->nodes) * (3 * live + 1));
    c->inits = ox_alloc(c->arena, sizeof(*c->inits) * ((size_t)g->n_tensors + 2 * live + 1));
    c->infos = ox_alloc(c->arena, sizeof(*c->infos) * ((size_t)g->n_tensors + 2 * live + 1));
    if (!c->nodes || !c->inits || !c->infos)
        return diag_error(c->d, "out of memory");
    if (assign_names(c, u) || add_initializers(c, u))
        return -1;
    int rc = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i].dead && ox_node(c, &g->nodes[i]))
            rc = -1; /* go on: one run reports every node that cannot be written */
    if (rc)
        return -1;
    gp->name = ox_str(g->name && *g->name ? g->name : "scnnc");
    gp->node = c->nodes;
    gp->n_node = c->n_nodes;
    gp->initializer = c->inits;
    gp->n_initializer = c->n_inits;
    gp->value_info = c->infos;
    gp->n_value_info = c->n_infos;
    if (add_interface(c, g->inputs, g->n_inputs, "input", &gp->input, &gp->n_input) ||
        add_interface(c, g->outputs, g->n_outputs, "output", &gp->output, &gp->n_output))
        return -1;
    return 0;
}

static int pack_model(ox_ctx *c, const usage *u, unsigned char **out, size_t *len)
{
    static const Onnx__ModelProto model_init = ONNX__MODEL_PROTO__INIT;
    static const Onnx__GraphProto graph_init = ONNX__GRAPH_PROTO__INIT;
    static const Onnx__OperatorSetIdProto opset_init = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    Onnx__ModelProto model = model_init;
    Onnx__GraphProto graph = graph_init;
    Onnx__OperatorSetIdProto opset = opset_init;
    Onnx__OperatorSetIdProto *opsets[1] = {&opset};
    if (c->g->opset < 1)
        return diag_error(c->d, "the graph has no ai.onnx opset version to export");
    if (build_graph(c, u, &graph))
        return -1;
    /* Nodes of other domains are refused, so ai.onnx is the only import. */
    opset.domain = ox_str("");
    opset.has_version = 1;
    opset.version = c->g->opset;
    model.has_ir_version = 1;
    model.ir_version = 8;
    model.producer_name = ox_str("scnnc");
    model.producer_version = ox_str(SCNNC_VERSION);
    model.opset_import = opsets;
    model.n_opset_import = 1;
    model.graph = &graph;
    size_t size = onnx__model_proto__get_packed_size(&model);
    *out = malloc(size ? size : 1);
    if (!*out)
        return diag_error(c->d, "out of memory for a %zu-byte ONNX model", size);
    *len = onnx__model_proto__pack(&model, *out);
    return 0;
}

int onnx_export(const ir_graph *g, unsigned char **out, size_t *len, diag *d)
{
    *out = NULL;
    *len = 0;
    ox_ctx c = {.g = g, .d = d};
    usage u = {0};
    c.arena = ox_arena_new();
    c.taken = name_map_new();
    c.names = calloc((size_t)g->n_tensors + 1, sizeof *c.names);
    int rc;
    if (!c.arena || !c.taken || !c.names) {
        rc = diag_error(d, "out of memory");
    } else {
        rc = gather_usage(g, &u, d);
        c.is_output = u.is_output;
        if (!rc)
            rc = pack_model(&c, &u, out, len);
    }
    free_usage(&u);
    free(c.names);
    name_map_free(c.taken);
    ox_arena_free(c.arena);
    return rc;
}
