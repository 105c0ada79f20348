/* Direct IR construction for tests (see ir_build.h). */
#include "ir_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

static void check(int ok)
{
    if (!ok) {
        fprintf(stderr, "ir_build: out of memory\n");
        abort();
    }
}

ir_graph *ib_graph(int64_t opset)
{
    ir_graph *g = ir_graph_new();
    check(g != NULL);
    g->opset = opset;
    return g;
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

int ib_input(ir_graph *g, const char *name, ir_dtype dtype, int rank, const int64_t *dims)
{
    int t = ib_tensor(g, name, dtype, rank, dims);
    ib_mark_input(g, t);
    return t;
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

int ib_op(ir_graph *g, const char *op, const int *ins, int n_in, int n_out, int *outs)
{
    int ys[IB_MAX_OUTPUTS] = {0};
    check(n_out <= IB_MAX_OUTPUTS);
    for (int i = 0; i < n_out; i++) {
        char name[8] = {'y', (char)('0' + i), 0};
        ys[i] = ir_graph_add_tensor(g, name);
        check(ys[i] >= 0);
    }
    int n = ib_node(g, op, op, ins, n_in, ys, n_out);
    for (int i = 0; i < n_out; i++) {
        ib_mark_output(g, ys[i]);
        if (outs)
            outs[i] = ys[i];
    }
    return n;
}

void ib_attr_string(ir_graph *g, int n, const char *name, const char *v)
{
    ir_attr *a = new_attr(g, n, name, IR_ATTR_STRING);
    a->s = ir_strdup(v);
    check(a->s != NULL);
}

/* count elements of `size` bytes copied from v (never a zero-byte malloc). */
static void *copy_of(const void *v, int count, size_t size)
{
    void *p = malloc(size * (size_t)(count > 0 ? count : 1));
    check(p != NULL);
    if (count > 0)
        memcpy(p, v, size * (size_t)count);
    return p;
}

void ib_attr_ints(ir_graph *g, int n, const char *name, int count, const int64_t *v)
{
    ir_attr *a = new_attr(g, n, name, IR_ATTR_INTS);
    a->ints = copy_of(v, count, sizeof *v);
    a->count = count;
}

void ib_attr_floats(ir_graph *g, int n, const char *name, int count, const float *v)
{
    ir_attr *a = new_attr(g, n, name, IR_ATTR_FLOATS);
    a->floats = copy_of(v, count, sizeof *v);
    a->count = count;
}

void ib_attr_strings(ir_graph *g, int n, const char *name, int count, const char *const *v)
{
    ir_attr *a = new_attr(g, n, name, IR_ATTR_STRINGS);
    a->strings = calloc((size_t)(count > 0 ? count : 1), sizeof(char *));
    check(a->strings != NULL);
    a->count = count;
    for (int i = 0; i < count; i++) {
        a->strings[i] = ir_strdup(v[i]);
        check(a->strings[i] != NULL);
    }
}

void ib_attr_tensor(ir_graph *g, int n, const char *name, ir_dtype dtype, int rank,
                    const int64_t *dims, const void *data)
{
    ir_attr *a = new_attr(g, n, name, IR_ATTR_TENSOR);
    a->tensor = calloc(1, sizeof *a->tensor);
    check(a->tensor != NULL);
    a->tensor->dtype = dtype;
    a->tensor->shape.rank = rank;
    for (int i = 0; i < rank; i++)
        a->tensor->shape.dims[i] = dims[i];
    a->tensor->data = copy_of(data, (int)ir_shape_numel(&a->tensor->shape), ir_dtype_size(dtype));
}

int ib_compile(ir_graph *g, const char *prefix, ib_code *code)
{
    diag d;
    diag_init(&d);
    memset(code, 0, sizeof *code);
    codegen_options o = {.prefix = prefix, .command_line = "test"};
    int rc = pass_run_pipeline(g, NULL, &d);
    if (rc == 0)
        rc = codegen_emit(g, &o, &code->c, &code->h, &code->blob, &d);
    if (rc)
        diag_print(&d, stderr, "ib_compile");
    diag_free(&d);
    return rc;
}

void ib_code_free(ib_code *code)
{
    cg_buf_free(&code->c);
    cg_buf_free(&code->h);
    cg_buf_free(&code->blob);
}

/* ---- checks ------------------------------------------------------------------ */

int ib_infer_ok(ir_graph *g)
{
    diag d;
    diag_init(&d);
    int rc = pass_infer_shapes(g, &d);
    if (rc)
        diag_print(&d, stderr, "ib_infer_ok: shape inference refused");
    diag_free(&d);
    return rc == 0;
}

int ib_mentions(const diag *d, const char *needle)
{
    for (int i = 0; i < d->n_errors; i++)
        if (strstr(d->errors[i], needle))
            return 1;
    fprintf(stderr, "no error mentions \"%s\"\n", needle);
    diag_print(d, stderr, "test graph");
    return 0;
}

int ib_refuses(ir_graph *g, const char *needle)
{
    diag d;
    diag_init(&d);
    int ok;
    if (pass_infer_shapes(g, &d) == 0) {
        fprintf(stderr, "shape inference did not refuse (expected \"%s\")\n", needle);
        ok = 0;
    } else {
        ok = ib_mentions(&d, needle);
    }
    diag_free(&d);
    return ok;
}

int ib_has_shape(const ir_tensor *t, ir_dtype dt, int rank, const int64_t *dims)
{
    ir_shape want = {.rank = rank};
    for (int i = 0; i < rank; i++)
        want.dims[i] = dims[i];
    if (t->has_shape && t->dtype == dt && ir_shape_equal(&t->shape, &want))
        return 1;
    char a[96], b[96];
    fprintf(stderr, "tensor '%s' is %s %s, expected %s %s\n", t->name,
            t->has_shape ? ir_dtype_name(t->dtype) : "(unknown)",
            t->has_shape ? ir_shape_str(&t->shape, a, sizeof a) : "", ir_dtype_name(dt),
            ir_shape_str(&want, b, sizeof b));
    return 0;
}
