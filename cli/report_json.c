/* --report-format json: one object per layer, exact integers. */
#include <stdint.h>

#include "layer_rows.h"
#include "report.h"

/* Length of the valid UTF-8 sequence starting at s, or 0 when it is not
 * one (stray continuation byte, truncated, overlong, surrogate, beyond
 * U+10FFFF): JSON text must be valid Unicode. */
static int utf8_sequence(const unsigned char *s)
{
    int len;
    uint32_t cp, min;
    if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07u, min = 0x10000;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0Fu, min = 0x800;
    else if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1Fu, min = 0x80;
    else
        return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    fputc('"', f);
    while (*s) {
        if (*s == '"' || *s == '\\') {
            fprintf(f, "\\%c", *s++);
        } else if (*s < 0x20 || *s == 0x7F) {
            fprintf(f, "\\u%04x", *s++);
        } else if (*s < 0x80) {
            fputc(*s++, f);
        } else {
            int len = utf8_sequence(s);
            if (len) {
                fwrite(s, 1, (size_t)len, f);
                s += len;
            } else {
                fputs("\\ufffd", f); /* the replacement character */
                s++;
            }
        }
    }
    fputc('"', f);
}

/* {"name": ..., "dtype": ..., "shape": [...]} or null for an absent input. */
static void json_tensor(FILE *f, const ir_graph *g, int index, int with_const)
{
    if (index < 0) {
        fputs("null", f);
        return;
    }
    const ir_tensor *t = &g->tensors[index];
    fputs("{\"name\": ", f);
    json_string(f, t->name);
    fputs(", \"dtype\": ", f);
    json_string(f, ir_dtype_name(t->dtype));
    fputs(", \"shape\": ", f);
    if (t->has_shape) {
        fputc('[', f);
        for (int d = 0; d < t->shape.rank; d++)
            fprintf(f, "%s%lld", d ? ", " : "", (long long)t->shape.dims[d]);
        fputc(']', f);
    } else {
        fputs("null", f);
    }
    if (with_const)
        fprintf(f, ", \"const\": %s", t->data ? "true" : "false");
    fputc('}', f);
}

static void json_tensors(FILE *f, const ir_graph *g, const int *list, int n, int with_const)
{
    fputc('[', f);
    for (int k = 0; k < n; k++) {
        if (k)
            fputs(", ", f);
        json_tensor(f, g, list[k], with_const);
    }
    fputc(']', f);
}

static void json_sparsity(FILE *f, int64_t nonzeros, int64_t count)
{
    double s;
    if (layer_sparsity(nonzeros, count, &s))
        fprintf(f, "%.6f", s);
    else
        fputs("null", f);
}

static void json_layer(FILE *f, const ir_graph *g, int index, const ir_node *n, const layer_row *r)
{
    char kernel[160];
    fprintf(f, "    {\"index\": %d, \"name\": ", index);
    json_string(f, n->name);
    fputs(", \"op\": ", f);
    json_string(f, n->op);
    fputs(", \"kernel\": ", f);
    json_string(f, layer_kernel_name(n, kernel, sizeof kernel));
    fputs(", \"inputs\": ", f);
    json_tensors(f, g, n->inputs, n->n_inputs, 1);
    fputs(", \"outputs\": ", f);
    json_tensors(f, g, n->outputs, n->n_outputs, 0);
    fprintf(f,
            ", \"dense_macs\": %lld, \"effective_macs\": %lld, \"weight_count\": %lld, "
            "\"weight_nonzeros\": %lld, \"sparsity\": ",
            (long long)r->dense_macs, (long long)r->effective_macs, (long long)n->weight_count,
            (long long)n->weight_nonzeros);
    json_sparsity(f, n->weight_nonzeros, n->weight_count);
    fprintf(f,
            ", \"code_bytes\": %lld, \"weight_bytes\": %lld, \"scratch_bytes\": %lld, "
            "\"arena_bytes\": %lld}",
            (long long)n->code_bytes, (long long)r->weight_bytes, (long long)n->scratch_bytes,
            (long long)r->arena_bytes);
}

void report_write_json(const ir_graph *g, const char *model, FILE *f)
{
    layer_totals t = {0};
    fputs("{\n  \"model\": ", f);
    json_string(f, model);
    fputs(",\n  \"layers\": [", f);
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->dead)
            continue;
        layer_row r;
        layer_row_make(g, n, &r);
        fputs(t.layers ? ",\n" : "\n", f);
        json_layer(f, g, i, n, &r);
        layer_totals_add(&t, n, &r);
    }
    fputs(t.layers ? "\n  ],\n" : "],\n", f);
    fprintf(f,
            "  \"totals\": {\"layers\": %d, \"dense_macs\": %lld, \"effective_macs\": %lld, "
            "\"weight_count\": %lld, \"weight_nonzeros\": %lld, \"sparsity\": ",
            t.layers, (long long)t.dense_macs, (long long)t.effective_macs,
            (long long)t.weight_count, (long long)t.weight_nonzeros);
    json_sparsity(f, t.weight_nonzeros, t.weight_count);
    /* weights_stored_bytes: the weights blob as laid out (aligned, shared
     * constants once); arena_peak_bytes: the planned arena, which layers
     * reuse, so not the sum of their arena_bytes. */
    fprintf(f,
            ", \"code_bytes\": %lld, \"weight_bytes\": %lld, \"weights_stored_bytes\": %lld, "
            "\"arena_peak_bytes\": %lld}\n}\n",
            (long long)t.code_bytes, (long long)t.weight_bytes, (long long)g->weights_bytes,
            (long long)g->arena_bytes);
}
