/* The compile job: load, run the passes, generate, and write the outputs
 * atomically (temporary files renamed at the end, so a failure never leaves
 * or clobbers an output). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../codegen/codegen.h"
#include "../export/onnx_export.h"
#include "../passes/passes.h"
#include "cli.h"

typedef struct out_file {
    char final[4096];
    char tmp[4200];
    const cg_buf *text;
    int written;
} out_file;

static int write_tmp(out_file *f)
{
    /* final holds at most 4095 characters; the precision tells gcc so. */
    snprintf(f->tmp, sizeof f->tmp, "%.4095s.tmp%ld", f->final, (long)getpid());
    FILE *fp = fopen(f->tmp, "wb");
    if (!fp)
        return -1;
    f->written = 1;
    size_t n = f->text->len;
    int ok = (n == 0 || fwrite(f->text->s, 1, n, fp) == n);
    ok = (fclose(fp) == 0) && ok;
    return ok ? 0 : -1;
}

/* "dir/model.c" → "dir/model.h"; anything else gets ".h" appended. */
static void header_path(const char *c_path, char *out, size_t size)
{
    size_t n = strlen(c_path);
    if (n > 2 && strcmp(c_path + n - 2, ".c") == 0)
        snprintf(out, size, "%.*s.h", (int)(n - 2), c_path);
    else
        snprintf(out, size, "%s.h", c_path);
}

static void default_prefix(const char *c_path, char *out, size_t size)
{
    const char *base = strrchr(c_path, '/');
    base = base ? base + 1 : c_path;
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = 0;
    cg_identifier(stem, 0, out, size);
}

static char *join_command_line(int argc, char **argv)
{
    size_t n = 8;
    for (int i = 1; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    strcpy(s, "scnnc");
    for (int i = 1; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

static int write_all(out_file *files, int n)
{
    for (int i = 0; i < n; i++)
        if (write_tmp(&files[i])) {
            fprintf(stderr, "scnnc: error: cannot write '%s'\n", files[i].final);
            return -1;
        }
    for (int i = 0; i < n; i++)
        if (rename(files[i].tmp, files[i].final)) {
            fprintf(stderr, "scnnc: error: cannot create '%s'\n", files[i].final);
            return -1;
        }
    for (int i = 0; i < n; i++)
        files[i].written = 0;
    return 0;
}

/* The transformed model as ONNX bytes, for --save-onnx. */
static int export_onnx(const ir_graph *g, cg_buf *out, diag *d)
{
    unsigned char *bytes;
    size_t len;
    if (onnx_export(g, &bytes, &len, d))
        return -1;
    cg_write(out, bytes, len);
    free(bytes);
    return out->oom ? diag_error(d, "out of memory") : 0;
}

/* The --report text, rendered in memory so that it is written with the
 * other outputs. */
static int render_report(const ir_graph *g, const cli_options *o, cg_buf *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return -1;
    int rc = cli_write_report(g, o, f);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        cg_write(out, text, len);
    free(text);
    return rc || out->oom ? -1 : 0;
}

int cli_compile(const cli_options *o, int argc, char **argv)
{
    if (access(o->model, R_OK) != 0) {
        fprintf(stderr, "scnnc: error: cannot read '%s'\n", o->model);
        return 2;
    }
    diag d;
    diag_init(&d);
    ir_graph *g = NULL;
    cg_buf c_src = {0}, h_src = {0}, blob = {0}, onnx = {0}, report = {0};
    char *cmd = NULL;
    int status = 1;
    frontend_options fo = {.dims = o->dims, .n_dims = o->n_dims};
    if (frontend_load_file(o->model, &fo, &g, &d))
        goto out;
    pass_options po = o->passes;
    po.log = o->verbose ? stderr : NULL;
    if (pass_run_stage(g, PASS_STAGE_TRANSFORM, &po, &d))
        goto out;
    if (o->save_onnx && export_onnx(g, &onnx, &d))
        goto out;
    if (pass_run_stage(g, PASS_STAGE_LOWER, &po, &d))
        goto out;
    char prefix[128];
    if (o->name)
        cg_identifier(o->name, 0, prefix, sizeof prefix);
    else
        default_prefix(o->output, prefix, sizeof prefix);
    if (o->name && strcmp(prefix, o->name) != 0)
        diag_warning(&d, "--name '%s' is not a C identifier; using '%s'", o->name, prefix);
    cmd = join_command_line(argc, argv);
    codegen_options co = {.prefix = prefix, .command_line = cmd ? cmd : "scnnc",
                          .external_weights = o->weights_file != NULL};
    if (codegen_emit(g, &co, &c_src, &h_src, &blob, &d))
        goto out;
    if (o->verbose)
        cli_print_summary(g, stderr);
    if (o->report && render_report(g, o, &report)) {
        diag_error(&d, "out of memory writing the report");
        goto out;
    }
    /* Every output is written whole, or none of them. */
    out_file files[5] = {{.text = &c_src}, {.text = &h_src}};
    snprintf(files[0].final, sizeof files[0].final, "%s", o->output);
    header_path(o->output, files[1].final, sizeof files[1].final);
    int n_files = 2;
    const struct {
        const char *path;
        const cg_buf *text;
    } extra[] = {{o->weights_file, &blob}, {o->save_onnx, &onnx}, {o->report, &report}};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (extra[i].path) {
            files[n_files].text = extra[i].text;
            snprintf(files[n_files++].final, sizeof files[0].final, "%s", extra[i].path);
        }
    status = write_all(files, n_files) ? 2 : 0;
    for (int i = 0; i < n_files; i++)
        if (files[i].written)
            remove(files[i].tmp);
out:
    diag_print(&d, stderr, o->model);
    diag_free(&d);
    ir_graph_free(g);
    cg_buf_free(&c_src);
    cg_buf_free(&h_src);
    cg_buf_free(&blob);
    cg_buf_free(&onnx);
    cg_buf_free(&report);
    free(cmd);
    return status;
}
