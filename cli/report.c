/* --report: per-layer MACs, sparsity, kernels and bytes of the compiled graph. */
#include "report.h"

#include "cli.h"

int cli_write_report(const ir_graph *g, const cli_options *o, FILE *f)
{
    /* ONNX graph names are optional; the file then names the model. */
    const char *model = g->name && g->name[0] ? g->name : o->model ? o->model : "";
    if (o->report_format == REPORT_JSON)
        report_write_json(g, model, f);
    else
        report_write_text(g, model, f);
    return ferror(f) ? -1 : 0;
}
