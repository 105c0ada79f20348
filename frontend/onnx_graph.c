/* Builds the graph IR from an unpacked ModelProto: graph inputs with their
 * (possibly symbolic) shapes, initializers, Constant nodes as constants,
 * nodes with their attributes, and model-local functions inlined. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "wire_check.h"

#define MAX_FILE_BYTES ((uint64_t)1 << 32)
#define MAX_NESTING 48
#define MAX_INLINE_DEPTH 16
/* Nodes and function calls after inlining: functions calling each other a
 * few times per level would otherwise expand a small file exponentially. */
#define MAX_NODES (1 << 18)

typedef struct loader {
    ir_graph *g;
    name_map *names;
    const Onnx__ModelProto *model;
    const frontend_options *opt;
    const char *base_dir;
    diag *d;
    int inline_counter;
    int too_big; /* MAX_NODES was reached (reported once) */
} loader;

/* Where a function body's names resolve: formal parameters map to the
 * caller's tensors, everything else gets a unique prefix. */
typedef struct scope {
    const Onnx__FunctionProto *fn;
    const Onnx__NodeProto *call;
    const struct scope *parent;
    int *formal_in, *formal_out; /* graph tensor index per formal, -1 when absent */
    char prefix[96];
    int depth;
} scope;

static int tensor_for(loader *L, const char *name)
{
    int t = name_map_get(L->names, name);
    if (t >= 0)
        return t;
    t = ir_graph_add_tensor(L->g, name);
    if (t < 0 || name_map_put(L->names, name, t))
        return diag_error(L->d, "out of memory");
    return t;
}

/* Resolves a name used inside a scope to a graph tensor (-1 = absent). */
static int resolve(loader *L, const scope *s, const char *name, int *out)
{
    if (!name || !*name) {
        *out = -1;
        return 0;
    }
    if (s) {
        for (size_t i = 0; i < s->fn->n_input; i++)
            if (strcmp(s->fn->input[i], name) == 0) {
                *out = s->formal_in[i];
                return 0;
            }
        for (size_t i = 0; i < s->fn->n_output; i++)
            if (strcmp(s->fn->output[i], name) == 0) {
                *out = s->formal_out[i];
                return 0;
            }
        char full[1024];
        snprintf(full, sizeof full, "%s%s", s->prefix, name);
        *out = tensor_for(L, full);
        return *out < 0 ? -1 : 0;
    }
    *out = tensor_for(L, name);
    return *out < 0 ? -1 : 0;
}

static int set_dims_from_type(loader *L, ir_tensor *t, const Onnx__TypeProto *type,
                              const char *what)
{
    if (!type || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !type->tensor_type)
        return diag_error(L->d, "%s '%s': only tensor types are supported", what, t->name);
    const Onnx__TypeProto__Tensor *tt = type->tensor_type;
    int dt = tt->has_elem_type ? tt->elem_type : 0;
    if (!ir_dtype_supported(dt))
        return diag_error(L->d, "%s '%s': element type %s is not supported", what, t->name,
                          ir_dtype_name(dt));
    if (!tt->shape)
        return diag_error(L->d, "%s '%s': has no shape (its rank must be known)", what, t->name);
    if (tt->shape->n_dim > IR_MAX_RANK)
        return diag_error(L->d, "%s '%s': rank %zu exceeds %d", what, t->name, tt->shape->n_dim,
                          IR_MAX_RANK);
    ir_shape s = {.rank = (int)tt->shape->n_dim};
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[i];
        if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (dim->dim_value < 0)
                return diag_error(L->d, "%s '%s': negative dimension", what, t->name);
            s.dims[i] = dim->dim_value;
            continue;
        }
        const char *param = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? dim->dim_param : NULL;
        int found = 0;
        for (int k = 0; param && k < L->opt->n_dims; k++)
            if (strcmp(L->opt->dims[k].name, param) == 0) {
                s.dims[i] = L->opt->dims[k].value;
                found = 1;
            }
        if (!found) {
            s.dims[i] = 1;
            if (param)
                diag_warning(L->d, "%s '%s': symbolic dimension '%s' has no value (use --dim "
                             "%s=N); using 1", what, t->name, param, param);
            else
                diag_warning(L->d, "%s '%s': dimension %zu is unknown; using 1", what, t->name, i);
        }
    }
    if (!ir_shape_fits(&s, (ir_dtype)dt))
        return diag_error(L->d, "%s '%s': larger than the %lld bytes scnnc accepts", what,
                          t->name, (long long)IR_MAX_TENSOR_BYTES);
    ir_tensor_set_type(t, (ir_dtype)dt, &s);
    return 0;
}

