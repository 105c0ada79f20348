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
    "\n"
    "pruning (Conv, Gemm and MatMul weights; weights already zero always count):\n"
    "  --prune S              magnitude pruning to sparsity S (0..1) in each layer\n"
    "  --prune-mode MODE      'layer' (default) or 'global': one threshold for all\n"
    "  --prune-layer NAME=S   sparsity S for layer NAME (repeatable)\n"
    "  --prune-skip NAME      leave layer NAME dense (repeatable)\n"
    "  --prune-channels F     remove the fraction F (0..0.99) of the filters of\n"
    "                         each Conv and Gemm with the smallest L1 norms, and\n"
    "                         the input channels that read them\n"
    "  --prune auto           choose each layer's sparsity on sample inputs,\n"
    "  --max-error E            keeping outputs within E (absolute) of the\n"
    "                           unpruned model's; inputs from\n"
    "  --data DIR               DIR/test_data_set_*/input_*.pb or DIR/*.pb\n"
    "\n"
    "kernels:\n"
    "  --sparse MODE          'auto' (default: by the cost model), 'on' or 'off'\n"
    "  --max-code-kb N        budget for unrolled sparse code (default %d)\n"
    "  --skip-zero-inputs     sparse matrix-vector products skip zero inputs\n"
    "\n"
    "outputs:\n"
    "  --save-onnx OUT.onnx   also write the transformed model (pruned weights,\n"
    "                         removed channels) as ONNX, to run it elsewhere\n"
    "  --report FILE          per-layer report: MACs, nonzeros, kernel, bytes\n"
    "  --report-format F      'text' (default) or 'json'\n"
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

/* A number in [lo, hi], the whole argument. */
static int parse_fraction(const char *arg, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int parse_prune_layer(const char *arg, pass_options *p)
{
    const char *eq = strrchr(arg, '=');
    double s;
    if (!eq || eq == arg || parse_fraction(eq + 1, 0, 1, &s) ||
        p->n_layers == PASS_MAX_PRUNE_LAYERS)
        return -1;
    char *name = malloc((size_t)(eq - arg) + 1);
    if (!name)
        return -1;
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = 0;
    p->layers[p->n_layers].name = name;
    p->layers[p->n_layers++].sparsity = s;
    return 0;
}

static int bad_value(const char *opt, const char *want, const char *got)
{
    fprintf(stderr, "scnnc: %s takes %s, got '%s'\n", opt, want, got);
    return -1;
}

/* The options that take a value and are not -o/--name/--dim. */
static int parse_pass_option(const char *a, const char *v, cli_options *o)
{
    pass_options *p = &o->passes;
    if (strcmp(a, "--prune") == 0) {
        if (strcmp(v, "auto") == 0)
            p->prune_auto = 1;
        else if (parse_fraction(v, 0, 1, &p->prune))
            return bad_value(a, "a sparsity between 0 and 1 or 'auto'", v);
    } else if (strcmp(a, "--prune-mode") == 0) {
        if (strcmp(v, "global") != 0 && strcmp(v, "layer") != 0)
            return bad_value(a, "'layer' or 'global'", v);
        p->prune_global = strcmp(v, "global") == 0;
    } else if (strcmp(a, "--prune-layer") == 0) {
        if (parse_prune_layer(v, p))
            return bad_value(a, "NAME=S with S between 0 and 1", v);
    } else if (strcmp(a, "--prune-skip") == 0) {
        if (p->n_skip == PASS_MAX_PRUNE_LAYERS)
            return bad_value(a, "at most 256 names", v);
        p->skip[p->n_skip++] = v;
    } else if (strcmp(a, "--prune-channels") == 0) {
        if (parse_fraction(v, 0, 0.99, &p->prune_channels))
            return bad_value(a, "a fraction between 0 and 0.99", v);
    } else if (strcmp(a, "--max-error") == 0) {
        if (parse_fraction(v, 0, 1e30, &p->max_error))
            return bad_value(a, "a non-negative number", v);
    } else if (strcmp(a, "--data") == 0) {
        p->data_dir = v;
    } else if (strcmp(a, "--sparse") == 0) {
        if (strcmp(v, "auto") == 0)
            p->sparse = SPARSE_AUTO;
        else if (strcmp(v, "on") == 0)
            p->sparse = SPARSE_ON;
        else if (strcmp(v, "off") == 0)
            p->sparse = SPARSE_OFF;
        else
            return bad_value(a, "'auto', 'on' or 'off'", v);
    } else if (strcmp(a, "--max-code-kb") == 0) {
        double kb;
        if (parse_fraction(v, 0, 1 << 30, &kb) || kb != (double)(int64_t)kb)
            return bad_value(a, "a whole number of kilobytes", v);
        p->max_code_bytes = (int64_t)kb * 1024;
    } else if (strcmp(a, "--save-onnx") == 0) {
        o->save_onnx = v;
    } else if (strcmp(a, "--report") == 0) {
        o->report = v;
    } else if (strcmp(a, "--report-format") == 0) {
        if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
            return bad_value(a, "'text' or 'json'", v);
        o->report_format = strcmp(v, "json") == 0 ? REPORT_JSON : REPORT_TEXT;
    } else {
        return 1;
    }
    return 0;
}

/* Combinations that cannot mean anything. */
static int check_combination(const cli_options *o)
{
    const pass_options *p = &o->passes;
    if (p->prune_auto && (!p->data_dir || p->max_error <= 0)) {
        fprintf(stderr, "scnnc: --prune auto needs --data DIR and --max-error E > 0\n");
        return -1;
    }
    if (p->prune_auto && p->prune > 0) {
        fprintf(stderr, "scnnc: --prune takes a sparsity or 'auto', not both\n");
        return -1;
    }
    if (!p->prune_auto && (p->data_dir || p->max_error > 0)) {
        fprintf(stderr, "scnnc: --data and --max-error go with --prune auto\n");
        return -1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, cli_options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc, rc;
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
        } else if (strcmp(a, "--skip-zero-inputs") == 0) {
            o->passes.skip_zero_inputs = 1;
        } else if (a[0] == '-' && a[1] == '-' && has_value &&
                   (rc = parse_pass_option(a, argv[i + 1], o)) <= 0) {
            if (rc < 0)
                return -1;
            i++;
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
    return check_combination(o);
}

int main(int argc, char **argv)
{
    cli_options o = {0};
    o.passes.max_code_bytes = (int64_t)CLI_DEFAULT_CODE_KB * 1024;
    int status = 2;
    if (parse_args(argc, argv, &o))
        goto out;
    if (o.help) {
        printf(usage, CLI_DEFAULT_CODE_KB);
        status = 0;
        goto out;
    }
    if (o.version) {
        printf("scnnc %s\n", SCNNC_VERSION);
        status = 0;
        goto out;
    }
    if (!o.model || !o.output) {
        fprintf(stderr, usage, CLI_DEFAULT_CODE_KB);
        goto out;
    }
    status = cli_compile(&o, argc, argv);
out:
    for (int i = 0; i < o.n_dims; i++)
        free((char *)o.dims[i].name);
    for (int i = 0; i < o.passes.n_layers; i++)
        free((char *)o.passes.layers[i].name);
    return status;
}
