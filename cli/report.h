/* The two forms of --report; cli_write_report (cli.h) picks one. Both list
 * the live nodes in graph order; the caller checks the stream for errors. */
#ifndef SCNNC_CLI_REPORT_H
#define SCNNC_CLI_REPORT_H

#include <stdio.h>

#include "../ir/ir.h"

void report_write_text(const ir_graph *g, const char *model, FILE *f);
void report_write_json(const ir_graph *g, const char *model, FILE *f);

#endif
