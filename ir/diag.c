#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Stands in for a message that could not be allocated, so that the failure is
 * still counted and printed. */
static char oom_message[] = "out of memory while reporting an error";

void diag_init(diag *d) { memset(d, 0, sizeof *d); }

static void free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        if (list[i] != oom_message)
            free(list[i]);
    free(list);
}

void diag_free(diag *d)
{
    free_list(d->errors, d->n_errors);
    free_list(d->warnings, d->n_warnings);
    memset(d, 0, sizeof *d);
}

/* Appends a formatted message. */
static void push(char ***list, int *n, int *cap, const char *fmt, va_list ap)
{
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        char **nl = realloc(*list, (size_t)ncap * sizeof *nl);
        if (!nl)
            return;
        *list = nl;
        *cap = ncap;
    }
    char *copy = malloc(strlen(buf) + 1);
    (*list)[(*n)++] = copy ? strcpy(copy, buf) : oom_message;
}

int diag_error(diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&d->errors, &d->n_errors, &d->cap_errors, fmt, ap);
    va_end(ap);
    return -1;
}

void diag_warning(diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&d->warnings, &d->n_warnings, &d->cap_warnings, fmt, ap);
    va_end(ap);
}

int diag_node(diag *d, const char *node_name, const char *op, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return diag_error(d, "node '%s' (%s): %s", node_name && *node_name ? node_name : "<unnamed>",
                      op ? op : "?", msg);
}

int diag_has_errors(const diag *d) { return d->n_errors > 0; }

void diag_print(const diag *d, FILE *f, const char *context)
{
    for (int i = 0; i < d->n_warnings; i++)
        fprintf(f, "scnnc: warning: %s\n", d->warnings[i]);
    if (d->n_errors == 1) {
        fprintf(f, "scnnc: error: %s: %s\n", context, d->errors[0]);
    } else if (d->n_errors > 1) {
        fprintf(f, "scnnc: error: %s: %d problems:\n", context, d->n_errors);
        for (int i = 0; i < d->n_errors; i++)
            fprintf(f, "  %s\n", d->errors[i]);
    }
}
