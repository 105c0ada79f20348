/* Unit tests of the code generator's framework: identifiers and comments
 * made from hostile model names, exact float literals, deterministic output,
 * the generated header, the weights blob (every byte value, in the file and
 * as an external blob) and pass-through outputs. Generated files are compiled
 * with gcc at -std=c99 -pedantic -Werror and run. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "codegen/codegen.h"
#include "codegen/emit.h"
#include "frontend/frontend.h"
#include "onnx_build.h"
#include "passes/passes.h"

#define CFLAGS "-std=c99 -Wall -Wextra -pedantic -Werror"

static char tmp_dir[1024];

static int setup(void **state)
{
    (void)state;
    mkdir(SCNNC_TEST_TMP, 0755);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/codegen_XXXXXX", SCNNC_TEST_TMP);
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct generated {
    cg_buf c, h, blob;
} generated;

static void generated_free(generated *o)
{
    cg_buf_free(&o->c);
    cg_buf_free(&o->h);
    cg_buf_free(&o->blob);
}

/* ONNX bytes -> C, through the whole pipeline. Fails the test on errors. */
static void compile_model(ob_model *m, const char *prefix, int external, generated *out)
{
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    memset(out, 0, sizeof *out);
    int rc = frontend_load_buffer(buf, len, NULL, NULL, &g, &d);
    if (rc == 0)
        rc = pass_run_pipeline(g, NULL, &d);
    codegen_options o = {.prefix = prefix, .command_line = "scnnc test */ ?\?/", .external_weights = external};
    if (rc == 0)
        rc = codegen_emit(g, &o, &out->c, &out->h, &out->blob, &d);
    if (rc) {
        diag_print(&d, stderr, "test model");
        fail_msg("the model did not compile");
    }
    free(buf);
    ir_graph_free(g);
    diag_free(&d);
}

static void write_text(const char *name, const void *s, size_t n)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == 0 ? 0 : -1;
}

/* Writes NAME.c/NAME.h and main.c, compiles with -Werror and runs. */
static void build_and_run(const char *name, const generated *o, const char *main_src)
{
    char cname[64], hname[64];
    snprintf(cname, sizeof cname, "%s.c", name);
    snprintf(hname, sizeof hname, "%s.h", name);
    write_text(cname, o->c.s, o->c.len);
    write_text(hname, o->h.s, o->h.len);
    if (sh("cd '%s' && gcc " CFLAGS " -c %s -o %s.o", tmp_dir, cname, name))
        fail_msg("%s.c does not compile", name);
    if (sh("cd '%s' && gcc " CFLAGS " -fsyntax-only -x c %s", tmp_dir, hname))
        fail_msg("%s.h does not compile on its own", name);
    if (!main_src)
        return;
    char mname[80];
    snprintf(mname, sizeof mname, "main_%s.c", name);
    write_text(mname, main_src, strlen(main_src));
    if (sh("cd '%s' && gcc " CFLAGS " %s %s.o -lm -o run_%s", tmp_dir, mname, name, name))
        fail_msg("main_%s.c does not build", name);
    if (sh("cd '%s' && ./run_%s", tmp_dir, name))
        fail_msg("run_%s failed", name);
}

/* --- identifiers, comments and literals -------------------------------------- */

