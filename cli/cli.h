#ifndef SCNNC_CLI_H
#define SCNNC_CLI_H

#include <stdio.h>

#include "../frontend/frontend.h"

#ifndef SCNNC_VERSION
#define SCNNC_VERSION "0"
#endif

#define CLI_MAX_DIMS 64

typedef struct cli_options {
    const char *model, *output, *name, *weights_file;
    int verbose, help, version;
    frontend_dim dims[CLI_MAX_DIMS];
    int n_dims;
} cli_options;

/* Loads, transforms and writes; returns the exit status (0, 1 or 2). */
int cli_compile(const cli_options *o, int argc, char **argv);

/* Writes the per-layer table printed by -v. */
void cli_print_summary(const ir_graph *g, FILE *f);

#endif