static int copy_attr(loader *L, const Onnx__AttributeProto *ap, ir_attr *a, const char *node)
{
    a->name = ir_strdup(ap->name);
    if (!a->name)
        return diag_error(L->d, "out of memory");
    a->type = ap->has_type ? (ir_attr_type)ap->type : IR_ATTR_UNDEFINED;
    switch (a->type) {
    case IR_ATTR_FLOAT: a->f = ap->f; break;
    case IR_ATTR_INT: a->i = ap->i; break;
    case IR_ATTR_STRING:
        a->s = ir_alloc(ap->s.len + 1);
        if (!a->s)
            return diag_error(L->d, "out of memory");
        if (ap->s.len)
            memcpy(a->s, ap->s.data, ap->s.len);
        break;
    case IR_ATTR_FLOATS:
        a->count = (int)ap->n_floats;
        a->floats = ir_alloc(sizeof(float) * ap->n_floats);
        if (!a->floats)
            return diag_error(L->d, "out of memory");
        if (ap->n_floats)
            memcpy(a->floats, ap->floats, sizeof(float) * ap->n_floats);
        break;
    case IR_ATTR_INTS:
        a->count = (int)ap->n_ints;
        a->ints = ir_alloc(sizeof(int64_t) * ap->n_ints);
        if (!a->ints)
            return diag_error(L->d, "out of memory");
        if (ap->n_ints)
            memcpy(a->ints, ap->ints, sizeof(int64_t) * ap->n_ints);
        break;
    case IR_ATTR_STRINGS:
        a->count = (int)ap->n_strings;
        a->strings = ir_alloc(sizeof(char *) * ap->n_strings);
        if (!a->strings)
            return diag_error(L->d, "out of memory");
        for (size_t i = 0; i < ap->n_strings; i++) {
            a->strings[i] = ir_alloc(ap->strings[i].len + 1);
            if (!a->strings[i])
                return diag_error(L->d, "out of memory");
            if (ap->strings[i].len)
                memcpy(a->strings[i], ap->strings[i].data, ap->strings[i].len);
        }
        break;
    case IR_ATTR_TENSOR: {
        if (!ap->t)
            return diag_error(L->d, "node '%s': attribute '%s' has no tensor", node, ap->name);
        a->tensor = ir_alloc(sizeof(ir_value));
        if (!a->tensor)
            return diag_error(L->d, "out of memory");
        char what[512];
        snprintf(what, sizeof what, "node '%s' attribute '%s'", node, ap->name);
        if (tensor_proto_decode(ap->t, L->base_dir, what, a->tensor, L->d))
            return -1;
        break;
    }
    case IR_ATTR_GRAPH:
        break; /* kept by type only: the ops that take subgraphs are refused */
    default:
        a->type = IR_ATTR_OTHER;
        break;
    }
    return 0;
}

static const Onnx__FunctionProto *find_function(const loader *L, const char *domain,
                                                const char *op)
{
    for (size_t i = 0; i < L->model->n_functions; i++) {
        const Onnx__FunctionProto *f = L->model->functions[i];
        if (f->name && strcmp(f->name, op) == 0 &&
            strcmp(f->domain ? f->domain : "", domain) == 0)
            return f;
    }
    return NULL;
}

/* Looks an attribute of the calling node up by name (for ref_attr_name). */
static const Onnx__AttributeProto *call_attr(const scope *s, const char *name)
{
    for (size_t i = 0; s && i < s->call->n_attribute; i++)
        if (s->call->attribute[i]->name && strcmp(s->call->attribute[i]->name, name) == 0)
            return s->call->attribute[i];
    return NULL;
}

static int add_node(loader *L, const Onnx__NodeProto *np, const scope *s);