static void test_identifiers(void **state)
{
    (void)state;
    static const struct { const char *in; int upper; const char *out; } cases[] = {
        {"conv1", 0, "conv1"},
        {"1abc", 0, "v1abc"},
        {"1abc", 1, "V1ABC"},
        {"", 0, "t"},
        {"a.b/c:d", 0, "a_b_c_d"},
        {"*/ #include <stdio.h>", 0, "_include_stdio_h_"},
        {"?\?/", 0, "_"},
        {"caf\xc3\xa9", 0, "caf_"},
        {"x__y", 0, "x_y"},
        {"mixed.Case", 1, "MIXED_CASE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        cg_identifier(cases[i].in, cases[i].upper, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    char longname[300], out[16];
    memset(longname, 'q', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    cg_identifier(longname, 0, out, sizeof out);
    assert_int_equal(strlen(out), 15);
    cg_identifier(NULL, 0, out, sizeof out);
    assert_string_equal(out, "t");
}

static void test_comment_text(void **state)
{
    (void)state;
    static const char *const hostile[] = {
        "*/ #include <stdio.h> /*", "?\?/", "a\\", "line\nbreak", "x*/y", "/*nested", "?\?=",
        "\x01\x7f\xff"};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        cg_buf b = {0};
        cg_printf(&b, "/* ");
        cg_comment_text(&b, hostile[i]);
        cg_printf(&b, " */");
        /* Exactly one comment opener and closer, nothing that bends them. */
        const char *body = b.s + 3;
        size_t body_len = b.len - 6;
        for (size_t k = 0; k < body_len; k++) {
            char c = body[k];
            assert_true(c != '*' && c != '?' && c != '\\' && c != '\n' && c != '"');
            assert_true((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f);
        }
        cg_buf_free(&b);
    }
}

static void test_float_literals(void **state)
{
    (void)state;
    float vals[] = {1.0f, -0.1f, 3.4028235e38f, 1.17549435e-38f, 1e-45f, 123456.789f, -2.5e-10f};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        cg_buf b = {0};
        cg_float(&b, vals[i]);
        assert_int_equal(b.s[b.len - 1], 'f');
        char *end;
        float back = strtof(b.s, &end);
        assert_true(back == vals[i]);
        assert_int_equal(end - b.s, (long)b.len - 1);
        cg_buf_free(&b);
    }
    static const struct { float v; const char *text; } special[] = {
        {0.0f, "0.0f"}, {-0.0f, "-0.0f"}, {INFINITY, "HUGE_VALF"}, {-INFINITY, "(-HUGE_VALF)"},
        {NAN, "NAN"}};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        cg_buf b = {0};
        cg_float(&b, special[i].v);
        assert_string_equal(b.s, special[i].text);
        cg_buf_free(&b);
    }
    cg_buf b = {0};
    cg_double(&b, 0.1);
    assert_true(strtod(b.s, NULL) == 0.1);
    cg_buf_free(&b);
}

static void test_buffer_growth(void **state)
{
    (void)state;
    cg_buf b = {0};
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    for (int i = 0; i < 100; i++)
        cg_printf(&b, "%s%d", big, i);
    assert_int_equal(b.oom, 0);
    assert_int_equal(b.len, 100 * 2999 + 10 + 90 * 2);
    assert_int_equal(strlen(b.s), b.len);
    cg_buf_free(&b);
}

/* --- whole models ------------------------------------------------------------- */

static const int64_t d6[] = {2, 3};

/* x -> Relu -> tmp -> Relu -> y with names meant to break the output. */
static ob_model *hostile_model(void)
{
    ob_model *m = ob_new(13);
    ob_graph(m)->name = ob_str(m, "graph */ #include <stdio.h> /* ?\?/ \\");
    ob_input(m, "*/ #include <stdio.h>", IR_FLOAT, 2, d6, NULL);
    ob_node(m, "Relu", "*/ int evil; /* ?\?/", "*/ #include <stdio.h>", "tmp\\");
    ob_node(m, "Relu", "?\?=define x", "tmp\\", "?\?/");
    ob_output(m, "?\?/", IR_FLOAT, 2, d6);
    return m;
}

/* The text outside comments (string and character literals kept). */
static char *strip_comments(const char *s)
{
    char *out = malloc(strlen(s) + 1), *w = out;
    assert_non_null(out);
    while (*s) {
        if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            assert_non_null(end);
            s = end + 2;
            *w++ = ' ';
        } else if (s[0] == '"' || s[0] == '\'') {
            char q = *s;
            *w++ = *s++;
            while (*s && *s != q) {
                if (*s == '\\' && s[1])
                    *w++ = *s++;
                *w++ = *s++;
            }
            if (*s)
                *w++ = *s++;
        } else {
            *w++ = *s++;
        }
    }
    *w = 0;
    return out;
}

