/* scnnc: ONNX model → standalone C. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../codegen/codegen.h"
#include "../frontend/frontend.h"
#include "../passes/passes.h"
#include "cli.h"

static const char usage[] =
    "usage: scnnc MODEL.onnx -o OUT.c [options]\n"
    "\n"
    "Compiles an ONNX model into dependency-free C99: OUT.c and OUT.h.\n"
    "\n"
    "options:\n"
    "  -o OUT.c               output file; the header goes next to it as OUT.h\n"
    "  --name PREFIX          symbol prefix (default: OUT's base name)\n"
    "  --dim NAME=VALUE       value of a symbolic dimension (repeatable);\n"
    "                         one without a value becomes 1, with a warning\n"
    "  --weights-file FILE    write the weights as a binary blob to FILE instead\n"
    "                         of into OUT.c; bind it with PREFIX_bind_weights()\n"
    "  -v, --verbose          print the pass pipeline and a per-layer summary\n"
    "  --help                 this text\n"
    "  --version              the version\n"
    "\n"
    "exit status: 0 compiled; 1 the model was refused (unsupported or malformed:\n"
    "every problem is listed); 2 usage or file-system error.\n";

static int parse_dim(const char *arg, cli_options *o)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(eq + 1, &end, 10);
    if (errno || *end || v < 0)
        return -1;
    if (o->n_dims == CLI_MAX_DIMS)
        return -1;
    size_t len = (size_t)(eq - arg);
    char *name = malloc(len + 1);
    if (!name)
        return -1;
    memcpy(name, arg, len);
    name[len] = 0;
    o->dims[o->n_dims].name = name;
    o->dims[o->n_dims].value = v;
    o->n_dims++;
    return 0;
}

static int parse_args(int argc, char **argv, cli_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
        } else if (strcmp(a, "--version") == 0) {
            o->version = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "-o") == 0 && has_value) {
            o->output = argv[++i];
        } else if (strcmp(a, "--name") == 0 && has_value) {
            o->name = argv[++i];
        } else if (strcmp(a, "--weights-file") == 0 && has_value) {
            o->weights_file = argv[++i];
        } else if (strcmp(a, "--dim") == 0 && has_value) {
            if (parse_dim(argv[++i], o)) {
                fprintf(stderr, "scnnc: --dim takes NAME=VALUE with VALUE >= 0, got '%s'\n",
                        argv[i]);
                return -1;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "scnnc: unknown option or missing value: '%s'\n", a);
            return -1;
        } else if (!o->model) {
            o->model = a;
        } else {
            fprintf(stderr, "scnnc: more than one model given ('%s' and '%s')\n", o->model, a);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_options o = {0};
    int status = 2;
    if (parse_args(argc, argv, &o))
        goto out;
    if (o.help) {
        fputs(usage, stdout);
        status = 0;
        goto out;
    }
    if (o.version) {
        printf("scnnc %s\n", SCNNC_VERSION);
        status = 0;
        goto out;
    }
    if (!o.model || !o.output) {
        fputs(usage, stderr);
        goto out;
    }
    status = cli_compile(&o, argc, argv);
out:
    for (int i = 0; i < o.n_dims; i++)
        free((char *)o.dims[i].name);
    return status;
}
