/* The weights blob. Compilers digest large numeric initializer lists slowly
 * (a tree node per element); string literals they take almost at the speed
 * of reading. So all constants live in one union whose first member is a
 * struct of char chunks, each initialized by a string literal short enough
 * for C99's translation limits (4095), and whose other members are arrays of
 * each element type used, so that kernels read floats as floats. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHUNK 4000

static int is_octal_digit(int c) { return c >= '0' && c <= '7'; }

static int plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?';
}

/* Writes bytes as one string literal on one line (one token per chunk keeps
 * compilers' memory low): printable bytes as themselves, the rest as the
 * shortest octal escape that cannot swallow the next character. */
static void write_literal(cg_buf *b, const unsigned char *p, size_t n)
{
    cg_printf(b, "    \"");
    for (size_t i = 0; i < n; i++) {
        char tmp[8];
        unsigned c = p[i];
        if (plain(p[i])) {
            tmp[0] = (char)c;
            tmp[1] = 0;
        } else {
            int next_digit = i + 1 < n && plain(p[i + 1]) && is_octal_digit(p[i + 1]);
            if (next_digit)
                snprintf(tmp, sizeof tmp, "\\%03o", c);
            else
                snprintf(tmp, sizeof tmp, "\\%o", c);
        }
        cg_write(b, tmp, strlen(tmp));
    }
    cg_printf(b, "\"");
}

/* Copies every planned constant to its offset in one byte image. */
int weights_image(const ir_graph *g, unsigned char **out, diag *d)
{
    *out = ir_alloc((size_t)g->weights_bytes);
    if (!*out)
        return diag_error(d, "out of memory for %lld bytes of weights", (long long)g->weights_bytes);
    for (int i = 0; i < g->n_tensors; i++) {
        const ir_tensor *t = &g->tensors[i];
        if (t->storage == IR_STORE_CONST && ir_tensor_bytes(t))
            memcpy(*out + t->offset, t->data, ir_tensor_bytes(t));
    }
    return 0;
}

/* The element types that kernels read from the blob. */
static void members_used(const ir_graph *g, int *used, const char **names, int *count)
{
    *count = 0;
    for (int i = 0; i < g->n_tensors; i++) {
        const ir_tensor *t = &g->tensors[i];
        if (t->storage != IR_STORE_CONST)
            continue;
        const char *m = cg_weights_member(t->dtype);
        int seen = 0;
        for (int k = 0; k < *count; k++)
            seen |= strcmp(names[k], m) == 0;
        if (!seen) {
            used[*count] = (int)ir_dtype_size(t->dtype);
            names[(*count)++] = m;
        }
    }
}

int emit_weights(const ir_graph *g, const codegen_options *o, cg_buf *c, cg_buf *blob, diag *d)
{
    const char *p = o->prefix;
    int64_t total = g->weights_bytes;
    if (total == 0 && !o->external_weights)
        return 0;
    unsigned char *img = NULL;
    if (total && weights_image(g, &img, d))
        return -1;
    if (o->external_weights) {
        /* Bound even when empty (every weight baked into code): the
         * header promises PREFIX_bind_weights and invoke checks it. */
        if (total)
            cg_write(blob, img, (size_t)total);
        free(img);
        cg_printf(c, "/* Weights live outside this file: %lld bytes, bound at run time. */\n"
                     "static const unsigned char *%s_weights_base;\n\n"
                     "void %s_bind_weights(const void *weights)\n{\n"
                     "    %s_weights_base = (const unsigned char *)weights;\n}\n\n",
                  (long long)total, p, p, p);
        return 0;
    }
    int sizes[16];
    const char *names[16];
    int n_members;
    members_used(g, sizes, names, &n_members);
    cg_printf(c, "#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && "
                 "__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__\n"
                 "#error \"the weights below are stored little-endian\"\n#endif\n\n");
    cg_printf(c, "static const union {\n    struct {\n");
    int64_t n_chunks = (total + CHUNK - 1) / CHUNK;
    for (int64_t k = 0; k < n_chunks; k++) {
        int64_t len = total - k * CHUNK < CHUNK ? total - k * CHUNK : CHUNK;
        cg_printf(c, "        unsigned char c%lld[%lld];\n", (long long)k, (long long)len);
    }
    cg_printf(c, "    } chunks;\n");
    for (int m = 0; m < n_members; m++) {
        static const char *const ctypes[][2] = {
            {"f32", "float"},   {"f64", "double"},  {"i8", "int8_t"},   {"u8", "uint8_t"},
            {"i16", "int16_t"}, {"u16", "uint16_t"}, {"i32", "int32_t"}, {"u32", "uint32_t"},
            {"i64", "int64_t"}, {"u64", "uint64_t"},
        };
        const char *ct = "uint8_t";
        for (size_t q = 0; q < sizeof ctypes / sizeof ctypes[0]; q++)
            if (strcmp(ctypes[q][0], names[m]) == 0)
                ct = ctypes[q][1];
        cg_printf(c, "    %s %s[%lld];\n", ct, names[m], (long long)(total / sizes[m]));
    }
    cg_printf(c, "} %s_weights = {{\n", p);
    for (int64_t k = 0; k < n_chunks; k++) {
        int64_t len = total - k * CHUNK < CHUNK ? total - k * CHUNK : CHUNK;
        write_literal(c, img + k * CHUNK, (size_t)len);
        cg_printf(c, k + 1 < n_chunks ? ",\n" : "\n");
    }
    cg_printf(c, "}};\n\n");
    /* The chunks must be contiguous for the typed members to see them. */
    cg_printf(c, "typedef char %s_weights_are_contiguous[sizeof %s_weights.chunks == %lld ? 1 : -1];\n\n",
              p, p, (long long)total);
    free(img);
    return 0;
}