static int count_includes(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, "#include")); p++)
        if (p == text || p[-1] == '\n')
            n++;
    return n;
}

static void test_hostile_names(void **state)
{
    (void)state;
    ob_model *m = hostile_model();
    generated o;
    compile_model(m, "model", 0, &o);
    /* Only the four standard headers in the .c, two in the .h. */
    assert_int_equal(count_includes(o.c.s), 4);
    assert_int_equal(count_includes(o.h.s), 2);
    assert_null(strstr(o.c.s, "?\?"));
    assert_null(strstr(o.h.s, "?\?"));
    /* Node names reach the code only inside comments. */
    char *code = strip_comments(o.c.s);
    assert_null(strstr(code, "evil"));
    free(code);
    assert_null(strstr(o.c.s, "printf"));
    assert_null(strstr(o.c.s, "malloc"));
    static const char main_src[] =
        "#include \"model.h\"\n"
        "#include <stdio.h>\n"
        "int main(void)\n{\n"
        "    float x[MODEL_INPUT__INCLUDE_STDIO_H__COUNT] = {-1, 2, -3, 4, -0.5f, 6};\n"
        "    float y[6];\n"
        "    static unsigned char ws[MODEL_ARENA_BYTES + 1] __attribute__((aligned(16)));\n"
        "    const float want[6] = {0, 2, 0, 4, 0, 6};\n"
        "    if (MODEL_NUM_INPUTS != 1 || MODEL_NUM_OUTPUTS != 1) return 1;\n"
        "    if (model_run(x, y) != 0) return 2;\n"
        "    for (int i = 0; i < 6; i++) if (y[i] != want[i]) return 3;\n"
        "    for (int i = 0; i < 6; i++) y[i] = -9;\n"
        "    if (model_run_ws(x, y, ws) != 0) return 4;\n"
        "    for (int i = 0; i < 6; i++) if (y[i] != want[i]) return 5;\n"
        "    const void *in[1] = {x};\n"
        "    void *out[1] = {y};\n"
        "    if (model_invoke(in, out) != 0) return 6;\n"
        "    return 0;\n}\n";
    build_and_run("model", &o, main_src);
    generated_free(&o);
    ob_free(m);
}

static void test_deterministic(void **state)
{
    (void)state;
    ob_model *m = hostile_model();
    float w[6] = {1, 2, 3, 4, 5, 6};
    ob_init_f32(m, "w", 2, d6, w);
    ob_output(m, "w", IR_FLOAT, 2, d6);
    generated a, b;
    compile_model(m, "det", 0, &a);
    compile_model(m, "det", 0, &b);
    assert_int_equal(a.c.len, b.c.len);
    assert_memory_equal(a.c.s, b.c.s, a.c.len);
    assert_int_equal(a.h.len, b.h.len);
    assert_memory_equal(a.h.s, b.h.s, a.h.len);
    generated_free(&a);
    generated_free(&b);
    ob_free(m);
}

/* Inputs whose names differ only in case or punctuation still get distinct
 * functions parameters and header macros. */