static int inline_function(loader *L, const Onnx__NodeProto *np, const Onnx__FunctionProto *fn,
                           const scope *outer)
{
    int depth = outer ? outer->depth + 1 : 1;
    if (depth > MAX_INLINE_DEPTH)
        return diag_error(L->d, "node '%s': functions nest deeper than %d (recursive?)",
                          np->name ? np->name : "", MAX_INLINE_DEPTH);
    scope s = {.fn = fn, .call = np, .parent = outer, .depth = depth};
    s.formal_in = malloc(sizeof(int) * (fn->n_input + 1));
    s.formal_out = malloc(sizeof(int) * (fn->n_output + 1));
    int rc = 0;
    if (!s.formal_in || !s.formal_out) {
        rc = diag_error(L->d, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < fn->n_input; i++)
        if (resolve(L, outer, i < np->n_input ? np->input[i] : "", &s.formal_in[i])) {
            rc = -1;
            goto out;
        }
    for (size_t i = 0; i < fn->n_output; i++)
        if (resolve(L, outer, i < np->n_output ? np->output[i] : "", &s.formal_out[i])) {
            rc = -1;
            goto out;
        }
    snprintf(s.prefix, sizeof s.prefix, "%s/%s#%d/", np->name ? np->name : "", fn->name,
             L->inline_counter++);
    for (size_t i = 0; i < fn->n_node && !rc; i++)
        rc = add_node(L, fn->node[i], &s);
out:
    free(s.formal_in);
    free(s.formal_out);
    return rc;
}

/* A Constant node becomes a constant tensor straight away. */
static int add_constant(loader *L, const Onnx__NodeProto *np, int out)
{
    const char *node = np->name ? np->name : "";
    if (np->n_attribute != 1)
        return diag_error(L->d, "node '%s' (Constant): needs exactly one value attribute", node);
    const Onnx__AttributeProto *ap = np->attribute[0];
    ir_tensor *t = &L->g->tensors[out];
    ir_value v = {0};
    char what[512];
    snprintf(what, sizeof what, "node '%s' (Constant)", node);
    const char *an = ap->name ? ap->name : "";
    if (strcmp(an, "value") == 0 && ap->t) {
        if (tensor_proto_decode(ap->t, L->base_dir, what, &v, L->d))
            return -1;
    } else if (strcmp(an, "value_float") == 0 || strcmp(an, "value_int") == 0) {
        v.dtype = an[6] == 'f' ? IR_FLOAT : IR_INT64;
        v.data = ir_alloc(8);
        if (!v.data)
            return diag_error(L->d, "out of memory");
        if (v.dtype == IR_FLOAT)
            *(float *)v.data = ap->f;
        else
            *(int64_t *)v.data = ap->i;
    } else if (strcmp(an, "value_floats") == 0 || strcmp(an, "value_ints") == 0) {
        int fl = an[6] == 'f';
        size_t n = fl ? ap->n_floats : ap->n_ints;
        v.dtype = fl ? IR_FLOAT : IR_INT64;
        v.shape.rank = 1;
        v.shape.dims[0] = (int64_t)n;
        v.data = ir_alloc(n * (fl ? 4 : 8));
        if (!v.data)
            return diag_error(L->d, "out of memory");
        if (n)
            memcpy(v.data, fl ? (void *)ap->floats : (void *)ap->ints, n * (fl ? 4 : 8));
    } else {
        return diag_error(L->d, "%s: attribute '%s' is not supported (string and sparse "
                          "constants are not)", what, an);
    }
    /* Names are assigned once: a Constant may not redefine an input, an
     * initializer or another Constant. */
    if (t->data || t->input_index >= 0) {
        free(v.data);
        return diag_error(L->d, "%s: its output '%s' is already a graph input, an initializer "
                          "or a constant", what, t->name);
    }
    ir_tensor_set_type(t, v.dtype, &v.shape);
    t->data = v.data;
    return 0;
}

static int check_size(loader *L)
{
    if (L->g->n_nodes < MAX_NODES && L->inline_counter < MAX_NODES)
        return 0;
    if (!L->too_big)
        diag_error(L->d, "the model has, or expands through its functions to, more than %d "
                   "nodes", MAX_NODES);
    L->too_big = 1;
    return -1;
}

static int add_node(loader *L, const Onnx__NodeProto *np, const scope *s)
{
    if (check_size(L))
        return -1;
    const char *op = np->op_type ? np->op_type : "";
    const char *domain = np->domain ? np->domain : "";
    const Onnx__FunctionProto *fn = find_function(L, domain, op);
    if (fn)
        return inline_function(L, np, fn, s);
    char name[1024];
    if (np->name && *np->name)
        snprintf(name, sizeof name, "%s%s", s ? s->prefix : "", np->name);
    else /* unnamed nodes get "Op#k" so that messages can point at them */
        snprintf(name, sizeof name, "%s%s#%d", s ? s->prefix : "", op, L->g->n_nodes);
    if (!*domain || strcmp(domain, "ai.onnx") == 0) {
        if (strcmp(op, "Constant") == 0) {
            int out;
            if (np->n_output != 1 || resolve(L, s, np->output[0], &out) || out < 0)
                return diag_error(L->d, "node '%s' (Constant): needs one output", name);
            return add_constant(L, np, out);
        }
    }
    if (np->n_input > 4096 || np->n_output > 4096 || np->n_attribute > 4096)
        return diag_error(L->d, "node '%s' (%s): too many inputs, outputs or attributes", name,
                          op);
    int ni = ir_graph_add_node(L->g, name, op, domain, (int)np->n_input, (int)np->n_output);
    if (ni < 0)
        return diag_error(L->d, "out of memory");
    for (size_t i = 0; i < np->n_input; i++) {
        int t;
        if (resolve(L, s, np->input[i], &t))
            return -1;
        L->g->nodes[ni].inputs[i] = t;
    }
    for (size_t i = 0; i < np->n_output; i++) {
        int t;
        if (resolve(L, s, np->output[i], &t))
            return -1;
        L->g->nodes[ni].outputs[i] = t;
    }
    ir_node *n = &L->g->nodes[ni];
    n->attrs = ir_alloc(sizeof(ir_attr) * (np->n_attribute + 1));
    if (!n->attrs)
        return diag_error(L->d, "out of memory");
    for (size_t i = 0; i < np->n_attribute; i++) {
        const Onnx__AttributeProto *ap = np->attribute[i];
        if (ap->ref_attr_name && *ap->ref_attr_name) {
            /* Attribute reference inside a function: take the caller's value,
             * or leave the attribute out so the op's default applies. */
            const Onnx__AttributeProto *actual = call_attr(s, ap->ref_attr_name);
            if (!actual)
                continue;
            if (copy_attr(L, actual, &n->attrs[n->n_attrs], name))
                return -1;
            free(n->attrs[n->n_attrs].name);
            n->attrs[n->n_attrs].name = ir_strdup(ap->name);
        } else if (copy_attr(L, ap, &n->attrs[n->n_attrs], name)) {
            return -1;
        }
        n->n_attrs++;
        if (!n->attrs[n->n_attrs - 1].name)
            return diag_error(L->d, "out of memory");
    }
    return 0;
}

static int build(loader *L)
{
    const Onnx__ModelProto *m = L->model;
    ir_graph *g = L->g;
    const Onnx__GraphProto *gp = m->graph;
    if (!gp)
        return diag_error(L->d, "the model has no graph");
    g->name = ir_strdup(gp->name ? gp->name : "");
    g->opset = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *dom = m->opset_import[i]->domain ? m->opset_import[i]->domain : "";
        if (!*dom || strcmp(dom, "ai.onnx") == 0)
            g->opset = m->opset_import[i]->version;
    }
    if (g->opset < 0)
        return diag_error(L->d, "the model imports no ai.onnx opset");
    if (gp->n_sparse_initializer)
        diag_error(L->d, "sparse initializers are not supported");

    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        const char *nm = tp->name ? tp->name : "";
        int t = tensor_for(L, nm);
        if (t < 0)
            return -1;
        char what[512];
        snprintf(what, sizeof what, "initializer '%s'", nm);
        ir_value v;
        if (tensor_proto_decode(tp, L->base_dir, what, &v, L->d))
            continue;
        ir_tensor *tt = &g->tensors[t];
        if (tt->data) {
            free(v.data);
            diag_error(L->d, "%s is listed twice", what);
            continue;
        }
        ir_tensor_set_type(tt, v.dtype, &v.shape);
        tt->data = v.data;
    }
    g->inputs = ir_alloc(sizeof(int) * (gp->n_input + 1));
    g->outputs = ir_alloc(sizeof(int) * (gp->n_output + 1));
    if (!g->inputs || !g->outputs)
        return diag_error(L->d, "out of memory");
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *nm = gp->input[i]->name ? gp->input[i]->name : "";
        int t = tensor_for(L, nm);
        if (t < 0)
            return -1;
        if (g->tensors[t].data)
            continue; /* an initializer: its default value is used as a constant */
        if (g->tensors[t].input_index >= 0)
            return diag_error(L->d, "graph input '%s' is listed twice", nm);
        if (set_dims_from_type(L, &g->tensors[t], gp->input[i]->type, "graph input"))
            continue;
        g->tensors[t].input_index = g->n_inputs;
        g->inputs[g->n_inputs++] = t;
    }
    /* Every node is added even after a failure, so that one run reports all
     * problems; add_node records its own. */
    for (size_t i = 0; i < gp->n_node; i++)
        add_node(L, gp->node[i], NULL);
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *nm = gp->output[i]->name ? gp->output[i]->name : "";
        int t = name_map_get(L->names, nm);
        if (t < 0)
            return diag_error(L->d, "graph output '%s' is not produced by anything", nm);
        g->outputs[g->n_outputs++] = t;
        if (g->tensors[t].output_index < 0)
            g->tensors[t].output_index = (int)i;
    }
    if (g->n_outputs == 0)
        diag_error(L->d, "the graph has no outputs");
    /* Single assignment: a node output may not also be a graph input, an
     * initializer or a constant (whose value would silently win). */
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_outputs; k++) {
            int t = g->nodes[i].outputs[k];
            if (t >= 0 && (g->tensors[t].data || g->tensors[t].input_index >= 0))
                diag_node(L->d, g->nodes[i].name, g->nodes[i].op,
                          "output '%s' is already a graph input, an initializer or a constant",
                          g->tensors[t].name);
        }
    if (diag_has_errors(L->d))
        return -1;
    return ir_graph_toposort(g, L->d);
}

