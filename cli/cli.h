#ifndef SCNNC_CLI_H
#define SCNNC_CLI_H

#include <stdio.h>

#include "../frontend/frontend.h"
#include "../passes/passes.h"

#ifndef SCNNC_VERSION
#define SCNNC_VERSION "0"
#endif

#define CLI_MAX_DIMS 64
/* --max-code-kb's default. */
#define CLI_DEFAULT_CODE_KB 1024

typedef enum report_format { REPORT_TEXT = 0, REPORT_JSON } report_format;

typedef struct cli_options {
    const char *model, *output, *name, *weights_file;
    const char *save_onnx;   /* --save-onnx: the transformed model */
    const char *report;      /* --report: per-layer table */
    report_format report_format;
    int verbose, help, version;
    pass_options passes;
    frontend_dim dims[CLI_MAX_DIMS];
    int n_dims;
} cli_options;

/* Loads, transforms and writes; returns the exit status (0, 1 or 2). */
int cli_compile(const cli_options *o, int argc, char **argv);

/* Writes the per-layer table printed by -v. */
void cli_print_summary(const ir_graph *g, FILE *f);

/* Writes --report's per-layer table (text or JSON) for the compiled graph;
 * code_bytes is the size of the generated .c. -1 on write errors. */
int cli_write_report(const ir_graph *g, const cli_options *o, FILE *f);

#endif