static void test_colliding_io_names(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    static const char *const names[] = {"a", "A", "x.1", "x_1", "x:1", "in"};
    static const int64_t d32[] = {3, 2};
    /* "A" has another shape than "a": its macros must not clash with a's. */
    for (int i = 0; i < 6; i++)
        ob_input(m, names[i], IR_FLOAT, 2, i == 1 ? d32 : d6, NULL);
    for (int i = 0; i < 6; i++) {
        char out[16];
        snprintf(out, sizeof out, "y%d", i);
        ob_node(m, "Relu", NULL, names[i], out);
        ob_output(m, out, IR_FLOAT, 2, i == 1 ? d32 : d6);
    }
    ob_output(m, "a", IR_FLOAT, 2, d6); /* an input passed straight through */
    generated o;
    compile_model(m, "clash", 0, &o);
    static const char main_src[] =
        "#include \"clash.h\"\n"
        "int main(void)\n{\n"
        "    float x[6][6], y[7][6];\n"
        "    for (int k = 0; k < 6; k++) for (int i = 0; i < 6; i++) x[k][i] = (float)(k - i);\n"
        "    if (clash_run(x[0], x[1], x[2], x[3], x[4], x[5], y[0], y[1], y[2], y[3], y[4],\n"
        "                  y[5], y[6]) != 0) return 1;\n"
        "    for (int k = 0; k < 6; k++) for (int i = 0; i < 6; i++)\n"
        "        if (y[k][i] != (x[k][i] > 0 ? x[k][i] : 0)) return 2;\n"
        "    for (int i = 0; i < 6; i++) if (y[6][i] != x[0][i]) return 3;\n"
        "    return 0;\n}\n";
    build_and_run("clash", &o, main_src);
    generated_free(&o);
    ob_free(m);
}

/* Constants copied to outputs: every byte value through the string-literal
 * weights, special floats, and a 64-bit type, in-file and as a blob. */
static ob_model *constant_outputs_model(void)
{
    ob_model *m = ob_new(13);
    uint8_t bytes[300];
    for (int i = 0; i < 300; i++)
        bytes[i] = (uint8_t)(i < 256 ? i : (i * 7) & 0xff);
    /* octal escapes followed by digits, '?' runs, quotes and backslashes */
    memcpy(bytes + 256, "\0011?\?/\"\\\t7\x80" "9?\?=", 14);
    int64_t n300[] = {300}, n8[] = {8}, n3[] = {3};
    ob_initializer(m, ob_tensor_raw(m, "bytes", IR_UINT8, 1, n300, bytes, 300));
    float specials[8] = {NAN, INFINITY, -INFINITY, -0.0f, 1e-45f, 3.4028235e38f, 0.1f, -7};
    ob_init_f32(m, "specials", 1, n8, specials);
    int64_t big[3] = {INT64_MIN, INT64_MAX, -1};
    ob_initializer(m, ob_tensor_raw(m, "big", IR_INT64, 1, n3, big, sizeof big));
    ob_output(m, "bytes", IR_UINT8, 1, n300);
    ob_output(m, "specials", IR_FLOAT, 1, n8);
    ob_output(m, "big", IR_INT64, 1, n3);
    ob_output(m, "bytes", IR_UINT8, 1, n300); /* listed twice */
    return m;
}

static const char constant_main_checks[] =
    "    uint8_t want_b[300];\n"
    "    for (int i = 0; i < 300; i++) want_b[i] = (uint8_t)(i < 256 ? i : (i * 7) & 0xff);\n"
    "    memcpy(want_b + 256, \"\\0011?\\?/\\\"\\\\\\t7\\x80\" \"9?\\?=\", 14);\n"
    "    if (memcmp(b, want_b, 300) || memcmp(b2, want_b, 300)) return 2;\n"
    "    if (!isnan(f[0]) || f[1] != HUGE_VALF || f[2] != -HUGE_VALF) return 3;\n"
    "    if (f[3] != 0 || !signbit(f[3]) || f[4] != 1e-45f || f[5] != 3.4028235e38f) return 4;\n"
    "    if (f[6] != 0.1f || f[7] != -7) return 5;\n"
    "    if (big[0] != INT64_MIN || big[1] != INT64_MAX || big[2] != -1) return 6;\n"
    "    return 0;\n}\n";

