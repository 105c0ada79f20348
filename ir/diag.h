/* Diagnostics: problems collected while compiling, so that one run reports
 * every unsupported operator or attribute at once. Errors travel up as return
 * values; the CLI prints what was collected. */
#ifndef SCNNC_DIAG_H
#define SCNNC_DIAG_H

#include <stdio.h>

typedef struct diag {
    char **errors;
    int n_errors, cap_errors;
    char **warnings;
    int n_warnings, cap_warnings;
} diag;

void diag_init(diag *d);
void diag_free(diag *d);

#if defined(__GNUC__)
#define DIAG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DIAG_PRINTF(a, b)
#endif

/* Records an error. Always returns -1, so handlers can `return diag_error(...)`. */
int diag_error(diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
void diag_warning(diag *d, const char *fmt, ...) DIAG_PRINTF(2, 3);
/* Records "node 'NAME' (OP): message", the form every op handler uses. */
int diag_node(diag *d, const char *node_name, const char *op, const char *fmt, ...)
    DIAG_PRINTF(4, 5);
int diag_has_errors(const diag *d);

/* Writes warnings, then errors ("N problems:" then one per line). */
void diag_print(const diag *d, FILE *f, const char *context);

#endif
