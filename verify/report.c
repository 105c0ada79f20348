#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void vf_report_add(vf_report *r, unsigned line, vf_kind kind, const char *fmt, ...)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        vf_problem *v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            r->oom = 1;
            return;
        }
        r->v = v;
        r->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = len < 0 ? NULL : malloc((size_t)len + 1);
    if (!msg) {
        r->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)len + 1, fmt, ap);
    va_end(ap);
    r->v[r->n] = (vf_problem){line, kind, r->n, msg};
    r->n++;
}

static int by_line(const void *pa, const void *pb)
{
    const vf_problem *a = pa, *b = pb;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorting puts the problems of a line together, VF_VLA before VF_VLA_USED. */
static int repeats(const vf_problem *prev, const vf_problem *p)
{
    if (prev->line != p->line)
        return 0;
    if (p->kind == VF_VLA_USED && (prev->kind == VF_VLA || prev->kind == VF_VLA_USED))
        return 1;
    return prev->kind == p->kind && strcmp(prev->msg, p->msg) == 0;
}

size_t vf_report_print(vf_report *r, const char *path, FILE *out)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, by_line);
    size_t printed = 0;
    for (size_t i = 0; i < r->n; i++) {
        const vf_problem *p = &r->v[i];
        if (i > 0 && repeats(&r->v[i - 1], p))
            continue;
        if (p->line)
            fprintf(out, "%s:%u: %s\n", path, p->line, p->msg);
        else
            fprintf(out, "%s: %s\n", path, p->msg);
        printed++;
    }
    if (r->oom) {
        fprintf(out, "%s: out of memory: some problems were not recorded\n", path);
        printed++;
    }
    return printed;
}

void vf_report_free(vf_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].msg);
    free(r->v);
    *r = (vf_report){0};
}