int frontend_load_buffer(const uint8_t *buf, size_t len, const char *base_dir,
                         const frontend_options *opt, ir_graph **out, diag *d)
{
    static const frontend_options no_options = {0};
    *out = NULL;
    if (wire_check(buf, len, &onnx__model_proto__descriptor, MAX_NESTING, d))
        return -1;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        return diag_error(d, "not a valid ONNX model (protobuf decoding failed)");
    loader L = {.model = m, .opt = opt ? opt : &no_options, .base_dir = base_dir, .d = d};
    L.g = ir_graph_new();
    L.names = name_map_new();
    int rc;
    if (!L.g || !L.names)
        rc = diag_error(d, "out of memory");
    else
        rc = build(&L);
    name_map_free(L.names);
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc || diag_has_errors(d)) {
        ir_graph_free(L.g);
        return -1;
    }
    *out = L.g;
    return 0;
}

int frontend_load_file(const char *path, const frontend_options *opt, ir_graph **out, diag *d)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_error(d, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return diag_error(d, "'%s' is not a regular file", path);
    }
    if ((uint64_t)st.st_size > MAX_FILE_BYTES) {
        fclose(f);
        return diag_error(d, "'%s' is larger than 4 GiB", path);
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(f);
        return diag_error(d, "out of memory reading '%s'", path);
    }
    size_t got = fread(buf, 1, len, f);
    fclose(f);
    if (got != len) {
        free(buf);
        return diag_error(d, "cannot read '%s'", path);
    }
    if (len == 0) {
        free(buf);
        return diag_error(d, "'%s' is empty", path);
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    else
        snprintf(dir, sizeof dir, ".");
    int rc = frontend_load_buffer(buf, len, dir, opt, out, d);
    free(buf);
    return rc;
}