static void test_constant_outputs(void **state)
{
    (void)state;
    ob_model *m = constant_outputs_model();
    generated o;
    compile_model(m, "consts", 0, &o);
    char main_src[4096];
    snprintf(main_src, sizeof main_src,
             "#include \"consts.h\"\n#include <math.h>\n#include <string.h>\n"
             "int main(void)\n{\n"
             "    uint8_t b[300], b2[300];\n    float f[8];\n    int64_t big[3];\n"
             "    if (consts_run(b, f, big, b2) != 0) return 1;\n%s",
             constant_main_checks);
    build_and_run("consts", &o, main_src);
    generated_free(&o);

    /* The same with the weights in an external blob. */
    compile_model(m, "ext", 1, &o);
    assert_true(o.blob.len > 0);
    write_text("ext.bin", o.blob.s, o.blob.len);
    snprintf(main_src, sizeof main_src,
             "#include \"ext.h\"\n#include <math.h>\n#include <stdio.h>\n#include <string.h>\n"
             "static double blob[1 << 12];\n"
             "int main(void)\n{\n"
             "    uint8_t b[300], b2[300];\n    float f[8];\n    int64_t big[3];\n"
             "    FILE *fp = fopen(\"ext.bin\", \"rb\");\n"
             "    if (!fp || fread(blob, 1, EXT_WEIGHTS_BYTES, fp) != EXT_WEIGHTS_BYTES) return 7;\n"
             "    fclose(fp);\n"
             "    if (ext_run(b, f, big, b2) != -1) return 8; /* not bound yet */\n"
             "    ext_bind_weights(blob);\n"
             "    if (ext_run(b, f, big, b2) != 0) return 1;\n%s",
             constant_main_checks);
    build_and_run("ext", &o, main_src);
    generated_free(&o);
    ob_free(m);
}

/* A model with no inputs still gives a valid API. */
static void test_no_inputs(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    int64_t n2[] = {2};
    float v[2] = {1.5f, -2};
    ob_init_f32(m, "c", 1, n2, v);
    ob_output(m, "c", IR_FLOAT, 1, n2);
    generated o;
    compile_model(m, "noin", 0, &o);
    static const char main_src[] =
        "#include \"noin.h\"\n"
        "int main(void)\n{\n"
        "    float y[2];\n"
        "    if (noin_run(y) != 0 || y[0] != 1.5f || y[1] != -2) return 1;\n"
        "    return 0;\n}\n";
    build_and_run("noin", &o, main_src);
    generated_free(&o);
    ob_free(m);
}

/* --weights-file with no weights to store (a Relu; or every weight baked
 * into unrolled code): the binding function still exists, and binding any
 * pointer lets the model run. */
static void test_external_weights_empty(void **state)
{
    (void)state;
    ob_model *m = ob_new(13);
    int64_t n2[] = {2};
    ob_input(m, "x", IR_FLOAT, 1, n2, NULL);
    ob_node(m, "Relu", "r", "x", "y");
    ob_output(m, "y", IR_FLOAT, 1, n2);
    generated o;
    compile_model(m, "noweights", 1, &o);
    assert_int_equal(o.blob.len, 0);
    static const char main_src[] =
        "#include \"noweights.h\"\n"
        "int main(void)\n{\n"
        "    static const unsigned char none[1];\n"
        "    float x[2] = {-1.0f, 2.0f}, y[2];\n"
        "    if (noweights_run(x, y) == 0) return 1; /* not bound yet */\n"
        "    noweights_bind_weights(none);\n"
        "    if (noweights_run(x, y) != 0 || y[0] != 0.0f || y[1] != 2.0f) return 1;\n"
        "    return 0;\n}\n";
    build_and_run("noweights", &o, main_src);
    generated_free(&o);
    ob_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_comment_text),
        cmocka_unit_test(test_float_literals),
        cmocka_unit_test(test_buffer_growth),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_colliding_io_names),
        cmocka_unit_test(test_constant_outputs),
        cmocka_unit_test(test_no_inputs),
        cmocka_unit_test(test_external_weights_empty),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
