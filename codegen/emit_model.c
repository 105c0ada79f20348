/* The generated source file: banner, weights, arena, one kernel per node,
 * the invoke functions and the typed API. */
#include <string.h>

#include "internal.h"

/* "name[N]", or "*name" for an empty tensor (C has no zero-size arrays). */
static void emit_array_param(cg_buf *c, const char *name, int64_t count)
{
    if (count > 0)
        cg_printf(c, "%s[%lld]", name, (long long)count);
    else
        cg_printf(c, "*%s", name);
}

static void emit_typed_signature(cg_buf *c, const ir_graph *g, const codegen_options *o,
                                 const io_names *names, int ws)
{
    cg_printf(c, "int %s_run%s(", o->prefix, ws ? "_ws" : "");
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        cg_printf(c, "%sconst %s ", i ? ", " : "", ir_dtype_ctype(t->dtype));
        emit_array_param(c, names->in[i], ir_tensor_numel(t));
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        cg_printf(c, "%s%s ", i || g->n_inputs ? ", " : "", ir_dtype_ctype(t->dtype));
        emit_array_param(c, names->out[i], ir_tensor_numel(t));
    }
    cg_printf(c, "%s)", ws ? ", void *workspace" : "");
}

static void emit_typed(cg_buf *c, const ir_graph *g, const codegen_options *o,
                       const io_names *names, int ws)
{
    const char *p = o->prefix;
    emit_typed_signature(c, g, o, names, ws);
    cg_printf(c, "\n{\n    const void *inputs[%d] = {", g->n_inputs ? g->n_inputs : 1);
    for (int i = 0; i < g->n_inputs; i++)
        cg_printf(c, "%s%s", i ? ", " : "", names->in[i]);
    cg_printf(c, "%s};\n    void *outputs[%d] = {", g->n_inputs ? "" : "0", g->n_outputs);
    for (int i = 0; i < g->n_outputs; i++)
        cg_printf(c, "%s%s", i ? ", " : "", names->out[i]);
    cg_printf(c, "};\n    return %s_invoke%s(inputs, outputs%s);\n}\n\n", p, ws ? "_ws" : "",
              ws ? ", workspace" : "");
}

/* Graph outputs that no kernel wrote in place (an input or a constant passed
 * through, or one tensor listed twice) are copied at the end. */
static void emit_output_copies(cg_ctx *c)
{
    const ir_graph *g = c->g;
    for (int j = 0; j < g->n_outputs; j++) {
        const ir_tensor *t = &g->tensors[g->outputs[j]];
        if ((t->storage == IR_STORE_OUTPUT && t->output_index == j) || ir_tensor_bytes(t) == 0)
            continue;
        char ref[160];
        cg_printf(c->body, "    memcpy(outputs[%d], %s, %zu);\n", j,
                  cg_ref(c, g->outputs[j], ref, sizeof ref), ir_tensor_bytes(t));
    }
}

static int emit_nodes(cg_ctx *c, diag *d)
{
    int rc = 0;
    for (int i = 0; i < c->g->n_nodes; i++) {
        const ir_node *n = &c->g->nodes[i];
        const emit_handler *h = emit_find(n->op);
        if (!h) {
            rc = diag_node(d, n->name, n->op, "no code generator for this operator");
            continue;
        }
        c->node = i;
        if (h->emit(c, n, d))
            rc = -1;
    }
    return rc;
}

int codegen_emit(const ir_graph *g, const codegen_options *o, cg_buf *c_src, cg_buf *h_src,
                 cg_buf *weights_blob, diag *d)
{
    const char *p = o->prefix;
    io_names names;
    if (io_names_make(g, &names, d))
        return -1;
    cg_buf kernels = {0}, body = {0};
    int weights_referenced = 0;
    int64_t weights_bytes = g->weights_bytes;
    cg_ctx ctx = {.g = g, .opt = o, .kernels = &kernels, .body = &body,
                  .weights_referenced = &weights_referenced};
    int rc = emit_nodes(&ctx, d);
    emit_output_copies(&ctx);
    if (rc == 0) {
        emit_banner(c_src, g, o, "Model code");
        cg_printf(c_src, "#include <stdint.h>\n#include <stddef.h>\n#include <string.h>\n"
                         "#include <math.h>\n\n");
        /* The .c is self-contained: it declares what it defines, so that it
         * includes nothing but standard headers. */
        cg_printf(c_src, "int %s_invoke(const void *const inputs[], void *const outputs[]);\n"
                         "int %s_invoke_ws(const void *const inputs[], void *const outputs[], "
                         "void *workspace);\n",
                  p, p);
        for (int ws = 0; ws < 2; ws++) {
            emit_typed_signature(c_src, g, o, &names, ws);
            cg_printf(c_src, ";\n");
        }
        if (o->external_weights)
            cg_printf(c_src, "void %s_bind_weights(const void *weights);\n", p);
        cg_printf(c_src, "\n");
        /* Constants that every kernel baked into its code need no blob. */
        if (!weights_referenced && !o->external_weights)
            weights_bytes = 0;
        else
            rc = emit_weights(g, o, c_src, weights_blob, d);
    }
    if (rc == 0) {
        cg_printf(c_src, "static union {\n    unsigned char bytes[%lld];\n    double align_f64;\n"
                         "    int64_t align_i64;\n} %s_arena;\n\n",
                  (long long)(g->arena_bytes ? g->arena_bytes : 1), p);
        if (kernels.s)
            cg_write(c_src, kernels.s, kernels.len);
        cg_printf(c_src, "int %s_invoke_ws(const void *const inputs[], void *const outputs[], "
                         "void *workspace)\n{\n    unsigned char *ws = (unsigned char *)workspace;\n"
                         "    (void)inputs;\n    (void)outputs;\n    (void)ws;\n",
                  p);
        if (o->external_weights)
            cg_printf(c_src, "    if (!%s_weights_base)\n        return -1;\n", p);
        if (body.s)
            cg_write(c_src, body.s, body.len);
        cg_printf(c_src, "    return 0;\n}\n\n"
                         "int %s_invoke(const void *const inputs[], void *const outputs[])\n{\n"
                         "    return %s_invoke_ws(inputs, outputs, %s_arena.bytes);\n}\n\n",
                  p, p, p);
        emit_typed(c_src, g, o, &names, 0);
        emit_typed(c_src, g, o, &names, 1);
        rc = emit_header(g, o, &names, weights_bytes, h_src);
    }
    if (rc == 0 && (c_src->oom || h_src->oom || kernels.oom || body.oom || weights_blob->oom))
        rc = diag_error(d, "out of memory while writing the generated code");
    cg_buf_free(&kernels);
    cg_buf_free(&body);
    io_names_free(&names);
    return rc;
}
